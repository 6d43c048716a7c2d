"""Charging windows from the charger's timers (days 1-7 = Monday-Sunday)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, time, timedelta

from .state import Timer


def parse_hhmm(text: str) -> time:
    """Parse "HH:MM" (seconds allowed) into a time, raising ValueError otherwise."""
    parts = text.split(":")
    if len(parts) not in (2, 3) or not all(part.isdigit() for part in parts):
        raise ValueError(text)
    hour, minute, second = (int(part) for part in (*parts, "0")[:3])
    return time(hour, minute, second)


def _windows(
    timers: Iterable[Timer], around: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """Yield the windows that start from the day before `around` to a week after."""
    midnight = around.replace(hour=0, minute=0, second=0, microsecond=0)
    for timer in timers:
        if not timer.active:
            continue
        start_time, end_time = parse_hhmm(timer.time_start), parse_hhmm(timer.time_end)
        for offset in range(-1, 8):
            day = midnight + timedelta(days=offset)
            if str(day.isoweekday()) not in timer.days_of_week:
                continue
            start = datetime.combine(day.date(), start_time, around.tzinfo)
            end = datetime.combine(day.date(), end_time, around.tzinfo)
            if end <= start:
                end += timedelta(days=1)
            yield start, end


def has_active_timer(timers: Iterable[Timer]) -> bool:
    """Return whether any timer restricts charging."""
    return any(timer.active for timer in timers)


def in_window(timers: Iterable[Timer], moment: datetime) -> bool:
    """Return whether the moment is inside an active charging window."""
    return any(start <= moment < end for start, end in _windows(timers, moment))


def next_boundary(timers: Iterable[Timer], moment: datetime) -> datetime | None:
    """Return the next moment a window opens or closes."""
    edges = [
        edge for window in _windows(timers, moment) for edge in window if edge > moment
    ]
    return min(edges, default=None)
