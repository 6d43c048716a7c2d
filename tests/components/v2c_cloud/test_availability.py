"""Tests of when entities go unavailable: a bound tied to the planner's interval."""

from __future__ import annotations

from datetime import timedelta
import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
import pytest

from custom_components.v2c_cloud.coordinator import (
    STALE_AFTER_READS,
    STALE_MARGIN,
    V2CChargerCoordinator,
)
from custom_components.v2c_cloud.helpers import utcnow
from tests.sim_fixtures import SimHandle, SimSetup
from v2c_simulator import FaultKind

from .read_helpers import advance, run_for, state_of

LIVE = "sensor.garage_charging_power"
CONNECTION = "binary_sensor.garage_cloud_connection"
QUOTA = "sensor.v2c_cloud_account_calls_remaining_today"
LOCK = "lock.garage_charging_point_lock"


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


async def test_settings_commands_every_two_minutes_keep_the_charger_available(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    coordinator: V2CChargerCoordinator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A confirmation's short wait is not the rhythm the live state is judged by.

    A lock toggled every two minutes is confirmed with the settings alone;
    the live state, read at its own interval meanwhile, must not look too old
    to show, or Home Assistant would drop the next command without a word.
    """
    lock = LOCK
    sent = 0
    for _ in range(8):
        locked = state_of(hass, lock).state == "locked"
        await hass.services.async_call(
            "lock", "unlock" if locked else "lock", {"entity_id": lock}, blocking=True
        )
        sent += 1
        for _ in range(12):
            await advance(hass, freezer, timedelta(seconds=10))
            assert state_of(hass, lock).state != STATE_UNAVAILABLE
            assert state_of(hass, LIVE).state != STATE_UNAVAILABLE
    commands = [r for r in v2c_sim.sim.request_log if r.path == "/device/locked"]
    assert len(commands) == sent


@pytest.mark.parametrize("sim_setup", [SimSetup(daily_limit=200)])
async def test_a_command_late_in_a_long_interval_leaves_the_charger_available(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    coordinator: V2CChargerCoordinator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A confirmation due in seconds does not shrink the bound on the live state's age.

    Shrunk, it would make the charger stale at once, and Home Assistant would
    drop the next command without a word.
    """
    due = coordinator.poller.next_refresh_at(utcnow())
    assert due is not None
    interval = due - utcnow()
    # Long enough for the live state to be older than a bound built on a
    # confirmation's wait when the commands come.
    assert interval > STALE_MARGIN
    await advance(hass, freezer, interval - timedelta(seconds=40))

    for service in ("lock", "unlock"):
        await hass.services.async_call(
            "lock", service, {"entity_id": LOCK}, blocking=True
        )
        await advance(hass, freezer, timedelta(seconds=1))

    sent = [
        r.query["value"] for r in v2c_sim.sim.request_log if r.path == "/device/locked"
    ]
    assert sent == ["1", "0"]
    assert state_of(hass, LIVE).state != STATE_UNAVAILABLE


async def test_values_aging_while_reads_wait_for_the_quota_are_logged_once(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    coordinator: V2CChargerCoordinator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Another program leaves only the commands' reserve: the sensors go unavailable.

    Nothing failed, so nothing was logged; the log now says once why, and once
    when the charger is read again after the reset.
    """
    v2c_sim.spend_quota(leave=40)
    caplog.set_level(logging.INFO, logger="custom_components.v2c_cloud")
    await run_for(hass, freezer, 90)
    assert state_of(hass, LIVE).state == STATE_UNAVAILABLE
    held = [
        r.getMessage() for r in caplog.records if "has not been read" in r.getMessage()
    ]
    assert len(held) == 1
    assert "(quota)" in held[0]
    assert v2c_sim.device_id not in held[0]
    # The time the values shown were read, not the last call's.
    state_at = coordinator.data.state_at
    assert state_at is not None
    assert f"not been read since {state_at.isoformat()};" in held[0]

    for _ in range(11):
        await advance(hass, freezer, timedelta(hours=1))
    await run_for(hass, freezer, 30)
    assert state_of(hass, LIVE).state != STATE_UNAVAILABLE
    again = [r for r in caplog.records if r.getMessage().endswith("is read again")]
    assert len(again) == 1
