"""Per-key daily quota with a fixed window, like Kong's rate-limiting plugin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
import math

DAY_S = 86400.0


class HeaderProfile(StrEnum):
    """Which rate-limit headers the gateway sends."""

    # Kong's rate-limiting plugin: generic and per-window headers, also on a 429.
    KONG = "kong"
    # Only what V2C documents: Limit and Remaining, and only on answered calls.
    DOCUMENTED = "documented"


@dataclass(frozen=True)
class QuotaStatus:
    """The quota of a key at a moment."""

    limit: int
    used: int
    remaining: int
    resets_at: datetime
    external_used: int
    minute_limit: int | None = None
    minute_remaining: int = 0
    minute_resets_at: datetime | None = None

    def headers(
        self, now: datetime, profile: HeaderProfile = HeaderProfile.KONG
    ) -> dict[str, str]:
        """Return the rate-limit headers the gateway adds to an answered call."""
        if profile is HeaderProfile.DOCUMENTED:
            return {
                "RateLimit-Limit": str(self.limit),
                "RateLimit-Remaining": str(self.remaining),
            }
        # Like Kong, the generic headers describe the window with the fewest
        # calls left (the longer one on a tie); each window also has its own.
        windows = [(self.remaining, DAY_S, self.limit, self.resets_at)]
        headers = {
            "X-RateLimit-Limit-Day": str(self.limit),
            "X-RateLimit-Remaining-Day": str(self.remaining),
        }
        if self.minute_limit is not None and self.minute_resets_at is not None:
            windows.append(
                (self.minute_remaining, 60.0, self.minute_limit, self.minute_resets_at)
            )
            headers["X-RateLimit-Limit-Minute"] = str(self.minute_limit)
            headers["X-RateLimit-Remaining-Minute"] = str(self.minute_remaining)
        remaining, _, limit, resets_at = min(windows, key=lambda w: (w[0], -w[1]))
        return {
            "RateLimit-Limit": str(limit),
            "RateLimit-Remaining": str(remaining),
            "RateLimit-Reset": str(_seconds_until(now, resets_at)),
            **headers,
        }

    def seconds_to_reset(self, now: datetime) -> int:
        """Return whole seconds until the day's window ends (at least 1)."""
        return _seconds_until(now, self.resets_at)

    def minute_full(self) -> bool:
        """Return whether a per-minute limit refuses the next call."""
        return self.minute_limit is not None and self.minute_remaining == 0

    def seconds_to_next_minute(self, now: datetime) -> int:
        """Return whole seconds until the minute's window ends (at least 1)."""
        return _seconds_until(now, self.minute_resets_at or now)


def _seconds_until(now: datetime, moment: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))


class KeyQuota:
    """Calls spent by one key in the current window, including other programs' calls."""

    def __init__(
        self,
        limit: int,
        reset_time: time,
        now: datetime,
        *,
        minute_limit: int | None = None,
    ) -> None:
        """Open the window that contains now; `minute_limit` adds a per-minute one."""
        self.limit = limit
        self.minute_limit = minute_limit
        self._minute_start = _minute_of(now)
        self._minute_used = 0
        self._reset_time = reset_time
        self._window_start = self._window_for(now)
        self._used = 0
        self._external_used = 0
        self._external_done: list[int] = []
        self._external_rates: list[int] = []

    def add_external(self, calls_per_day: int) -> None:
        """Add another program that spends calls evenly over each window."""
        self._external_rates.append(calls_per_day)
        self._external_done.append(0)

    def spend_external(self, now: datetime, leave: int = 0) -> None:
        """Let another program spend the day's calls at once, down to `leave`."""
        self._catch_up(now)
        spent = max(0, self.limit - leave - self._used)
        self._used += spent
        self._external_used += spent

    def status(self, now: datetime) -> QuotaStatus:
        """Return the quota at a moment."""
        self._catch_up(now)
        return QuotaStatus(
            limit=self.limit,
            used=self._used,
            remaining=max(0, self.limit - self._used),
            resets_at=self._window_start + timedelta(days=1),
            external_used=self._external_used,
            minute_limit=self.minute_limit,
            minute_remaining=max(0, (self.minute_limit or 0) - self._minute_used),
            minute_resets_at=self._minute_start + timedelta(minutes=1),
        )

    def try_consume(self, now: datetime) -> bool:
        """Spend one call if every window has one left."""
        status = self.status(now)
        if status.remaining == 0 or status.minute_full():
            return False
        self._used += 1
        self._minute_used += 1
        return True

    def _window_for(self, now: datetime) -> datetime:
        """Return the start of the window containing a moment."""
        start = datetime.combine(now.date(), self._reset_time, now.tzinfo)
        return start if start <= now else start - timedelta(days=1)

    def _catch_up(self, now: datetime) -> None:
        """Roll the window and spend the other programs' calls due by now."""
        if _minute_of(now) != self._minute_start:
            self._minute_start = _minute_of(now)
            self._minute_used = 0
        window = self._window_for(now)
        if window > self._window_start:
            self._window_start = window
            self._used = 0
            self._external_used = 0
            self._external_done = [0] * len(self._external_rates)
        elapsed = (now - self._window_start).total_seconds()
        for index, per_day in enumerate(self._external_rates):
            due = min(per_day, math.floor(elapsed * per_day / DAY_S + 0.5))
            for _ in range(due - self._external_done[index]):
                if self._used < self.limit:
                    self._used += 1
                    self._external_used += 1
            self._external_done[index] = due


def _minute_of(moment: datetime) -> datetime:
    """Return the start of the calendar minute containing a moment, as Kong counts."""
    return moment.replace(second=0, microsecond=0)
