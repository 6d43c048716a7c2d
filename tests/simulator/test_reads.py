"""Read operations: wire shapes of Trydan and Pole, statistics and pairings."""

from __future__ import annotations

from datetime import timedelta
import json

from aiohttp import ClientSession
import pytest

from tests.sim_fixtures import SimHandle, SimSetup
from v2c_simulator import VirtualClock, Wire

from .helpers import api

TRYDAN_LIVE_KEYS = {
    "error",
    "battery",
    "voltage",
    "intensity",
    "seconds",
    "photovoltaic_on",
    "house_power",
    "charge_state",
    "power",
    "sun_power",
    "phases",
    "cp_level",
    "energy",
}
POLE_LIVE_KEYS = {
    "seconds",
    "photovoltaic_on",
    "charge_state",
    "power",
    "error",
    "energy",
}
SHADOW_KEYS = {
    "device_id",
    "version",
    "mac",
    "wifi_info",
    "min_car_int",
    "max_car_int",
    "intensity",
    "locked",
    "pause",
    "dynamic",
    "charge_state",
    "light_led",
    "logo_led",
    "rfid",
    "contract_power",
    "inst_type",
    "slave_type",
    "fv_mode",
    "language",
    "ocpp",
    "ocpp_id",
    "ocpp_addr",
    "inverter_ip",
    "denka_max_power",
    "max_power",
    "charge_until_energy",
    "charge_until_minutes",
    "thirdparty_mode",
    "timers",
}
POLE_MISSING = {
    "fv_mode",
    "inverter_ip",
    "slave_type",
    "dynamic",
    "contract_power",
    "denka_max_power",
}


@pytest.fixture(name="sim_setup")
def two_models(clock: VirtualClock) -> SimSetup:
    """Serve a Trydan and a Pole, the Trydan answering as the API document shows."""
    return SimSetup(
        clock=clock,
        models=("trydan", "pole"),
        device_ids=("TRY0001", "POL0001"),
        wire=Wire.DOCUMENT,
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/thirdparty/device/currentstatecharge"),
        ("POST", "/device/currentstatecharge"),
        ("GET", "/device/currentstatecharge"),
    ],
)
async def test_current_state_trydan_is_all_strings(
    v2c_sim: SimHandle,
    client: ClientSession,
    clock: VirtualClock,
    method: str,
    path: str,
) -> None:
    """Trydan's live data: every value a string, kW units, session energy."""
    v2c_sim.charger.plug_in(20)
    clock.advance(1800)

    body = (await api(client, method, path, deviceId="TRY0001")).body

    assert set(body) == TRYDAN_LIVE_KEYS
    assert all(isinstance(value, str) for value in body.values())
    assert body["charge_state"] == "2"
    assert body["intensity"] == "32"
    assert body["power"] == "7.360000"
    assert body["energy"] == "3.680000"
    assert body["seconds"] == "1800"
    assert body["voltage"] == "230.00"
    assert body["phases"] == "1"


async def test_current_state_pole_is_numbers(
    v2c_sim: SimHandle, client: ClientSession, clock: VirtualClock
) -> None:
    """Pole's live data: numbers, fewer fields, charge_state a string and error ""."""
    v2c_sim.chargers[1].plug_in(20)
    clock.advance(3600)

    body = (
        await api(client, "POST", "/device/currentstatecharge", deviceId="POL0001")
    ).body

    assert body == {
        "seconds": 3600,
        "photovoltaic_on": 0,
        "charge_state": "2",
        "power": 7.36,
        "error": "",
        "energy": 7.36,
    }
    assert set(body) == POLE_LIVE_KEYS
    v2c_sim.chargers[1].set_error_code(12)
    again = (
        await api(client, "POST", "/device/currentstatecharge", deviceId="POL0001")
    ).body
    assert again["error"] == "12"


async def test_reported_trydan(v2c_sim: SimHandle, client: ClientSession) -> None:
    """Trydan's shadow: flat snake_case strings, Wi-Fi as JSON in a string, extras kept."""
    body = (await api(client, "GET", "/device/reported", deviceId="TRY0001")).body

    assert set(body) >= SHADOW_KEYS
    assert set(body) - SHADOW_KEYS
    assert all(isinstance(value, str) for value in body.values())
    assert json.loads(body["wifi_info"]) == {
        "ssid": "HomeNetwork",
        "rssi": -58,
        "ip": "192.168.1.50",
    }
    assert body["contract_power"] == "57"
    assert body["light_led"] == "1"
    assert json.loads(body["timers"]) == []


async def test_reported_pole(v2c_sim: SimHandle, client: ClientSession) -> None:
    """Pole's shadow: numbers where numeric and no solar or meter keys."""
    body = (await api(client, "GET", "/device/reported", deviceId="POL0001")).body

    assert not POLE_MISSING & set(body)
    assert set(body) >= (SHADOW_KEYS - POLE_MISSING)
    assert body["intensity"] == 32
    assert body["charge_until_energy"] == 0.0
    assert body["device_id"] == "POL0001"


async def test_connected_is_a_bare_boolean(
    v2c_sim: SimHandle, client: ClientSession
) -> None:
    """/device/connected answers a bare true or false."""
    assert (
        await api(client, "GET", "/device/connected", deviceId="TRY0001")
    ).text == "true"
    v2c_sim.charger.set_online(False)
    assert (
        await api(client, "GET", "/device/connected", deviceId="TRY0001")
    ).text == "false"


