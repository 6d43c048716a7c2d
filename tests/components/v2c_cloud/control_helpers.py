"""Helpers for the tests of the control platforms, driven end to end through the simulator."""

from __future__ import annotations

from collections.abc import Generator
from datetime import timedelta
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.v2c_cloud.const import DOMAIN
from tests.sim_fixtures import SimHandle, SimSetup

START = "2026-03-02 12:00:00+00:00"
TRYDAN = SimSetup()
POLE = SimSetup(models=("pole",), device_ids=("POLE0001",), tags=("Driveway",))
READ_PATHS = frozenset(
    {
        "/device/reported",
        "/device/currentstatecharge",
        "/thirdparty/device/currentstatecharge",
        "/device/connected",
        "/pairings/me",
    }
)
CONFIRM_WAIT = timedelta(minutes=5)
TICK = timedelta(seconds=10)


def only_platform(platform: Platform) -> Generator[None]:
    """Load a single platform while the generator is open."""
    with patch("custom_components.v2c_cloud.PLATFORMS", [platform]):
        yield


async def setup_entry(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Set the entry up at a fixed moment."""
    freezer.move_to(START)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


def entity_id(
    entity_registry: er.EntityRegistry, platform: Platform, device_id: str, key: str
) -> str:
    """Return the entity id of a charger's entity from its unique id."""
    found = entity_registry.async_get_entity_id(platform, DOMAIN, f"{device_id}_{key}")
    assert found is not None, f"no {platform} entity {key} for {device_id}"
    return found


def state_of(hass: HomeAssistant, entity: str) -> State:
    """Return an entity's state, which must exist."""
    state = hass.states.get(entity)
    assert state is not None
    return state


def commands(v2c_sim: SimHandle) -> list[tuple[str, str, dict[str, str]]]:
    """Return the requests other than reads: method, path and query."""
    return [
        (record.method, record.path, record.query)
        for record in v2c_sim.sim.request_log
        if record.path not in READ_PATHS
    ]


def reported_reads(v2c_sim: SimHandle) -> int:
    """Return how many times the settings shadow was read."""
    return sum(
        record.path == "/device/reported" and record.status == 200
        for record in v2c_sim.sim.request_log
    )


async def await_confirmation(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, v2c_sim: SimHandle
) -> None:
    """Let time pass until the coordinator has read the settings again."""
    reads = reported_reads(v2c_sim)
    waited = timedelta(0)
    while reported_reads(v2c_sim) == reads:
        assert waited < CONFIRM_WAIT, "no confirmation read was scheduled"
        freezer.tick(TICK)
        waited += TICK
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
