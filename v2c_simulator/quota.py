"""Per-key daily quota with a fixed window, like Kong's rate-limiting plugin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
import math

DAY_S = 86400.0


@dataclass(frozen=True)
class QuotaStatus:
    """The quota of a key at a moment."""

    limit: int
    used: int
    remaining: int
    resets_at: datetime
    external_used: int

    def headers(self, now: datetime) -> dict[str, str]:
        """Return the rate-limit headers the gateway adds to a response."""
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.seconds_to_reset(now)),
            "X-RateLimit-Limit-Day": str(self.limit),
            "X-RateLimit-Remaining-Day": str(self.remaining),
        }

    def seconds_to_reset(self, now: datetime) -> int:
        """Return whole seconds until the window ends (at least 1)."""
        return max(1, math.ceil((self.resets_at - now).total_seconds()))


class KeyQuota:
    """Calls spent by one key in the current window, including other programs' calls."""

    def __init__(self, limit: int, reset_time: time, now: datetime) -> None:
        """Open the window that contains now."""
        self.limit = limit
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

    def status(self, now: datetime) -> QuotaStatus:
        """Return the quota at a moment."""
        self._catch_up(now)
        return QuotaStatus(
            limit=self.limit,
            used=self._used,
            remaining=max(0, self.limit - self._used),
            resets_at=self._window_start + timedelta(days=1),
            external_used=self._external_used,
        )

    def try_consume(self, now: datetime) -> bool:
        """Spend one call if any is left."""
        self._catch_up(now)
        if self._used >= self.limit:
            return False
        self._used += 1
        return True

    def _window_for(self, now: datetime) -> datetime:
        """Return the start of the window containing a moment."""
        start = datetime.combine(now.date(), self._reset_time, now.tzinfo)
        return start if start <= now else start - timedelta(days=1)

    def _catch_up(self, now: datetime) -> None:
        """Roll the window and spend the other programs' calls due by now."""
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
