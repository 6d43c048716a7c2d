"""The charging point's lock, through Home Assistant and the simulator."""

from __future__ import annotations

from homeassistant.components.lock import LockState
from homeassistant.const import SERVICE_LOCK, SERVICE_UNLOCK, Platform
import pytest

from custom_components.v2c_cloud.budget import ChargerActivity
from custom_components.v2c_cloud.data import CHARGING_STATES
from v2c_simulator.commands import set_fields

from .control_helpers import Harness, reported_reads
from .read_helpers import run_for

PLATFORM = Platform.LOCK


@pytest.mark.parametrize(
    ("service", "locked_before", "charging_after"),
    [(SERVICE_LOCK, False, False), (SERVICE_UNLOCK, True, True)],
)
async def test_locking_shows_at_once_whether_the_car_charges(
    harness: Harness, *, service: str, locked_before: bool, charging_after: bool
) -> None:
    """A lock stops the car's charge, an unlock lets it charge.

    The charge shown follows at the command's confirmation, not at a poll
    minutes later.
    """
    harness.sim.charger.plug_in()
    await harness.load(locked=locked_before)
    live = harness.coordinator().data.state
    assert live is not None
    assert (live.charge_state in CHARGING_STATES) is not charging_after

    await harness.call("locked", service)
    await harness.await_confirmation()

    live = harness.coordinator().data.state
    assert live is not None
    assert (live.charge_state in CHARGING_STATES) is charging_after
    assert ((live.power_w or 0.0) > 0) is charging_after


async def test_an_unlock_from_the_v2c_app_shows_the_lock_open_and_can_be_undone(
    harness: Harness,
) -> None:
    """A charger unlocked from V2C's app shows unlocked, for no call, and can be locked.

    A locked charger does not charge: a live read showing the car charging, a
    command's window or more after the settings said locked, lifts the lock
    they show. Locking it from Home Assistant then goes out.
    """
    harness.sim.charger.plug_in(energy_needed_kwh=40)
    await harness.load(locked=True)
    assert harness.state("locked").state == LockState.LOCKED
    settings_reads = reported_reads(harness.sim)

    harness.sim.charger.submit(set_fields(("locked",), False))
    await run_for(harness.hass, harness.freezer, 10)
    assert harness.coordinator().data.activity is ChargerActivity.CHARGING
    assert harness.state("locked").state == LockState.UNLOCKED
    assert reported_reads(harness.sim) == settings_reads

    harness.sim.sim.clear_log()
    await harness.call("locked", SERVICE_LOCK)
    await harness.await_confirmation()
    assert [path for _, path, _ in harness.commands()] == ["/device/locked"]
    assert harness.sim.charger.state.locked is True
    assert harness.state("locked").state == LockState.LOCKED


async def test_an_unlock_from_the_v2c_app_stays_shown_once_the_car_leaves(
    harness: Harness,
) -> None:
    """The lock a charge showed open stays open until the settings are read again.

    The car leaving shows no charge any more, which says nothing of the lock.
    """
    harness.sim.charger.plug_in(energy_needed_kwh=40)
    await harness.load(locked=True)
    harness.sim.charger.submit(set_fields(("locked",), False))
    await run_for(harness.hass, harness.freezer, 10)
    assert harness.state("locked").state == LockState.UNLOCKED
    settings_reads = reported_reads(harness.sim)

    harness.sim.charger.unplug()
    await run_for(harness.hass, harness.freezer, 10)
    assert harness.coordinator().data.activity is ChargerActivity.IDLE
    assert reported_reads(harness.sim) == settings_reads
    assert harness.state("locked").state == LockState.UNLOCKED
