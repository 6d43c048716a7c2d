"""Tests of taking over config entries: ours of version 1 and the other integration's."""

from __future__ import annotations

from collections.abc import Generator
import hashlib
import logging
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_API_KEY, STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.v2c_cloud.const import CONF_BASE_URL, CONF_QUOTA_SHARE, DOMAIN
from custom_components.v2c_cloud.migration import (
    LEGACY_ENTITIES,
    parse_legacy_unique_id,
)
from tests.sim_fixtures import SimHandle

from .read_helpers import add_router_tracking, number_of, run_for, setup_entry, state_of

# Their entities that mean the same as ours, by (domain, unique-id suffix).
MAPPED = (
    ("sensor", "charge_power"),
    ("sensor", "house_power"),
    ("sensor", "fv_power"),
    ("sensor", "battery_power"),
    ("sensor", "charge_energy"),
    ("sensor", "charge_time"),
    ("sensor", "charge_state"),
    ("sensor", "firmware_version"),
    ("sensor", "grid_voltage"),
    ("sensor", "wifi_ssid"),
    ("number", "intensity_number"),
    ("number", "min_intensity_number"),
    ("number", "max_intensity_number"),
    ("switch", "logo_led"),
    ("switch", "dynamic"),
    ("switch", "rfid_reader"),
    ("switch", "ocpp_enabled"),
    ("button", "reboot"),
    ("button", "trigger_update"),
    ("binary_sensor", "connected_status"),
)
UNMAPPED = (
    ("switch", "charging_pause"),
    ("switch", "locked"),
    ("switch", "timer"),
    ("sensor", "slave_error"),
    ("select", "dynamic_power_mode"),
    ("number", "contracted_power_number"),
)


def their_entity_id(domain: str, suffix: str) -> str:
    """Return the entity id their entity got on a charger named Garage."""
    return f"{domain}.garage_{suffix}"


@pytest.fixture
def cloud_at_simulator(v2c_sim: SimHandle) -> Generator[None]:
    """Point the default cloud address at the simulator: their entries store none."""
    with patch("custom_components.v2c_cloud.DEFAULT_BASE_URL", v2c_sim.base_url):
        yield


