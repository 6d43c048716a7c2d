"""Helpers for the tests of the entity platforms, driven end to end through the simulator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.v2c_cloud.const import DOMAIN
from custom_components.v2c_cloud.coordinator import V2CChargerCoordinator
from tests.sim_fixtures import SimHandle, SimSetup

from . import read_helpers
from .read_helpers import advance, coordinator_of, state_of

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


async def setup_entry(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Set the entry up at a fixed moment."""
    freezer.move_to(START)
    await read_helpers.setup_entry(hass, entry)


def entity_id(
    entity_registry: er.EntityRegistry, platform: Platform, device_id: str, key: str
) -> str:
    """Return the entity id of a charger's entity from its unique id."""
    found = entity_registry.async_get_entity_id(platform, DOMAIN, f"{device_id}_{key}")
    assert found is not None, f"no {platform} entity {key} for {device_id}"
    return found


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
        await advance(hass, freezer, TICK)
        waited += TICK


@dataclass
class Harness:
    """The integration against the simulator, with one platform (or all) loaded.

    The fixtures `harness` (not set up yet) and `loaded` (set up at START) give
    one; `platform` is the module's PLATFORM unless a test parametrizes
    `entity_platform`.
    """

    hass: HomeAssistant
    entry: MockConfigEntry
    freezer: FrozenDateTimeFactory
    registry: er.EntityRegistry
    sim: SimHandle
    platform: Platform | None

    async def load(self, **charger_state: Any) -> Harness:
        """Give the first charger these settings, then set the entry up at START."""
        for field, value in charger_state.items():
            assert hasattr(self.sim.charger.state, field), field
            setattr(self.sim.charger.state, field, value)
        await setup_entry(self.hass, self.entry, self.freezer)
        return self

    async def load_unpolled(self) -> Harness:
        """Set the entry up at START with Home Assistant's polling turned off for it."""
        self.freezer.move_to(START)
        self.entry.add_to_hass(self.hass)
        self.hass.config_entries.async_update_entry(
            self.entry, pref_disable_polling=True
        )
        assert await self.hass.config_entries.async_setup(self.entry.entry_id)
        await self.hass.async_block_till_done()
        return self

    def entity(
        self, key: str, platform: Platform | None = None, device_id: str | None = None
    ) -> str:
        """Return the entity id of a charger's entity, by default the first's."""
        platform = platform or self.platform
        assert platform is not None, "no platform given and none loaded alone"
        return entity_id(self.registry, platform, device_id or self.sim.device_id, key)

    def state(self, key: str) -> State:
        """Return the state of the first charger's entity on the loaded platform."""
        return state_of(self.hass, self.entity(key))

    async def call(self, key: str, service: str, **data: Any) -> None:
        """Call a service of the loaded platform on one of its entities, blocking."""
        assert self.platform is not None
        await self.hass.services.async_call(
            self.platform,
            service,
            {ATTR_ENTITY_ID: self.entity(key), **data},
            blocking=True,
        )

    def commands(self) -> list[tuple[str, str, dict[str, str]]]:
        """Return the requests other than reads since the log was last cleared."""
        return commands(self.sim)

    async def await_confirmation(self) -> None:
        """Let time pass until the coordinator has read the settings again."""
        await await_confirmation(self.hass, self.freezer, self.sim)

    def coordinator(self) -> V2CChargerCoordinator:
        """Return the first charger's coordinator."""
        return coordinator_of(self.entry, self.sim.device_id)

    async def snapshot(self, snapshot: SnapshotAssertion) -> None:
        """Compare every entity of the entry, and its state, with the snapshot."""
        await snapshot_platform(self.hass, self.registry, snapshot, self.entry.entry_id)
