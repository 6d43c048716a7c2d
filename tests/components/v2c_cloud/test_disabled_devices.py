"""Chargers whose devices the user disabled: held, not read, and let go once unpaired."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_API_KEY
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.v2c_cloud.account import ACCOUNT_TICK
from custom_components.v2c_cloud.chargers import charger_runner
from custom_components.v2c_cloud.const import CONF_BASE_URL, DOMAIN
from custom_components.v2c_cloud.helpers import utcnow
from tests.components.v2c_cloud.answer_gate import gated, until
from tests.components.v2c_cloud.read_helpers import advance, setup_entry
from tests.sim_fixtures import SimHandle, SimSetup
from v2c_simulator import FaultKind

OFFICE_KEY = "key-of-the-office"
CARPORT = "TRY0003"
TWO_CHARGERS = SimSetup(
    models=("trydan", "pole"),
    device_ids=("TRY0001", "POL0001"),
    tags=("Garage", "Drive"),
)


def _device(hass: HomeAssistant, device_id: str) -> dr.DeviceEntry:
    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, device_id)})
    assert device is not None
    return device


def _disable(hass: HomeAssistant, device: dr.DeviceEntry) -> None:
    dr.async_get(hass).async_update_device(
        device.id, disabled_by=dr.DeviceEntryDisabler.USER
    )


async def _offline_for_a_day(
    hass: HomeAssistant, v2c_sim: SimHandle, freezer: FrozenDateTimeFactory
) -> None:
    v2c_sim.charger.set_online(False)
    for _ in range(26):
        await advance(hass, freezer, timedelta(hours=1))


async def test_a_charger_moved_away_while_its_device_was_disabled_is_run_by_its_new_account(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The garage's charger, its device disabled there, moves to the office's account.

    Once the garage confirms it gone and removes its device, it holds the
    charger no longer: the office adds it as any charger moved to it.
    """
    garage = mock_config_entry
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
    _disable(hass, _device(hass, v2c_sim.device_id))
    await hass.async_block_till_done()
    await advance(hass, freezer, timedelta(minutes=5))
    assert v2c_sim.device_id not in garage.runtime_data.chargers
    assert charger_runner(hass, v2c_sim.device_id) == garage.entry_id

    v2c_sim.account.remove_charger(v2c_sim.device_id)
    office_account.chargers.append(v2c_sim.charger)
    for _ in range(2 * 16):
        await advance(hass, freezer, ACCOUNT_TICK)

    assert v2c_sim.device_id not in garage.runtime_data.account.data
    assert v2c_sim.device_id in office.runtime_data.account.data
    assert v2c_sim.device_id in office.runtime_data.chargers
    assert charger_runner(hass, v2c_sim.device_id) == office.entry_id


