"""Calls that overlap: commands in flight at a reload, polls, lost answers, a deletion."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from homeassistant.const import (
    ATTR_ENTITY_ID,
    EVENT_HOMEASSISTANT_FINAL_WRITE,
    STATE_OFF,
    STATE_ON,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.v2c_cloud.budget import QuotaExhaustedError
from custom_components.v2c_cloud.const import DOMAIN
from custom_components.v2c_cloud.coordinator import V2CChargerCoordinator
from custom_components.v2c_cloud.helpers import utcnow

from .answer_gate import Gate, answer_lost, gated, until
from .control_helpers import Harness
from .read_helpers import advance, run_for

pytestmark = pytest.mark.usefixtures("all_enabled")

STATE_PATHS = {"/thirdparty/device/currentstatecharge", "/device/currentstatecharge"}


async def _turn_on_answered_late(
    hass: HomeAssistant, switch: str, gate: Gate
) -> asyncio.Future[None]:
    """Turn a switch on; the cloud takes the command and its answer is held."""
    gate.hold("set_dynamic")
    call = asyncio.ensure_future(
        hass.services.async_call(
            "switch", "turn_on", {ATTR_ENTITY_ID: switch}, blocking=True
        )
    )
    await until(lambda: gate.waiting["set_dynamic"] == 1)
    return call


async def test_a_reload_while_a_command_awaits_its_answer_still_shows_it(
    loaded: Harness,
) -> None:
    """The command reached the cloud; its answer came after the reload began.

    The README promises a command still applying at a reload gets one more
    read 90 s after: the user must not see the old value for hours.
    """
    hass = loaded.hass
    loaded.sim.sim.apply_delay = 60.0
    switch = loaded.entity("dynamic_power", Platform.SWITCH)
    assert hass.states.get(switch).state == STATE_OFF
    with gated() as gate:
        call = await _turn_on_answered_late(hass, switch, gate)
        # The cloud answers the command a moment later than usual (2 s, say):
        # the reload (well under a second) is done by then.
        assert await hass.config_entries.async_reload(loaded.entry.entry_id)
        assert not call.done()
        gate.release("set_dynamic")
        await call  # the user was told it worked
    await hass.async_block_till_done()
    assert hass.states.get(switch).state == STATE_OFF  # the setup read came first

    await run_for(hass, loaded.freezer, 5)

    assert loaded.sim.charger.state.dynamic is True
    assert hass.states.get(switch).state == STATE_ON


async def test_a_stop_while_a_command_awaits_its_answer_saves_it_as_applying(
    loaded: Harness, hass_storage: dict
) -> None:
    """Home Assistant stops (final write) while the cloud's answer is on its way."""
    hass = loaded.hass
    loaded.sim.sim.apply_delay = 60.0
    switch = loaded.entity("dynamic_power", Platform.SWITCH)
    with gated() as gate:
        call = await _turn_on_answered_late(hass, switch, gate)
        key = f"{DOMAIN}.{loaded.entry.entry_id}"
        before = hass_storage[key]
        hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
        # The final write saves the state with the command's call counted.
        await until(lambda: hass_storage[key] is not before, 2000)
        gate.release("set_dynamic")
        await call
    saved = hass_storage[f"{DOMAIN}.{loaded.entry.entry_id}"]["data"]
    assert saved["unconfirmed"] == [loaded.sim.device_id]


async def test_a_command_whose_answer_timed_out_shows_the_chargers_real_state(
    loaded: Harness,
) -> None:
    """The command reached the charger: the switch must not show it off for hours."""
    hass = loaded.hass
    switch = loaded.entity("dynamic_power", Platform.SWITCH)
    assert hass.states.get(switch).state == STATE_OFF
    with answer_lost("set_dynamic"), pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "switch", "turn_on", {ATTR_ENTITY_ID: switch}, blocking=True
        )
    assert err.value.translation_key == "communication_error"
    await run_for(hass, loaded.freezer, 10)
    assert loaded.sim.charger.state.dynamic is True
    assert hass.states.get(switch).state == STATE_ON


