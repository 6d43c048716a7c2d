"""Tests of the V2C Cloud API client."""
