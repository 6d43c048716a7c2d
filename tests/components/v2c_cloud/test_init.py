"""Tests for setting up, unloading and removing the integration."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_API_KEY
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.v2c_cloud.const import CONF_BASE_URL, DOMAIN
from tests.sim_fixtures import SimHandle, SimSetup
from v2c_simulator import FaultKind


async def test_setup_and_unload(
    hass: HomeAssistant, v2c_sim: SimHandle, mock_config_entry: MockConfigEntry
) -> None:
    """The entry loads against the simulator and unloads cleanly."""
    mock_config_entry.add_to_hass(hass)

    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED

    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.NOT_LOADED


@pytest.mark.parametrize(
    "sim_setup",
    [SimSetup(models=("trydan", "pole", "trydan"), device_ids=("TRY0001",))],
)
async def test_setup_spends_at_most_one_plus_two_calls_per_charger(
    hass: HomeAssistant, v2c_sim: SimHandle, init_integration: MockConfigEntry
) -> None:
    """Setup reads the pairings once, then state and shadow of each charger."""
    assert init_integration.state is ConfigEntryState.LOADED
    calls = [record for record in v2c_sim.sim.request_log if record.status]
    assert len(calls) <= 1 + 2 * 3
    devices = dr.async_entries_for_config_entry(
        dr.async_get(hass), init_integration.entry_id
    )
    assert {next(iter(d.identifiers))[1] for d in devices} >= {
        c.device_id for c in v2c_sim.chargers
    }
    assert all(next(iter(d.identifiers))[0] == DOMAIN for d in devices)


async def _retry_setup(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Let Home Assistant's setup retry timer fire; the retry runs in the background."""
    freezer.tick(timedelta(minutes=3))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_connection_error_retries_setup(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An unreachable cloud makes setup retry, and it loads once the cloud answers."""
    v2c_sim.sim.faults.set(FaultKind.DROP_CONNECTION)
    mock_config_entry.add_to_hass(hass)

    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY

    v2c_sim.sim.faults.clear()
    await _retry_setup(hass, freezer)
    assert mock_config_entry.state is ConfigEntryState.LOADED


async def test_revoked_key_starts_reauth_once_confirmed_at_setup(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A first 401 only retries; 401s persisting over minutes stop setup for reauth."""
    v2c_sim.sim.revoke_key(v2c_sim.api_key)
    mock_config_entry.add_to_hass(hass)

    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)

    for _ in range(10):
        await _retry_setup(hass, freezer)
        if mock_config_entry.state is ConfigEntryState.SETUP_ERROR:
            break
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


@pytest.mark.parametrize("sim_setup", [SimSetup(models=())])
async def test_an_account_without_chargers_retries_setup(
    hass: HomeAssistant, v2c_sim: SimHandle
) -> None:
    """An account whose chargers were all unpaired waits for one to be paired."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id="TRY0001",
        data={CONF_API_KEY: v2c_sim.api_key, CONF_BASE_URL: v2c_sim.base_url},
    )
    entry.add_to_hass(hass)

    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.error_reason_translation_key == "no_chargers"


async def test_removing_the_entry_deletes_its_store(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    init_integration: MockConfigEntry,
) -> None:
    """The entry's saved quota state goes with the entry."""
    key = f"{DOMAIN}.{init_integration.entry_id}"
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert key in hass_storage

    await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()

    assert key not in hass_storage
