"""Settings of a charger's shadow: one contract for switch, lock, number, select and text."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from homeassistant.components.lock import LockEntity
from homeassistant.components.switch import SwitchEntity
from homeassistant.helpers.entity import Entity, EntityDescription

from .api import ReportedState, V2CClient
from .coordinator import V2CChargerCoordinator
from .data import ChargerData
from .entity import PlatformSetup, V2CControlEntity, charger_platform


@dataclass(frozen=True, kw_only=True)
class V2CSettingEntityDescription[T](EntityDescription):
    """How to read a setting from the shadow, whether a charger has it, how to set it."""

    value_fn: Callable[[ReportedState], T | None]
    set_fn: Callable[[V2CClient, str, T], Awaitable[None]]
    exists_fn: Callable[[ReportedState], bool]
    # Whether the setting changes if the car charges, so its confirmation reads
    # the live state too.
    live: bool = False
    # Whether it may start or stop a charge (a resume, a raised target, an
    # unlock, a pause): a full car seen charging, or a charge seen ending,
    # after it may be its doing, not the car's own.
    may_start_or_stop: bool = True


def sends(*keys: str) -> Callable[[ReportedState], bool]:
    """Return an `exists_fn`: the charger has the setting when its shadow carries a key.

    Whatever the value: one that cannot be read today shows as unknown instead
    of removing the entity.
    """
    return lambda reported: any(key in reported.raw for key in keys)


def read_setting[T](
    description: V2CSettingEntityDescription[T], data: ChargerData
) -> T | None:
    """Read a setting from the charger's shadow, as the live state last showed it.

    A pause or a lock the settings show is lifted by a charge seen well after
    them (`ChargerData.settings`).
    """
    settings = data.settings
    return description.value_fn(settings) if settings else None


def has_setting[T](
    description: V2CSettingEntityDescription[T], data: ChargerData
) -> bool:
    """Return whether the charger's shadow carries the setting."""
    return data.reported is not None and description.exists_fn(data.reported)


class V2CSettingEntity[T](V2CControlEntity):
    """An entity over one setting: optimistic while its command is pending."""

    entity_description: V2CSettingEntityDescription[T]

    def __init__(
        self,
        coordinator: V2CChargerCoordinator,
        description: V2CSettingEntityDescription[T],
    ) -> None:
        """Bind the description's reader for optimistic values."""
        super().__init__(coordinator, description)
        self._read = partial(read_setting, description)

    @property
    def _setting(self) -> object:
        """Return the value a pending command asked for, else the reported one."""
        return self.coordinator.value(self.entity_description.key, self._read)

    async def _async_send(self, *, value: T) -> None:
        """Send the new value through the coordinator, which confirms it."""
        description = self.entity_description
        await self.coordinator.async_command(
            description.set_fn,
            value,
            key=description.key,
            read=self._read,
            live=description.live,
            may_start_or_stop=description.may_start_or_stop,
        )


class V2CFlagEntity(V2CSettingEntity[bool]):
    """A setting that is on or off; each platform gives its members its own names."""

    @property
    def flag(self) -> bool | None:
        """Return the pending value of a command, else the reported flag."""
        value = self._setting
        return value if isinstance(value, bool) else None

    async def async_set_on(self, **kwargs: Any) -> None:
        """Set the flag."""
        await self._async_send(value=True)

    async def async_set_off(self, **kwargs: Any) -> None:
        """Clear the flag."""
        await self._async_send(value=False)


# Home Assistant's names for a flag's state, its setter and its clearer.
FLAG_MEMBERS: dict[type[Entity], tuple[str, str, str]] = {
    LockEntity: ("is_locked", "async_lock", "async_unlock"),
    SwitchEntity: ("is_on", "async_turn_on", "async_turn_off"),
}


def flag_platform(
    platform: type[Entity],
    descriptions: Iterable[V2CSettingEntityDescription[bool]],
) -> PlatformSetup:
    """Return the setup of a platform of flags: `V2CFlagEntity` under its names."""
    state, set_on, set_off = FLAG_MEMBERS[platform]
    entity: type[V2CFlagEntity] = type(
        f"V2C{platform.__name__}",
        (V2CFlagEntity, platform),
        {
            state: V2CFlagEntity.flag,
            set_on: V2CFlagEntity.async_set_on,
            set_off: V2CFlagEntity.async_set_off,
        },
    )
    return charger_platform(entity, descriptions, has_setting)