async def test_wifi_list(v2c_sim: SimHandle, client: ClientSession) -> None:
    """The scan (which takes `id`) lists networks strongest first; nothing while offline."""
    networks = (await api(client, "GET", "/device/wifilist", id="TRY0001")).body

    assert networks[0] == {"ssid": "HomeNetwork", "rssi": -58, "encryption": "WPA2_PSK"}
    assert [n["rssi"] for n in networks] == sorted(
        (n["rssi"] for n in networks), reverse=True
    )
    assert (
        await api(client, "GET", "/device/wifilist", deviceId="TRY0001")
    ).status == 400
    v2c_sim.charger.set_online(False)
    assert (await api(client, "GET", "/device/wifilist", id="TRY0001")).body == []


async def test_version_shapes(v2c_sim: SimHandle, client: ClientSession) -> None:
    """Trydan answers {"versionId"}, Pole a bare JSON string."""
    assert (await api(client, "GET", "/version", deviceId="TRY0001")).body == {
        "versionId": "2.1.7"
    }
    pole = await api(client, "GET", "/version", deviceId="POL0001")
    assert pole.text == '"1.4.2"'


async def test_pairings(v2c_sim: SimHandle, client: ClientSession) -> None:
    """The account's chargers with pairing id, device id, tag and model."""
    body = (await api(client, "GET", "/pairings/me")).body

    assert [(p["deviceId"], p["tag"], p["model"]) for p in body] == [
        ("TRY0001", "Garage", "trydan"),
        ("POL0001", "Charger 2", "pole"),
    ]
    assert all(isinstance(p["id"], str) and p["id"] for p in body)


async def test_unpaired_charger_leaves_the_pairings(
    v2c_sim: SimHandle, client: ClientSession
) -> None:
    """An unpaired charger is gone from /pairings/me and no longer the caller's."""
    v2c_sim.account.remove_charger("POL0001")

    body = (await api(client, "GET", "/pairings/me")).body
    state = await api(client, "GET", "/device/currentstatecharge", deviceId="POL0001")

    assert [p["deviceId"] for p in body] == ["TRY0001"]
    assert state.status == 403
    with pytest.raises(KeyError):
        v2c_sim.account.remove_charger("POL0001")


async def _run_sessions(v2c_sim: SimHandle, clock: VirtualClock, days: int) -> None:
    """Charge every evening 19:00-22:00 for some days."""
    charger = v2c_sim.charger
    for _ in range(days):
        clock.advance(3600)
        charger.plug_in(10 + 1)
        clock.advance(3 * 3600)
        charger.unplug()
        clock.advance(20 * 3600)


async def test_device_statistics(
    v2c_sim: SimHandle, client: ClientSession, clock: VirtualClock
) -> None:
    """The last five sessions by default, newest first, each a Statistic object."""
    await _run_sessions(v2c_sim, clock, 7)

    body = (await api(client, "GET", "/stadistic/device", deviceId="TRY0001")).body

    assert len(body) == 5
    assert [s["startChargeDate"][:10] for s in body] == [
        "2026-03-08",
        "2026-03-07",
        "2026-03-06",
        "2026-03-05",
        "2026-03-04",
    ]
    first = body[0]
    assert first["deviceId"] == "TRY0001"
    assert first["energy"] == 11.0
    assert first["energyByHour"] == "7.36|3.64|0.00"
    assert first["energyByHourFv"] is None
    assert first["finished"] is True
    assert first["cost"] == round(11 * 0.15, 2)
    assert first["idCharge"] == first["startChargeDate"].replace("T", " ")
    assert first["startChargeDate"].endswith("19:00:00")
    assert first["endChargeDate"].endswith("22:00:00")
    assert first["createdAt"].endswith(".000+00:00")
    ids = [s["id"] for s in body]
    assert ids == sorted(ids, reverse=True)


async def test_device_statistics_by_date(
    v2c_sim: SimHandle, client: ClientSession, clock: VirtualClock
) -> None:
    """A date range selects the sessions that started in it (inclusive)."""
    await _run_sessions(v2c_sim, clock, 7)

    body = (
        await api(
            client,
            "GET",
            "/stadistic/device",
            deviceId="TRY0001",
            chargeDateStart="2026-03-03",
            chargeDateEnd="2026-03-04",
        )
    ).body
    assert [s["startChargeDate"][:10] for s in body] == ["2026-03-04", "2026-03-03"]
    since = (
        await api(
            client,
            "GET",
            "/stadistic/device",
            deviceId="TRY0001",
            chargeDateStart="2026-03-02",
        )
    ).body
    assert len(since) == 7
    bad = await api(
        client,
        "GET",
        "/stadistic/device",
        deviceId="TRY0001",
        chargeDateStart="03/03/2026",
    )
    assert (bad.status, bad.body["parameter"]) == (400, "chargeDateStart")


async def test_global_statistics(
    v2c_sim: SimHandle, client: ClientSession, clock: VirtualClock
) -> None:
    """Account totals over all chargers, by the day sessions ended."""
    await _run_sessions(v2c_sim, clock, 3)
    pole = v2c_sim.chargers[1]
    pole.plug_in(2)
    clock.advance(timedelta(hours=1).total_seconds())
    pole.unplug()

    everything = (await api(client, "GET", "/stadistic/global/me")).body
    assert everything == [{"totalEnergy": 35.0, "totalCharges": 4}]
    one_day = (
        await api(
            client,
            "GET",
            "/stadistic/global/me",
            endChargeDateStart="2026-03-03",
            endChargeDateEnd="2026-03-03",
        )
    ).body
    assert one_day == [{"totalEnergy": 11.0, "totalCharges": 1}]
    backwards = await api(
        client,
        "GET",
        "/stadistic/global/me",
        endChargeDateStart="2026-03-04",
        endChargeDateEnd="2026-03-03",
    )
    assert backwards.status == 400
