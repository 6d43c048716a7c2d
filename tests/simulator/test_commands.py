"""Command operations: acknowledgement, validation and the state change they cause."""

from __future__ import annotations

from aiohttp import ClientSession
import pytest

from tests.sim_fixtures import SimHandle
from v2c_simulator import VirtualClock

from .helpers import api

MESSAGE = {"message": "Command executed successfully"}

SETTINGS = [
    # path, device parameter, value, state field, state value, reported key
    ("/device/intensity", "deviceId", "16", "intensity", 16, "intensity"),
    ("/device/locked", "deviceId", "1", "locked", True, "locked"),
    ("/device/dynamic", "deviceId", "1", "dynamic", True, "dynamic"),
    ("/device/chargefvmode", "deviceId", "1", "pv_mode", 1, "fv_mode"),
    ("/device/maxpower", "deviceId", "5750", "max_power", 5750, "max_power"),
    ("/device/max_car_int", "deviceId", "20", "max_car_int", 20, "max_car_int"),
    ("/device/min_car_int", "deviceId", "8", "min_car_int", 8, "min_car_int"),
    (
        "/device/charger_until_energy",
        "deviceId",
        "10",
        "charge_until_energy",
        10.0,
        "charge_until_energy",
    ),
    (
        "/device/charger_until_minutes",
        "deviceId",
        "60",
        "charge_until_minutes",
        60,
        "charge_until_minutes",
    ),
    ("/device/inst_type", "deviceId", "1", "inst_type", 1, "inst_type"),
    ("/device/ocpp", "id", "1", "ocpp", True, "ocpp"),
    (
        "/device/ocpp_id",
        "id",
        "V2C_Charger_001",
        "ocpp_id",
        "V2C_Charger_001",
        "ocpp_id",
    ),
    (
        "/device/ocpp_addr",
        "id",
        "ws://ocpp.server.com/endpoint",
        "ocpp_addr",
        "ws://ocpp.server.com/endpoint",
        "ocpp_addr",
    ),
    (
        "/device/denka/max_power",
        "deviceId",
        "5000",
        "denka_max_power",
        5000,
        "denka_max_power",
    ),
    (
        "/device/inverter_ip",
        "id",
        "192.168.1.100",
        "inverter_ip",
        "192.168.1.100",
        "inverter_ip",
    ),
    ("/device/slave_type", "deviceId", "3", "slave_type", 3, "slave_type"),
    ("/device/language", "deviceId", "1", "language", 1, "language"),
    ("/device/logo_led", "deviceId", "0", "logo_led", False, "logo_led"),
    ("/device/set_rfid", "deviceId", "1", "rfid_reader", True, "rfid"),
]


@pytest.mark.parametrize("setting", SETTINGS, ids=[row[0] for row in SETTINGS])
async def test_setting_is_applied_and_reported(
    v2c_sim: SimHandle,
    client: ClientSession,
    setting: tuple[str, str, str, str, object, str],
) -> None:
    """Each setting answers the success message and shows up in state and shadow."""
    path, id_param, value, field, expected, key = setting
    before = (
        await api(client, "GET", "/device/reported", deviceId=v2c_sim.device_id)
    ).body
    assert before[key] != value

    answer = await api(
        client, "POST", path, **{id_param: v2c_sim.device_id, "value": value}
    )

    assert answer.status == 200
    assert answer.content_type == "application/json"
    assert answer.body == MESSAGE
    assert getattr(v2c_sim.charger.state, field) == expected
    after = (
        await api(client, "GET", "/device/reported", deviceId=v2c_sim.device_id)
    ).body
    assert after[key] == value


async def test_maxpower_sets_contract_power(
    v2c_sim: SimHandle, client: ClientSession
) -> None:
    """The legacy maxpower is the installation's contracted power."""
    await api(
        client, "POST", "/device/maxpower", deviceId=v2c_sim.device_id, value="9200"
    )
    assert v2c_sim.charger.state.contract_power == 9200


@pytest.mark.parametrize(
    ("path", "id_param", "value"),
    [
        ("/device/intensity", "deviceId", "33"),
        ("/device/intensity", "deviceId", "sixteen"),
        ("/device/locked", "deviceId", "2"),
        ("/device/chargefvmode", "deviceId", "3"),
        ("/device/min_car_int", "deviceId", "5"),
        ("/device/charger_until_energy", "deviceId", "-1"),
        ("/device/charger_until_energy", "deviceId", "lots"),
        ("/device/language", "deviceId", "10"),
        ("/device/inverter_ip", "id", "192.168.1"),
        ("/device/ocpp_id", "id", "x" * 65),
    ],
)
async def test_setting_rejects_bad_value(
    v2c_sim: SimHandle, client: ClientSession, path: str, id_param: str, value: str
) -> None:
    """A bad value is a 400 naming the parameter, and changes nothing."""
    before = (
        await api(client, "GET", "/device/reported", deviceId=v2c_sim.device_id)
    ).body

    answer = await api(
        client, "POST", path, **{id_param: v2c_sim.device_id, "value": value}
    )

    assert answer.status == 400
    assert answer.body["parameter"] == "value"
    assert (
        await api(client, "GET", "/device/reported", deviceId=v2c_sim.device_id)
    ).body == before


