"""Lock of the V2C Cloud integration: locks the charging point."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.components.lock import LockEntity, LockEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import V2CClient
from .coordinator import V2CConfigEntry
from .entity import reports
from .flag import V2CFlagEntity, V2CFlagEntityDescription

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class V2CLockEntityDescription(LockEntityDescription, V2CFlagEntityDescription):
    """Describes a V2C lock: how to read and set its state."""


LOCKS: tuple[V2CLockEntityDescription, ...] = (
    V2CLockEntityDescription(
        key="locked",
        translation_key="locked",
        reported_keys=("locked",),
        value_fn=lambda reported: reported.locked,
        set_fn=V2CClient.set_locked,
    ),
)


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
        if reports(coordinator.data, description.reported_keys)
    )


class V2CLockEntity(V2CFlagEntity, LockEntity):
    """The charging point lock: locked, nobody can charge."""

    entity_description: V2CLockEntityDescription

    @property
    def is_locked(self) -> bool | None:
        """Return the pending value of a command, else the reported state."""
        return self._flag

    async def async_lock(self, **kwargs: Any) -> None:
        """Lock the charging point."""
        await self._async_set_flag(value=True)

    async def async_unlock(self, **kwargs: Any) -> None:
        """Unlock the charging point."""
        await self._async_set_flag(value=False)
