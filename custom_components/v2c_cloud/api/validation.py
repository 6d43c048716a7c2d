"""Checks run on arguments before a request is sent; each returns the wire form."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from enum import IntEnum
import ipaddress
import math
import string
from typing import TypeIs
from urllib.parse import urlsplit

from .exceptions import V2CValidationError

MIN_AMPS = 6
MAX_AMPS = 32
PILOT_MAX_AMPS = 80
MAX_KWH = 200.0
MAX_MINUTES = 1440
MAX_ID_LENGTH = 64
MAX_RFID_LENGTH = 32
MAX_OCPP_ID_LENGTH = 48
MAX_URL_LENGTH = 512
MAX_SSID_BYTES = 32
WIFI_PASSWORD_LENGTH = (8, 63)
RAW_PSK_LENGTH = 64


def _is_bad_char(char: str) -> bool:
    return char.isspace() or not char.isprintable()


def is_device_id(value: object) -> TypeIs[str]:
    """Tell a device id the client sends: 1-64 printable characters, no whitespace.

    Also the rule a pairing's id is read by, so a charger the list names is
    one the client can ask about.
    """
    return (
        isinstance(value, str)
        and 1 <= len(value) <= MAX_ID_LENGTH
        and not any(_is_bad_char(char) for char in value)
    )


def api_key(value: object) -> str:
    """Check an API key: printable characters without whitespace; return it stripped.

    It travels in a header, which cannot carry a line break (aiohttp refuses
    one with a plain ValueError); no V2C key holds a space either. A key split
    across lines when pasted is refused here, before any call; whitespace
    around it, which a header's value drops anyway, is not sent. The message
    never repeats the key.
    """
    key = value.strip() if isinstance(value, str) else ""
    if not key or any(_is_bad_char(char) for char in key):
        raise V2CValidationError(
            "api_key", "api_key must be printable characters without whitespace"
        )
    return key


def device_id(value: object) -> str:
    """Check a device id: 1-64 printable characters without whitespace."""
    if not is_device_id(value):
        raise V2CValidationError(
            "device_id",
            f"device_id must be 1-{MAX_ID_LENGTH} characters without whitespace",
        )
    return value


def flag(parameter: str, value: object) -> str:
    """Check an on/off flag (a real bool) and return "1" or "0"."""
    if not isinstance(value, bool):
        raise V2CValidationError(parameter, f"{parameter} must be True or False")
    return "1" if value else "0"


def integer(parameter: str, value: object, minimum: int, maximum: int) -> int:
    """Check an integer within [minimum, maximum]."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not minimum <= value <= maximum
    ):
        raise V2CValidationError(
            parameter, f"{parameter} must be an integer from {minimum} to {maximum}"
        )
    return value


def positive_integer(parameter: str, value: object) -> int:
    """Check an integer greater than zero."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise V2CValidationError(parameter, f"{parameter} must be an integer above 0")
    return value


def energy_kwh(parameter: str, value: object, *, zero: bool = False) -> str:
    """Check an energy amount in kWh (0 < kWh <= 200) and format it without noise.

    With `zero`, 0 is accepted too (a stop-after target's "no target").
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value <= MAX_KWH
        or (value == 0 and not zero)
        # Sent to the watt-hour: an amount that rounds to none would be "0".
        or (value != 0 and round(value, 3) == 0)
    ):
        lowest = "at least 0" if zero else "above 0"
        raise V2CValidationError(
            parameter, f"{parameter} must be {lowest} and at most {MAX_KWH:g} kWh"
        )
    if value == 0:
        return "0"  # Not "-0" for -0.0.
    return f"{value:.3f}".rstrip("0").rstrip(".")


def enum_member[E: IntEnum](parameter: str, value: object, enum: type[E]) -> E:
    """Check a member (or integer value) of an enum."""
    allowed = ", ".join(str(member.value) for member in enum)
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return enum(value)
        except ValueError:
            pass
    raise V2CValidationError(parameter, f"{parameter} must be one of {allowed}")


def text(parameter: str, value: object, max_length: int) -> str:
    """Check printable, non-blank text of at most max_length characters."""
    if (
        not isinstance(value, str)
        or not value.strip()
        or len(value) > max_length
        or not value.isprintable()
    ):
        raise V2CValidationError(
            parameter,
            f"{parameter} must be 1-{max_length} printable characters, not blank",
        )
    return value


