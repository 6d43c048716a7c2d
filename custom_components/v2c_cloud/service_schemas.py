"""Field schemas of the V2C Cloud actions: every input is checked before a call."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from datetime import date, datetime, time
from typing import Any, Final

from homeassistant.const import (
    ATTR_CODE,
    ATTR_CONFIG_ENTRY_ID,
    ATTR_DEVICE_ID,
    ATTR_ENTITY_ID,
    ATTR_MODE,
    ATTR_NAME,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
import voluptuous as vol

from .api import V2CValidationError, validation as check
from .api.client import (
    MAX_MODE_LENGTH,
    MAX_NAME_LENGTH,
    MAX_PROFILE_VALUE,
    MAX_THIRDPARTY_MODE,
)
from .const import DOMAIN

ATTR_DAYS: Final = "days"
ATTR_ENABLED: Final = "enabled"
ATTR_END: Final = "end"
ATTR_END_DATE: Final = "end_date"
ATTR_ENERGY: Final = "energy"
ATTR_MINUTES: Final = "minutes"
ATTR_POWER: Final = "power"
ATTR_SSID: Final = "ssid"
ATTR_START: Final = "start"
ATTR_START_DATE: Final = "start_date"
ATTR_TIMER_ID: Final = "timer_id"
ATTR_UPDATED_AT: Final = "updated_at"
ATTR_VALUE: Final = "value"

MIN_ENERGY_KWH: Final = 0.1
# V2C keeps no records from before its cloud existed, nor plans centuries ahead.
MIN_YEAR: Final = 2000
MAX_YEAR: Final = 2100
MAX_TIMER_ID: Final = 32
MAX_POWER_W: Final = 100_000
WEEKDAYS: Final = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)


class InvalidActionInputError(vol.Invalid, ServiceValidationError):
    """Action input refused by its schema, before any call.

    A vol.Invalid, so Home Assistant's REST API answers 400 and the websocket API
    an invalid-format error instead of a 500; a ServiceValidationError with a
    translated message naming the field, never its value.

    The websocket's invalid-format answer carries no translation key (Home
    Assistant 2026.2 checks vol.Invalid first), so the UI shows its English
    message; scripts, automations and Python callers get the key. A plain
    ServiceValidationError would be translated in the UI, but the REST API
    lets it through as a 500 with a stack trace in the log.
    """

    def __init__(
        self,
        field: str,
        error: str,
        *,
        translation_key: str = "invalid_value",
        placeholders: dict[str, str] | None = None,
    ) -> None:
        """Refuse the field with the schema's reason, or with a message of its own."""
        ServiceValidationError.__init__(
            self,
            translation_domain=DOMAIN,
            translation_key=translation_key,
            translation_placeholders=(
                {"parameter": field, "error": error}
                if placeholders is None
                else placeholders
            ),
        )
        vol.Invalid.__init__(self, f"Invalid value for {field}: {error}")

    def __str__(self) -> str:
        """Return the translated message rather than voluptuous' path notation."""
        return ServiceValidationError.__str__(self)


class _Reason(vol.Invalid):
    """A refusal of this integration's own schema, told by a translation key of its own.

    Its message is translated whole: the reason is no English text put into
    invalid_value's {error}. A refusal of voluptuous' or Home Assistant's own
    validators (a missing field, a value out of range, a malformed time) has
    no key of its own and keeps their English reason in invalid_value.
    """

    def __init__(
        self, key: str, path: list[Hashable] | None = None, **placeholders: str
    ) -> None:
        """Refuse with the translation key and its placeholders beside {parameter}."""
        super().__init__(key, path)
        self.translation_key = key
        self.placeholders = placeholders


# Every key an action's input is refused with; each message starts by naming the field.
INVALID_INPUT_KEYS: Final = frozenset(
    {
        "invalid_value",
        "invalid_number",
        "invalid_whole_number",
        "invalid_whole_minute",
        "invalid_timer_end",
        "invalid_date",
        "invalid_year",
        "invalid_date_order",
        "invalid_account_target",
        "invalid_text",
        "invalid_token",
    }
)


class TranslatedSchema(vol.Schema):
    """A schema whose errors are translated and name the field, never its value."""

    def __call__(self, data: Any) -> Any:
        """Validate data or raise InvalidActionInputError."""
        try:
            return super().__call__(data)  # type: ignore[no-untyped-call]
        except vol.Invalid as err:
            first = err.errors[0] if isinstance(err, vol.MultipleInvalid) else err
            if isinstance(first, InvalidActionInputError):
                raise first from None
            field = ".".join(str(part) for part in first.path) or "data"
            if isinstance(first, _Reason):
                raise InvalidActionInputError(
                    field,
                    first.error_message,
                    translation_key=first.translation_key,
                    placeholders={"parameter": field, **first.placeholders},
                ) from None
            raise InvalidActionInputError(field, first.error_message) from None


