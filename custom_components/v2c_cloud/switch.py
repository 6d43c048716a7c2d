"""Switches of the V2C Cloud integration: charging and on/off settings."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory

from .api import V2CClient
from .setting import V2CSettingEntityDescription, flag_platform, sends

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class V2CSwitchEntityDescription(
    SwitchEntityDescription, V2CSettingEntityDescription[bool]
):
    """Describes a V2C switch: how to read and set its flag."""


async def _set_charging(client: V2CClient, device_id: str, on: bool) -> None:
    """Resume or pause charging."""
    if on:
        await client.start_charge(device_id)
    else:
        await client.pause_charge(device_id)


SWITCHES: tuple[V2CSwitchEntityDescription, ...] = (
    V2CSwitchEntityDescription(
        key="charging",
        translation_key="charging",
        exists_fn=sends("pause", "paused"),
        value_fn=lambda reported: (
            None if reported.paused is None else not reported.paused
        ),
        set_fn=_set_charging,
        live=True,
    ),
    V2CSwitchEntityDescription(
        key="dynamic_power",
        translation_key="dynamic_power",
        exists_fn=sends("dynamic"),
        value_fn=lambda reported: reported.dynamic,
        set_fn=V2CClient.set_dynamic,
        live=True,
    ),
    V2CSwitchEntityDescription(
        key="logo_led",
        translation_key="logo_led",
        exists_fn=sends("logo_led"),
        entity_category=EntityCategory.CONFIG,
        value_fn=lambda reported: reported.logo_led,
        set_fn=V2CClient.set_logo_led,
        may_start_or_stop=False,
    ),
    V2CSwitchEntityDescription(
        key="rfid_reader",
        translation_key="rfid_reader",
        exists_fn=sends("set_rfid", "rfid_reader", "rfid"),
        entity_category=EntityCategory.CONFIG,
        value_fn=lambda reported: reported.rfid_reader,
        set_fn=V2CClient.set_rfid_reader,
    ),
    V2CSwitchEntityDescription(
        key="ocpp",
        translation_key="ocpp",
        exists_fn=sends("ocpp"),
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        value_fn=lambda reported: reported.ocpp_enabled,
        set_fn=V2CClient.set_ocpp,
    ),
)


async_setup_entry = flag_platform(SwitchEntity, SWITCHES)
