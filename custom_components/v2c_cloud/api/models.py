"""Typed models of V2C Cloud responses."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Self

from .enums import ChargeState, InstallationType, Language, PvMode, SlaveType
from .exceptions import V2CResponseError
from .parsing import (
    FieldReader,
    as_list,
    as_mapping,
    kw_to_w,
    to_bool,
    to_days,
    to_float_series,
    to_int,
    to_str,
)


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


@dataclass(frozen=True, slots=True)
class CurrentState(V2CModel):
    """Live charging data from `currentstatecharge` (powers in W)."""

    charge_state: ChargeState | None
    power_w: float | None
    house_power_w: float | None
    sun_power_w: float | None
    battery_power_w: float | None
    intensity_a: float | None
    voltage_v: float | None
    cp_level_v: float | None
    energy_kwh: float | None
    session_seconds: int | None
    phases: int | None
    photovoltaic_on: bool | None
    error_code: int | None
    error_message: str | None
    raw: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """Parse strings, numbers or "" ("" and a missing field are None; error "0" is 0)."""
        fields = FieldReader(data)
        error = (fields.str_("error") or "").strip() or None
        error_code = (
            to_int(error, "error") if error and error.strip().isdigit() else None
        )
        return cls(
            charge_state=fields.enum(ChargeState, "charge_state"),
            power_w=kw_to_w(fields.float_("power")),
            house_power_w=kw_to_w(fields.float_("house_power")),
            sun_power_w=kw_to_w(fields.float_("sun_power")),
            battery_power_w=kw_to_w(fields.float_("battery")),
            intensity_a=fields.float_("intensity"),
            voltage_v=fields.float_("voltage"),
            cp_level_v=fields.float_("cp_level"),
            energy_kwh=fields.float_("energy"),
            session_seconds=fields.int_("seconds"),
            phases=fields.int_("phases"),
            photovoltaic_on=fields.bool_("photovoltaic_on"),
            error_code=error_code,
            error_message=error if error and error_code is None else None,
            raw=dict(data),
        )


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
        days = to_days(days_value, "daysOfWeek")
        active = fields.bool_("active", "enabled")
        if active is None and days_value is not None:
            active = bool(days)
        return cls(
            timer_id=fields.int_("timerId", "timer_id", "id"),
            start=fields.time_("timeStart", "start_time", "start"),
            end=fields.time_("timeEnd", "end_time", "end"),
            days=days,
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
    light_led: bool | None
    rfid_reader: bool | None
    contract_power_w: float | None
    installation_type: InstallationType | None
    slave_type: SlaveType | None
    pv_mode: PvMode | None
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
        """Parse the flat snake_case shadow; `wifi_info` is JSON inside a string."""
        fields = FieldReader(data)
        wifi_value = fields.value("wifi_info")
        wifi = FieldReader(
            {} if wifi_value in (None, "") else as_mapping(wifi_value, "wifi_info")
        )
        return cls(
            device_id=fields.str_("device_id", "deviceId"),
            firmware_version=fields.str_("version", "firmware_version", "versionId"),
            mac=fields.str_("mac"),
            wifi_ssid=wifi.str_("ssid", "SSID"),
            wifi_rssi_dbm=wifi.int_("rssi", "RSSI"),
            wifi_ip=wifi.str_("ip", "IP"),
            charge_state=fields.enum(ChargeState, "charge_state"),
            min_car_intensity_a=fields.int_("min_car_int"),
            max_car_intensity_a=fields.int_("max_car_int"),
            intensity_a=fields.int_("intensity"),
            locked=fields.bool_("locked"),
            paused=fields.bool_("pause", "paused"),
            dynamic=fields.bool_("dynamic"),
            logo_led=fields.bool_("logo_led"),
            light_led=fields.bool_("light_led"),
            rfid_reader=fields.bool_("set_rfid", "rfid_reader", "rfid"),
            contract_power_w=fields.float_("contract_power"),
            installation_type=fields.enum(InstallationType, "inst_type"),
            slave_type=fields.enum(SlaveType, "slave_type"),
            pv_mode=fields.enum(PvMode, "chargefvmode", "fv_mode", "pv_mode"),
            language=fields.enum(Language, "language"),
            ocpp_enabled=fields.bool_("ocpp"),
            ocpp_id=fields.str_("ocpp_id"),
            ocpp_address=fields.str_("ocpp_addr", "ocpp_address"),
            inverter_ip=fields.str_("inverter_ip"),
            denka_max_power_w=fields.float_("denka_max_power"),
            max_power_w=fields.float_("max_power", "maxpower"),
            charge_until_energy_kwh=fields.float_(
                "charge_until_energy", "charger_until_energy"
            ),
            charge_until_minutes=fields.int_(
                "charge_until_minutes", "charger_until_minutes"
            ),
            timers=tuple(Timer.list_from_json(fields.value("timers", "timer"))),
            extra=fields.extra(),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class Pairing(V2CModel):
    """A charger paired with the account (`/pairings/me`)."""

    device_id: str
    tag: str | None
    model: str | None
    pairing_id: str | None
    extra: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """Take the device id from `deviceId` or `id` and the name from `tag` or `name`."""
        fields = FieldReader(data)
        has_device_id = data.get("deviceId") not in (None, "")
        pairing_id = fields.str_("pairingId")
        if pairing_id is None and has_device_id:
            pairing_id = fields.str_("id")
        device_id = fields.str_("deviceId", "id")
        if device_id is None:
            raise V2CResponseError("Pairing without a device id")
        return cls(
            device_id=device_id,
            tag=fields.str_("tag", "name"),
            model=fields.str_("model", "deviceModel", "type"),
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
            code=fields.str_("code", "rfidCode", "uid"),
            tag=fields.str_("tag", "name", "rfidName"),
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
            ssid=fields.str_("ssid", "SSID", "name"),
            rssi_dbm=fields.int_("rssi", "RSSI", "signal"),
            security=fields.str_("security", "encryption", "auth", "authmode"),
            extra=fields.extra(),
        )

    @classmethod
    def from_json(cls, payload: object) -> Self:
        """Accept a bare SSID string as well as an object."""
        if isinstance(payload, str) and not payload.lstrip().startswith("{"):
            return cls(ssid=payload or None, rssi_dbm=None, security=None)
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
            name=fields.str_("name"),
            updated_at=fields.datetime_("updateAt", "updatedAt", "updated_at"),
            mode=fields.str_("mode"),
            value=fields.int_("value"),
            device_id=fields.str_("deviceId", "device_id"),
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
            session_id=fields.int_("id"),
            device_id=fields.str_("deviceId"),
            start=fields.datetime_("startChargeDate"),
            end=fields.datetime_("endChargeDate"),
            charge_id=fields.str_("idCharge"),
            energy_kwh=fields.float_("energy"),
            cost=fields.float_("cost"),
            co2_cost=fields.float_("coCost"),
            pv_cost=fields.float_("costFv"),
            energy_by_hour_kwh=to_float_series(
                fields.value("energyByHour"), "energyByHour"
            ),
            pv_energy_by_hour_kwh=to_float_series(
                fields.value("energyByHourFv"), "energyByHourFv"
            ),
            rfid_code=fields.str_("rfidCode"),
            rfid_name=fields.str_("rfidName"),
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
            total_energy_kwh=fields.float_("totalEnergy"),
            total_charges=fields.int_("totalCharges"),
            extra=fields.extra(),
        )


@dataclass(frozen=True, slots=True)
class FirmwareVersion(V2CModel):
    """Firmware version from `/version`."""

    version: str | None
    extra: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """Parse an object carrying `versionId` or `version`."""
        fields = FieldReader(data)
        return cls(version=fields.str_("versionId", "version"), extra=fields.extra())

    @classmethod
    def from_json(cls, payload: object) -> Self:
        """Accept a bare version string or number as well as an object."""
        if isinstance(payload, Mapping) or (
            isinstance(payload, str) and payload.lstrip().startswith("{")
        ):
            return cls.from_dict(as_mapping(payload, cls.__name__))
        return cls(version=to_str(payload, "version"))


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