def _client_check(
    check_fn: Callable[[object], object], key: str, max_length: int
) -> Callable[[Any], Any]:
    """Validate with the client's own rule, keeping the value as given."""

    def validate(value: Any) -> Any:
        try:
            check_fn(value)
        except V2CValidationError:
            raise _Reason(key, max_length=str(max_length)) from None
        return value

    return validate


def _text(field: str, max_length: int) -> vol.All:
    """Validate printable, non-blank text the client accepts."""
    return vol.All(
        cv.string,
        _client_check(
            lambda value: check.text(field, value, max_length),
            "invalid_text",
            max_length,
        ),
    )


def _token(field: str, max_length: int) -> vol.All:
    """Validate an identifier without whitespace."""
    return vol.All(
        cv.string,
        _client_check(
            lambda value: check.token(field, value, max_length),
            "invalid_token",
            max_length,
        ),
    )


def _number(value: Any) -> float:
    """Accept 7, 7.5 or "7.5"; refuse true/false, which Python counts as 1 and 0."""
    if isinstance(value, bool):
        raise _Reason("invalid_number")
    try:
        number: float = vol.Coerce(float)(value)
    except OverflowError:
        # A whole number too large for a float: a template can produce one.
        raise _Reason("invalid_number") from None
    return number


def _whole(value: Any) -> int:
    """Accept 30, 30.0 or "30"; refuse 30.5 rather than cut it to 30."""
    number = _number(value)
    if not number.is_integer():
        raise _Reason("invalid_whole_number")
    return int(number)


def _whole_number(low: int, high: int) -> vol.All:
    """Validate a whole number in a range."""
    return vol.All(_whole, vol.Range(min=low, max=high))


def _whole_minute(value: time) -> time:
    """Refuse seconds: timers run on whole minutes."""
    if value.second or value.microsecond:
        raise _Reason("invalid_whole_minute")
    return value


def _distinct_times(data: dict[str, Any]) -> dict[str, Any]:
    """Refuse a timer that would open and close at the same minute."""
    if data[ATTR_START] == data[ATTR_END]:
        raise _Reason("invalid_timer_end", [ATTR_END])
    return data


def _day_numbers(days: list[str]) -> list[int]:
    """Turn weekday names into the API's numbers (Monday is 1)."""
    return sorted({WEEKDAYS.index(day) + 1 for day in days})


def _calendar_date(value: date) -> date:
    """Refuse a datetime, which a Python caller may pass for a date.

    The client refuses one too; let through, it would also reach the range
    check, where a date and a datetime cannot be compared.
    """
    if isinstance(value, datetime):
        raise _Reason("invalid_date")
    return value


def _plausible_date(value: date) -> date:
    """Refuse dates V2C can hold nothing for, before they overflow a conversion."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise _Reason("invalid_year", min_year=str(MIN_YEAR), max_year=str(MAX_YEAR))
    return value


def _utc_moment(value: datetime) -> datetime:
    """Return a plausible moment in UTC; a naive one is Home Assistant's local time."""
    try:
        moment = dt_util.as_utc(value)
    except (OverflowError, ValueError):
        raise _Reason(
            "invalid_year", min_year=str(MIN_YEAR), max_year=str(MAX_YEAR)
        ) from None
    # The year is checked on what is sent: an offset can move it across a bound.
    _plausible_date(moment.date())
    return moment


def _ordered_dates(data: dict[str, Any]) -> dict[str, Any]:
    """Refuse a date range that ends before it starts."""
    start, end = data.get(ATTR_START_DATE), data.get(ATTR_END_DATE)
    if start is not None and end is not None and start > end:
        raise _Reason("invalid_date_order", [ATTR_START_DATE])
    return data


def _named_target(data: dict[str, Any]) -> dict[str, Any]:
    """Refuse a target naming no device or entity; the action counts the chargers.

    Home Assistant hands a script's `target:` over as lists, even of one id. How
    many chargers they name shows only once they are resolved in the registries.
    """
    for key in (ATTR_DEVICE_ID, ATTR_ENTITY_ID):
        if key in data and not data[key]:
            del data[key]
    if ATTR_DEVICE_ID not in data and ATTR_ENTITY_ID not in data:
        raise InvalidActionInputError(
            ATTR_DEVICE_ID,
            "no charger given",
            translation_key="no_charger",
            placeholders={},
        )
    return data


def _one_account(data: dict[str, Any]) -> dict[str, Any]:
    """Take an account, or any one of its chargers, to read the account by."""
    if ATTR_CONFIG_ENTRY_ID not in data:
        return _named_target(data)
    if ATTR_DEVICE_ID in data or ATTR_ENTITY_ID in data:
        raise _Reason("invalid_account_target", [ATTR_CONFIG_ENTRY_ID])
    return data


