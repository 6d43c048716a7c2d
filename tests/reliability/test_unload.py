"""Unloading while a poll waits for its answer (real event-loop clock)."""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud.const import DOMAIN
from custom_components.v2c_cloud.helpers import utcnow
from tests.sim_fixtures import SimHandle
from v2c_simulator import FaultKind

from .helpers import charger

SHORT_TIMEOUT_S = 0.5


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
