"""Charging physics: the rate at a moment and its lazy integration over time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
import math

from .solar import SolarSite
from .state import ChargerState, Model
from .timers import has_active_timer, in_window, next_boundary

PV_STEP_S = 60.0
MIN_CURRENT_A = 6
_EPSILON = 1e-9


@dataclass(frozen=True)
class Rate:
    """What the charger delivers at a moment and until when that holds."""

    current_a: int
    kw: float
    fv_kw: float
    charge_state: int
    next_change: datetime | None


def _target_met(state: ChargerState) -> bool:
    """Return whether the energy/time limits set on the charger are reached."""
    energy = state.charge_until_energy
    minutes = state.charge_until_minutes
    return (energy > 0 and state.session_energy_kwh >= energy - _EPSILON) or (
        minutes > 0 and state.charging_seconds >= minutes * 60 - _EPSILON
    )


def _next_minute(moment: datetime) -> datetime:
    """Return the next whole minute after a moment."""
    return moment + timedelta(seconds=PV_STEP_S - moment.timestamp() % PV_STEP_S)


def _pv_current(
    state: ChargerState, site: SolarSite, moment: datetime, ceiling: int
) -> tuple[int, datetime]:
    """Return the PV-limited current and when to look again."""
    surplus_kw = site.sun_kw(moment) - site.house_kw(moment)
    surplus_a = math.floor(surplus_kw * 1000 / (state.voltage * state.phases))
    dark = site.next_daylight(moment) != moment
    look_again = site.next_daylight(moment) if dark else _next_minute(moment)
    if state.pv_mode == 1:
        return (
            min(ceiling, surplus_a) if surplus_a >= state.min_car_int else 0
        ), look_again
    return min(ceiling, max(state.min_car_int, surplus_a)), look_again


def rate(state: ChargerState, site: SolarSite, moment: datetime) -> Rate:
    """Return the charging rate at a moment."""
    blocked_state = state.pilot_override if state.pilot_override in (4, 5) else None
    if not state.plugged:
        return Rate(0, 0.0, 0.0, blocked_state or 0, None)
    if (
        blocked_state is not None
        or state.locked
        or state.paused
        or state.session_stopped
        or state.intensity == 0
        or state.car_energy_needed_kwh <= _EPSILON
        or _target_met(state)
    ):
        return Rate(0, 0.0, 0.0, blocked_state or 1, None)
    next_change: datetime | None = None
    if has_active_timer(state.timers.values()):
        next_change = next_boundary(state.timers.values(), moment)
        if not in_window(state.timers.values(), moment):
            return Rate(0, 0.0, 0.0, 1, next_change)
    ceiling = min(max(state.intensity, state.min_car_int), state.max_car_int)
    current = ceiling
    if state.photovoltaic_on:
        current, look_again = _pv_current(state, site, moment, ceiling)
        next_change = min(look_again, next_change or look_again)
    if current < MIN_CURRENT_A:
        # A real Trydan holds the pilot at C while the sun gives too little.
        held_by_sun = 2 if state.photovoltaic_on else 1
        return Rate(0, 0.0, 0.0, held_by_sun, next_change)
    kw = current * state.voltage * state.phases / 1000
    fv_kw = 0.0
    if state.photovoltaic_on:
        fv_kw = min(kw, max(0.0, site.sun_kw(moment) - site.house_kw(moment)))
    charging_state = 3 if state.pilot_override == 3 else 2
    return Rate(current, kw, fv_kw, charging_state, next_change)


def _seconds_to_limit(state: ChargerState, kw: float) -> tuple[float, str]:
    """Return how long until the first limit is hit at this power, and which."""
    limits: list[tuple[float, str]] = [(state.car_energy_needed_kwh * 3600 / kw, "car")]
    if state.charge_until_energy > 0:
        left = state.charge_until_energy - state.session_energy_kwh
        limits.append((left * 3600 / kw, "until_energy"))
    if state.charge_until_minutes > 0:
        limits.append(
            (state.charge_until_minutes * 60 - state.charging_seconds, "until_minutes")
        )
    if state.session_stop_energy_kwh is not None:
        left = state.session_stop_energy_kwh - state.session_energy_kwh
        limits.append((left * 3600 / kw, "stop"))
    if state.session_stop_charging_seconds is not None:
        limits.append(
            (state.session_stop_charging_seconds - state.charging_seconds, "stop")
        )
    return min(limits)


def _hour_index(state: ChargerState, moment: datetime) -> int:
    """Return the session's hour bucket that contains a moment."""
    start = state.session_start or moment
    first = start.replace(minute=0, second=0, microsecond=0)
    return int((moment - first).total_seconds() // 3600)


def pad_hours(state: ChargerState, end: datetime) -> None:
    """Give every clock hour the session spans a bucket, idle ones included."""
    last = _hour_index(
        state, max(end - timedelta(microseconds=1), state.session_start or end)
    )
    for buckets in (state.session_energy_by_hour, state.session_energy_by_hour_fv):
        if buckets is not None:
            buckets.extend([0.0] * (last + 1 - len(buckets)))


def _add_energy(
    state: ChargerState, moment: datetime, kwh: float, fv_kwh: float
) -> None:
    """Book energy in the session totals and its hour bucket."""
    index = _hour_index(state, moment)
    buckets = state.session_energy_by_hour
    buckets.extend([0.0] * (index + 1 - len(buckets)))
    buckets[index] += kwh
    if fv_kwh > 0 and state.session_energy_by_hour_fv is None:
        state.session_energy_by_hour_fv = []
    if state.session_energy_by_hour_fv is not None:
        fv = state.session_energy_by_hour_fv
        fv.extend([0.0] * (index + 1 - len(fv)))
        fv[index] += fv_kwh
    state.session_energy_kwh += kwh
    state.car_energy_needed_kwh = max(0.0, state.car_energy_needed_kwh - kwh)


def _snap(state: ChargerState, reason: str) -> None:
    """Set the limit that was just reached exactly, so floating error never lingers."""
    if reason == "car":
        state.car_energy_needed_kwh = 0.0
    elif reason == "until_energy":
        state.session_energy_kwh = state.charge_until_energy
    elif reason == "until_minutes":
        state.charging_seconds = float(state.charge_until_minutes * 60)
    else:
        state.session_stopped = True
        state.session_stop_energy_kwh = None
        state.session_stop_charging_seconds = None


def integrate(
    state: ChargerState, site: SolarSite, start: datetime, end: datetime
) -> None:
    """Advance the session from start to end: constant stretches in one step."""
    moment = start
    while state.plugged and moment < end:
        current = rate(state, site, moment)
        stop = min(end, current.next_change or end)
        stop = min(
            stop, moment.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        )
        seconds = (stop - moment).total_seconds()
        reason = None
        if current.kw > 0:
            limit = _seconds_to_limit(state, current.kw)
            if limit[0] <= seconds:
                seconds, reason = max(limit[0], 0.0), limit[1]
                stop = moment + timedelta(seconds=seconds)
            kwh = current.kw * seconds / 3600
            fv_kwh = current.fv_kw * seconds / 3600
            _add_energy(state, moment, kwh, fv_kwh)
            state.charging_seconds += seconds
        state.session_seconds += seconds
        moment = stop
        if reason is not None:
            _snap(state, reason)


def refresh_live(state: ChargerState, site: SolarSite, moment: datetime) -> None:
    """Set the instantaneous values (state, current, power, sun, house) for a moment."""
    current = rate(state, site, moment)
    state.charge_state = current.charge_state
    state.current_a = current.current_a
    state.power_kw = current.kw
    if state.model is Model.TRYDAN:
        state.sun_power_kw = site.sun_kw(moment)
        state.house_power_kw = site.house_kw(moment)
