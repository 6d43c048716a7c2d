"""Texts of the V2C Cloud integration: OCPP and inverter addresses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from homeassistant.components.text import TextEntity, TextEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import ReportedState, V2CClient, V2CValidationError, validation as check
from .const import DOMAIN
from .coordinator import V2CChargerCoordinator, V2CConfigEntry
from .entity import V2CEntity
from .polling import ChargerData

PARALLEL_UPDATES = 1

# Home Assistant states hold at most 255 characters, below the API's URL limit.
MAX_STATE_LENGTH = 255
IPV4_LENGTH = 15


@dataclass(frozen=True, kw_only=True)
class V2CTextEntityDescription(TextEntityDescription):
    """Describes a V2C text: which shadow keys carry it, how to check and set it."""

    reported_keys: tuple[str, ...]
    value_fn: Callable[[ReportedState], str | None]
    check_fn: Callable[[str], str]
    set_fn: Callable[[V2CClient, str, str], Awaitable[None]]


TEXTS: tuple[V2CTextEntityDescription, ...] = (
    V2CTextEntityDescription(
        key="ocpp_id",
        translation_key="ocpp_id",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        native_min=1,
        native_max=check.MAX_OCPP_ID_LENGTH,
        pattern=r"^\S+$",
        reported_keys=("ocpp_id",),
        value_fn=lambda reported: reported.ocpp_id,
        check_fn=lambda value: check.token("value", value, check.MAX_OCPP_ID_LENGTH),
        set_fn=V2CClient.set_ocpp_id,
    ),
    V2CTextEntityDescription(
        key="ocpp_address",
        translation_key="ocpp_address",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        native_min=1,
        native_max=MAX_STATE_LENGTH,
        pattern=r"^wss?://\S+$",
        reported_keys=("ocpp_addr", "ocpp_address"),
        value_fn=lambda reported: reported.ocpp_address,
        check_fn=check.ocpp_address,
        set_fn=V2CClient.set_ocpp_address,
    ),
    V2CTextEntityDescription(
        key="inverter_ip",
        translation_key="inverter_ip",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        native_min=7,
        native_max=IPV4_LENGTH,
        pattern=r"^\d{1,3}(\.\d{1,3}){3}$",
        reported_keys=("inverter_ip",),
        value_fn=lambda reported: reported.inverter_ip,
        check_fn=lambda value: check.ipv4("ip", value),
        set_fn=V2CClient.set_inverter_ip,
    ),
)


def _read(description: V2CTextEntityDescription, data: ChargerData) -> str | None:
    """Read a text from the charger's settings."""
    return description.value_fn(data.reported) if data.reported else None


def _exists(description: V2CTextEntityDescription, data: ChargerData) -> bool:
    """Return whether the shadow carries the setting; empty text reads as None."""
    raw = data.reported.raw if data.reported else {}
    return any(key in raw for key in description.reported_keys)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: V2CConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the texts each charger reports."""
    async_add_entities(
        V2CTextEntity(coordinator, description)
        for coordinator in entry.runtime_data.chargers.values()
        for description in TEXTS
        if _exists(description, coordinator.data)
    )


class V2CTextEntity(V2CEntity, TextEntity):
    """A textual charger setting, checked before it is sent."""

    entity_description: V2CTextEntityDescription

    def __init__(
        self,
        coordinator: V2CChargerCoordinator,
        description: V2CTextEntityDescription,
    ) -> None:
        """Bind the description's reader for optimistic values."""
        super().__init__(coordinator, description)
        self._read = partial(_read, description)

    @property
    def native_value(self) -> str | None:
        """Return the pending value of a command, else the reported text."""
        value = self.coordinator.value(self.entity_description.key, self._read)
        if not isinstance(value, str):
            return None
        # Home Assistant refuses a state outside the length or pattern and the
        # update would fail: an odd reported value reads as unknown instead.
        if not self.native_min <= len(value) <= self.native_max:
            return None
        if self.pattern_cmp is not None and not self.pattern_cmp.match(value):
            return None
        return value

    async def async_set_value(self, value: str) -> None:
        """Check the text, then send it."""
        description = self.entity_description
        try:
            checked = description.check_fn(value)
        except V2CValidationError as err:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key=f"invalid_{description.key}",
                translation_placeholders={"value": value},
            ) from err
        await self.coordinator.async_command(
            lambda client, device_id: description.set_fn(client, device_id, checked),
            key=description.key,
            value=checked,
            read=self._read,
        )
