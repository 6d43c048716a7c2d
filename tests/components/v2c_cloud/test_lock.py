"""The charging point's lock, through Home Assistant and the simulator."""

from __future__ import annotations

from homeassistant.const import SERVICE_LOCK, SERVICE_UNLOCK, Platform
import pytest

from custom_components.v2c_cloud.data import CHARGING_STATES

from .control_helpers import Harness

PLATFORM = Platform.LOCK


@pytest.mark.parametrize(
    ("service", "locked_before", "charging_after"),
    [(SERVICE_LOCK, False, False), (SERVICE_UNLOCK, True, True)],
)
async def test_locking_shows_at_once_whether_the_car_charges(
    harness: Harness, *, service: str, locked_before: bool, charging_after: bool
) -> None:
    """A lock stops the car's charge, an unlock lets it charge.

    The charge shown follows at the command's confirmation, not at a poll
    minutes later.
    """
    harness.sim.charger.plug_in()
    await harness.load(locked=locked_before)
    live = harness.coordinator().data.state
    assert live is not None
    assert (live.charge_state in CHARGING_STATES) is not charging_after

    await harness.call("locked", service)
    await harness.await_confirmation()

    live = harness.coordinator().data.state
    assert live is not None
    assert (live.charge_state in CHARGING_STATES) is charging_after
    assert ((live.power_w or 0.0) > 0) is charging_after
