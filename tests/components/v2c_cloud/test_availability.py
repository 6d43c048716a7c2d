"""Tests of when entities go unavailable: a bound tied to the planner's interval."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant

from custom_components.v2c_cloud.coordinator import (
    STALE_AFTER_READS,
    STALE_MARGIN,
    V2CChargerCoordinator,
)
from custom_components.v2c_cloud.helpers import utcnow
from tests.sim_fixtures import SimHandle
from v2c_simulator import FaultKind

from .read_helpers import run_for, state_of

LIVE = "sensor.garage_charging_power"
CONNECTION = "binary_sensor.garage_cloud_connection"
QUOTA = "sensor.v2c_cloud_account_calls_remaining_today"


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


async def test_a_cloud_outage_ends_in_unavailable_not_a_frozen_value(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    coordinator: V2CChargerCoordinator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """One failed read keeps the values; past two planned reads they go unavailable."""
    due = coordinator.poller.next_refresh_at(utcnow())
    assert due is not None
    interval = due - utcnow()
    bound = STALE_AFTER_READS * interval + STALE_MARGIN
    v2c_sim.sim.faults.set(FaultKind.HTTP_503)

    await run_for(hass, freezer, _minutes(bound) - 1)
    assert not coordinator.last_update_success
    assert state_of(hass, LIVE).state != STATE_UNAVAILABLE
    assert state_of(hass, CONNECTION).state == STATE_ON

    await run_for(hass, freezer, _minutes(interval) + 2)
    assert state_of(hass, LIVE).state == STATE_UNAVAILABLE
    assert state_of(hass, CONNECTION).state == STATE_UNAVAILABLE
    assert state_of(hass, QUOTA).state != STATE_UNAVAILABLE

    v2c_sim.sim.faults.clear()
    await run_for(hass, freezer, _minutes(interval) + 2)
    assert state_of(hass, LIVE).state != STATE_UNAVAILABLE
    assert state_of(hass, CONNECTION).state == STATE_ON
