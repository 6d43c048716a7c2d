"""Tests for the V2C Cloud selects, end to end through the simulator.

What every control does is in test_controls.py; here what only selects do.
"""

from __future__ import annotations

from homeassistant.components.select.const import SERVICE_SELECT_OPTION
from homeassistant.const import Platform
import pytest

from .control_helpers import Harness

PLATFORM = Platform.SELECT
pytestmark = pytest.mark.usefixtures("all_enabled")


async def test_unknown_reported_value_shows_unknown(harness: Harness) -> None:
    """A meter type or language outside the known set keeps the entity, as unknown."""
    harness.sim.sim.override_field("reported", "slave_type", "9")
    harness.sim.sim.override_field("reported", "language", "42")
    await harness.load()

    for key in ("meter_type", "language"):
        assert harness.state(key).state == "unknown"


async def test_every_known_meter_and_language_is_offered(loaded: Harness) -> None:
    """All eight meter types and all ten display languages the charger knows."""
    assert loaded.state("meter_type").attributes["options"] == [
        "shelly",
        "v2c_v2",
        "v2c_legacy",
        "huawei",
        "solax",
        "carlo_gavazzi",
        "growatt",
        "mqtt",
    ]
    assert len(loaded.state("language").attributes["options"]) == 10

    await loaded.call("meter_type", SERVICE_SELECT_OPTION, option="mqtt")
    assert loaded.sim.charger.state.slave_type == 11
