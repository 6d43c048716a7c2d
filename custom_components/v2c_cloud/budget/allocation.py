"""Split the calls left before the reset into one poll interval per charger.

The yardstick is the baseline: the interval a plain poller spreading the day's
calls evenly over every charger would use. A charger that cannot charge now, or
is unlikely to start, is read more slowly than the baseline; the calls it saves
make charging fresher. A charge is never read more slowly than the baseline
while the calls allow it, and the calls a charge might still need if it runs
longer than expected stay set aside at the baseline rate, so an unexpected day
is no worse than a fixed interval would have made it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
import math

from .arrivals import ARRIVAL_INTERVAL_S
from .models import ChargerActivity, PlannerSettings

# A car plugged in that has not charged yet is read at the baseline: its charge
# is sure to start, by the car or a timer, at a moment nothing announces.
# An empty charger that never saw a car knows no more than one with no routine
# (the uncertain factor below), but a new user's first car must still show up
# within this on average: so it is read at the uncertain pace up to twice that,
# and never faster than the baseline, which is all a key with many chargers
# affords. Reading it at the baseline all the first day, whatever the key, left
# a fixed poller's calls for the first charge, often late in the day.
_FIRST_CAR_SEEN_S = 120.0
# Slower than the baseline, by how unlikely the charger is to start charging:
# - an empty charger that has seen cars, a paused car or one waiting for the
#   sun, no routine known: a start is seen after 0.75 baselines on average,
#   1.5x a fixed poller's delay, and about 1.9x once calls run short and the
#   slow targets stretch (which leaves little margin under 2x: see the
#   benchmark in the README);
_UNCERTAIN_FACTOR = 1.5
# - a car whose charge ended by itself, on a charger whose full cars stay full
#   (it starts again by a command, which is confirmed anyway);
_UNLIKELY_FACTOR = 16.0
# Where full cars charged again by themselves lately (cabin warming, top-ups),
# the full car likely does so again, often only for minutes: it is read at the
# baseline, as a fixed poller would, and more slowly only in the quiet hours
# of a routine of such restarts.
_RESTARTING_FACTOR = 1.0
# - outside the hours a well-established routine ever brought a car: a car
#   that comes anyway is seen within about four baseline intervals. A routine
#   backed by fewer plug-ins is read between this and the uncertain factor.
_QUIET_FACTOR = 8.0
# An OFFLINE charger is checked again once its outage has grown by this share,
# from a minute up to the interval it would have if it were empty: a car may
# arrive during the outage, and its charge must not wait longer to be seen than
# any other. One that went silent with a car waiting to start (a timer's charge
# at night, when the router is off) is checked up to the baseline, as it would
# be read online. With idle polling off, it is checked at this multiple of the
# idle interval setting. A charger that went silent mid-charge is checked at least
# every five minutes, and at least every two baselines: the charge goes on
# unseen, its data ages from the moment it went silent, and every check buys
# as much freshness at its return as a charging read would at the same pace.
# Never faster than charges are read, though: the allocation pays a silent
# charge as a charge, and on a small key faster checks would take the calls of
# the window's later charges. Two baselines keep the calls per outage well
# under a fixed poller's.
_OUTAGE_GROWTH = 0.5
_OFFLINE_FACTOR = 4.0
_SILENT_CHARGE_CHECK_S = 300.0
_SILENT_CHARGE_FACTOR = 2.0
# A charge longer than any learned is still read at least this many times
# slower than the baseline, never left without calls until the reset.
_TAIL_FACTOR = 8.0
# Short of calls, the slow targets give up to this much more before a charge is
# read more slowly than the baseline.
_IDLE_STRETCH = 1.25
# The slowest unhurried read is the configured maximum (an hour), or this many
# baselines on a key too small to read every charger that often: there, hourly
# reads of chargers unlikely to start would spend what the charges need. A
# start missed at an unusual hour still ages at most twice as long as a fixed
# poller's would.
_SLOWEST_BASELINES = 2.0
# A WAITING car starts charging unannounced when the sun comes out: watch it
# nearly as closely as a charge.
_WAITING_RATIO = 2.0
# Around a usual arrival time the car may not come at all: watch it less closely
# than a charge (but never more slowly than the baseline).
_ARRIVAL_RATIO = 4.0


@dataclass(frozen=True, slots=True)
class ChargerDemand:
    """What one charger needs until the reset.

    `expected_charge_s` is how long it likely charges before the reset;
    `guard_s` how much longer it might, which is kept fundable at the baseline;
    `tail_s` the rest of the window, kept fundable at a slow tail rate.
    """

    device_id: str
    activity: ChargerActivity
    expected_charge_s: float
    possible_charge_s: float
    guard_s: float = 0.0
    tail_s: float = 0.0
    expecting_arrival: bool = False
    quietness: float = 0.0
    charge_ended: bool = False
    awaiting_start: bool = False
    first_car_awaited: bool = False
    offline_s: float | None = None
    offline_charging: bool = False
    unanswered_s: float | None = None
    # How quiet each half-hour after the expected charge is, up to the reset
    # (a charging charger only): once the car leaves, the empty charger is read
    # as the habit says.
    quietness_after: tuple[float, ...] = ()


def target_interval(
    activity: ChargerActivity,
    settings: PlannerSettings,
    baseline_s: float,
    *,
    charge_ended: bool = False,
    awaiting_start: bool = False,
    quietness: float = 0.0,
    first_car_awaited: bool = False,
) -> float | None:
    """Return the unhurried interval of a charger that is not charging."""
    match activity:
        case ChargerActivity.IDLE if not settings.poll_idle:
            return None
        case ChargerActivity.OFFLINE if not settings.poll_idle:
            interval = settings.idle_interval_s * _OFFLINE_FACTOR
        case ChargerActivity.PLUGGED | ChargerActivity.SUNLESS if charge_ended:
            factor = (
                _RESTARTING_FACTOR + (_UNLIKELY_FACTOR - _RESTARTING_FACTOR) * quietness
            )
            if activity is ChargerActivity.SUNLESS:
                # Without sun it cannot charge again, full or not.
                factor = max(factor, _QUIET_FACTOR)
            interval = baseline_s * factor
        case ChargerActivity.PLUGGED | ChargerActivity.OFFLINE if awaiting_start:
            interval = baseline_s
        case ChargerActivity.IDLE | ChargerActivity.OFFLINE if first_car_awaited:
            # No car seen yet on its first day: nothing says a start is
            # unlikely now.
            interval = max(
                min(baseline_s * _UNCERTAIN_FACTOR, 2 * _FIRST_CAR_SEEN_S), baseline_s
            )
        case ChargerActivity.CHARGING:
            # After its charge, a car is usually full or gone. (A charger whose
            # full cars charge again is priced too low here until its car is
            # full: the plan is made again then.)
            interval = baseline_s * _UNLIKELY_FACTOR
        case ChargerActivity.SUNLESS:
            # Its charge waits for the sun, which the charger reports first
            # (WAITING): the first light is seen within a quiet hour's pace,
            # long before it gives the surplus a charge needs.
            interval = baseline_s * _QUIET_FACTOR
        case ChargerActivity.IDLE | ChargerActivity.OFFLINE if quietness:
            interval = baseline_s * (
                _UNCERTAIN_FACTOR + (_QUIET_FACTOR - _UNCERTAIN_FACTOR) * quietness
            )
        case _:
            interval = baseline_s * _UNCERTAIN_FACTOR
    return _clamp(interval, settings, _slowest(settings, baseline_s))


def allocate(
    demands: Sequence[ChargerDemand],
    *,
    budget: float,
    horizon_s: float,
    baseline_s: float,
    settings: PlannerSettings,
) -> dict[str, float | None]:
    """Return each charger's poll interval so the calls fit the budget."""
    # What a fixed poller affords: only the fastest bound applies to it.
    baseline = max(baseline_s, settings.min_interval_s)
    targets = {
        demand.device_id: target_interval(
            demand.activity,
            settings,
            baseline,
            charge_ended=demand.charge_ended,
            awaiting_start=demand.awaiting_start,
            quietness=demand.quietness,
            first_car_awaited=demand.first_car_awaited,
        )
        for demand in demands
    }
    steady = 0.0
    guard = 0.0
    for demand in demands:
        target = targets[demand.device_id]
        idle_rate = 0.0 if target is None else 1 / target
        idle_rate = max(idle_rate, _empty_rate(demand, settings, baseline))
        steady += max(horizon_s - demand.expected_charge_s, 0.0) * idle_rate
        # A longer charge costs the baseline rate instead of the slow one.
        guard += demand.guard_s * max(1 / baseline - idle_rate, 0.0)
        guard += demand.tail_s * max(1 / (baseline * _TAIL_FACTOR) - idle_rate, 0.0)
    charging, stretch = _solve(
        budget,
        steady,
        guard,
        work=sum(demand.expected_charge_s for demand in demands),
        possible=sum(demand.possible_charge_s for demand in demands),
        cap=baseline,
        floor=settings.min_interval_s,
    )
    unstretched = _slowest(settings, baseline)
    # Stretched slow reads may pass the slowest: at the slowest, they would
    # spend more calls than the plan has.
    if math.isfinite(stretch):
        slowest = max(unstretched * stretch, settings.max_interval_s)
    else:
        slowest = unstretched
    intervals: dict[str, float | None] = {}
    for demand in demands:
        target = targets[demand.device_id]
        if demand.activity is ChargerActivity.CHARGING:
            # A running charge is read at least as often as with no calls
            # planned at all (budget <= 0): a tiny budget must not leave it
            # unread for hours where none would read it hourly.
            intervals[demand.device_id] = _clamp(charging, settings, unstretched)
        elif target is None:
            intervals[demand.device_id] = None
        elif demand.activity is ChargerActivity.WAITING:
            intervals[demand.device_id] = _clamp(
                min(target * stretch, charging * _WAITING_RATIO), settings, slowest
            )
        else:
            interval = target * stretch
            if demand.expecting_arrival:
                # A car that usually arrives about now starts its charge unseen,
                # so watch it as closely as the charging interval makes worth it,
                # and never more slowly than the baseline: a car is likelier now
                # than on a charger with nothing learned, which a fixed poller's
                # pace awaits.
                watch = min(charging * _ARRIVAL_RATIO, baseline * stretch)
                interval = min(interval, max(watch, ARRIVAL_INTERVAL_S))
            if demand.activity is ChargerActivity.OFFLINE:
                interval = _outage_check(demand, interval, baseline, charging)
            intervals[demand.device_id] = _clamp(interval, settings, slowest)
        planned = intervals[demand.device_id]
        if demand.unanswered_s is not None and planned is not None:
            intervals[demand.device_id] = _unanswered_check(
                planned, demand.unanswered_s, baseline
            )
    return intervals


