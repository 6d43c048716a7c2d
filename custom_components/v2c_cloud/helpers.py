"""Small helpers shared by the integration's modules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from enum import Enum

from homeassistant.helpers.device_registry import DeviceEntry
from homeassistant.util import dt as dt_util
from yarl import URL

from .const import DOMAIN


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


def without_credentials(url: str) -> str:
    """Return a server URL fit to show: a proxy's user and password left out."""
    try:
        parsed = URL(url)
    except ValueError:
        return url
    if parsed.user is None and parsed.password is None:
        return url
    return str(parsed.with_user(None))
