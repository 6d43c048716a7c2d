"""Texts of the V2C Cloud integration: OCPP and inverter addresses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.text import TextEntity, TextEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.exceptions import ServiceValidationError

from .api import V2CClient, V2CValidationError, validation as check
from .const import DOMAIN
from .entity import charger_platform
from .setting import V2CSettingEntity, V2CSettingEntityDescription, has_setting, sends

PARALLEL_UPDATES = 1

# Home Assistant states hold at most 255 characters, below the API's URL limit.
MAX_STATE_LENGTH = 255
IPV4_LENGTH = 15


@dataclass(frozen=True, kw_only=True)
class V2CTextEntityDescription(TextEntityDescription, V2CSettingEntityDescription[str]):
    """Describes a V2C text: how to check it before it is sent."""

    check_fn: Callable[[str], str]


TEXTS: tuple[V2CTextEntityDescription, ...] = (
    V2CTextEntityDescription(
        key="ocpp_id",
        translation_key="ocpp_id",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        native_min=1,
        native_max=check.MAX_OCPP_ID_LENGTH,
        pattern=r"^\S+$",
        exists_fn=sends("ocpp_id"),
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
        exists_fn=sends("ocpp_addr", "ocpp_address"),
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
        exists_fn=sends("inverter_ip"),
        value_fn=lambda reported: reported.inverter_ip,
        check_fn=lambda value: check.ipv4("ip", value),
        set_fn=V2CClient.set_inverter_ip,
    ),
)


class V2CTextEntity(V2CSettingEntity[str], TextEntity):
    """A textual charger setting, checked before it is sent."""

    entity_description: V2CTextEntityDescription

    @property
    def native_value(self) -> str | None:
        """Return the pending value of a command, else the reported text."""
        value = self._setting
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
        await self._async_send(value=checked)


async_setup_entry = charger_platform(V2CTextEntity, TEXTS, has_setting)
