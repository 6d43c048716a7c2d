"""Selects of the V2C Cloud integration: PV mode and installation settings."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory

from .api import InstallationType, Language, PvMode, SlaveType
from .coordinator import V2CChargerCoordinator
from .entity import charger_platform
from .helpers import option_of, options_of
from .setting import V2CSettingEntity, V2CSettingEntityDescription, has_setting, sends

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class V2CSelectEntityDescription(
    SelectEntityDescription, V2CSettingEntityDescription[IntEnum]
):
    """Describes a V2C select: its enum, and how to read and set it."""

    enum: type[IntEnum]


SELECTS: tuple[V2CSelectEntityDescription, ...] = (
    V2CSelectEntityDescription(
        key="pv_mode",
        translation_key="pv_mode",
        exists_fn=sends("chargefvmode", "fv_mode", "pv_mode"),
        enum=PvMode,
        value_fn=lambda reported: reported.pv_mode,
        set_fn=lambda client, device_id, value: client.set_pv_mode(
            device_id, PvMode(value)
        ),
        live=True,
    ),
    V2CSelectEntityDescription(
        key="installation_type",
        translation_key="installation_type",
        exists_fn=sends("inst_type"),
        entity_category=EntityCategory.CONFIG,
        enum=InstallationType,
        value_fn=lambda reported: reported.installation_type,
        set_fn=lambda client, device_id, value: client.set_installation_type(
            device_id, InstallationType(value)
        ),
    ),
    V2CSelectEntityDescription(
        key="meter_type",
        translation_key="meter_type",
        exists_fn=sends("slave_type"),
        entity_category=EntityCategory.CONFIG,
        enum=SlaveType,
        value_fn=lambda reported: reported.slave_type,
        set_fn=lambda client, device_id, value: client.set_slave_type(
            device_id, SlaveType(value)
        ),
    ),
    V2CSelectEntityDescription(
        key="language",
        translation_key="language",
        exists_fn=sends("language"),
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        enum=Language,
        value_fn=lambda reported: reported.language,
        set_fn=lambda client, device_id, value: client.set_language(
            device_id, Language(value)
        ),
        may_start_or_stop=False,
    ),
)


class V2CSelectEntity(V2CSettingEntity[IntEnum], SelectEntity):
    """A charger setting with a fixed set of values; options are translation keys."""

    entity_description: V2CSelectEntityDescription

    def __init__(
        self,
        coordinator: V2CChargerCoordinator,
        description: V2CSelectEntityDescription,
    ) -> None:
        """List the enum's members as options."""
        super().__init__(coordinator, description)
        self._attr_options = options_of(description.enum)

    @property
    def current_option(self) -> str | None:
        """Return the pending option of a command, else the reported one."""
        value = self._setting
        return option_of(value) if isinstance(value, IntEnum) else None

    async def async_select_option(self, option: str) -> None:
        """Send the chosen option."""
        await self._async_send(value=self.entity_description.enum[option.upper()])


async_setup_entry = charger_platform(V2CSelectEntity, SELECTS, has_setting)
