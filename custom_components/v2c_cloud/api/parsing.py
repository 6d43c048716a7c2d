"""Tolerant decoding of V2C Cloud bodies and field values."""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, time
from enum import IntEnum
from functools import partial
import html
import json
import logging
import math
import re
from typing import NamedTuple
import unicodedata

from .exceptions import V2CResponseError

_LOGGER = logging.getLogger(__package__)

EXCERPT_LENGTH = 200
MAX_NUMBER_TEXT = 64
TEXT_LIMIT = 255
# Format and other invisible characters (bidi overrides, zero-width joiners) could
# disguise a device or entity name; line and paragraph separators break layouts.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})

# "<" is refused inside a tag: with it allowed, a body of "<" and no ">" takes
# quadratic time, and an excerpt is built on the event loop.
_TAG_RE = re.compile(r"<[^<>]*>")
# An HTTP status: digits int() takes ("²" is a digit to str.isdigit, not to int).
_STATUS_RE = re.compile(r"[0-9]{3}")
# A body that is one decimal number: a firmware version `2.10` decoded as a
# float would read 2.1, and every reader takes a number as its text.
_BARE_DECIMAL_RE = re.compile(r"-?[0-9]+\.[0-9]+")
# Levels of a decoded answer kept; V2C's answers are flat.
MAX_DEPTH = 32
_SPACE_RE = re.compile(r"\s+")
# The end of the day as a clock time: 24:00, 24:00:00 (some timers end so).
_END_OF_DAY_RE = re.compile(r"24:00(:00)?")
_TRUE = frozenset({"1", "true", "on", "yes"})
_FALSE = frozenset({"0", "false", "off", "no"})


def excerpt(text: str, secrets: Iterable[str] = ()) -> str:
    """Return at most 200 characters of text with HTML tags and secrets removed."""
    plain = _SPACE_RE.sub(" ", html.unescape(_TAG_RE.sub(" ", text))).strip()
    for secret in secrets:
        if secret:
            plain = plain.replace(secret, "***")
    return plain[:EXCERPT_LENGTH]


def error_reason(text: str, secrets: Iterable[str] = ()) -> str:
    """Return the message of a JSON error body (`message` or `error`), or ""."""
    try:
        body = loads(text)
    except (ValueError, RecursionError):
        return ""
    return reason_in(body, secrets)


def reason_in(body: object, secrets: Iterable[str] = ()) -> str:
    """Return the message of a decoded error object (`message` or `error`), or ""."""
    if not isinstance(body, Mapping):
        return ""
    for key in ("message", "error"):
        if isinstance(value := body.get(key), str) and value.strip():
            return excerpt(value, secrets)
    return ""


def status_in(body: object) -> int | None:
    """Return the error status an error object carries in a 2xx answer, or None.

    A gateway can pass a backend failure on as HTTP 200 with the backend's
    error object (`{"status": 500, "message": ...}`); a command answered so
    was not applied, and a read answered so has no data.
    """
    if not isinstance(body, Mapping) or not reason_in(body):
        return None
    status = body.get("status")
    if isinstance(status, str) and _STATUS_RE.fullmatch(status.strip()):
        status = int(status)
    if isinstance(status, int) and not isinstance(status, bool):
        return status if 400 <= status < 600 else None
    return None


def _integer(digits: str) -> int | str:
    # Python refuses to turn more than 4,300 digits into an int, which would fail
    # the whole body: such a number stays text and only its field is dropped.
    return int(digits) if len(digits) <= MAX_NUMBER_TEXT else digits


def loads(text: str) -> object:
    """Decode JSON; an integer too long to be a value stays text.

    What lies deeper than MAX_DEPTH becomes None: V2C's answers are flat, and
    a kept reply thousands of levels deep breaks whatever walks it later
    (diagnostics, a copy of a model), not just the field it came in.
    """
    return _pruned(json.loads(text, parse_int=_integer), 0)


