"""Tests of the entry's devices: kept on reload, added and removed with the pairings."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import date, datetime, timedelta
from itertools import pairwise
import logging
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
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
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.v2c_cloud import async_remove_config_entry_device
from custom_components.v2c_cloud.account import ACCOUNT_TICK
from custom_components.v2c_cloud.api import CurrentState, V2CClient, V2CResponseError
from custom_components.v2c_cloud.budget import CallKind
from custom_components.v2c_cloud.const import DOMAIN
from custom_components.v2c_cloud.coordinator import V2CChargerCoordinator
from custom_components.v2c_cloud.helpers import utcnow
from custom_components.v2c_cloud.repairs import async_report_charger_offline
from tests.components.v2c_cloud.read_helpers import (
    add_account_entry,
    add_router_tracking,
    run_for,
    set_up_office_account,
    setup_entry,
    state_of,
)
from tests.diagnostics_helpers import device_diagnostics
from tests.sim_fixtures import SimHandle, SimSetup
from v2c_simulator import FaultKind
from v2c_simulator.charger import Charger

PAIRINGS_PATH = "/pairings/me"
STATE_PATH = "/thirdparty/device/currentstatecharge"
TWO_CHARGERS = SimSetup(
    models=("trydan", "pole"),
    device_ids=("TRY0001", "POL0001"),
    tags=("Garage", "Drive"),
)


def _registry_ids(
    hass: HomeAssistant, entry: MockConfigEntry
) -> tuple[set[str], set[str]]:
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    return {device.id for device in devices}, {entity.id for entity in entities}


def _device_entities(hass: HomeAssistant, device_id: str) -> list[er.RegistryEntry]:
    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, device_id)})
    if device is None:
        return []
    return er.async_entries_for_device(er.async_get(hass), device.id)


async def _account_tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Move on by one tick of the account's coordinator and run what fell due."""
    freezer.tick(ACCOUNT_TICK)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def _until_pairings_refresh(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    v2c_sim: SimHandle,
    *,
    failing_reads: bool = False,
) -> None:
    """Let time pass in 30-minute ticks until the pairings are read again."""
    v2c_sim.sim.clear_log()
    for _ in range(16):
        freezer.tick(timedelta(minutes=30))
        if failing_reads:
            # Fails the reads of this tick only: the rule lapses before the next.
            v2c_sim.sim.faults.set(FaultKind.HTTP_503, route=STATE_PATH, duration_s=60)
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
        if any(r.path == PAIRINGS_PATH for r in v2c_sim.sim.request_log):
            return
    pytest.fail("the pairings were not read again within 8 hours")


