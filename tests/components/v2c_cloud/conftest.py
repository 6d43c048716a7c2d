"""Fixtures for the V2C Cloud integration tests; the shared ones are in tests/conftest.py."""

from __future__ import annotations

from collections.abc import Generator
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud.coordinator import V2CChargerCoordinator
from tests.sim_fixtures import SimHandle

from .control_helpers import Harness
from .read_helpers import coordinator_of


@pytest.fixture(autouse=True)
def frozen_start(frozen_start: FrozenDateTimeFactory) -> FrozenDateTimeFactory:
    """Start every test at the same frozen moment, before the simulator exists."""
    return frozen_start


@pytest.fixture
def entity_platform(request: pytest.FixtureRequest) -> Platform | None:
    """Return the platform a test module loads alone: its PLATFORM, if it has one."""
    found: Platform | None = getattr(request.module, "PLATFORM", None)
    return found


@pytest.fixture(autouse=True)
def only_platform(entity_platform: Platform | None) -> Generator[None]:
    """Load that platform alone; with none, load them all."""
    if entity_platform is None:
        yield
        return
    with patch("custom_components.v2c_cloud.PLATFORMS", [entity_platform]):
        yield


@pytest.fixture
def harness(
    *,
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
    entity_platform: Platform | None,
) -> Harness:
    """Return the integration against the simulator, not set up yet."""
    return Harness(
        hass, mock_config_entry, freezer, entity_registry, v2c_sim, entity_platform
    )


@pytest.fixture
async def loaded(harness: Harness) -> Harness:
    """Return the integration against the simulator, set up at START."""
    return await harness.load()


@pytest.fixture
def coordinator(
    init_integration: MockConfigEntry, v2c_sim: SimHandle
) -> V2CChargerCoordinator:
    """Return the first charger's coordinator, with every platform loaded."""
    return coordinator_of(init_integration, v2c_sim.device_id)
