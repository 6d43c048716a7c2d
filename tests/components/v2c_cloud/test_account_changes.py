"""Accounts whose chargers change while Home Assistant runs or is stopped."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import (
    SOURCE_USER,
    ConfigEntryDisabler,
    ConfigEntryState,
)
from homeassistant.const import CONF_API_KEY
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud import async_remove_config_entry_device
from custom_components.v2c_cloud.account import ACCOUNT_TICK
from custom_components.v2c_cloud.config_flow import SECTION_ADVANCED
from custom_components.v2c_cloud.const import CONF_BASE_URL, DOMAIN
from custom_components.v2c_cloud.helpers import utcnow
from custom_components.v2c_cloud.repairs import async_report_charger_offline
from tests.components.v2c_cloud.read_helpers import advance, setup_entry
from tests.sim_fixtures import SimHandle, SimSetup

OFFICE_KEY = "key-of-the-office"
CARPORT = "TRY0003"
TWO_CHARGERS = SimSetup(
    models=("trydan", "pole"),
    device_ids=("TRY0001", "POL0001"),
    tags=("Garage", "Drive"),
)


def _devices_of(hass: HomeAssistant, device_id: str) -> list[dr.DeviceEntry]:
    return [
        device
        for device in dr.async_get(hass).devices.values()
        if (DOMAIN, device_id) in device.identifiers
    ]


def _entities_of(hass: HomeAssistant, device_id: str) -> list[er.RegistryEntry]:
    return [
        entity
        for device in _devices_of(hass, device_id)
        for entity in er.async_entries_for_device(er.async_get(hass), device.id)
    ]


async def test_a_charger_moved_to_another_account_while_stopped_keeps_its_entities(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Moved from the garage's account to the office's while Home Assistant was stopped.

    At the start the office, which the new list names it for, runs it; the
    garage's list leaves it out and the garage removes its old device once a
    second list agrees: the office keeps the charger's device and entities,
    and polls it.
    """
    garage = mock_config_entry
    shared = v2c_sim.charger
    v2c_sim.account.add_charger(device_id=CARPORT, tag="Carport")
    office_account = v2c_sim.sim.add_account(OFFICE_KEY)
    office_account.add_charger(device_id="TRY0002", tag="Office")
    office = MockConfigEntry(
        domain=DOMAIN,
        title="V2C Cloud (office)",
        unique_id="TRY0002",
        data={CONF_API_KEY: OFFICE_KEY, CONF_BASE_URL: v2c_sim.base_url},
    )
    await setup_entry(hass, garage)
    await setup_entry(hass, office)
    assert v2c_sim.device_id in garage.runtime_data.chargers

    # Home Assistant stops; the charger moves to the office's account.
    assert await hass.config_entries.async_unload(garage.entry_id)
    assert await hass.config_entries.async_unload(office.entry_id)
    await hass.async_block_till_done()
    v2c_sim.account.remove_charger(v2c_sim.device_id)
    office_account.chargers.append(shared)

    # Home Assistant starts again.
    assert await hass.config_entries.async_setup(garage.entry_id)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_setup(office.entry_id)
    await hass.async_block_till_done()
    for _ in range(4):
        await advance(hass, freezer, ACCOUNT_TICK)

    assert v2c_sim.device_id in office.runtime_data.chargers
    assert _entities_of(hass, v2c_sim.device_id), (
        "the charger the office runs has no entity left"
    )


