"""Tests for the V2C Cloud buttons, end to end through the simulator.

What every control does is in test_controls.py; here what each button does.
"""

from __future__ import annotations

from homeassistant.components.button.const import SERVICE_PRESS
from homeassistant.const import STATE_UNKNOWN, Platform
from homeassistant.util import dt as dt_util

from .control_helpers import Harness

PLATFORM = Platform.BUTTON


async def test_reboot(loaded: Harness) -> None:
    """Pressing reboot sends /device/reboot once and the charger restarts."""
    assert loaded.state("reboot").state == STATE_UNKNOWN
    loaded.sim.sim.clear_log()

    await loaded.call("reboot", SERVICE_PRESS)

    assert loaded.commands() == [
        ("POST", "/device/reboot", {"deviceId": loaded.sim.device_id})
    ]
    assert loaded.sim.charger.state.rebooting_until is not None
    assert not loaded.sim.charger.connected()
    assert loaded.state("reboot").state == dt_util.utcnow().isoformat()


async def test_update_firmware(loaded: Harness) -> None:
    """Pressing the update button sends /device/update once and an install starts."""
    loaded.sim.sim.clear_log()

    await loaded.call("update_firmware", SERVICE_PRESS)

    assert loaded.commands() == [
        ("POST", "/device/update", {"deviceId": loaded.sim.device_id})
    ]
    assert loaded.sim.charger.state.update_ready_at is not None
