"""Tests for the V2C Cloud binary sensors."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
import pytest

from custom_components.v2c_cloud.api import CurrentState
from custom_components.v2c_cloud.binary_sensor import BINARY_SENSORS, _plugged, _problem
from custom_components.v2c_cloud.data import is_charging
from tests.sim_fixtures import SimHandle

from .read_helpers import entity_texts, run_for, state_of

PLATFORM = Platform.BINARY_SENSOR


@pytest.mark.usefixtures("loaded")
async def test_plug_in_and_charge(
    hass: HomeAssistant, v2c_sim: SimHandle, freezer: FrozenDateTimeFactory
) -> None:
    """Plugged and charging follow the car."""
    assert state_of(hass, "binary_sensor.garage_vehicle_plugged_in").state == STATE_OFF
    assert state_of(hass, "binary_sensor.garage_vehicle_charging").state == STATE_OFF

    v2c_sim.charger.plug_in()
    await run_for(hass, freezer, 15)
    assert state_of(hass, "binary_sensor.garage_vehicle_plugged_in").state == STATE_ON
    assert state_of(hass, "binary_sensor.garage_vehicle_charging").state == STATE_ON
    assert state_of(hass, "binary_sensor.garage_problem").state == STATE_OFF


@pytest.mark.usefixtures("loaded")
async def test_problem(
    hass: HomeAssistant, v2c_sim: SimHandle, freezer: FrozenDateTimeFactory
) -> None:
    """A meter error the user can fix or a fault pilot state is a problem."""
    # The API document's sample shows 244 while charging normally.
    v2c_sim.charger.set_error_code(244)
    await run_for(hass, freezer, 15)
    assert state_of(hass, "binary_sensor.garage_problem").state == STATE_OFF

    v2c_sim.charger.set_error_code(10)
    await run_for(hass, freezer, 15)
    assert state_of(hass, "binary_sensor.garage_problem").state == STATE_ON

    v2c_sim.charger.set_error_code(0)
    v2c_sim.charger.set_pilot_state(5)
    await run_for(hass, freezer, 15)
    assert state_of(hass, "binary_sensor.garage_problem").state == STATE_ON
    assert state_of(hass, "binary_sensor.garage_vehicle_plugged_in").state == "unknown"


@pytest.mark.usefixtures("loaded")
async def test_online_stays_available(
    hass: HomeAssistant, v2c_sim: SimHandle, freezer: FrozenDateTimeFactory
) -> None:
    """The connection sensor reports an offline charger; the others go unavailable."""
    assert state_of(hass, "binary_sensor.garage_cloud_connection").state == STATE_ON

    v2c_sim.charger.set_online(False)
    await run_for(hass, freezer, 180)
    assert state_of(hass, "binary_sensor.garage_cloud_connection").state == STATE_OFF
    assert (
        state_of(hass, "binary_sensor.garage_vehicle_plugged_in").state
        == STATE_UNAVAILABLE
    )

    v2c_sim.charger.set_online(True)
    await run_for(hass, freezer, 60)
    assert state_of(hass, "binary_sensor.garage_cloud_connection").state == STATE_ON
    assert state_of(hass, "binary_sensor.garage_vehicle_plugged_in").state == STATE_OFF


@pytest.mark.parametrize(
    ("fields", "plugged", "charging", "problem"),
    [
        # Only the power read: the pilot state is unknown.
        ({"power": "0.000000"}, None, None, None),
        ({"charge_state": "0", "error": "0"}, False, False, False),
        ({"charge_state": "1", "error": ""}, True, False, False),
        ({"charge_state": "3"}, True, True, False),
        ({"charge_state": "4"}, None, False, True),
        ({"charge_state": "5", "error": "0"}, None, False, True),
        ({"charge_state": "2", "error": "244"}, True, True, False),
        ({"charge_state": "2", "error": "4"}, True, True, False),
        ({"charge_state": "2", "error": "7"}, True, True, True),
        ({"charge_state": "2", "error": "overheat"}, True, True, False),
        ({"power": "0.000000", "error": "1"}, None, None, True),
        # A real Trydan in exclusive PV without surplus: pilot C, nothing flows.
        (
            {"charge_state": "2", "power": "0.000000", "intensity": "0"},
            True,
            False,
            False,
        ),
        ({"charge_state": "2", "power": "0.050000"}, True, False, False),
        (
            {"charge_state": "2", "power": "1.380000", "intensity": "0"},
            True,
            True,
            False,
        ),
        ({"charge_state": "3", "power": "x", "intensity": "6"}, True, True, False),
        ({"charge_state": "2", "power": "x", "intensity": "x"}, True, True, False),
    ],
)
def test_flags(
    fields: dict[str, str],
    plugged: bool | None,
    charging: bool | None,
    problem: bool | None,
) -> None:
    """Pilot states and error fields map to the flags."""
    state = CurrentState.from_dict(fields)
    assert (_plugged(state), is_charging(state), _problem(state)) == (
        plugged,
        charging,
        problem,
    )


def test_texts() -> None:
    """Every binary sensor has an English name."""
    strings, english, _ = entity_texts(Platform.BINARY_SENSOR)
    for description in BINARY_SENSORS:
        key = description.translation_key
        assert strings[key]["name"] == english[key]["name"]
