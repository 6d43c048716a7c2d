"""Tests for the V2C Cloud numbers, end to end through the simulator."""

from __future__ import annotations

from collections.abc import Generator

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.number.const import (
    ATTR_MAX,
    ATTR_MIN,
    ATTR_VALUE,
    DOMAIN as NUMBER_DOMAIN,
    SERVICE_SET_VALUE,
)
from homeassistant.const import ATTR_ENTITY_ID, Platform
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
def only_numbers() -> Generator[None]:
    """Load the number platform alone."""
    yield from only_platform(Platform.NUMBER)


async def _set(hass: HomeAssistant, entity: str, value: float) -> None:
    await hass.services.async_call(
        NUMBER_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: entity, ATTR_VALUE: value},
        blocking=True,
    )


@pytest.mark.parametrize("sim_setup", [TRYDAN, POLE], ids=["trydan", "pole"])
async def test_entities(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """A Trydan has every number; a Pole lacks the maximum power."""
    await setup_entry(hass, mock_config_entry, freezer)
    await snapshot_platform(hass, entity_registry, snapshot, mock_config_entry.entry_id)


@pytest.mark.parametrize(
    ("key", "value", "path", "wire", "field", "state"),
    [
        ("charge_current", 16, "/device/intensity", "16", "intensity", "16"),
        ("min_car_current", 10, "/device/min_car_int", "10", "min_car_int", "10"),
        ("max_car_current", 20, "/device/max_car_int", "20", "max_car_int", "20"),
        (
            "max_power",
            5000,
            "/device/denka/max_power",
            "5000",
            "denka_max_power",
            "5000",
        ),
        (
            "charge_until_energy",
            7.25,
            "/device/charger_until_energy",
            "7.25",
            "charge_until_energy",
            "7.25",
        ),
        (
            "charge_until_minutes",
            90,
            "/device/charger_until_minutes",
            "90",
            "charge_until_minutes",
            "90",
        ),
    ],
)
async def test_number_command(
    *,
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
    key: str,
    value: float,
    path: str,
    wire: str,
    field: str,
    state: str,
) -> None:
    """Setting a number sends it once, shows it at once and after the confirmation read."""
    await setup_entry(hass, mock_config_entry, freezer)
    entity = entity_id(entity_registry, Platform.NUMBER, v2c_sim.device_id, key)
    assert state_of(hass, entity).state != state
    v2c_sim.sim.clear_log()

    await _set(hass, entity, value)

    assert commands(v2c_sim) == [
        ("POST", path, {"deviceId": v2c_sim.device_id, "value": wire})
    ]
    assert getattr(v2c_sim.charger.state, field) == value
    assert state_of(hass, entity).state == state

    await await_confirmation(hass, freezer, v2c_sim)
    assert state_of(hass, entity).state == state
    assert len(commands(v2c_sim)) == 1


async def test_current_bounds_follow_car_limits(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
) -> None:
    """The car's minimum and maximum bound the charging current and each other."""
    v2c_sim.charger.state.min_car_int = 10
    v2c_sim.charger.state.max_car_int = 16
    v2c_sim.charger.state.intensity = 12
    await setup_entry(hass, mock_config_entry, freezer)
    device_id = v2c_sim.device_id
    current = entity_id(entity_registry, Platform.NUMBER, device_id, "charge_current")
    low = entity_id(entity_registry, Platform.NUMBER, device_id, "min_car_current")
    high = entity_id(entity_registry, Platform.NUMBER, device_id, "max_car_current")

    assert state_of(hass, current).attributes[ATTR_MIN] == 10
    assert state_of(hass, current).attributes[ATTR_MAX] == 16
    assert state_of(hass, low).attributes[ATTR_MAX] == 16
    assert state_of(hass, high).attributes[ATTR_MIN] == 10

    await _set(hass, high, 20)

    assert state_of(hass, current).attributes[ATTR_MAX] == 20
    assert state_of(hass, low).attributes[ATTR_MAX] == 20
    v2c_sim.sim.clear_log()
    await _set(hass, current, 18)
    assert commands(v2c_sim) == [
        ("POST", "/device/intensity", {"deviceId": device_id, "value": "18"})
    ]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("charge_current", 17),
        ("charge_current", 9),
        ("min_car_current", 17),
        ("max_car_current", 9),
        ("max_car_current", 33),
        ("max_power", 60_000),
        ("charge_until_energy", 0),
        ("charge_until_energy", 250),
        ("charge_until_minutes", 0),
        ("charge_until_minutes", 1441),
    ],
)
async def test_out_of_range_is_refused(
    *,
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
    key: str,
    value: float,
) -> None:
    """A value beyond the bounds, including min above max, is refused before any call."""
    v2c_sim.charger.state.min_car_int = 10
    v2c_sim.charger.state.max_car_int = 16
    await setup_entry(hass, mock_config_entry, freezer)
    entity = entity_id(entity_registry, Platform.NUMBER, v2c_sim.device_id, key)
    v2c_sim.sim.clear_log()

    with pytest.raises(ServiceValidationError):
        await _set(hass, entity, value)

    assert v2c_sim.sim.request_log == []


