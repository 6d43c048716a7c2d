"""Tell a revoked API key from the false 401s the V2C Cloud sends during outages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

CONFIRM_FAILURES = 3
CONFIRM_AFTER = timedelta(minutes=5)


@dataclass
class AuthGuard:
    """Count consecutive 401s; only a persistent run of them proves the key bad."""

    first_failure: datetime | None = None
    failures: int = 0

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

    def to_dict(self) -> dict[str, Any]:
        """Serialise for the entry's store."""
        first = self.first_failure.isoformat() if self.first_failure else None
        return {"first_failure": first, "failures": self.failures}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AuthGuard:
        """Restore from the entry's store, tolerating missing keys."""
        first = data.get("first_failure")
        first_failure = datetime.fromisoformat(first) if first else None
        if first_failure is not None and first_failure.tzinfo is None:
            raise ValueError("first_failure has no timezone")
        return cls(
            first_failure=first_failure,
            failures=max(int(data.get("failures", 0)), 0),
        )
