"""Lock of the V2C Cloud integration: locks the charging point."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.lock import LockEntity, LockEntityDescription

from .api import V2CClient
from .entity import charger_platform
from .setting import V2CFlagEntity, V2CSettingEntityDescription, has_setting, sends

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


class V2CLockEntity(V2CFlagEntity, LockEntity):
    """The charging point lock: locked, nobody can charge."""

    entity_description: V2CLockEntityDescription

    is_locked = V2CFlagEntity.flag
    async_lock = V2CFlagEntity.async_set_on
    async_unlock = V2CFlagEntity.async_set_off


async_setup_entry = charger_platform(V2CLockEntity, LOCKS, has_setting)