async def test_the_old_value_is_sent_after_a_command_whose_answer_was_lost(
    loaded: Harness,
) -> None:
    """On, its answer lost, then off at once: the switch still shows off.

    The first command may yet apply: the second must go out, not pass for a
    command that changes nothing because the switch shows its value.
    """
    hass = loaded.hass
    loaded.sim.sim.apply_delay = 40.0
    switch = loaded.entity("dynamic_power", Platform.SWITCH)
    with answer_lost("set_dynamic"), pytest.raises(HomeAssistantError):
        await hass.services.async_call(
            "switch", "turn_on", {ATTR_ENTITY_ID: switch}, blocking=True
        )
    assert hass.states.get(switch).state == STATE_OFF
    loaded.sim.sim.clear_log()
    await hass.services.async_call(
        "switch", "turn_off", {ATTR_ENTITY_ID: switch}, blocking=True
    )
    assert "/device/dynamic" in _paths(loaded)
    await run_for(hass, loaded.freezer, 10)
    assert loaded.sim.charger.state.dynamic is False
    assert hass.states.get(switch).state == STATE_OFF


async def _poll_held(loaded: Harness, gate, name: str) -> None:
    coordinator = loaded.coordinator()
    coordinator.async_schedule_refresh_at(utcnow())
    loaded.freezer.tick(timedelta(seconds=1))
    async_fire_time_changed(loaded.hass)
    await until(lambda: gate.waiting[name] == 1, 2000)


async def test_a_pause_sent_while_a_poll_waits_is_confirmed(loaded: Harness) -> None:
    """A pause while the live-state read of a poll waits: its live read still comes."""
    hass = loaded.hass
    loaded.sim.charger.plug_in()
    await run_for(hass, loaded.freezer, 10)
    charging = loaded.entity("charging", Platform.SWITCH)
    state = loaded.entity("charge_state", Platform.SENSOR)
    assert hass.states.get(charging).state == STATE_ON
    before = hass.states.get(state).state
    with gated() as gate:
        gate.hold("get_current_state")
        await _poll_held(loaded, gate, "get_current_state")
        await hass.services.async_call(
            "switch", "turn_off", {ATTR_ENTITY_ID: charging}, blocking=True
        )
        gate.release("get_current_state")
        await hass.async_block_till_done()
    loaded.sim.sim.clear_log()
    for _ in range(6):
        await advance(hass, loaded.freezer, timedelta(seconds=10))
    paths = [record.path for record in loaded.sim.sim.request_log]
    assert loaded.sim.charger.state.paused is True
    assert "/device/reported" in paths, paths
    assert hass.states.get(charging).state == STATE_OFF
    assert STATE_PATHS & set(paths), paths
    assert hass.states.get(state).state != before


