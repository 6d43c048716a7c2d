"""Tests for the V2C Cloud simulator."""
