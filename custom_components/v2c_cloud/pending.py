"""Optimistic values of commands, shown until the charger reports them or time runs out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .data import CONFIRM_WINDOW_S, ChargerData

type ValueReader = Callable[[ChargerData], object]


@dataclass(frozen=True)
class PendingValue:
    """A value a command asked for, shown until the charger reports it or time runs out."""

    value: object
    read: ValueReader
    deadline: datetime
    # Whether the command changes whether or how much the car charges.
    live: bool = False
    # False when its answer was lost: the cloud may or may not have taken it.
    answered: bool = True

    def shown_in(self, data: ChargerData) -> bool:
        """Return whether the charger reports the value the command asked for."""
        return self.read(data) == self.value


@dataclass
class PendingCommands:
    """Optimistic values of commands the charger has not confirmed yet."""

    values: dict[str, PendingValue] = field(default_factory=dict)

    def add(
        self,
        key: str,
        value: object,
        read: ValueReader,
        now: datetime,
        *,
        live: bool = False,
        answered: bool = True,
    ) -> None:
        """Remember what a command asked for."""
        deadline = now + timedelta(seconds=CONFIRM_WINDOW_S)
        self.values[key] = PendingValue(value, read, deadline, live, answered)

    def get(self, key: str) -> PendingValue | None:
        """Return the pending value of key, if any."""
        return self.values.get(key)

    def settle(
        self, data: ChargerData, now: datetime, *, judged: bool = True
    ) -> list[str]:
        """Drop confirmed values; return the keys that expired unconfirmed.

        Unless `judged`, no settings were read since the command: a value
        may be confirmed, but none expires. A command whose answer was lost
        is not returned: its user was told it failed.
        """
        expired: list[str] = []
        for key, pending in list(self.values.items()):
            if pending.shown_in(data):
                del self.values[key]
            elif judged and now >= pending.deadline:
                del self.values[key]
                if pending.answered:
                    expired.append(key)
        return expired

    def lost(self, data: ChargerData, now: datetime) -> list[PendingValue]:
        """Return the values data does not show although their window has ended."""
        return [pending for pending in self.unseen(data) if pending.deadline <= now]

    def unseen(
        self, data: ChargerData, now: datetime | None = None
    ) -> list[PendingValue]:
        """Return the values data does not show yet (whose window is open at now)."""
        return [
            pending
            for pending in self.values.values()
            if (now is None or pending.deadline > now) and not pending.shown_in(data)
        ]
