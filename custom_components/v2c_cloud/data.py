"""What is known about one charger, free of Home Assistant."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from .api import ChargeState, CurrentState, DynamicPowerMode, PvMode, ReportedState
from .budget import ChargerActivity

# A charger shows a command from a few seconds up to about this long after it, in
# its settings and in its live state alike.
CONFIRM_WINDOW_S = 90.0
# Ventilation is charging in a room that asks for it: power flows all the same.
CHARGING_STATES = frozenset({ChargeState.CHARGING, ChargeState.VENTILATION})
# A real Trydan (2.4.6) keeps the pilot at C while exclusive PV finds no surplus:
# charge_state "2" with 0 A and 0 kW. No car charges below 100 W or 1 A.
_FLOWING_W = 100.0
_FLOWING_A = 1.0
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
    def settings(self) -> ReportedState | None:
        """Return the settings as they hold now: those read, less a pause or lock lifted since.

        A paused or locked charger offers no current. A live read that shows
        a charge a command's window or more after the settings were read says
        the pause or lock they show was lifted since (from V2C's app, say):
        Charging shows on, and the lock open, without a call to read them
        again. Sooner, the charge may be a pause or lock still applying. A
        solar mode is no such hold: a charge at night does not say it is off.
        The poller keeps them lifted in the next live reads (`holds_lifted`),
        whatever the car does, until the settings are read again.
        """
        after_s = self._charge_after_settings_s
        if after_s is None or after_s < CONFIRM_WINDOW_S:
            return self.reported
        return _lifted(self.reported)

    @property
    def charge_after_settings(self) -> bool:
        """Return True when a live read after the settings shows a charge.

        Then a pause or a lock they show is in doubt, however soon after.
        """
        return self._charge_after_settings_s is not None

    def holds_lifted(self) -> ChargerData:
        """Return this data with the settings' pause and lock lifted, as a charge says."""
        return replace(self, reported=_lifted(self.reported))

    @property
    def _charge_after_settings_s(self) -> float | None:
        """Return how long after the settings a live read showed a charge, if one did."""
        state, state_at, reported_at = self.state, self.state_at, self.reported_at
        if (
            state is None
            or state_at is None
            or reported_at is None
            or self.connected is False
            or is_charging(state) is not True
        ):
            return None
        after_s = (state_at - reported_at).total_seconds()
        return after_s if after_s > 0 else None

    @property
    def activity(self) -> ChargerActivity:
        """Classify the charger for the planner."""
        if self.connected is False:
            return ChargerActivity.OFFLINE
        state = self.state
        if state is None or state.charge_state in (None, *_NO_CAR_STATES):
            return ChargerActivity.IDLE
        if is_charging(state):
            return ChargerActivity.CHARGING
        sun_only = self._sun_only
        if not state.photovoltaic_on or sun_only is False:
            return ChargerActivity.PLUGGED
        if state.sun_power_w is None:
            # Unknown sun: whether the sun or something else holds the car
            # cannot be told, so it may start at any moment.
            return ChargerActivity.PLUGGED
        if state.sun_power_w > 0:
            if self._held_by_more_than_sun:
                return ChargerActivity.PLUGGED
            return ChargerActivity.WAITING
        # Read slowly until the sun is back only when the settings say the car
        # waits for it: in a mode they do not name, a car held in the dark by
        # something else may start at any moment. Exclusive PV gives no current
        # in the dark, whatever else holds the car.
        if sun_only:
            return ChargerActivity.SUNLESS
        return ChargerActivity.PLUGGED

    @property
    def _held_by_more_than_sun(self) -> bool:
        """Return True when a car in a solar mode, under the sun, waits for more.

        A Trydan the sun holds keeps the pilot at C ("2", 0 A): a car whose
        pilot does not ask for a charge (B, "1": full, or held by the car
        itself) waits for no surplus, nor does one the settings pause or lock.
        Those are held as cars outside solar modes are.
        """
        state, reported = self.state, self.reported
        if state is None or state.charge_state not in CHARGING_STATES:
            return True
        return reported is not None and bool(reported.paused or reported.locked)

    @property
    def _sun_only(self) -> bool | None:
        """Return whether the settings make a plugged car's charge wait for surplus.

        True in exclusive PV, False in a mode the grid tops up or one that does
        not follow the sun, None when the settings do not name the mode.
        """
        reported = self.reported
        if reported is None:
            return None
        # `fv_mode` first: it is the key the PV-mode select sets (and reads
        # back to confirm), so it shows a mode chosen here at once; how a real
        # Trydan's `dynamic_power_mode` follows that command is not observed.
        # Without a usable `fv_mode` (inferred, never seen on a real charger),
        # the mode a real Trydan 2.4.6 names: exclusive PV waits for the sun;
        # minimum power and grid + PV charge from the grid too; timed power
        # and stop do not follow the sun.
        if reported.pv_mode is not None:
            return reported.pv_mode is PvMode.PV_ONLY
        if reported.dynamic_power_mode is not None:
            return reported.dynamic_power_mode is DynamicPowerMode.EXCLUSIVE_PV
        return None


def _lifted(reported: ReportedState | None) -> ReportedState | None:
    """Return settings whose pause and lock, if any, are lifted."""
    if reported is None or not (reported.paused or reported.locked):
        return reported
    return replace(
        reported,
        paused=False if reported.paused else reported.paused,
        locked=False if reported.locked else reported.locked,
    )


def is_charging(state: CurrentState) -> bool | None:
    """Return whether the car draws current; None when the pilot state is unknown.

    The pilot state alone does not say it (see `_FLOWING_W`): a charging pilot
    counts when the power or the current read shows a charge, or when neither
    was read.
    """
    if state.charge_state is None:
        return None
    if state.charge_state not in CHARGING_STATES:
        return False
    if state.power_w is None and state.intensity_a is None:
        return True
    return (state.power_w or 0.0) >= _FLOWING_W or (
        state.intensity_a or 0.0
    ) >= _FLOWING_A


# Less than this much more energy between two slow reads is not a charge: a
# trickle below what counts as charging (under 100 W for half an hour), or an
# energy total that lags the end of the charge by a few seconds. Still below a
# minute at 7.4 kW, five at 1.4 kW.
_UNSEEN_CHARGE_KWH = 0.1


def charged_between(before: CurrentState | None, after: CurrentState | None) -> bool:
    """Return True when the session's energy grew between two reads that saw no charge.

    A car that charges again briefly (a top-up, cabin warming) can start and
    stop between two slow reads; its session energy still tells. A session
    that is younger than before is another car's, whatever its energy.
    """
    if before is None or after is None or is_charging(before) or is_charging(after):
        return False
    if after.charge_state in (None, *_NO_CAR_STATES):
        return False
    energy_before, energy_after = before.energy_kwh, after.energy_kwh
    seconds_before, seconds_after = before.session_seconds, after.session_seconds
    if (
        energy_before is None
        or energy_after is None
        or seconds_before is None
        or seconds_after is None
    ):
        return False
    return (
        energy_after > energy_before + _UNSEEN_CHARGE_KWH
        and seconds_after >= seconds_before
    )