async def test_a_pause_sent_during_an_earlier_commands_confirmation_gets_its_live_read(
    loaded: Harness,
) -> None:
    """A new current, then a pause while the current's confirmation read waits.

    Commands that change whether the car charges are confirmed with the live
    state (README): the pause's own confirmation must read it, or the charge
    state keeps showing Charging until the next poll.
    """
    hass = loaded.hass
    loaded.sim.sim.apply_delay = 3.0  # as the simulated chargers of scripts/develop
    loaded.sim.charger.plug_in()
    await run_for(hass, loaded.freezer, 10)
    number = loaded.entity("charge_current", Platform.NUMBER)
    charging = loaded.entity("charging", Platform.SWITCH)
    await hass.services.async_call(
        "number", "set_value", {ATTR_ENTITY_ID: number, "value": 10}, blocking=True
    )
    with gated() as gate:
        gate.hold("get_reported")
        # The current's confirmation read goes out and waits for its answer.
        for _ in range(30):
            loaded.freezer.tick(timedelta(seconds=1))
            async_fire_time_changed(hass)
            for _ in range(20):
                await asyncio.sleep(0)
            if gate.waiting["get_reported"]:
                break
        assert gate.waiting["get_reported"] == 1
        await hass.services.async_call(
            "switch", "turn_off", {ATTR_ENTITY_ID: charging}, blocking=True
        )
        gate.release("get_reported")
        await hass.async_block_till_done()
    loaded.sim.sim.clear_log()
    await advance(hass, loaded.freezer, timedelta(seconds=20))
    await advance(hass, loaded.freezer, timedelta(seconds=5))
    paths = [record.path for record in loaded.sim.sim.request_log]
    assert loaded.sim.charger.state.paused is True
    assert "/device/reported" in paths, paths
    assert hass.states.get(charging).state == STATE_OFF
    # The charge state and power still show the charge 25 s after the pause.
    assert loaded.coordinator().data.state.power_w == 0.0
    assert STATE_PATHS & set(paths), paths


def _paths(loaded: Harness) -> list[str]:
    return [record.path for record in loaded.sim.sim.request_log]


async def _logo_led_confirmation_calls(loaded: Harness) -> list[str]:
    """Toggle the logo LED and return the calls of the next two minutes."""
    hass = loaded.hass
    switch = loaded.entity("logo_led", Platform.SWITCH)
    service = "turn_off" if hass.states.get(switch).state == "on" else "turn_on"
    loaded.sim.sim.clear_log()
    await hass.services.async_call(
        "switch", service, {ATTR_ENTITY_ID: switch}, blocking=True
    )
    await run_for(hass, loaded.freezer, 1)
    return _paths(loaded)


async def test_a_charging_switch_already_on_does_not_make_later_confirmations_dearer(
    loaded: Harness,
) -> None:
    """An automation making sure charging is on sends nothing, and must cost nothing.

    The README: setting an entity to the value it already shows costs nothing,
    and a confirmation of a command that does not change the charge is one call.
    """
    hass = loaded.hass
    await run_for(hass, loaded.freezer, 3)
    baseline = await _logo_led_confirmation_calls(loaded)
    assert not STATE_PATHS & set(baseline), baseline  # one settings read confirms it

    await run_for(hass, loaded.freezer, 3)
    charging = loaded.entity("charging", Platform.SWITCH)
    assert hass.states.get(charging).state == "on"
    loaded.sim.sim.clear_log()
    await hass.services.async_call(
        "switch", "turn_on", {ATTR_ENTITY_ID: charging}, blocking=True
    )
    assert _paths(loaded) == []  # nothing sent: it is on already

    after = await _logo_led_confirmation_calls(loaded)
    assert after == baseline


async def test_a_refused_pause_does_not_make_later_confirmations_dearer(
    loaded: Harness,
) -> None:
    """A pause the planner refused (no call left) sent nothing either."""
    hass = loaded.hass
    await run_for(hass, loaded.freezer, 3)
    baseline = await _logo_led_confirmation_calls(loaded)
    await run_for(hass, loaded.freezer, 3)
    coordinator: V2CChargerCoordinator = loaded.coordinator()
    charging = loaded.entity("charging", Platform.SWITCH)
    # The planner refuses the pause (no call left for a command): nothing is sent.
    planner = coordinator.poller.planner
    original = planner.check_command

    def refuse(now: datetime) -> None:
        raise QuotaExhaustedError(planner.reset_at)

    planner.check_command = refuse  # type: ignore[method-assign]
    with pytest.raises(HomeAssistantError):
        await hass.services.async_call(
            "switch", "turn_off", {ATTR_ENTITY_ID: charging}, blocking=True
        )
    planner.check_command = original  # type: ignore[method-assign]
    after = await _logo_led_confirmation_calls(loaded)
    assert after == baseline


