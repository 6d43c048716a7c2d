"""Typed models of V2C Cloud responses."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
import logging
import re
from typing import Self

from .enums import (
    ChargeState,
    DynamicPowerMode,
    InstallationType,
    Language,
    MeterError,
    PvMode,
    SlaveType,
)
from .exceptions import V2CResponseError
from .parsing import (
    Bounds,
    FieldReader,
    as_list,
    as_mapping,
    clean_text,
    kw_to_w,
    to_bool,
    to_str,
)
from .validation import is_device_id

_LOGGER = logging.getLogger(__package__)

# Physical bounds, in the unit the charger sends: anything outside is a broken value.
POWER_KW = Bounds(-100, 100)
CHARGER_POWER_KW = Bounds(0, 100)
CURRENT_A = Bounds(0, 80)
MAINS_V = Bounds(0, 500)
SIGNAL = Bounds(-1000, 1000)
SESSION_KWH = Bounds(0, 1000)
TOTAL_KWH = Bounds(0, 1e9)
SESSION_S = Bounds(0, 400 * 86400)
MINUTES = Bounds(0, 100_000)
PHASES = Bounds(0, 3)
ERROR_CODE = Bounds(0, 65535)
RSSI_DBM = Bounds(-127, 0)
CONTRACT_100W = Bounds(0, 1000)
POWER_W = Bounds(0, 100_000)
FRACTION = Bounds(0, 1)
COUNT = Bounds(0, 2**53)
MONEY = Bounds(-1e9, 1e9)
PROFILE_VALUE = Bounds(-1e9, 1e9)

ID_LIMIT = 64
_NUMERIC = re.compile(r"[\d\s.eE+-]+")
NAME_LIMIT = 64
VERSION_LIMIT = 32
MAC_LIMIT = 32
IP_LIMIT = 45


class V2CModel(ABC):
    """A model built from one JSON object of the V2C Cloud."""

    @classmethod
    @abstractmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """Build the model from a decoded JSON object."""

    @classmethod
    def from_json(cls, payload: object) -> Self:
        """Build the model from a decoded body (an object or JSON text of one)."""
        return cls.from_dict(as_mapping(payload, cls.__name__))

    @classmethod
    def list_from_json(cls, payload: object) -> list[Self]:
        """Build a list of models from a decoded body."""
        return [cls.from_json(item) for item in as_list(payload, cls.__name__)]


@dataclass(frozen=True, slots=True)
class QuotaSnapshot:
    """Daily quota as last reported by the rate-limit headers."""

    limit: int | None
    remaining: int | None
    reset_after: int | None
    observed_at: datetime

    @property
    def reset_at(self) -> datetime | None:
        """Return when the server said the window resets, if it did."""
        if self.reset_after is None:
            return None
        return self.observed_at + timedelta(seconds=self.reset_after)


def _error_text(value: str) -> str | None:
    """Return an error sent as words; a broken number is no message."""
    text = clean_text(value, NAME_LIMIT)
    if text is None or _NUMERIC.fullmatch(text):
        return None
    return text


@dataclass(frozen=True, slots=True)
class CurrentState(V2CModel):
    """Live charging data from `currentstatecharge` (powers in W)."""

    charge_state: ChargeState | None
    power_w: float | None
    house_power_w: float | None
    sun_power_w: float | None
    grid_power_w: float | None
    battery_power_w: float | None
    intensity_a: float | None
    voltage_signal: float | None
    installation_voltage_v: float | None
    energy_kwh: float | None
    session_seconds: int | None
    phases: int | None
    photovoltaic_on: bool | None
    error_code: int | None
    error_message: str | None
    raw: Mapping[str, object] = field(default_factory=dict)

    @property
    def meter_error(self) -> MeterError | None:
        """Return the meter error when the code is one the charger names."""
        if self.error_code is None or self.error_code not in MeterError:
            return None
        return MeterError(self.error_code)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """Parse strings, numbers or "" (a missing field is None; error "" is 0).

        On a real Trydan `cp_level` carries the mains voltage and `voltage` a small
        internal signal; `phases` 0 means unknown.
        """
        fields = FieldReader(data)
        error = fields.value("error")
        error_code = 0 if error == "" else None
        error_message = None
        if error_code is None and error is not None:
            error_code = fields.int_("error", bounds=ERROR_CODE)
            if error_code is None and isinstance(error, str):
                error_message = _error_text(error)
        phases = fields.int_("phases", bounds=PHASES)
        state = cls(
            charge_state=fields.enum(ChargeState, "charge_state"),
            power_w=kw_to_w(fields.float_("power", bounds=CHARGER_POWER_KW)),
            house_power_w=kw_to_w(fields.float_("house_power", bounds=POWER_KW)),
            sun_power_w=kw_to_w(fields.float_("sun_power", bounds=POWER_KW)),
            grid_power_w=kw_to_w(fields.float_("grid_power", bounds=POWER_KW)),
            battery_power_w=kw_to_w(fields.float_("battery", bounds=POWER_KW)),
            intensity_a=fields.float_("intensity", bounds=CURRENT_A),
            voltage_signal=fields.float_("voltage", bounds=SIGNAL),
            installation_voltage_v=fields.float_("cp_level", bounds=MAINS_V),
            energy_kwh=fields.float_("energy", bounds=SESSION_KWH),
            session_seconds=fields.int_("seconds", bounds=SESSION_S),
            phases=phases or None,
            photovoltaic_on=fields.bool_("photovoltaic_on"),
            error_code=error_code,
            error_message=error_message,
            raw=dict(data),
        )
        fields.require_any("charging state", besides=("error",))
        return state


@dataclass(frozen=True, slots=True)
class Timer(V2CModel):
    """A charging timer."""

    timer_id: int | None
    start: time | None
    end: time | None
    days: tuple[int, ...]
    active: bool | None

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """Parse the newer (`timeStart`) and seed (`start_time`) forms.

        Without an explicit flag a timer is active when it has days.
        """
        fields = FieldReader(data)
        days_value = fields.value("daysOfWeek", "days")
        days = fields.days("daysOfWeek", "days")
        active = fields.bool_("active", "enabled")
        if active is None and days_value is not None and days is not None:
            active = bool(days)
        return cls(
            timer_id=fields.int_("timerId", "timer_id", "id", bounds=COUNT),
            start=fields.time_("timeStart", "start_time", "start"),
            end=fields.end_time("timeEnd", "end_time", "end"),
            days=days or (),
            active=active,
        )


@dataclass(frozen=True, slots=True)
class ReportedState(V2CModel):
    """The device shadow from `/device/reported` (settings live here)."""

    device_id: str | None
    firmware_version: str | None
    mac: str | None
    wifi_ssid: str | None
    wifi_rssi_dbm: int | None
    wifi_ip: str | None
    charge_state: ChargeState | None
    min_car_intensity_a: int | None
    max_car_intensity_a: int | None
    intensity_a: int | None
    locked: bool | None
    paused: bool | None
    dynamic: bool | None
    logo_led: bool | None
    led_brightness_pct: float | None
    rfid_reader: bool | None
    contract_power_w: float | None
    installation_type: InstallationType | None
    slave_type: SlaveType | None
    pv_mode: PvMode | None
    dynamic_power_mode: DynamicPowerMode | None
    language: Language | None
    ocpp_enabled: bool | None
    ocpp_id: str | None
    ocpp_address: str | None
    inverter_ip: str | None
    denka_max_power_w: float | None
    max_power_w: float | None
    charge_until_energy_kwh: float | None
    charge_until_minutes: int | None
    timers: tuple[Timer, ...]
    extra: Mapping[str, object] = field(default_factory=dict)
    raw: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """Parse the flat snake_case shadow; `wifi_info` is JSON inside a string.

        `light_led` is a brightness fraction and `contract_power` counts 100 W units;
        some firmware sends the current limits only as `*_fb`.
        """
        fields = FieldReader(data)
        wifi = FieldReader(fields.mapping("wifi_info"))
        brightness = fields.float_("light_led", bounds=FRACTION)
        contract = fields.float_("contract_power", bounds=CONTRACT_100W)
        reported = cls(
            device_id=fields.ident("device_id", "deviceId", limit=ID_LIMIT),
            firmware_version=_version(
                fields.str_(
                    "version", "firmware_version", "versionId", limit=VERSION_LIMIT
                )
            ),
            mac=fields.ident("mac", limit=MAC_LIMIT),
            wifi_ssid=wifi.str_("ssid", "SSID", limit=NAME_LIMIT),
            wifi_rssi_dbm=wifi.int_("rssi", "RSSI", bounds=RSSI_DBM),
            wifi_ip=wifi.ident("ip", "IP", limit=IP_LIMIT),
            charge_state=fields.enum(ChargeState, "charge_state"),
            min_car_intensity_a=fields.int_(
                "min_car_int", "min_car_int_fb", bounds=CURRENT_A
            ),
            max_car_intensity_a=fields.int_(
                "max_car_int", "max_car_int_fb", bounds=CURRENT_A
            ),
            intensity_a=fields.int_("intensity", bounds=CURRENT_A),
            locked=fields.bool_("locked"),
            paused=fields.bool_("pause", "paused"),
            dynamic=fields.bool_("dynamic"),
            logo_led=fields.bool_("logo_led"),
            led_brightness_pct=None
            if brightness is None
            else round(brightness * 100, 1),
            rfid_reader=fields.bool_("set_rfid", "rfid_reader", "rfid"),
            contract_power_w=None if contract is None else round(contract * 100, 1),
            installation_type=fields.enum(InstallationType, "inst_type"),
            slave_type=fields.enum(SlaveType, "slave_type"),
            pv_mode=fields.enum(PvMode, "chargefvmode", "fv_mode", "pv_mode"),
            dynamic_power_mode=fields.enum(DynamicPowerMode, "dynamic_power_mode"),
            language=fields.enum(Language, "language"),
            ocpp_enabled=fields.bool_("ocpp"),
            ocpp_id=fields.str_("ocpp_id", limit=ID_LIMIT),
            ocpp_address=fields.str_("ocpp_addr", "ocpp_address"),
            inverter_ip=fields.str_("inverter_ip"),
            denka_max_power_w=fields.float_("denka_max_power", bounds=POWER_W),
            max_power_w=fields.float_("max_power", "maxpower", bounds=POWER_W),
            charge_until_energy_kwh=fields.float_(
                "charge_until_energy", "charger_until_energy", bounds=SESSION_KWH
            ),
            charge_until_minutes=fields.int_(
                "charge_until_minutes", "charger_until_minutes", bounds=MINUTES
            ),
            timers=_timers(fields),
            extra=fields.extra(),
            raw=dict(data),
        )
        fields.require_any("settings", besides=("device_id", "deviceId"))
        return reported


def _timers(fields: FieldReader) -> tuple[Timer, ...]:
    """Read the timers list; an unusable one is empty, not a failed read.

    An item that is no timer (a `null`) is skipped: the others stay known.
    """
    try:
        items = as_list(fields.value("timers", "timer"), Timer.__name__)
    except V2CResponseError:
        return ()
    timers: list[Timer] = []
    for item in items:
        try:
            timers.append(Timer.from_json(item))
        except V2CResponseError:
            continue
    return tuple(timers)


def _pairing_device_id(fields: FieldReader) -> str | None:
    """Read a pairing's device id, None unless the client could send it."""
    device_id = fields.ident("deviceId", "id", limit=ID_LIMIT)
    return device_id if is_device_id(device_id) else None


