"""When a charger's own timers next let a waiting car start, and stop it.

A car plugged in outside its timer's window starts at the window's opening, a
moment the charger's settings announce. Reading the charger just after it shows
the start within seconds, for one call, where any interval would show it after
half an interval on average. The window's end stops a charge whatever the car
still needs: such a stop is the timer's, not a full car's.

Timer times are the charger's local time of day (the owner's time zone, which
is taken to be Home Assistant's); days are 1 = Monday to 7 = Sunday, as in
V2C's newer API description, and name the day a window opens: one that ends
at or before its start (22:00-06:00) ends the next day.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
import math

from .api import Timer

_DAYS_AHEAD = 8


def next_opening(
    timers: Iterable[Timer], now: datetime, zone: tzinfo
) -> datetime | None:
    """Return the first moment after now an active timer's window opens (UTC)."""
    openings = (
        wall_moment(day, start, zone) for start, _, day in _windows(timers, now, zone)
    )
    return min((opening for opening in openings if opening > now), default=None)


def next_closing(
    timers: Iterable[Timer], now: datetime, zone: tzinfo
) -> datetime | None:
    """Return the first moment after now an active timer's window closes (UTC)."""
    closings = _closings(timers, now, zone, days_before=1)
    return min((closing for closing in closings if closing > now), default=None)


def last_closing(
    timers: Iterable[Timer], now: datetime, zone: tzinfo
) -> datetime | None:
    """Return the last moment at or before now an active timer's window closed (UTC).

    Up to a week back: a timer for one weekday closes once a week.
    """
    closings = _closings(timers, now, zone, days_before=_DAYS_AHEAD)
    return max((closing for closing in closings if closing <= now), default=None)


def _closings(
    timers: Iterable[Timer], now: datetime, zone: tzinfo, *, days_before: int
) -> Iterator[datetime]:
    """Yield the moments (UTC) active timers' windows close, as `_windows` spans them."""
    for start, end, day in _windows(timers, now, zone, days_before=days_before):
        if end is not None:
            yield wall_moment(_end_day(day, start, end), end, zone)


def wall_moment(day: date, wall: time, zone: tzinfo) -> datetime:
    """Return the moment (UTC) the clock in zone first shows wall on day, or jumps past it.

    On the night clocks go back, a time shown twice is its first showing. On
    the night they jump forward (Madrid: 02:00 -> 03:00), a time the clock
    never shows (02:30) comes when it jumps past it: the jump itself, not an
    hour later (what `datetime.combine` takes, with the offset before it).
    """
    local = datetime.combine(day, wall, zone)
    moment = local.astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None):
        return moment
    # In the gap: the jump lies between the wall time read with the offset
    # after it (too early) and with the one before it (too late). The first
    # second whose wall time is at or past `wall` is the jump.
    wanted = local.replace(tzinfo=None)
    early = math.floor(local.replace(fold=1).astimezone(UTC).timestamp())
    late = math.ceil(moment.timestamp())
    while late - early > 1:
        middle = (early + late) // 2
        shown = datetime.fromtimestamp(middle, zone).replace(tzinfo=None)
        if shown >= wanted:
            late = middle
        else:
            early = middle
    return datetime.fromtimestamp(late, UTC)


def _windows(
    timers: Iterable[Timer], now: datetime, zone: tzinfo, *, days_before: int = 0
) -> Iterator[tuple[time, time | None, date]]:
    """Yield each active timer's start and end, with each local day it opens.

    From today on, or `days_before` today for windows that may still be open.
    """
    today = now.astimezone(zone).date()
    for timer in timers:
        start = timer.start
        if not timer.active or start is None:
            continue
        for offset in range(-days_before, _DAYS_AHEAD):
            day = today + timedelta(days=offset)
            if not timer.days or day.isoweekday() in timer.days:
                yield start, timer.end, day


def _end_day(day: date, start: time, end: time) -> date:
    """Return the day a window opening on day ends: the next one past midnight."""
    if end.replace(tzinfo=None) <= start.replace(tzinfo=None):
        return day + timedelta(days=1)
    return day
