"""Tests for Home Assistant components."""
