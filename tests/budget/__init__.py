"""Tests for the quota planner."""