def _has_device_id(item: Mapping[str, object]) -> bool:
    return _pairing_device_id(FieldReader(item)) is not None


@dataclass(frozen=True, slots=True)
class Pairing(V2CModel):
    """A charger paired with the account (`/pairings/me`)."""

    device_id: str
    tag: str | None
    model: str | None
    pairing_id: str | None
    extra: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def list_from_json(cls, payload: object) -> list[Self]:
        """Build the pairings; one without a usable device id does not hide the rest."""
        if payload is None or (isinstance(payload, str) and not payload.strip()):
            # The cloud sends empty bodies for commands; for this list one is a
            # failed read, not an account without chargers (see below).
            raise V2CResponseError("Empty answer instead of the account's chargers")
        items = as_list(payload, cls.__name__)
        pairings = [
            cls.from_json(item)
            for item in items
            if isinstance(item, Mapping) and _has_device_id(item)
        ]
        if items and not pairings:
            # An error object or a list of something else is not an account
            # without chargers: read as one, it would remove every charger.
            raise V2CResponseError("No pairing with a usable device id in the answer")
        if len(pairings) < len(items):
            _LOGGER.debug("Ignoring pairings without a usable device id")
        return pairings

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """Take the device id from `deviceId` or `id` and the name from `tag` or `name`."""
        fields = FieldReader(data)
        has_device_id = data.get("deviceId") not in (None, "")
        pairing_id = fields.ident("pairingId", limit=ID_LIMIT)
        if pairing_id is None and has_device_id:
            pairing_id = fields.ident("id", limit=ID_LIMIT)
        device_id = _pairing_device_id(fields)
        if device_id is None:
            raise V2CResponseError("Pairing without a usable device id")
        return cls(
            device_id=device_id,
            tag=fields.str_("tag", "name", limit=NAME_LIMIT),
            model=fields.str_("model", "deviceModel", "type", limit=NAME_LIMIT),
            pairing_id=pairing_id,
            extra=fields.extra(),
        )