@pytest.mark.parametrize("sim_setup", [TWO_CHARGERS])
async def test_disabling_an_offline_chargers_device_during_a_setup_retry_clears_its_issue(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The Garage charger has been offline for a day; the user disables its device.

    The entry happens to be retrying its setup (the cloud had a bad spell).
    Once it loads, without reading the disabled charger, the persistent
    "Garage has been offline since ..." repair is gone, as it goes when the
    device is disabled while the entry runs.
    """
    entry = init_integration
    device = _device(hass, v2c_sim.device_id)
    issue_id = f"charger_offline_{device.id}"
    await _offline_for_a_day(hass, v2c_sim, freezer)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    v2c_sim.sim.faults.set(FaultKind.HTTP_502, duration_s=600)
    assert not await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY

    _disable(hass, device)
    await hass.async_block_till_done()
    v2c_sim.sim.faults.clear()
    for _ in range(60):
        freezer.tick(timedelta(seconds=80))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.LOADED
    assert set(entry.runtime_data.chargers) == {"POL0001"}

    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_a_read_in_flight_when_the_device_is_disabled_raises_no_offline_issue(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The user disables an offline charger's device while its check is answered.

    Its issue goes with the device disabled, and the late answer, offline
    still, does not raise it again: nothing would clear it.
    """
    entry = init_integration
    device = _device(hass, v2c_sim.device_id)
    issue_id = f"charger_offline_{device.id}"
    await _offline_for_a_day(hass, v2c_sim, freezer)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    coordinator = entry.runtime_data.chargers[v2c_sim.device_id]

    with gated() as gate:
        gate.hold("is_connected")
        coordinator.async_schedule_refresh_at(utcnow())
        freezer.tick(timedelta(seconds=1))
        async_fire_time_changed(hass)
        await until(lambda: gate.waiting["is_connected"] == 1, 2000)
        _disable(hass, device)
        await until(lambda: v2c_sim.device_id not in entry.runtime_data.chargers)
        gate.release("is_connected")
        await hass.async_block_till_done()

    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


@pytest.mark.parametrize("sim_setup", [TWO_CHARGERS])
async def test_a_disabled_device_brings_no_early_pairings_read_at_a_start(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The Drive charger's device is disabled; Home Assistant restarts (here: a reload).

    The setup's pairings read lists the Drive charger: held, not run, it is
    no charger the list left out, and no second read is brought forward to
    confirm it gone (as for a charger another entry runs,
    test_a_shared_device_costs_no_early_pairings_read_at_a_start).
    """
    entry = init_integration
    _disable(hass, _device(hass, "POL0001"))
    await hass.async_block_till_done()
    await advance(hass, freezer, timedelta(minutes=5))
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    v2c_sim.sim.clear_log()

    for _ in range(4):
        await advance(hass, freezer, ACCOUNT_TICK)

    assert "/pairings/me" not in [r.path for r in v2c_sim.sim.request_log]


@pytest.mark.parametrize("sim_setup", [TWO_CHARGERS])
async def test_a_device_disabled_during_its_chargers_first_read_loses_its_issue(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The Drive, offline for a day, is added after the setup; the user disables it meanwhile.

    A 429 at the setup left the Drive to the pairings tracker, which reads it
    once the pause ends. Disabled during that read, it is held, not run,
    and its offline issue goes as it does for a charger the entry runs.
    """
    entry = init_integration
    drive = _device(hass, "POL0001")
    issue_id = f"charger_offline_{drive.id}"
    for charger in v2c_sim.chargers:
        charger.set_online(False)
    for _ in range(26):
        await advance(hass, freezer, timedelta(hours=1))
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    v2c_sim.sim.faults.set(FaultKind.EARLY_429, route="/device/connected", count=1)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert set(entry.runtime_data.chargers) == {"TRY0001"}

    with gated() as gate:
        gate.hold("get_current_state")
        freezer.tick(timedelta(seconds=61))
        async_fire_time_changed(hass)
        # The Garage's own read, due as the pause ends, may be held with it.
        await until(lambda: gate.waiting["get_current_state"] >= 1, 2000)
        _disable(hass, drive)
        gate.release("get_current_state")
        await hass.async_block_till_done()

    assert "POL0001" not in entry.runtime_data.chargers
    assert charger_runner(hass, "POL0001") == entry.entry_id
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


@pytest.mark.parametrize("sim_setup", [TWO_CHARGERS])
async def test_a_429_at_the_setup_check_still_clears_a_disabled_chargers_issue(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Both chargers were offline for a day; the user disables the Drive's device.

    They do so while the entry is not loaded; at the next setup the Garage's
    connectivity check meets a short 429. The Drive is held before the pause
    is honoured, without a call: its "offline since" repair goes at once.
    """
    entry = init_integration
    for charger in v2c_sim.account.chargers:
        charger.set_online(False)
    for _ in range(26):
        await advance(hass, freezer, timedelta(hours=1))
    issue_id = f"charger_offline_{_device(hass, 'POL0001').id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    _disable(hass, _device(hass, "POL0001"))
    v2c_sim.sim.faults.set(FaultKind.EARLY_429, route="/device/connected", count=1)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.planner.paused_until(utcnow()) is not None

    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    for _ in range(30):
        await advance(hass, freezer, timedelta(seconds=10))
    assert set(entry.runtime_data.chargers) == {"TRY0001"}
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_a_disabled_charger_the_tracker_takes_over_loses_its_issue(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The garage's charger, offline for a day, is also paired with the office.

    Its device in the garage's entry is disabled while that entry is not
    loaded, and the office runs the charger when the garage loads again. Once
    the office unloads, the garage's pairings tracker takes the charger and
    holds it unread: its "offline since" repair goes.
    """
    garage = mock_config_entry
    await setup_entry(hass, garage)
    await _offline_for_a_day(hass, v2c_sim, freezer)
    issue_id = f"charger_offline_{_device(hass, v2c_sim.device_id).id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    assert await hass.config_entries.async_unload(garage.entry_id)
    await hass.async_block_till_done()
    _disable(hass, _device(hass, v2c_sim.device_id))
    office_account = v2c_sim.sim.add_account(OFFICE_KEY)
    office_account.chargers.append(v2c_sim.charger)
    office = MockConfigEntry(
        domain=DOMAIN,
        title="V2C Cloud (office)",
        data={CONF_API_KEY: OFFICE_KEY, CONF_BASE_URL: v2c_sim.base_url},
    )
    await setup_entry(hass, office)
    await hass.config_entries.async_setup(garage.entry_id)
    await hass.async_block_till_done()
    assert charger_runner(hass, v2c_sim.device_id) == office.entry_id
    assert garage.state is ConfigEntryState.LOADED
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None

    assert await hass.config_entries.async_unload(office.entry_id)
    await hass.async_block_till_done()
    for _ in range(2 * 16):
        await advance(hass, freezer, ACCOUNT_TICK)

    assert charger_runner(hass, v2c_sim.device_id) == garage.entry_id
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
