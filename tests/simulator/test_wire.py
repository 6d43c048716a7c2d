"""The trydan-2.4.6 wire profile: a Trydan answering as a real one on firmware 2.4.6."""

from __future__ import annotations

import json
import re

from aiohttp import ClientSession
import pytest

from tests.sim_fixtures import SimHandle, SimSetup
from v2c_simulator import Simulator, VirtualClock, Wire
from v2c_simulator.templates import wire_fixture

from .helpers import api

SIX_DECIMALS = re.compile(r"-?\d+\.\d{6}")
LIVE = "trydan-2.4.6-currentstatecharge"
SHADOW = "trydan-2.4.6-reported"


async def _live(client: ClientSession) -> dict[str, str]:
    answer = await api(client, "POST", "/device/currentstatecharge", deviceId="TRY0001")
    body: dict[str, str] = answer.body
    return body


async def _shadow(client: ClientSession) -> dict[str, str]:
    answer = await api(client, "GET", "/device/reported", deviceId="TRY0001")
    body: dict[str, str] = answer.body
    return body


@pytest.fixture(name="sim_setup")
def real_setup(clock: VirtualClock) -> SimSetup:
    """Serve a Trydan on firmware 2.4.6."""
    return SimSetup(clock=clock, wire=Wire.TRYDAN_2_4_6)


async def test_profile_is_the_real_firmware(v2c_sim: SimHandle) -> None:
    assert v2c_sim.sim.wire is Wire.TRYDAN_2_4_6


async def test_live_state_idle(client: ClientSession) -> None:
    """Strings, six decimals, mains voltage in cp_level, a small voltage, phases 0."""
    body = await _live(client)

    assert set(body) == set(wire_fixture(LIVE))
    assert all(isinstance(value, str) for value in body.values())
    for key in ("voltage", "battery", "energy", "power", "house_power", "sun_power"):
        assert SIX_DECIMALS.fullmatch(body[key]), key
    assert body["cp_level"] == "248.000000"
    assert float(body["voltage"]) < 1
    assert body["phases"] == "0"
    assert body["charge_state"] == "0"
    assert float(body["grid_power"]) == pytest.approx(
        float(body["house_power"]) - float(body["sun_power"]), abs=2e-6
    )


async def test_live_state_charging(
    v2c_sim: SimHandle, client: ClientSession, clock: VirtualClock
) -> None:
    v2c_sim.charger.plug_in(20)
    clock.advance(1800)

    body = await _live(client)

    assert (body["charge_state"], body["intensity"], body["phases"]) == ("2", "32", "1")
    assert body["power"] == "7.360000"
    assert body["energy"] == "3.680000"
    assert body["seconds"] == "1800"


async def test_shadow(v2c_sim: SimHandle, client: ClientSession) -> None:
    """Both id keys, upper-case MAC, Wi-Fi JSON, fraction LED, 100 W contract units."""
    body = await _shadow(client)

    assert all(isinstance(value, str) for value in body.values())
    assert body["device_id"] == body["deviceId"] == "TRY0001"
    assert re.fullmatch(r"([0-9A-F]{2}:){5}[0-9A-F]{2}", body["mac"])
    assert json.loads(body["wifi_info"]) == {
        "ssid": "HomeNetwork",
        "ip": "192.168.1.50",
        "static_mode": "0",
        "status": "3",
    }
    assert body["light_led"] == "1.000000"
    assert body["contract_power"] == "57"
    assert (body["min_car_int"], body["max_car_int"]) == ("6", "32")
    assert "min_car_int_fb" not in body
    # The template's undocumented keys come along untouched.
    assert body["timezone"] == "Europe/Madrid"
    assert body["dynamic_power_mode"] == "2"

    v2c_sim.charger.state.contract_power = 345
    v2c_sim.charger.state.led_brightness = 0.5
    body = await _shadow(client)
    assert (body["contract_power"], body["light_led"]) == ("3.45", "0.500000")


@pytest.mark.parametrize(
    "sim_setup", [SimSetup(wire=Wire.TRYDAN_2_4_6, fb_limits=True)]
)
async def test_fb_limits_on_request(v2c_sim: SimHandle, client: ClientSession) -> None:
    body = await _shadow(client)

    assert (body["min_car_int_fb"], body["max_car_int_fb"]) == ("6", "32")
    assert "min_car_int" not in body
    assert "max_car_int" not in body


async def test_overrides_replace_a_field_until_cleared(
    v2c_sim: SimHandle, client: ClientSession
) -> None:
    v2c_sim.sim.override_field("currentstatecharge", "power", "x")
    v2c_sim.sim.override_field("reported", "light_led", 10**400)

    assert (await _live(client))["power"] == "x"
    shadow = (await api(client, "GET", "/device/reported", deviceId="TRY0001")).text
    assert '"light_led": 1' + "0" * 400 in shadow

    v2c_sim.sim.clear_overrides()
    assert (await _live(client))["power"] == "0.000000"
    assert (await _shadow(client))["light_led"] == "1.000000"


async def test_pole_is_not_shaped_by_the_profile(
    v2c_sim: SimHandle, client: ClientSession
) -> None:
    v2c_sim.account.add_charger("pole", device_id="POL0001")

    answer = await api(client, "POST", "/device/currentstatecharge", deviceId="POL0001")

    assert set(answer.body) == set(wire_fixture("pole-currentstatecharge"))
    assert answer.body["error"] == ""


@pytest.mark.parametrize(
    ("wire", "installed", "latest"),
    [(Wire.TRYDAN_2_4_6, "2.4.6", "2.4.7"), (Wire.DOCUMENT, "2.1.7", "2.2.0")],
)
def test_firmware_follows_the_profile(
    clock: VirtualClock, wire: Wire, installed: str, latest: str
) -> None:
    charger = Simulator(clock, wire=wire).add_account("K").add_charger("trydan")
    assert charger.state.version == installed

    charger.start_update()
    clock.advance(600)

    assert charger.state.version == latest
