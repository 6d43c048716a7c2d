"""Tests for the lifetime energy sensor: never backwards, across sessions and restarts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
import json
import math

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform, UnitOfEnergy
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
from hypothesis import example, given, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_restore_state_shutdown_restart,
    mock_restore_cache_with_extra_data,
)

from custom_components.v2c_cloud.energy import (
    PHYSICAL_MAX_KW,
    STEP_SLACK_KWH,
    LifetimeEnergy,
    charger_max_kw,
)
from tests.sim_fixtures import SimHandle
from v2c_simulator import FaultKind
from v2c_simulator.templates import wire_fixture

from .control_helpers import Harness
from .read_helpers import number_of, run_for

PLATFORM = Platform.SENSOR
START = datetime(2026, 3, 2, 12, tzinfo=UTC)
LIFETIME = "sensor.garage_lifetime_energy"
SESSION = "sensor.garage_session_energy"


async def _charge(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    v2c_sim: SimHandle,
    minutes: int,
    seen: list[float],
) -> float:
    """Plug a car in, charge, unplug; record the lifetime total each minute."""
    v2c_sim.charger.plug_in()
    for _ in range(minutes):
        await run_for(hass, freezer, 1)
        seen.append(number_of(hass, LIFETIME))
    session = number_of(hass, SESSION)
    v2c_sim.charger.unplug()
    return session


@pytest.mark.usefixtures("loaded")
async def test_two_sessions_and_a_restart(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    v2c_sim: SimHandle,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Session resets are banked, a restart keeps the total, nothing goes back."""
    seen = [number_of(hass, LIFETIME)]
    assert seen == [0.0]

    first = await _charge(hass, freezer, v2c_sim, 40, seen)
    second = await _charge(hass, freezer, v2c_sim, 25, seen)
    assert 0 < second < first
    third = await _charge(hass, freezer, v2c_sim, 20, seen)
    assert number_of(hass, LIFETIME) == pytest.approx(first + second + third)

    await async_mock_restore_state_shutdown_restart(hass)
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    v2c_sim.charger.plug_in()
    await run_for(hass, freezer, 10)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    seen.append(number_of(hass, LIFETIME))
    fourth = number_of(hass, SESSION)
    assert number_of(hass, LIFETIME) == pytest.approx(first + second + third + fourth)
    await run_for(hass, freezer, 10)
    seen.append(number_of(hass, LIFETIME))

    assert seen == sorted(seen)
    assert seen[-1] > seen[-2]


@pytest.mark.parametrize(
    ("restored", "expected"),
    [
        ({"banked_kwh": 10.0, "session_kwh": 3.0}, 13.0),
        ({"banked_kwh": 12.0, "session_kwh": 3.0}, 15.0),
        ({"banked_kwh": 10.0, "session_kwh": None}, 13.0),
        ({"native_value": 99.0}, 13.0),
    ],
    ids=["new_session", "newer_than_state", "no_reading", "unusable"],
)
async def test_restore(
    harness: Harness, restored: dict[str, object], expected: float
) -> None:
    """The total comes back, never below the state last shown (13 kWh)."""
    mock_restore_cache_with_extra_data(
        harness.hass, [(State(LIFETIME, "13.0"), restored)]
    )
    await harness.load()

    assert number_of(harness.hass, LIFETIME) == expected


async def test_a_total_shown_in_wh_comes_back_the_same(
    loaded: Harness, entity_registry: er.EntityRegistry
) -> None:
    """The last state shown is in the user's display unit: 3,680 Wh is no 3,680 kWh."""
    hass = loaded.hass
    loaded.sim.charger.plug_in()
    await run_for(hass, loaded.freezer, 30)
    loaded.sim.charger.unplug()
    await run_for(hass, loaded.freezer, 5)
    entity_registry.async_update_entity_options(
        LIFETIME, "sensor", {"unit_of_measurement": UnitOfEnergy.WATT_HOUR}
    )
    await hass.async_block_till_done()
    shown_wh = number_of(hass, LIFETIME)
    assert shown_wh > 1000

    await async_mock_restore_state_shutdown_restart(hass)
    assert await hass.config_entries.async_reload(loaded.entry.entry_id)
    await hass.async_block_till_done()

    assert number_of(hass, LIFETIME) == pytest.approx(shown_wh)


