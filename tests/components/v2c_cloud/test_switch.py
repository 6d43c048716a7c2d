"""Tests for the V2C Cloud switches, end to end through the simulator.

What every control does is in test_controls.py; here what only switches do.
"""

from __future__ import annotations

from homeassistant.const import SERVICE_TURN_ON, STATE_OFF, STATE_ON, Platform
import pytest

from .control_helpers import Harness
from .read_helpers import run_for

PLATFORM = Platform.SWITCH
pytestmark = pytest.mark.usefixtures("all_enabled")


async def test_switch_keeps_pending_value_until_charger_applies(
    loaded: Harness,
) -> None:
    """A read before a slow charger applies the command does not flip the switch back."""
    loaded.sim.sim.apply_delay = 600.0

    await loaded.call("dynamic_power", SERVICE_TURN_ON)
    await loaded.await_confirmation()

    assert loaded.sim.charger.state.dynamic is False
    assert loaded.state("dynamic_power").state == STATE_ON


async def test_switch_shows_the_real_state_once_the_charger_took_too_long(
    loaded: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """After the confirmation window the switch shows what the charger reports."""
    loaded.sim.sim.apply_delay = 1200.0
    await loaded.call("dynamic_power", SERVICE_TURN_ON)

    await run_for(loaded.hass, loaded.freezer, 15)
    assert loaded.state("dynamic_power").state == STATE_OFF
    assert "did not apply dynamic_power within 90 s" in caplog.text
