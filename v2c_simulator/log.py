"""The request log: what reached the simulated cloud, without secrets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
import json

from .faults import FaultKind

SECRET_PARAMETERS = frozenset({"password", "apikey"})


@dataclass(frozen=True)
class RequestRecord:
    """One request: the key appears only as a hash, passwords only as a length."""

    method: str
    path: str
    query: dict[str, str]
    body: object
    key_hash: str | None
    status: int
    time: datetime
    counted: bool = False
    fault: FaultKind | None = None

    def as_dict(self) -> dict[str, object]:
        """Return the record for the admin endpoint."""
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "body": self.body,
            "key_hash": self.key_hash,
            "status": self.status,
            "time": self.time.isoformat(),
            "counted": self.counted,
            "fault": None if self.fault is None else self.fault.value,
        }


def redact_query(query: dict[str, str]) -> dict[str, str]:
    """Replace secret parameter values by their length."""
    return {
        name: f"<redacted:{len(value)}>" if name.lower() in SECRET_PARAMETERS else value
        for name, value in query.items()
    }


def parse_body(raw: bytes) -> object:
    """Return a request body as JSON if it parses, else as text (None when empty)."""
    if not raw:
        return None
    text = raw.decode(errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text
