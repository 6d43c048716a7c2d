"""Stop-after targets: 0 removes a target set before, and the number shows *unknown* again.

V2C's newer spec (/work/shared/v2c-openapi-official.yaml lines 344-415) gives
`/device/charger_until_energy` and `/device/charger_until_minutes` a `value`
with no minimum; a charger reports no target as 0. So *Stop after energy* and
*Stop after time* accept 0, send it as `value=0`, and show *unknown* once the
charger reports 0, which confirms the command (its pending value is 0, not
*unknown*). The start-for-energy/time actions still refuse 0
(`tests/api/test_validation.py`).
"""

from __future__ import annotations

from homeassistant.components.number.const import ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.const import STATE_UNKNOWN, Platform
import pytest

from .control_helpers import Harness

PLATFORM = Platform.NUMBER
pytestmark = pytest.mark.usefixtures("all_enabled")

TARGETS = pytest.mark.parametrize(
    ("key", "target", "path"),
    [
        ("charge_until_energy", 10.0, "/device/charger_until_energy"),
        ("charge_until_minutes", 120, "/device/charger_until_minutes"),
    ],
)


@TARGETS
async def test_stop_after_target_can_be_removed(
    harness: Harness, key: str, target: float, path: str
) -> None:
    """Setting 0 sends `value=0`; once the charger reports 0 the number is unknown.

    The charger then stops no session at a target, and the command counts as
    applied: nothing is left pending.
    """
    await harness.load(**{key: target})
    assert float(harness.state(key).state) == target
    harness.sim.sim.clear_log()

    await harness.call(key, SERVICE_SET_VALUE, **{ATTR_VALUE: 0})

    assert harness.commands() == [
        ("POST", path, {"deviceId": harness.sim.device_id, "value": "0"})
    ]
    assert harness.state(key).state == STATE_UNKNOWN
    await harness.await_confirmation()
    assert getattr(harness.sim.charger.state, key) == 0
    assert not harness.coordinator().poller.pending.values
    assert harness.state(key).state == STATE_UNKNOWN


@TARGETS
async def test_number_offers_zero(
    harness: Harness, key: str, target: float, path: str
) -> None:
    """The number's minimum is 0, the value that removes a target."""
    await harness.load(**{key: target})

    assert harness.state(key).attributes["min"] == 0
