"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import pytest

import custom_components.v2c_cloud  # noqa: F401  # must be importable before HA scans custom integrations
from tests.sim_fixtures import sim_setup, v2c_sim  # noqa: F401


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/ in every test."""
