"""The client on bodies shaped as real chargers send them (tests/fixtures)."""

from __future__ import annotations

from dataclasses import fields
import logging
import math
from typing import Any

import aiohttp
from aiohttp import web
import pytest

from custom_components.v2c_cloud.api import (
    ChargeState,
    CurrentState,
    DynamicPowerMode,
    InstallationType,
    Language,
    MeterError,
    Pairing,
    PvMode,
    ReportedState,
    SlaveType,
    V2CClient,
    V2CResponseError,
)
from custom_components.v2c_cloud.api.parsing import decode_body
from custom_components.v2c_cloud.api.transport import MAX_BODY_BYTES
from tests.api.conftest import Serve
from tests.sim_fixtures import DEFAULT_DEVICE_ID as D, SimHandle, SimSetup
from v2c_simulator import Wire
from v2c_simulator.templates import wire_fixture

LIVE = "trydan-2.4.6-currentstatecharge"
SHADOW = "trydan-2.4.6-reported"
MUTATIONS: tuple[object, ...] = ("", "x", None, "-5", "1e306", "y" * 10_000, 10**400)

# Which model attributes each wire key feeds; the rest must not move when it breaks.
LIVE_ATTRS: dict[str, set[str]] = {
    "seconds": {"session_seconds"},
    "error": {"error_code", "error_message"},
    "voltage": {"voltage_signal"},
    "phases": {"phases"},
    "battery": {"battery_power_w"},
    "intensity": {"intensity_a"},
    "energy": {"energy_kwh"},
    "power": {"power_w"},
    "house_power": {"house_power_w"},
    "sun_power": {"sun_power_w"},
    "grid_power": {"grid_power_w"},
    "photovoltaic_on": {"photovoltaic_on"},
    "cp_level": {"installation_voltage_v"},
    "charge_state": {"charge_state"},
}
SHADOW_ATTRS: dict[str, set[str]] = {
    "device_id": {"device_id"},
    "deviceId": {"device_id"},
    "version": {"firmware_version"},
    "mac": {"mac"},
    "wifi_info": {"wifi_ssid", "wifi_rssi_dbm", "wifi_ip"},
    "min_car_int": {"min_car_intensity_a"},
    "max_car_int": {"max_car_intensity_a"},
    "min_car_int_fb": {"min_car_intensity_a"},
    "max_car_int_fb": {"max_car_intensity_a"},
    "intensity": {"intensity_a"},
    "locked": {"locked"},
    "pause": {"paused"},
    "dynamic": {"dynamic"},
    "charge_state": {"charge_state"},
    "light_led": {"led_brightness_pct"},
    "logo_led": {"logo_led"},
    "rfid": {"rfid_reader"},
    "contract_power": {"contract_power_w"},
    "inst_type": {"installation_type"},
    "slave_type": {"slave_type"},
    "fv_mode": {"pv_mode"},
    "dynamic_power_mode": {"dynamic_power_mode"},
    "language": {"language"},
    "ocpp": {"ocpp_enabled"},
    "ocpp_id": {"ocpp_id"},
    "ocpp_addr": {"ocpp_address"},
    "inverter_ip": {"inverter_ip"},
    "denka_max_power": {"denka_max_power_w"},
    "max_power": {"max_power_w"},
    "charge_until_energy": {"charge_until_energy_kwh"},
    "charge_until_minutes": {"charge_until_minutes"},
    "timers": {"timers"},
}
CASES = [
    (CurrentState, name, key, LIVE_ATTRS)
    for name in (LIVE, "pole-currentstatecharge")
    for key in wire_fixture(name)
] + [
    (ReportedState, name, key, SHADOW_ATTRS)
    for name in (SHADOW, "pole-reported")
    for key in wire_fixture(name)
]


def test_real_live_state_reads_as_the_notes_say() -> None:
    state = CurrentState.from_json(wire_fixture(LIVE))

    assert state.charge_state is ChargeState.CHARGING
    assert state.session_seconds == 26711
    assert state.energy_kwh == 4.179506
    assert (state.power_w, state.house_power_w, state.grid_power_w) == (0, 212, 212)
    assert state.installation_voltage_v == 248.0
    assert state.voltage_signal == 0.0728
    assert state.phases is None
    assert state.error_code == 0
    assert state.meter_error is MeterError.NONE
    assert state.photovoltaic_on is True


def test_real_shadow_reads_as_the_notes_say() -> None:
    reported = ReportedState.from_json(wire_fixture(SHADOW))

    assert reported.device_id == D
    assert reported.firmware_version == "2.4.6"
    assert reported.mac == "28:56:2F:0A:1B:2C"
    assert (reported.wifi_ssid, reported.wifi_ip, reported.wifi_rssi_dbm) == (
        "HomeNetwork",
        "192.168.1.77",
        None,
    )
    assert (reported.min_car_intensity_a, reported.max_car_intensity_a) == (6, 32)
    assert reported.led_brightness_pct == 100.0
    assert reported.contract_power_w == 5700.0
    assert reported.installation_type is InstallationType.PHOTOVOLTAIC
    assert reported.slave_type is SlaveType.SHELLY
    assert reported.pv_mode is PvMode.PV_PLUS_MIN
    assert reported.dynamic_power_mode is DynamicPowerMode.EXCLUSIVE_PV
    assert reported.language is Language.SPANISH
    assert set(reported.extra) == {
        "sleep_mode",
        "hw_revision",
        "rssi_threshold",
        "timezone",
    }


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"contract_power": "3.45"}, 345.0),
        ({"contract_power": "7"}, 700.0),
        ({"contract_power": 50}, 5000.0),
        ({"contract_power": "1001"}, None),
    ],
)
def test_contract_power_counts_100_w(data: dict[str, Any], expected: float) -> None:
    assert ReportedState.from_json(data).contract_power_w == expected


