"""Tests of the response models: tolerant parsing, units and strictness."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, time, timedelta
import json
import logging

import pytest

from custom_components.v2c_cloud.api import (
    ChargeState,
    ChargingSession,
    CurrentState,
    FirmwareVersion,
    GlobalStatistics,
    InstallationType,
    Language,
    MeterError,
    Pairing,
    PowerProfile,
    PvMode,
    QuotaSnapshot,
    ReportedState,
    RfidCard,
    SlaveType,
    Timer,
    V2CResponseError,
    V2CValidationError,
    WifiNetwork,
    parsing,
    validation,
)
from custom_components.v2c_cloud.api.models import parse_connected

TRYDAN_STATE = {
    "error": "244",
    "battery": "0.000000",
    "voltage": "230.50",
    "intensity": "6",
    "seconds": "93",
    "photovoltaic_on": "1",
    "house_power": "3.500000",
    "charge_state": "2",
    "power": "1.380000",
    "sun_power": "1.500000",
    "phases": "1",
    "cp_level": "248.000000",
    "energy": "0.000000",
}
POLE_STATE = {
    "seconds": 0,
    "photovoltaic_on": 0,
    "charge_state": "0",
    "power": 0.0,
    "error": "",
    "energy": 0.0,
}
SESSION = {
    "id": 17307150,
    "deviceId": "QRPW7LV",
    "startChargeDate": "2025-10-28T11:44:47",
    "endChargeDate": "2025-10-28T14:45:05",
    "idCharge": "2025-10-28 11:44:47",
    "energy": 9.6,
    "cost": 1.44,
    "coCost": 2.976,
    "costFv": 0,
    "energyByHour": "0.9|3.5|3.6|1.6",
    "energyByHourFv": None,
    "rfidCode": "aa23b601",
    "rfidName": "Vicente",
    "message": None,
    "warning": False,
    "finished": True,
    "createdAt": "2025-10-28T10:44:52.000+00:00",
    "updatedAt": "2025-10-28T13:45:07.000+00:00",
}


def test_current_state_trydan_strings_converted_to_watts() -> None:
    state = CurrentState.from_json(TRYDAN_STATE)
    assert state.charge_state is ChargeState.CHARGING
    assert state.power_w == 1380.0
    assert state.house_power_w == 3500.0
    assert state.sun_power_w == 1500.0
    assert state.battery_power_w == 0.0
    assert state.intensity_a == 6.0
    assert state.voltage_signal == 230.5
    assert state.installation_voltage_v == 248.0
    assert state.energy_kwh == 0.0
    assert state.session_seconds == 93
    assert state.phases == 1
    assert state.photovoltaic_on is True
    # The document's own sample: code 244 while charging, a code no meter names.
    assert state.error_code == 244
    assert state.meter_error is None
    assert state.error_message is None
    assert state.raw == TRYDAN_STATE


def test_current_state_pole_numbers_and_missing_fields() -> None:
    state = CurrentState.from_json(POLE_STATE)
    assert state.charge_state is ChargeState.NO_VEHICLE
    assert state.power_w == 0.0
    assert state.session_seconds == 0
    assert state.photovoltaic_on is False
    assert state.error_code == 0
    assert state.meter_error is MeterError.NONE
    assert state.error_message is None
    assert state.house_power_w is None
    assert state.voltage_signal is None
    assert state.phases is None


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        ("0", 0, None),
        (0, 0, None),
        ("", 0, None),
        (None, None, None),
        ("Overcurrent", None, "Overcurrent"),
        ("-5", None, None),
        ("1e306", None, None),
    ],
)
def test_current_state_error_field(
    error: object, code: int | None, message: str | None
) -> None:
    state = CurrentState.from_json({"charge_state": "1", "error": error})
    assert (state.error_code, state.error_message) == (code, message)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({}, ""),
        ({"error": "Device not connected"}, "Device not connected"),
        ({"status": 500, "message": "Internal error"}, "Internal error"),
    ],
)
def test_an_answer_without_one_known_field_is_no_state(
    body: dict[str, object], reason: str
) -> None:
    """An error object sent with 200 is a failed read, not a charger with no values."""
    with pytest.raises(V2CResponseError) as current:
        CurrentState.from_json(body)
    assert current.value.reason == reason
    with pytest.raises(V2CResponseError) as reported:
        ReportedState.from_json({"deviceId": "TRY1", **body})
    assert reported.value.reason == reason


def test_current_state_accepts_text_json_and_unknown_charge_state() -> None:
    state = CurrentState.from_json(json.dumps({"charge_state": "9", "phases": "3.0"}))
    assert state.charge_state is None
    assert state.phases == 3


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "OK",
        True,
        42,
        [TRYDAN_STATE],
        "[1, 2]",
    ],
)
def test_current_state_rejects_bodies_that_are_not_objects(payload: object) -> None:
    with pytest.raises(V2CResponseError):
        CurrentState.from_json(payload)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("power", "fast"),
        ("power", True),
        ("power", "nan"),
        ("power", "1e306"),
        ("power", "-5"),
        ("power", 10**400),
        ("house_power", "101"),
        ("phases", "1.5"),
        ("phases", "0"),
        ("photovoltaic_on", "maybe"),
        ("seconds", [1]),
        ("seconds", "9" * 5000),
        ("energy", "1000.5"),
        ("cp_level", "x" * 10_000),
        ("charge_state", {"a": 1}),
    ],
)
def test_current_state_unusable_field_is_none_and_the_rest_carries_on(
    field: str, value: object
) -> None:
    state = CurrentState.from_json({**TRYDAN_STATE, field: value})
    expected = CurrentState.from_json(TRYDAN_STATE)
    assert state.charge_state is (
        None if field == "charge_state" else expected.charge_state
    )
    assert state.energy_kwh == (None if field == "energy" else 0.0)
    assert state.session_seconds == (None if field == "seconds" else 93)
    assert state.installation_voltage_v == (None if field == "cp_level" else 248.0)


def test_unusable_field_is_logged_once_by_key_only(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Start from a process that has not met a broken field yet.
    monkeypatch.setattr(parsing, "_skipped", set())
    secret = "hidden-value-7781"
    with caplog.at_level(logging.DEBUG, "custom_components.v2c_cloud.api"):
        for _ in range(3):
            CurrentState.from_json({"grid_power": secret})
    lines = [r.getMessage() for r in caplog.records if "grid_power" in r.getMessage()]
    assert len(lines) == 1
    assert secret not in caplog.text
    assert all(record.levelno == logging.DEBUG for record in caplog.records)


def test_reported_state_parses_settings_and_wifi_json_in_string() -> None:
    data = {
        "device_id": "DFL2JPV",
        "version": "2.1.7",
        "mac": "AA:BB:CC:DD:EE:FF",
        "wifi_info": json.dumps({"ssid": "Home", "rssi": "-61", "ip": "192.168.1.50"}),
        "min_car_int": "6",
        "max_car_int": "32",
        "intensity": "16",
        "locked": "0",
        "pause": "1",
        "dynamic": 1,
        "charge_state": "1",
        "logo_led": True,
        "light_led": "0.500000",
        "contract_power": "74",
        "inst_type": "1",
        "slave_type": "3",
        "fv_mode": "1",
        "rfid": "1",
        "charge_until_energy": "12.5",
        "charge_until_minutes": "0",
        "language": "2",
        "ocpp": "0",
        "ocpp_id": "",
        "timers": json.dumps(
            [
                {
                    "timerId": 1,
                    "timeStart": "22:00",
                    "timeEnd": "06:00",
                    "daysOfWeek": "531",
                }
            ]
        ),
        "brand_new_key": "kept",
    }
    reported = ReportedState.from_json(data)
    assert reported.device_id == "DFL2JPV"
    assert reported.firmware_version == "2.1.7"
    assert (reported.wifi_ssid, reported.wifi_rssi_dbm, reported.wifi_ip) == (
        "Home",
        -61,
        "192.168.1.50",
    )
    assert (reported.min_car_intensity_a, reported.max_car_intensity_a) == (6, 32)
    assert reported.intensity_a == 16
    assert reported.locked is False
    assert reported.paused is True
    assert reported.dynamic is True
    assert reported.logo_led is True
    assert reported.led_brightness_pct == 50.0
    assert reported.charge_state is ChargeState.CONNECTED
    assert reported.contract_power_w == 7400.0
    assert reported.installation_type is InstallationType.THREE_PHASE
    assert reported.slave_type is SlaveType.HUAWEI
    assert reported.pv_mode is PvMode.PV_ONLY
    assert reported.language is Language.PORTUGUESE
    assert reported.ocpp_enabled is False
    assert reported.ocpp_id is None
    assert reported.rfid_reader is True
    assert reported.charge_until_energy_kwh == 12.5
    assert reported.charge_until_minutes == 0
    assert reported.timers == (
        Timer(timer_id=1, start=time(22), end=time(6), days=(1, 3, 5), active=True),
    )
    assert reported.extra == {"brand_new_key": "kept"}
    assert reported.raw == data


def test_reported_state_unknown_slave_type_and_missing_wifi() -> None:
    reported = ReportedState.from_json({"slave_type": "7", "wifi_info": ""})
    assert reported.slave_type is None
    assert reported.wifi_ssid is None
    assert reported.timers == ()


@pytest.mark.parametrize(
    "data",
    [
        {"wifi_info": "not json"},
        {"wifi_info": "[1, 2]"},
        {"timers": "x"},
        {"locked": "2"},
    ],
)
def test_reported_state_garbage_field_is_dropped(data: dict[str, object]) -> None:
    reported = ReportedState.from_json({**data, "intensity": "16"})
    assert (reported.wifi_ssid, reported.timers, reported.locked) == (None, (), None)
    assert reported.intensity_a == 16


def test_a_field_nested_thousands_deep_leaves_a_model_others_can_walk() -> None:
    """The deep part is dropped: the read carries on and a copy of it still works."""
    deep = "[" * 5000 + "]" * 5000
    reported = ReportedState.from_json(f'{{"odd": {deep}, "intensity": "16"}}')
    assert reported.intensity_a == 16
    assert json.dumps(asdict(reported))


def test_a_version_without_a_digit_is_unknown() -> None:
    assert ReportedState.from_json('{"version": "OK"}').firmware_version is None


def test_non_finite_numbers_are_no_text() -> None:
    """JSON's 1e309 and the parser's NaN leave a name or version unknown, not "inf"."""
    reported = ReportedState.from_json(
        '{"version": 1e309, "mac": NaN, "ocpp_id": 12, "intensity": "16"}'
    )
    assert (reported.firmware_version, reported.mac) == (None, None)
    assert reported.ocpp_id == "12"
    assert reported.intensity_a == 16


@pytest.mark.parametrize("payload", ["not json", "[1, 2]", 5, None])
def test_reported_state_rejects_bodies_that_are_not_objects(payload: object) -> None:
    with pytest.raises(V2CResponseError):
        ReportedState.from_json(payload)


def test_timer_seed_form_and_day_list() -> None:
    timer = Timer.from_json(
        {
            "timer_id": "2",
            "start_time": "07:30",
            "end_time": "08:00",
            "days": [7, 1],
            "active": "true",
        }
    )
    assert timer == Timer(2, time(7, 30), time(8), (1, 7), True)


@pytest.mark.parametrize("end", ["24:00", "24:00:00", " 24:00 "])
def test_a_timer_ending_at_24_00_ends_at_midnight(end: str) -> None:
    """24:00, the end of the day, is 00:00: a window ends the next day when not after its start."""
    timer = Timer.from_json({"timerId": 1, "timeStart": "22:00", "timeEnd": end})
    assert (timer.start, timer.end) == (time(22), time(0))


@pytest.mark.parametrize("start", ["24:00", "24:30"])
def test_24_00_starts_no_timer_and_24_30_ends_none(start: str) -> None:
    timer = Timer.from_json({"timeStart": start, "timeEnd": "24:30"})
    assert (timer.start, timer.end) == (None, None)


def test_an_item_that_is_no_timer_leaves_the_others_known() -> None:
    """A `null` (or any non-object) in the timers list is skipped, not the whole list."""
    timers = [
        None,
        {"timerId": 1, "timeStart": "22:00", "timeEnd": "06:00", "daysOfWeek": "1"},
        5,
        "x",
    ]
    reported = ReportedState.from_json(
        {"intensity": "16", "timers": json.dumps(timers)}
    )
    assert reported.timers == (Timer(1, time(22), time(6), (1,), True),)


@pytest.mark.parametrize("days", ["08", [0], "1x"])
def test_timer_with_bad_days_has_none(days: object) -> None:
    timer = Timer.from_json({"daysOfWeek": days, "timeStart": "22:00"})
    assert (timer.days, timer.active, timer.start) == ((), None, time(22))


@pytest.mark.parametrize(
    ("data", "device_id", "tag", "pairing_id"),
    [
        ({"deviceId": "TRY1", "tag": "Garage", "id": "p-1"}, "TRY1", "Garage", "p-1"),
        ({"id": "TRY2", "name": "Street"}, "TRY2", "Street", None),
        ({"deviceId": "TRY3", "pairingId": 7, "id": "x"}, "TRY3", None, "7"),
        ({"deviceId": "", "id": "TRY4"}, "TRY4", None, None),
    ],
)
def test_pairing_aliases(
    data: dict[str, object], device_id: str, tag: str | None, pairing_id: str | None
) -> None:
    pairing = Pairing.from_json(data)
    assert (pairing.device_id, pairing.tag, pairing.pairing_id) == (
        device_id,
        tag,
        pairing_id,
    )


def test_pairing_keeps_unknown_keys_and_model() -> None:
    pairing = Pairing.from_json(
        {"deviceId": "TRY1", "model": "Trydan", "ip": "10.0.0.2"}
    )
    assert pairing.model == "Trydan"
    assert pairing.extra == {"ip": "10.0.0.2"}


def test_pairing_list_of_none_and_of_a_single_object() -> None:
    """Only an empty list is an account without chargers; an empty body is no answer."""
    assert Pairing.list_from_json("[]") == []
    for empty in (None, "", " \n"):
        with pytest.raises(V2CResponseError):
            Pairing.list_from_json(empty)
    assert Pairing.list_from_json('[{"deviceId": "A"}]')[0].device_id == "A"
    assert [p.device_id for p in Pairing.list_from_json({"deviceId": "B"})] == ["B"]


def test_pairing_without_device_id_is_skipped() -> None:
    pairings = Pairing.list_from_json([{"tag": "no id"}, None, 7, {"deviceId": "A"}])
    assert [pairing.device_id for pairing in pairings] == ["A"]


@pytest.mark.parametrize("odd", ["TRY 0404", "TRY\u00a00404", "x" * 65, "\u200b"])
def test_pairing_whose_id_the_client_would_refuse_is_skipped(odd: str) -> None:
    """A pairing is kept only if its device id passes the client's own check."""
    with pytest.raises(V2CValidationError):
        validation.device_id(odd)
    pairings = Pairing.list_from_json([{"deviceId": odd}, {"deviceId": "A"}])
    assert [pairing.device_id for pairing in pairings] == ["A"]
    with pytest.raises(V2CResponseError):
        Pairing.from_json({"deviceId": odd})


