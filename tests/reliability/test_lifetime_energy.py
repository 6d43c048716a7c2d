"""Lifetime energy: glitches, negative readings and unclean stops never move it wrongly."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, State
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache_with_extra_data,
)

from custom_components.v2c_cloud.const import DOMAIN
from custom_components.v2c_cloud.store import SAVE_DELAY_S
from tests.sim_fixtures import SimHandle
from v2c_simulator import render
from v2c_simulator.state import ChargerState

from .helpers import advance, run_for

LIFETIME = "sensor.garage_lifetime_energy"
SESSION = "sensor.garage_session_energy"


def value(hass: HomeAssistant, entity_id: str) -> float:
    """Return a sensor's numeric state."""
    state = hass.states.get(entity_id)
    assert state is not None
    return float(state.state)


@pytest.fixture
def glitches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Let the test make the next live readings report odd session energies."""
    queued: list[str] = []
    real = render.current_state

    def current_state(state: ChargerState, *args: Any) -> dict[str, Any]:
        reply = real(state, *args)
        if queued:
            reply["energy"] = queued.pop(0)
        return reply

    monkeypatch.setattr(render, "current_state", current_state)
    return queued


async def test_glitches_and_negative_readings_leave_the_total_alone(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    glitches: list[str],
) -> None:
    """5.0 -> 99,999 -> 5.2 kWh and a negative reading: the total tracks the charge."""
    v2c_sim.charger.plug_in()
    await run_for(hass, freezer, timedelta(minutes=40))
    seen = [value(hass, LIFETIME)]
    assert seen[0] > 0

    for odd in ("99999", "-3.5", "99999", "1e308"):
        glitches.append(odd)
        await run_for(hass, freezer, timedelta(minutes=10))
        seen.append(value(hass, LIFETIME))
    await run_for(hass, freezer, timedelta(minutes=30))
    seen.append(value(hass, LIFETIME))

    assert seen == sorted(seen)
    assert seen[-1] == pytest.approx(value(hass, SESSION), abs=0.01)
    assert seen[-1] < 50


async def test_total_survives_an_unclean_stop(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
) -> None:
    """HA's restore state is older than the Store after a kill: the Store wins."""
    mock_config_entry.add_to_hass(hass)
    key = f"{DOMAIN}.{mock_config_entry.entry_id}"
    hass_storage[key] = {
        "key": key,
        "version": 1,
        "data": {
            "energy": {
                v2c_sim.device_id: {
                    "banked_kwh": 2.0,
                    "session_kwh": 0.14,
                    "read_at": "2026-03-02T11:59:00+00:00",
                }
            }
        },
    }
    mock_restore_cache_with_extra_data(
        hass, [(State(LIFETIME, "1.61"), {"banked_kwh": 1.5, "session_kwh": 0.11})]
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert value(hass, LIFETIME) >= 2.14


async def test_total_is_written_to_the_store_soon(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Once a charge stops, the Store holds the shown total within minutes."""
    v2c_sim.charger.plug_in()
    await run_for(hass, freezer, timedelta(minutes=30))
    v2c_sim.charger.unplug()
    await run_for(hass, freezer, timedelta(minutes=20))
    key = f"{DOMAIN}.{init_integration.entry_id}"
    saved = hass_storage[key]["data"]["energy"][v2c_sim.device_id]
    total = saved["banked_kwh"] + saved["session_kwh"]
    assert total > 0
    assert total == pytest.approx(value(hass, LIFETIME))


async def test_total_is_on_disk_within_the_save_delay_while_charging(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """While a car charges, an unclean stop loses at most the last 5 min of energy.

    A read every 23 s or so must not keep putting the write off. How far
    behind the file is: since the last moment the total shown was no more
    than the one on disk (a write landing just before a reading counts as
    up to date with the reading before it).
    """
    key = f"{DOMAIN}.{init_integration.entry_id}"
    step = timedelta(seconds=5)
    v2c_sim.charger.plug_in()
    shown: list[float] = []
    longest = timedelta(0)
    for moment in range(120):
        await advance(hass, freezer, step)
        shown.append(value(hass, LIFETIME))
        saved = hass_storage.get(key, {}).get("data", {}).get("energy", {})
        on_disk = sum(
            total["banked_kwh"] + (total["session_kwh"] or 0.0)
            for total in saved.values()
        )
        caught_up = max(
            (past for past, total in enumerate(shown) if total <= on_disk + 1e-9),
            default=-1,
        )
        longest = max(longest, step * (moment - caught_up))
    assert value(hass, LIFETIME) > 0
    assert longest <= timedelta(seconds=SAVE_DELAY_S) + step


async def test_a_dip_to_zero_then_a_reload_does_not_count_the_session_twice(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    glitches: list[str],
) -> None:
    """A charge reads 0 kWh once (a glitch), then the entry reloads (options saved).

    The dip banked the session and was saved at once; what undoes it is saved
    with it, so after the reload the session's reading coming back is still
    taken for the same session: *Lifetime energy* follows the one session,
    neither standing still for hours nor counting the session twice.
    """
    v2c_sim.charger.plug_in(energy_needed_kwh=30.0)
    await run_for(hass, freezer, timedelta(minutes=60))
    before = value(hass, LIFETIME)
    assert before > 3

    glitches.append("0.000000")
    energy = init_integration.runtime_data.store.energy[v2c_sim.device_id]
    while glitches:
        await run_for(hass, freezer, timedelta(seconds=10), step=timedelta(seconds=10))
    assert energy.session_kwh == 0

    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    await run_for(hass, freezer, timedelta(hours=8))

    session = value(hass, SESSION)
    assert session > before
    assert value(hass, LIFETIME) == pytest.approx(session, abs=0.05)
