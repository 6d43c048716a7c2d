"""Charging session events of V2C chargers."""

from __future__ import annotations

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import callback

from .coordinator import V2CChargerCoordinator
from .energy import (
    SESSION_RESET_MIN_DROP_KWH,
    clock_restarted,
    clock_went_back,
    new_session,
)
from .entity import V2CEntity, charger_platform
from .session import SessionMark

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


def session_events(before: SessionMark, after: SessionMark) -> list[SessionEvent]:
    """Return the session events between two readings of the live state.

    A session follows the charging pilot, not the current: a real Trydan keeps
    the pilot at C while exclusive PV holds the car at 0 A, so a passing cloud
    neither finishes nor restarts a session. A new session shows by its energy
    falling or, read only once past the old one's energy, by its clock going
    back; one charged wholly between two readings without a car charging
    (Home Assistant stopped, sparse reads) by its figures.
    """
    restarted = new_session(before.energy_kwh, after.energy_kwh) or clock_restarted(
        before.energy_kwh, before.duration_s, after.energy_kwh, after.duration_s
    )
    events: list[SessionEvent] = []
    if before.charging and (restarted or not after.charging):
        last = before if restarted else after
        events.append(_finished(last))
    elif not before.charging and not after.charging and _charged_unseen(before, after):
        events.append(_finished(after))
    if after.charging and (restarted or not before.charging):
        events.append((SESSION_STARTED, {}))
    return events


def _finished(mark: SessionMark) -> SessionEvent:
    return (
        SESSION_FINISHED,
        {"energy_kwh": mark.energy_kwh, "duration_s": mark.duration_s},
    )


def _charged_unseen(before: SessionMark, after: SessionMark) -> bool:
    """Return True when two idle readings show a session charged between them.

    The figures must tell another session: energy charged since (a clock
    ticking on while a car waits, its energy unchanged, is the old session
    going on), or less energy on a clock that went back. A session that has
    not charged yet (a car just plugged in) is none; a one-reading dip the
    session follower held back.
    """
    if (
        before.energy_kwh is None
        or after.energy_kwh is None
        or after.energy_kwh < SESSION_RESET_MIN_DROP_KWH
    ):
        return False
    if after.energy_kwh - before.energy_kwh >= SESSION_RESET_MIN_DROP_KWH:
        return True
    return new_session(before.energy_kwh, after.energy_kwh) and clock_went_back(
        before.duration_s, after.duration_s
    )


class V2CEventEntity(V2CEntity, EventEntity):
    """Fires when a charging session starts or finishes."""

    entity_description: EventEntityDescription

    def __init__(
        self, coordinator: V2CChargerCoordinator, description: EventEntityDescription
    ) -> None:
        """Start with no reading to compare the next one with."""
        super().__init__(coordinator, description)
        self._last: SessionMark | None = None

    async def async_added_to_hass(self) -> None:
        """Compare the first reading with the last one of the run before.

        A session that ended (or began) between the last read before a reload
        or a restart and the setup read shows only in that comparison. The
        saved reading is taken once: a second reload, or the entity added
        again, compares with the readings of this run.
        """
        await super().async_added_to_hass()
        store = self.coordinator.config_entry.runtime_data.store
        self._last = store.sessions.pop(self.coordinator.device_id, None)
        # Home Assistant writes no state before the entity is added, which
        # ends after this returns: events fired now would not be seen.
        self.async_on_remove(self.hass.loop.call_soon(self._compare).cancel)

    @callback
    def _handle_coordinator_update(self) -> None:
        """Fire the events the new reading implies."""
        self._compare()
        super()._handle_coordinator_update()

    @callback
    def _compare(self) -> None:
        """Fire the events between the last mark and the charger's current one."""
        mark = self.coordinator.session.mark
        if mark is None:
            return
        events = [] if self._last is None else session_events(self._last, mark)
        for event_type, attributes in events:
            self._trigger_event(event_type, attributes)
            self.async_write_ha_state()
        self._last = mark
        if events:
            # The reading that fired them must reach the file, or the next
            # start fires them again (see V2CStore.save_soon).
            self.coordinator.config_entry.runtime_data.store.save_soon()


async_setup_entry = charger_platform(V2CEventEntity, EVENTS)
