"""Async client for the V2C Cloud third-party API."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time
from typing import Final, Self

import aiohttp

from . import validation as check
from .enums import InstallationType, Language, PvMode, SlaveType
from .models import (
    ChargingSession,
    CurrentState,
    FirmwareVersion,
    GlobalStatistics,
    Pairing,
    PowerProfile,
    QuotaSnapshot,
    ReportedState,
    RfidCard,
    V2CModel,
    WifiNetwork,
    parse_connected,
)
from .operations import OPERATIONS_BY_NAME
from .transport import CallListener, Transport

DEFAULT_BASE_URL: Final = "https://v2c.cloud/kong/v2c_service"

MAX_NAME_LENGTH: Final = 64
MAX_MODE_LENGTH: Final = 32
MAX_PROFILE_VALUE: Final = 1_000_000
MAX_THIRDPARTY_MODE: Final = 255
MAX_TIMER_ID: Final = 2**31 - 1
# Building this many models takes long enough (about 40 µs each) to stall the
# event loop of the program that runs the client.
OFF_LOOP_ITEMS: Final = 256


async def _models[M: V2CModel](model: type[M], body: object) -> list[M]:
    """Build a list of models; a long list off the event loop."""
    if isinstance(body, list) and len(body) > OFF_LOOP_ITEMS:
        return await asyncio.to_thread(model.list_from_json, body)
    return model.list_from_json(body)


class V2CClient:
    """Client for the V2C Cloud: one method per API operation."""

    def __init__(
        self,
        api_key: str,
        *,
        session: aiohttp.ClientSession | None = None,
        base_url: str = DEFAULT_BASE_URL,
        request_timeout: float = 15.0,
        quota_listener: Callable[[QuotaSnapshot], None] | None = None,
        call_listener: CallListener | None = None,
    ) -> None:
        """Create a client; without a session one is opened and closed by the client.

        `call_listener` hears of every request before it goes out and of every 429,
        so a quota budget can count what really reaches the wire.
        """
        self._transport = Transport(
            check.api_key(api_key),
            session=session,
            base_url=base_url,
            request_timeout=request_timeout,
            quota_listener=quota_listener,
            call_listener=call_listener,
        )

    def __repr__(self) -> str:
        """Describe the client without its API key."""
        return f"{type(self).__name__}(base_url={self._transport.base_url!r})"

    @property
    def quota(self) -> QuotaSnapshot | None:
        """Return the quota from the last response that carried rate-limit headers."""
        return self._transport.quota

    @property
    def calls_made(self) -> int:
        """Return how many requests reached (or, on a timeout or drop, may have reached) the server."""
        return self._transport.calls_made

    @property
    def calls_in_flight(self) -> int:
        """Return the requests sent that have not been answered yet."""
        return self._transport.calls_in_flight

    @property
    def last_responses(self) -> Mapping[str, object]:
        """Return the last parsed body per operation name (for diagnostics)."""
        return self._transport.last_responses

    async def close(self) -> None:
        """Close the HTTP session if the client opened it."""
        await self._transport.close()

    async def __aenter__(self) -> Self:
        """Enter an async context."""
        return self

    async def __aexit__(self, *_exc_info: object) -> None:
        """Leave the async context and close a session the client opened."""
        await self.close()

    async def _call(
        self,
        name: str,
        device_id: str | None,
        params: Mapping[str, str] | None = None,
        *,
        body: Mapping[str, object] | None = None,
        secrets: tuple[str, ...] = (),
    ) -> object:
        operation = OPERATIONS_BY_NAME[name]
        if operation.id_param is not None:
            device_id = check.device_id(device_id)
        return await self._transport.request(
            operation, device_id=device_id, params=params, body=body, secrets=secrets
        )

    async def _set_value(self, name: str, device_id: str, value: str) -> None:
        await self._call(name, device_id, {"value": value})

    # Reads

    async def get_pairings(self) -> list[Pairing]:
        """Return the chargers paired with the account."""
        return await _models(Pairing, await self._call("get_pairings", None))

    async def get_current_state(self, device_id: str) -> CurrentState:
        """Return live charging data (falls back to the seed path on 404)."""
        return CurrentState.from_json(await self._call("get_current_state", device_id))

    async def get_reported(self, device_id: str) -> ReportedState:
        """Return the device shadow (settings and last reported state)."""
        return ReportedState.from_json(await self._call("get_reported", device_id))

    async def is_connected(self, device_id: str) -> bool:
        """Return whether the charger is connected to the cloud."""
        return parse_connected(await self._call("is_connected", device_id))

    async def scan_wifi_networks(self, device_id: str) -> list[WifiNetwork]:
        """Return the WiFi networks the charger sees."""
        body = await self._call("scan_wifi_networks", device_id)
        return await _models(WifiNetwork, body)

    async def get_firmware_version(self, device_id: str) -> FirmwareVersion:
        """Return the charger's firmware version."""
        body = await self._call("get_firmware_version", device_id)
        return FirmwareVersion.from_json(body)

    async def get_charging_sessions(
        self, device_id: str, start: date | None = None, end: date | None = None
    ) -> list[ChargingSession]:
        """Return charging sessions (the last five when no dates are given)."""
        first, last = check.date_range(start, end)
        params = {
            key: value
            for key, value in (("chargeDateStart", first), ("chargeDateEnd", last))
            if value is not None
        }
        body = await self._call("get_charging_sessions", device_id, params)
        return await _models(ChargingSession, body)

    async def get_global_statistics(
        self, start: date | None = None, end: date | None = None
    ) -> list[GlobalStatistics]:
        """Return account totals, optionally for sessions ending in a date range."""
        first, last = check.date_range(start, end)
        params = {
            key: value
            for key, value in (
                ("endChargeDateStart", first),
                ("endChargeDateEnd", last),
            )
            if value is not None
        }
        body = await self._call("get_global_statistics", None, params)
        return await _models(GlobalStatistics, body)

    # Charging control

    async def start_charge(self, device_id: str) -> None:
        """Start or resume charging."""
        await self._call("start_charge", device_id)

    async def pause_charge(self, device_id: str) -> None:
        """Pause charging."""
        await self._call("pause_charge", device_id)

    async def set_intensity(
        self,
        device_id: str,
        amps: int,
        *,
        min_amps: int = check.MIN_AMPS,
        max_amps: int = check.MAX_AMPS,
    ) -> None:
        """Set the charging current within the device's limits (default 6-32 A)."""
        low = check.integer("min_amps", min_amps, 1, check.PILOT_MAX_AMPS)
        high = check.integer("max_amps", max_amps, low, check.PILOT_MAX_AMPS)
        value = check.integer("amps", amps, low, high)
        await self._set_value("set_intensity", device_id, str(value))

    async def set_locked(self, device_id: str, locked: bool) -> None:
        """Lock or unlock the charging point."""
        await self._set_value("set_locked", device_id, check.flag("locked", locked))

    async def set_dynamic(self, device_id: str, enabled: bool) -> None:
        """Enable or disable dynamic power control."""
        await self._set_value("set_dynamic", device_id, check.flag("enabled", enabled))

    async def set_pv_mode(self, device_id: str, mode: PvMode) -> None:
        """Set the photovoltaic charging mode."""
        member = check.enum_member("mode", mode, PvMode)
        await self._set_value("set_pv_mode", device_id, str(member.value))

    async def set_max_power(self, device_id: str, watts: int) -> None:
        """Set the installation's maximum power (legacy `/device/maxpower`)."""
        value = check.positive_integer("watts", watts)
        await self._set_value("set_max_power", device_id, str(value))

    async def set_max_car_intensity(self, device_id: str, amps: int) -> None:
        """Set the highest current the car accepts (6-32 A)."""
        value = check.integer("amps", amps, check.MIN_AMPS, check.MAX_AMPS)
        await self._set_value("set_max_car_intensity", device_id, str(value))

    async def set_min_car_intensity(self, device_id: str, amps: int) -> None:
        """Set the lowest current the car needs (6-32 A)."""
        value = check.integer("amps", amps, check.MIN_AMPS, check.MAX_AMPS)
        await self._set_value("set_min_car_intensity", device_id, str(value))

    async def set_charge_until_energy(self, device_id: str, kwh: float) -> None:
        """Stop charging after this much energy; 0 removes the target."""
        value = check.energy_kwh("kwh", kwh, zero=True)
        await self._set_value("set_charge_until_energy", device_id, value)

    async def set_charge_until_minutes(self, device_id: str, minutes: int) -> None:
        """Stop charging after this many minutes; 0 removes the target."""
        value = check.integer("minutes", minutes, 0, check.MAX_MINUTES)
        await self._set_value("set_charge_until_minutes", device_id, str(value))

    async def start_charge_energy(self, device_id: str, kwh: float) -> None:
        """Start a charge that stops after this much energy."""
        params = {"kw": check.energy_kwh("kwh", kwh)}
        await self._call("start_charge_energy", device_id, params)

    async def start_charge_minutes(self, device_id: str, minutes: int) -> None:
        """Start a charge that stops after this many minutes."""
        value = check.integer("minutes", minutes, 1, check.MAX_MINUTES)
        await self._call("start_charge_minutes", device_id, {"minutes": str(value)})

    async def set_timer(
        self,
        device_id: str,
        timer_id: int,
        start: time,
        end: time,
        days: Iterable[int],
    ) -> None:
        """Program a charging timer on days 1-7 (Monday=1), newer-spec form."""
        params = {"timerId": str(check.integer("timer_id", timer_id, 1, MAX_TIMER_ID))}
        body = {
            "timeStart": check.wall_time("start", start),
            "timeEnd": check.wall_time("end", end),
            "daysOfWeek": check.days_of_week(days),
        }
        await self._call("set_timer", device_id, params, body=body)

    async def set_timer_legacy(
        self, device_id: str, timer_id: int, start: time, end: time, *, active: bool
    ) -> None:
        """Program a charging timer in the seed document's form (no days)."""
        # The seed document names the query parameter "timer id", space included.
        params = {"timer id": str(check.integer("timer_id", timer_id, 1, MAX_TIMER_ID))}
        check.flag("active", active)
        body = {
            "start_time": check.wall_time("start", start),
            "end_time": check.wall_time("end", end),
            "active": active,
        }
        await self._call("set_timer_legacy", device_id, params, body=body)

    async def set_thirdparty_mode(
        self, device_id: str, mode: int, enabled: bool
    ) -> None:
        """Enable or disable a third-party control mode (legacy)."""
        params = {
            "mode": str(check.integer("mode", mode, 0, MAX_THIRDPARTY_MODE)),
            "value": check.flag("enabled", enabled),
        }
        await self._call("set_thirdparty_mode", device_id, params)

    # Installation and device settings

    async def set_installation_type(
        self, device_id: str, installation_type: InstallationType
    ) -> None:
        """Set the electrical installation type."""
        member = check.enum_member(
            "installation_type", installation_type, InstallationType
        )
        await self._set_value("set_installation_type", device_id, str(member.value))

    async def set_ocpp(self, device_id: str, enabled: bool) -> None:
        """Enable or disable OCPP."""
        await self._set_value("set_ocpp", device_id, check.flag("enabled", enabled))

    async def set_ocpp_id(self, device_id: str, value: str) -> None:
        """Set the OCPP charge point id."""
        checked = check.token("value", value, check.MAX_OCPP_ID_LENGTH)
        await self._set_value("set_ocpp_id", device_id, checked)

    async def set_ocpp_address(self, device_id: str, url: str) -> None:
        """Set the OCPP central system URL (ws:// or wss://)."""
        await self._set_value("set_ocpp_address", device_id, check.ocpp_address(url))

    async def set_denka_max_power(self, device_id: str, watts: int) -> None:
        """Set the maximum power of a Denka device."""
        value = check.positive_integer("watts", watts)
        await self._set_value("set_denka_max_power", device_id, str(value))

    async def set_inverter_ip(self, device_id: str, ip: str) -> None:
        """Set the IPv4 address of the solar inverter."""
        await self._set_value("set_inverter_ip", device_id, check.ipv4("ip", ip))

    async def set_wifi(self, device_id: str, ssid: str, password: str) -> None:
        """Set the charger's WiFi network ("" password for an open network)."""
        params = {"ssid": check.ssid(ssid), "password": check.wifi_password(password)}
        secrets = (password,) if password else ()
        await self._call("set_wifi", device_id, params, secrets=secrets)

    async def set_slave_type(self, device_id: str, slave_type: SlaveType) -> None:
        """Set the energy meter used for load balancing."""
        member = check.enum_member("slave_type", slave_type, SlaveType)
        await self._set_value("set_slave_type", device_id, str(member.value))

    async def set_language(self, device_id: str, language: Language) -> None:
        """Set the display language."""
        member = check.enum_member("language", language, Language)
        await self._set_value("set_language", device_id, str(member.value))

    async def set_logo_led(self, device_id: str, on: bool) -> None:
        """Turn the logo LED on or off."""
        await self._set_value("set_logo_led", device_id, check.flag("on", on))

    async def reboot(self, device_id: str) -> None:
        """Reboot the charger."""
        await self._call("reboot", device_id)

    async def update_firmware(self, device_id: str) -> None:
        """Start a firmware update."""
        await self._call("update_firmware", device_id)

    # RFID

    async def list_rfid_cards(self, device_id: str) -> list[RfidCard]:
        """Return the registered RFID cards."""
        return await _models(RfidCard, await self._call("list_rfid_cards", device_id))

    async def learn_rfid_card(self, device_id: str, tag: str) -> None:
        """Put the reader in learning mode; the next card read gets this name."""
        params = {"tag": check.text("tag", tag, check.MAX_RFID_LENGTH)}
        await self._call("learn_rfid_card", device_id, params)

    async def add_rfid_card(self, device_id: str, code: str, tag: str) -> None:
        """Register a card by its code (UID) and name."""
        params = {
            "code": check.token("code", code, check.MAX_RFID_LENGTH),
            "tag": check.text("tag", tag, check.MAX_RFID_LENGTH),
        }
        await self._call("add_rfid_card", device_id, params)

    async def rename_rfid_card(self, device_id: str, code: str, tag: str) -> None:
        """Rename a registered card."""
        params = {
            "code": check.token("code", code, check.MAX_RFID_LENGTH),
            "tag": check.text("tag", tag, check.MAX_RFID_LENGTH),
        }
        await self._call("rename_rfid_card", device_id, params)

    async def delete_rfid_card(self, device_id: str, code: str) -> None:
        """Delete a registered card."""
        params = {"code": check.token("code", code, check.MAX_RFID_LENGTH)}
        await self._call("delete_rfid_card", device_id, params)

    async def set_rfid_reader(self, device_id: str, enabled: bool) -> None:
        """Enable or disable the RFID reader."""
        value = check.flag("enabled", enabled)
        await self._set_value("set_rfid_reader", device_id, value)

    # Advanced power profiles

    async def list_power_profiles(self, device_id: str) -> list[PowerProfile]:
        """Return all power profiles of the charger."""
        body = await self._call("list_power_profiles", device_id)
        return await _models(PowerProfile, body)

    async def get_power_profile(
        self, device_id: str, updated_at: datetime
    ) -> PowerProfile:
        """Return the profile saved at this timestamp."""
        params = {"updateAt": check.utc_timestamp("updated_at", updated_at)}
        body = await self._call("get_power_profile", device_id, params)
        return PowerProfile.from_json(body)

    async def save_power_profile(
        self, device_id: str, name: str, updated_at: datetime, mode: str, value: int
    ) -> None:
        """Create a power profile."""
        params, body = _profile_request(name, updated_at, mode, value)
        await self._call("save_power_profile", device_id, params, body=body)

    async def update_power_profile(
        self, device_id: str, name: str, updated_at: datetime, mode: str, value: int
    ) -> None:
        """Update a power profile."""
        params, body = _profile_request(name, updated_at, mode, value)
        await self._call("update_power_profile", device_id, params, body=body)

    async def delete_power_profile(
        self, device_id: str, name: str, updated_at: datetime
    ) -> None:
        """Delete a power profile."""
        params = {
            "name": check.text("name", name, MAX_NAME_LENGTH),
            "updateAt": check.utc_timestamp("updated_at", updated_at),
        }
        await self._call("delete_power_profile", device_id, params)


def _profile_request(
    name: str, updated_at: datetime, mode: str, value: int
) -> tuple[dict[str, str], dict[str, object]]:
    """Check a power profile and return its query and JSON body."""
    params = {
        "name": check.text("name", name, MAX_NAME_LENGTH),
        "updateAt": check.utc_timestamp("updated_at", updated_at),
    }
    body: dict[str, object] = {
        "mode": check.token("mode", mode, MAX_MODE_LENGTH),
        "value": check.integer("value", value, 0, MAX_PROFILE_VALUE),
    }
    return params, body
