"""Helpers shared by the integration tests: setup, time passing, states and coordinators."""

from __future__ import annotations

from datetime import timedelta
import json
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigFlowResult
from homeassistant.const import CONF_API_KEY, STATE_UNAVAILABLE, STATE_UNKNOWN, Platform
from homeassistant.core import Event, HomeAssistant, State
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    flush_store,
)

from custom_components.v2c_cloud.const import CONF_BASE_URL, DOMAIN
from custom_components.v2c_cloud.coordinator import V2CChargerCoordinator
from tests.sim_fixtures import SimHandle
from v2c_simulator.accounts import Account

PACKAGE = Path(__file__).parents[3] / "custom_components" / "v2c_cloud"


async def setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Set the entry up against the simulator."""
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def advance(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta
) -> None:
    """Move the clock on at once and run what became due."""
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def restart(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Stop and start Home Assistant: the issue registry is read back from disk."""
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    await flush_store(ir.async_get(hass)._store)
    restarted = ir.IssueRegistry(hass)
    await restarted.async_load()
    hass.data[ir.DATA_REGISTRY] = restarted
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def run_for(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, minutes: int
) -> None:
    """Let time pass minute by minute so every planned poll runs."""
    for _ in range(minutes):
        await advance(hass, freezer, timedelta(minutes=1))


def add_router_tracking(hass: HomeAssistant, mac: str) -> dr.DeviceEntry:
    """Register the device a router integration (UniFi, Fritz!Box) makes for a Wi-Fi client."""
    router = MockConfigEntry(domain="unifi", title="Router")
    router.add_to_hass(hass)
    return dr.async_get(hass).async_get_or_create(
        config_entry_id=router.entry_id,
        connections={(dr.CONNECTION_NETWORK_MAC, mac)},
        name="espressif",
    )


def coordinator_of(entry: MockConfigEntry, device_id: str) -> V2CChargerCoordinator:
    """Return the coordinator of one charger of a loaded entry."""
    coordinator: V2CChargerCoordinator = entry.runtime_data.chargers[device_id]
    return coordinator


def state_of(hass: HomeAssistant, entity_id: str) -> State:
    """Return an entity's state, which must exist."""
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state


def fired_events(
    changes: list[Event[Any]], entity_id: str
) -> list[tuple[str, dict[str, Any]]]:
    """Return the events fired, each once: not those shown again after a reload.

    An event's state is its time, which the frozen clock may share between two
    events of one reading: an event is its time with its type.
    """
    seen: set[tuple[str, str]] = set()
    fired: list[tuple[str, dict[str, Any]]] = []
    for change in changes:
        new = change.data["new_state"]
        if change.data["entity_id"] != entity_id or new is None:
            continue
        if new.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
            continue
        attributes = dict(new.attributes)
        event = (new.state, attributes.pop("event_type"))
        if event not in seen:
            seen.add(event)
            fired.append((event[1], attributes))
    return fired


def number_of(hass: HomeAssistant, entity_id: str) -> float:
    """Return an entity's numeric state."""
    return float(state_of(hass, entity_id).state)


def entity_texts(
    platform: Platform,
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Return a platform's entity strings, English translations and icons."""
    strings, english, icons = (
        json.loads((PACKAGE / name).read_text())["entity"][platform]
        for name in ("strings.json", "translations/en.json", "icons.json")
    )
    return strings, english, icons


async def open_quota_options(
    hass: HomeAssistant, entry: MockConfigEntry
) -> ConfigFlowResult:
    """Open the options and pick the quota form from the menu."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["quota", "wifi"]
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "quota"}
    )


async def add_account_entry(
    hass: HomeAssistant, v2c_sim: SimHandle, unique_id: str, api_key: str
) -> MockConfigEntry:
    """Add an entry for a simulator account and try to set it up."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=unique_id,
        data={CONF_API_KEY: api_key, CONF_BASE_URL: v2c_sim.base_url},
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def set_up_office_account(
    hass: HomeAssistant, v2c_sim: SimHandle
) -> tuple[Account, MockConfigEntry]:
    """Add a second account, with its own key and charger TRY0002, and set it up."""
    office = v2c_sim.sim.add_account("key-of-the-office")
    office.add_charger(device_id="TRY0002", tag="Office")
    entry = await add_account_entry(hass, v2c_sim, "TRY0002", "key-of-the-office")
    return office, entry
