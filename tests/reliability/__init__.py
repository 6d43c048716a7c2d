"""Reliability and security suites of the V2C Cloud integration."""