@pytest.mark.parametrize(
    ("path", "params", "missing"),
    [
        ("/device/intensity", {"deviceId": "TRY0001"}, "value"),
        ("/device/intensity", {"value": "16"}, "deviceId"),
        ("/device/ocpp", {"deviceId": "TRY0001", "value": "1"}, "id"),
        ("/device/startchargekw", {"deviceId": "TRY0001"}, "kw"),
        ("/device/startchargeminutes", {"deviceId": "TRY0001"}, "minutes"),
        ("/device/thirdparty_mode", {"deviceId": "TRY0001", "value": "1"}, "mode"),
        ("/device/wifi", {"deviceId": "TRY0001", "ssid": "Net"}, "password"),
        ("/device/timer", {"deviceId": "TRY0001"}, "timerId"),
    ],
)
async def test_missing_parameter_is_named(
    v2c_sim: SimHandle,
    client: ClientSession,
    path: str,
    params: dict[str, str],
    missing: str,
) -> None:
    """A missing parameter is a 400 whose JSON body names it."""
    answer = await api(client, "POST", path, **params)
    assert answer.status == 400
    assert answer.body["parameter"] == missing
    assert missing in answer.body["message"]


async def test_unknown_and_foreign_devices(
    v2c_sim: SimHandle, client: ClientSession
) -> None:
    """Another account's device is forbidden; a device nobody has is not found."""
    v2c_sim.sim.add_account("other-key").add_charger("trydan", device_id="OTHER01")

    foreign = await api(client, "POST", "/device/startcharge", deviceId="OTHER01")
    missing = await api(client, "POST", "/device/startcharge", deviceId="NOPE")

    assert (foreign.status, missing.status) == (403, 404)
    assert "message" in foreign.body
    assert "message" in missing.body


async def test_pause_and_start(v2c_sim: SimHandle, client: ClientSession) -> None:
    """Pause stops a charging car; start resumes it; both answer an empty 200."""
    v2c_sim.charger.plug_in(30)
    assert v2c_sim.charger.state.charge_state == 2

    paused = await api(
        client, "POST", "/device/pausecharge", deviceId=v2c_sim.device_id
    )
    assert (paused.status, paused.text) == (200, "")
    assert v2c_sim.charger.state.paused
    assert v2c_sim.charger.state.charge_state == 1

    started = await api(
        client, "POST", "/device/startcharge", deviceId=v2c_sim.device_id
    )
    assert (started.status, started.text) == (200, "")
    assert v2c_sim.charger.state.charge_state == 2


async def test_start_charge_kw_stops_after_energy(
    v2c_sim: SimHandle, client: ClientSession, clock: VirtualClock
) -> None:
    """Startchargekw charges that much more energy, then stops."""
    charger = v2c_sim.charger
    charger.plug_in(50)
    await api(client, "POST", "/device/pausecharge", deviceId=v2c_sim.device_id)

    answer = await api(
        client, "POST", "/device/startchargekw", deviceId=v2c_sim.device_id, kw="3.68"
    )
    assert (answer.status, answer.text) == (200, "")
    clock.advance(900)
    assert charger.state.charge_state == 2
    clock.advance(3600)

    assert charger.state.session_energy_kwh == pytest.approx(3.68)
    assert charger.state.charge_state == 1
    assert charger.state.session_stopped


async def test_start_charge_minutes_stops_after_time(
    v2c_sim: SimHandle, client: ClientSession, clock: VirtualClock
) -> None:
    """Startchargeminutes charges that long, then stops."""
    charger = v2c_sim.charger
    charger.plug_in(50)
    await api(
        client,
        "POST",
        "/device/startchargeminutes",
        deviceId=v2c_sim.device_id,
        minutes="30",
    )
    clock.advance(3600)

    assert charger.state.charging_seconds == pytest.approx(1800)
    assert charger.state.session_energy_kwh == pytest.approx(7.36 / 2)
    assert charger.state.charge_state == 1

    await api(client, "POST", "/device/startcharge", deviceId=v2c_sim.device_id)
    clock.advance(60)
    assert charger.state.charge_state == 2


async def test_timer_newer_form(v2c_sim: SimHandle, client: ClientSession) -> None:
    """The newer spec's timer: timerId query and timeStart/timeEnd/daysOfWeek body."""
    answer = await api(
        client,
        "POST",
        "/device/timer",
        deviceId=v2c_sim.device_id,
        timerId="1",
        body={"timeStart": "22:00", "timeEnd": "06:00", "daysOfWeek": "321"},
    )

    assert answer.body == MESSAGE
    reported = (
        await api(client, "GET", "/device/reported", deviceId=v2c_sim.device_id)
    ).body
    assert reported["timers"] == (
        '[{"timerId": 1, "timeStart": "22:00", "timeEnd": "06:00", "daysOfWeek": "123"}]'
    )


