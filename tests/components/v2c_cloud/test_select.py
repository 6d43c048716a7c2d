"""Tests for the V2C Cloud selects, end to end through the simulator."""

from __future__ import annotations

from collections.abc import Generator

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.select.const import (
    ATTR_OPTION,
    DOMAIN as SELECT_DOMAIN,
    SERVICE_SELECT_OPTION,
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
def only_selects() -> Generator[None]:
    """Load the select platform alone."""
    yield from only_platform(Platform.SELECT)


async def _select(hass: HomeAssistant, entity: str, option: str) -> None:
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: entity, ATTR_OPTION: option},
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
    """A Trydan has every select; a Pole lacks the PV mode and the meter type."""
    await setup_entry(hass, mock_config_entry, freezer)
    await snapshot_platform(hass, entity_registry, snapshot, mock_config_entry.entry_id)


@pytest.mark.parametrize(
    ("key", "option", "path", "wire", "field"),
    [
        ("pv_mode", "pv_only", "/device/chargefvmode", "1", "pv_mode"),
        ("pv_mode", "pv_plus_min", "/device/chargefvmode", "0", "pv_mode"),
        ("installation_type", "three_phase", "/device/inst_type", "1", "inst_type"),
        ("installation_type", "photovoltaic", "/device/inst_type", "2", "inst_type"),
        ("meter_type", "huawei", "/device/slave_type", "3", "slave_type"),
        ("meter_type", "solax", "/device/slave_type", "4", "slave_type"),
        ("language", "spanish", "/device/language", "1", "language"),
        ("language", "catalan", "/device/language", "9", "language"),
    ],
)
async def test_select_command(
    *,
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
    key: str,
    option: str,
    path: str,
    wire: str,
    field: str,
) -> None:
    """Choosing an option sends its number once and shows it at once and after the read."""
    await setup_entry(hass, mock_config_entry, freezer)
    entity = entity_id(entity_registry, Platform.SELECT, v2c_sim.device_id, key)
    assert state_of(hass, entity).state != option
    v2c_sim.sim.clear_log()

    await _select(hass, entity, option)

    assert commands(v2c_sim) == [
        ("POST", path, {"deviceId": v2c_sim.device_id, "value": wire})
    ]
    assert getattr(v2c_sim.charger.state, field) == int(wire)
    assert state_of(hass, entity).state == option

    await await_confirmation(hass, freezer, v2c_sim)
    assert state_of(hass, entity).state == option
    assert len(commands(v2c_sim)) == 1


async def test_current_option_sends_nothing(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
) -> None:
    """Choosing the PV mode the charger already has costs no call."""
    await setup_entry(hass, mock_config_entry, freezer)
    entity = entity_id(entity_registry, Platform.SELECT, v2c_sim.device_id, "pv_mode")
    assert state_of(hass, entity).state == "max_power"
    v2c_sim.sim.clear_log()

    await _select(hass, entity, "max_power")

    assert v2c_sim.sim.request_log == []


async def test_unknown_option_is_refused(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
) -> None:
    """An option the select does not offer is refused before any call."""
    await setup_entry(hass, mock_config_entry, freezer)
    entity = entity_id(
        entity_registry, Platform.SELECT, v2c_sim.device_id, "meter_type"
    )
    v2c_sim.sim.clear_log()

    with pytest.raises(ServiceValidationError):
        await _select(hass, entity, "fronius")

    assert v2c_sim.sim.request_log == []


async def test_select_unavailable_cloud(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
) -> None:
    """A 503 from the cloud raises a translated error and leaves the option alone."""
    await setup_entry(hass, mock_config_entry, freezer)
    entity = entity_id(entity_registry, Platform.SELECT, v2c_sim.device_id, "pv_mode")
    v2c_sim.sim.faults.set(FaultKind.HTTP_503, route="/device/chargefvmode")

    with pytest.raises(HomeAssistantError) as err:
        await _select(hass, entity, "pv_only")

    assert err.value.translation_key == "communication_error"
    assert v2c_sim.charger.state.pv_mode == 2
    assert state_of(hass, entity).state == "max_power"


@pytest.mark.parametrize(
    ("key", "option", "live"),
    [("pv_mode", "pv_plus_min", True), ("installation_type", "three_phase", False)],
)
async def test_confirmation_reads_the_live_state_when_charging_may_change(
    *,
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
    key: str,
    option: str,
    live: bool,
) -> None:
    """A PV mode change may start or stop the charge: its confirmation reads both."""
    await setup_entry(hass, mock_config_entry, freezer)
    entity = entity_id(entity_registry, Platform.SELECT, v2c_sim.device_id, key)
    v2c_sim.sim.clear_log()

    await _select(hass, entity, option)
    await await_confirmation(hass, freezer, v2c_sim)

    log = v2c_sim.sim.request_log
    confirm = next(i for i, r in enumerate(log) if r.path == "/device/reported")
    same_moment = [r.path for r in log[confirm:] if r.time == log[confirm].time]
    assert any(path.endswith("/currentstatecharge") for path in same_moment) is live


async def test_unknown_reported_value_shows_unknown(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
) -> None:
    """A meter type or language outside the known set keeps the entity, as unknown."""
    v2c_sim.sim.override_field("reported", "slave_type", "9")
    v2c_sim.sim.override_field("reported", "language", "42")
    await setup_entry(hass, mock_config_entry, freezer)

    for key in ("meter_type", "language"):
        entity = entity_id(entity_registry, Platform.SELECT, v2c_sim.device_id, key)
        assert state_of(hass, entity).state == "unknown"


async def test_every_known_meter_and_language_is_offered(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
) -> None:
    """All eight meter types and all ten display languages the charger knows."""
    await setup_entry(hass, mock_config_entry, freezer)
    meter = entity_id(entity_registry, Platform.SELECT, v2c_sim.device_id, "meter_type")
    language = entity_id(
        entity_registry, Platform.SELECT, v2c_sim.device_id, "language"
    )

    assert state_of(hass, meter).attributes["options"] == [
        "shelly",
        "v2c_v2",
        "v2c_legacy",
        "huawei",
        "solax",
        "carlo_gavazzi",
        "growatt",
        "mqtt",
    ]
    assert len(state_of(hass, language).attributes["options"]) == 10

    await _select(hass, meter, "mqtt")
    assert v2c_sim.charger.state.slave_type == 11
