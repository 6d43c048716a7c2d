"""When cars usually arrive: a per-charger habit learned from observed plug-ins.

Most plug-ins follow a daily routine. Polling an empty charger fast only around the
times a car usually arrives notices the plug-in within a minute there, for a small
fraction of the calls fast polling all day would cost; the rest of the day keeps
the unhurried idle interval.
"""

from __future__ import annotations

from datetime import datetime, timedelta
import math

SLOTS = 48
SLOT_S = 86_400 // SLOTS
# Each new arrival fades older ones, so a changed routine is followed within days.
DECAY = 0.8
# One observed arrival at a time of day is enough to watch it the next day.
LIKELY = 0.5
ARRIVAL_INTERVAL_S = 60.0
# How far around a usual arrival slot the charger is watched closely.
_LOOKAROUND = timedelta(minutes=15)
# A slot with any trace of a plug-in in the last couple of weeks (0.8^14) may
# see one again. Quiet hours keep away from each visit of a routine by as much
# as the visit is wide, at least an hour (two slots): the few plug-ins learned
# rarely show the earliest and latest a car really comes, and the wider they
# spread, the further out the next one may fall.
TRACE = 0.04
_QUIET_MARGIN_SLOTS = 2
# The arrivals still above the trace are the evidence a routine is judged on
# (about the last fifteen plug-ins; their fading count would cap it at five).
_TRACED_ARRIVALS = math.floor(math.log(TRACE) / math.log(DECAY)) + 1
# Quiet hours need evidence of a routine: cars arriving at random hours leave
# gaps by chance, and a charger watched 16 times less in such a gap misses the
# next car that comes in it. With n arrivals all within a share s of the day,
# random arrivals would do that with a chance of about n * s^(n-1); below this
# chance the arrivals are taken for a routine. A routine of several visits a
# day is cut at one gap after another by the same test, each within the
# outline the cuts before left. Two arrivals are never a routine.
ROUTINE_CHANCE = 0.05
# Three or four plug-ins pass that test by chance now and then: quiet hours deepen
# with the evidence, from the unhurried idle reading up to the full quiet one
# once this many recent plug-ins back the routine.
_CONFIDENT_PLUG_INS = 4.0


def slot_of(moment: datetime) -> int:
    """Return the half-hour slot of the day (UTC) a moment falls in."""
    return (moment.hour * 3600 + moment.minute * 60 + moment.second) // SLOT_S


def learn(habit: list[float], arrived_at: datetime) -> None:
    """Fold one observed plug-in into a charger's habit."""
    for index, weight in enumerate(habit):
        habit[index] = weight * DECAY
    habit[slot_of(arrived_at)] += 1.0


def expecting(habit: list[float], now: datetime) -> bool:
    """Return True when a car usually arrives within a quarter of an hour of now."""
    return any(
        habit[slot_of(moment)] >= LIKELY
        for moment in (now - _LOOKAROUND, now, now + _LOOKAROUND)
    )


def quietness(habit: list[float], now: datetime) -> float:
    """Return how sure it is that no car comes now, from 0 (no idea) to 1.

    Only well inside the longest stretch of the day without arrivals is it above
    0, and only around a routine: an irregular habit (cars any time in the
    afternoon) keeps its whole afternoon watched, not just the half-hours a car
    happened to come lately.
    """
    return quiet_profile(habit)[slot_of(now)]


def quiet_profile(habit: list[float]) -> list[float]:
    """Return the quietness of every half-hour slot of the day.

    The routine is the traced slots cut into visits at their widest gaps, one
    more cut as long as the narrower outline it leaves is unlikely to be
    chance: one visit a day, or a morning and an evening one, and so on.
    Quiet hours keep away from each visit by as much as the visit is wide.
    """
    traced = [slot for slot, weight in enumerate(habit) if weight >= TRACE]
    plug_ins = sum(habit)
    confidence = min((plug_ins - 1) / (_CONFIDENT_PLUG_INS - 1), 1.0)
    profile = [0.0] * SLOTS
    visits = _visits(traced, _arrivals_traced(plug_ins))
    for (start, end), (next_start, next_end) in _pairs(visits):
        gap = (next_start - end - 1) % SLOTS
        keep_after = max(_QUIET_MARGIN_SLOTS, _width(start, end))
        keep_before = max(_QUIET_MARGIN_SLOTS, _width(next_start, next_end))
        for offset in range(keep_after, gap - keep_before):
            profile[(end + 1 + offset) % SLOTS] = confidence
    return profile


def _visits(traced: list[int], arrivals: int) -> list[tuple[int, int]]:
    """Return the visits (first and last slot) of a routine, none without one.

    A cut at the next widest gap holds when arrivals spread evenly over the
    outline before it would rarely leave a gap that wide.
    """
    gaps = sorted(
        (((after - slot - 1) % SLOTS, after) for slot, after in _pairs(traced)),
        reverse=True,
    )
    outline = SLOTS
    cuts: list[tuple[int, int]] = []
    for empty, after in gaps:
        if not _routine(arrivals, (outline - empty) / outline):
            break
        outline -= empty
        cuts.append((after, empty))
    cuts.sort()
    return [
        (start, (next_start - next_empty - 1) % SLOTS)
        for (start, _), (next_start, next_empty) in _pairs(cuts)
    ]


def _width(start: int, end: int) -> int:
    """Return how many slots a visit spans."""
    return (end - start) % SLOTS + 1


def _arrivals_traced(plug_ins: float) -> int:
    """Return how many arrivals still leave a trace, read from their fading count.

    Every arrival fades all before it alike, so m arrivals always sum to
    (1 - DECAY^m) / (1 - DECAY), wherever they fell.
    """
    unfaded = 1 - plug_ins * (1 - DECAY)
    if unfaded <= DECAY**_TRACED_ARRIVALS:
        return _TRACED_ARRIVALS
    return round(math.log(unfaded) / math.log(DECAY))


def _routine(arrivals: int, share: float) -> bool:
    """Return True when arrivals this close together are unlikely to be chance."""
    return arrivals > 2 and arrivals * share ** (arrivals - 1) < ROUTINE_CHANCE


def _pairs[T](items: list[T]) -> list[tuple[T, T]]:
    """Return each item with the next one around the day."""
    return list(zip(items, [*items[1:], *items[:1]], strict=True))


def new_habit() -> list[float]:
    """Return a habit with nothing learned yet."""
    return [0.0] * SLOTS


def habit_from(data: object) -> list[float]:
    """Rebuild a saved habit; anything unreadable starts afresh."""
    habit = slot_weights_from(data)
    return new_habit() if habit is None else habit


def slot_weights_from(data: object) -> list[float] | None:
    """Return a saved weight per half hour, or None unless all are readable."""
    if not isinstance(data, list) or len(data) != SLOTS:
        return None
    try:
        weights = [float(weight) for weight in data]
    except (TypeError, ValueError, OverflowError):
        return None
    if all(math.isfinite(weight) and weight >= 0 for weight in weights):
        return weights
    return None