async def test_fraction_of_whole_number_is_refused(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
) -> None:
    """Amps are whole numbers: 16.5 A is refused with a translated error, no call made."""
    await setup_entry(hass, mock_config_entry, freezer)
    entity = entity_id(
        entity_registry, Platform.NUMBER, v2c_sim.device_id, "charge_current"
    )
    v2c_sim.sim.clear_log()

    with pytest.raises(ServiceValidationError) as err:
        await _set(hass, entity, 16.5)

    assert err.value.translation_key == "whole_number"
    assert v2c_sim.sim.request_log == []


async def test_current_value_sends_nothing(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
) -> None:
    """Setting the current the charger already has costs no call."""
    await setup_entry(hass, mock_config_entry, freezer)
    entity = entity_id(
        entity_registry, Platform.NUMBER, v2c_sim.device_id, "charge_current"
    )
    assert state_of(hass, entity).state == "32"
    v2c_sim.sim.clear_log()

    await _set(hass, entity, 32)

    assert v2c_sim.sim.request_log == []


async def test_number_unavailable_cloud(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
) -> None:
    """A 503 from the cloud raises a translated error and leaves the value alone."""
    await setup_entry(hass, mock_config_entry, freezer)
    entity = entity_id(
        entity_registry, Platform.NUMBER, v2c_sim.device_id, "charge_current"
    )
    v2c_sim.sim.faults.set(FaultKind.HTTP_503, route="/device/intensity")

    with pytest.raises(HomeAssistantError) as err:
        await _set(hass, entity, 16)

    assert err.value.translation_key == "communication_error"
    assert v2c_sim.charger.state.intensity == 32
    assert state_of(hass, entity).state == "32"


@pytest.mark.parametrize(
    ("key", "value", "live"),
    [
        ("charge_current", 20, True),
        ("charge_until_minutes", 90, True),
        ("min_car_current", 8, False),
    ],
)
async def test_confirmation_reads_the_live_state_when_charging_may_change(
    *,
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
    key: str,
    value: float,
    live: bool,
) -> None:
    """The current or a stop-after target changes the charge: confirm it live too."""
    await setup_entry(hass, mock_config_entry, freezer)
    entity = entity_id(entity_registry, Platform.NUMBER, v2c_sim.device_id, key)
    v2c_sim.sim.clear_log()

    await _set(hass, entity, value)
    await await_confirmation(hass, freezer, v2c_sim)

    log = v2c_sim.sim.request_log
    confirm = next(i for i, r in enumerate(log) if r.path == "/device/reported")
    same_moment = [r.path for r in log[confirm:] if r.time == log[confirm].time]
    assert any(path.endswith("/currentstatecharge") for path in same_moment) is live
