"""Tests for the V2C Cloud numbers, end to end through the simulator.

What every control does is in test_controls.py; here what only numbers do.
"""

from __future__ import annotations

from homeassistant.components.number.const import ATTR_MAX, ATTR_MIN, SERVICE_SET_VALUE
from homeassistant.const import Platform
import pytest

from .control_helpers import Harness

PLATFORM = Platform.NUMBER
pytestmark = pytest.mark.usefixtures("all_enabled")


async def test_current_bounds_follow_car_limits(harness: Harness) -> None:
    """The car's minimum and maximum bound the charging current and each other."""
    await harness.load(min_car_int=10, max_car_int=16, intensity=12)

    assert harness.state("charge_current").attributes[ATTR_MIN] == 10
    assert harness.state("charge_current").attributes[ATTR_MAX] == 16
    assert harness.state("min_car_current").attributes[ATTR_MAX] == 16
    assert harness.state("max_car_current").attributes[ATTR_MIN] == 10

    await harness.call("max_car_current", SERVICE_SET_VALUE, value=20)

    assert harness.state("charge_current").attributes[ATTR_MAX] == 20
    assert harness.state("min_car_current").attributes[ATTR_MAX] == 20
    harness.sim.sim.clear_log()
    await harness.call("charge_current", SERVICE_SET_VALUE, value=18)
    assert harness.commands() == [
        (
            "POST",
            "/device/intensity",
            {"deviceId": harness.sim.device_id, "value": "18"},
        )
    ]