@pytest.mark.parametrize(
    "payload",
    [
        [1],
        "OK",
        5,
        "[1",
        [{"deviceId": "x" * 65}],
        {"message": "Internal server error"},
        {"data": [{"deviceId": "A"}]},
        [None],
        ["TRY123"],
    ],
)
def test_pairing_list_rejects_garbage(payload: object) -> None:
    with pytest.raises(V2CResponseError):
        Pairing.list_from_json(payload)


def test_charging_session_documented_example() -> None:
    session = ChargingSession.from_json(SESSION)
    assert session.session_id == 17307150
    assert session.device_id == "QRPW7LV"
    assert session.start == datetime.fromisoformat("2025-10-28T11:44:47")
    assert session.end == datetime.fromisoformat("2025-10-28T14:45:05")
    assert session.charge_id == "2025-10-28 11:44:47"
    assert session.energy_kwh == 9.6
    assert (session.cost, session.co2_cost, session.pv_cost) == (1.44, 2.976, 0.0)
    assert session.energy_by_hour_kwh == (0.9, 3.5, 3.6, 1.6)
    assert session.pv_energy_by_hour_kwh == ()
    assert (session.rfid_code, session.rfid_name) == ("aa23b601", "Vicente")
    assert session.warning is False
    assert session.finished is True
    assert session.created_at == datetime(2025, 10, 28, 10, 44, 52, tzinfo=UTC)
    assert session.extra == {}


