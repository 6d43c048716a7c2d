"""Tests for the V2C Cloud switches, end to end through the simulator."""

from __future__ import annotations

from collections.abc import Generator

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.switch.const import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    Platform,
)
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
from .read_helpers import run_for

pytestmark = pytest.mark.usefixtures("all_enabled")


@pytest.fixture(autouse=True)
def only_switches() -> Generator[None]:
    """Load the switch platform alone."""
    yield from only_platform(Platform.SWITCH)


@pytest.mark.parametrize("sim_setup", [TRYDAN, POLE], ids=["trydan", "pole"])
async def test_entities(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """A Trydan has every switch; a Pole lacks dynamic power control."""
    await setup_entry(hass, mock_config_entry, freezer)
    await snapshot_platform(hass, entity_registry, snapshot, mock_config_entry.entry_id)


@pytest.mark.parametrize(
    ("key", "service", "field", "before", "path", "query"),
    [
        ("charging", SERVICE_TURN_OFF, "paused", False, "/device/pausecharge", {}),
        ("charging", SERVICE_TURN_ON, "paused", True, "/device/startcharge", {}),
        (
            "dynamic_power",
            SERVICE_TURN_ON,
            "dynamic",
            False,
            "/device/dynamic",
            {"value": "1"},
        ),
        (
            "logo_led",
            SERVICE_TURN_OFF,
            "logo_led",
            True,
            "/device/logo_led",
            {"value": "0"},
        ),
        (
            "rfid_reader",
            SERVICE_TURN_ON,
            "rfid_reader",
            False,
            "/device/set_rfid",
            {"value": "1"},
        ),
        ("ocpp", SERVICE_TURN_ON, "ocpp", False, "/device/ocpp", {"value": "1"}),
    ],
)
async def test_switch_command(
    *,
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
    key: str,
    service: str,
    field: str,
    before: bool,
    path: str,
    query: dict[str, str],
) -> None:
    """A switch sends its command once, shows the result at once and after the read."""
    setattr(v2c_sim.charger.state, field, before)
    await setup_entry(hass, mock_config_entry, freezer)
    entity = entity_id(entity_registry, Platform.SWITCH, v2c_sim.device_id, key)
    expected = STATE_ON if service == SERVICE_TURN_ON else STATE_OFF
    assert state_of(hass, entity).state != expected
    v2c_sim.sim.clear_log()

    await hass.services.async_call(
        SWITCH_DOMAIN, service, {ATTR_ENTITY_ID: entity}, blocking=True
    )

    id_param = "id" if key == "ocpp" else "deviceId"
    assert commands(v2c_sim) == [("POST", path, {id_param: v2c_sim.device_id, **query})]
    assert v2c_sim.sim.request_log[-1].status == 200
    assert getattr(v2c_sim.charger.state, field) is not before
    assert state_of(hass, entity).state == expected

    await await_confirmation(hass, freezer, v2c_sim)
    assert state_of(hass, entity).state == expected
    assert len(commands(v2c_sim)) == 1


async def test_switch_already_on_sends_nothing(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
) -> None:
    """Turning on a switch that is on costs no call."""
    await setup_entry(hass, mock_config_entry, freezer)
    entity = entity_id(entity_registry, Platform.SWITCH, v2c_sim.device_id, "logo_led")
    assert state_of(hass, entity).state == STATE_ON
    v2c_sim.sim.clear_log()

    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: entity}, blocking=True
    )

    assert v2c_sim.sim.request_log == []


async def test_switch_keeps_pending_value_until_charger_applies(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
) -> None:
    """A read before a slow charger applies the command does not flip the switch back."""
    await setup_entry(hass, mock_config_entry, freezer)
    entity = entity_id(
        entity_registry, Platform.SWITCH, v2c_sim.device_id, "dynamic_power"
    )
    v2c_sim.sim.apply_delay = 600.0

    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: entity}, blocking=True
    )
    await await_confirmation(hass, freezer, v2c_sim)

    assert v2c_sim.charger.state.dynamic is False
    assert state_of(hass, entity).state == STATE_ON


async def test_switch_shows_the_real_state_once_the_charger_took_too_long(
    *,
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """After the confirmation window the switch shows what the charger reports."""
    await setup_entry(hass, mock_config_entry, freezer)
    entity = entity_id(
        entity_registry, Platform.SWITCH, v2c_sim.device_id, "dynamic_power"
    )
    v2c_sim.sim.apply_delay = 1200.0
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: entity}, blocking=True
    )

    await run_for(hass, freezer, 15)
    assert state_of(hass, entity).state == STATE_OFF
    assert "did not apply dynamic_power within 90 s" in caplog.text


async def test_switch_unavailable_cloud(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
) -> None:
    """A 503 from the cloud raises a translated error and leaves the state alone."""
    await setup_entry(hass, mock_config_entry, freezer)
    entity = entity_id(entity_registry, Platform.SWITCH, v2c_sim.device_id, "charging")
    v2c_sim.sim.faults.set(FaultKind.HTTP_503, route="/device/pausecharge")

    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            SWITCH_DOMAIN, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: entity}, blocking=True
        )

    assert err.value.translation_key == "communication_error"
    assert v2c_sim.charger.state.paused is False
    assert state_of(hass, entity).state == STATE_ON
