"""What one reading says of the charging session, as the session events compare it."""

from __future__ import annotations

from dataclasses import dataclass
import math
from typing import Any, Self

from .api import CurrentState
from .data import CHARGING_STATES


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
