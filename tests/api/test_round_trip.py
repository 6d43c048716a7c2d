"""Every operation against the simulator: the wire request and its effect."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest

from custom_components.v2c_cloud.api import (
    OPERATIONS,
    OPERATIONS_BY_NAME,
    ChargeState,
    CurrentState,
    FirmwareVersion,
    GlobalStatistics,
    InstallationType,
    Language,
    Pairing,
    PowerProfile,
    PvMode,
    ReportedState,
    RfidCard,
    SlaveType,
    V2CClient,
)
from tests.sim_fixtures import DEFAULT_DEVICE_ID as D, SimHandle
from v2c_simulator import Charger, ChargerState
from v2c_simulator.state import PowerProfile as SimProfile, RfidCard as SimCard

STAMP = datetime(2023, 10, 27, 10, tzinfo=UTC)
STAMP_TEXT = "2023-10-27T10:00:00Z"


@dataclass(frozen=True)
class Case:
    """One operation: how to call it, what must go over the wire, what must change."""

    name: str
    call: Callable[[V2CClient], Awaitable[object]]
    query: dict[str, str]
    check: Callable[[ChargerState, object], bool]
    body: object = None
    prepare: Callable[[Charger], object] | None = None


def _with_cards(charger: Charger) -> None:
    charger.state.rfid_cards.append(SimCard("aa23b601", "Vicente"))


def _with_profile(charger: Charger) -> None:
    charger.state.profiles.append(SimProfile("SolarMode", STAMP_TEXT, "solar", 32))


def _paused(charger: Charger) -> None:
    charger.state.paused = True


def _one_session(charger: Charger) -> None:
    charger.plug_in()
    charger.unplug()


CASES = [
    Case(
        "start_charge",
        lambda c: c.start_charge(D),
        {"deviceId": D},
        lambda s, _: s.paused is False,
        prepare=_paused,
    ),
    Case(
        "pause_charge",
        lambda c: c.pause_charge(D),
        {"deviceId": D},
        lambda s, _: s.paused is True,
    ),
    Case(
        "set_intensity",
        lambda c: c.set_intensity(D, 16),
        {"deviceId": D, "value": "16"},
        lambda s, _: s.intensity == 16,
    ),
    Case(
        "set_locked",
        lambda c: c.set_locked(D, True),
        {"deviceId": D, "value": "1"},
        lambda s, _: s.locked is True,
    ),
    Case(
        "set_dynamic",
        lambda c: c.set_dynamic(D, True),
        {"deviceId": D, "value": "1"},
        lambda s, _: s.dynamic is True,
    ),
    Case(
        "set_pv_mode",
        lambda c: c.set_pv_mode(D, PvMode.PV_ONLY),
        {"deviceId": D, "value": "1"},
        lambda s, _: s.pv_mode == 1,
    ),
    Case(
        "set_max_power",
        lambda c: c.set_max_power(D, 5750),
        {"deviceId": D, "value": "5750"},
        lambda s, _: s.max_power == 5750,
    ),
    Case(
        "set_max_car_intensity",
        lambda c: c.set_max_car_intensity(D, 20),
        {"deviceId": D, "value": "20"},
        lambda s, _: s.max_car_int == 20,
    ),
    Case(
        "set_min_car_intensity",
        lambda c: c.set_min_car_intensity(D, 8),
        {"deviceId": D, "value": "8"},
        lambda s, _: s.min_car_int == 8,
    ),
    Case(
        "set_charge_until_energy",
        lambda c: c.set_charge_until_energy(D, 10.5),
        {"deviceId": D, "value": "10.5"},
        lambda s, _: s.charge_until_energy == 10.5,
    ),
    Case(
        "set_charge_until_minutes",
        lambda c: c.set_charge_until_minutes(D, 60),
        {"deviceId": D, "value": "60"},
        lambda s, _: s.charge_until_minutes == 60,
    ),
    Case(
        "start_charge_energy",
        lambda c: c.start_charge_energy(D, 15),
        {"deviceId": D, "kw": "15"},
        lambda s, _: s.session_stop_energy_kwh == 15,
    ),
    Case(
        "start_charge_minutes",
        lambda c: c.start_charge_minutes(D, 120),
        {"deviceId": D, "minutes": "120"},
        lambda s, _: s.session_stop_charging_seconds == 7200,
    ),
    Case(
        "set_timer",
        lambda c: c.set_timer(D, 1, time(22), time(6), [5, 1, 3]),
        {"deviceId": D, "timerId": "1"},
        lambda s, _: (
            (s.timers[1].time_start, s.timers[1].days_of_week) == ("22:00", "135")
        ),
        body={"timeStart": "22:00", "timeEnd": "06:00", "daysOfWeek": "135"},
    ),
    Case(
        "set_timer_legacy",
        lambda c: c.set_timer_legacy(D, 2, time(7, 30), time(8), active=True),
        {"deviceId": D, "timer id": "2"},
        lambda s, _: (
            (s.timers[2].time_end, s.timers[2].days_of_week) == ("08:00", "1234567")
        ),
        body={"start_time": "07:30", "end_time": "08:00", "active": True},
    ),
    Case(
        "set_thirdparty_mode",
        lambda c: c.set_thirdparty_mode(D, 1, True),
        {"deviceId": D, "mode": "1", "value": "1"},
        lambda s, _: (s.thirdparty_mode_kind, s.thirdparty_mode) == (1, 1),
    ),
    Case(
        "set_installation_type",
        lambda c: c.set_installation_type(D, InstallationType.THREE_PHASE),
        {"deviceId": D, "value": "1"},
        lambda s, _: s.inst_type == 1,
    ),
    Case(
        "set_ocpp",
        lambda c: c.set_ocpp(D, True),
        {"id": D, "value": "1"},
        lambda s, _: s.ocpp is True,
    ),
    Case(
        "set_ocpp_id",
        lambda c: c.set_ocpp_id(D, "V2C_Charger_001"),
        {"id": D, "value": "V2C_Charger_001"},
        lambda s, _: s.ocpp_id == "V2C_Charger_001",
    ),
    Case(
        "set_ocpp_address",
        lambda c: c.set_ocpp_address(D, "wss://ocpp.example.com/cp"),
        {"id": D, "value": "wss://ocpp.example.com/cp"},
        lambda s, _: s.ocpp_addr == "wss://ocpp.example.com/cp",
    ),
    Case(
        "set_denka_max_power",
        lambda c: c.set_denka_max_power(D, 5000),
        {"deviceId": D, "value": "5000"},
        lambda s, _: s.denka_max_power == 5000,
    ),
    Case(
        "set_inverter_ip",
        lambda c: c.set_inverter_ip(D, "192.168.1.100"),
        {"id": D, "value": "192.168.1.100"},
        lambda s, _: s.inverter_ip == "192.168.1.100",
    ),
    Case(
        "set_wifi",
        lambda c: c.set_wifi(D, "Vodafone-8F21", "MyWifiPassword123"),
        {"deviceId": D, "ssid": "Vodafone-8F21", "password": "<redacted:17>"},
        lambda s, _: (s.wifi_ssid, s.wifi_password_length) == ("Vodafone-8F21", 17),
    ),
    Case(
        "set_slave_type",
        lambda c: c.set_slave_type(D, SlaveType.HUAWEI),
        {"deviceId": D, "value": "3"},
        lambda s, _: s.slave_type == 3,
    ),
    Case(
        "set_language",
        lambda c: c.set_language(D, Language.SPANISH),
        {"deviceId": D, "value": "1"},
        lambda s, _: s.language == 1,
    ),
    Case(
        "set_logo_led",
        lambda c: c.set_logo_led(D, False),
        {"deviceId": D, "value": "0"},
        lambda s, _: s.logo_led is False,
    ),
    Case(
        "reboot",
        lambda c: c.reboot(D),
        {"deviceId": D},
        lambda s, _: s.rebooting_until is not None,
    ),
    Case(
        "update_firmware",
        lambda c: c.update_firmware(D),
        {"deviceId": D},
        lambda s, _: s.update_ready_at is not None,
    ),
    Case(
        "get_current_state",
        lambda c: c.get_current_state(D),
        {"deviceId": D},
        lambda s, r: (
            isinstance(r, CurrentState)
            and r.charge_state is ChargeState.NO_VEHICLE
            and r.installation_voltage_v == s.mains_voltage
        ),
    ),
    Case(
        "get_reported",
        lambda c: c.get_reported(D),
        {"deviceId": D},
        lambda s, r: (
            isinstance(r, ReportedState)
            and (r.device_id, r.mac, r.firmware_version) == (D, s.mac, s.version)
            and r.wifi_ssid == s.wifi_ssid
            and r.max_car_intensity_a == s.max_car_int
        ),
    ),
    Case(
        "is_connected",
        lambda c: c.is_connected(D),
        {"deviceId": D},
        lambda _, r: r is True,
    ),
    Case(
        "scan_wifi_networks",
        lambda c: c.scan_wifi_networks(D),
        {"id": D},
        lambda s, r: (
            isinstance(r, list)
            and r[0].ssid == s.wifi_ssid
            and r[0].rssi_dbm == s.wifi_rssi
        ),
    ),
    Case(
        "learn_rfid_card",
        lambda c: c.learn_rfid_card(D, "NewCard"),
        {"deviceId": D, "tag": "NewCard"},
        lambda s, _: s.rfid_learning_tag == "NewCard",
    ),
    Case(
        "delete_rfid_card",
        lambda c: c.delete_rfid_card(D, "aa23b601"),
        {"deviceId": D, "code": "aa23b601"},
        lambda s, _: s.rfid_cards == [],
        prepare=_with_cards,
    ),
    Case(
        "list_rfid_cards",
        lambda c: c.list_rfid_cards(D),
        {"deviceId": D},
        lambda _, r: r == [RfidCard("aa23b601", "Vicente")],
        prepare=_with_cards,
    ),
    Case(
        "add_rfid_card",
        lambda c: c.add_rfid_card(D, "aa23b601", "Vicente"),
        {"deviceId": D, "code": "aa23b601", "tag": "Vicente"},
        lambda s, _: s.card("aa23b601") is not None,
    ),
    Case(
        "rename_rfid_card",
        lambda c: c.rename_rfid_card(D, "aa23b601", "Ana"),
        {"deviceId": D, "code": "aa23b601", "tag": "Ana"},
        lambda s, _: s.rfid_cards[0].tag == "Ana",
        prepare=_with_cards,
    ),
    Case(
        "set_rfid_reader",
        lambda c: c.set_rfid_reader(D, True),
        {"deviceId": D, "value": "1"},
        lambda s, _: s.rfid_reader is True,
    ),
    Case(
        "get_charging_sessions",
        lambda c: c.get_charging_sessions(D),
        {"deviceId": D},
        lambda s, r: (
            isinstance(r, list)
            and [x.session_id for x in r] == [s.sessions[0].statistic_id]
            and r[0].finished is True
        ),
        prepare=_one_session,
    ),
    Case(
        "get_global_statistics",
        lambda c: c.get_global_statistics(date(2020, 1, 1), date(2099, 12, 31)),
        {"endChargeDateStart": "2020-01-01", "endChargeDateEnd": "2099-12-31"},
        lambda _, r: r == [GlobalStatistics(0.0, 1)],
        prepare=_one_session,
    ),
    Case(
        "save_power_profile",
        lambda c: c.save_power_profile(D, "SolarMode", STAMP, "solar", 32),
        {"deviceId": D, "name": "SolarMode", "updateAt": STAMP_TEXT},
        lambda s, _: (
            s.profile("SolarMode") == SimProfile("SolarMode", STAMP_TEXT, "solar", 32)
        ),
        body={"mode": "solar", "value": 32},
    ),
    Case(
        "update_power_profile",
        lambda c: c.update_power_profile(D, "SolarMode", STAMP, "max", 16),
        {"id": D, "name": "SolarMode", "updateAt": STAMP_TEXT},
        lambda s, _: (s.profiles[0].mode, s.profiles[0].value) == ("max", 16),
        body={"mode": "max", "value": 16},
        prepare=_with_profile,
    ),
    Case(
        "get_power_profile",
        lambda c: c.get_power_profile(D, STAMP),
        {"deviceId": D, "updateAt": STAMP_TEXT},
        lambda _, r: r == PowerProfile("SolarMode", STAMP, "solar", 32, None),
        prepare=_with_profile,
    ),
    Case(
        "delete_power_profile",
        lambda c: c.delete_power_profile(D, "SolarMode", STAMP),
        {"deviceId": D, "name": "SolarMode", "updateAt": STAMP_TEXT},
        lambda s, _: s.profiles == [],
        prepare=_with_profile,
    ),
    Case(
        "list_power_profiles",
        lambda c: c.list_power_profiles(D),
        {"deviceId": D},
        lambda _, r: r == [PowerProfile("SolarMode", STAMP, "solar", 32, None)],
        prepare=_with_profile,
    ),
    Case(
        "get_firmware_version",
        lambda c: c.get_firmware_version(D),
        {"deviceId": D},
        lambda s, r: r == FirmwareVersion(s.version),
    ),
    Case(
        "get_pairings",
        lambda c: c.get_pairings(),
        {},
        lambda s, r: (
            isinstance(r, list)
            and [(p.device_id, p.tag, p.model, p.pairing_id) for p in r]
            == [(D, "Garage", "trydan", s.pairing_id)]
            and isinstance(r[0], Pairing)
        ),
    ),
]


def test_cases_cover_every_operation() -> None:
    assert sorted(case.name for case in CASES) == sorted(op.name for op in OPERATIONS)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_operation_round_trip(
    v2c_sim: SimHandle, client: V2CClient, case: Case
) -> None:
    if case.prepare is not None:
        case.prepare(v2c_sim.charger)
    v2c_sim.sim.clear_log()

    result = await case.call(client)

    operation = OPERATIONS_BY_NAME[case.name]
    [record] = v2c_sim.sim.request_log
    assert (record.method, record.path) == (operation.method, operation.path)
    assert record.query == case.query
    assert record.body == case.body
    assert record.status == 200
    assert case.check(v2c_sim.charger.state, result)
    assert client.calls_made == 1
    assert case.name in client.last_responses


async def test_pole_shapes_parse(v2c_sim: SimHandle, client: V2CClient) -> None:
    pole = v2c_sim.account.add_charger("pole", device_id="POL0001")
    pole.plug_in()

    state = await client.get_current_state("POL0001")
    reported = await client.get_reported("POL0001")
    version = await client.get_firmware_version("POL0001")

    assert state.charge_state is ChargeState.CHARGING
    assert state.power_w == pytest.approx(pole.state.power_kw * 1000, abs=1)
    assert state.voltage_signal is None
    assert state.installation_voltage_v is None
    assert state.error_code == 0
    assert reported.dynamic is None
    assert reported.max_car_intensity_a == pole.state.max_car_int
    assert version.version == pole.state.version


async def test_commands_show_in_reported(v2c_sim: SimHandle, client: V2CClient) -> None:
    await client.set_intensity(D, 10)
    await client.set_pv_mode(D, PvMode.PV_PLUS_MIN)
    await client.set_timer(D, 3, time(1), time(5, 30), [7])
    await client.set_slave_type(D, SlaveType.SOLAX)

    reported = await client.get_reported(D)

    assert reported.intensity_a == 10
    assert reported.pv_mode is PvMode.PV_PLUS_MIN
    assert reported.slave_type is SlaveType.SOLAX
    [timer] = reported.timers
    assert (timer.timer_id, timer.start, timer.end, timer.days, timer.active) == (
        3,
        time(1),
        time(5, 30),
        (7,),
        True,
    )
