"""Calendar arithmetic for a quota window that resets once a day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

DAY = timedelta(days=1)
DAY_S = DAY.total_seconds()

# Coarsest first: gateways reset on round times, so the latest round instant
# in the interval that must contain a reset is the best guess.
_ROUND_STEPS_S = (3600, 900, 60, 1)


def as_utc(moment: datetime) -> datetime:
    """Return an aware moment in UTC; naive moments are a caller bug."""
    if moment.tzinfo is None:
        raise ValueError("the planner needs timezone-aware datetimes")
    return moment.astimezone(UTC)


def seconds_between(start: datetime, end: datetime) -> float:
    """Return the seconds from start to end (negative if end is earlier)."""
    return (end - start).total_seconds()


def offset_of(moment: datetime) -> float:
    """Return the seconds since 00:00 UTC of the moment's day."""
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return seconds_between(midnight, moment)


def next_reset(after: datetime, offset_s: float) -> datetime:
    """Return the first daily reset at offset_s past midnight strictly after `after`."""
    midnight = after.replace(hour=0, minute=0, second=0, microsecond=0)
    candidate = midnight + timedelta(seconds=offset_s)
    return candidate if candidate > after else candidate + DAY


def next_hour(after: datetime) -> datetime:
    """Return the first whole UTC hour strictly after `after`."""
    return after.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def estimate_reset(after: datetime, until: datetime) -> datetime:
    """Return the latest round instant in (after, until] as the reset moment."""
    stamp = int(until.timestamp())
    for step in _ROUND_STEPS_S:
        candidate = datetime.fromtimestamp(stamp - stamp % step, UTC)
        if candidate > after:
            return candidate
    return until
