"""Unloading while a poll waits for its answer (real event-loop clock)."""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.config_entries import ConfigEntries, ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.v2c_cloud.const import DOMAIN
from custom_components.v2c_cloud.event import SESSION_FINISHED, SESSION_STARTED
from custom_components.v2c_cloud.helpers import utcnow
from tests.components.v2c_cloud.read_helpers import fired_events
from tests.sim_fixtures import SimHandle
from v2c_simulator import FaultKind

from .helpers import charger

SHORT_TIMEOUT_S = 0.5
SESSION_ENTITY = "event.garage_charging_session"


@pytest.fixture
def frozen_start() -> None:
    """Let time run: the poll must really be in flight when the entry unloads."""


async def _until(condition: object, attempts: int = 300) -> None:
    """Wait on the real loop until condition() holds."""
    for _ in range(attempts):
        if callable(condition) and condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition never held")


@pytest.mark.parametrize("reload", [False, True])
async def test_unload_with_a_request_in_flight_leaves_no_timer(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    *,
    reload: bool,
) -> None:
    """The answer arriving after the unload arms no timer on the dead coordinator."""
    coordinator = charger(init_integration, v2c_sim.device_id)
    v2c_sim.sim.faults.set(FaultKind.HANG, count=1)
    coordinator.async_schedule_refresh_at(utcnow())
    await _until(lambda: v2c_sim.sim._release is not None)
    assert coordinator._unsub_timer is None  # the poll is in flight

    if reload:
        assert await hass.config_entries.async_reload(init_integration.entry_id)
        assert init_integration.state is ConfigEntryState.LOADED
    else:
        assert await hass.config_entries.async_unload(init_integration.entry_id)
        assert init_integration.state is ConfigEntryState.NOT_LOADED
    v2c_sim.sim.release_hangs()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert coordinator._unsub_timer is None
    calls = len(v2c_sim.sim.request_log)
    coordinator.async_schedule_refresh_at(utcnow())
    await hass.async_block_till_done(wait_background_tasks=True)
    assert coordinator._unsub_timer is None
    assert len(v2c_sim.sim.request_log) == calls


async def test_an_answer_after_the_entry_was_deleted_writes_no_store(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
) -> None:
    """The late answer's quota header does not bring the deleted entry's file back."""
    key = f"{DOMAIN}.{init_integration.entry_id}"
    coordinator = charger(init_integration, v2c_sim.device_id)
    v2c_sim.sim.faults.set(FaultKind.HANG, count=1)
    coordinator.async_schedule_refresh_at(utcnow())
    await _until(lambda: v2c_sim.sim._release is not None)

    await hass.config_entries.async_remove(init_integration.entry_id)
    assert key not in hass_storage
    v2c_sim.sim.release_hangs()
    await hass.async_block_till_done(wait_background_tasks=True)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert key not in hass_storage


async def test_a_session_end_read_as_the_entry_unloads_is_reported_after_it(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The car leaves; the read that sees it answers while the entry reloads.

    The answer lands after the event entity was removed but before the store
    writes its last state. The chargers shut down before the platforms
    unload, so the session follower leaves that reading out: the saved mark
    is the one the events last compared with, and the next run reports the
    session once.
    """
    coordinator = charger(init_integration, v2c_sim.device_id)
    changes = async_capture_events(hass, "state_changed")
    v2c_sim.charger.plug_in(60)
    coordinator.async_schedule_refresh_at(utcnow())
    await _until(lambda: coordinator.session.mark and coordinator.session.mark.charging)
    await hass.async_block_till_done()
    assert [event for event, _ in fired_events(changes, SESSION_ENTITY)] == [
        SESSION_STARTED
    ]

    v2c_sim.charger.unplug()
    answer = asyncio.Event()
    asked = asyncio.Event()
    refresh = coordinator.poller.refresh

    async def in_flight(*args: Any, **kwargs: Any) -> Any:
        asked.set()
        await answer.wait()
        return await refresh(*args, **kwargs)

    monkeypatch.setattr(coordinator.poller, "refresh", in_flight)
    asked_at = coordinator.last_read_at
    coordinator.async_schedule_refresh_at(utcnow())
    await _until(asked.is_set)

    unload_platforms = ConfigEntries.async_unload_platforms

    async def answer_after_the_platforms(
        self: ConfigEntries, *args: Any, **kwargs: Any
    ) -> bool:
        unloaded = await unload_platforms(self, *args, **kwargs)
        answer.set()
        await _until(lambda: coordinator.last_read_at != asked_at)
        return unloaded

    monkeypatch.setattr(
        ConfigEntries, "async_unload_platforms", answer_after_the_platforms
    )
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    monkeypatch.undo()
    await hass.async_block_till_done(wait_background_tasks=True)
    new = charger(init_integration, v2c_sim.device_id)
    assert new is not coordinator
    assert new.session.mark is not None
    assert not new.session.mark.charging
    assert coordinator.session.mark is not None
    assert coordinator.session.mark.charging

    assert [event for event, _ in fired_events(changes, SESSION_ENTITY)] == [
        SESSION_STARTED,
        SESSION_FINISHED,
    ]
