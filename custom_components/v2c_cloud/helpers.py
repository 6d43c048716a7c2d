"""Small helpers shared by the integration's modules."""

from __future__ import annotations

from datetime import datetime

from homeassistant.util import dt as dt_util


def utcnow() -> datetime:
    """Return the current time; one place so tests can freeze it."""
    return dt_util.utcnow()


def mask_device_id(device_id: str) -> str:
    """Shorten a device id for logs: enough to tell chargers apart, not to identify one."""
    return f"…{device_id[-3:]}" if len(device_id) > 3 else "…"