async def test_a_new_session_read_only_once_past_the_old_ones_energy(
    harness: Harness,
) -> None:
    """Three hours without an answer, then 5 kWh after 1 h: a new session, by its clock.

    No drop of the session energy shows it (4.18 -> 5.0 kWh); the session clock
    does (26,711 s -> 3,600 s). Counted as growth, 4.18 kWh would be lost.
    """
    live = harness.sim.sim
    for key, value in wire_fixture("trydan-2.4.6-currentstatecharge").items():
        live.override_field("currentstatecharge", key, value)
    await harness.load()
    assert number_of(harness.hass, LIFETIME) == 4.179506

    live.faults.set(FaultKind.HTTP_503)
    await run_for(harness.hass, harness.freezer, 180)
    for key, value in {
        "energy": "5.000000",
        "seconds": "3600",
        "power": "7.400000",
        "intensity": "32",
        "charge_state": "2",
    }.items():
        live.override_field("currentstatecharge", key, value)
    live.faults.clear()
    await run_for(harness.hass, harness.freezer, 30)

    assert number_of(harness.hass, LIFETIME) == pytest.approx(4.179506 + 5.0)


@pytest.mark.parametrize("volts", [248.0, 253.0])
def test_hourly_reads_of_a_three_phase_charge_at_full_mains(volts: float) -> None:
    """3 x 32 A at 248 V (a real Trydan's cp_level) or 253 V, read an hour apart.

    The limit on what a charger can deliver must not be below what it reports,
    or every reading after a gap is refused while the charge runs.
    """
    power_w = 3 * 32 * volts
    max_kw = charger_max_kw(power_w, 22_000)
    energy = LifetimeEnergy()
    for hour in range(4):
        energy.observe(power_w / 1000 * hour, START + timedelta(hours=hour), max_kw)
    assert energy.total_kwh == pytest.approx(power_w / 1000 * 3)


async def test_a_read_gap_in_a_three_phase_charge(harness: Harness) -> None:
    """An hour's outage at 23.8 kW: the total catches up with the session after it."""
    loaded = await harness.load(inst_type=1, voltage=248.0)
    hass, freezer, charger = loaded.hass, loaded.freezer, loaded.sim.charger
    charger.plug_in(90.0)
    await run_for(hass, freezer, 10)
    assert charger.state.power_kw == pytest.approx(23.808)

    charger.set_online(False)
    await run_for(hass, freezer, 60)
    charger.set_online(True)
    await run_for(hass, freezer, 30)

    session = number_of(hass, SESSION)
    assert session == pytest.approx(charger.state.session_energy_kwh, abs=0.5)
    assert number_of(hass, LIFETIME) == pytest.approx(session, abs=0.01)


def test_a_session_clock_reset_alone_is_no_new_session() -> None:
    """A clock back at 60 s while 20 kWh go on (a reboot, say) cannot be a new session."""
    energy = LifetimeEnergy()
    energy.observe(20.0, START, 7.4, session_s=10_000)
    assert not energy.observe(20.5, START + timedelta(minutes=5), 7.4, session_s=60)
    assert energy.total_kwh == 20.5
    assert LifetimeEnergy.from_dict(energy.as_dict()) == energy

    # A clock that went back with energy that fits it: the old session is banked.
    energy = LifetimeEnergy()
    energy.observe(5.0, START, 7.4, session_s=10_000)
    assert energy.observe(6.0, START + timedelta(hours=4), 7.4, session_s=3600)
    assert energy.total_kwh == pytest.approx(11.0)


async def test_reading_without_live_state(loaded: Harness) -> None:
    """Data without a live reading keeps the total."""
    coordinator = loaded.coordinator()
    coordinator.async_set_updated_data(replace(coordinator.data, state=None))
    await loaded.hass.async_block_till_done()
    assert number_of(loaded.hass, LIFETIME) == 0.0


def test_wobble_is_not_a_new_session() -> None:
    """A drop below the rounding noise keeps the session and the total."""
    energy = LifetimeEnergy()
    hours = iter(START + timedelta(hours=hour) for hour in range(10))
    assert energy.total_kwh is None
    energy.observe(5.0, next(hours))
    energy.observe(4.999, next(hours))
    assert energy.total_kwh == 5.0
    energy.observe(5.5, next(hours))
    assert energy.total_kwh == 5.5
    energy.observe(0.0, next(hours))
    assert energy.total_kwh == 5.5
    energy.observe(1.0, next(hours))
    assert energy.total_kwh == 6.5
    assert LifetimeEnergy.from_dict(energy.as_dict()) == energy


def test_a_dip_to_zero_that_comes_back_is_no_new_session() -> None:
    """5.0 -> 0.0 -> 5.2 kWh within minutes: one session, counted once."""
    energy = LifetimeEnergy()
    minutes = iter(START + timedelta(minutes=minute) for minute in range(0, 60, 2))
    energy.observe(5.0, next(minutes))
    assert energy.observe(0.0, next(minutes))
    energy.observe(5.2, next(minutes))
    assert energy.total_kwh == pytest.approx(5.2)
    energy.observe(5.3, next(minutes))
    assert energy.total_kwh == pytest.approx(5.3)


