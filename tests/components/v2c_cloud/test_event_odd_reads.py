"""The charging-session event against a real charger's odd values."""

from __future__ import annotations

from datetime import timedelta

from homeassistant.const import Platform
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.v2c_cloud.event import SESSION_STARTED
from tests.sim_fixtures import SimHandle

from .control_helpers import Harness
from .read_helpers import advance, fired_events, run_for

PLATFORM = Platform.EVENT
SESSION = "event.garage_charging_session"
LIVE_PATHS = ("/device/currentstatecharge", "/thirdparty/device/currentstatecharge")


def _live_reads(v2c_sim: SimHandle) -> int:
    return sum(
        record.path in LIVE_PATHS and record.status == 200
        for record in v2c_sim.sim.request_log
    )


async def test_one_unreadable_charge_state_does_not_finish_the_session(
    loaded: Harness,
) -> None:
    """One live read whose `charge_state` cannot be parsed, in the middle of a charge.

    The notes say one odd field becomes unknown and must not spoil the read;
    the charge goes on at the charger. Taken for "not charging", it would fire
    `session_finished` (the blueprint's "Charged ... kWh") and then
    `session_started`: an unknown pilot state fires nothing.
    """
    hass, freezer, sim = loaded.hass, loaded.freezer, loaded.sim
    changes = async_capture_events(hass, "state_changed")
    sim.charger.plug_in(60)
    await run_for(hass, freezer, 5)
    assert [event for event, _ in fired_events(changes, SESSION)] == [SESSION_STARTED]

    reads = _live_reads(sim)
    sim.sim.override_field("currentstatecharge", "charge_state", "x")
    while _live_reads(sim) == reads:
        await advance(hass, freezer, timedelta(seconds=5))
    sim.sim.clear_overrides()
    await run_for(hass, freezer, 5)

    assert sim.charger.state.charge_state == 2
    assert [event for event, _ in fired_events(changes, SESSION)] == [SESSION_STARTED]


async def test_a_session_energy_dip_that_comes_back_does_not_finish_the_session(
    loaded: Harness,
) -> None:
    """One live read mid-charge shows the session energy at 0, the next one is back.

    Lifetime energy rides this out as one session; so does the event: a new
    session under a charging pilot must show in two reads in a row, so no
    `session_finished` (and no second "Charged ... kWh" at the real end).
    """
    hass, freezer, sim = loaded.hass, loaded.freezer, loaded.sim
    changes = async_capture_events(hass, "state_changed")
    sim.charger.plug_in(60)
    await run_for(hass, freezer, 10)

    reads = _live_reads(sim)
    sim.sim.override_field("currentstatecharge", "energy", "0.000000")
    while _live_reads(sim) == reads:
        await advance(hass, freezer, timedelta(seconds=5))
    sim.sim.clear_overrides()
    await run_for(hass, freezer, 5)

    assert sim.charger.state.charge_state == 2
    assert [event for event, _ in fired_events(changes, SESSION)] == [SESSION_STARTED]