def test_charging_session_bad_date_is_none() -> None:
    session = ChargingSession.from_json({**SESSION, "startChargeDate": "yesterday"})
    assert session.start is None
    assert session.energy_kwh == 9.6


def test_global_statistics_and_rfid_and_profile() -> None:
    totals = GlobalStatistics.list_from_json(
        [{"totalEnergy": 1500.75, "totalCharges": 120}]
    )
    assert totals == [GlobalStatistics(1500.75, 120)]
    card = RfidCard.from_json({"code": "aa23b601", "tag": "Vicente", "color": "red"})
    assert (card.code, card.tag, card.extra) == (
        "aa23b601",
        "Vicente",
        {"color": "red"},
    )
    profile = PowerProfile.from_json(
        {
            "name": "SolarMode",
            "updateAt": "2023-10-27T10:00:00Z",
            "mode": "solar",
            "value": "32",
        }
    )
    assert profile.updated_at == datetime(2023, 10, 27, 10, tzinfo=UTC)
    assert (profile.name, profile.mode, profile.value) == ("SolarMode", "solar", 32)


@pytest.mark.parametrize(
    ("payload", "version"),
    [
        ("2.1.7", "2.1.7"),
        (217, "217"),
        ({"versionId": "2.1.8", "date": "x"}, "2.1.8"),
        ('{"version": "3.0"}', "3.0"),
        (None, None),
        # An acknowledgement or an empty body is no version.
        ("OK", None),
        ("", None),
        ({"versionId": "ok"}, None),
    ],
)
def test_firmware_version_shapes(payload: object, version: str | None) -> None:
    assert FirmwareVersion.from_json(payload).version == version


