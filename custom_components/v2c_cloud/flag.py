"""On/off settings of a charger's shadow, shared by the switch and lock platforms."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from homeassistant.helpers.entity import EntityDescription

from .api import ReportedState, V2CClient
from .coordinator import V2CChargerCoordinator
from .entity import V2CEntity
from .polling import ChargerData


@dataclass(frozen=True, kw_only=True)
class V2CFlagEntityDescription(EntityDescription):
    """How to read a flag from the shadow and how to set it."""

    reported_keys: tuple[str, ...]
    value_fn: Callable[[ReportedState], bool | None]
    set_fn: Callable[[V2CClient, str, bool], Awaitable[None]]
    live: bool = False


def read_flag(description: V2CFlagEntityDescription, data: ChargerData) -> bool | None:
    """Read a flag from the charger's settings."""
    return description.value_fn(data.reported) if data.reported else None


class V2CFlagEntity(V2CEntity):
    """An entity over one flag: optimistic while a command is pending."""

    entity_description: V2CFlagEntityDescription

    def __init__(
        self,
        coordinator: V2CChargerCoordinator,
        description: V2CFlagEntityDescription,
    ) -> None:
        """Bind the description's reader for optimistic values."""
        super().__init__(coordinator, description)
        self._read = partial(read_flag, description)

    @property
    def _flag(self) -> bool | None:
        """Return the pending value of a command, else the reported flag."""
        value = self.coordinator.value(self.entity_description.key, self._read)
        return value if isinstance(value, bool) else None

    async def _async_set_flag(self, *, value: bool) -> None:
        set_fn = self.entity_description.set_fn
        await self.coordinator.async_command(
            lambda client, device_id: set_fn(client, device_id, value),
            key=self.entity_description.key,
            value=value,
            read=self._read,
            live=self.entity_description.live,
        )
