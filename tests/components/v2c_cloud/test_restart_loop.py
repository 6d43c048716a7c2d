"""Home Assistant in a restart loop (a crash every few minutes), through the simulator.

An out-of-memory kill or another integration crashing can restart Home
Assistant every few minutes for hours. A crash writes nothing: the entry's
file keeps its last write (the setup's, or the delayed save five minutes after
a change), and Home Assistant's restore state keeps what it dumped as it
started (it dumps the states once Home Assistant has started, then every
15 minutes). A run shorter than the five-minute save delay never gets its
delayed save.
"""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import restore_state as rs
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_mock_load_restore_state_from_storage,
)

from custom_components.v2c_cloud.const import DOMAIN
from custom_components.v2c_cloud.event import SESSION_STARTED
from tests.sim_fixtures import SimHandle

from .read_helpers import fired_events, number_of, run_for

SESSION = "event.garage_charging_session"
LIFETIME = "sensor.garage_lifetime_energy"
# Minutes each run lasts before the crash, and how many crashes.
UP_MINUTES = 3
CRASHES = 8


async def start_dumped(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Set the entry up; Home Assistant, started, dumps the states it shows."""
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await rs.async_get(hass).async_dump_states()


async def crash_and_start(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Crash: the files keep their last writes, nothing in memory survives; start again."""
    key = f"{DOMAIN}.{entry.entry_id}"
    on_disk = copy.deepcopy(hass_storage[key])
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    hass_storage[key] = on_disk
    # The restore state as last dumped, not as the unload left it.
    await async_mock_load_restore_state_from_storage(hass)
    for name in [name for name in hass.data if str(name).startswith(f"{DOMAIN}_")]:
        hass.data.pop(name)
    freezer.tick(timedelta(minutes=1))
    await start_dumped(hass, entry)


async def restart_loop(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    v2c_sim: SimHandle,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> tuple[list[tuple[str, dict[str, Any]]], float]:
    """Run normally, then plug a car in as the loop begins.

    Return the session events and the lifetime energy before the charge.
    """
    await start_dumped(hass, entry)
    await run_for(hass, freezer, 20)
    await crash_and_start(hass, hass_storage, entry, freezer)
    changes = async_capture_events(hass, "state_changed")
    before = number_of(hass, LIFETIME)
    v2c_sim.charger.plug_in(energy_needed_kwh=60.0)
    for _ in range(CRASHES):
        await run_for(hass, freezer, UP_MINUTES)
        await crash_and_start(hass, hass_storage, entry, freezer)
    # Home Assistant stays up at last.
    await run_for(hass, freezer, 10)
    return fired_events(changes, SESSION), before


async def test_a_charge_started_during_a_restart_loop_is_reported_once(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The car starts charging once; the loop restarts Home Assistant every 4 minutes.

    The user saw session_started fired at every start (9 times for one
    charge), and every automation on it (a "car is charging" notification,
    a tariff switch) ran again each time: the event entity compared each
    start's first reading with the mark saved before the charge, and the
    mark that fired the event was only written by the delayed save five
    minutes later, which no run of the loop reached. It is written as soon
    as the entities took the reading in now: once.
    """
    mock_config_entry.add_to_hass(hass)
    fired, _ = await restart_loop(
        hass, hass_storage, v2c_sim, mock_config_entry, freezer
    )
    assert [event for event, _ in fired] == [SESSION_STARTED]


async def test_lifetime_energy_stays_near_the_truth_through_a_restart_loop(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """One charge, Home Assistant crashing every 4 minutes meanwhile.

    README (Known limitations) bounds a crash's error to "up to the last five
    minutes of a charge", "once per crash". In the loop the user saw
    Lifetime energy (and the Energy dashboard fed by it) climb far faster:
    about 18.9 kWh for a 5.2 kWh charge after eight crashes (the bound is
    10.7 kWh); 0.5 kWh too many after two crashes, 2.9 after four. Each
    start raises the Store's stale total (never rewritten: the setup's save writes the total as loaded, and
    no run reaches the delayed save) to the total Home Assistant dumped at
    the previous start, which already holds the session's energy, and then
    adds the session's reading again: the error grows with every crash, by
    all the session's energy since the loop began. Each start's readings
    are now written as soon as the entities took them in: within the
    README's bound.
    """
    mock_config_entry.add_to_hass(hass)
    _, before = await restart_loop(
        hass, hass_storage, v2c_sim, mock_config_entry, freezer
    )
    truth = v2c_sim.charger.state
    charged = truth.session_energy_kwh
    assert charged > 3.0
    per_five_minutes = charged / truth.session_seconds * 300
    bound = before + charged + (CRASHES + 1) * per_five_minutes
    assert number_of(hass, LIFETIME) <= bound + 0.05