async def test_timer_seed_form(v2c_sim: SimHandle, client: ClientSession) -> None:
    """The seed's timer body (start_time/end_time/active) is still accepted."""
    params = {"deviceId": v2c_sim.device_id, "timer id": "2"}
    on = await api(
        client,
        "POST",
        "/device/timer",
        body={"start_time": "01:00", "end_time": "05:30", "active": True},
        **params,
    )
    assert on.body == MESSAGE
    assert v2c_sim.charger.state.timers[2].days_of_week == "1234567"

    await api(
        client,
        "POST",
        "/device/timer",
        body={"start_time": "01:00", "end_time": "05:30", "active": False},
        **params,
    )
    timer = v2c_sim.charger.state.timers[2]
    assert (timer.time_start, timer.time_end, timer.active) == ("01:00", "05:30", False)


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        (None, "body"),
        ([1, 2], "body"),
        ({"timeStart": "25:00", "timeEnd": "06:00", "daysOfWeek": "1"}, "timeStart"),
        ({"timeStart": "22:00", "timeEnd": "6h", "daysOfWeek": "1"}, "timeEnd"),
        ({"timeStart": "22:00", "timeEnd": "06:00", "daysOfWeek": "189"}, "daysOfWeek"),
        ({"timeStart": "22:00", "timeEnd": "06:00"}, "daysOfWeek"),
        ({"start_time": "22:00", "end_time": "06:00", "active": "yes"}, "active"),
    ],
)
async def test_timer_rejects_bad_body(
    v2c_sim: SimHandle, client: ClientSession, body: object, parameter: str
) -> None:
    """A bad timer body is a 400 naming the field."""
    answer = await api(
        client,
        "POST",
        "/device/timer",
        deviceId=v2c_sim.device_id,
        timerId="1",
        body=body,
    )
    assert answer.status == 400
    assert answer.body["parameter"] == parameter
    assert v2c_sim.charger.state.timers == {}


async def test_thirdparty_mode(v2c_sim: SimHandle, client: ClientSession) -> None:
    """The legacy third-party mode stores mode and value."""
    answer = await api(
        client,
        "POST",
        "/device/thirdparty_mode",
        deviceId=v2c_sim.device_id,
        mode="1",
        value="1",
    )
    assert answer.body == MESSAGE
    state = v2c_sim.charger.state
    assert (state.thirdparty_mode_kind, state.thirdparty_mode) == (1, 1)


async def test_wifi_keeps_only_password_length(
    v2c_sim: SimHandle, client: ClientSession
) -> None:
    """Joining a network changes the SSID; the password is never stored or logged."""
    password = "MyWifiPassword123"
    answer = await api(
        client,
        "POST",
        "/device/wifi",
        deviceId=v2c_sim.device_id,
        ssid="Vodafone-8F21",
        password=password,
    )

    assert (answer.status, answer.text) == (200, "")
    reported = (
        await api(client, "GET", "/device/reported", deviceId=v2c_sim.device_id)
    ).body
    assert '"ssid": "Vodafone-8F21"' in reported["wifi_info"]
    assert v2c_sim.charger.state.wifi_rssi == -71
    assert v2c_sim.charger.state.wifi_password_length == len(password)
    assert password not in repr(v2c_sim.charger.state)
    assert password not in repr(v2c_sim.sim.request_log)
    wifi_call = next(r for r in v2c_sim.sim.request_log if r.path == "/device/wifi")
    assert wifi_call.query["password"] == f"<redacted:{len(password)}>"


async def test_reboot_takes_the_charger_offline_for_a_while(
    v2c_sim: SimHandle, client: ClientSession, clock: VirtualClock
) -> None:
    """A reboot drops the charger off the cloud for 30 s; commands meanwhile are lost."""
    answer = await api(client, "POST", "/device/reboot", deviceId=v2c_sim.device_id)
    assert (answer.status, answer.text) == (200, "")
    assert (
        await api(client, "GET", "/device/connected", deviceId=v2c_sim.device_id)
    ).body is False

    await api(
        client, "POST", "/device/intensity", deviceId=v2c_sim.device_id, value="10"
    )
    clock.advance(30)

    assert (
        await api(client, "GET", "/device/connected", deviceId=v2c_sim.device_id)
    ).body is True
    assert v2c_sim.charger.state.intensity == 32
    assert v2c_sim.charger.dropped_commands == 1


async def test_firmware_update_bumps_version_later(
    v2c_sim: SimHandle, client: ClientSession, clock: VirtualClock
) -> None:
    """An update answers at once; the version changes once installed, and only once."""
    answer = await api(client, "POST", "/device/update", deviceId=v2c_sim.device_id)
    assert (answer.status, answer.text) == (200, "")
    await api(client, "POST", "/device/update", deviceId=v2c_sim.device_id)
    assert (await api(client, "GET", "/version", deviceId=v2c_sim.device_id)).body == {
        "versionId": "2.4.6"
    }

    clock.advance(120)

    assert (await api(client, "GET", "/version", deviceId=v2c_sim.device_id)).body == {
        "versionId": "2.4.7"
    }
    await api(client, "POST", "/device/update", deviceId=v2c_sim.device_id)
    clock.advance(600)
    assert v2c_sim.charger.state.version == "2.4.7"
    assert v2c_sim.charger.state.update_ready_at is None