def _empty_rate(
    demand: ChargerDemand, settings: PlannerSettings, baseline: float
) -> float:
    """Return the mean read rate of the charger once its car has left.

    A charge ends with the car full or gone; gone, the charger is watched for
    the next car, which costs far more than a full car does.
    """
    if not demand.quietness_after:
        return 0.0
    rates = [
        1 / target
        for quietness in demand.quietness_after
        if (
            target := target_interval(
                ChargerActivity.IDLE, settings, baseline, quietness=quietness
            )
        )
        is not None
    ]
    return sum(rates) / len(demand.quietness_after)


def _outage_check(
    demand: ChargerDemand, slowest: float, baseline: float, charging: float
) -> float:
    """Return when to look again at an offline charger.

    Most outages are short: a charger is back in view within a share of its
    outage. A long one is checked as the charger would be read if empty (a car
    may arrive meanwhile), or every few minutes if it went silent mid-charge
    (no faster than charges are read).
    """
    if demand.offline_charging:
        slowest = max(
            min(_SILENT_CHARGE_CHECK_S, baseline * _SILENT_CHARGE_FACTOR), charging
        )
    if demand.offline_s is None:
        return slowest
    return min(slowest, max(demand.offline_s * _OUTAGE_GROWTH, ARRIVAL_INTERVAL_S))


