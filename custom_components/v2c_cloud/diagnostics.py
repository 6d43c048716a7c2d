"""Diagnostics for V2C Cloud: what support needs, with secrets and identifiers redacted."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_API_KEY
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntry

from .const import DOMAIN
from .coordinator import V2CChargerCoordinator, V2CConfigEntry
from .helpers import utcnow

TO_REDACT = {
    CONF_API_KEY,
    "apikey",
    "device_id",
    "deviceId",
    "id",
    "mac",
    "wifi_info",
    "wifi_ssid",
    "ssid",
    "wifi_ip",
    "ip",
    "inverter_ip",
    "code",
    "rfid_code",
    "rfidCode",
    "rfid_name",
    "rfidName",
    "password",
    "ocpp_id",
    "ocpp_address",
    "ocpp_addr",
    "pairing_id",
    "unique_id",
    "serial_number",
}


def _plain(value: Any) -> Any:
    """Turn models, enums and datetimes into JSON-friendly values."""
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _planner(entry: V2CConfigEntry) -> dict[str, Any]:
    """Return the planner's view with chargers listed, not keyed by device id."""
    snapshot: dict[str, Any] = _plain(entry.runtime_data.planner.snapshot(utcnow()))
    snapshot["chargers"] = list(snapshot["chargers"].values())
    return snapshot


def _charger(coordinator: V2CChargerCoordinator) -> dict[str, Any]:
    return {
        "pairing": _plain(coordinator.pairing),
        "data": _plain(coordinator.data),
        "last_update_success": coordinator.last_update_success,
        "pending_commands": sorted(coordinator.poller.pending.values),
    }


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: V2CConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for a config entry."""
    runtime = entry.runtime_data
    chargers = [_charger(coordinator) for coordinator in runtime.chargers.values()]
    return async_redact_data(
        {
            "entry": {"data": dict(entry.data), "options": dict(entry.options)},
            "planner": _planner(entry),
            "client": {
                "calls_made": runtime.client.calls_made,
                "quota": _plain(runtime.client.quota),
                "last_responses": _plain(dict(runtime.client.last_responses)),
            },
            "chargers": chargers,
        },
        TO_REDACT,
    )


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: V2CConfigEntry, device: DeviceEntry
) -> dict[str, Any]:
    """Return diagnostics for one charger."""
    runtime = entry.runtime_data
    for domain, identifier in device.identifiers:
        if domain == DOMAIN and identifier in runtime.chargers:
            return async_redact_data(_charger(runtime.chargers[identifier]), TO_REDACT)
    return async_redact_data({"planner": _planner(entry)}, TO_REDACT)
