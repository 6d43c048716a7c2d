"""Tests for the V2C Cloud buttons, end to end through the simulator."""

from __future__ import annotations

from collections.abc import Generator

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.button.const import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from tests.sim_fixtures import SimHandle
from v2c_simulator import FaultKind

from .control_helpers import (
    POLE,
    TRYDAN,
    commands,
    entity_id,
    only_platform,
    setup_entry,
    state_of,
)


@pytest.fixture(autouse=True)
def only_buttons() -> Generator[None]:
    """Load the button platform alone."""
    yield from only_platform(Platform.BUTTON)


async def _press(hass: HomeAssistant, entity: str) -> None:
    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: entity}, blocking=True
    )


@pytest.mark.parametrize("sim_setup", [TRYDAN, POLE], ids=["trydan", "pole"])
async def test_entities(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Trydan and Pole both have the reboot and firmware update buttons."""
    await setup_entry(hass, mock_config_entry, freezer)
    await snapshot_platform(hass, entity_registry, snapshot, mock_config_entry.entry_id)


async def test_reboot(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
) -> None:
    """Pressing reboot sends /device/reboot once and the charger restarts."""
    await setup_entry(hass, mock_config_entry, freezer)
    entity = entity_id(entity_registry, Platform.BUTTON, v2c_sim.device_id, "reboot")
    assert state_of(hass, entity).state == STATE_UNKNOWN
    v2c_sim.sim.clear_log()

    await _press(hass, entity)

    assert commands(v2c_sim) == [
        ("POST", "/device/reboot", {"deviceId": v2c_sim.device_id})
    ]
    assert v2c_sim.charger.state.rebooting_until is not None
    assert not v2c_sim.charger.connected()
    assert state_of(hass, entity).state == dt_util.utcnow().isoformat()


async def test_update_firmware(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
) -> None:
    """Pressing the update button sends /device/update once and an install starts."""
    await setup_entry(hass, mock_config_entry, freezer)
    entity = entity_id(
        entity_registry, Platform.BUTTON, v2c_sim.device_id, "update_firmware"
    )
    v2c_sim.sim.clear_log()

    await _press(hass, entity)

    assert commands(v2c_sim) == [
        ("POST", "/device/update", {"deviceId": v2c_sim.device_id})
    ]
    assert v2c_sim.charger.state.update_ready_at is not None


async def test_button_unavailable_cloud(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
) -> None:
    """A 503 from the cloud raises a translated error and nothing restarts."""
    await setup_entry(hass, mock_config_entry, freezer)
    entity = entity_id(entity_registry, Platform.BUTTON, v2c_sim.device_id, "reboot")
    v2c_sim.sim.faults.set(FaultKind.HTTP_503, route="/device/reboot")

    with pytest.raises(HomeAssistantError) as err:
        await _press(hass, entity)

    assert err.value.translation_key == "communication_error"
    assert v2c_sim.charger.state.rebooting_until is None