def _dipped(read_at: datetime | None) -> LifetimeEnergy:
    """Return a 5.0 kWh session a reading of 0 kWh banked, as saved and loaded."""
    energy = LifetimeEnergy.from_dict(
        {"banked_kwh": 0.0, "session_kwh": 5.0, "read_at": _iso(read_at)}
    )
    assert energy is not None
    assert energy.observe(0.0, START + timedelta(minutes=2), 7.4)
    return energy


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


@pytest.mark.parametrize("read_at", [START, None], ids=["read_at", "no_read_at"])
def test_a_dip_saved_before_its_reading_comes_back_is_still_undone(
    read_at: datetime | None,
) -> None:
    """A reload or restart between the dip and the next reading: one session still."""
    saved = json.loads(json.dumps(_dipped(read_at).as_dict()))
    energy = LifetimeEnergy.from_dict(saved)
    assert energy is not None
    assert energy.total_kwh == pytest.approx(5.0)

    energy.observe(5.2, START + timedelta(minutes=4), 7.4)
    assert energy.total_kwh == pytest.approx(5.2)
    assert energy.as_dict()["banked_last"] is None


@pytest.mark.parametrize(
    "banked_last",
    [
        "5.0",
        {},
        {"session_kwh": "five"},
        {"session_kwh": None},
        {"session_kwh": math.nan},
        {"session_kwh": -1.0},
        {"session_kwh": 6.0},
        {"session_kwh": 5.0, "read_at": "yesterday"},
        {"session_kwh": 5.0, "read_at": 12},
        {"session_kwh": 5.0, "read_at": "2026-03-02T12:00:00"},
    ],
)
def test_an_unreadable_dip_is_dropped_and_the_total_kept(banked_last: object) -> None:
    """The total loads; the dip's session can no more be undone, as before it was saved."""
    saved = _dipped(START).as_dict() | {"banked_last": banked_last}
    energy = LifetimeEnergy.from_dict(saved)
    assert energy is not None
    assert energy.total_kwh == pytest.approx(5.0)

    energy.observe(5.2, START + timedelta(minutes=4), 7.4)
    assert energy.total_kwh == pytest.approx(5.0)
    assert energy.as_dict()["banked_last"] is None


def test_a_session_after_a_dip_that_came_back_is_told_by_its_clock() -> None:
    """The clock of the reading that undid a dip is the one a later session is judged by."""
    energy = LifetimeEnergy()
    energy.observe(5.0, START, 7.4, session_s=3600)
    assert energy.observe(0.0, START + timedelta(minutes=2), 7.4, session_s=0)
    energy.observe(5.2, START + timedelta(minutes=4), 7.4, session_s=3840)
    assert energy.total_kwh == pytest.approx(5.2)

    # Read first past the old session's energy, on a clock behind the old one's.
    assert energy.observe(6.0, START + timedelta(hours=4), 7.4, session_s=3000)
    assert energy.total_kwh == pytest.approx(11.2)


def test_a_new_session_that_grows_is_kept() -> None:
    """After a real new session has grown, an old value coming back is a glitch."""
    energy = LifetimeEnergy()
    minutes = iter(START + timedelta(minutes=minute) for minute in range(0, 60, 2))
    energy.observe(5.0, next(minutes))
    energy.observe(0.0, next(minutes))
    energy.observe(0.1, next(minutes))
    energy.observe(5.1, next(minutes))
    assert energy.total_kwh == pytest.approx(5.1)


@given(
    st.lists(
        st.tuples(
            st.floats(allow_nan=True, allow_infinity=True),
            st.integers(min_value=0, max_value=86400),
        ),
        max_size=40,
    )
)
@example([(1.5, 0), (0.0, 1), (2.0, 68)])
def test_never_decreases(readings: list[tuple[float, int]]) -> None:
    """Whatever the session energy does, the total never goes down or leaps."""
    energy = LifetimeEnergy()
    total = 0.0
    at = changed_at = START
    # The total and the time of the last reading before the latest session was
    # banked: a dip that comes back continues that session, so its step is
    # judged from there (the dip's own reading delivered nothing).
    before_bank = (total, changed_at)
    for reading, seconds in readings:
        at += timedelta(seconds=seconds)
        read_before, banked_before = energy.read_at, energy.banked_kwh
        if energy.observe(reading, at):
            before_bank = (total, read_before or at)
        if energy.total_kwh is None:
            continue
        step = energy.total_kwh - total
        assert step >= 0
        from_total, from_at = (
            before_bank if energy.banked_kwh < banked_before else (total, changed_at)
        )
        # A first reading counts whole; later steps only as fast as a charger charges.
        hours = (at - from_at).total_seconds() / 3600
        assert from_total == 0 or (
            energy.total_kwh - from_total <= PHYSICAL_MAX_KW * hours + STEP_SLACK_KWH
        )
        if energy.read_at == at:
            changed_at = at
        total = energy.total_kwh
