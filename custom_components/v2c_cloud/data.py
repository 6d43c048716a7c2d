"""What is known about one charger, free of Home Assistant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .api import ChargeState, CurrentState, ReportedState
from .budget import ChargerActivity

# Ventilation is charging in a room that asks for it: power flows all the same.
CHARGING_STATES = frozenset({ChargeState.CHARGING, ChargeState.VENTILATION})
_NO_CAR_STATES = frozenset({ChargeState.NO_VEHICLE})


@dataclass(frozen=True, kw_only=True)
class ChargerData:
    """Everything known about one charger, with when each part was read."""

    device_id: str
    state: CurrentState | None = None
    reported: ReportedState | None = None
    connected: bool | None = None
    state_at: datetime | None = None
    reported_at: datetime | None = None

    @property
    def activity(self) -> ChargerActivity:
        """Classify the charger for the planner."""
        if self.connected is False:
            return ChargerActivity.OFFLINE
        charge_state = self.state.charge_state if self.state else None
        if charge_state in CHARGING_STATES:
            return ChargerActivity.CHARGING
        if charge_state is None or charge_state in _NO_CAR_STATES:
            return ChargerActivity.IDLE
        if self.state and self.state.photovoltaic_on:
            if (self.state.sun_power_w or 0) > 0:
                return ChargerActivity.WAITING
            return ChargerActivity.SUNLESS
        return ChargerActivity.PLUGGED
