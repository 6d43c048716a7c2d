"""Live values end to end: the cloud's kW and phase codes as the user sees them."""

from __future__ import annotations

from homeassistant.const import STATE_UNKNOWN, Platform, UnitOfPower
import pytest

from v2c_simulator import Wire
from v2c_simulator.render import current_state

from .control_helpers import Harness
from .read_helpers import run_for

PLATFORM = Platform.SENSOR


@pytest.mark.parametrize(
    ("sent", "shown"), [("1.250000", 1250.0), ("-0.800000", -800.0)]
)
async def test_battery_power_is_shown_in_watts(
    harness: Harness, sent: str, shown: float
) -> None:
    """The charger sends battery power in kW; the sensor shows it in W."""
    harness.sim.sim.override_field("currentstatecharge", "battery", sent)
    await harness.load()

    state = harness.state("battery_power")
    assert state.attributes["unit_of_measurement"] == UnitOfPower.WATT
    assert float(state.state) == shown


async def test_solar_power_is_shown_in_watts(harness: Harness) -> None:
    """At noon the simulated PV produces kilowatts; the sensor shows them in W."""
    await harness.load()

    sun_kw = harness.sim.charger.state.sun_power_kw
    assert sun_kw > 1
    state = harness.state("solar_power")
    assert state.attributes["unit_of_measurement"] == UnitOfPower.WATT
    assert float(state.state) == pytest.approx(sun_kw * 1000, abs=0.01)


@pytest.mark.usefixtures("all_enabled")
async def test_phases_zero_is_unknown_and_three_is_shown(harness: Harness) -> None:
    """A three-phase Trydan sends "0" while idle (unknown) and "3" while charging."""
    await harness.load(inst_type=1)

    idle = current_state(harness.sim.charger.state, Wire.TRYDAN_2_4_6)
    assert idle["phases"] == "0"
    assert harness.state("phases").state == STATE_UNKNOWN

    harness.sim.charger.plug_in()
    await run_for(harness.hass, harness.freezer, 15)

    charging = current_state(harness.sim.charger.state, Wire.TRYDAN_2_4_6)
    assert charging["phases"] == "3"
    assert harness.state("phases").state == "3"