# Lists too: a script's `target:` hands over even a single id as a list.
CHARGER_TARGET: Final[dict[vol.Marker, Any]] = {
    vol.Optional(ATTR_DEVICE_ID): vol.All(cv.ensure_list, [cv.string]),
    vol.Optional(ATTR_ENTITY_ID): vol.All(cv.ensure_list, [cv.entity_id_or_uuid]),
}


def _charger_schema(
    fields: Mapping[Any, Any], *extra: Callable[[Any], Any]
) -> TranslatedSchema:
    """Return the schema of an action on one charger."""
    return TranslatedSchema(
        vol.All(vol.Schema({**CHARGER_TARGET, **fields}), _named_target, *extra)
    )


DAY: Final = vol.All(cv.date, _calendar_date, _plausible_date)
DATE_RANGE: Final[dict[vol.Marker, Any]] = {
    vol.Optional(ATTR_START_DATE): DAY,
    vol.Optional(ATTR_END_DATE): DAY,
}
RFID_CODE: Final = _token(ATTR_CODE, check.MAX_RFID_LENGTH)
RFID_NAME: Final = _text(ATTR_NAME, check.MAX_RFID_LENGTH)
PROFILE_NAME: Final = _text(ATTR_NAME, MAX_NAME_LENGTH)
# A timestamp without offset is Home Assistant's local time, like the UI's picker.
UPDATED_AT: Final = vol.All(cv.datetime, _utc_moment)
WALL_TIME: Final = vol.All(cv.time, _whole_minute)

CHARGER_ONLY: Final = _charger_schema({})
START_CHARGING_ENERGY: Final = _charger_schema(
    {
        vol.Required(ATTR_ENERGY): vol.All(
            _number, vol.Range(min=MIN_ENERGY_KWH, max=check.MAX_KWH)
        )
    }
)
START_CHARGING_TIME: Final = _charger_schema(
    {vol.Required(ATTR_MINUTES): _whole_number(1, check.MAX_MINUTES)}
)
RFID_NEW: Final = _charger_schema({vol.Required(ATTR_NAME): RFID_NAME})
RFID_CARD: Final = _charger_schema({vol.Required(ATTR_CODE): RFID_CODE})
RFID_NAMED_CARD: Final = _charger_schema(
    {vol.Required(ATTR_CODE): RFID_CODE, vol.Required(ATTR_NAME): RFID_NAME}
)
SET_TIMER: Final = _charger_schema(
    {
        vol.Required(ATTR_TIMER_ID): _whole_number(1, MAX_TIMER_ID),
        vol.Required(ATTR_START): WALL_TIME,
        vol.Required(ATTR_END): WALL_TIME,
        vol.Required(ATTR_DAYS): vol.All(
            cv.ensure_list, vol.Length(min=1), [vol.In(WEEKDAYS)], _day_numbers
        ),
    },
    _distinct_times,
)
TIMER: Final = _charger_schema(
    {vol.Required(ATTR_TIMER_ID): _whole_number(1, MAX_TIMER_ID)}
)
POWER_PROFILE: Final = _charger_schema(
    {
        vol.Required(ATTR_NAME): PROFILE_NAME,
        vol.Required(ATTR_MODE): _token(ATTR_MODE, MAX_MODE_LENGTH),
        vol.Required(ATTR_VALUE): _whole_number(0, MAX_PROFILE_VALUE),
    }
)
POWER_PROFILE_VERSION: Final = _charger_schema(
    {vol.Required(ATTR_UPDATED_AT): UPDATED_AT}
)
NAMED_POWER_PROFILE_VERSION: Final = _charger_schema(
    {vol.Required(ATTR_NAME): PROFILE_NAME, vol.Required(ATTR_UPDATED_AT): UPDATED_AT}
)
CHARGING_SESSIONS: Final = _charger_schema(DATE_RANGE, _ordered_dates)
ACCOUNT_STATISTICS: Final = TranslatedSchema(
    vol.All(
        vol.Schema(
            {
                vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
                **CHARGER_TARGET,
                **DATE_RANGE,
            }
        ),
        cv.has_at_least_one_key(ATTR_CONFIG_ENTRY_ID, ATTR_DEVICE_ID, ATTR_ENTITY_ID),
        _one_account,
        _ordered_dates,
    )
)
SET_MAX_POWER: Final = _charger_schema(
    {vol.Required(ATTR_POWER): _whole_number(1, MAX_POWER_W)}
)
SET_THIRD_PARTY_MODE: Final = _charger_schema(
    {
        vol.Required(ATTR_MODE): _whole_number(0, MAX_THIRDPARTY_MODE),
        vol.Required(ATTR_ENABLED): cv.boolean,
    }
)
