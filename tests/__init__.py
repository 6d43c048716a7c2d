"""Tests for the v2c_cloud project."""
