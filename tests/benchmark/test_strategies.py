"""The benchmark's planner meter: a 429 is dated by the virtual clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from benchmark.strategies import _VirtualClockMeter
from custom_components.v2c_cloud.api import V2CRateLimitError, V2CThrottledError
from custom_components.v2c_cloud.budget import CallKind, PlannerSettings, QuotaPlanner
from custom_components.v2c_cloud.metering import charged_as

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
WALL_CLOCK_MOMENT = datetime(2030, 1, 1, tzinfo=UTC)


def _meter() -> tuple[QuotaPlanner, _VirtualClockMeter]:
    planner = QuotaPlanner(PlannerSettings(), now=NOON)
    planner.observe_quota(limit=1000, remaining=500, now=NOON)
    return planner, _VirtualClockMeter(planner)


def test_a_pause_lasts_a_virtual_minute_and_keeps_the_day() -> None:
    planner, meter = _meter()
    with charged_as(CallKind.POLL, NOON):
        meter.rate_limited(V2CThrottledError("pause", reset_at=WALL_CLOCK_MOMENT))

    assert planner.throttled(NOON)
    assert planner.polling_blocked_until == NOON + timedelta(minutes=1)
    assert planner.remaining == 500


def test_a_day_out_blocks_until_the_planners_reset() -> None:
    planner, meter = _meter()
    with charged_as(CallKind.POLL, NOON):
        meter.rate_limited(V2CRateLimitError("out", reset_at=WALL_CLOCK_MOMENT))

    assert not planner.throttled(NOON)
    assert planner.polling_blocked_until == planner.reset_at
    assert planner.remaining == 0