def test_firmware_version_rejects_list() -> None:
    with pytest.raises(V2CResponseError):
        FirmwareVersion.from_json(["2.1.7"])


def test_wifi_networks_objects_and_bare_names() -> None:
    networks = WifiNetwork.list_from_json(
        [{"ssid": "Home", "rssi": -40, "auth": "WPA2"}, "Guest"]
    )
    assert networks == [
        WifiNetwork("Home", -40, "WPA2"),
        WifiNetwork("Guest", None, None),
    ]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (True, True),
        (False, False),
        ("true", True),
        ("0", False),
        ({"connected": "1"}, True),
        ({"isConnected": False}, False),
    ],
)
def test_parse_connected_shapes(payload: object, expected: bool) -> None:
    assert parse_connected(payload) is expected


@pytest.mark.parametrize("payload", [None, "", {}, {"other": 1}, "maybe", [True]])
def test_parse_connected_rejects_missing_flag(payload: object) -> None:
    with pytest.raises(V2CResponseError):
        parse_connected(payload)


def test_quota_snapshot_reset_at() -> None:
    seen = datetime(2025, 1, 1, 12, tzinfo=UTC)
    assert QuotaSnapshot(1000, 10, 3600, seen).reset_at == seen + timedelta(hours=1)
    assert QuotaSnapshot(1000, 10, None, seen).reset_at is None
