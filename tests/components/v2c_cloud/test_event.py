"""Tests for the V2C Cloud charging session events."""

from __future__ import annotations

from dataclasses import replace

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.v2c_cloud.api import CurrentState
from custom_components.v2c_cloud.event import (
    EVENTS,
    SESSION_FINISHED,
    SESSION_STARTED,
    session_events,
)
from tests.sim_fixtures import SimHandle

from .control_helpers import Harness
from .read_helpers import entity_texts, run_for, state_of

PLATFORM = Platform.EVENT
SESSION = "event.garage_charging_session"


@pytest.mark.usefixtures("loaded")
async def test_session_start_and_finish(
    hass: HomeAssistant, v2c_sim: SimHandle, freezer: FrozenDateTimeFactory
) -> None:
    """Charging starts a session; unplugging finishes it with its energy and time."""
    changes = async_capture_events(hass, "state_changed")
    assert state_of(hass, SESSION).state == STATE_UNKNOWN

    v2c_sim.charger.plug_in()
    await run_for(hass, freezer, 15)
    state = state_of(hass, SESSION)
    assert state.attributes["event_type"] == SESSION_STARTED

    await run_for(hass, freezer, 30)
    v2c_sim.charger.unplug()
    truth = v2c_sim.charger.state
    await run_for(hass, freezer, 15)
    state = state_of(hass, SESSION)
    assert state.attributes["event_type"] == SESSION_FINISHED
    assert state.attributes["energy_kwh"] == pytest.approx(truth.session_energy_kwh)
    assert state.attributes["duration_s"] == int(truth.session_seconds)

    fired = [
        event.data["new_state"].attributes["event_type"]
        for event in changes
        if event.data["entity_id"] == SESSION
    ]
    assert fired == [SESSION_STARTED, SESSION_FINISHED]


async def test_reading_without_live_state(loaded: Harness) -> None:
    """Data without a live reading is skipped; the next reading compares with the last."""
    coordinator = loaded.coordinator()
    coordinator.async_set_updated_data(replace(coordinator.data, state=None))
    loaded.sim.charger.plug_in()
    await run_for(loaded.hass, loaded.freezer, 15)
    assert state_of(loaded.hass, SESSION).attributes["event_type"] == SESSION_STARTED


def _reading(charge_state: int, energy: float, seconds: int) -> CurrentState:
    return CurrentState.from_dict(
        {"charge_state": charge_state, "energy": energy, "seconds": seconds}
    )


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (_reading(0, 0, 0), _reading(1, 0, 5), []),
        (_reading(1, 0, 5), _reading(2, 0.1, 65), [(SESSION_STARTED, {})]),
        (_reading(2, 1.0, 600), _reading(3, 1.2, 700), []),
        (
            _reading(2, 1.0, 600),
            _reading(1, 1.1, 660),
            [(SESSION_FINISHED, {"energy_kwh": 1.1, "duration_s": 660})],
        ),
        (
            _reading(2, 4.0, 3600),
            _reading(2, 0.2, 100),
            [
                (SESSION_FINISHED, {"energy_kwh": 4.0, "duration_s": 3600}),
                (SESSION_STARTED, {}),
            ],
        ),
        (_reading(2, 4.0, 3600), _reading(2, 3.995, 3650), []),
        (_reading(1, 4.0, 3600), _reading(0, 4.0, 3600), []),
        (
            CurrentState.from_dict({"charge_state": "2"}),
            CurrentState.from_dict({"charge_state": "2"}),
            [],
        ),
        # A real Trydan under exclusive PV: a cloud drops the current to 0 A with
        # the pilot still at C; the session goes on.
        (
            CurrentState.from_dict(
                {"charge_state": "2", "power": "1.38", "energy": "2"}
            ),
            CurrentState.from_dict({"charge_state": "2", "power": "0", "energy": "2"}),
            [],
        ),
    ],
    ids=[
        "plug",
        "start",
        "ventilation",
        "pause",
        "restart",
        "wobble",
        "unplug_idle",
        "no_energy",
        "solar_gap",
    ],
)
def test_session_events(
    before: CurrentState,
    after: CurrentState,
    expected: list[tuple[str, dict[str, float | int | None]]],
) -> None:
    """Transitions between two readings map to session events."""
    assert session_events(before, after) == expected


def test_texts() -> None:
    """The event types have English names and icons."""
    strings, english, icons = entity_texts(Platform.EVENT)
    (description,) = EVENTS
    key = description.translation_key
    assert english[key] == strings[key]
    types = set(description.event_types or ())
    assert set(strings[key]["state_attributes"]["event_type"]["state"]) == types
    assert set(icons[key]["state_attributes"]["event_type"]["state"]) == types