def their_entry(hass: HomeAssistant, v2c_sim: SimHandle) -> MockConfigEntry:
    """Register an entry, device and entities as the other integration leaves them."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        version=2,
        title="V2C Cloud",
        unique_id=hashlib.sha256(v2c_sim.api_key.encode()).hexdigest(),
        data={
            CONF_API_KEY: v2c_sim.api_key,
            "cached_pairings": [{"deviceId": v2c_sim.device_id, "ip": "192.168.1.50"}],
            "cloud_only": False,
        },
        options={"local_update_interval": 30},
    )
    entry.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, v2c_sim.device_id)},
        name="Garage",
        manufacturer="V2C",
        entry_type=dr.DeviceEntryType.SERVICE,
    )
    registry = er.async_get(hass)
    for domain, suffix in (*MAPPED, *UNMAPPED):
        registry.async_get_or_create(
            domain,
            DOMAIN,
            f"v2c_{v2c_sim.device_id}_{suffix}",
            config_entry=entry,
            device_id=device.id,
            suggested_object_id=f"garage_{suffix}",
            has_entity_name=True,
            translation_key=suffix,
        )
    registry.async_update_entity(
        their_entity_id("sensor", "charge_power"), name="Car charger power"
    )
    return entry


@pytest.mark.usefixtures("cloud_at_simulator")
async def test_their_entry_becomes_ours(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Their entry loads with its key; same-meaning entities keep id, name and values."""
    caplog.set_level(logging.DEBUG)
    entry = their_entry(hass, v2c_sim)
    v2c_sim.charger.plug_in()
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await run_for(hass, freezer, 5)

    assert entry.state is ConfigEntryState.LOADED
    assert entry.version == 3
    assert dict(entry.data) == {CONF_API_KEY: v2c_sim.api_key}
    assert dict(entry.options) == {}
    assert entry.unique_id == v2c_sim.device_id
    device = dr.async_get(hass).async_get_device({(DOMAIN, v2c_sim.device_id)})
    assert device is not None
    assert device.name == "Garage"
    assert device.entry_type is None

    registry = er.async_get(hass)
    for domain, suffix in MAPPED:
        entity_id = their_entity_id(domain, suffix)
        counterpart = LEGACY_ENTITIES[suffix]
        assert counterpart is not None
        entity = registry.async_get(entity_id)
        assert entity is not None, entity_id
        assert entity.unique_id == f"{v2c_sim.device_id}_{counterpart.key}"
        assert state_of(hass, entity_id).state != STATE_UNAVAILABLE, entity_id

    charger = v2c_sim.charger.state
    power = state_of(hass, "sensor.garage_charge_power")
    assert power.attributes["friendly_name"] == "Car charger power"
    assert float(power.state) > 1000
    assert number_of(hass, "sensor.garage_charge_energy") > 0
    assert state_of(hass, "sensor.garage_charge_state").state == "charging"
    assert state_of(hass, "sensor.garage_firmware_version").state == charger.version
    assert state_of(hass, "sensor.garage_wifi_ssid").state == charger.wifi_ssid
    assert number_of(hass, "sensor.garage_grid_voltage") == 248
    assert number_of(hass, "number.garage_intensity_number") == charger.intensity
    assert number_of(hass, "number.garage_min_intensity_number") == 6
    assert number_of(hass, "number.garage_max_intensity_number") == 32
    assert state_of(hass, "switch.garage_logo_led").state == STATE_ON
    assert state_of(hass, "switch.garage_ocpp_enabled").state == STATE_OFF
    assert state_of(hass, "binary_sensor.garage_connected_status").state == STATE_ON

    for domain, suffix in UNMAPPED:
        entity_id = their_entity_id(domain, suffix)
        assert registry.async_get(entity_id) is None, entity_id
        assert hass.states.get(entity_id) is None, entity_id
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"replaced_entities_{entry.entry_id}"
    )
    assert issue is not None
    assert issue.is_fixable
    assert issue.translation_placeholders is not None
    listed = issue.translation_placeholders["entities"].splitlines()
    assert len(listed) == len(UNMAPPED)

    def ours(domain: str, key: str) -> str:
        entity_id = registry.async_get_entity_id(
            domain, DOMAIN, f"{v2c_sim.device_id}_{key}"
        )
        assert entity_id is not None
        return entity_id

    assert (
        f"- `switch.garage_charging_pause` → `{ours('switch', 'charging')}`" in listed
    )
    assert f"- `switch.garage_locked` → `{ours('lock', 'locked')}`" in listed
    assert "- `switch.garage_timer` → —" in listed
    assert "- `sensor.garage_slave_error` → —" in listed
    assert (
        f"- `number.garage_contracted_power_number` → "
        f"`{ours('sensor', 'contract_power')}`" in listed
    )
    assert state_of(hass, ours("switch", "charging")).state == STATE_ON
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert not [
        record
        for record in caplog.records
        if record.name.startswith("custom_components.v2c_cloud")
        and record.levelno >= logging.WARNING
    ]


@pytest.mark.usefixtures("cloud_at_simulator")
async def test_second_start_changes_nothing(
    hass: HomeAssistant, v2c_sim: SimHandle
) -> None:
    """After the takeover a reload neither migrates nor reports again."""
    entry = their_entry(hass, v2c_sim)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    issues = ir.async_get(hass)
    issue_id = f"replaced_entities_{entry.entry_id}"
    ir.async_delete_issue(hass, DOMAIN, issue_id)
    ids = {e.entity_id: e.unique_id for e in er.async_get(hass).entities.values()}

    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    assert {
        e.entity_id: e.unique_id for e in er.async_get(hass).entities.values()
    } == ids


@pytest.mark.usefixtures("cloud_at_simulator")
async def test_repair_issue_closes(hass: HomeAssistant, v2c_sim: SimHandle) -> None:
    """The user confirms the list once automations are updated, and it goes."""
    assert await async_setup_component(hass, "repairs", {})
    entry = their_entry(hass, v2c_sim)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    issue_id = f"replaced_entities_{entry.entry_id}"
    manager = repairs_flow_manager(hass)
    assert manager is not None

    result = await manager.async_init(DOMAIN, data={"issue_id": issue_id})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "confirm"
    assert (
        "switch.garage_charging_pause" in result["description_placeholders"]["entities"]
    )
    result = await manager.async_configure(result["flow_id"], {})

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


