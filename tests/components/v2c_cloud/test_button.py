"""Tests for the V2C Cloud buttons, end to end through the simulator.

What every control does is in test_controls.py; here what each button does.
"""

from __future__ import annotations

from datetime import timedelta

from homeassistant.components.button.const import SERVICE_PRESS
from homeassistant.const import STATE_UNKNOWN, Platform
from homeassistant.util import dt as dt_util

from .control_helpers import Harness, reported_reads
from .read_helpers import advance

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
    """Pressing the update button sends /device/update once and an install starts.

    The settings show the new version only once installed: no read follows
    the command, which costs its one call.
    """
    loaded.sim.sim.clear_log()

    await loaded.call("update_firmware", SERVICE_PRESS)
    assert loaded.sim.charger.state.update_ready_at is not None
    for _ in range(36):
        await advance(loaded.hass, loaded.freezer, timedelta(seconds=5))

    assert loaded.commands() == [
        ("POST", "/device/update", {"deviceId": loaded.sim.device_id})
    ]
    assert reported_reads(loaded.sim) == 0
