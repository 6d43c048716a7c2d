"""Tell a revoked API key from the false 401s the V2C Cloud sends during outages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .helpers import iso_or_none

CONFIRM_FAILURES = 3
CONFIRM_AFTER = timedelta(minutes=5)
# Once confirmed, the key is tried again after as long as it had been rejected
# when last tried: after an outage's false 401s the entry is back within about
# the outage's length, and a key V2C rejects for days costs a few calls a day.
MIN_PROBE_WAIT = timedelta(minutes=15)
MAX_PROBE_WAIT = timedelta(hours=6)


@dataclass
class AuthGuard:
    """Count consecutive 401s; only a persistent run of them proves the key bad."""

    first_failure: datetime | None = None
    failures: int = 0
    probed_at: datetime | None = None

    def failure(self, now: datetime) -> bool:
        """Record a 401; return True once it is confirmed as a real rejection."""
        if self.first_failure is None:
            self.first_failure = now
        self.failures += 1
        return (
            self.failures >= CONFIRM_FAILURES
            and now - self.first_failure >= CONFIRM_AFTER
        )

    def success(self) -> None:
        """Forget earlier 401s: the key works."""
        self.first_failure = None
        self.failures = 0
        self.probed_at = None

    def probe_due(self, now: datetime) -> bool:
        """Return True when a rejected key should be tried again, and note the try."""
        if self.probed_at is not None and now - self.probed_at < self.probe_wait():
            return False
        self.probed(now)
        return True

    def probed(self, now: datetime) -> timedelta:
        """Note a try of the rejected key now; return the wait until the next."""
        self.probed_at = now
        return self.probe_wait()

    def probe_wait(self) -> timedelta:
        """Return how long after the last try the rejected key waits for the next."""
        probed_at = self.probed_at
        if probed_at is None:
            return timedelta(0)
        rejected_for = probed_at - (self.first_failure or probed_at)
        return min(max(rejected_for, MIN_PROBE_WAIT), MAX_PROBE_WAIT)

    def to_dict(self) -> dict[str, Any]:
        """Serialise for the entry's store."""
        return {
            "first_failure": iso_or_none(self.first_failure),
            "failures": self.failures,
            "probed_at": iso_or_none(self.probed_at),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AuthGuard:
        """Restore from the entry's store, tolerating missing keys."""
        return cls(
            first_failure=_moment(data, "first_failure"),
            failures=max(int(data.get("failures", 0)), 0),
            probed_at=_moment(data, "probed_at"),
        )


def _moment(data: dict[str, Any], key: str) -> datetime | None:
    """Return a saved moment, None when absent; a naive one is refused."""
    text = data.get(key)
    moment = datetime.fromisoformat(text) if text else None
    if moment is not None and moment.tzinfo is None:
        raise ValueError(f"{key} has no timezone")
    return moment
