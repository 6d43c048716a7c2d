"""Tests for the V2C Cloud charging session events."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import replace

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.v2c_cloud.api import CurrentState
from custom_components.v2c_cloud.event import (
    EVENTS,
    SESSION_FINISHED,
    SESSION_STARTED,
    session_events,
)
from tests.sim_fixtures import SimHandle

from .read_helpers import entity_texts, only_platform, run_for, setup_entry, state_of

SESSION = "event.garage_charging_session"


@pytest.fixture(autouse=True)
def only_events() -> Generator[None]:
    """Load the event platform alone."""
    yield from only_platform(Platform.EVENT)


async def test_entity(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """One session event entity per charger."""
    await setup_entry(hass, mock_config_entry)
    await snapshot_platform(hass, entity_registry, snapshot, mock_config_entry.entry_id)


async def test_session_start_and_finish(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    v2c_sim: SimHandle,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Charging starts a session; unplugging finishes it with its energy and time."""
    await setup_entry(hass, mock_config_entry)
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


async def test_reading_without_live_state(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    v2c_sim: SimHandle,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Data without a live reading is skipped; the next reading compares with the last."""
    await setup_entry(hass, mock_config_entry)
    coordinator = mock_config_entry.runtime_data.chargers[v2c_sim.device_id]
    coordinator.async_set_updated_data(replace(coordinator.data, state=None))
    v2c_sim.charger.plug_in()
    await run_for(hass, freezer, 15)
    assert state_of(hass, SESSION).attributes["event_type"] == SESSION_STARTED


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
