"""Tests for the V2C Cloud texts, end to end through the simulator."""

from __future__ import annotations

from collections.abc import Generator

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.text.const import (
    ATTR_VALUE,
    DOMAIN as TEXT_DOMAIN,
    SERVICE_SET_VALUE,
)
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
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

pytestmark = pytest.mark.usefixtures("all_enabled")


@pytest.fixture(autouse=True)
def only_texts() -> Generator[None]:
    """Load the text platform alone."""
    yield from only_platform(Platform.TEXT)


async def _set(hass: HomeAssistant, entity: str, value: str) -> None:
    await hass.services.async_call(
        TEXT_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: entity, ATTR_VALUE: value},
        blocking=True,
    )


@pytest.mark.parametrize("sim_setup", [TRYDAN, POLE], ids=["trydan", "pole"])
async def test_entities(
    *,
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    v2c_sim: SimHandle,
) -> None:
    """A Trydan has every text; a Pole lacks the inverter address."""
    v2c_sim.charger.state.ocpp_id = "CP-1"
    await setup_entry(hass, mock_config_entry, freezer)
    await snapshot_platform(hass, entity_registry, snapshot, mock_config_entry.entry_id)


@pytest.mark.parametrize(
    ("key", "value", "path", "field"),
    [
        ("ocpp_id", "V2C_Charger_001", "/device/ocpp_id", "ocpp_id"),
        (
            "ocpp_address",
            "wss://ocpp.example.com:9000/ocpp/CP-42",
            "/device/ocpp_addr",
            "ocpp_addr",
        ),
        ("inverter_ip", "192.168.1.100", "/device/inverter_ip", "inverter_ip"),
    ],
)
async def test_text_command(
    *,
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
    key: str,
    value: str,
    path: str,
    field: str,
) -> None:
    """Setting a text sends it once and shows it at once and after the confirmation read."""
    await setup_entry(hass, mock_config_entry, freezer)
    entity = entity_id(entity_registry, Platform.TEXT, v2c_sim.device_id, key)
    assert state_of(hass, entity).state == STATE_UNKNOWN
    v2c_sim.sim.clear_log()

    await _set(hass, entity, value)

    assert commands(v2c_sim) == [
        ("POST", path, {"id": v2c_sim.device_id, "value": value})
    ]
    assert getattr(v2c_sim.charger.state, field) == value
    assert state_of(hass, entity).state == value

    await await_confirmation(hass, freezer, v2c_sim)
    assert state_of(hass, entity).state == value
    assert len(commands(v2c_sim)) == 1


@pytest.mark.parametrize(
    ("key", "value", "error"),
    [
        ("ocpp_id", "two words", ValueError),
        ("ocpp_id", "x" * 49, ValueError),
        ("ocpp_id", "", ValueError),
        ("ocpp_address", "http://ocpp.example.com", ValueError),
        ("ocpp_address", "ws://ocpp.example.com/a b", ValueError),
        ("ocpp_address", "ws:///no-host", ServiceValidationError),
        ("inverter_ip", "192.168.1", ValueError),
        ("inverter_ip", "300.168.1.1", ServiceValidationError),
    ],
)
async def test_invalid_text_is_refused(
    *,
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
    key: str,
    value: str,
    error: type[Exception],
) -> None:
    """Malformed ids, URLs and addresses are refused before any call."""
    await setup_entry(hass, mock_config_entry, freezer)
    entity = entity_id(entity_registry, Platform.TEXT, v2c_sim.device_id, key)
    v2c_sim.sim.clear_log()

    with pytest.raises(error) as err:
        await _set(hass, entity, value)

    if isinstance(err.value, ServiceValidationError):
        assert err.value.translation_key == f"invalid_{key}"
    assert v2c_sim.sim.request_log == []
    assert state_of(hass, entity).state == STATE_UNKNOWN


async def test_current_text_sends_nothing(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
) -> None:
    """Setting the charge point id the charger already has costs no call."""
    v2c_sim.charger.state.ocpp_id = "CP-1"
    await setup_entry(hass, mock_config_entry, freezer)
    entity = entity_id(entity_registry, Platform.TEXT, v2c_sim.device_id, "ocpp_id")
    assert state_of(hass, entity).state == "CP-1"
    v2c_sim.sim.clear_log()

    await _set(hass, entity, "CP-1")

    assert v2c_sim.sim.request_log == []


async def test_text_unavailable_cloud(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
) -> None:
    """A 503 from the cloud raises a translated error and leaves the text alone."""
    await setup_entry(hass, mock_config_entry, freezer)
    entity = entity_id(entity_registry, Platform.TEXT, v2c_sim.device_id, "inverter_ip")
    v2c_sim.sim.faults.set(FaultKind.HTTP_503, route="/device/inverter_ip")

    with pytest.raises(HomeAssistantError) as err:
        await _set(hass, entity, "192.168.1.100")

    assert err.value.translation_key == "communication_error"
    assert v2c_sim.charger.state.inverter_ip == ""
    assert state_of(hass, entity).state == STATE_UNKNOWN
