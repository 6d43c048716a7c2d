"""What each charger likely, and possibly, needs read before the reset."""

from __future__ import annotations

from datetime import datetime, timedelta
import math

from . import arrivals
from .allocation import ChargerDemand
from .models import ChargerActivity
from .residual import mean_residual
from .state import ChargerState, Window
from .timekeeping import seconds_between

# However well its length is known, a running charge may go on this much longer.
_MIN_CHARGE_LEFT_S = 600.0
# Until this many whole windows taught a charger's charging time, any charge may
# last until the reset: its calls stay fundable at the baseline.
_LEARNED_DAYS = 3
# After this many days without a charge the car comes back from a trip or a
# holiday, its battery as empty as it may be: its charge is priced as one not
# learned (any length up to the reset).
_AWAY_DAYS = 7
# Once learned, a charge may still outlast the plan by at least this.
_MIN_GUARD_S = 1800.0
_LONGEST_MARGIN = 1.1
# A charger may still charge this long before the reset, whatever it usually does;
# calls are spent freely only once even that could not use them.
_POSSIBLE_CHARGE_S = 2 * 3600.0
# A new charger's first car is awaited at the first-day pace this long.
FIRST_CAR_WATCH_S = 86_400.0


def demand_of(
    device_id: str,
    charger: ChargerState,
    window: Window,
    now: datetime,
    horizon_s: float,
) -> ChargerDemand:
    """Return how long a charger likely (and possibly) charges before the reset."""
    charged = window.charged_s.get(device_id, 0.0)
    # Until a charge starts, the day's average is what is likely to come;
    # a running one lasts as long as charges do once started.
    left = charger.charge_ewma_s - charged
    average, spread = charger.charge_ewma_s, math.sqrt(charger.charge_var_s2)
    if charger.activity is ChargerActivity.CHARGING:
        average, spread = charger.length_ewma_s, math.sqrt(charger.length_var_s2)
        charged_now = max(
            seconds_between(max(charger.since, window.start), now),
            0.0,
        )
        charged += charged_now
        # Plan for what is still to come of a day that has lasted this long:
        # the average at first, a share of the spread once it is overdue.
        left = max(
            mean_residual(average, spread, charged),
            _MIN_CHARGE_LEFT_S,
        )
    # Until learned, any charge may last until the reset; once learned, as
    # long as the longest day lately (with a margin) or three deviations
    # above the average. That much stays fundable at the baseline rate; the
    # rest of the window keeps a slow tail. A charge already longer than
    # that is planned to last until the reset: its calls are spread evenly.
    plausible = horizon_s
    if (
        charger.charge_days >= _LEARNED_DAYS
        and charger.days_without_charge < _AWAY_DAYS
    ):
        longest = max(
            charger.charge_longest_s * _LONGEST_MARGIN,
            average + 3 * spread,
        )
        plausible = longest - charged
        if plausible <= 0 and charger.activity is ChargerActivity.CHARGING:
            left = horizon_s
    expected = min(max(left, 0.0), horizon_s)
    rest = horizon_s - expected
    guard = min(rest, max(plausible - expected, _MIN_GUARD_S))
    # A car may arrive unseen at an offline charger: it is watched as an
    # empty one.
    idle = charger.activity in (ChargerActivity.IDLE, ChargerActivity.OFFLINE)
    if idle:
        expecting = arrivals.expecting(charger.arrivals, now)
        quietness = 0.0 if expecting else arrivals.quietness(charger.arrivals, now)
    elif charger.charge_ended:
        expecting = charger.restarts.expecting(now)
        quietness = 0.0 if expecting else charger.restarts.quietness(now)
    else:
        expecting, quietness = False, 0.0
    return ChargerDemand(
        device_id=device_id,
        activity=charger.activity,
        expecting_arrival=expecting,
        quietness=quietness,
        charge_ended=charger.charge_ended,
        first_car_awaited=_first_car_awaited(charger, now),
        # Off the cloud, a car waiting to start still is; so is one waiting
        # for the sun, which may come out during the outage: at its return the
        # car may have charged unseen since the charger went silent.
        awaiting_start=(
            (charger.activity if charger.offline_from is None else charger.offline_from)
            is ChargerActivity.PLUGGED
            and not charger.charged_since_plug_in
        )
        or charger.offline_from is ChargerActivity.WAITING,
        expected_charge_s=expected,
        # A full car charges again by a command, paid for by then, or
        # briefly by itself: no longer charge is kept fundable for it.
        possible_charge_s=expected
        if charger.charge_ended
        else max(expected, min(_POSSIBLE_CHARGE_S, horizon_s)),
        guard_s=guard,
        tail_s=rest - guard,
        offline_s=None
        if charger.offline_since is None
        else seconds_between(charger.offline_since, now),
        offline_charging=charger.offline_from is ChargerActivity.CHARGING,
        unanswered_s=None
        if charger.unanswered_since is None
        else seconds_between(charger.unanswered_since, now),
        quietness_after=_quietness_after(charger, now, expected, horizon_s)
        if charger.activity is ChargerActivity.CHARGING
        else (),
    )


def _first_car_awaited(charger: ChargerState, now: datetime) -> bool:
    """Return True on a charger's first day, until it has seen a car.

    A new user expects their car to show up soon. A charger that saw none in a
    whole day is one with no routine known: watched as closely all week, an
    unused second charger took the calls of the one that charges.
    """
    if any(charger.arrivals):
        return False
    watched = charger.watched_since
    return watched is None or seconds_between(watched, now) < FIRST_CAR_WATCH_S


def _quietness_after(
    charger: ChargerState, now: datetime, expected_s: float, horizon_s: float
) -> tuple[float, ...]:
    """Return the quietness of each half-hour from the charge's end to the reset."""
    profile = arrivals.quiet_profile(charger.arrivals)
    start = now + timedelta(seconds=expected_s)
    return tuple(
        profile[arrivals.slot_of(start + timedelta(seconds=offset))]
        for offset in range(0, int(horizon_s - expected_s), arrivals.SLOT_S)
    )
