"""Charging physics on the virtual clock: energy, limits, PV modes, timers, pilot states."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from v2c_simulator import Charger, ChargerState, Simulator, VirtualClock
from v2c_simulator.commands import set_fields
from v2c_simulator.state import Timer

NOON = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def sim(clock: VirtualClock) -> Simulator:
    """Return a simulator without a server."""
    return Simulator(clock)


@pytest.fixture
def charger(sim: Simulator) -> Charger:
    """Return a Trydan on a fresh account."""
    return sim.add_account("key").add_charger("trydan", device_id="TRY0001")


def _set(charger: Charger, **values: object) -> None:
    """Change settings the way a command does."""
    for name, value in values.items():
        charger.submit(set_fields((name,), value))


def test_energy_integrates_power(charger: Charger, clock: VirtualClock) -> None:
    """32 A x 230 V x 1 phase = 7.36 kW; energy and seconds grow with time."""
    charger.plug_in(50)
    state = charger.state
    assert (state.charge_state, state.current_a) == (2, 32)
    assert state.power_kw == pytest.approx(7.36)

    clock.advance(5400)

    assert charger.state.session_energy_kwh == pytest.approx(11.04)
    assert charger.state.session_seconds == pytest.approx(5400)
    assert charger.state.car_energy_needed_kwh == pytest.approx(50 - 11.04)


def test_three_phase_and_current_limits(charger: Charger, clock: VirtualClock) -> None:
    """Three-phase triples the power; intensity is clamped to the car's limits."""
    _set(charger, inst_type=1)
    charger.plug_in(50)
    assert charger.state.power_kw == pytest.approx(22.08)

    _set(charger, intensity=10, min_car_int=12)
    assert charger.state.current_a == 12
    _set(charger, intensity=30, max_car_int=16)
    assert charger.state.current_a == 16
    _set(charger, intensity=0)
    assert (charger.state.charge_state, charger.state.power_kw) == (1, 0.0)


def test_full_car_stops_charging(charger: Charger, clock: VirtualClock) -> None:
    """The session stops exactly when the car is full."""
    charger.plug_in(7.36)
    clock.advance(7200)

    state = charger.state
    assert state.session_energy_kwh == pytest.approx(7.36)
    assert state.charging_seconds == pytest.approx(3600)
    assert state.session_seconds == pytest.approx(7200)
    assert (state.charge_state, state.car_energy_needed_kwh) == (1, 0.0)


@pytest.mark.parametrize(
    ("setting", "energy", "charging_s"),
    [
        ({"charge_until_energy": 3.68}, 3.68, 1800),
        ({"charge_until_minutes": 15}, 1.84, 900),
    ],
)
def test_charge_until_limits(
    charger: Charger,
    clock: VirtualClock,
    setting: dict[str, float],
    energy: float,
    charging_s: float,
) -> None:
    """charger_until_energy / _minutes stop the session when met, every session."""
    _set(charger, **setting)
    for _ in range(2):
        charger.plug_in(50)
        clock.advance(7200)
        state = charger.state
        assert state.session_energy_kwh == pytest.approx(energy)
        assert state.charging_seconds == pytest.approx(charging_s)
        assert state.charge_state == 1
        charger.unplug()
    assert len(charger.state.sessions) == 2


def test_lock_blocks_charging(charger: Charger, clock: VirtualClock) -> None:
    """A locked charger does not charge."""
    _set(charger, locked=True)
    charger.plug_in(50)
    clock.advance(600)
    assert (charger.state.charge_state, charger.state.session_energy_kwh) == (1, 0.0)


def test_sessions_reset_on_plug_in(charger: Charger, clock: VirtualClock) -> None:
    """Energy stays after unplugging and restarts at zero with the next car."""
    charger.plug_in(50)
    clock.advance(3600)
    session = charger.unplug()
    assert session is not None
    assert session.energy_kwh == pytest.approx(7.36)
    assert charger.unplug() is None
    clock.advance(3600)
    assert charger.state.session_energy_kwh == pytest.approx(7.36)
    assert charger.state.charge_state == 0

    charger.plug_in(50)
    assert charger.state.session_energy_kwh == 0.0
    assert charger.state.session_seconds == 0.0
    with pytest.raises(RuntimeError, match="already"):
        charger.plug_in(10)


def test_a_full_car_charges_again_when_it_wants_more(
    charger: Charger, clock: VirtualClock
) -> None:
    """Cabin warming or a top-up: the same session goes on; an empty charger ignores it."""
    charger.want_more(5.0)
    assert charger.state.car_energy_needed_kwh == 0.0
    charger.plug_in(7.36)
    clock.advance(7200)
    assert charger.state.charge_state == 1
    charger.want_more(3.68)
    assert charger.state.charge_state == 2
    clock.advance(3600)
    state = charger.state
    assert (state.charge_state, state.session_energy_kwh) == (1, pytest.approx(11.04))


