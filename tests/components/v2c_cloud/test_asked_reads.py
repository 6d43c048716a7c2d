"""Reads users ask for: what `homeassistant.update_entity` costs.

Home Assistant runs one more refresh 10 s after a burst of updates asked for;
it shares the read just answered unless a command came in between (or was
sent while it was under way). The planner's timer that fires while a read
asked for is under way shares it too: its refresh reads only what is still
due when its turn comes (a command's confirmation), and the next planned read
comes an interval after the one asked for.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from homeassistant.const import ATTR_ENTITY_ID, SERVICE_TOGGLE, Platform
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.v2c_cloud.coordinator import V2CChargerCoordinator
from custom_components.v2c_cloud.helpers import utcnow

from .answer_gate import gated, until
from .control_helpers import START, Harness
from .read_helpers import advance, run_for

pytestmark = pytest.mark.usefixtures("all_enabled")

STATE_PATHS = {"/thirdparty/device/currentstatecharge", "/device/currentstatecharge"}
# What a dashboard card or an automation asks to refresh: a few of one
# charger's entities at once.
SOME_ENTITIES = [
    "sensor.garage_charging_power",
    "binary_sensor.garage_vehicle_plugged_in",
    "switch.garage_charging",
]


def _live_reads(harness: Harness) -> list[str]:
    return [
        record.time.isoformat()
        for record in harness.sim.sim.request_log
        if record.path in STATE_PATHS
    ]


def _charger_entities(harness: Harness) -> list[str]:
    return [
        entry.entity_id
        for entry in er.async_entries_for_config_entry(
            harness.registry, harness.entry.entry_id
        )
        if entry.disabled_by is None
        and entry.unique_id.startswith(harness.sim.device_id)
    ]


async def _update(harness: Harness, entity_ids: list[str]) -> None:
    await harness.hass.services.async_call(
        "homeassistant",
        "update_entity",
        {ATTR_ENTITY_ID: entity_ids},
        blocking=True,
    )


async def _charging_without_polling(harness: Harness) -> None:
    """Set the entry up at START with polling off, a car charging, for 3 minutes."""
    hass = harness.hass
    harness.sim.charger.plug_in(energy_needed_kwh=60.0)
    harness.freezer.move_to(START)
    harness.entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(harness.entry, pref_disable_polling=True)
    assert await hass.config_entries.async_setup(harness.entry.entry_id)
    await hass.async_block_till_done()
    assert not harness.coordinator().polled
    assert await async_setup_component(hass, "homeassistant", {})
    await run_for(hass, harness.freezer, 3)


async def test_with_polling_off_one_update_of_several_entities_reads_once(
    harness: Harness,
) -> None:
    """Polling off: an update asked for on a few of a charger's entities reads once.

    It used to read the live state twice, the second time 10 s after the
    first (Home Assistant's refresh debouncer runs a trailing refresh for the
    entities that asked while the first read was under way): an automation
    refreshing three entities every 5 minutes spent 576 calls a day, not 288.
    """
    hass = harness.hass
    await _charging_without_polling(harness)
    harness.sim.sim.clear_log()

    await _update(harness, SOME_ENTITIES)
    for _ in range(6):
        await advance(hass, harness.freezer, timedelta(seconds=10))

    reads = _live_reads(harness)
    assert len(reads) == 1, (
        f"one update_entity on {len(SOME_ENTITIES)} entities of one charger "
        f"read its live state {len(reads)} times: {reads}"
    )


async def test_refreshing_a_whole_charger_reads_it_once(loaded: Harness) -> None:
    """Polling on: updating every entity of a charger reads it once.

    README: "a read you ask for counts as the charger's planned read, and the
    next comes an interval after it". It used to be followed by a second live
    read 10 s later that the planner never asked for (the debouncer's
    trailing refresh).
    """
    hass = loaded.hass
    assert await async_setup_component(hass, "homeassistant", {})
    loaded.sim.charger.plug_in(energy_needed_kwh=60.0)
    await run_for(hass, loaded.freezer, 3)
    coordinator = loaded.coordinator()
    entity_ids = _charger_entities(loaded)
    assert len(entity_ids) > 40
    loaded.sim.sim.clear_log()

    await _update(loaded, entity_ids)
    assert len(_live_reads(loaded)) == 1
    planned = coordinator.poller.next_refresh_at(utcnow())
    assert planned is not None
    assert planned - utcnow() > timedelta(seconds=15)
    for _ in range(6):
        await advance(hass, loaded.freezer, timedelta(seconds=2))

    reads = _live_reads(loaded)
    assert len(reads) == 1, (
        f"live state read {len(reads)} times within 12 s of one update_entity "
        f"on the charger's {len(entity_ids)} entities: {reads}"
    )


async def test_an_update_after_a_command_reads_again(harness: Harness) -> None:
    """A command between two updates makes the first one's read old news.

    The user refreshes, switches the logo light (a command that reads no
    live state to confirm it) and refreshes again a few seconds later: Home
    Assistant runs that second update when its 10-s cooldown ends, and it
    reads the charger (here the command's settings read, due then) instead of
    showing the read from before the command.
    """
    hass = harness.hass
    await _charging_without_polling(harness)
    await _update(harness, SOME_ENTITIES)
    await advance(hass, harness.freezer, timedelta(seconds=2))
    await hass.services.async_call(
        Platform.SWITCH,
        SERVICE_TOGGLE,
        {ATTR_ENTITY_ID: harness.entity("logo_led", Platform.SWITCH)},
        blocking=True,
    )
    await advance(hass, harness.freezer, timedelta(seconds=2))
    harness.sim.sim.clear_log()

    await _update(harness, SOME_ENTITIES[:1])
    for _ in range(5):
        await advance(hass, harness.freezer, timedelta(seconds=2))

    assert [
        (record.time.second, record.path) for record in harness.sim.sim.request_log
    ] == [(10, "/device/reported")]


async def _update_answered_while_the_timer_fires(
    harness: Harness,
    coordinator: V2CChargerCoordinator,
    meanwhile: Callable[[], Awaitable[object]] | None = None,
) -> datetime:
    """Ask for an update 2 s before the planned read, answered 1 s after it.

    `meanwhile` runs while the cloud's answer is on its way; the answer
    comes 1 s after the read then planned. The timer fires meanwhile, and its
    refresh waits for the one under way. Returns when the update was asked
    for.
    """
    hass = harness.hass
    planned = coordinator.poller.next_refresh_at(utcnow())
    assert planned is not None
    # Just before the planned read, with no recheck in between.
    harness.freezer.move_to(planned - timedelta(seconds=2))
    asked_at = utcnow()
    harness.sim.sim.clear_log()
    with gated() as gate:
        gate.hold("get_current_state")
        asked = asyncio.ensure_future(_update(harness, SOME_ENTITIES[:1]))
        await until(lambda: gate.waiting["get_current_state"] == 1, 2000)
        if meanwhile is not None:
            await meanwhile()
            planned = coordinator.poller.next_refresh_at(utcnow())
            assert planned is not None
        # The planned moment comes while the cloud's answer is on its way.
        harness.freezer.move_to(planned + timedelta(seconds=1))
        async_fire_time_changed(hass)
        await until(lambda: coordinator._on_timer, 2000)
        gate.release("get_current_state")
        await asked
        await hass.async_block_till_done()
    for _ in range(6):
        await advance(hass, harness.freezer, timedelta(seconds=2))
    return asked_at


async def test_the_timer_firing_during_a_slow_asked_read_does_not_read_again(
    loaded: Harness,
) -> None:
    """The planner's timer fired while an update asked for awaited its answer.

    README: "a read you ask for (`homeassistant.update_entity`) counts as the
    charger's planned read, and the next comes an interval after it". The
    timer's refresh, decided when it fired, waited for the read under way and
    then read the live state again at once: two live reads within seconds,
    the second a wasted call, and the next planned read came an interval
    after the second.
    """
    hass = loaded.hass
    assert await async_setup_component(hass, "homeassistant", {})
    loaded.sim.charger.plug_in(energy_needed_kwh=60.0)
    await run_for(hass, loaded.freezer, 3)
    coordinator = loaded.coordinator()

    asked_at = await _update_answered_while_the_timer_fires(loaded, coordinator)

    reads = _live_reads(loaded)
    assert len(reads) == 1, (
        f"an update asked for while the planned read came due read the live "
        f"state {len(reads)} times within seconds: {reads}"
    )
    now = utcnow()
    interval_s = coordinator.poller.planner.poll_interval_s(loaded.sim.device_id, now)
    planned = coordinator.poller.next_refresh_at(now)
    assert interval_s is not None
    assert planned is not None
    assert planned < asked_at + timedelta(seconds=interval_s + 1)


async def test_the_timer_behind_a_slow_asked_read_still_confirms_a_command(
    loaded: Harness,
) -> None:
    """A command sent during the read asked for is confirmed by the timer's refresh.

    The logo light switched (a command confirmed by one settings read) while
    the update's answer is on its way, and the answer comes after the
    confirmation's moment: that read, sent before the command, shows nothing
    of it, so the timer's refresh that waited for it reads the settings, and
    only them.
    """
    hass = loaded.hass
    assert await async_setup_component(hass, "homeassistant", {})
    loaded.sim.charger.plug_in(energy_needed_kwh=60.0)
    await run_for(hass, loaded.freezer, 3)
    coordinator = loaded.coordinator()

    async def switch_the_logo_light() -> None:
        await hass.services.async_call(
            Platform.SWITCH,
            SERVICE_TOGGLE,
            {ATTR_ENTITY_ID: loaded.entity("logo_led", Platform.SWITCH)},
            blocking=True,
        )
        assert coordinator.poller.pending.values

    await _update_answered_while_the_timer_fires(
        loaded, coordinator, switch_the_logo_light
    )

    assert [record.path for record in loaded.sim.sim.request_log] == [
        "/thirdparty/device/currentstatecharge",
        "/device/logo_led",
        "/device/reported",
    ]
    assert not coordinator.poller.pending.values


async def test_an_update_after_a_command_sent_during_the_last_one_reads_again(
    harness: Harness,
) -> None:
    """A command sent and answered while an update's read awaited its answer.

    That read, sent before the command, shows nothing of it: the update
    asked for next reads the charger (here the command's settings read, due
    then), as after a command sent between the two.
    """
    hass = harness.hass
    await _charging_without_polling(harness)
    with gated() as gate:
        gate.hold("get_current_state")
        asked = asyncio.ensure_future(_update(harness, SOME_ENTITIES))
        await until(lambda: gate.waiting["get_current_state"] == 1, 2000)
        await hass.services.async_call(
            Platform.SWITCH,
            SERVICE_TOGGLE,
            {ATTR_ENTITY_ID: harness.entity("logo_led", Platform.SWITCH)},
            blocking=True,
        )
        gate.release("get_current_state")
        await asked
    await advance(hass, harness.freezer, timedelta(seconds=2))
    harness.sim.sim.clear_log()

    await _update(harness, SOME_ENTITIES[:1])
    for _ in range(5):
        await advance(hass, harness.freezer, timedelta(seconds=2))

    assert [record.path for record in harness.sim.sim.request_log] == [
        "/device/reported"
    ]