@dataclass(frozen=True, slots=True)
class RfidCard(V2CModel):
    """An RFID card registered on a charger."""

    code: str | None
    tag: str | None
    extra: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """Parse a card (code/UID and name)."""
        fields = FieldReader(data)
        return cls(
            code=fields.str_("code", "rfidCode", "uid", limit=ID_LIMIT),
            tag=fields.str_("tag", "name", "rfidName", limit=NAME_LIMIT),
            extra=fields.extra(),
        )


@dataclass(frozen=True, slots=True)
class WifiNetwork(V2CModel):
    """A WiFi network seen by a charger."""

    ssid: str | None
    rssi_dbm: int | None
    security: str | None
    extra: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """Parse one scan result."""
        fields = FieldReader(data)
        return cls(
            ssid=fields.str_("ssid", "SSID", "name", limit=NAME_LIMIT),
            rssi_dbm=fields.int_("rssi", "RSSI", "signal", bounds=RSSI_DBM),
            security=fields.str_(
                "security", "encryption", "auth", "authmode", limit=NAME_LIMIT
            ),
            extra=fields.extra(),
        )

    @classmethod
    def from_json(cls, payload: object) -> Self:
        """Accept a bare SSID string as well as an object."""
        if isinstance(payload, str) and not payload.lstrip().startswith("{"):
            return cls(
                ssid=clean_text(payload, NAME_LIMIT), rssi_dbm=None, security=None
            )
        return cls.from_dict(as_mapping(payload, cls.__name__))


