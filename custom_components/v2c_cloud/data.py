"""What is known about one charger, free of Home Assistant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .api import ChargeState, CurrentState, PvMode, ReportedState
from .budget import ChargerActivity

# Ventilation is charging in a room that asks for it: power flows all the same.
CHARGING_STATES = frozenset({ChargeState.CHARGING, ChargeState.VENTILATION})
_NO_CAR_STATES = frozenset({ChargeState.NO_VEHICLE})
# Solar modes in which the grid tops up what the sun lacks: a car that is not
# charging in them is not waiting for surplus.
_GRID_BACKED_PV_MODES = frozenset({PvMode.PV_PLUS_MIN, PvMode.MAX_POWER})


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
        if self._follows_the_sun:
            if self.state and (self.state.sun_power_w or 0) > 0:
                return ChargerActivity.WAITING
            return ChargerActivity.SUNLESS
        return ChargerActivity.PLUGGED

    @property
    def _follows_the_sun(self) -> bool:
        """Return True when a plugged car's charge waits for solar surplus.

        The live state only says a solar mode is on; the settings shadow, when
        it names the mode, tells exclusive PV from modes the grid tops up.
        """
        if not (self.state and self.state.photovoltaic_on):
            return False
        mode = self.reported.pv_mode if self.reported else None
        return mode not in _GRID_BACKED_PV_MODES
