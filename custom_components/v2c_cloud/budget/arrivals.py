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
# Faded weight of the plug-ins that make a routine: about three recent ones.
ROUTINE = 2.4
# A slot with any trace of a plug-in in the last couple of weeks (0.8^14) may
# see one again: only the hours around none of them are quiet.
TRACE = 0.04
_QUIET_MARGIN = timedelta(hours=1)


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


def quiet(habit: list[float], now: datetime) -> bool:
    """Return True when a known routine never brought a car within an hour of now."""
    if sum(habit) < ROUTINE:
        return False
    first = slot_of(now - _QUIET_MARGIN)
    span = (2 * _QUIET_MARGIN).seconds // SLOT_S + 1
    return all(habit[(first + step) % SLOTS] < TRACE for step in range(span))


def has_routine(habit: list[float]) -> bool:
    """Return True once enough plug-ins were seen to call the rest of the day quiet."""
    return sum(habit) >= ROUTINE


def new_habit() -> list[float]:
    """Return a habit with nothing learned yet."""
    return [0.0] * SLOTS


def habit_from(data: object) -> list[float]:
    """Rebuild a saved habit; anything unreadable starts afresh."""
    if isinstance(data, list) and len(data) == SLOTS:
        return [float(weight) for weight in data]
    return new_habit()
