"""Texts of the V2C Cloud integration: OCPP and inverter addresses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
import re

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
    """Describes a V2C text: how to check it before it is sent, and when to show it.

    No `pattern`, `native_min` or `native_max`: Home Assistant's text platform
    checks those before async_set_value with a plain ValueError (an "unknown
    error" in English and a stack trace), so a typo would never get check_fn's
    translated message. They only decide which reported values are shown.
    """

    check_fn: Callable[[str], str]
    shown_pattern: str
    shown_length: tuple[int, int]


TEXTS: tuple[V2CTextEntityDescription, ...] = (
    V2CTextEntityDescription(
        key="ocpp_id",
        translation_key="ocpp_id",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        shown_length=(1, check.MAX_OCPP_ID_LENGTH),
        shown_pattern=r"^\S+$",
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
        shown_length=(1, MAX_STATE_LENGTH),
        # URL schemes are case-insensitive (RFC 3986), as check_fn takes them.
        shown_pattern=r"^(?i:wss?)://\S+$",
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
        shown_length=(7, IPV4_LENGTH),
        shown_pattern=r"^\d{1,3}(\.\d{1,3}){3}$",
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
        # An odd reported value reads as unknown; Home Assistant refuses a
        # state longer than MAX_STATE_LENGTH, and the update would fail.
        low, high = self.entity_description.shown_length
        if not low <= len(value) <= high:
            return None
        if not re.match(self.entity_description.shown_pattern, value):
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
