"""Small helpers shared by the integration's modules."""

from __future__ import annotations

from datetime import UTC, datetime

from homeassistant.util import dt as dt_util

from .api import transport


def utcnow() -> datetime:
    """Return the current time; one place so tests can freeze it."""
    return dt_util.utcnow()


def format_reset_time(reset_at: datetime | None) -> str:
    """Format when the quota comes back; V2C's day ends at midnight UTC."""
    if reset_at is None:
        return "00:00 UTC"
    return reset_at.astimezone(UTC).strftime("%H:%M UTC")


def mask_device_id(device_id: str) -> str:
    """Shorten a device id for logs the way the client's request logs do."""
    return transport.mask_device_id(device_id)