async def test_reload_keeps_every_device_and_entity(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A reload neither removes the account's device nor any registry entry."""
    before = _registry_ids(hass, init_integration)
    account = dr.async_get(hass).async_get_device(
        identifiers={(DOMAIN, init_integration.entry_id)}
    )
    assert account is not None

    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()

    assert _registry_ids(hass, init_integration) == before
    assert all(
        hass.states.get(entity.entity_id) is not None
        for entity in er.async_entries_for_device(er.async_get(hass), account.id)
    )


async def test_paired_charger_is_added_without_reload(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A charger paired later gets its device and entities for its own two reads."""
    runtime = init_integration.runtime_data
    first = runtime.chargers[v2c_sim.device_id]
    v2c_sim.account.add_charger("pole", device_id="POL0002", tag="Drive")

    await _until_pairings_refresh(hass, freezer, v2c_sim)

    assert init_integration.runtime_data is runtime
    assert runtime.chargers[v2c_sim.device_id] is first
    assert "POL0002" in runtime.chargers
    new_reads = [
        r.path for r in v2c_sim.sim.request_log if r.query.get("deviceId") == "POL0002"
    ]
    assert len(new_reads) == 2
    assert [r.path for r in v2c_sim.sim.request_log].count(PAIRINGS_PATH) == 1
    entities = _device_entities(hass, "POL0002")
    assert entities
    assert all(hass.states.get(entity.entity_id) is not None for entity in entities)
    charging = hass.states.get("binary_sensor.drive_vehicle_charging")
    assert charging is not None
    assert charging.state == "off"


@pytest.mark.parametrize("sim_setup", [TWO_CHARGERS])
async def test_unpaired_charger_is_removed_without_reload(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An unpaired charger's device, entities and polling go within the hour.

    The cloud refusing the charger's own reads, then the account's list without
    it, agree: no need to wait for the 6-hourly pairings check. Its last
    reading and its history import's time zone and day asked up to are no
    longer saved: paired again, it starts afresh.
    """
    runtime = init_integration.runtime_data
    runtime.store.history_zones.update(TRY0001="Europe/Madrid", POL0001="UTC")
    runtime.store.history_asked.update(
        TRY0001=date(2026, 3, 1), POL0001=date(2026, 3, 1)
    )
    gone = _device_entities(hass, "POL0001")
    kept = _device_entities(hass, "TRY0001")
    assert gone
    v2c_sim.account.remove_charger("POL0001")

    started = utcnow()
    await _until_pairings_refresh(hass, freezer, v2c_sim)
    # Half-hour steps: the refused read in the first, the account's in the next.
    assert utcnow() - started <= timedelta(hours=1)
    # Waiting for the 6-hourly check cost about 80 refused reads.
    refused = [
        r for r in v2c_sim.sim.request_log if r.query.get("deviceId") == "POL0001"
    ]
    assert 1 <= len(refused) <= 10

    assert init_integration.runtime_data is runtime
    assert set(runtime.chargers) == {"TRY0001"}
    assert (
        dr.async_get(hass).async_get_device(identifiers={(DOMAIN, "POL0001")}) is None
    )
    assert all(hass.states.get(entity.entity_id) is None for entity in gone)
    assert _device_entities(hass, "TRY0001") == kept
    assert "POL0001" not in runtime.planner.snapshot(utcnow()).chargers

    v2c_sim.sim.clear_log()
    for _ in range(8):
        freezer.tick(timedelta(hours=1))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    assert not [
        r for r in v2c_sim.sim.request_log if r.query.get("deviceId") == "POL0001"
    ]
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    saved = hass_storage[f"{DOMAIN}.{init_integration.entry_id}"]["data"]
    assert set(saved["sessions"]) == {"TRY0001"}
    assert saved["history_zones"] == {"TRY0001": "Europe/Madrid"}
    assert saved["history_asked"] == {"TRY0001": "2026-03-01"}


@pytest.mark.parametrize("sim_setup", [TWO_CHARGERS])
async def test_account_action_without_any_charger_left(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Every charger unpaired: the key still reads its account's totals, one call."""
    v2c_sim.account.remove_charger("POL0001")
    v2c_sim.account.remove_charger("TRY0001")
    # The pairings are due again after 6 hours; a second read confirms.
    for wait in (timedelta(hours=7), timedelta(minutes=30)):
        freezer.tick(wait)
        await init_integration.runtime_data.account.async_refresh()
        await hass.async_block_till_done()
    assert init_integration.runtime_data.chargers == {}
    v2c_sim.sim.clear_log()

    totals = await hass.services.async_call(
        DOMAIN,
        "get_account_statistics",
        {"config_entry_id": init_integration.entry_id},
        blocking=True,
        return_response=True,
    )

    assert totals == {"total_energy_kwh": 0.0, "total_charges": 0}
    assert [record.path for record in v2c_sim.sim.request_log] == [
        "/stadistic/global/me"
    ]


async def test_planner_forgets_chargers_no_longer_paired(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A charger the stored planner still remembers stops taking a share of the quota."""
    planner = init_integration.runtime_data.planner
    planner.record_call(CallKind.POLL, utcnow(), "GONE999")
    assert "GONE999" in planner.snapshot(utcnow()).chargers

    await _account_tick(hass, freezer)

    assert set(planner.snapshot(utcnow()).chargers) == {v2c_sim.device_id}


async def test_a_failed_first_read_is_retried_at_the_next_check(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A new charger whose first read fails is added at a later pairings check."""
    v2c_sim.account.add_charger("pole", device_id="POL0002", tag="Drive")

    await _until_pairings_refresh(hass, freezer, v2c_sim, failing_reads=True)
    assert "POL0002" not in init_integration.runtime_data.chargers
    assert not _device_entities(hass, "POL0002")

    await _account_tick(hass, freezer)
    assert "POL0002" in init_integration.runtime_data.chargers
    assert _device_entities(hass, "POL0002")


async def test_a_pairing_left_behind_does_not_keep_the_others_down(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A listed charger the cloud cannot read (404) is tried with each list, not each tick."""
    v2c_sim.account.stale_pairings["TRY0404"] = "Old charger"
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert set(mock_config_entry.runtime_data.chargers) == {v2c_sim.device_id}
    assert not _device_entities(hass, "TRY0404")

    v2c_sim.sim.clear_log()
    for _ in range(24):
        await _account_tick(hass, freezer)
    log = v2c_sim.sim.request_log
    lists = sum(record.path == PAIRINGS_PATH for record in log)
    tries = sum(record.query.get("deviceId") == "TRY0404" for record in log)
    # Half a day: the list is read early once after the refusal, then every 6 hours.
    assert lists <= 3
    assert tries <= lists

    del v2c_sim.account.stale_pairings["TRY0404"]
    v2c_sim.account.add_charger(device_id="TRY0404", tag="Old charger")
    await _until_pairings_refresh(hass, freezer, v2c_sim)
    assert "TRY0404" in mock_config_entry.runtime_data.chargers
    assert _device_entities(hass, "TRY0404")


@pytest.mark.parametrize("sim_setup", [SimSetup(models=())])
async def test_an_account_of_only_refused_chargers_says_why(
    hass: HomeAssistant, v2c_sim: SimHandle
) -> None:
    """With no charger read, setup retries with the cloud's answer, not 'no chargers'."""
    v2c_sim.account.stale_pairings["TRY0404"] = "Old charger"
    entry = await add_account_entry(hass, v2c_sim, "TRY0404", v2c_sim.api_key)

    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.reason is not None
    assert "HTTP 404" in entry.reason


async def test_a_charger_renamed_in_v2c_cloud_renames_its_device(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The new tag names the device at the next list read; a user's own name still wins."""
    registry = dr.async_get(hass)
    device = registry.async_get_device(identifiers={(DOMAIN, v2c_sim.device_id)})
    assert device is not None
    assert device.name == "Garage"
    v2c_sim.charger.state.tag = "Carport"

    await _until_pairings_refresh(hass, freezer, v2c_sim)

    device = registry.async_get_device(identifiers={(DOMAIN, v2c_sim.device_id)})
    assert device is not None
    assert device.name == "Carport"
    coordinator = init_integration.runtime_data.chargers[v2c_sim.device_id]
    assert coordinator.pairing.tag == "Carport"

    registry.async_update_device(device.id, name_by_user="My charger")
    v2c_sim.charger.state.tag = "Garage"
    await _until_pairings_refresh(hass, freezer, v2c_sim)
    device = registry.async_get_device(identifiers={(DOMAIN, v2c_sim.device_id)})
    assert device is not None
    assert (device.name, device.name_by_user) == ("Garage", "My charger")


async def test_a_new_firmware_shows_on_the_device_page(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The firmware installed through the integration reaches the device at the next settings read.

    The device was given the firmware only when its entities were created; the
    registry is written once for the change, not at every read.
    """
    registry = dr.async_get(hass)
    device = registry.async_get_device(identifiers={(DOMAIN, v2c_sim.device_id)})
    assert device is not None
    before = device.sw_version
    updates = async_capture_events(hass, dr.EVENT_DEVICE_REGISTRY_UPDATED)

    await hass.services.async_call(
        DOMAIN, "update_firmware", {"device_id": device.id}, blocking=True
    )
    # The settings, firmware included, are read every 6 hours.
    await run_for(hass, freezer, 7 * 60)

    installed = v2c_sim.charger.state.version
    assert installed != before
    assert state_of(hass, "sensor.garage_firmware_version").state == installed
    device = registry.async_get(device.id)
    assert device is not None
    assert device.sw_version == installed
    assert [event.data for event in updates] == [
        {"action": "update", "device_id": device.id, "changes": {"sw_version": before}}
    ]


async def test_a_mac_read_after_setup_joins_the_device(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Settings without the MAC at setup: the next settings read that has it adds it."""
    v2c_sim.sim.override_field("reported", "mac", "")
    await setup_entry(hass, mock_config_entry)
    registry = dr.async_get(hass)
    device = registry.async_get_device(identifiers={(DOMAIN, v2c_sim.device_id)})
    assert device is not None
    assert device.connections == set()

    v2c_sim.sim.clear_overrides()
    await run_for(hass, freezer, 7 * 60)

    device = registry.async_get(device.id)
    assert device is not None
    mac = dr.format_mac(v2c_sim.charger.state.mac)
    assert device.connections == {(dr.CONNECTION_NETWORK_MAC, mac)}


async def test_a_mac_another_device_has_is_left_to_it(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A router's device already has the charger's MAC: the charger gets a device of its own without it.

    Taking the MAC would have the registry give the charger's identifiers to
    the router's device, or list one MAC on two devices.
    """
    router = add_router_tracking(hass, v2c_sim.charger.state.mac)
    await setup_entry(hass, mock_config_entry)

    assert mock_config_entry.state is ConfigEntryState.LOADED
    registry = dr.async_get(hass)
    device = registry.async_get_device(identifiers={(DOMAIN, v2c_sim.device_id)})
    assert device is not None
    assert device.id != router.id
    assert device.connections == set()
    assert device.sw_version == v2c_sim.charger.state.version
    router_device = registry.async_get(router.id)
    assert router_device is not None
    assert router_device.identifiers == set()
    assert router_device.connections == router.connections
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


async def test_a_charger_shared_with_another_entry_is_left_to_it(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Two accounts list one charger: one entry runs it, the other spends nothing on it."""
    other, office = await set_up_office_account(hass, v2c_sim)
    other.chargers.append(v2c_sim.charger)
    v2c_sim.sim.clear_log()

    for _ in range(16):
        await _account_tick(hass, freezer)
    assert await hass.config_entries.async_reload(office.entry_id)
    await hass.async_block_till_done()

    assert set(office.runtime_data.chargers) == {"TRY0002"}
    assert set(init_integration.runtime_data.chargers) == {v2c_sim.device_id}
    office_reads = [
        record.query.get("deviceId")
        for record in v2c_sim.sim.request_log
        if record.key_hash == other.key_hash
    ]
    assert "TRY0002" in office_reads
    assert v2c_sim.device_id not in office_reads
    assert "does not generate unique IDs" not in caplog.text


async def test_only_unpaired_devices_can_be_deleted(
    hass: HomeAssistant, v2c_sim: SimHandle, init_integration: MockConfigEntry
) -> None:
    """The user may delete a left-over device, never a paired charger or the account."""
    registry = dr.async_get(hass)
    entry_id = init_integration.entry_id
    stale = registry.async_get_or_create(
        config_entry_id=entry_id, identifiers={(DOMAIN, "GONE999")}
    )
    charger = registry.async_get_device(identifiers={(DOMAIN, v2c_sim.device_id)})
    account = registry.async_get_device(identifiers={(DOMAIN, entry_id)})
    assert charger is not None
    assert account is not None

    assert await async_remove_config_entry_device(hass, init_integration, stale)
    assert not await async_remove_config_entry_device(hass, init_integration, charger)
    assert not await async_remove_config_entry_device(hass, init_integration, account)


@pytest.mark.parametrize("sim_setup", [TWO_CHARGERS])
async def test_left_over_devices_can_be_deleted_while_setup_retries(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Unpaired while Home Assistant was down: the chargers' devices stay deletable.

    The entry then retries its setup without any charger, so nothing removes
    them on its own; only the account's device is kept. The offline issue of
    a device deleted goes with it.
    """
    v2c_sim.account.remove_charger("POL0001")
    v2c_sim.account.remove_charger("TRY0001")
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.SETUP_RETRY
    entry_id = init_integration.entry_id
    async_report_charger_offline(hass, entry_id, "TRY0001", "Garage", utcnow())
    garage = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, "TRY0001")})
    assert garage is not None
    issue_id = f"charger_offline_{garage.id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None

    assert await async_setup_component(hass, "config", {})
    websocket = await hass_ws_client(hass)
    registry = dr.async_get(hass)

    async def remove(identifier: str) -> bool:
        device = registry.async_get_device(identifiers={(DOMAIN, identifier)})
        assert device is not None
        await websocket.send_json_auto_id(
            {
                "type": "config/device_registry/remove_config_entry",
                "config_entry_id": init_integration.entry_id,
                "device_id": device.id,
            }
        )
        answer = await websocket.receive_json()
        return bool(answer["success"])

    assert await remove("POL0001")
    assert await remove("TRY0001")
    assert not await remove(init_integration.entry_id)
    assert registry.async_get_device(identifiers={(DOMAIN, "TRY0001")}) is None
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_the_account_device_is_named_in_home_assistants_language(
    hass: HomeAssistant, v2c_sim: SimHandle, mock_config_entry: MockConfigEntry
) -> None:
    """The account's device takes its name from the translations, not English alone.

    One set up in English takes the new language's name at the next start
    (here a reload); its entities keep the ids made from the English name.
    """
    await setup_entry(hass, mock_config_entry)
    devices = dr.async_get(hass)
    account = devices.async_get_device(
        identifiers={(DOMAIN, mock_config_entry.entry_id)}
    )
    assert account is not None
    assert account.name == "V2C Cloud account"
    entities = er.async_get(hass)
    entity_ids = {
        e.entity_id for e in er.async_entries_for_device(entities, account.id)
    }
    assert "sensor.v2c_cloud_account_calls_remaining_today" in entity_ids

    await hass.config.async_update(language="de")
    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    account = devices.async_get(account.id)
    assert account is not None
    assert account.name == "V2C-Cloud-Konto"
    assert {
        e.entity_id for e in er.async_entries_for_device(entities, account.id)
    } == entity_ids


async def test_account_device_diagnostics_show_the_planner(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
) -> None:
    """The account's service device gives the planner's view, not a charger's."""
    account = dr.async_get(hass).async_get_device(
        identifiers={(DOMAIN, init_integration.entry_id)}
    )
    assert account is not None

    diagnostics = await device_diagnostics(hass, hass_client, init_integration, account)

    assert set(diagnostics) == {"planner"}
    assert "remaining" in str(diagnostics["planner"])


async def test_a_stopped_charger_is_never_rearmed(
    hass: HomeAssistant, v2c_sim: SimHandle, init_integration: MockConfigEntry
) -> None:
    """A read that ends after its charger was stopped plans nothing more for it."""
    runtime = init_integration.runtime_data
    coordinator = runtime.chargers[v2c_sim.device_id]
    await coordinator.async_shutdown()
    runtime.planner.remove_charger(v2c_sim.device_id)

    coordinator.async_schedule_refresh_at()

    assert v2c_sim.device_id not in runtime.planner.snapshot(utcnow()).chargers


async def _reload_without(
    hass: HomeAssistant, v2c_sim: SimHandle, entry: MockConfigEntry, device_id: str
) -> Charger:
    """Unpair a charger in the cloud, then reload: the setup's read leaves it out."""
    unpaired = v2c_sim.account.remove_charger(device_id)
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    return unpaired


@pytest.mark.parametrize("sim_setup", [TWO_CHARGERS])
async def test_a_charger_the_setup_read_left_out_keeps_device_and_habits(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A reload whose pairings list lacks a charger: nothing of it is lost.

    The device and entities stay (no registry removal at all) and so does what the
    planner learned of it, once the next read lists it again.
    """
    removed: list[str] = []
    hass.bus.async_listen(
        dr.EVENT_DEVICE_REGISTRY_UPDATED,
        lambda event: (
            removed.append(event.data["device_id"])
            if event.data["action"] == "remove"
            else None
        ),
    )
    devices, entities = _registry_ids(hass, init_integration)
    planned = init_integration.runtime_data.planner.snapshot(utcnow()).chargers
    learned = planned["POL0001"]
    pole = await _reload_without(hass, v2c_sim, init_integration, "POL0001")
    runtime = init_integration.runtime_data
    assert set(runtime.chargers) == {"TRY0001"}
    assert runtime.account.unpairing.missing == {"POL0001"}

    v2c_sim.account.chargers.append(pole)
    await _until_pairings_refresh(hass, freezer, v2c_sim)
    await hass.async_block_till_done()

    assert set(runtime.chargers) == {"TRY0001", "POL0001"}
    assert removed == []
    assert _registry_ids(hass, init_integration) == (devices, entities)
    assert runtime.planner.snapshot(utcnow()).chargers["POL0001"] == learned


@pytest.mark.parametrize("sim_setup", [TWO_CHARGERS])
async def test_no_second_pairings_read_while_the_quota_is_spent(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The read confirming an unpairing waits for the quota like any call."""
    await _reload_without(hass, v2c_sim, init_integration, "POL0001")
    runtime = init_integration.runtime_data
    now = utcnow()
    runtime.planner.observe_rate_limited(now, now + timedelta(hours=3))
    v2c_sim.sim.clear_log()

    for _ in range(5):
        await _account_tick(hass, freezer)
        # Not even tried: a refused attempt would fail the account's refresh.
        assert runtime.account.last_update_success
    assert v2c_sim.sim.request_log == []

    await _until_pairings_refresh(hass, freezer, v2c_sim)
    assert set(runtime.chargers) == {"TRY0001"}
    assert not dr.async_get(hass).async_get_device(identifiers={(DOMAIN, "POL0001")})


@pytest.mark.parametrize("sim_setup", [TWO_CHARGERS])
async def test_a_failed_early_list_is_not_retried_every_tick(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The cloud failing the list asked early: it is not asked again every tick.

    While the charger's reads answer, the list is tried again an hour after
    the failure, then two hours after that (PAIRINGS_RETRY), and so on up
    to the 6-hourly check.
    """
    v2c_sim.account.remove_charger("POL0001")
    v2c_sim.sim.faults.set(FaultKind.HTTP_503, route=PAIRINGS_PATH, duration_s=3 * 3600)
    v2c_sim.sim.clear_log()
    for _ in range(6):
        await _account_tick(hass, freezer)
    assert [r.path for r in v2c_sim.sim.request_log].count(PAIRINGS_PATH) == 2


@pytest.fixture
async def unusable_new_charger(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> AsyncGenerator[list[datetime]]:
    """Pair POL0002, whose live state answers (with quota headers) are unusable.

    Yields the times it was read, from its first try at the pairings check on.
    """
    v2c_sim.account.add_charger("pole", device_id="POL0002", tag="Drive")
    real = V2CClient.get_current_state
    tries: list[datetime] = []

    async def read(client: V2CClient, device_id: str) -> CurrentState:
        answer = await real(client, device_id)
        if device_id == "POL0002":
            tries.append(utcnow())
            raise V2CResponseError("unusable answer", status=200)
        return answer

    with patch.object(V2CClient, "get_current_state", read):
        await _until_pairings_refresh(hass, freezer, v2c_sim)
        assert len(tries) == 1
        yield tries


async def test_a_new_charger_that_keeps_failing_is_tried_ever_more_rarely(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    unusable_new_charger: list[datetime],
) -> None:
    """Not after every call of the others: 30 min, then twice as long each time, to 6 h.

    Its coordinator is kept for the next try: each one stays on the entry's
    unload list until the entry unloads, and its failure is logged once.
    """
    entry = init_integration
    unload_callbacks = len(entry._on_unload or [])
    # The other charger is read every minute or two all this time.
    for _ in range(24 * 60):
        freezer.tick(timedelta(minutes=1))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    tries = unusable_new_charger
    waits = [
        (later - earlier) / timedelta(hours=1) for earlier, later in pairwise(tries)
    ]
    assert waits == pytest.approx([0.5, 1, 2, 4, 6, 6], abs=0.05)
    assert len(entry._on_unload or []) == unload_callbacks
    logged = [*caplog.get_records("setup"), *caplog.records]
    failures = [
        r
        for r in logged
        if r.levelno >= logging.ERROR and "charger Drive" in r.getMessage()
    ]
    assert len(failures) == 1
    assert "POL0002" not in entry.runtime_data.chargers


async def test_a_new_charger_is_not_tried_while_polling_waits_for_the_quota(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    unusable_new_charger: list[datetime],
) -> None:
    """A first read takes no notice of the quota by itself: the reserve is for commands."""
    # Another program leaves three calls: below the command reserve.
    v2c_sim.spend_quota(leave=3)
    await _account_tick(hass, freezer)
    assert init_integration.runtime_data.planner.polling_blocked_until is not None
    unusable_new_charger.clear()
    v2c_sim.sim.clear_log()
    for _ in range(8):
        await _account_tick(hass, freezer)
    log = v2c_sim.sim.request_log
    assert not [record for record in log if record.query.get("deviceId") == "POL0002"]
    assert unusable_new_charger == []


async def test_a_new_charger_unpaired_while_it_keeps_failing_is_let_go(
    *,
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    unusable_new_charger: list[datetime],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its kept coordinator is stopped and it is not tried again."""
    stopped: list[str] = []
    shutdown = V2CChargerCoordinator.async_shutdown

    async def noted_shutdown(coordinator: V2CChargerCoordinator) -> None:
        stopped.append(coordinator.device_id)
        await shutdown(coordinator)

    monkeypatch.setattr(V2CChargerCoordinator, "async_shutdown", noted_shutdown)
    v2c_sim.account.remove_charger("POL0002")
    for _ in range(2):
        await _until_pairings_refresh(hass, freezer, v2c_sim)
    assert "POL0002" not in init_integration.runtime_data.account.data
    assert stopped == ["POL0002"]
    unusable_new_charger.clear()
    for _ in range(24):
        await _account_tick(hass, freezer)
    assert unusable_new_charger == []
