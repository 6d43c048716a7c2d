"""Types the quota planner shares with its callers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ChargerActivity(StrEnum):
    """What a charger is doing, as far as polling cares."""

    CHARGING = "charging"
    # Plugged in with charging that follows the sun while the sun shines, the
    # car asking for a charge that only the surplus holds: the charge may
    # start at any moment.
    WAITING = "waiting"
    # Plugged in with charging that follows the sun, and no sun: nothing starts
    # before it rises, and then the charger says so (WAITING).
    SUNLESS = "sunless"
    PLUGGED = "plugged"
    IDLE = "idle"
    OFFLINE = "offline"


# A car plugged in that does not charge: held by a timer, a pause, a lock or
# the sun.
CAR_HELD = frozenset(
    {ChargerActivity.PLUGGED, ChargerActivity.WAITING, ChargerActivity.SUNLESS}
)


class CallKind(StrEnum):
    """Why a call to the cloud was made."""

    POLL = "poll"
    CONFIRM = "confirm"
    COMMAND = "command"
    MAINTENANCE = "maintenance"


# The calls a command costs: itself and the read that confirms it.
COMMAND_KINDS = (CallKind.COMMAND, CallKind.CONFIRM)


@dataclass(frozen=True, kw_only=True)
class PlannerSettings:
    """User choices that shape the plan."""

    quota_share: float = 1.0
    command_reserve: int = 50
    poll_idle: bool = True
    min_interval_s: float = 10.0
    idle_interval_s: float = 480.0
    max_interval_s: float = 3600.0
    confirm_delay_s: float = 15.0

    def __post_init__(self) -> None:
        """Reject settings the planner cannot honour."""
        if not 0.1 <= self.quota_share <= 1.0:
            raise ValueError("quota_share must be between 0.1 and 1.0")
        if self.command_reserve < 0:
            raise ValueError("command_reserve must not be negative")
        if not 0 < self.min_interval_s <= self.idle_interval_s <= self.max_interval_s:
            raise ValueError("intervals must satisfy 0 < min <= idle <= max")
        if self.confirm_delay_s < 0:
            raise ValueError("confirm_delay_s must not be negative")


class QuotaExhaustedError(Exception):
    """No call may be spent until the quota comes back."""

    _WHY = "Daily call quota exhausted"

    def __init__(self, calls_back_at: datetime) -> None:
        """Remember when calls are possible again."""
        super().__init__(f"{self._WHY} until {calls_back_at.isoformat()}")
        self.calls_back_at = calls_back_at


class ThrottledError(QuotaExhaustedError):
    """The cloud asked for a pause although the day's quota has calls left."""

    _WHY = "Calls paused by the cloud"


@dataclass(frozen=True, kw_only=True)
class ChargerSnapshot:
    """How one charger is being polled."""

    activity: ChargerActivity
    interval_s: float | None


@dataclass(frozen=True, kw_only=True)
class PlannerSnapshot:
    """The planner's view of the quota, for diagnostics and sensors."""

    limit: int
    # Calls left; none while a 429 refuses the day's calls.
    remaining: int
    # When the calls are expected back: the refusal's end while a 429 refuses
    # them, else the end the calls left are planned to last until.
    reset_at: datetime
    blocked_until: datetime | None
    chargers: Mapping[str, ChargerSnapshot]
    calls_today: Mapping[CallKind, int]
    other_calls_today: int
