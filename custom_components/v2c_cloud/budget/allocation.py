"""Split the calls left before the reset into one poll interval per charger."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
import math

from .arrivals import ARRIVAL_INTERVAL_S
from .models import ChargerActivity, PlannerSettings

# A car whose charge ended while it stayed plugged in is usually full: it starts
# again by a command (confirmed anyway), a timer or the car itself.
_CHARGE_ENDED_FACTOR = 2.0
# An OFFLINE charger is checked again once its outage has grown by this share,
# from a minute up to this multiple of the idle target.
_OUTAGE_GROWTH = 0.5
_OFFLINE_FACTOR = 4.0
# Charging data should stay at least this many times fresher than a naive poller
# spreading the whole day's share evenly would get, before idle polling pays.
_CHARGING_ADVANTAGE = 4.0
# Idle polling pays at most this much of its target before charging slows down
# too, so a plug-in is still noticed within minutes.
_IDLE_STRETCH = 1.25
# A WAITING car starts charging unannounced when the sun comes out, and its
# staleness counts from that moment: watch it nearly as closely as a charge.
_WAITING_RATIO = 2.0
# Around a usual arrival time the car may not come at all: watch it less closely.
_ARRIVAL_RATIO = 4.0
# Away from a known routine's arrival times a plug-in is rare enough to watch
# an empty charger less often.
_QUIET_FACTOR = 1.5


@dataclass(frozen=True, slots=True)
class ChargerDemand:
    """What one charger needs until the reset."""

    device_id: str
    activity: ChargerActivity
    expected_charge_s: float
    possible_charge_s: float
    expecting_arrival: bool = False
    quiet_hours: bool = False
    charge_ended: bool = False
    offline_s: float | None = None


def target_interval(
    activity: ChargerActivity, settings: PlannerSettings, *, charge_ended: bool = False
) -> float | None:
    """Return the unhurried interval for an activity (CHARGING: once the charge ends)."""
    match activity:
        case ChargerActivity.IDLE if not settings.poll_idle:
            return None
        case ChargerActivity.PLUGGED if charge_ended:
            interval = settings.idle_interval_s * _CHARGE_ENDED_FACTOR
        case ChargerActivity.OFFLINE:
            interval = settings.idle_interval_s * _OFFLINE_FACTOR
        case _:
            interval = settings.idle_interval_s
    return _clamp(interval, settings)


def allocate(
    demands: Sequence[ChargerDemand],
    *,
    budget: float,
    horizon_s: float,
    baseline_s: float,
    settings: PlannerSettings,
) -> dict[str, float | None]:
    """Return each charger's poll interval so the calls fit the budget."""
    targets = {
        demand.device_id: target_interval(
            demand.activity, settings, charge_ended=demand.charge_ended
        )
        for demand in demands
    }
    steady = 0.0
    for demand in demands:
        target = targets[demand.device_id]
        if target is not None:
            steady += (horizon_s - demand.expected_charge_s) / target
    tail = _clamp(settings.idle_interval_s, settings)
    cap = min(_clamp(baseline_s / _CHARGING_ADVANTAGE, settings), tail)
    charging, stretch = _solve(
        budget,
        steady,
        work=sum(demand.expected_charge_s for demand in demands),
        guard=sum(demand.possible_charge_s for demand in demands),
        cap=cap,
        ceiling=min(2 * cap, tail * _IDLE_STRETCH),
        floor=settings.min_interval_s,
    )
    intervals: dict[str, float | None] = {}
    for demand in demands:
        target = targets[demand.device_id]
        if demand.activity is ChargerActivity.CHARGING:
            intervals[demand.device_id] = _clamp(charging, settings)
        elif target is None:
            intervals[demand.device_id] = None
        elif demand.activity is ChargerActivity.WAITING:
            intervals[demand.device_id] = _clamp(
                min(target * stretch, charging * _WAITING_RATIO), settings
            )
        elif demand.activity is ChargerActivity.OFFLINE:
            # Most outages are short: a charger is back in view within a third
            # of its outage, a long outage costs a few calls.
            slowest = target * max(stretch, 1.0)
            if demand.offline_s is not None:
                slowest = min(
                    slowest, max(demand.offline_s * _OUTAGE_GROWTH, ARRIVAL_INTERVAL_S)
                )
            intervals[demand.device_id] = _clamp(slowest, settings)
        elif demand.expecting_arrival:
            # A car that usually arrives about now starts its charge unseen,
            # so watch it as closely as the charging interval makes worth it.
            intervals[demand.device_id] = _clamp(
                min(
                    target * stretch,
                    max(charging * _ARRIVAL_RATIO, ARRIVAL_INTERVAL_S),
                ),
                settings,
            )
        elif demand.quiet_hours:
            intervals[demand.device_id] = _clamp(
                target * stretch * _QUIET_FACTOR, settings
            )
        else:
            intervals[demand.device_id] = _clamp(target * stretch, settings)
    return intervals


def _solve(
    budget: float,
    steady: float,
    *,
    work: float,
    guard: float,
    cap: float,
    ceiling: float,
    floor: float,
) -> tuple[float, float]:
    """Return the charging interval and the stretch of every other target."""
    if budget <= 0:
        return math.inf, math.inf
    pool = budget - steady
    if (work <= 0 and pool >= 0) or (pool > 0 and work / pool <= cap):
        if work > 0 and work / pool >= floor:
            return work / pool, 1.0
        # Only calls that no possible charge could use before the reset are
        # spare: they would be lost at the reset.
        spare = budget - max(work, guard) / floor
        return floor, min(steady / spare, 1.0) if spare > 0 else 1.0
    # Short of calls: idle polling pays first, then charging, then both.
    left = budget - work / cap
    if left > 0 and steady / left <= _IDLE_STRETCH:
        return cap, steady / left
    left = budget - steady / _IDLE_STRETCH
    if left > 0 and work / left <= ceiling:
        return work / left, _IDLE_STRETCH
    scale = (steady / _IDLE_STRETCH + work / ceiling) / budget
    return ceiling * scale, _IDLE_STRETCH * scale


def _clamp(interval: float, settings: PlannerSettings) -> float:
    """Keep an interval within the configured bounds."""
    return min(max(interval, settings.min_interval_s), settings.max_interval_s)