async def test_a_dragged_current_slider_costs_two_calls(loaded: Harness) -> None:
    """A slider dragged 10 → 14 sends a value per step, all at once.

    The poller promises that a burst collapses into the call in flight plus
    the newest value (docs/architecture.md: commands coalesce bursts).
    """
    hass = loaded.hass
    number = loaded.entity("charge_current", Platform.NUMBER)
    loaded.sim.sim.clear_log()
    await asyncio.gather(
        *(
            hass.services.async_call(
                "number",
                "set_value",
                {ATTR_ENTITY_ID: number, "value": amps},
                blocking=True,
            )
            for amps in (10, 11, 12, 13, 14)
        )
    )
    sent = [
        record.query["value"]
        for record in loaded.sim.sim.request_log
        if record.path == "/device/intensity"
    ]
    assert loaded.sim.charger.state.intensity == 14
    assert sent == ["10", "14"]


def _others(loaded: Harness) -> int:
    return loaded.entry.runtime_data.planner.snapshot(utcnow()).other_calls_today


def _sim_remaining(loaded: Harness) -> int:
    return loaded.sim.sim.quota_for(loaded.sim.api_key).remaining


async def test_a_command_during_a_poll_is_not_blamed_on_another_program(
    loaded: Harness,
) -> None:
    """Only this integration uses the key: no call may be counted as another program's."""
    hass = loaded.hass
    coordinator = loaded.coordinator()
    assert _others(loaded) == 0
    number = loaded.entity("charge_current", Platform.NUMBER)
    await asyncio.gather(
        coordinator.async_refresh(),
        hass.services.async_call(
            "number", "set_value", {ATTR_ENTITY_ID: number, "value": 10}, blocking=True
        ),
    )
    await hass.async_block_till_done()
    assert loaded.sim.charger.state.intensity == 10
    planner = loaded.entry.runtime_data.planner
    assert planner.remaining == _sim_remaining(loaded)
    assert _others(loaded) == 0


async def test_two_commands_at_once_are_not_blamed_on_another_program(
    loaded: Harness,
) -> None:
    """An automation sets the current and turns on dynamic power in the same second."""
    hass = loaded.hass
    number = loaded.entity("charge_current", Platform.NUMBER)
    switch = loaded.entity("dynamic_power", Platform.SWITCH)
    assert _others(loaded) == 0
    await asyncio.gather(
        hass.services.async_call(
            "number", "set_value", {ATTR_ENTITY_ID: number, "value": 11}, blocking=True
        ),
        hass.services.async_call(
            "switch", "turn_on", {ATTR_ENTITY_ID: switch}, blocking=True
        ),
    )
    await hass.async_block_till_done()
    assert loaded.sim.charger.state.intensity == 11
    assert _others(loaded) == 0


def _issues(hass: HomeAssistant) -> list[str]:
    return [
        issue_id
        for (domain, issue_id), issue in ir.async_get(hass).issues.items()
        if domain == DOMAIN and issue.active
    ]


async def test_a_429_answering_a_poll_of_a_deleted_entry_raises_no_issue(
    loaded: Harness,
) -> None:
    """The user deletes the entry while a poll waits; the cloud answers 429."""
    hass = loaded.hass
    entry_id = loaded.entry.entry_id
    loaded.sim.spend_quota()
    with gated() as gate:
        gate.hold("get_current_state")
        loaded.coordinator().async_schedule_refresh_at(utcnow())
        loaded.freezer.tick(timedelta(seconds=1))
        async_fire_time_changed(hass)
        await until(lambda: gate.waiting["get_current_state"] == 1, 2000)
        assert await hass.config_entries.async_remove(entry_id)
        assert _issues(hass) == []
        gate.release("get_current_state")
        await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.config_entries.async_get_entry(entry_id) is None
    # Nothing is left of the deleted entry: no issue about its quota.
    assert _issues(hass) == []
