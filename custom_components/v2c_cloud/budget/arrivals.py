"""When cars usually arrive: a per-charger habit learned from observed plug-ins.

Most plug-ins follow a daily routine. Polling an empty charger fast only around the
times a car usually arrives notices the plug-in within a minute there, for a small
fraction of the calls fast polling all day would cost; the rest of the day keeps
the unhurried idle interval.
"""

from __future__ import annotations

from datetime import datetime, timedelta

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
# see one again. Quiet hours keep away from the traced span by as much as the
# span is wide, at least an hour (two slots): the few plug-ins learned rarely
# show the earliest and latest a car really comes, and the wider they spread,
# the further out the next one may fall.
TRACE = 0.04
_QUIET_MARGIN_SLOTS = 2
# Quiet hours need evidence of a routine: cars arriving at random hours leave
# gaps by chance, and a charger watched 16 times less in such a gap misses the
# next car that comes in it. With n recent plug-ins all within a share s of the
# day, random arrivals would do that with a chance of about n * s^(n-1); below
# this chance the plug-ins are taken for a routine.
ROUTINE_CHANCE = 0.05
# Two or three plug-ins pass that test by chance now and then: quiet hours deepen
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
    """Return the quietness of every half-hour slot of the day."""
    traced = [slot for slot, weight in enumerate(habit) if weight >= TRACE]
    if not traced:
        return [0.0] * SLOTS
    gap_start, gap = max(
        ((slot, (nxt - slot - 1) % SLOTS + 1) for slot, nxt in _pairs(traced)),
        key=lambda pair: pair[1],
    )
    span = SLOTS - gap + 1
    plug_ins = sum(habit)
    if not _routine(plug_ins, span / SLOTS):
        return [0.0] * SLOTS
    margin = max(_QUIET_MARGIN_SLOTS, span)
    confidence = min((plug_ins - 1) / (_CONFIDENT_PLUG_INS - 1), 1.0)
    return [
        confidence if margin < (slot - gap_start) % SLOTS < gap - margin else 0.0
        for slot in range(SLOTS)
    ]


def _routine(plug_ins: float, span: float) -> bool:
    """Return True when plug-ins this close together are unlikely to be chance."""
    return plug_ins > 1 and plug_ins * span ** (plug_ins - 1) < ROUTINE_CHANCE


def _pairs(slots: list[int]) -> list[tuple[int, int]]:
    """Return each traced slot with the next one around the day."""
    return list(zip(slots, [*slots[1:], slots[0]], strict=True))


def new_habit() -> list[float]:
    """Return a habit with nothing learned yet."""
    return [0.0] * SLOTS


def habit_from(data: object) -> list[float]:
    """Rebuild a saved habit; anything unreadable starts afresh."""
    if isinstance(data, list) and len(data) == SLOTS:
        return [float(weight) for weight in data]
    return new_habit()
