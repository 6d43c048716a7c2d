"""Tests of the quota benchmark: scenario files and figures."""
