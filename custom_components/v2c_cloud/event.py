"""Charging session events of V2C chargers."""

from __future__ import annotations

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import callback

from .api import CurrentState
from .coordinator import V2CChargerCoordinator
from .data import CHARGING_STATES
from .energy import new_session
from .entity import V2CEntity, charger_platform

PARALLEL_UPDATES = 0

SESSION_STARTED = "session_started"
SESSION_FINISHED = "session_finished"

EVENTS: tuple[EventEntityDescription, ...] = (
    EventEntityDescription(
        key="session",
        translation_key="session",
        event_types=[SESSION_STARTED, SESSION_FINISHED],
    ),
)

type SessionEvent = tuple[str, dict[str, float | int | None]]


def session_events(before: CurrentState, after: CurrentState) -> list[SessionEvent]:
    """Return the session events between two readings of the live state.

    A session follows the charging pilot, not the current: a real Trydan keeps
    the pilot at C while exclusive PV holds the car at 0 A, so a passing cloud
    neither finishes nor restarts a session.
    """
    was_charging = before.charge_state in CHARGING_STATES
    is_charging = after.charge_state in CHARGING_STATES
    restarted = new_session(before.energy_kwh, after.energy_kwh)
    events: list[SessionEvent] = []
    if was_charging and (restarted or not is_charging):
        last = before if restarted else after
        events.append(
            (
                SESSION_FINISHED,
                {"energy_kwh": last.energy_kwh, "duration_s": last.session_seconds},
            )
        )
    if is_charging and (restarted or not was_charging):
        events.append((SESSION_STARTED, {}))
    return events


class V2CEventEntity(V2CEntity, EventEntity):
    """Fires when a charging session starts or finishes."""

    entity_description: EventEntityDescription

    def __init__(
        self, coordinator: V2CChargerCoordinator, description: EventEntityDescription
    ) -> None:
        """Remember the live state the next reading is compared with."""
        super().__init__(coordinator, description)
        self._last_state = coordinator.data.state

    @callback
    def _handle_coordinator_update(self) -> None:
        """Fire the events the new reading implies."""
        state = self.coordinator.data.state
        if state is not None and self._last_state is not None:
            for event_type, attributes in session_events(self._last_state, state):
                self._trigger_event(event_type, attributes)
                self.async_write_ha_state()
        self._last_state = state or self._last_state
        super()._handle_coordinator_update()


async_setup_entry = charger_platform(V2CEventEntity, EVENTS)