@pytest.mark.usefixtures("cloud_at_simulator")
async def test_our_entity_already_there(
    hass: HomeAssistant, v2c_sim: SimHandle
) -> None:
    """Taken unique ids and suffixes we do not know: removed and listed, never guessed."""
    entry = their_entry(hass, v2c_sim)
    registry = er.async_get(hass)
    registry.async_get_or_create(
        "sensor",
        DOMAIN,
        f"{v2c_sim.device_id}_charging_power",
        config_entry=entry,
        suggested_object_id="garage_charging_power",
    )
    registry.async_get_or_create(
        "sensor",
        DOMAIN,
        "v2c_something_new",
        config_entry=entry,
        suggested_object_id="garage_something_new",
    )
    registry.async_get_or_create(
        "button",
        DOMAIN,
        f"v2c_{v2c_sim.device_id}_phase_reboot",
        config_entry=entry,
        suggested_object_id="garage_phase_reboot",
    )
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert registry.async_get("sensor.garage_charge_power") is None
    assert registry.async_get("sensor.garage_something_new") is None
    assert float(state_of(hass, "sensor.garage_charging_power").state) == 0
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"replaced_entities_{entry.entry_id}"
    )
    assert issue is not None
    assert issue.translation_placeholders is not None
    listed = issue.translation_placeholders["entities"].splitlines()
    assert "- `sensor.garage_charge_power` → `sensor.garage_charging_power`" in listed
    assert "- `sensor.garage_something_new` → —" in listed
    assert "- `button.garage_phase_reboot` → —" in listed
    assert (
        registry.async_get_entity_id("button", DOMAIN, "TRY0001_phase_reboot") is None
    )


@pytest.mark.usefixtures("cloud_at_simulator")
async def test_a_charger_whose_mac_a_router_tracks_still_loads_after_migration(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Their device has no MAC, a router's device has the charger's: the entry loads.

    A user replacing the other integration may also run a router integration
    tracking the charger's Wi-Fi client (UniFi, Fritz!Box), whose device has
    the charger's MAC. The MAC stays with that device, which is said once; the
    charger's device still follows what the settings say, a new firmware
    included, and the MAC is not offered to the registry again at each read.
    """
    entry = their_entry(hass, v2c_sim)
    router = add_router_tracking(hass, v2c_sim.charger.state.mac)

    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED, (entry.state, entry.reason)
    registry = dr.async_get(hass)
    device = registry.async_get_device({(DOMAIN, v2c_sim.device_id)})
    assert device is not None
    assert device.id != router.id
    assert device.connections == set()
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    updates = async_capture_events(hass, dr.EVENT_DEVICE_REGISTRY_UPDATED)
    await hass.services.async_call(
        DOMAIN, "update_firmware", {"device_id": device.id}, blocking=True
    )
    # The settings, firmware included, are read every 6 hours.
    await run_for(hass, freezer, 7 * 60)

    device = registry.async_get(device.id)
    assert device is not None
    assert device.sw_version == v2c_sim.charger.state.version
    assert device.connections == set()
    assert [event.data["device_id"] for event in updates] == [device.id]
    router_device = registry.async_get(router.id)
    assert router_device is not None
    assert router_device.connections == router.connections
    assert router_device.identifiers == set()
    left_off = [
        record for record in caplog.records if "MAC address" in record.getMessage()
    ]
    assert [record.levelno for record in left_off] == [logging.INFO]
    message = left_off[0].getMessage()
    assert v2c_sim.device_id not in message
    assert v2c_sim.charger.state.mac.lower() not in message.lower()
    assert "Collision" not in caplog.text


async def test_our_version_1_entry(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Our own version-1 entry keeps data, options and unique id, and loads."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        version=1,
        title="V2C Cloud",
        unique_id=v2c_sim.device_id,
        data={CONF_API_KEY: v2c_sim.api_key, CONF_BASE_URL: v2c_sim.base_url},
        options={CONF_QUOTA_SHARE: 80},
    )
    await setup_entry(hass, entry)

    assert entry.state is ConfigEntryState.LOADED
    assert entry.version == 3
    assert dict(entry.data) == {
        CONF_API_KEY: v2c_sim.api_key,
        CONF_BASE_URL: v2c_sim.base_url,
    }
    assert dict(entry.options) == {CONF_QUOTA_SHARE: 80}
    assert entry.unique_id == v2c_sim.device_id
    assert not ir.async_get(hass).issues
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


@pytest.mark.usefixtures("v2c_sim")
async def test_future_version_is_refused(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """An entry from a newer version is left alone, with one clear log line."""
    entry = MockConfigEntry(
        domain=DOMAIN, version=4, data={CONF_API_KEY: "kept"}, options={"x": 1}
    )
    await setup_entry(hass, entry)

    assert entry.state is ConfigEntryState.MIGRATION_ERROR
    assert entry.version == 4
    assert dict(entry.data) == {CONF_API_KEY: "kept"}
    assert dict(entry.options) == {"x": 1}
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "newer version" in errors[0].getMessage()
    assert errors[0].exc_info is None


@pytest.mark.usefixtures("v2c_sim")
async def test_entry_without_key_is_refused(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """An old entry with no API key cannot become ours; it is kept for the user."""
    entry = MockConfigEntry(domain=DOMAIN, version=2, data={"cloud_only": True})
    await setup_entry(hass, entry)

    assert entry.state is ConfigEntryState.MIGRATION_ERROR
    assert entry.version == 2
    assert "no API key" in caplog.text


@pytest.mark.usefixtures("cloud_at_simulator")
async def test_unique_id_of_another_entry_is_not_taken(
    hass: HomeAssistant, v2c_sim: SimHandle
) -> None:
    """A charger another entry already claims leaves the migrated unique id alone."""
    MockConfigEntry(
        domain=DOMAIN, unique_id=v2c_sim.device_id, data={CONF_API_KEY: "other"}
    ).add_to_hass(hass)
    entry = MockConfigEntry(
        domain=DOMAIN,
        version=2,
        unique_id="hash",
        data={CONF_API_KEY: v2c_sim.api_key, "cached_pairings": "garbage"},
    )
    entry.add_to_hass(hass)
    dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, v2c_sim.device_id)}
    )
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.version == 3
    assert entry.unique_id == "hash"
    assert entry.state is ConfigEntryState.LOADED


@pytest.mark.usefixtures("cloud_at_simulator")
async def test_their_entry_without_chargers_known(
    hass: HomeAssistant, v2c_sim: SimHandle
) -> None:
    """With no cached pairing nor device, their unique id is kept as it is."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        version=2,
        unique_id="hash",
        data={CONF_API_KEY: v2c_sim.api_key, "cached_pairings": [{"ip": "1.2.3.4"}]},
    )
    await setup_entry(hass, entry)

    assert entry.unique_id == "hash"
    assert dict(entry.data) == {CONF_API_KEY: v2c_sim.api_key}