@dataclass(frozen=True, slots=True)
class PowerProfile(V2CModel):
    """An advanced power profile."""

    name: str | None
    updated_at: datetime | None
    mode: str | None
    value: int | None
    device_id: str | None
    extra: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """Parse a profile."""
        fields = FieldReader(data)
        return cls(
            name=fields.str_("name", limit=NAME_LIMIT),
            updated_at=fields.datetime_("updateAt", "updatedAt", "updated_at"),
            mode=fields.str_("mode"),
            value=fields.int_("value", bounds=PROFILE_VALUE),
            device_id=fields.ident("deviceId", "device_id", limit=ID_LIMIT),
            extra=fields.extra(),
        )


@dataclass(frozen=True, slots=True)
class ChargingSession(V2CModel):
    """One charging session from `/stadistic/device` (dates in charger local time)."""

    session_id: int | None
    device_id: str | None
    start: datetime | None
    end: datetime | None
    charge_id: str | None
    energy_kwh: float | None
    cost: float | None
    co2_cost: float | None
    pv_cost: float | None
    energy_by_hour_kwh: tuple[float, ...]
    pv_energy_by_hour_kwh: tuple[float, ...]
    rfid_code: str | None
    rfid_name: str | None
    message: str | None
    warning: bool | None
    finished: bool | None
    created_at: datetime | None
    updated_at: datetime | None
    extra: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """Parse a session."""
        fields = FieldReader(data)
        return cls(
            session_id=fields.int_("id", bounds=COUNT),
            device_id=fields.ident("deviceId", limit=ID_LIMIT),
            start=fields.datetime_("startChargeDate"),
            end=fields.datetime_("endChargeDate"),
            charge_id=fields.str_("idCharge", limit=ID_LIMIT),
            energy_kwh=fields.float_("energy", bounds=SESSION_KWH),
            cost=fields.float_("cost", bounds=MONEY),
            co2_cost=fields.float_("coCost", bounds=MONEY),
            pv_cost=fields.float_("costFv", bounds=MONEY),
            energy_by_hour_kwh=fields.series("energyByHour"),
            pv_energy_by_hour_kwh=fields.series("energyByHourFv"),
            rfid_code=fields.str_("rfidCode", limit=ID_LIMIT),
            rfid_name=fields.str_("rfidName", limit=NAME_LIMIT),
            message=fields.str_("message"),
            warning=fields.bool_("warning"),
            finished=fields.bool_("finished"),
            created_at=fields.datetime_("createdAt"),
            updated_at=fields.datetime_("updatedAt"),
            extra=fields.extra(),
        )