async def test_a_charger_moved_to_another_account_is_no_key_problem(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The only charger moves to another account: its reads answer 403, the key is fine.

    Minutes of 403s on the charger's reads bring a pairings read forward,
    which the key answers: no key-forbidden repair, no 6-hour hold, and a
    second list half an hour later confirms the charger gone.
    """
    new_home = v2c_sim.sim.add_account("key-of-the-new-home")
    v2c_sim.account.remove_charger(v2c_sim.device_id)
    new_home.chargers.append(v2c_sim.charger)
    v2c_sim.sim.clear_log()
    for _ in range(30):
        await advance(hass, freezer, timedelta(minutes=1))

    issue_id = f"key_forbidden_{init_integration.entry_id}"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None, (
        "a charger's 403s raised the key-forbidden repair"
    )
    assert not init_integration.runtime_data.account.errors.forbidden
    lists = [r for r in v2c_sim.sim.request_log if r.path == "/pairings/me"]
    assert lists, "no pairings read was brought forward"
    assert all(record.status == 200 for record in lists)

    for _ in range(30):
        await advance(hass, freezer, timedelta(minutes=1))
    assert init_integration.runtime_data.chargers == {}
    assert not _devices_of(hass, v2c_sim.device_id)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


@pytest.mark.parametrize("sim_setup", [TWO_CHARGERS])
async def test_a_charger_unpaired_while_stopped_takes_its_offline_issue_along(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Offline for a day, then unpaired while Home Assistant was stopped.

    The issue outlives a restart; once two lists agree the charger is gone,
    it goes with the device, and the store forgets when the charger went
    offline.
    """
    device = _devices_of(hass, v2c_sim.device_id)[0]
    issue_id = f"charger_offline_{device.id}"
    v2c_sim.charger.set_online(False)
    for _ in range(26):
        await advance(hass, freezer, timedelta(hours=1))
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    v2c_sim.account.remove_charger(v2c_sim.device_id)

    assert await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    for _ in range(2):
        await advance(hass, freezer, ACCOUNT_TICK)

    assert not _devices_of(hass, v2c_sim.device_id)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert init_integration.runtime_data.store.offline_since == {}


@pytest.mark.parametrize("sim_setup", [TWO_CHARGERS])
async def test_a_charger_whose_device_the_user_disabled_is_not_polled(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A charger whose device the user disabled costs no call and no planner share.

    None of its entities shows anything: the Garage charger the user still
    sees gets the whole plan.
    """
    registry = dr.async_get(hass)
    [drive] = _devices_of(hass, "POL0001")
    registry.async_update_device(drive.id, disabled_by=dr.DeviceEntryDisabler.USER)
    await hass.async_block_till_done()
    # Home Assistant reloads the entry 30 s after entities are disabled.
    await advance(hass, freezer, timedelta(seconds=31))
    await advance(hass, freezer, timedelta(seconds=31))
    entry = hass.config_entries.async_get_entry(init_integration.entry_id)
    assert not [
        state
        for entity in er.async_entries_for_device(er.async_get(hass), drive.id)
        if (state := hass.states.get(entity.entity_id)) is not None
    ]

    v2c_sim.sim.clear_log()
    for _ in range(6 * 12):
        await advance(hass, freezer, timedelta(minutes=5))

    reads = [
        record
        for record in v2c_sim.sim.request_log
        if record.query.get("deviceId") == "POL0001"
    ]
    assert not reads, f"{len(reads)} calls in 6 hours for a disabled device"
    planner = entry.runtime_data.planner
    assert "POL0001" not in planner.snapshot(utcnow()).chargers


async def test_a_shared_charger_unpaired_from_the_idle_entry_keeps_its_entities(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The office runs the shared charger; the garage's account then unpairs it.

    The garage was disabled for a while and the office took the charger over;
    enabled again, the garage leaves it to the office. When the garage's
    account later unpairs the charger, the garage only leaves the device the
    office's entities share: the office's device and entities stay.
    """
    garage = mock_config_entry
    office_account = v2c_sim.sim.add_account(OFFICE_KEY)
    office_account.add_charger(device_id="TRY0002", tag="Office")
    office_account.chargers.append(v2c_sim.charger)
    office = MockConfigEntry(
        domain=DOMAIN,
        title="V2C Cloud (office)",
        unique_id="TRY0002",
        data={CONF_API_KEY: OFFICE_KEY, CONF_BASE_URL: v2c_sim.base_url},
    )
    v2c_sim.account.add_charger(device_id=CARPORT, tag="Carport")
    await setup_entry(hass, garage)
    await setup_entry(hass, office)
    assert await hass.config_entries.async_set_disabled_by(
        garage.entry_id, ConfigEntryDisabler.USER
    )
    await hass.async_block_till_done()
    await advance(hass, freezer, ACCOUNT_TICK)
    assert await hass.config_entries.async_set_disabled_by(garage.entry_id, None)
    await hass.async_block_till_done()
    assert set(office.runtime_data.chargers) == {"TRY0002", v2c_sim.device_id}
    assert _entities_of(hass, v2c_sim.device_id)

    v2c_sim.account.remove_charger(v2c_sim.device_id)
    for _ in range(16):
        await advance(hass, freezer, ACCOUNT_TICK)

    assert v2c_sim.device_id in office.runtime_data.chargers
    assert _entities_of(hass, v2c_sim.device_id), (
        "the charger the office runs has no entity left"
    )


async def test_a_pairing_whose_id_cannot_be_sent_does_not_keep_the_others_down(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A pairing whose device id the client cannot send ("TRY 0404") is left out.

    As one without a device id is: the Garage charger sets up and runs.
    """
    v2c_sim.account.stale_pairings["TRY 0404"] = "Odd pairing"
    await setup_entry(hass, mock_config_entry)

    assert mock_config_entry.state is ConfigEntryState.LOADED, mock_config_entry.reason
    assert v2c_sim.device_id in mock_config_entry.runtime_data.chargers


async def test_the_account_a_charger_moved_to_can_be_added(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The garage's first charger moves to a new account, which the user then adds.

    The garage entry drops the charger, its device and entities once the
    unpairing is confirmed, runs the carport, and its unique id moves to the
    carport: the new account's key is added and runs the charger.
    """
    garage = mock_config_entry
    v2c_sim.account.add_charger(device_id=CARPORT, tag="Carport")
    await setup_entry(hass, garage)
    new_home = v2c_sim.sim.add_account("key-of-the-new-home")
    v2c_sim.account.remove_charger(v2c_sim.device_id)
    new_home.chargers.append(v2c_sim.charger)
    for _ in range(16):
        await advance(hass, freezer, ACCOUNT_TICK)
    assert set(garage.runtime_data.chargers) == {CARPORT}
    assert not _devices_of(hass, v2c_sim.device_id)

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_API_KEY: "key-of-the-new-home",
            SECTION_ADVANCED: {CONF_BASE_URL: v2c_sim.base_url},
        },
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY, result.get("reason")


@pytest.mark.parametrize("sim_setup", [TWO_CHARGERS])
async def test_a_device_enabled_again_is_polled_again(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Enabling the device brings its entities back: Home Assistant reloads the entry."""
    registry = dr.async_get(hass)
    [drive] = _devices_of(hass, "POL0001")
    registry.async_update_device(drive.id, disabled_by=dr.DeviceEntryDisabler.USER)
    await hass.async_block_till_done()
    await advance(hass, freezer, timedelta(minutes=5))
    assert "POL0001" not in init_integration.runtime_data.chargers
    # Deleted, the device of a charger still paired would come back enabled.
    disabled = registry.async_get(drive.id)
    assert disabled is not None
    assert not await async_remove_config_entry_device(hass, init_integration, disabled)

    registry.async_update_device(drive.id, disabled_by=None)
    await hass.async_block_till_done()
    v2c_sim.sim.clear_log()
    await advance(hass, freezer, timedelta(seconds=31))
    for _ in range(3):
        await advance(hass, freezer, timedelta(minutes=5))

    entry = hass.config_entries.async_get_entry(init_integration.entry_id)
    assert entry is not None
    assert entry.state is ConfigEntryState.LOADED
    assert "POL0001" in entry.runtime_data.chargers
    assert any(
        record.query.get("deviceId") == "POL0001" for record in v2c_sim.sim.request_log
    )
    assert [
        state
        for entity in er.async_entries_for_device(er.async_get(hass), drive.id)
        if (state := hass.states.get(entity.entity_id)) is not None
    ]
    assert "POL0001" in entry.runtime_data.planner.snapshot(utcnow()).chargers


async def test_a_charger_whose_device_is_disabled_at_a_start_is_held_not_run(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The garage's only charger, shared with the office, has its device disabled.

    The garage loads without reading it (not "no chargers", retried), and
    the office, whose account shares it, does not take it over either.
    """
    garage = mock_config_entry
    office_account = v2c_sim.sim.add_account(OFFICE_KEY)
    office_account.add_charger(device_id="TRY0002", tag="Office")
    office_account.chargers.append(v2c_sim.charger)
    office = MockConfigEntry(
        domain=DOMAIN,
        title="V2C Cloud (office)",
        unique_id="TRY0002",
        data={CONF_API_KEY: OFFICE_KEY, CONF_BASE_URL: v2c_sim.base_url},
    )
    await setup_entry(hass, garage)
    await setup_entry(hass, office)
    [device] = _devices_of(hass, v2c_sim.device_id)
    dr.async_get(hass).async_update_device(
        device.id, disabled_by=dr.DeviceEntryDisabler.USER
    )
    await hass.async_block_till_done()
    assert await hass.config_entries.async_reload(garage.entry_id)
    await hass.async_block_till_done()

    v2c_sim.sim.clear_log()
    for _ in range(4):
        await advance(hass, freezer, ACCOUNT_TICK)

    assert garage.state is ConfigEntryState.LOADED
    assert not garage.runtime_data.chargers
    assert v2c_sim.device_id not in office.runtime_data.chargers
    assert not [
        record
        for record in v2c_sim.sim.request_log
        if record.query.get("deviceId") == v2c_sim.device_id
    ]


async def test_removing_an_entry_keeps_the_issue_of_a_charger_another_runs(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The office runs the shared charger, offline for a day; the garage is deleted."""
    garage = mock_config_entry
    office_account = v2c_sim.sim.add_account(OFFICE_KEY)
    office_account.add_charger(device_id="TRY0002", tag="Office")
    office_account.chargers.append(v2c_sim.charger)
    office = MockConfigEntry(
        domain=DOMAIN,
        title="V2C Cloud (office)",
        unique_id="TRY0002",
        data={CONF_API_KEY: OFFICE_KEY, CONF_BASE_URL: v2c_sim.base_url},
    )
    await setup_entry(hass, garage)
    await setup_entry(hass, office)
    assert await hass.config_entries.async_set_disabled_by(
        garage.entry_id, ConfigEntryDisabler.USER
    )
    await hass.async_block_till_done()
    await advance(hass, freezer, ACCOUNT_TICK)
    assert await hass.config_entries.async_set_disabled_by(garage.entry_id, None)
    await hass.async_block_till_done()
    assert v2c_sim.device_id in office.runtime_data.chargers
    [device] = _devices_of(hass, v2c_sim.device_id)
    async_report_charger_offline(
        hass, office.entry_id, v2c_sim.device_id, "Garage", utcnow()
    )
    issue_id = f"charger_offline_{device.id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None

    assert await hass.config_entries.async_remove(garage.entry_id)
    await hass.async_block_till_done()

    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    assert _entities_of(hass, v2c_sim.device_id)


async def test_a_shared_device_costs_no_early_pairings_read_at_a_start(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The garage starts again while the office runs the charger their devices share.

    A charger the office runs is no charger of the garage's gone missing: no
    second pairings read is brought forward to confirm anything.
    """
    garage = mock_config_entry
    office_account = v2c_sim.sim.add_account(OFFICE_KEY)
    office_account.add_charger(device_id="TRY0002", tag="Office")
    office_account.chargers.append(v2c_sim.charger)
    office = MockConfigEntry(
        domain=DOMAIN,
        title="V2C Cloud (office)",
        unique_id="TRY0002",
        data={CONF_API_KEY: OFFICE_KEY, CONF_BASE_URL: v2c_sim.base_url},
    )
    v2c_sim.account.add_charger(device_id=CARPORT, tag="Carport")
    await setup_entry(hass, garage)
    await setup_entry(hass, office)
    assert await hass.config_entries.async_set_disabled_by(
        garage.entry_id, ConfigEntryDisabler.USER
    )
    await hass.async_block_till_done()
    await advance(hass, freezer, ACCOUNT_TICK)
    v2c_sim.sim.clear_log()
    assert await hass.config_entries.async_set_disabled_by(garage.entry_id, None)
    await hass.async_block_till_done()
    for _ in range(2):
        await advance(hass, freezer, ACCOUNT_TICK)

    pairings = [
        record
        for record in v2c_sim.sim.log_for(v2c_sim.api_key)
        if record.path == "/pairings/me"
    ]
    assert len(pairings) == 1, "the setup's read only"


async def test_an_entry_left_without_chargers_gives_up_its_unique_id(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The garage's only charger moves to a new account; the garage keeps running.

    Its unique id names no charger it has: kept, it would keep the new
    account from being added. Given a charger again, it takes its id.
    """
    garage = mock_config_entry
    await setup_entry(hass, garage)
    assert garage.unique_id == v2c_sim.device_id
    new_home = v2c_sim.sim.add_account("key-of-the-new-home")
    v2c_sim.account.remove_charger(v2c_sim.device_id)
    new_home.chargers.append(v2c_sim.charger)
    for _ in range(16):
        await advance(hass, freezer, ACCOUNT_TICK)
    assert garage.state is ConfigEntryState.LOADED
    assert not garage.runtime_data.chargers
    assert garage.unique_id is None

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_API_KEY: "key-of-the-new-home",
            SECTION_ADVANCED: {CONF_BASE_URL: v2c_sim.base_url},
        },
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == v2c_sim.device_id

    v2c_sim.account.add_charger(device_id=CARPORT, tag="Carport")
    for _ in range(16):
        await advance(hass, freezer, ACCOUNT_TICK)
    assert set(garage.runtime_data.chargers) == {CARPORT}
    assert garage.unique_id == CARPORT
