"""Lock of the V2C Cloud integration: locks the charging point."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.components.lock import LockEntity, LockEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import V2CClient
from .coordinator import V2CConfigEntry
from .entity import async_add_charger_entities
from .setting import V2CSettingEntity, V2CSettingEntityDescription, has_setting, sends

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class V2CLockEntityDescription(
    LockEntityDescription, V2CSettingEntityDescription[bool]
):
    """Describes a V2C lock: how to read and set its state."""


LOCKS: tuple[V2CLockEntityDescription, ...] = (
    V2CLockEntityDescription(
        key="locked",
        translation_key="locked",
        exists_fn=sends("locked"),
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
    async_add_charger_entities(
        hass,
        entry,
        async_add_entities,
        lambda coordinator: (
            V2CLockEntity(coordinator, description)
            for description in LOCKS
            if has_setting(description, coordinator.data)
        ),
    )


class V2CLockEntity(V2CSettingEntity[bool], LockEntity):
    """The charging point lock: locked, nobody can charge."""

    entity_description: V2CLockEntityDescription

    @property
    def is_locked(self) -> bool | None:
        """Return the pending value of a command, else the reported state."""
        return self._setting if isinstance(self._setting, bool) else None

    async def async_lock(self, **kwargs: Any) -> None:
        """Lock the charging point."""
        await self._async_send(value=True)

    async def async_unlock(self, **kwargs: Any) -> None:
        """Unlock the charging point."""
        await self._async_send(value=False)
