"""Tests for the V2C Cloud charging session events."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE, STATE_UNKNOWN, Platform
from homeassistant.core import Event, HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import (
    async_capture_events,
    async_mock_restore_state_shutdown_restart,
)

from custom_components.v2c_cloud.api import CurrentState
from custom_components.v2c_cloud.const import DOMAIN
from custom_components.v2c_cloud.event import (
    EVENTS,
    SESSION_FINISHED,
    SESSION_STARTED,
    session_events,
)
from custom_components.v2c_cloud.session import SessionFollower, SessionMark
from tests.sim_fixtures import SimHandle, SimSetup

from .control_helpers import Harness
from .read_helpers import advance, entity_texts, fired_events, run_for, state_of

PLATFORM = Platform.EVENT
SESSION = "event.garage_charging_session"
LIVE_PATHS = ("/device/currentstatecharge", "/thirdparty/device/currentstatecharge")
THREE_CHARGERS = SimSetup(
    models=("trydan",) * 3,
    device_ids=("TRY0001", "TRY0002", "TRY0003"),
    tags=("Garage", "Drive", "Carport"),
)


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


def _fired(
    changes: list[Event[Any]], entity_id: str = SESSION
) -> list[tuple[str, dict[str, Any]]]:
    return fired_events(changes, entity_id)


def _figures(fired: tuple[str, dict[str, Any]]) -> tuple[float, int]:
    return fired[1]["energy_kwh"], fired[1]["duration_s"]


async def _reload(loaded: Harness) -> None:
    assert await loaded.hass.config_entries.async_reload(loaded.entry.entry_id)
    await loaded.hass.async_block_till_done()


async def test_a_charge_ending_just_before_a_reload_is_reported_once(
    loaded: Harness,
) -> None:
    """The car leaves between the last read and a reload: the setup read shows it.

    A charge going on across a reload is neither finished nor started again,
    and a second reload does not report the finished session twice.
    """
    hass = loaded.hass
    changes = async_capture_events(hass, "state_changed")
    loaded.sim.charger.plug_in()
    await run_for(hass, loaded.freezer, 15)
    await _reload(loaded)
    await run_for(hass, loaded.freezer, 15)
    assert [event for event, _ in _fired(changes)] == [SESSION_STARTED]

    await advance(hass, loaded.freezer, timedelta(seconds=5))
    loaded.sim.charger.unplug()
    truth = loaded.sim.charger.state
    await _reload(loaded)
    await run_for(hass, loaded.freezer, 15)
    await _reload(loaded)
    await run_for(hass, loaded.freezer, 15)

    fired = _fired(changes)
    assert [event for event, _ in fired] == [SESSION_STARTED, SESSION_FINISHED]
    assert _figures(fired[-1]) == (
        pytest.approx(truth.session_energy_kwh),
        int(truth.session_seconds),
    )


async def test_a_charge_ending_while_home_assistant_is_stopped_is_reported(
    loaded: Harness, hass_storage: dict[str, Any]
) -> None:
    """Home Assistant stops mid-charge (it writes its stores, unloads nothing).

    The car leaves while it is stopped; the first read after the restart
    reports the session, with the figures the charger still shows.
    """
    hass, entry = loaded.hass, loaded.entry
    changes = async_capture_events(hass, "state_changed")
    loaded.sim.charger.plug_in()
    await run_for(hass, loaded.freezer, 15)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
    await hass.async_block_till_done()
    key = f"{DOMAIN}.{entry.entry_id}"
    left = copy.deepcopy(hass_storage[key])
    assert left["data"]["sessions"][loaded.sim.device_id]["charging"] is True
    await async_mock_restore_state_shutdown_restart(hass)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    hass_storage[key] = left

    loaded.freezer.tick(timedelta(minutes=20))
    loaded.sim.charger.unplug()
    truth = loaded.sim.charger.state
    loaded.freezer.tick(timedelta(minutes=20))
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await run_for(hass, loaded.freezer, 15)

    fired = _fired(changes)
    assert [event for event, _ in fired] == [SESSION_STARTED, SESSION_FINISHED]
    assert _figures(fired[1]) == (
        pytest.approx(truth.session_energy_kwh),
        int(truth.session_seconds),
    )


@pytest.mark.parametrize("sim_setup", [THREE_CHARGERS])
async def test_the_setup_read_is_compared_with_the_saved_one(
    harness: Harness, hass_storage: dict[str, Any]
) -> None:
    """What each charger did while Home Assistant was stopped, told once.

    Garage was charging and shows a new session: the saved one finished, with
    its saved figures (the charger shows the new one's), and one started.
    Carport was idle and charges: a session started. Drive was idle and is:
    nothing. TRY0009, saved charging, is no longer paired: nothing, and its
    reading is not kept.
    """
    key = f"{DOMAIN}.{harness.entry.entry_id}"
    charging = {"charging": True, "energy_kwh": 21.5, "duration_s": 9000}
    idle = {"charging": False, "energy_kwh": 3.0, "duration_s": 1200}
    saved = {"TRY0001": charging, "TRY0002": idle, "TRY0003": idle}
    hass_storage[key] = {
        "version": 1,
        "minor_version": 1,
        "key": key,
        "data": {"sessions": {**saved, "TRY0009": charging}},
    }
    harness.sim.sim.charger("TRY0001").plug_in()
    harness.sim.sim.charger("TRY0003").plug_in()
    changes = async_capture_events(harness.hass, "state_changed")
    loaded = await harness.load()
    await run_for(loaded.hass, loaded.freezer, 5)

    garage = _fired(changes)
    assert [event for event, _ in garage] == [SESSION_FINISHED, SESSION_STARTED]
    assert _figures(garage[0]) == (21.5, 9000)
    assert _fired(changes, "event.drive_charging_session") == []
    carport = _fired(changes, "event.carport_charging_session")
    assert [event for event, _ in carport] == [SESSION_STARTED]
    assert loaded.entry.runtime_data.store.sessions == {}

    await _reload(loaded)
    await run_for(loaded.hass, loaded.freezer, 5)
    now_saved = hass_storage[key]["data"]["sessions"]
    assert {device: mark["charging"] for device, mark in now_saved.items()} == {
        "TRY0001": True,
        "TRY0002": False,
        "TRY0003": True,
    }
    assert len(_fired(changes)) == 2
    assert len(_fired(changes, "event.carport_charging_session")) == 1


async def test_reading_without_live_state(loaded: Harness) -> None:
    """Data without a live reading is skipped; the next reading compares with the last."""
    coordinator = loaded.coordinator()
    coordinator.async_set_updated_data(replace(coordinator.data, state=None))
    loaded.sim.charger.plug_in()
    await run_for(loaded.hass, loaded.freezer, 15)
    assert state_of(loaded.hass, SESSION).attributes["event_type"] == SESSION_STARTED


async def _one_live_read(loaded: Harness, **fields: str) -> None:
    """Let time pass until the charger's live state is read once with these fields.

    The fields stay overridden until the test clears them.
    """
    sim = loaded.sim.sim

    def live_reads() -> int:
        return sum(
            record.path in LIVE_PATHS and record.status == 200
            for record in sim.request_log
        )

    for field, value in fields.items():
        sim.override_field("currentstatecharge", field, value)
    reads = live_reads()
    while live_reads() == reads:
        await advance(loaded.hass, loaded.freezer, timedelta(seconds=5))


async def test_a_first_reading_with_an_unreadable_pilot_state_fires_nothing(
    harness: Harness,
) -> None:
    """Nothing saved and the setup read's pilot state unreadable: no mark yet.

    The next readable reading is the first compared with.
    """
    harness.sim.sim.override_field("currentstatecharge", "charge_state", "x")
    harness.sim.charger.plug_in()
    changes = async_capture_events(harness.hass, "state_changed")
    loaded = await harness.load()
    await loaded.hass.async_block_till_done()
    assert loaded.coordinator().session.mark is None
    assert _fired(changes) == []

    loaded.sim.sim.clear_overrides()
    await run_for(loaded.hass, loaded.freezer, 5)
    assert _fired(changes) == []
    loaded.sim.charger.unplug()
    await run_for(loaded.hass, loaded.freezer, 5)
    assert [event for event, _ in _fired(changes)] == [SESSION_FINISHED]


@pytest.mark.parametrize(
    "odd",
    [{"charge_state": "x"}, {"energy": "0.000000"}],
    ids=["unreadable_pilot", "energy_dip"],
)
async def test_an_odd_last_reading_before_a_restart_fires_nothing_after_it(
    loaded: Harness, hass_storage: dict[str, Any], odd: dict[str, str]
) -> None:
    """Home Assistant stops right after one odd read mid-charge; the charge goes on.

    The mark saved is the one the events compare with, not the odd reading:
    an unreadable pilot, saved as not charging, would start the session again
    at the first reading after the restart; a dip saved would hide the old
    session's end, were the drop a new session.
    """
    hass, entry = loaded.hass, loaded.entry
    changes = async_capture_events(hass, "state_changed")
    loaded.sim.charger.plug_in(60)
    await run_for(hass, loaded.freezer, 5)
    kept = loaded.coordinator().session.mark
    assert kept is not None
    assert kept.charging
    await _one_live_read(loaded, **odd)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
    await hass.async_block_till_done()
    key = f"{DOMAIN}.{entry.entry_id}"
    left = copy.deepcopy(hass_storage[key])
    assert left["data"]["sessions"][loaded.sim.device_id] == kept.as_dict()
    await async_mock_restore_state_shutdown_restart(hass)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    hass_storage[key] = left

    loaded.sim.sim.clear_overrides()
    loaded.freezer.tick(timedelta(minutes=1))
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await run_for(hass, loaded.freezer, 5)

    assert loaded.sim.charger.state.charge_state == 2
    assert [event for event, _ in _fired(changes)] == [SESSION_STARTED]


async def test_a_new_session_under_a_continuous_pilot_is_reported_one_read_late(
    loaded: Harness,
) -> None:
    """The energy drops at two reads in a row, the pilot charging, no session clock.

    The first drop may be a glitch and fires nothing; the second confirms a
    new session: the old one finished with its last figures, and one started.
    """
    hass = loaded.hass
    changes = async_capture_events(hass, "state_changed")
    loaded.sim.charger.plug_in(60)
    await run_for(hass, loaded.freezer, 10)
    old = loaded.coordinator().session.mark
    assert old is not None

    await _one_live_read(loaded, energy="0.050000", seconds="")
    state = loaded.coordinator().data.state
    assert state is not None
    assert state.session_seconds is None
    assert [event for event, _ in _fired(changes)] == [SESSION_STARTED]

    await _one_live_read(loaded)
    fired = _fired(changes)
    assert [event for event, _ in fired] == [
        SESSION_STARTED,
        SESSION_FINISHED,
        SESSION_STARTED,
    ]
    assert _figures(fired[1]) == (old.energy_kwh, old.duration_s)
    loaded.sim.sim.clear_overrides()


async def _stop_home_assistant(
    loaded: Harness, hass_storage: dict[str, Any]
) -> dict[str, Any]:
    """Stop Home Assistant as it does (stores written, nothing unloaded)."""
    hass, entry = loaded.hass, loaded.entry
    hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
    await hass.async_block_till_done()
    key = f"{DOMAIN}.{entry.entry_id}"
    left = copy.deepcopy(hass_storage[key])
    await async_mock_restore_state_shutdown_restart(hass)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    return left


async def _start_home_assistant(
    loaded: Harness, hass_storage: dict[str, Any], left: Any
) -> None:
    """Start Home Assistant again on the stores it wrote."""
    hass, entry = loaded.hass, loaded.entry
    hass_storage[f"{DOMAIN}.{entry.entry_id}"] = left
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await run_for(hass, loaded.freezer, 5)


async def test_a_whole_session_while_home_assistant_is_stopped_is_reported(
    loaded: Harness, hass_storage: dict[str, Any]
) -> None:
    """A car plugs in, charges and leaves while Home Assistant is stopped.

    The charger was idle at the last read and is idle at the first read
    after the restart, but it now shows another session's energy and clock
    (a real Trydan keeps the last session's figures until the next plug-in):
    the first read after reports that session once, with those figures.
    """
    hass, freezer, charger = loaded.hass, loaded.freezer, loaded.sim.charger
    changes = async_capture_events(hass, "state_changed")
    charger.plug_in(60)
    await run_for(hass, freezer, 10)
    charger.unplug()
    await run_for(hass, freezer, 5)
    assert [event for event, _ in fired_events(changes, SESSION)] == [
        SESSION_STARTED,
        SESSION_FINISHED,
    ]
    left = await _stop_home_assistant(loaded, hass_storage)

    freezer.tick(timedelta(minutes=10))
    charger.plug_in(60)
    freezer.tick(timedelta(minutes=40))
    charger.unplug()
    truth = charger.state
    freezer.tick(timedelta(minutes=10))
    await _start_home_assistant(loaded, hass_storage, left)

    finished = [
        attributes
        for event, attributes in fired_events(changes, SESSION)
        if event == SESSION_FINISHED
    ]
    assert len(finished) == 2, (
        f"the session charged while stopped ({truth.session_energy_kwh:.2f} kWh, "
        f"{int(truth.session_seconds)} s) fired no session_finished: {finished}"
    )
    assert finished[1]["energy_kwh"] == pytest.approx(truth.session_energy_kwh)
    assert finished[1]["duration_s"] == int(truth.session_seconds)


async def test_a_new_session_read_past_the_old_ones_energy_is_reported(
    loaded: Harness, hass_storage: dict[str, Any]
) -> None:
    """A slow charge runs at the stop; another car charges fast while stopped.

    At the first read after the restart the pilot charges, the session clock
    is far behind the saved one (a new session: the clock never goes back
    within one) and the energy is above the saved session's. As the *Lifetime
    energy* sensor banks the old session, the event entity fires
    `session_finished` with the saved figures, then `session_started`.
    """
    hass, freezer, charger = loaded.hass, loaded.freezer, loaded.sim.charger
    changes = async_capture_events(hass, "state_changed")
    charger.state.intensity = 6
    charger.plug_in(60)
    await run_for(hass, freezer, 90)
    old = loaded.coordinator().session.mark
    assert old is not None
    assert old.charging
    assert old.energy_kwh is not None
    assert old.duration_s is not None
    left = await _stop_home_assistant(loaded, hass_storage)

    charger.unplug()
    charger.state.intensity = 32
    charger.plug_in(60)
    freezer.tick(timedelta(minutes=45))
    await _start_home_assistant(loaded, hass_storage, left)
    new = loaded.coordinator().session.mark
    assert new is not None
    assert new.charging
    assert new.duration_s is not None
    assert new.duration_s + 600 < old.duration_s
    assert new.energy_kwh is not None
    assert new.energy_kwh > old.energy_kwh

    fired = fired_events(changes, SESSION)
    assert [event for event, _ in fired] == [
        SESSION_STARTED,
        SESSION_FINISHED,
        SESSION_STARTED,
    ], f"old {old}, new {new}: {fired}"
    assert (fired[1][1]["energy_kwh"], fired[1][1]["duration_s"]) == (
        pytest.approx(old.energy_kwh),
        old.duration_s,
    )


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
        (_reading(1, 4.0, 3600), _reading(1, 4.0, 3900), []),
        (
            _reading(0, 4.0, 600),
            _reading(0, 6.5, 2400),
            [(SESSION_FINISHED, {"energy_kwh": 6.5, "duration_s": 2400})],
        ),
        (
            _reading(0, 4.0, 3600),
            _reading(0, 2.0, 1200),
            [(SESSION_FINISHED, {"energy_kwh": 2.0, "duration_s": 1200})],
        ),
        (_reading(0, 4.0, 3600), _reading(1, 0.0, 10), []),
        (
            _reading(0, 4.0, 3600),
            CurrentState.from_dict({"charge_state": "0", "seconds": "7200"}),
            [],
        ),
        (
            _reading(2, 4.0, 3600),
            _reading(2, 6.0, 1200),
            [
                (SESSION_FINISHED, {"energy_kwh": 4.0, "duration_s": 3600}),
                (SESSION_STARTED, {}),
            ],
        ),
        (_reading(2, 4.0, 3600), _reading(2, 4.1, 10), []),
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
        "idle_clock_ticks",
        "charged_unseen",
        "smaller_session_unseen",
        "plugged_not_charged_yet",
        "idle_no_energy",
        "clock_back_energy_up",
        "clock_reset_energy_on",
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
    assert session_events(SessionMark.of(before), SessionMark.of(after)) == expected


def _odd(energy: float, seconds: int | None = None) -> CurrentState:
    """Return a reading mid-charge with an unreadable pilot state."""
    return CurrentState.from_dict(
        {"charge_state": "x", "energy": energy, "seconds": seconds}
    )


def _no_clock(charge_state: int, energy: float) -> CurrentState:
    return CurrentState.from_dict({"charge_state": charge_state, "energy": energy})


CHARGING = _reading(2, 4.0, 3600)
FINISHED_AT_4 = (SESSION_FINISHED, {"energy_kwh": 4.0, "duration_s": 3600})


@pytest.mark.parametrize(
    ("readings", "expected"),
    [
        ([_odd(4.1, 3660), _reading(2, 4.2, 3720)], [[], []]),
        ([_odd(0.0, 0)], [[]]),
        ([_reading(2, 0.0, 3660), _reading(2, 4.2, 3720)], [[], []]),
        (
            [_no_clock(2, 0.1), _no_clock(2, 0.2)],
            [[], [FINISHED_AT_4, (SESSION_STARTED, {})]],
        ),
        ([_reading(2, 0.0, 3660), _odd(0.0), _reading(2, 4.2, 3720)], [[], [], []]),
        (
            [_reading(2, 0.0, 3660), _odd(0.0), _reading(2, 0.1, 3720)],
            [[], [], [FINISHED_AT_4, (SESSION_STARTED, {})]],
        ),
        ([_reading(2, 0.1, 30)], [[FINISHED_AT_4, (SESSION_STARTED, {})]]),
        ([_reading(1, 0.0, 3600)], [[FINISHED_AT_4]]),
        (
            [_reading(2, 0.0, 3660), _reading(2, 0.1, 3720), _reading(2, 0.0, 3780)],
            [[], [FINISHED_AT_4, (SESSION_STARTED, {})], []],
        ),
    ],
    ids=[
        "unreadable_pilot",
        "unreadable_pilot_dip",
        "dip_back",
        "new_session_no_clock",
        "dip_unreadable_back",
        "dip_unreadable_dip",
        "clock_back",
        "dip_not_charging",
        "dip_held_once",
    ],
)
def test_session_follower(
    readings: list[CurrentState], expected: list[list[tuple[str, dict[str, Any]]]]
) -> None:
    """Readings after a charging one, and the events each fires.

    An unreadable pilot state says nothing; an energy drop with the pilot
    charging and the clock not back waits one reading to be a new session.
    """
    follower = SessionFollower(SessionMark.of(CHARGING))
    last = follower.mark
    fired = []
    for reading in readings:
        follower.follow(reading)
        assert follower.mark is not None
        assert last is not None
        fired.append(session_events(last, follower.mark))
        last = follower.mark
    assert fired == expected


def test_an_idle_dip_is_held_one_reading() -> None:
    """An idle reading whose energy falls, its clock not back, waits one reading.

    Taken at once, the energy coming back would read as a session charged
    unseen and fire `session_finished`.
    """
    idle = SessionMark.of(_reading(0, 4.0, 3600))
    follower = SessionFollower(idle)
    for reading in (_reading(0, 0.0, 3600), _reading(0, 4.0, 3600)):
        follower.follow(reading)
        assert follower.mark == idle
        assert session_events(idle, follower.mark) == []


def test_session_follower_without_a_saved_mark() -> None:
    """The first reading is taken as it is, a dip included: nothing to compare with."""
    follower = SessionFollower()
    follower.follow(_odd(1.0, 60))
    assert follower.mark is None
    follower.follow(_reading(2, 0.0, 60))
    assert follower.mark == SessionMark(True, 0.0, 60)


def test_texts() -> None:
    """The event types have English names and icons."""
    strings, english, icons = entity_texts(Platform.EVENT)
    (description,) = EVENTS
    key = description.translation_key
    assert english[key] == strings[key]
    types = set(description.event_types or ())
    assert set(strings[key]["state_attributes"]["event_type"]["state"]) == types
    assert set(icons[key]["state_attributes"]["event_type"]["state"]) == types