def _pv_charger(sim: Simulator, clock: VirtualClock, mode: int) -> Charger:
    """Return a Trydan in dynamic mode with a PV mode, clock at midnight."""
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    charger = sim.add_account("pv").add_charger("trydan")
    _set(charger, dynamic=True, pv_mode=mode)
    return charger


def test_exclusive_pv_follows_the_sun(sim: Simulator, clock: VirtualClock) -> None:
    """Exclusive PV: nothing at night, surplus-limited current in the day.

    As a real Trydan does, the pilot stays at C (2) while the sun holds the car
    at 0 A.
    """
    charger = _pv_charger(sim, clock, 1)
    charger.plug_in(100)
    assert (charger.state.charge_state, charger.state.current_a) == (2, 0)
    assert charger.state.power_kw == 0.0
    assert charger.state.photovoltaic_on

    clock.set(NOON)
    state = charger.state
    assert state.session_energy_kwh > 0
    assert state.charge_state == 2
    surplus = sim.site.sun_kw(NOON) - sim.site.house_kw(NOON)
    assert state.current_a == min(32, int(surplus * 1000 / 230))
    assert state.sun_power_kw == pytest.approx(sim.site.sun_kw(NOON))
    assert state.house_power_kw == pytest.approx(sim.site.house_kw(NOON))

    clock.set(datetime(2026, 6, 1, 23, 0, tzinfo=UTC))
    charger.unplug()
    session = charger.state.sessions[0]
    assert session.energy_by_hour[:7] == [0.0] * 7
    assert session.energy_by_hour_fv is not None
    assert sum(session.energy_by_hour_fv) == pytest.approx(session.energy_kwh)


def test_exclusive_pv_stops_under_clouds(sim: Simulator, clock: VirtualClock) -> None:
    """On a cloudy day charging is intermittent."""
    charger = _pv_charger(sim, clock, 1)
    sim.site.set_day_factor(NOON.date(), 0.3)
    charger.plug_in(100)
    currents = set()
    for _ in range(8 * 60):
        clock.advance(60)
        currents.add(charger.state.current_a > 0)
        assert charger.state.charge_state == 2
        if clock.now() < datetime(2026, 6, 1, 10, tzinfo=UTC):
            clock.set(datetime(2026, 6, 1, 10, tzinfo=UTC))
    assert currents == {False, True}


def test_pv_plus_minimum(sim: Simulator, clock: VirtualClock) -> None:
    """PV + minimum: at least the minimum current, even at night."""
    charger = _pv_charger(sim, clock, 0)
    charger.plug_in(100)
    assert charger.state.current_a == 6
    clock.set(NOON)
    assert charger.state.current_a > 6


def test_max_power_mode_is_full(sim: Simulator, clock: VirtualClock) -> None:
    """Dynamic with maximum power mode charges at full current, night or day."""
    charger = _pv_charger(sim, clock, 2)
    charger.plug_in(100)
    assert charger.state.current_a == 32
    assert not charger.state.photovoltaic_on


def test_timers_gate_charging(charger: Charger, clock: VirtualClock) -> None:
    """With an active timer, charging only happens inside its window."""
    charger.submit(
        lambda state, _moment: state.timers.update({1: Timer(1, "22:00", "06:00", "1")})
    )
    charger.plug_in(100)
    assert charger.state.charge_state == 1

    clock.set(datetime(2026, 3, 2, 23, 0, tzinfo=UTC))
    assert charger.state.session_energy_kwh == pytest.approx(7.36)
    clock.set(datetime(2026, 3, 3, 7, 0, tzinfo=UTC))
    assert charger.state.session_energy_kwh == pytest.approx(7.36 * 8)
    assert charger.state.charge_state == 1
    clock.set(datetime(2026, 3, 4, 7, 0, tzinfo=UTC))
    assert charger.state.session_energy_kwh == pytest.approx(7.36 * 8)


@pytest.mark.parametrize(("pilot", "charging"), [(3, True), (4, False), (5, False)])
def test_pilot_states(
    charger: Charger, clock: VirtualClock, pilot: int, charging: bool
) -> None:
    """State 3 still charges; 4 and 5 cut power; None restores normal operation."""
    charger.plug_in(50)
    charger.set_pilot_state(pilot)
    assert charger.state.charge_state == pilot
    assert (charger.state.power_kw > 0) is charging
    charger.set_pilot_state(None)
    assert charger.state.charge_state == 2
    with pytest.raises(ValueError, match="states"):
        charger.set_pilot_state(2)


def test_pole_ignores_pv(sim: Simulator, clock: VirtualClock) -> None:
    """A Pole has no PV logic: it charges at full current and reports no sun."""
    pole = sim.add_account("pole").add_charger("pole")
    _set(pole, dynamic=True, pv_mode=1)
    pole.plug_in(10)
    state: ChargerState = pole.state
    assert (state.current_a, state.sun_power_kw, state.photovoltaic_on) == (
        32,
        0.0,
        False,
    )