def _pruned(value: object, depth: int) -> object:
    if isinstance(value, dict | list) and depth >= MAX_DEPTH:
        return None
    if isinstance(value, dict):
        return {key: _pruned(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [_pruned(item, depth + 1) for item in value]
    return value


def body_text(raw: bytes, content_type: str) -> str:
    """Return a body's text: UTF-8 when it is, else in the charset it declares.

    Servers label UTF-8 as ISO-8859-1 as often as they mean it, so the
    label only decides for bytes that are not UTF-8 ("José" in Latin-1).
    """
    try:
        # utf-8-sig: a byte-order mark would otherwise make valid JSON unreadable.
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode(_declared_charset(content_type), errors="replace")
    except LookupError:
        # A codec Python knows that makes no text (base64, rot13, zlib).
        return raw.decode("utf-8", errors="replace")


def _declared_charset(content_type: str) -> str:
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"')
            try:
                return codecs.lookup(charset).name
            except LookupError:
                break
    return "utf-8"


def decode_body(
    raw: bytes, content_type: str, status: int, secrets: Iterable[str] = ()
) -> object:
    """Decode a successful body: JSON whatever the content type, else plain text."""
    text = body_text(raw, content_type).strip()
    if not text:
        return None
    if _BARE_DECIMAL_RE.fullmatch(text):
        return text
    try:
        return loads(text)
    except (ValueError, RecursionError):
        pass
    # Only a body that is not JSON is taken for a gateway page: some servers
    # label a plain "OK" or a JSON answer text/html.
    if "html" in content_type.lower() or text.startswith("<"):
        raise V2CResponseError(
            f"V2C Cloud sent an HTML page instead of data (HTTP {status})",
            status=status,
            excerpt=excerpt(text, secrets),
        )
    return text


def as_mapping(payload: object, what: str) -> Mapping[str, object]:
    """Return payload as an object, decoding a JSON document sent inside a string."""
    if isinstance(payload, str):
        try:
            payload = loads(payload)
        except (ValueError, RecursionError):
            raise V2CResponseError(f"Expected an object for {what}") from None
    if not isinstance(payload, Mapping):
        raise V2CResponseError(f"Expected an object for {what}")
    return payload


def as_list(payload: object, what: str) -> list[object]:
    """Return payload as a list: an empty body is [], a lone object a one-item list."""
    if isinstance(payload, str):
        try:
            payload = loads(payload) if payload.strip() else None
        except (ValueError, RecursionError):
            raise V2CResponseError(f"Expected a list for {what}") from None
    if payload is None:
        return []
    if isinstance(payload, Mapping):
        return [payload]
    if not isinstance(payload, list):
        raise V2CResponseError(f"Expected a list for {what}")
    return payload


class Bounds(NamedTuple):
    """The physically possible range of a number, in the unit the charger sends."""

    low: float
    high: float


_skipped: set[str] = set()


def _skip(field: str) -> None:
    """Note once, by key only, that a field's value was dropped (it may be private)."""
    if field not in _skipped:
        _skipped.add(field)
        _LOGGER.debug("Ignoring an unusable value of field '%s'", field)


def clean_text(text: str, limit: int = TEXT_LIMIT) -> str | None:
    """Remove control and bidi characters, trim, cap the length; empty means None."""
    if len(text) > limit * 4:
        text = text[: limit * 4]
    kept = "".join(
        char for char in text if unicodedata.category(char) not in _DROPPED_CATEGORIES
    )
    return kept.strip()[:limit].strip() or None


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
        if len(value) > MAX_NUMBER_TEXT:
            raise _invalid(field)
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
        if len(text) > MAX_NUMBER_TEXT:
            raise _invalid(field)
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
        # A Trydan sends numbers with six decimals, and a flag is one of them.
        return to_bool(to_float(text, field), field)
    raise _invalid(field)


def to_str(value: object, field: str) -> str | None:
    """Parse text; numbers become their string form and empty means None."""
    if value is None:
        return None
    if isinstance(value, str):
        return value or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    # JSON allows 1e309 and Python's parser NaN: no name, id or version is "inf".
    if isinstance(value, float) and math.isfinite(value):
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


def to_iso[T](parse: Callable[[str], T], value: object, field: str) -> T | None:
    """Parse ISO 8601 text with parse ("22:00", a timestamp); naive values stay naive."""
    text = to_str(value, field)
    if text is None:
        return None
    try:
        return parse(text.strip())
    except ValueError:
        raise _invalid(field) from None


def to_end_time(value: object, field: str) -> time | None:
    """Parse a timer window's end; "24:00", the end of the day, is its midnight.

    A `time` stops at 23:59:59, and a window ends on the next day when its end
    is not after its start: 22:00-00:00 is 22:00-24:00.
    """
    text = to_str(value, field)
    if text is not None and _END_OF_DAY_RE.fullmatch(text.strip()):
        return time(0)
    return to_iso(time.fromisoformat, value, field)


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


def within(value: float | None, bounds: Bounds, field: str) -> float | None:
    """Return value when it lies inside bounds, else None (noted once)."""
    if value is None:
        return None
    if bounds.low <= value <= bounds.high:
        return value
    _skip(field)
    return None


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

    def _parse[T](
        self, parse: Callable[[object, str], T], keys: tuple[str, ...]
    ) -> T | None:
        """Parse the first usable alias; a value that does not parse is None."""
        try:
            return parse(self.value(*keys), keys[0])
        except V2CResponseError:
            _skip(keys[0])
            return None

    def float_(self, *keys: str, bounds: Bounds) -> float | None:
        """Read a number inside its physical bounds."""
        return within(self._parse(to_float, keys), bounds, keys[0])

    def int_(self, *keys: str, bounds: Bounds) -> int | None:
        """Read an integer inside its physical bounds."""
        number = self._parse(to_int, keys)
        return None if within(number, bounds, keys[0]) is None else number

    def bool_(self, *keys: str) -> bool | None:
        """Read a flag."""
        return self._parse(to_bool, keys)

    def str_(self, *keys: str, limit: int = TEXT_LIMIT) -> str | None:
        """Read text without control characters, cut to limit characters."""
        text = self._parse(to_str, keys)
        return None if text is None else clean_text(text, limit)

    def ident(self, *keys: str, limit: int) -> str | None:
        """Read an identifier: text longer than limit is not one, so it is None."""
        text = self.str_(*keys, limit=limit + 1)
        if text is not None and len(text) > limit:
            _skip(keys[0])
            return None
        return text

    def enum[E: IntEnum](self, enum: type[E], *keys: str) -> E | None:
        """Read an enum member."""
        return self._parse(lambda value, field: to_enum(enum, value, field), keys)

    def datetime_(self, *keys: str) -> datetime | None:
        """Read a timestamp; a naive one is in the charger's local time."""
        return self._parse(partial(to_iso, datetime.fromisoformat), keys)

    def time_(self, *keys: str) -> time | None:
        """Read a wall-clock time."""
        return self._parse(partial(to_iso, time.fromisoformat), keys)

    def end_time(self, *keys: str) -> time | None:
        """Read the end of a window: a wall-clock time, or 24:00 as 00:00."""
        return self._parse(to_end_time, keys)

    def days(self, *keys: str) -> tuple[int, ...] | None:
        """Read days of week; None when present but unusable."""
        return self._parse(to_days, keys)

    def series(self, *keys: str) -> tuple[float, ...]:
        """Read a pipe-separated series; unusable means empty."""
        return self._parse(to_float_series, keys) or ()

    def mapping(self, *keys: str) -> Mapping[str, object]:
        """Read an object, possibly JSON inside a string; unusable means empty."""
        value = self.value(*keys)
        if value in (None, ""):
            return {}
        try:
            return as_mapping(value, keys[0])
        except V2CResponseError:
            _skip(keys[0])
            return {}

    def extra(self) -> dict[str, object]:
        """Return the keys no reader asked for."""
        return {key: val for key, val in self._data.items() if key not in self._used}

    def require_any(self, what: str, *, besides: tuple[str, ...] = ()) -> None:
        """Refuse an object that has none of the keys read (but besides) as no `what`.

        One odd field never fails a read, but an answer without a single known
        field (an error object sent with 200, say) describes no charger: taking
        it for one would show every value unknown and a charge as stopped.
        """
        if not any(key in self._data for key in self._used.difference(besides)):
            raise V2CResponseError(
                f"V2C Cloud sent no {what}",
                reason=reason_in(self._data),
            )
