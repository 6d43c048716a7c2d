"""How long a charger takes to apply a command, learned from confirmation reads.

A confirmation read that comes before the charger applied the command costs a
second read at the end of the window; one that comes long after shows the
command's effect late. After a late find the next confirmations wait the whole
window, and each that finds its command applied brings the next a tenth
sooner. A wait that came too early is not tried again until several
confirmations in a row found their command applied: without that, a charger
about as slow as the whole window has every second command read twice, since a
tenth less than the window is already too early for it. A charger that becomes
fast again is confirmed quickly after a few more commands.
"""

from __future__ import annotations

from dataclasses import dataclass
import math
from typing import Any

DECAY = 0.9
# On-time finds that make a wait which came too early worth trying again.
TRUST_AFTER = 8


@dataclass
class ApplyWait:
    """How long to wait before a charger's confirmation read."""

    wait_s: float = 0.0
    # The last wait that came too early, while it is still avoided.
    too_early_s: float | None = None
    # On-time finds since then.
    on_time: int = 0

    def found_late(self, window_s: float) -> None:
        """Note a command that was not applied when the wait ran out."""
        self.too_early_s = self.wait_s
        self.wait_s = window_s
        self.on_time = 0

    def found_on_time(self) -> None:
        """Note a command found applied at the first confirmation read."""
        shorter = self.wait_s * DECAY
        if self.too_early_s is not None and shorter <= self.too_early_s:
            self.on_time += 1
            if self.on_time < TRUST_AFTER:
                return
            self.too_early_s = None
            self.on_time = 0
        self.wait_s = shorter

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready copy."""
        return {
            "wait_s": self.wait_s,
            "too_early_s": self.too_early_s,
            "on_time": self.on_time,
        }


def apply_wait_from(data: object) -> ApplyWait:
    """Rebuild a saved ApplyWait; anything unreadable starts afresh.

    A number is the wait saved before too-early waits were remembered.
    """
    if isinstance(data, dict):
        too_early = data.get("too_early_s")
        on_time = data.get("on_time")
        return ApplyWait(
            wait_s=_seconds(data.get("wait_s")),
            too_early_s=None if too_early is None else _seconds(too_early),
            on_time=on_time if type(on_time) is int and on_time >= 0 else 0,
        )
    return ApplyWait(wait_s=_seconds(data))


def _seconds(value: object) -> float:
    """Return a finite, non-negative number of seconds, else 0."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    seconds = float(value)
    return seconds if math.isfinite(seconds) and seconds >= 0 else 0.0
