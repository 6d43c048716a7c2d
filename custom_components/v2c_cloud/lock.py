"""Lock of the V2C Cloud integration: locks the charging point."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from homeassistant.components.lock import LockEntity, LockEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import ReportedState, V2CClient
from .coordinator import V2CChargerCoordinator, V2CConfigEntry
from .entity import V2CEntity
from .polling import ChargerData

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class V2CLockEntityDescription(LockEntityDescription):
    """Describes a V2C lock: how to read and set its state."""

    value_fn: Callable[[ReportedState], bool | None]
    set_fn: Callable[[V2CClient, str, bool], Awaitable[None]]


LOCKS: tuple[V2CLockEntityDescription, ...] = (
    V2CLockEntityDescription(
        key="locked",
        translation_key="locked",
        value_fn=lambda reported: reported.locked,
        set_fn=V2CClient.set_locked,
    ),
)


def _read(description: V2CLockEntityDescription, data: ChargerData) -> bool | None:
    """Read whether the charging point is locked."""
    return description.value_fn(data.reported) if data.reported else None


async def async_setup_entry(
    hass: HomeAssistant,
    entry: V2CConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the lock of each charger that reports it."""
    async_add_entities(
        V2CLockEntity(coordinator, description)
        for coordinator in entry.runtime_data.chargers.values()
        for description in LOCKS
        if _read(description, coordinator.data) is not None
    )


class V2CLockEntity(V2CEntity, LockEntity):
    """The charging point lock: locked, nobody can charge."""

    entity_description: V2CLockEntityDescription

    def __init__(
        self,
        coordinator: V2CChargerCoordinator,
        description: V2CLockEntityDescription,
    ) -> None:
        """Bind the description's reader for optimistic values."""
        super().__init__(coordinator, description)
        self._read = partial(_read, description)

    @property
    def is_locked(self) -> bool | None:
        """Return the pending value of a command, else the reported state."""
        value = self.coordinator.value(self.entity_description.key, self._read)
        return value if isinstance(value, bool) else None

    async def async_lock(self, **kwargs: Any) -> None:
        """Lock the charging point."""
        await self._async_set(locked=True)

    async def async_unlock(self, **kwargs: Any) -> None:
        """Unlock the charging point."""
        await self._async_set(locked=False)

    async def _async_set(self, *, locked: bool) -> None:
        set_fn = self.entity_description.set_fn
        await self.coordinator.async_command(
            lambda client, device_id: set_fn(client, device_id, locked),
            key=self.entity_description.key,
            value=locked,
            read=self._read,
        )
