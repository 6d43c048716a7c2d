"""The quota options on a running integration: what the key allows, and the reload."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud.const import (
    CONF_COMMAND_RESERVE,
    CONF_POLL_IDLE,
    CONF_QUOTA_SHARE,
)
from tests.components.v2c_cloud.read_helpers import open_quota_options
from tests.sim_fixtures import SimSetup


async def test_options_flow(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Options are stored as whole numbers and the entry reloads."""
    mock_config_entry = init_integration
    running = mock_config_entry.runtime_data

    result = await open_quota_options(hass, mock_config_entry)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "quota"
    assert dict(result["data_schema"]({})) == {
        CONF_QUOTA_SHARE: 100,
        CONF_COMMAND_RESERVE: 50,
        CONF_POLL_IDLE: True,
    }

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_QUOTA_SHARE: 60.0, CONF_COMMAND_RESERVE: 300.0, CONF_POLL_IDLE: False},
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert mock_config_entry.options == {
        CONF_QUOTA_SHARE: 60,
        CONF_COMMAND_RESERVE: 300,
        CONF_POLL_IDLE: False,
    }
    assert all(
        type(mock_config_entry.options[key]) is int
        for key in (CONF_QUOTA_SHARE, CONF_COMMAND_RESERVE)
    )
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert mock_config_entry.runtime_data is not running


@pytest.mark.parametrize("sim_setup", [SimSetup(daily_limit=200)])
async def test_options_flow_reserve_bound_follows_the_keys_limit(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """On a 200-call key half of the share is 100 calls, not 500: more would stop polling."""
    result = await open_quota_options(hass, init_integration)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_QUOTA_SHARE: 100, CONF_COMMAND_RESERVE: 101, CONF_POLL_IDLE: True},
    )
    assert result["errors"] == {CONF_COMMAND_RESERVE: "reserve_too_large"}
    assert result["description_placeholders"] == {"max_reserve": "100"}

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_QUOTA_SHARE: 100, CONF_COMMAND_RESERVE: 100, CONF_POLL_IDLE: True},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
