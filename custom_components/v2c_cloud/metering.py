"""The one place that charges requests to the quota planner, free of Home Assistant.

The client tells the meter of every request it puts on the wire, of those the
server did not count (no connection, a 429), of those a quota header overtook
that end unanswered, and of every 429.
Callers only declare, around their calls, what kind of call they make and when.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime

from .api import V2CRateLimitError, V2CThrottledError
from .budget import CallKind, QuotaPlanner


@dataclass(frozen=True, slots=True)
class Charge:
    """What the requests made now are for."""

    kind: CallKind
    now: datetime


_CHARGE: ContextVar[Charge | None] = ContextVar("v2c_cloud_charge", default=None)


@contextmanager
def charged_as(kind: CallKind, now: datetime) -> Iterator[None]:
    """Charge the requests made inside the block as kind, at now."""
    token = _CHARGE.set(Charge(kind, now))
    try:
        yield
    finally:
        _CHARGE.reset(token)


def current_charge() -> Charge:
    """Return the declared charge; an undeclared request is paid like a command."""
    return _CHARGE.get() or Charge(CallKind.COMMAND, datetime.now(UTC))


class PlannerMeter:
    """Charge every request to the planner and record every 429 (a client listener)."""

    def __init__(
        self,
        planner: QuotaPlanner,
        counted: Callable[[], None] | None = None,
        quota_changed: Callable[[], None] | None = None,
    ) -> None:
        """Charge this planner; counted hears of every count, to save it.

        quota_changed hears of every 429, as of every quota header: the
        planner's calls left and reset may have moved, and what shows them
        must not wait for the next header.
        """
        self.planner = planner
        self._counted = counted
        self._quota_changed = quota_changed

    def sending(self, operation: str, device_id: str | None) -> None:
        """Count a request about to be sent."""
        charge = current_charge()
        self.planner.record_call(charge.kind, charge.now, device_id)
        # A call nobody answers brings no quota header, the other trigger of a
        # save: unsaved, a restart would blame it on other programs.
        if self._counted is not None:
            self._counted()

    def not_counted(self, operation: str, device_id: str | None) -> None:
        """Take back a request the server did not count.

        It could not connect, or a 429 refused it: the client says so before
        the 429's quota headers reach the planner, which compares them with a
        count that no longer holds the refused call.
        """
        charge = current_charge()
        self.planner.refund_call(charge.kind, charge.now)
        if self._counted is not None:
            self._counted()

    def unanswered(self, operation: str, device_id: str | None) -> None:
        """Tell the planner a request a header took as not counted yet ended unanswered."""
        self.planner.call_unanswered(current_charge().now)
        if self._counted is not None:
            self._counted()

    def rate_limited(self, err: V2CRateLimitError) -> None:
        """Stop calling until the quota, or the shorter window that refused, comes back.

        The refused call was taken back already (not_counted), before the
        429's headers were compared with the count.
        """
        now = current_charge().now
        calls_back_at = self.calls_back_at(err)
        if isinstance(err, V2CThrottledError):
            self.planner.observe_throttled(now, calls_back_at)
        else:
            self.planner.observe_rate_limited(
                now, calls_back_at, day_proven=err.remaining == 0
            )
        if self._quota_changed is not None:
            self._quota_changed()

    def calls_back_at(self, err: V2CRateLimitError) -> datetime | None:
        """Return when the 429 said calls may resume."""
        return err.reset_at
