"""Fixtures for the quota planner tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from custom_components.v2c_cloud.budget import PlannerSettings, QuotaPlanner

NOON = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)


@pytest.fixture
def settings() -> PlannerSettings:
    """Return the default settings."""
    return PlannerSettings()


@pytest.fixture
def planner(settings: PlannerSettings) -> QuotaPlanner:
    """Return a fresh planner at noon UTC."""
    return QuotaPlanner(settings, now=NOON)
