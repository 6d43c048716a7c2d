"""Tests for setting up, unloading and removing the integration."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud.const import DOMAIN
from tests.sim_fixtures import SimHandle, SimSetup


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