@dataclass(frozen=True, slots=True)
class GlobalStatistics(V2CModel):
    """Account totals from `/stadistic/global/me`."""

    total_energy_kwh: float | None
    total_charges: int | None
    extra: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """Parse totals."""
        fields = FieldReader(data)
        return cls(
            total_energy_kwh=fields.float_("totalEnergy", bounds=TOTAL_KWH),
            total_charges=fields.int_("totalCharges", bounds=COUNT),
            extra=fields.extra(),
        )


def _version(text: str | None) -> str | None:
    """Return a firmware version; a text without a digit ("OK") is none."""
    return text if text is not None and any(map(str.isdigit, text)) else None


@dataclass(frozen=True, slots=True)
class FirmwareVersion(V2CModel):
    """Firmware version from `/version`."""

    version: str | None
    extra: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """Parse an object carrying `versionId` or `version`."""
        fields = FieldReader(data)
        return cls(
            version=_version(fields.str_("versionId", "version", limit=VERSION_LIMIT)),
            extra=fields.extra(),
        )

    @classmethod
    def from_json(cls, payload: object) -> Self:
        """Accept a bare version string or number as well as an object."""
        if isinstance(payload, Mapping) or (
            isinstance(payload, str) and payload.lstrip().startswith("{")
        ):
            return cls.from_dict(as_mapping(payload, cls.__name__))
        text = to_str(payload, "version")
        return cls(
            version=None if text is None else _version(clean_text(text, VERSION_LIMIT))
        )


def parse_connected(payload: object) -> bool:
    """Parse `/device/connected`: a bare flag or an object carrying one."""
    if isinstance(payload, Mapping):
        payload = FieldReader(payload).value(
            "connected", "isConnected", "online", "value"
        )
    result = to_bool(payload, "connected")
    if result is None:
        raise V2CResponseError("No connection flag in /device/connected")
    return result
