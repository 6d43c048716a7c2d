"""Take over config entries and entities: our older versions and the other V2C Cloud integration.

The other HACS integration uses our domain, so replacing its files with ours leaves its
version-2 entry and its `v2c_<device id>_<suffix>` registry entries behind. Entities whose
meaning is the same as one of ours get our unique id, so their entity id, name and history
stay; the others are removed and listed in one repair issue with what replaces each.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_API_KEY, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)

from .config_flow import V2CCloudConfigFlow
from .const import (
    CONF_BASE_URL,
    CONF_COMMAND_RESERVE,
    CONF_POLL_IDLE,
    CONF_QUOTA_SHARE,
    DOMAIN,
    LOGGER,
)

DATA_KEYS: Final = (CONF_API_KEY, CONF_BASE_URL)
OPTION_KEYS: Final = (CONF_QUOTA_SHARE, CONF_COMMAND_RESERVE, CONF_POLL_IDLE)
LEGACY_VERSION: Final = 2
# Where their version 2 and version 1 entries keep the chargers they saw.
LEGACY_PAIRINGS: Final = ("cached_pairings", "initial_pairings")
LEGACY_PREFIX: Final = "v2c_"
NO_REPLACEMENT: Final = "—"


@dataclass(frozen=True, kw_only=True)
class Counterpart:
    """Our entity for one of theirs: the same one (migrated) or its replacement."""

    platform: Platform
    key: str
    same: bool


def _same(platform: Platform, key: str) -> Counterpart:
    return Counterpart(platform=platform, key=key, same=True)


def _instead(platform: Platform, key: str) -> Counterpart:
    return Counterpart(platform=platform, key=key, same=False)


# Their unique-id suffixes. `_same` keeps the registry entry; `_instead` only names what
# replaces it, because state or domain differ (their pause switch is on when paused, their
# lock is a switch, their selects use other option values); None: nothing replaces it.
LEGACY_ENTITIES: Final[Mapping[str, Counterpart | None]] = {
    "charge_state": _same(Platform.SENSOR, "charge_state"),
    "charge_power": _same(Platform.SENSOR, "charging_power"),
    "house_power": _same(Platform.SENSOR, "house_power"),
    "fv_power": _same(Platform.SENSOR, "solar_power"),
    "battery_power": _same(Platform.SENSOR, "battery_power"),
    "charge_energy": _same(Platform.SENSOR, "session_energy"),
    "charge_time": _same(Platform.SENSOR, "session_duration"),
    "firmware_version": _same(Platform.SENSOR, "firmware_version"),
    "grid_voltage": _same(Platform.SENSOR, "cp_level"),
    "contracted_power": _same(Platform.SENSOR, "contract_power"),
    "wifi_ssid": _same(Platform.SENSOR, "wifi_ssid"),
    "wifi_ip": _same(Platform.SENSOR, "ip_address"),
    "signal_status": _instead(Platform.SENSOR, "wifi_signal"),
    "device_identifier": None,
    "ready_state": None,
    "slave_error": None,
    "timer_state": None,
    "intensity_number": _same(Platform.NUMBER, "charge_current"),
    "min_intensity_number": _same(Platform.NUMBER, "min_car_current"),
    "max_intensity_number": _same(Platform.NUMBER, "max_car_current"),
    "contracted_power_number": _instead(Platform.SENSOR, "contract_power"),
    "light_led_number": None,
    "logo_led": _same(Platform.SWITCH, "logo_led"),
    "dynamic": _same(Platform.SWITCH, "dynamic_power"),
    "rfid_reader": _same(Platform.SWITCH, "rfid_reader"),
    "ocpp_enabled": _same(Platform.SWITCH, "ocpp"),
    "charging_pause": _instead(Platform.SWITCH, "charging"),
    "locked": _instead(Platform.LOCK, "locked"),
    "pause_dynamic": None,
    "timer": None,
    "installation_type": _instead(Platform.SELECT, "installation_type"),
    "slave_type": _instead(Platform.SELECT, "meter_type"),
    "language": _instead(Platform.SELECT, "language"),
    "dynamic_power_mode": _instead(Platform.SENSOR, "dynamic_power_mode"),
    "charge_mode": None,
    "reboot": _same(Platform.BUTTON, "reboot"),
    "trigger_update": _same(Platform.BUTTON, "update_firmware"),
    "connected_status": _same(Platform.BINARY_SENSOR, "online"),
}
# Longest first: "min_intensity_number" also ends with "_intensity_number".
_SUFFIXES: Final = sorted(LEGACY_ENTITIES, key=len, reverse=True)


@dataclass(frozen=True, kw_only=True)
class RemovedEntity:
    """One of their entities we removed, with the charger it belonged to."""

    entity_id: str
    device_id: str | None
    counterpart: Counterpart | None


async def async_migrate_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Bring an entry to our version: keep the key and our options, drop the rest."""
    version = V2CCloudConfigFlow.VERSION
    if entry.version > version:
        LOGGER.error(
            "The V2C Cloud entry %s was saved by a newer version of this "
            "integration (entry version %s, this one understands %s); "
            "install that newer version again",
            entry.title,
            entry.version,
            version,
        )
        return False
    if entry.version == version:
        return True
    if not entry.data.get(CONF_API_KEY):
        LOGGER.error(
            "The V2C Cloud entry %s has no API key to keep (a local-only entry of "
            "the other V2C Cloud integration?); remove it and add the integration "
            "again with an API key",
            entry.title,
        )
        return False
    unique_id = entry.unique_id
    kept: tuple[str, ...] = DATA_KEYS
    if _is_theirs(entry):
        unique_id = _account_unique_id(hass, entry)
        # Their older entries may hold a server URL of their own; ours use V2C's.
        kept = (CONF_API_KEY,)
        _clear_service_devices(hass, entry)
    hass.config_entries.async_update_entry(
        entry,
        data={key: entry.data[key] for key in kept if key in entry.data},
        options={
            key: entry.options[key] for key in OPTION_KEYS if key in entry.options
        },
        unique_id=unique_id,
        version=version,
        minor_version=V2CCloudConfigFlow.MINOR_VERSION,
    )
    LOGGER.debug("Migrated V2C Cloud entry %s to version %s", entry.title, version)
    return True


