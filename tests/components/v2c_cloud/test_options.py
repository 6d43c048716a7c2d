"""The quota options on a running integration: what the key allows, and the reload."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud.const import (
    CONF_COMMAND_RESERVE,
    CONF_POLL_IDLE,
    CONF_QUOTA_SHARE,
)
from custom_components.v2c_cloud.helpers import utcnow
from tests.components.v2c_cloud.read_helpers import (
    open_quota_options,
    run_for,
    state_of,
)
from tests.sim_fixtures import SimHandle, SimSetup

CHARGING = "switch.garage_charging"


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


@pytest.mark.parametrize("saved", [{}, {CONF_QUOTA_SHARE: 100}])
async def test_options_saved_as_they_run_change_nothing(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    saved: dict[str, Any],
) -> None:
    """Submitting the quota options as shown keeps them as saved: no reload, no call.

    An entry with none or some saved runs on the defaults for the rest; the
    form shows them, and submitted unchanged they are no change: the entities
    do not flash unavailable and the setup's reads (a pairings call and two
    per charger) are not spent.
    """
    hass.config_entries.async_update_entry(init_integration, options=saved)
    running = init_integration.runtime_data
    v2c_sim.sim.clear_log()

    result = await open_quota_options(hass, init_integration)
    shown = dict(result["data_schema"]({}))
    result = await hass.config_entries.options.async_configure(result["flow_id"], shown)
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options == saved
    assert init_integration.state is ConfigEntryState.LOADED
    assert [record.path for record in v2c_sim.sim.request_log] == []
    assert init_integration.runtime_data is running


@pytest.mark.parametrize("sim_setup", [SimSetup(daily_limit=200)])
async def test_a_share_lowered_below_todays_calls_keeps_the_command_reserve(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A share lowered mid-day below what was spent stops polling, not commands.

    A car charges on a 200-call key for three hours (some 57 calls), then the
    share is lowered to 20 % (40 calls) with a reserve of 20. The reload goes
    ahead (a command could still go out), polling stops, and the controls
    stay usable: commands have their 20 calls a day beyond the spent share,
    as long as the key has calls left.
    """
    v2c_sim.charger.plug_in(energy_needed_kwh=60.0)
    await run_for(hass, freezer, 3 * 60)
    planner = init_integration.runtime_data.planner
    assert sum(planner.snapshot(utcnow()).calls_today.values()) > 40

    result = await open_quota_options(hass, init_integration)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_QUOTA_SHARE: 20, CONF_COMMAND_RESERVE: 20, CONF_POLL_IDLE: True},
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.state is ConfigEntryState.LOADED
    planner = init_integration.runtime_data.planner
    assert planner.polling_blocked_until is not None
    await run_for(hass, freezer, 60)
    assert planner.remaining > 100

    v2c_sim.sim.clear_log()
    assert state_of(hass, CHARGING).state != STATE_UNAVAILABLE
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": CHARGING}, blocking=True
    )
    assert [record.path for record in v2c_sim.sim.request_log][:1] == [
        "/device/pausecharge"
    ]
