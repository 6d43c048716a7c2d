"""Tests for the V2C Cloud lock, end to end through the simulator."""

from __future__ import annotations

from collections.abc import Generator

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.lock.const import DOMAIN as LOCK_DOMAIN, LockState
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_LOCK, SERVICE_UNLOCK, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
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
    await_confirmation,
    commands,
    entity_id,
    only_platform,
    setup_entry,
    state_of,
)


@pytest.fixture(autouse=True)
def only_locks() -> Generator[None]:
    """Load the lock platform alone."""
    yield from only_platform(Platform.LOCK)


@pytest.mark.parametrize("sim_setup", [TRYDAN, POLE], ids=["trydan", "pole"])
async def test_entities(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Trydan and Pole both have the charging point lock."""
    await setup_entry(hass, mock_config_entry, freezer)
    await snapshot_platform(hass, entity_registry, snapshot, mock_config_entry.entry_id)


@pytest.mark.parametrize(
    ("service", "before", "value", "expected"),
    [
        (SERVICE_LOCK, False, "1", LockState.LOCKED),
        (SERVICE_UNLOCK, True, "0", LockState.UNLOCKED),
    ],
)
async def test_lock_command(
    *,
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
    service: str,
    before: bool,
    value: str,
    expected: LockState,
) -> None:
    """Locking sends /device/locked once and shows the result at once and after the read."""
    v2c_sim.charger.state.locked = before
    await setup_entry(hass, mock_config_entry, freezer)
    entity = entity_id(entity_registry, Platform.LOCK, v2c_sim.device_id, "locked")
    assert state_of(hass, entity).state != expected
    v2c_sim.sim.clear_log()

    await hass.services.async_call(
        LOCK_DOMAIN, service, {ATTR_ENTITY_ID: entity}, blocking=True
    )

    assert commands(v2c_sim) == [
        ("POST", "/device/locked", {"deviceId": v2c_sim.device_id, "value": value})
    ]
    assert v2c_sim.charger.state.locked is not before
    assert state_of(hass, entity).state == expected

    await await_confirmation(hass, freezer, v2c_sim)
    assert state_of(hass, entity).state == expected
    assert len(commands(v2c_sim)) == 1


async def test_lock_already_locked_sends_nothing(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
) -> None:
    """Unlocking an unlocked charger costs no call."""
    await setup_entry(hass, mock_config_entry, freezer)
    entity = entity_id(entity_registry, Platform.LOCK, v2c_sim.device_id, "locked")
    v2c_sim.sim.clear_log()

    await hass.services.async_call(
        LOCK_DOMAIN, SERVICE_UNLOCK, {ATTR_ENTITY_ID: entity}, blocking=True
    )

    assert v2c_sim.sim.request_log == []
    assert state_of(hass, entity).state == LockState.UNLOCKED


async def test_lock_unavailable_cloud(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
) -> None:
    """A 503 from the cloud raises a translated error and leaves the lock alone."""
    await setup_entry(hass, mock_config_entry, freezer)
    entity = entity_id(entity_registry, Platform.LOCK, v2c_sim.device_id, "locked")
    v2c_sim.sim.faults.set(FaultKind.HTTP_503, route="/device/locked")

    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            LOCK_DOMAIN, SERVICE_LOCK, {ATTR_ENTITY_ID: entity}, blocking=True
        )

    assert err.value.translation_key == "communication_error"
    assert v2c_sim.charger.state.locked is False
    assert state_of(hass, entity).state == LockState.UNLOCKED
