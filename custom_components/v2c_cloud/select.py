"""Selects of the V2C Cloud integration: PV mode and installation settings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import IntEnum
from functools import partial

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import InstallationType, Language, PvMode, ReportedState, SlaveType, V2CClient
from .coordinator import V2CChargerCoordinator, V2CConfigEntry
from .entity import V2CEntity, reports
from .polling import ChargerData

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class V2CSelectEntityDescription(SelectEntityDescription):
    """Describes a V2C select: its enum, and how to read and set it."""

    enum: type[IntEnum]
    reported_keys: tuple[str, ...]
    value_fn: Callable[[ReportedState], IntEnum | None]
    set_fn: Callable[[V2CClient, str, int], Awaitable[None]]
    # Whether the setting changes what the live state shows (charging or not),
    # so its confirmation reads the live state too.
    live: bool = False


SELECTS: tuple[V2CSelectEntityDescription, ...] = (
    V2CSelectEntityDescription(
        key="pv_mode",
        translation_key="pv_mode",
        enum=PvMode,
        reported_keys=("chargefvmode", "fv_mode", "pv_mode"),
        value_fn=lambda reported: reported.pv_mode,
        set_fn=lambda client, device_id, value: client.set_pv_mode(
            device_id, PvMode(value)
        ),
        live=True,
    ),
    V2CSelectEntityDescription(
        key="installation_type",
        translation_key="installation_type",
        entity_category=EntityCategory.CONFIG,
        enum=InstallationType,
        reported_keys=("inst_type",),
        value_fn=lambda reported: reported.installation_type,
        set_fn=lambda client, device_id, value: client.set_installation_type(
            device_id, InstallationType(value)
        ),
    ),
    V2CSelectEntityDescription(
        key="meter_type",
        translation_key="meter_type",
        entity_category=EntityCategory.CONFIG,
        enum=SlaveType,
        reported_keys=("slave_type",),
        value_fn=lambda reported: reported.slave_type,
        set_fn=lambda client, device_id, value: client.set_slave_type(
            device_id, SlaveType(value)
        ),
    ),
    V2CSelectEntityDescription(
        key="language",
        translation_key="language",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        enum=Language,
        reported_keys=("language",),
        value_fn=lambda reported: reported.language,
        set_fn=lambda client, device_id, value: client.set_language(
            device_id, Language(value)
        ),
    ),
)


def _read(description: V2CSelectEntityDescription, data: ChargerData) -> IntEnum | None:
    """Read a select's enum member from the charger's settings."""
    return description.value_fn(data.reported) if data.reported else None


async def async_setup_entry(
    hass: HomeAssistant,
    entry: V2CConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the selects each charger reports."""
    async_add_entities(
        V2CSelectEntity(coordinator, description)
        for coordinator in entry.runtime_data.chargers.values()
        for description in SELECTS
        if reports(coordinator.data, description.reported_keys)
    )


class V2CSelectEntity(V2CEntity, SelectEntity):
    """A charger setting with a fixed set of values; options are translation keys."""

    entity_description: V2CSelectEntityDescription

    def __init__(
        self,
        coordinator: V2CChargerCoordinator,
        description: V2CSelectEntityDescription,
    ) -> None:
        """List the enum's members as options and bind the reader."""
        super().__init__(coordinator, description)
        self._attr_options = [member.name.lower() for member in description.enum]
        self._read = partial(_read, description)

    @property
    def current_option(self) -> str | None:
        """Return the pending option of a command, else the reported one."""
        value = self.coordinator.value(self.entity_description.key, self._read)
        return value.name.lower() if isinstance(value, IntEnum) else None

    async def async_select_option(self, option: str) -> None:
        """Send the chosen option."""
        description = self.entity_description
        member = description.enum[option.upper()]
        await self.coordinator.async_command(
            lambda client, device_id: description.set_fn(client, device_id, member),
            key=description.key,
            value=member,
            read=self._read,
            live=description.live,
        )
