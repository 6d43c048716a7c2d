"""When a charger's own timers next let a waiting car start charging.

A car plugged in outside its timer's window starts at the window's opening, a
moment the charger's settings announce. Reading the charger just after it shows
the start within seconds, for one call, where any interval would show it after
half an interval on average.

Timer times are the charger's local time of day (the owner's time zone, which
is taken to be Home Assistant's); days are 1 = Monday to 7 = Sunday, as in
V2C's newer API description.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, tzinfo

from .api import Timer

_DAYS_AHEAD = 8


def next_opening(
    timers: Iterable[Timer], now: datetime, zone: tzinfo
) -> datetime | None:
    """Return the first moment after now an active timer's window opens (UTC)."""
    today = now.astimezone(zone).date()
    openings = (
        datetime.combine(today + timedelta(days=offset), timer.start, zone)
        for timer in timers
        if timer.active and timer.start is not None
        for offset in range(_DAYS_AHEAD)
        if not timer.days or (today + timedelta(days=offset)).isoweekday() in timer.days
    )
    return min(
        (opening.astimezone(UTC) for opening in openings if opening > now),
        default=None,
    )
