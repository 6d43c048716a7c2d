"""Saving and restoring across restarts: a crash, a pause, a hand-edited file."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import ConfigEntryNotReady
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache_with_extra_data,
)

from custom_components.v2c_cloud import planner_settings
from custom_components.v2c_cloud.budget import CallKind, PlannerSettings, QuotaPlanner
from custom_components.v2c_cloud.const import DOMAIN
from custom_components.v2c_cloud.helpers import format_reset_time, utcnow
from custom_components.v2c_cloud.setup_gate import SetupGate
from custom_components.v2c_cloud.store import V2CStore
from tests.sim_fixtures import SimHandle

from .helpers import run_for

LIFETIME = "sensor.garage_lifetime_energy"


def value(hass: HomeAssistant, entity_id: str) -> float:
    """Return a sensor's numeric state."""
    state = hass.states.get(entity_id)
    assert state is not None
    return float(state.state)


@pytest.mark.xfail(
    strict=True,
    reason="known, not fixed: after a crash, Home Assistant's saved state can be newer than "
    "the integration's store (saved up to 5 minutes late), and the gap is counted again "
    "by the session's next reading (README, Known limitations)",
)
async def test_a_total_restored_above_a_stale_store_is_not_counted_twice(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A kill between HA's restore-state dump and the Store's delayed write.

    The Store (written up to 5 min late) holds the session at 12:30, HA's
    restore state (dumped every 15 min) the total shown at 12:34; the car goes
    on charging the same session. After the restart the total must be the
    energy banked plus this session's reading: the 12:30 -> 12:34 energy is in
    that reading once, not once more on top of it.
    """
    charger = v2c_sim.charger
    charger.plug_in(energy_needed_kwh=60.0)
    freezer.tick(timedelta(minutes=30))
    stored = charger.state
    stored_kwh, stored_s = stored.session_energy_kwh, int(stored.session_seconds)
    stored_at = utcnow()
    freezer.tick(timedelta(minutes=4))
    shown_kwh = charger.state.session_energy_kwh
    freezer.tick(timedelta(minutes=2))
    assert stored_kwh < shown_kwh < charger.state.session_energy_kwh

    banked = 100.0
    mock_config_entry.add_to_hass(hass)
    key = f"{DOMAIN}.{mock_config_entry.entry_id}"
    hass_storage[key] = {
        "key": key,
        "version": 1,
        "data": {
            "energy": {
                v2c_sim.device_id: {
                    "banked_kwh": banked,
                    "session_kwh": stored_kwh,
                    "read_at": stored_at.isoformat(),
                    "session_s": stored_s,
                }
            }
        },
    }
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(LIFETIME, str(banked + shown_kwh)),
                {"banked_kwh": banked, "session_kwh": shown_kwh},
            )
        ],
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    reading = charger.state.session_energy_kwh
    assert value(hass, LIFETIME) == pytest.approx(banked + reading, abs=0.05)


async def test_a_pause_an_hourly_window_asked_for_outlasts_a_restart(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    mock_config_entry: MockConfigEntry,
) -> None:
    """A 429 of an hourly window says 'back in 50 min'; HA restarts 2 min later.

    The pause is kept in memory only: the restarted setup calls the cloud at
    once, into the same full window, and gets another 429.
    """
    mock_config_entry.add_to_hass(hass)
    settings = planner_settings(mock_config_entry)
    store = await V2CStore.async_load(hass, mock_config_entry.entry_id, settings)
    now = utcnow()
    store.planner.observe_quota(limit=1000, remaining=600, now=now)
    store.planner.observe_throttled(now, now + timedelta(minutes=50))
    assert store.planner.refused_until(now) is not None
    await store.async_close()

    later = now + timedelta(minutes=2)
    restarted = await V2CStore.async_load(hass, mock_config_entry.entry_id, settings)
    assert restarted.planner.refused_until(later) == now + timedelta(minutes=50)
    with pytest.raises(ConfigEntryNotReady):
        SetupGate(hass, "after-restart").check(restarted.planner, later)


async def test_a_restored_pause_in_the_reserve_is_no_spent_day(
    hass: HomeAssistant,
) -> None:
    """Polling keeps the reserve (40 left) when a 429 without headers pauses the key.

    A setup in that pause is put off: it must say the cloud asks for a pause,
    until the pause's end, not that the day's quota is used up.
    """
    planner = QuotaPlanner(PlannerSettings(), now=utcnow())
    now = utcnow()
    planner.observe_quota(limit=1000, remaining=40, now=now)
    assert planner.polling_blocked_until == planner.reset_at
    planner.observe_rate_limited(now, None, day_proven=False)
    pause_end = planner.paused_until(now)
    assert pause_end is not None
    assert pause_end < planner.reset_at

    with pytest.raises(ConfigEntryNotReady) as refused:
        SetupGate(hass, "in-the-reserve").check(planner, now)
    assert refused.value.translation_key == "throttled"
    assert refused.value.translation_placeholders == {
        "time": format_reset_time(pause_end)
    }


async def test_a_periodic_read_saved_with_no_period_does_not_stop_setup(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A hand-edited file: one periodic read's period set to 0.

    Unreadable planner fields give a warning and safe defaults; this value is
    read without complaint, then every planning divides by it: the entry
    retries its setup with a ZeroDivisionError traceback each time.
    """
    data = QuotaPlanner(PlannerSettings(), now=utcnow()).to_dict()
    data["maintenance"] = {
        f"connected:{v2c_sim.device_id}": {
            "every_s": 0,
            "asked_at": utcnow().isoformat(),
            "done_at": None,
        }
    }
    mock_config_entry.add_to_hass(hass)
    key = f"{DOMAIN}.{mock_config_entry.entry_id}"
    hass_storage[key] = {"key": key, "version": 1, "data": {"planner": data}}
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED


async def test_calls_a_crash_left_unsaved_are_not_blamed_on_other_programs(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A crash loses up to five minutes of call counts; nothing else uses the key.

    The next quota header puts the calls left right, and its gap since the
    saved count holds our lost calls: with the file not closed by the run
    that wrote it, that gap is not booked as other programs' calls (which
    diagnostics would show, today's plan set calls aside for, and the reset
    learn for the following days).
    """
    entry = init_integration
    key = f"{DOMAIN}.{entry.entry_id}"
    v2c_sim.charger.plug_in(energy_needed_kwh=60.0)
    await run_for(hass, freezer, timedelta(minutes=20))
    last = copy.deepcopy(hass_storage[key])
    while hass_storage[key] == last:
        await run_for(hass, freezer, timedelta(seconds=10), step=timedelta(seconds=10))
    saved = copy.deepcopy(hass_storage[key])
    await run_for(
        hass, freezer, timedelta(minutes=4, seconds=30), step=timedelta(seconds=10)
    )
    planner = entry.runtime_data.planner
    unsaved = (
        planner.snapshot(utcnow()).calls_today[CallKind.POLL]
        - saved["data"]["planner"]["window"]["calls"]["poll"]
    )
    assert unsaved >= 5

    # The crash: the file keeps the last write; HA comes back a minute later.
    assert await hass.config_entries.async_unload(entry.entry_id)
    hass_storage[key] = saved
    freezer.tick(timedelta(minutes=1))
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await run_for(hass, freezer, timedelta(minutes=10), step=timedelta(seconds=10))

    assert entry.runtime_data.planner.snapshot(utcnow()).other_calls_today == 0
