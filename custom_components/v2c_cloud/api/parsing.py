"""Tolerant decoding of V2C Cloud bodies and field values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, time
from enum import IntEnum
import html
import json
import math
import re

from .exceptions import V2CResponseError

EXCERPT_LENGTH = 200

_TAG_RE = re.compile(r"<[^>]*>")
_SPACE_RE = re.compile(r"\s+")
_TRUE = frozenset({"1", "true", "on", "yes"})
_FALSE = frozenset({"0", "false", "off", "no"})


def excerpt(text: str, secrets: Iterable[str] = ()) -> str:
    """Return at most 200 characters of text with HTML tags and secrets removed."""
    plain = _SPACE_RE.sub(" ", html.unescape(_TAG_RE.sub(" ", text))).strip()
    for secret in secrets:
        if secret:
            plain = plain.replace(secret, "***")
    return plain[:EXCERPT_LENGTH]


def decode_body(
    raw: bytes, content_type: str, status: int, secrets: Iterable[str] = ()
) -> object:
    """Decode a successful body: JSON whatever the content type, else plain text."""
    text = raw.decode("utf-8", errors="replace").strip()
    if not text:
        return None
    if "html" in content_type.lower() or text.startswith("<"):
        raise V2CResponseError(
            f"V2C Cloud sent an HTML page instead of data (HTTP {status})",
            status=status,
            excerpt=excerpt(text, secrets),
        )
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return text


def as_mapping(payload: object, what: str) -> Mapping[str, object]:
    """Return payload as an object, decoding a JSON document sent inside a string."""
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except (ValueError, RecursionError):
            raise V2CResponseError(f"Expected an object for {what}") from None
    if not isinstance(payload, Mapping):
        raise V2CResponseError(f"Expected an object for {what}")
    return payload


def as_list(payload: object, what: str) -> list[object]:
    """Return payload as a list: an empty body is [], a lone object a one-item list."""
    if isinstance(payload, str):
        try:
            payload = json.loads(payload) if payload.strip() else None
        except (ValueError, RecursionError):
            raise V2CResponseError(f"Expected a list for {what}") from None
    if payload is None:
        return []
    if isinstance(payload, Mapping):
        return [payload]
    if not isinstance(payload, list):
        raise V2CResponseError(f"Expected a list for {what}")
    return payload


def _invalid(field: str) -> V2CResponseError:
    return V2CResponseError(f"Unexpected value for field '{field}'")


def to_float(value: object, field: str) -> float | None:
    """Parse a number sent as number or string; empty means None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _invalid(field)
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
    try:
        result = float(value)
    except (ValueError, OverflowError):
        raise _invalid(field) from None
    if not math.isfinite(result):
        raise _invalid(field)
    return result


def to_int(value: object, field: str) -> int | None:
    """Parse an integer sent as number or string ("6", 6, "6.000000")."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("+-").isdigit():
            try:
                return int(text)
            except ValueError:
                raise _invalid(field) from None
    number = to_float(value, field)
    if number is None:
        return None
    if not number.is_integer():
        raise _invalid(field)
    return int(number)


def to_bool(value: object, field: str) -> bool | None:
    """Parse a flag sent as bool, 0/1 or a word."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if not text:
            return None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise _invalid(field)


def to_str(value: object, field: str) -> str | None:
    """Parse text; numbers become their string form and empty means None."""
    if value is None:
        return None
    if isinstance(value, str):
        return value or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise _invalid(field)


def to_enum[E: IntEnum](enum: type[E], value: object, field: str) -> E | None:
    """Parse an enum member; values the enum does not know become None."""
    number = to_int(value, field)
    if number is None:
        return None
    try:
        return enum(number)
    except ValueError:
        return None


def to_datetime(value: object, field: str) -> datetime | None:
    """Parse an ISO 8601 timestamp; naive values stay naive (charger local time)."""
    text = to_str(value, field)
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise _invalid(field) from None


def to_time(value: object, field: str) -> time | None:
    """Parse a wall-clock time such as "22:00"."""
    text = to_str(value, field)
    if text is None:
        return None
    try:
        return time.fromisoformat(text.strip())
    except ValueError:
        raise _invalid(field) from None


def to_days(value: object, field: str) -> tuple[int, ...]:
    """Parse days of week sent as a digit string ("135") or a list of numbers."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        items: list[object] = list(value.replace(",", "").replace(" ", ""))
    elif isinstance(value, list):
        items = value
    else:
        items = [value]
    days = tuple(to_int(item, field) for item in items)
    if any(day is None or not 1 <= day <= 7 for day in days):
        raise _invalid(field)
    return tuple(sorted({day for day in days if day is not None}))


def to_float_series(value: object, field: str) -> tuple[float, ...]:
    """Parse a pipe-separated series such as "0.9|3.5|3.6"."""
    if value is None:
        return ()
    if isinstance(value, list):
        items: list[object] = value
    else:
        text = to_str(value, field)
        items = [] if text is None else list(text.split("|"))
    numbers = (to_float(item, field) for item in items)
    return tuple(number for number in numbers if number is not None)


def kw_to_w(value: float | None) -> float | None:
    """Convert kilowatts to watts, rounded to the milliwatt."""
    return None if value is None else round(value * 1000, 3)


class FieldReader:
    """Read fields of one object by alias, remembering which keys were consumed."""

    def __init__(self, data: Mapping[str, object]) -> None:
        """Wrap an object decoded from JSON."""
        self._data = data
        self._used: set[str] = set()

    def value(self, *keys: str) -> object:
        """Return the first non-empty value among the aliases, else None."""
        self._used.update(keys)
        for key in keys:
            found = self._data.get(key)
            if found is not None and found != "":
                return found
        for key in keys:
            if key in self._data:
                return self._data[key]
        return None

    def float_(self, *keys: str) -> float | None:
        """Read a number."""
        return to_float(self.value(*keys), keys[0])

    def int_(self, *keys: str) -> int | None:
        """Read an integer."""
        return to_int(self.value(*keys), keys[0])

    def bool_(self, *keys: str) -> bool | None:
        """Read a flag."""
        return to_bool(self.value(*keys), keys[0])

    def str_(self, *keys: str) -> str | None:
        """Read text."""
        return to_str(self.value(*keys), keys[0])

    def enum[E: IntEnum](self, enum: type[E], *keys: str) -> E | None:
        """Read an enum member."""
        return to_enum(enum, self.value(*keys), keys[0])

    def datetime_(self, *keys: str) -> datetime | None:
        """Read a timestamp."""
        return to_datetime(self.value(*keys), keys[0])

    def time_(self, *keys: str) -> time | None:
        """Read a wall-clock time."""
        return to_time(self.value(*keys), keys[0])

    def extra(self) -> dict[str, object]:
        """Return the keys no reader asked for."""
        return {key: val for key, val in self._data.items() if key not in self._used}