def _unanswered_check(planned: float, unanswered_s: float, baseline: float) -> float:
    """Return when to read again a charger whose reads the cloud does not answer.

    Every failed read counts against the quota, and none makes the data fresher:
    the cloud is looked at again once the failures have lasted a share longer
    (as an outage is), never sooner than planned and never slower than a fixed
    poller would read it.
    """
    return max(planned, min(baseline, unanswered_s * _OUTAGE_GROWTH))


def _solve(
    budget: float,
    steady: float,
    guard: float,
    *,
    work: float,
    possible: float,
    cap: float,
    floor: float,
) -> tuple[float, float]:
    """Return the charging interval and the stretch of every slow target."""
    if budget <= 0:
        return math.inf, math.inf
    pool = budget - steady - guard
    if pool > 0 and work / pool <= cap:
        if work / pool >= floor:
            return work / pool, 1.0
        # Only calls that no possible charge could use before the reset are
        # spare: they would be lost at the reset.
        spare = budget - max(work, possible) / floor
        return floor, min(steady / spare, 1.0) if spare > 0 else 1.0
    # Short of calls: the slow targets give first, then charging, then both.
    left = budget - work / cap - guard
    if left > 0 and steady / left <= _IDLE_STRETCH:
        return cap, max(steady / left, 1.0)
    left = budget - steady / _IDLE_STRETCH
    if left > 0 and work / left <= 2 * cap:
        return max(work / left, cap), _IDLE_STRETCH
    scale = (steady / _IDLE_STRETCH + work / (2 * cap)) / budget
    return 2 * cap * scale, _IDLE_STRETCH * scale


def _slowest(settings: PlannerSettings, baseline_s: float) -> float:
    """Return the slowest unhurried interval this key's baseline allows."""
    return max(settings.max_interval_s, baseline_s * _SLOWEST_BASELINES)


def _clamp(interval: float, settings: PlannerSettings, slowest: float) -> float:
    """Keep an interval between the fastest allowed and `slowest`."""
    return min(max(interval, settings.min_interval_s), slowest)