def _is_theirs(entry: ConfigEntry) -> bool:
    """Tell the other integration's entries: version 2, or keys we never write."""
    return entry.version == LEGACY_VERSION or not set(entry.data) <= set(DATA_KEYS)


def _account_unique_id(hass: HomeAssistant, entry: ConfigEntry) -> str | None:
    """Our entry unique id (the lowest device id), from data the entry already has.

    Theirs is a hash of the key, which reauthentication would never match.
    """
    device_ids = _registered_chargers(hass, entry)
    for key in LEGACY_PAIRINGS:
        device_ids.update(_cached_device_ids(entry.data.get(key)))
    if not device_ids or entry.unique_id in device_ids:
        return entry.unique_id
    unique_id = min(device_ids)
    taken = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, unique_id)
    return entry.unique_id if taken not in (None, entry) else unique_id


def _registered_chargers(hass: HomeAssistant, entry: ConfigEntry) -> set[str]:
    """Return the V2C device ids of the entry's devices."""
    registry = dr.async_get(hass)
    return {
        identifier
        for device in dr.async_entries_for_config_entry(registry, entry.entry_id)
        for domain, identifier in device.identifiers
        if domain == DOMAIN
    }


def _cached_device_ids(pairings: Any) -> Iterable[str]:
    if not isinstance(pairings, list):
        return
    for pairing in pairings:
        if isinstance(pairing, dict) and isinstance(pairing.get("deviceId"), str):
            yield pairing["deviceId"]


def _clear_service_devices(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Their chargers are registered as services; ours are devices."""
    registry = dr.async_get(hass)
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        if device.entry_type is dr.DeviceEntryType.SERVICE:
            registry.async_update_device(device.id, entry_type=None)


def parse_legacy_unique_id(unique_id: str) -> tuple[str | None, str | None]:
    """Split one of their unique ids into (device id, suffix); (None, None) if ours."""
    if not unique_id.startswith(LEGACY_PREFIX):
        return None, None
    rest = unique_id.removeprefix(LEGACY_PREFIX)
    for suffix in _SUFFIXES:
        if rest.endswith(f"_{suffix}") and len(rest) > len(suffix) + 1:
            return rest[: -len(suffix) - 1], suffix
    return None, rest


@callback
def async_take_over_entities(
    hass: HomeAssistant, entry: ConfigEntry
) -> list[RemovedEntity]:
    """Give their entities our unique ids where meaning is the same; remove the rest.

    Runs before the platforms are set up, so our entities find their registry entries.
    """
    registry = er.async_get(hass)
    chargers = _registered_chargers(hass, entry)
    removed: list[RemovedEntity] = []
    for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
        device_id, suffix = parse_legacy_unique_id(entity.unique_id)
        if suffix is None:
            continue
        if device_id not in chargers:
            # A suffix of theirs we do not know can end like one we do.
            device_id = None
        counterpart = LEGACY_ENTITIES.get(suffix)
        if (
            device_id is not None
            and counterpart is not None
            and counterpart.same
            and entity.domain == counterpart.platform
        ):
            unique_id = f"{device_id}_{counterpart.key}"
            if registry.async_get_entity_id(entity.domain, DOMAIN, unique_id) is None:
                registry.async_update_entity(entity.entity_id, new_unique_id=unique_id)
                continue
        registry.async_remove(entity.entity_id)
        removed.append(
            RemovedEntity(
                entity_id=entity.entity_id,
                device_id=device_id,
                counterpart=counterpart,
            )
        )
    if removed:
        LOGGER.info(
            "Removed %s entities of the other V2C Cloud integration that have no "
            "same-meaning entity here; see the repair issue",
            len(removed),
        )
    return removed


@callback
def async_report_removed_entities(
    hass: HomeAssistant, entry: ConfigEntry, removed: list[RemovedEntity]
) -> None:
    """Raise one issue naming each removed entity and the entity that replaces it.

    Runs after the platforms are set up, so the replacements have entity ids.
    """
    if not removed:
        return
    registry = er.async_get(hass)
    lines = []
    for item in removed:
        replacement = None
        if item.counterpart is not None and item.device_id is not None:
            replacement = registry.async_get_entity_id(
                item.counterpart.platform,
                DOMAIN,
                f"{item.device_id}_{item.counterpart.key}",
            )
        shown = f"`{replacement}`" if replacement else NO_REPLACEMENT
        lines.append(f"- `{item.entity_id}` → {shown}")
    ir.async_create_issue(
        hass,
        DOMAIN,
        f"replaced_entities_{entry.entry_id}",
        is_fixable=True,
        is_persistent=True,
        severity=ir.IssueSeverity.WARNING,
        translation_key="replaced_entities",
        translation_placeholders={"entities": "\n".join(lines)},
    )
