"""Diagnostics for V2C Cloud: what support needs, with secrets and identifiers redacted."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from homeassistant.components.diagnostics import REDACTED
from homeassistant.const import CONF_API_KEY
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntry

from .const import CONF_BASE_URL, DOMAIN
from .coordinator import V2CChargerCoordinator, V2CConfigEntry
from .helpers import utcnow, without_credentials

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
    "uid",
    "rfid_cards",
    "email",
}
# Compared case-insensitively: replies say `SSID` as well as `ssid`.
_KEYS = frozenset(key.lower() for key in TO_REDACT)
# Shorter values (a "1", an "on") would redact harmless text everywhere.
_MIN_SECRET_LENGTH = 4
# Model fields that keep a reply as received.
_UNPARSED = frozenset({"extra", "raw"})


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


def _names_only(value: Any) -> Any:
    """Return a raw reply's field names and value types, never its values.

    Raw replies hold whatever V2C sends, including fields no one here knows
    (an e-mail address, a card holder's name); the parsed data holds the values.
    """
    if isinstance(value, dict):
        return {str(key): _names_only(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_names_only(item) for item in value]
    return type(value).__name__


def _unknown_as_names(value: Any) -> Any:
    """Replace unparsed fields (a model's `extra` and `raw` reply) by their names."""
    if isinstance(value, dict):
        return {
            key: _names_only(item) if key in _UNPARSED else _unknown_as_names(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_unknown_as_names(item) for item in value]
    return value


def _redact(value: Any, secrets: frozenset[str]) -> Any:
    """Redact sensitive keys (any case) and every known secret wherever it appears."""
    if isinstance(value, dict):
        return {
            key: REDACTED if str(key).lower() in _KEYS else _redact(item, secrets)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_redact(item, secrets) for item in value]
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, REDACTED)
    return value


def _secrets(entry: V2CConfigEntry) -> frozenset[str]:
    """Return the values never to show: the key and every charger's identifiers."""
    values: set[str] = {str(entry.data.get(CONF_API_KEY, ""))}
    for device_id, coordinator in entry.runtime_data.chargers.items():
        values.add(device_id)
        reported = coordinator.data.reported if coordinator.data else None
        if reported is not None:
            values.update(
                str(getattr(reported, name, None) or "")
                for name in ("mac", "wifi_ssid", "ocpp_id", "inverter_ip")
            )
    return frozenset(value for value in values if len(value) >= _MIN_SECRET_LENGTH)


def _safe(entry: V2CConfigEntry, data: dict[str, Any]) -> dict[str, Any]:
    """Return data fit for a file shared with strangers."""
    redacted: dict[str, Any] = _redact(_unknown_as_names(data), _secrets(entry))
    return redacted


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
        # The values asked for stay out (an address, a name): when each must
        # show and whether its answer came tell what support needs.
        "pending_commands": [
            {
                "key": key,
                "deadline": pending.deadline.isoformat(),
                "answered": pending.answered,
                "live": pending.live,
            }
            for key, pending in sorted(coordinator.poller.pending.values.items())
        ],
    }


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: V2CConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for a config entry."""
    runtime = entry.runtime_data
    chargers = [_charger(coordinator) for coordinator in runtime.chargers.values()]
    return _safe(
        entry,
        {
            "entry": {"data": _entry_data(entry), "options": dict(entry.options)},
            "planner": _planner(entry),
            "client": {
                "calls_made": runtime.client.calls_made,
                "quota": _plain(runtime.client.quota),
                "last_responses": _names_only(
                    _plain(dict(runtime.client.last_responses))
                ),
            },
            "chargers": chargers,
        },
    )


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: V2CConfigEntry, device: DeviceEntry
) -> dict[str, Any]:
    """Return diagnostics for one charger."""
    runtime = entry.runtime_data
    for domain, identifier in device.identifiers:
        if domain == DOMAIN and identifier in runtime.chargers:
            return _safe(entry, _charger(runtime.chargers[identifier]))
    return _safe(entry, {"planner": _planner(entry)})


def _entry_data(entry: V2CConfigEntry) -> dict[str, Any]:
    """Return the entry's data; a server URL shows without a proxy's credentials."""
    data = dict(entry.data)
    if isinstance(url := data.get(CONF_BASE_URL), str):
        data[CONF_BASE_URL] = without_credentials(url)
    return data
