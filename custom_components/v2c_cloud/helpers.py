"""Small helpers shared by the integration's modules."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceEntry
from homeassistant.util import dt as dt_util
from yarl import URL

from .const import (
    CONF_COMMAND_RESERVE,
    CONF_POLL_IDLE,
    CONF_QUOTA_SHARE,
    DEFAULT_COMMAND_RESERVE,
    DEFAULT_POLL_IDLE,
    DEFAULT_QUOTA_SHARE,
    DOMAIN,
)


def quota_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Return the quota options the planner runs with: those saved over the defaults.

    A share saved as 57.5 stays 57.5, not the 57 a form would save.
    """
    return {
        CONF_QUOTA_SHARE: options.get(CONF_QUOTA_SHARE, DEFAULT_QUOTA_SHARE),
        CONF_COMMAND_RESERVE: int(
            options.get(CONF_COMMAND_RESERVE, DEFAULT_COMMAND_RESERVE)
        ),
        CONF_POLL_IDLE: bool(options.get(CONF_POLL_IDLE, DEFAULT_POLL_IDLE)),
    }


def utcnow() -> datetime:
    """Return the current time; one place so tests can freeze it."""
    return dt_util.utcnow()


def iso_or_none(moment: date | None) -> str | None:
    """Return a date or moment in ISO 8601 for JSON, or None."""
    return moment.isoformat() if moment is not None else None


def option_of(member: Enum) -> str:
    """Return the state or option an enum member shows as (its translation key)."""
    return member.name.lower()


def options_of(enum: type[Enum]) -> list[str]:
    """Return every state or option of an enum, in its order."""
    return [option_of(member) for member in enum]


def format_reset_time(reset_at: datetime | None) -> str:
    """Format when the quota comes back; V2C's day ends at midnight UTC."""
    if reset_at is None:
        return "00:00 UTC"
    # Rounded up to the minute, so a user who tries again then is not early;
    # a fraction of a second is the header's rounding, not a later minute.
    if reset_at.second:
        reset_at += timedelta(seconds=60 - reset_at.second)
    return reset_at.astimezone(UTC).strftime("%H:%M UTC")


def own_identifiers(device: DeviceEntry) -> set[str]:
    """Return the identifiers this integration gave a device: device ids, entry id."""
    return {identifier for domain, identifier in device.identifiers if domain == DOMAIN}


def entry_device(
    hass: HomeAssistant, entry_id: str, identifier: str
) -> DeviceEntry | None:
    """Return the entry's device with one of this integration's identifiers.

    Searched among the entry's own devices: since Home Assistant 2026.8 an
    identifier is unique only within a config entry, and a look-up by
    identifiers alone is deprecated.
    """
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry_id)
    return next((d for d in devices if identifier in own_identifiers(d)), None)


def device_entry_id(hass: HomeAssistant, device_id: str) -> str | None:
    """Return the id of this integration's entry that owns a device, if any.

    Asked of each entry, as on every release since 2026.2: a device's own list
    of config entries is deprecated since 2026.10.
    """
    registry = dr.async_get(hass)
    return next(
        (
            entry.entry_id
            for entry in hass.config_entries.async_entries(DOMAIN)
            if any(
                device.id == device_id
                for device in dr.async_entries_for_config_entry(
                    registry, entry.entry_id
                )
            )
        ),
        None,
    )


def without_credentials(url: str) -> str:
    """Return a server URL fit to show: a proxy's user and password left out."""
    try:
        parsed = URL(url)
    except ValueError:
        return url
    if parsed.user is None and parsed.password is None:
        return url
    return str(parsed.with_user(None))
