"""A real Trydan on firmware 2.4.6, end to end: what it sends is what the user sees.

The simulator answers in its trydan-2.4.6 profile; the mutation test makes it serve
the real fixtures verbatim, then breaks one field at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.v2c_cloud.const import DOMAIN
from custom_components.v2c_cloud.polling import REPORTED_REFRESH_S
from tests.sim_fixtures import SimHandle, SimSetup
from v2c_simulator import Wire
from v2c_simulator.templates import Json, wire_fixture

from .control_helpers import entity_id, reported_reads, setup_entry
from .read_helpers import state_of

LIVE = "trydan-2.4.6-currentstatecharge"
SHADOW = "trydan-2.4.6-reported"
MUTATIONS: tuple[Json, ...] = ("", "x", None, "-5", "1e306", "y" * 10_000, 10**400)
# Mutations no field of a real charger can carry as a value.
NONSENSE: tuple[Json, ...] = ("x", None, "1e306", "y" * 10_000, 10**400)

# The charger entities (unique id suffixes) each wire field feeds.
LIVE_ENTITIES: dict[str, set[str]] = {
    "seconds": {"sensor.session_duration"},
    "error": {"sensor.meter_error", "sensor.error_code"},
    "voltage": {"sensor.voltage"},
    "phases": {"sensor.phases"},
    "battery": {"sensor.battery_power"},
    "intensity": {"sensor.charging_current"},
    "energy": {"sensor.session_energy"},
    # Vehicle charging also reads power and intensity: with one broken, the
    # other still says that nothing flows.
    "power": {"sensor.charging_power"},
    "house_power": {"sensor.house_power"},
    "sun_power": {"sensor.solar_power"},
    "grid_power": {"sensor.grid_power"},
    "photovoltaic_on": {"binary_sensor.solar_active"},
    "cp_level": {"sensor.cp_level"},
    "charge_state": {
        "sensor.charge_state",
        "binary_sensor.plugged",
        "binary_sensor.charging",
        "binary_sensor.problem",
    },
}
SHADOW_ENTITIES: dict[str, set[str]] = {
    "version": {"sensor.firmware_version"},
    "wifi_info": {"sensor.wifi_ssid", "sensor.ip_address"},
    "min_car_int_fb": {"number.min_car_current"},
    "max_car_int_fb": {"number.max_car_current"},
    "intensity": {"number.charge_current"},
    "locked": {"lock.locked"},
    "pause": {"switch.charging"},
    "dynamic": {"switch.dynamic_power"},
    "light_led": {"sensor.led_brightness"},
    "logo_led": {"switch.logo_led"},
    "rfid": {"switch.rfid_reader"},
    "contract_power": {"sensor.contract_power"},
    "inst_type": {"select.installation_type"},
    "slave_type": {"select.meter_type"},
    "fv_mode": {"select.pv_mode"},
    "dynamic_power_mode": {"sensor.dynamic_power_mode"},
    "language": {"select.language"},
    "ocpp": {"switch.ocpp"},
    "ocpp_id": {"text.ocpp_id"},
    "ocpp_addr": {"text.ocpp_address"},
    "inverter_ip": {"text.inverter_ip"},
    "denka_max_power": {"number.max_power"},
    "charge_until_energy": {"number.charge_until_energy"},
    "charge_until_minutes": {"number.charge_until_minutes"},
}
# Entities showing text: nonsense like "x" is a value for them, not an unknown.
TEXT_ENTITIES = frozenset(
    {
        "sensor.firmware_version",
        "sensor.error_code",
        "text.ocpp_id",
        "text.ocpp_address",
        "text.inverter_ip",
    }
)
# Values that move with the planner, not with what the charger sends.
NOT_FROM_WIRE = frozenset({"sensor.poll_interval"})


def _expected_key(unique_id: str, device_id: str) -> str:
    return unique_id.removeprefix(f"{device_id}_")


def _charger_states(
    hass: HomeAssistant, entity_registry: er.EntityRegistry, entry: MockConfigEntry
) -> dict[str, str]:
    """Return the state of every charger entity, by platform and key."""
    states: dict[str, str] = {}
    for entry_ in er.async_entries_for_config_entry(entity_registry, entry.entry_id):
        suffix = _expected_key(entry_.unique_id, "TRY0001")
        key = f"{entry_.domain}.{suffix}"
        if suffix == entry_.unique_id or key in NOT_FROM_WIRE:
            continue
        state = hass.states.get(entry_.entity_id)
        if state is not None and entry_.domain != Platform.EVENT:
            states[key] = state.state
    return states


def _serve_fixtures(v2c_sim: SimHandle) -> None:
    """Make the simulator answer with the real bodies, value for value."""
    for key, value in wire_fixture(LIVE).items():
        v2c_sim.sim.override_field("currentstatecharge", key, value)
    for key, value in wire_fixture(SHADOW).items():
        v2c_sim.sim.override_field("reported", key, value)


@pytest.mark.parametrize("sim_setup", [SimSetup(fb_limits=True)])
async def test_real_charger_reads_as_the_notes_say(
    *,
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
    v2c_sim: SimHandle,
) -> None:
    """Every enabled entity is available and shows the real sample's meaning."""
    _serve_fixtures(v2c_sim)
    await setup_entry(hass, mock_config_entry, freezer)

    def value(platform: Platform, key: str) -> str:
        return state_of(
            hass, entity_id(entity_registry, platform, "TRY0001", key)
        ).state

    assert value(Platform.SENSOR, "charging_power") == "0.0"
    assert value(Platform.SENSOR, "house_power") == "212.0"
    assert value(Platform.SENSOR, "grid_power") == "212.0"
    assert value(Platform.SENSOR, "session_energy") == "4.179506"
    # Shown in minutes (the sensor's suggested unit) from 26,711 s.
    assert float(value(Platform.SENSOR, "session_duration")) == pytest.approx(
        26711 / 60
    )
    # Pilot C with nothing flowing (exclusive PV without sun): the pilot state is
    # shown as sent, the car is not shown charging.
    assert value(Platform.SENSOR, "charge_state") == "charging"
    assert value(Platform.BINARY_SENSOR, "plugged") == "on"
    assert value(Platform.BINARY_SENSOR, "charging") == "off"
    assert value(Platform.SENSOR, "cp_level") == "248.0"
    assert value(Platform.SENSOR, "contract_power") == "5700.0"
    assert value(Platform.SENSOR, "led_brightness") == "100.0"
    assert value(Platform.SENSOR, "meter_error") == "none"
    assert value(Platform.SENSOR, "firmware_version") == "2.4.6"
    assert value(Platform.NUMBER, "min_car_current") == "6"
    assert value(Platform.NUMBER, "max_car_current") == "32"
    assert value(Platform.BINARY_SENSOR, "problem") == "off"
    assert value(Platform.SELECT, "meter_type") == "shelly"
    installation = state_of(
        hass, entity_id(entity_registry, Platform.SENSOR, "TRY0001", "cp_level")
    )
    assert installation.attributes["unit_of_measurement"] == "V"
    assert installation.attributes["device_class"] == "voltage"
    raw = entity_registry.async_get(
        entity_id(entity_registry, Platform.SENSOR, "TRY0001", "voltage")
    )
    assert raw is not None
    assert raw.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert raw.original_device_class is None
    device = device_registry.async_get_device(identifiers={(DOMAIN, "TRY0001")})
    assert device is not None
    assert (device.model, device.sw_version) == ("Trydan", "2.4.6")
    # Sent upper-case with colons; the registry keeps the normalised form, so
    # other integrations that see the charger (a router's, say) match it.
    assert device.connections == {(dr.CONNECTION_NETWORK_MAC, "28:56:2f:0a:1b:2c")}

    for entry in er.async_entries_for_config_entry(
        entity_registry, mock_config_entry.entry_id
    ):
        if entry.disabled_by is None:
            state = state_of(hass, entry.entity_id)
            assert state.state != STATE_UNAVAILABLE, entry.entity_id


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("0", "timed_power_on"),
        ("1", "timed_power_off"),
        ("2", "exclusive_pv"),
        ("3", "minimum_power"),
        ("4", "grid_pv"),
        ("5", "stop"),
        ("9", STATE_UNKNOWN),
    ],
)
async def test_the_dynamic_power_modes_a_real_trydan_names(
    *,
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
    raw: str,
    shown: str,
) -> None:
    """Each mode shows by its name; one the notes do not name is unknown."""
    _serve_fixtures(v2c_sim)
    v2c_sim.sim.override_field("reported", "dynamic_power_mode", raw)
    await setup_entry(hass, mock_config_entry, freezer)
    sensor = entity_id(
        entity_registry, Platform.SENSOR, "TRY0001", "dynamic_power_mode"
    )
    assert state_of(hass, sensor).state == shown


