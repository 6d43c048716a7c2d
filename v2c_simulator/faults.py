"""Fault injection: the misbehaviour of the real service, on demand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .clock import Clock

DEFAULT_LATENCY_S = 1.0


class FaultKind(StrEnum):
    """What goes wrong with a matching request."""

    LATENCY = "latency"
    HANG = "hang"
    HTTP_500 = "http_500"
    HTTP_502 = "http_502"
    HTTP_503 = "http_503"
    HTTP_504 = "http_504"
    FALSE_401 = "false_401"
    # Kong's answers with 403: an unknown key before its key-auth plugin moved
    # to 401, and a known key its ACL plugin keeps out of the service.
    UNKNOWN_KEY_403 = "unknown_key_403"
    FORBIDDEN_403 = "forbidden_403"
    # A gateway refusing a request it cannot take, with none of the codes above.
    BAD_REQUEST_400 = "bad_request_400"
    # A gateway sending the client elsewhere (plain http to https, a moved path).
    REDIRECT = "redirect"
    EARLY_429 = "early_429"
    MALFORMED_JSON = "malformed_json"
    # A captive portal's or proxy's login page, sent with 200 instead of the data.
    PORTAL_PAGE_200 = "portal_page_200"
    # An error described in a JSON object, sent with 200 instead of the data.
    ERROR_OBJECT = "error_object"
    # An empty list sent with 200 instead of the data (the pairings, say).
    EMPTY_LIST = "empty_list"
    TEXT_PLAIN_JSON = "text_plain_json"
    BARE_SCALAR = "bare_scalar"
    EMPTY_200 = "empty_200"
    EMPTY_204 = "empty_204"
    DROP_CONNECTION = "drop_connection"


@dataclass
class FaultRule:
    """One active fault: what, where and for how long."""

    kind: FaultKind
    route: str | None
    remaining: int | None
    until: datetime | None
    latency_s: float
    hits: int = 0

    def as_dict(self) -> dict[str, object]:
        """Return the rule for the admin endpoint."""
        return {
            "kind": self.kind.value,
            "route": self.route,
            "remaining": self.remaining,
            "until": None if self.until is None else self.until.isoformat(),
            "latency_s": self.latency_s,
            "hits": self.hits,
        }


@dataclass(frozen=True)
class Selection:
    """The faults that hit one request: added latency and at most one failure."""

    latency_s: float
    rule: FaultRule | None


class FaultInjector:
    """Active fault rules, matched per request path."""

    def __init__(self, clock: Clock) -> None:
        """Start with no faults."""
        self._clock = clock
        self._rules: list[FaultRule] = []

    def set(
        self,
        kind: FaultKind | str,
        *,
        route: str | None = None,
        count: int | None = None,
        duration_s: float | None = None,
        latency_s: float | None = None,
    ) -> FaultRule:
        """Add a fault for a route (None = all) for count requests and/or a duration."""
        if count is not None and count < 1:
            raise ValueError("count must be at least 1")
        if duration_s is not None and duration_s <= 0:
            raise ValueError("duration_s must be positive")
        if latency_s is not None and latency_s < 0:
            raise ValueError("latency_s must not be negative")
        until = None
        if duration_s is not None:
            until = self._clock.now() + timedelta(seconds=duration_s)
        rule = FaultRule(
            kind=FaultKind(kind),
            route=route,
            remaining=count,
            until=until,
            latency_s=DEFAULT_LATENCY_S if latency_s is None else latency_s,
        )
        self._rules.append(rule)
        return rule

    def remove(self, rule: FaultRule) -> None:
        """Remove one fault, if still in force."""
        self._rules = [active for active in self._rules if active is not rule]

    def clear(self) -> None:
        """Remove every fault."""
        self._rules.clear()

    @property
    def active(self) -> list[FaultRule]:
        """Return the rules still in force."""
        self._expire()
        return list(self._rules)

    def select(self, path: str) -> Selection:
        """Consume the faults that hit a request to this path."""
        self._expire()
        latency = 0.0
        chosen: FaultRule | None = None
        for rule in self._rules:
            if rule.route not in (None, path):
                continue
            if rule.kind is FaultKind.LATENCY:
                latency += rule.latency_s
            elif chosen is None:
                chosen = rule
            else:
                continue
            rule.hits += 1
            if rule.remaining is not None:
                rule.remaining -= 1
        self._expire()
        return Selection(latency, chosen)

    def _expire(self) -> None:
        """Drop rules whose count or time is used up."""
        now = self._clock.now()
        self._rules = [
            rule
            for rule in self._rules
            if (rule.remaining is None or rule.remaining > 0)
            and (rule.until is None or now < rule.until)
        ]
