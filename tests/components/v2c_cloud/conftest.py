"""Fixtures for the V2C Cloud integration tests; the shared ones are in tests/conftest.py."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
import pytest


@pytest.fixture(autouse=True)
def frozen_start(frozen_start: FrozenDateTimeFactory) -> FrozenDateTimeFactory:
    """Start every test at the same frozen moment, before the simulator exists."""
    return frozen_start