@pytest.mark.parametrize("sim_setup", [SimSetup(fb_limits=True)])
async def test_plain_car_limits_win_over_the_fb_copies(
    *,
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
) -> None:
    """A shadow that carries both keys is read from the plain one."""
    _serve_fixtures(v2c_sim)
    v2c_sim.sim.override_field("reported", "min_car_int", "10")
    v2c_sim.sim.override_field("reported", "max_car_int", "20")
    await setup_entry(hass, mock_config_entry, freezer)

    def shown(key: str) -> str:
        number = entity_id(entity_registry, Platform.NUMBER, "TRY0001", key)
        return state_of(hass, number).state

    assert (shown("min_car_current"), shown("max_car_current")) == ("10", "20")


@pytest.mark.usefixtures("all_enabled")
@pytest.mark.parametrize("sim_setup", [SimSetup(fb_limits=True)])
async def test_one_broken_field_spoils_only_its_entities(
    *,
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Each field of the real bodies broken in seven ways, read by the usual polling.

    A live field and a shadow field break together: they feed disjoint entities.
    """
    caplog.set_level(logging.DEBUG)
    _serve_fixtures(v2c_sim)
    await setup_entry(hass, mock_config_entry, freezer)
    baseline = _charger_states(hass, entity_registry, mock_config_entry)
    assert STATE_UNKNOWN not in {
        baseline[key] for key in ("sensor.cp_level", "sensor.grid_power")
    }
    live_fields = list(wire_fixture(LIVE))
    shadow_fields = list(wire_fixture(SHADOW))
    steps = max(len(live_fields), len(shadow_fields))

    for step, value in _steps(steps):
        live = live_fields[step % len(live_fields)]
        shadow = shadow_fields[step] if step < len(shadow_fields) else None
        _serve_fixtures(v2c_sim)
        v2c_sim.sim.override_field("currentstatecharge", live, value)
        if shadow is not None:
            v2c_sim.sim.override_field("reported", shadow, value)
        reads = reported_reads(v2c_sim)
        await _until_the_next_settings_read(hass, freezer)
        assert reported_reads(v2c_sim) == reads + 1, (live, shadow)

        states = _charger_states(hass, entity_registry, mock_config_entry)
        owned = LIVE_ENTITIES[live] | SHADOW_ENTITIES.get(shadow or "", set())
        changed = {key for key in states if states[key] != baseline[key]}
        assert changed <= owned, (live, shadow, repr(value)[:20], changed - owned)
        assert all(len(state) <= 255 for state in states.values())
        assert STATE_UNAVAILABLE not in states.values()
        if value in NONSENSE:
            for key in owned - TEXT_ENTITIES:
                if key in states:
                    assert states[key] == STATE_UNKNOWN, (key, repr(value)[:20])

    _serve_fixtures(v2c_sim)
    await _until_the_next_settings_read(hass, freezer)
    assert _charger_states(hass, entity_registry, mock_config_entry) == baseline
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def _until_the_next_settings_read(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Move past the periodic settings read and let it run."""
    freezer.tick(timedelta(seconds=REPORTED_REFRESH_S + 60))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


def _steps(count: int) -> Iterator[tuple[int, Json]]:
    for value in MUTATIONS:
        for step in range(count):
            yield step, value


@pytest.mark.usefixtures("all_enabled")
@pytest.mark.parametrize(
    "sim_setup",
    [SimSetup(models=("pole",), device_ids=("POLE0001",), tags=("Driveway",))],
)
async def test_pole_has_no_solar_or_meter_entities(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A Pole has neither PV nor an energy meter."""
    await setup_entry(hass, mock_config_entry, freezer)

    keys = {
        f"{entry.domain}.{entry.unique_id.removeprefix('POLE0001_')}"
        for entry in er.async_entries_for_config_entry(
            entity_registry, mock_config_entry.entry_id
        )
    }
    assert "sensor.charging_power" in keys
    assert not keys & {
        "sensor.solar_power",
        "sensor.grid_power",
        "binary_sensor.solar_active",
        "select.pv_mode",
        "select.meter_type",
        "sensor.meter_error",
    }
    device = device_registry.async_get_device(identifiers={(DOMAIN, "POLE0001")})
    assert device is not None
    assert device.model == "Pole"


@pytest.mark.parametrize("sim_setup", [SimSetup(wire=Wire.DOCUMENT)])
async def test_document_shape_still_sets_up(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
) -> None:
    """A Trydan answering as the API document shows still reads correctly."""
    await setup_entry(hass, mock_config_entry, freezer)

    def value(platform: Platform, key: str) -> str:
        return state_of(
            hass, entity_id(entity_registry, platform, "TRY0001", key)
        ).state

    assert value(Platform.SENSOR, "cp_level") == "248.0"
    assert value(Platform.SENSOR, "contract_power") == "5700.0"
    assert value(Platform.NUMBER, "max_car_current") == "32"
    assert value(Platform.SENSOR, "charge_state") == "no_vehicle"


@pytest.mark.parametrize(
    "value", MUTATIONS, ids=["", "x", "null", "-5", "1e306", "10k", "10e400"]
)
@pytest.mark.parametrize("sim_setup", [SimSetup(fb_limits=True)])
async def test_setup_succeeds_with_every_field_broken(
    *,
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
    caplog: pytest.LogCaptureFixture,
    value: Json,
) -> None:
    """Setup still succeeds and creates the charger's entities, as unknown."""
    for key in wire_fixture(LIVE):
        v2c_sim.sim.override_field("currentstatecharge", key, value)
    for key in wire_fixture(SHADOW):
        v2c_sim.sim.override_field("reported", key, value)

    await setup_entry(hass, mock_config_entry, freezer)

    assert mock_config_entry.state is ConfigEntryState.LOADED
    for platform, key in (
        (Platform.SENSOR, "cp_level"),
        (Platform.SENSOR, "grid_power"),
        (Platform.SENSOR, "contract_power"),
        (Platform.SENSOR, "charge_state"),
        (Platform.NUMBER, "max_car_current"),
        (Platform.SELECT, "meter_type"),
        (Platform.SWITCH, "charging"),
    ):
        state = state_of(hass, entity_id(entity_registry, platform, "TRY0001", key))
        assert state.state != STATE_UNAVAILABLE
        if value in NONSENSE:
            assert state.state == STATE_UNKNOWN, key
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_wifi_info_malformed_at_setup_keeps_its_entities(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
) -> None:
    """Unknown first, the network and address show once a settings read parses them."""
    _serve_fixtures(v2c_sim)
    v2c_sim.sim.override_field("reported", "wifi_info", '{"ssid": "Home", "ip": ')
    await setup_entry(hass, mock_config_entry, freezer)
    ip_entity = entity_registry.async_get_entity_id(
        Platform.SENSOR, DOMAIN, "TRY0001_ip_address"
    )
    assert ip_entity is not None
    assert state_of(hass, ip_entity).state == STATE_UNKNOWN

    v2c_sim.sim.override_field(
        "reported", "wifi_info", '{"ssid": "Home", "ip": "192.168.1.77"}'
    )
    await _until_the_next_settings_read(hass, freezer)
    assert state_of(hass, ip_entity).state == "192.168.1.77"
