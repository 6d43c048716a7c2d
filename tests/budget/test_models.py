"""Tests for the planner's public types."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from custom_components.v2c_cloud.budget import PlannerSettings, QuotaExhaustedError


@pytest.mark.parametrize(
    "kwargs",
    [
        {"quota_share": 0.05},
        {"quota_share": 1.5},
        {"command_reserve": -1},
        {"min_interval_s": 0},
        {"min_interval_s": 600},
        {"idle_interval_s": 7200},
        {"confirm_delay_s": -1},
    ],
)
def test_settings_reject_impossible_values(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must"):
        PlannerSettings(**kwargs)


def test_quota_exhausted_error_says_when_calls_return() -> None:
    back = datetime(2025, 3, 4, tzinfo=UTC)
    err = QuotaExhaustedError(back)
    assert err.calls_back_at == back
    assert "2025-03-04T00:00:00+00:00" in str(err)
