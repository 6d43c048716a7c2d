"""The benchmark's strategies: planner meter on the virtual clock, commands as entities send them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from benchmark.strategies import _VirtualClockMeter, command_call
from custom_components.v2c_cloud.api import (
    V2CClient,
    V2CRateLimitError,
    V2CThrottledError,
)
from custom_components.v2c_cloud.budget import CallKind, PlannerSettings, QuotaPlanner
from custom_components.v2c_cloud.data import ChargerData
from custom_components.v2c_cloud.metering import charged_as
from custom_components.v2c_cloud.number import NUMBERS
from custom_components.v2c_cloud.select import SELECTS
from custom_components.v2c_cloud.switch import SWITCHES
from tests.sim_fixtures import SimHandle
from v2c_simulator.scenarios import SAFE_CYCLE, SOLAR_CYCLE, Command

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
        # The simulator's 429, like Kong's, says the day has no call left.
        meter.rate_limited(
            V2CRateLimitError("out", reset_at=WALL_CLOCK_MOMENT, remaining=0)
        )

    assert not planner.throttled(NOON)
    assert planner.polling_blocked_until == planner.reset_at
    assert planner.remaining == 0


@pytest.mark.parametrize(("path", "value"), sorted({*SAFE_CYCLE, *SOLAR_CYCLE}))
async def test_a_scenario_command_is_what_its_entity_sends_and_reads_back(
    v2c_sim: SimHandle, path: str, value: str | None
) -> None:
    call = command_call(Command(at=NOON, charger=0, path=path, value=value))
    entity = next(
        description
        for description in (*NUMBERS, *SELECTS, *SWITCHES)
        if description.key == call.key
    )
    assert call.send is entity.set_fn
    assert (call.live, call.may_start_or_stop) == (
        entity.live,
        entity.may_start_or_stop,
    )
    async with aiohttp.ClientSession() as session:
        client = V2CClient(v2c_sim.api_key, session=session, base_url=v2c_sim.base_url)
        await call.send(client, v2c_sim.device_id, call.value)
        data = ChargerData(
            device_id=v2c_sim.device_id,
            reported=await client.get_reported(v2c_sim.device_id),
        )
    assert call.read is not None
    assert call.read(data) == call.value