@pytest.mark.parametrize(
    ("led", "percent"),
    [("0.000000", 0.0), ("0.500000", 50.0), ("1.000000", 100.0), ("1.5", None)],
)
def test_light_led_is_a_brightness(led: str, percent: float | None) -> None:
    assert ReportedState.from_json({"light_led": led}).led_brightness_pct == percent


def test_plain_limit_keys_win_over_fb() -> None:
    reported = ReportedState.from_json(
        {**wire_fixture(SHADOW), "min_car_int": "8", "max_car_int": "20"}
    )
    assert (reported.min_car_intensity_a, reported.max_car_intensity_a) == (8, 20)


def test_device_id_alias() -> None:
    assert (
        ReportedState.from_json({"deviceId": "ABC", "locked": "0"}).device_id == "ABC"
    )


def test_text_is_cleaned_and_capped() -> None:
    pairing = Pairing.from_json(
        {"deviceId": "TRY1", "tag": "Gar\u202eage\x00\u200b" + "z" * 500}
    )
    assert pairing.tag is not None
    assert pairing.tag.startswith("Garage")
    assert len(pairing.tag) == 64
    with pytest.raises(V2CResponseError):
        Pairing.from_json({"deviceId": "T" * 65})
    reported = ReportedState.from_json(
        {"version": "2.4.6\n" + "9" * 100, "wifi_info": '{"ssid": "\\u0007Home"}'}
    )
    assert reported.firmware_version == "2.4.6" + "9" * 27
    assert reported.wifi_ssid == "Home"


def _sane(value: object) -> bool:
    if isinstance(value, float | int) and not isinstance(value, bool):
        return math.isfinite(value) and abs(value) <= 100_000
    if isinstance(value, str):
        return len(value) <= 255 and value.isprintable()
    return True


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{fixture}:{key}" for _, fixture, key, _ in CASES]
)
def test_one_broken_field_spoils_only_itself(
    case: tuple[type[CurrentState | ReportedState], str, str, dict[str, set[str]]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Every field of the real bodies, broken in every way: the rest is untouched."""
    model, fixture, key, attrs = case
    body = wire_fixture(fixture)
    baseline = model.from_json(body)
    owned = attrs.get(key, {"extra"})
    for value in MUTATIONS:
        with caplog.at_level(logging.DEBUG):
            mutated = model.from_json({**body, key: value})
        for attribute in fields(model):
            name = attribute.name
            if name in ("raw", *owned):
                assert _sane(getattr(mutated, name)), (name, value)
                continue
            assert getattr(mutated, name) == getattr(baseline, name), (name, value)
    assert all(record.levelno < logging.WARNING for record in caplog.records)


async def test_oversized_body_is_cut_off(
    session: aiohttp.ClientSession, serve: Serve
) -> None:
    sent: list[int] = []

    async def flood(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        chunk = b" " * 65536
        try:
            for _ in range(64):
                await response.write(chunk)
                sent.append(len(chunk))
        except ConnectionResetError:
            pass
        return response

    app = web.Application()
    app.router.add_get("/device/reported", flood)
    client = V2CClient("key", session=session, base_url=await serve(app))

    with pytest.raises(V2CResponseError, match="larger than 1024 KiB"):
        await client.get_reported(D)
    assert client.calls_made == 1


async def test_body_just_under_the_cap_is_read(
    session: aiohttp.ClientSession, serve: Serve
) -> None:
    padding = " " * (MAX_BODY_BYTES - 100)

    async def big(_request: web.Request) -> web.Response:
        return web.Response(text='{"version": "2.4.6"}' + padding)

    app = web.Application()
    app.router.add_get("/device/reported", big)
    client = V2CClient("key", session=session, base_url=await serve(app))

    assert (await client.get_reported(D)).firmware_version == "2.4.6"


@pytest.mark.parametrize("sim_setup", [SimSetup(), SimSetup(wire=Wire.DOCUMENT)])
async def test_both_wire_profiles_read_alike(
    v2c_sim: SimHandle, client: V2CClient
) -> None:
    """The document's shape and the real firmware's mean the same to the client."""
    v2c_sim.charger.plug_in(20)

    state = await client.get_current_state(D)
    reported = await client.get_reported(D)

    truth = v2c_sim.charger.state
    assert state.charge_state is ChargeState.CHARGING
    assert state.power_w == pytest.approx(truth.power_kw * 1000, abs=1)
    assert state.installation_voltage_v == truth.mains_voltage
    assert (reported.min_car_intensity_a, reported.max_car_intensity_a) == (6, 32)
    assert reported.contract_power_w == truth.contract_power
    assert reported.led_brightness_pct == 100.0


def test_integer_past_pythons_digit_limit_spoils_only_its_field() -> None:
    body = '{"power": ' + "9" * 5000 + ', "energy": "4.179506"}'
    state = CurrentState.from_json(decode_body(body.encode(), "text/plain", 200))
    assert (state.power_w, state.energy_kwh) == (None, 4.179506)


@pytest.mark.parametrize(("body", "version"), [("2.10", "2.10"), ("3.0\n", "3.0")])
async def test_bare_decimal_version_keeps_its_digits(
    session: aiohttp.ClientSession, serve: Serve, body: str, version: str
) -> None:
    """A `/version` body that is one bare number reads as written: 2.10 is not 2.1."""

    async def bare(_request: web.Request) -> web.Response:
        return web.Response(text=body, content_type="text/plain")

    app = web.Application()
    app.router.add_get("/version", bare)
    client = V2CClient("key", session=session, base_url=await serve(app))

    assert (await client.get_firmware_version(D)).version == version
