"""Fixtures shared by the whole test suite.

The simulator fixtures come from tests/sim_fixtures.py as a plugin; the Home
Assistant ones below serve tests/components and tests/reliability, whose own
conftest freezes the clock for every test. tests/api needs none of this: scripts/test
also runs it without this file and without Home Assistant.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING
from unittest.mock import AsyncMock, PropertyMock, patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import CONF_API_KEY
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

import custom_components.v2c_cloud  # noqa: F401  # must be importable before HA scans custom integrations
from custom_components.v2c_cloud.const import CONF_BASE_URL, DOMAIN

if TYPE_CHECKING:
    from tests.sim_fixtures import SimHandle

pytest_plugins = ["tests.sim_fixtures"]

START = "2026-03-02 12:00:00+00:00"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/ in every test."""


@pytest.fixture
def frozen_start(freezer: FrozenDateTimeFactory) -> FrozenDateTimeFactory:
    """Freeze time before the simulator exists, so its chargers charge as time ticks."""
    freezer.move_to(START)
    return freezer


@pytest.fixture
def mock_config_entry(v2c_sim: SimHandle) -> MockConfigEntry:
    """Return a config entry pointed at the simulator."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="V2C Cloud",
        unique_id=v2c_sim.device_id,
        data={CONF_API_KEY: v2c_sim.api_key, CONF_BASE_URL: v2c_sim.base_url},
    )


@pytest.fixture
def mock_setup_entry() -> Generator[AsyncMock]:
    """Keep the entry from being set up, for tests of the flows alone."""
    with patch(
        "custom_components.v2c_cloud.async_setup_entry", return_value=True
    ) as mock:
        yield mock


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> MockConfigEntry:
    """Set the integration up against the simulator and return its entry."""
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    return mock_config_entry


@pytest.fixture
def all_enabled() -> Generator[None]:
    """Create the entities that are disabled by default as enabled."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield
