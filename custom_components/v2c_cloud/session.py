"""What the readings say of the charging session, as the session events compare it."""

from __future__ import annotations

from dataclasses import dataclass
import math
from typing import Any, Self

from .api import CurrentState
from .data import CHARGING_STATES
from .energy import clock_went_back, new_session


@dataclass(frozen=True)
class SessionMark:
    """Whether a session ran at a reading, and its energy and duration then.

    All that the next reading is compared with: the last one of a run is
    saved, so a session that ends across a reload or a restart is reported.
    """

    charging: bool
    energy_kwh: float | None = None
    duration_s: int | None = None

    @classmethod
    def of(cls, state: CurrentState) -> Self:
        """Return what a live reading says of the session."""
        return cls(
            state.charge_state in CHARGING_STATES,
            state.energy_kwh,
            state.session_seconds,
        )

    def as_dict(self) -> dict[str, Any]:
        """Return the data to store across restarts."""
        return {
            "charging": self.charging,
            "energy_kwh": self.energy_kwh,
            "duration_s": self.duration_s,
        }

    @classmethod
    def from_dict(cls, saved: object) -> Self | None:
        """Rebuild a saved mark; None when it is unusable."""
        if not isinstance(saved, dict):
            return None
        charging = saved.get("charging")
        energy = saved.get("energy_kwh")
        duration = saved.get("duration_s")
        if not isinstance(charging, bool):
            return None
        if energy is not None and (
            isinstance(energy, bool)
            or not isinstance(energy, int | float)
            or not math.isfinite(energy)
            or energy < 0
        ):
            return None
        if duration is not None and (
            isinstance(duration, bool) or not isinstance(duration, int) or duration < 0
        ):
            return None
        return cls(charging, None if energy is None else float(energy), duration)


class SessionFollower:
    """The mark a charger's next reading is compared with, past odd readings.

    One for each charger, fed each live reading: the event entity compares
    with it and the store saves it, so a restart right after an odd reading
    compares the first reading with the same mark the events would have.
    """

    def __init__(self, saved: SessionMark | None = None) -> None:
        """Start from the mark the run before saved, if any."""
        self.mark = saved
        self._held = False

    def follow(self, state: CurrentState) -> None:
        """Take a live reading in."""
        if state.charge_state is None:
            # An unreadable pilot state is no sign the car stopped or left.
            return
        reading = SessionMark.of(state)
        if not self._held and self.mark is not None and _dip(self.mark, reading):
            # One read may show the session energy fallen mid-charge or idle (a
            # glitch the lifetime energy rides out too): a new session must
            # hold for a second reading, and is reported one read late if it
            # does.
            self._held = True
            return
        self._held = False
        self.mark = reading


def _dip(before: SessionMark, after: SessionMark) -> bool:
    """Return True when the energy fell while nothing else says a session ended."""
    return (
        before.charging == after.charging
        and new_session(before.energy_kwh, after.energy_kwh)
        and not clock_went_back(before.duration_s, after.duration_s)
    )
