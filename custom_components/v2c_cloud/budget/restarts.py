"""When a full car charges again: learned per charger from the restarts it showed.

Most cars that finished charging stay full until they leave, so a full car is
read far more slowly than an empty charger. Some do not: a car warming its cabin
before a departure, or topping its battery up while parked, charges again by
itself. Once a charger has shown that, its full car is read as a fixed poller
would read it, except in the quiet hours of a learned routine of restarts (the
arrivals' test, on the times a full car charged again); after enough full stays
without one, it goes back to the slow pace.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import arrivals

# About two weeks of nightly full stays without a restart: the car stopped.
FORGET_AFTER_STAYS = 14


@dataclass
class Restarts:
    """When a charger's full cars charged again, and whether they still do."""

    # Each restart fades the ones before, as each plug-in does for arrivals.
    habit: list[float] = field(default_factory=arrivals.new_habit)
    # Visits whose car was full and left without a restart since the last
    # one; None until a full car ever charged again.
    stays_since: int | None = None
    # The visit under way: was its car full, did it charge again.
    visit_full: bool = False
    visit_restarted: bool = False

    def became_full(self) -> None:
        """Note that the car of this visit is full."""
        self.visit_full = True

    def restarted(self, at: datetime) -> None:
        """Note that the full car charged again by itself at this moment."""
        arrivals.learn(self.habit, at)
        self.stays_since = 0
        self.visit_restarted = True

    def visit_ended(self) -> None:
        """Count a visit whose full car left without charging again."""
        if (
            self.visit_full
            and not self.visit_restarted
            and self.stays_since is not None
        ):
            self.stays_since += 1
        self.visit_full = self.visit_restarted = False

    def seen(self) -> bool:
        """Return True while full cars of this charger charged again lately."""
        return self.stays_since is not None and self.stays_since < FORGET_AFTER_STAYS

    def expecting(self, now: datetime) -> bool:
        """Return True when the full car usually charges again around now."""
        return self.seen() and arrivals.expecting(self.habit, now)

    def quietness(self, now: datetime) -> float:
        """Return how sure it is that the full car stays full now, from 0 to 1."""
        if not self.seen():
            return 1.0
        return arrivals.quietness(self.habit, now)

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready copy."""
        return {
            "habit": list(self.habit),
            "stays_since": self.stays_since,
            "visit_full": self.visit_full,
            "visit_restarted": self.visit_restarted,
        }


def restarts_from(data: object) -> Restarts:
    """Rebuild saved restarts; anything unreadable starts afresh."""
    if not isinstance(data, dict):
        return Restarts()
    stays_since = data.get("stays_since")
    if type(stays_since) is not int or stays_since < 0:
        stays_since = None
    return Restarts(
        habit=arrivals.habit_from(data.get("habit")),
        stays_since=stays_since,
        visit_full=data.get("visit_full") is True,
        visit_restarted=data.get("visit_restarted") is True,
    )