@pytest.mark.parametrize(
    ("unique_id", "expected"),
    [
        ("v2c_TRY0001_min_intensity_number", ("TRY0001", "min_intensity_number")),
        ("v2c_TRY0001_intensity_number", ("TRY0001", "intensity_number")),
        ("v2c_TRY0001_connected_status", ("TRY0001", "connected_status")),
        ("v2c_charge_power", (None, "charge_power")),
        ("v2c_TRY0001_new_thing", (None, "TRY0001_new_thing")),
        ("TRY0001_charging_power", (None, None)),
    ],
)
def test_parse_legacy_unique_id(
    unique_id: str, expected: tuple[str | None, str | None]
) -> None:
    """Their suffixes are matched longest first; ours are left alone."""
    assert parse_legacy_unique_id(unique_id) == expected


async def test_newer_minor_version_loads(
    hass: HomeAssistant, v2c_sim: SimHandle
) -> None:
    """A newer minor version of our own entry is compatible and left unchanged."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        version=3,
        minor_version=2,
        unique_id=v2c_sim.device_id,
        data={CONF_API_KEY: v2c_sim.api_key, CONF_BASE_URL: v2c_sim.base_url},
    )
    await setup_entry(hass, entry)

    assert entry.state is ConfigEntryState.LOADED
    assert (entry.version, entry.minor_version) == (3, 2)


@pytest.mark.usefixtures("cloud_at_simulator")
async def test_their_version_1_entry(hass: HomeAssistant, v2c_sim: SimHandle) -> None:
    """Their first schema (pairings snapshot, fallback address, own URL) also loads."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        version=1,
        unique_id="pbkdf2-of-the-key",
        data={
            CONF_API_KEY: v2c_sim.api_key,
            CONF_BASE_URL: "https://example.invalid/their_service",
            "initial_pairings": [{"deviceId": v2c_sim.device_id, "tag": "Garage"}],
            "fallback_ip": "192.168.1.50",
        },
    )
    await setup_entry(hass, entry)

    assert entry.state is ConfigEntryState.LOADED
    assert dict(entry.data) == {CONF_API_KEY: v2c_sim.api_key}
    assert entry.unique_id == v2c_sim.device_id
