"""Clocks: every time the simulator reads goes through one of these."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime:
        """Return the current time."""


class SystemClock:
    """Wall-clock time; freezegun and Home Assistant's freezer move it."""

    def now(self) -> datetime:
        """Return the current UTC time."""
        return datetime.now(UTC)


class VirtualClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        """Start the clock at an aware datetime."""
        self._now = _aware(start)

    def now(self) -> datetime:
        """Return the virtual time."""
        return self._now

    def advance(self, seconds: float) -> datetime:
        """Move forward by a non-negative number of seconds."""
        if seconds < 0:
            raise ValueError("a virtual clock never goes back")
        self._now += timedelta(seconds=seconds)
        return self._now

    def set(self, moment: datetime) -> datetime:
        """Jump to a moment not earlier than now."""
        moment = _aware(moment)
        if moment < self._now:
            raise ValueError("a virtual clock never goes back")
        self._now = moment
        return self._now


def _aware(moment: datetime) -> datetime:
    """Reject naive datetimes and normalise to UTC."""
    if moment.tzinfo is None:
        raise ValueError("the clock needs a timezone-aware datetime")
    return moment.astimezone(UTC)
