"""The benchmark's tests run the simulator on loopback, without Home Assistant."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Skip Home Assistant setup: the benchmark does not need it."""