def token(parameter: str, value: object, max_length: int) -> str:
    """Check an identifier: printable text without whitespace."""
    checked = text(parameter, value, max_length)
    if any(_is_bad_char(char) for char in checked):
        raise V2CValidationError(parameter, f"{parameter} must not contain whitespace")
    return checked


def ocpp_address(value: object) -> str:
    """Check an OCPP central system URL (ws:// or wss://, any case, with a host)."""
    url = token("url", value, MAX_URL_LENGTH)
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    try:
        # Reading the port checks it: urlsplit alone accepts ws://host:70000.
        port_ok = parts is not None and (parts.port is None or parts.port > 0)
    except ValueError:
        port_ok = False
    if (
        parts is None
        or parts.scheme not in ("ws", "wss")
        or not parts.hostname
        or not port_ok
    ):
        raise V2CValidationError(
            "url", "url must be a ws:// or wss:// URL with a host and a port 1-65535"
        )
    return url


def ipv4(parameter: str, value: object) -> str:
    """Check the dotted-quad IPv4 address of a device (not 0.0.0.0, a broadcast...)."""
    try:
        address = ipaddress.IPv4Address(value if isinstance(value, str) else "")
    except ValueError:
        address = None
    if (
        address is None
        or address.is_unspecified
        or address.is_loopback
        or address.is_multicast
        or address.is_reserved
    ):
        raise V2CValidationError(
            parameter, f"{parameter} must be an IPv4 address such as 192.168.1.100"
        )
    return str(address)


def ssid(value: object) -> str:
    """Check a WiFi SSID: 1-32 bytes of UTF-8."""
    if (
        not isinstance(value, str)
        or not value.isprintable()
        or not 1 <= len(value.encode("utf-8")) <= MAX_SSID_BYTES
    ):
        raise V2CValidationError("ssid", "ssid must be 1-32 bytes of printable text")
    return value


def wifi_password(value: object) -> str:
    """Check a WPA passphrase (8-63 printable ASCII), a raw key or "" for an open network."""
    low, high = WIFI_PASSWORD_LENGTH
    if not isinstance(value, str) or (
        value
        and not (low <= len(value) <= high and value.isascii() and value.isprintable())
        and not _is_raw_psk(value)
    ):
        raise V2CValidationError(
            "password",
            f"password must be {low}-{high} printable ASCII characters, "
            f"{RAW_PSK_LENGTH} hex digits, or empty",
        )
    return value


def _is_raw_psk(value: str) -> bool:
    """Return True for WPA's raw pre-shared key: 64 hex digits instead of a passphrase."""
    return len(value) == RAW_PSK_LENGTH and all(
        char in string.hexdigits for char in value
    )


def wall_time(parameter: str, value: object) -> str:
    """Check a whole-minute, timezone-free time and return "HH:MM"."""
    if (
        not isinstance(value, time)
        or value.tzinfo is not None
        or value.second
        or value.microsecond
    ):
        raise V2CValidationError(
            parameter, f"{parameter} must be a naive datetime.time on a whole minute"
        )
    return value.strftime("%H:%M")


def days_of_week(value: object) -> str:
    """Check days 1-7 (Monday=1), unique and non-empty, and return e.g. "135"."""
    message = "days must be unique integers from 1 (Monday) to 7, at least one"
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise V2CValidationError("days", message)
    days = list(value)
    if (
        not days
        or len(set(days)) != len(days)
        or any(
            isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 7
            for day in days
        )
    ):
        raise V2CValidationError("days", message)
    return "".join(str(day) for day in sorted(days))


def calendar_date(parameter: str, value: object) -> str:
    """Check a date (not a datetime) and return it as YYYY-MM-DD."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise V2CValidationError(parameter, f"{parameter} must be a datetime.date")
    return value.isoformat()


def date_range(start: object, end: object) -> tuple[str | None, str | None]:
    """Check optional start/end dates with start not after end."""
    first = None if start is None else calendar_date("start", start)
    last = None if end is None else calendar_date("end", end)
    if first is not None and last is not None and first > last:
        raise V2CValidationError("start", "start must not be after end")
    return first, last


def utc_timestamp(parameter: str, value: object) -> str:
    """Check an aware datetime and return it in UTC as YYYY-MM-DDTHH:MM:SSZ."""
    message = f"{parameter} must be a timezone-aware datetime"
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise V2CValidationError(parameter, message)
    try:
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except OverflowError:
        raise V2CValidationError(parameter, message) from None
