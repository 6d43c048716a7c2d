"""Tests of the repair issues: raised by their cause, cleared when it goes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryDisabler, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.update_coordinator import UpdateFailed
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud.api import V2CClient, V2CResponseError
from custom_components.v2c_cloud.const import DOMAIN
from custom_components.v2c_cloud.coordinator import V2CChargerCoordinator
from custom_components.v2c_cloud.helpers import utcnow
from custom_components.v2c_cloud.repairs import async_report_charger_offline
from tests.sim_fixtures import SimHandle
from v2c_simulator import FaultKind
from v2c_simulator.state import Timer

from .read_helpers import advance, restart


async def test_quota_spent_by_another_program_raises_and_clears_an_issue(
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    coordinator: V2CChargerCoordinator,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A 429 showing the day at 0 means someone else spent it; the reset clears it."""
    issue_id = f"quota_exhausted_{init_integration.entry_id}"
    v2c_sim.spend_quota()

    await coordinator.async_refresh()
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "quota_exhausted"
    reset = v2c_sim.sim.quota_for(v2c_sim.api_key).resets_at
    assert coordinator.poller.planner.reset_at == reset
    assert coordinator.poller.next_refresh_at(utcnow()) is None

    # No call at all before the announced retry moment.
    calls = len(v2c_sim.sim.request_log)
    await coordinator.async_refresh()
    assert not coordinator.last_update_success
    assert len(v2c_sim.sim.request_log) == calls
    freezer.move_to(reset + timedelta(minutes=1))
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_a_short_window_429_raises_no_issue(
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    coordinator: V2CChargerCoordinator,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A 429 whose headers show calls left for the day pauses without a repair."""
    planner = coordinator.poller.planner
    reset, limit = planner.reset_at, planner.limit
    v2c_sim.sim.faults.set(FaultKind.EARLY_429, count=1)

    await coordinator.async_refresh()
    assert not coordinator.last_update_success
    assert (
        issue_registry.async_get_issue(
            DOMAIN, f"quota_exhausted_{init_integration.entry_id}"
        )
        is None
    )
    assert (planner.reset_at, planner.limit) == (reset, limit)
    assert planner.remaining > 0
    assert planner.throttled(utcnow())

    # A refresh asked for during the pause costs nothing and says why.
    calls = len(v2c_sim.sim.request_log)
    await coordinator.async_refresh()
    assert isinstance(coordinator.last_exception, UpdateFailed)
    assert coordinator.last_exception.translation_key == "throttled"
    assert len(v2c_sim.sim.request_log) == calls

    freezer.tick(timedelta(seconds=61))
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    assert not planner.throttled(utcnow())


async def test_charger_offline_for_a_day_raises_and_clears_an_issue(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    coordinator: V2CChargerCoordinator,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An issue appears after a day offline and goes when the charger returns.

    The one an older version named by the charger's id goes with it.
    """
    issue_id = f"charger_offline_{_charger_device(hass, v2c_sim).id}"
    legacy_id = f"charger_offline_{v2c_sim.device_id}"
    ir.async_create_issue(
        hass,
        DOMAIN,
        legacy_id,
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="charger_offline",
    )
    v2c_sim.charger.set_online(False)
    for _ in range(16):
        await advance(hass, freezer, timedelta(hours=2))
    assert coordinator.data.connected is False
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None

    v2c_sim.charger.set_online(True)
    for _ in range(3):
        await advance(hass, freezer, timedelta(hours=2))
    assert coordinator.data.connected is True
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert issue_registry.async_get_issue(DOMAIN, legacy_id) is None


async def test_an_offline_issue_from_before_a_reload_goes_at_the_first_online_read(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """The charger came back while Home Assistant was not reading it."""
    entry_id = init_integration.entry_id
    async_report_charger_offline(hass, entry_id, v2c_sim.device_id, "Garage", utcnow())
    issue_id = f"charger_offline_{_charger_device(hass, v2c_sim).id}"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None

    assert await hass.config_entries.async_reload(entry_id)
    await hass.async_block_till_done()

    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


def _charger_device(hass: HomeAssistant, v2c_sim: SimHandle) -> dr.DeviceEntry:
    device = dr.async_get(hass).async_get_device(
        identifiers={(DOMAIN, v2c_sim.device_id)}
    )
    assert device is not None
    return device


async def test_rejected_legacy_command_raises_and_clears_an_issue(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """When V2C retires /device/maxpower the legacy action raises a repair issue."""
    device = _charger_device(hass, v2c_sim)
    issue_id = "legacy_rejected_set_max_power"
    retired = V2CResponseError("gone", status=410)

    # The simulator still answers the legacy route; only the client boundary is faked.
    with (
        patch.object(V2CClient, "set_max_power", autospec=True, side_effect=retired),
        pytest.raises(HomeAssistantError),
    ):
        await hass.services.async_call(
            DOMAIN,
            "set_max_power",
            {"device_id": device.id, "power": 5000},
            blocking=True,
        )
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None

    await hass.services.async_call(
        DOMAIN, "set_max_power", {"device_id": device.id, "power": 5000}, blocking=True
    )
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_the_offline_issue_names_the_local_date(hass: HomeAssistant) -> None:
    """20:00 UTC on 2 March is 09:00 on 3 March in Auckland: the user's date is shown."""
    await hass.config.async_set_time_zone("Pacific/Auckland")
    entry = MockConfigEntry(domain=DOMAIN)
    entry.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, "TRY0001")}
    )
    async_report_charger_offline(
        hass,
        entry.entry_id,
        "TRY0001",
        "Garage",
        datetime(2026, 3, 2, 20, 0, tzinfo=UTC),
    )
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"charger_offline_{device.id}")
    assert issue is not None
    assert issue.translation_placeholders == {"name": "Garage", "since": "2026-03-03"}


async def test_a_legacy_timer_refused_as_a_bad_request_raises_the_issue(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """V2C's newer spec requires `timerId` on /device/timer: the seed's form gets a 400.

    The path stays when the form is retired, so a bad request is how it shows.
    """
    v2c_sim.charger.state.timers[2] = Timer(2, "22:00", "06:00", "135")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    device = _charger_device(hass, v2c_sim)
    v2c_sim.sim.faults.set(FaultKind.BAD_REQUEST_400, route="/device/timer", count=1)
    data = {"device_id": device.id, "timer_id": 2}

    with pytest.raises(HomeAssistantError):
        await hass.services.async_call(DOMAIN, "disable_timer", data, blocking=True)
    issue_id = "legacy_rejected_disable_timer"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None

    await hass.services.async_call(DOMAIN, "disable_timer", data, blocking=True)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def _offline_for(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, hours: int
) -> None:
    for _ in range(hours):
        await advance(hass, freezer, timedelta(hours=1))


def _offline_issue_id(hass: HomeAssistant, v2c_sim: SimHandle) -> str:
    return f"charger_offline_{_charger_device(hass, v2c_sim).id}"


async def test_a_reload_keeps_the_issue_of_a_charger_still_offline(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A charger offline for a day keeps its issue when the entry reloads.

    The first read after the setup knows nothing of connectivity yet: unknown
    is not online, so only a read finding the charger back clears the issue.
    """
    issue_id = _offline_issue_id(hass, v2c_sim)
    v2c_sim.charger.set_online(False)
    await _offline_for(hass, freezer, 26)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None

    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    await _offline_for(hass, freezer, 3)

    assert (
        init_integration.runtime_data.chargers[v2c_sim.device_id].data.connected
        is False
    )
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None, (
        "the offline issue was cleared by the reload while the charger is offline"
    )


async def test_a_reload_does_not_move_the_offline_date(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The issue of a charger offline since 2 March keeps saying so after a reload.

    The store keeps the moment the charger went offline, not the coordinator
    alone, which a reload or a restart starts afresh.
    """
    issue_id = _offline_issue_id(hass, v2c_sim)
    v2c_sim.charger.set_online(False)
    await _offline_for(hass, freezer, 26)
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders["since"] == "2026-03-02"

    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    await _offline_for(hass, freezer, 26)

    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.active
    assert issue.translation_placeholders["since"] == "2026-03-02"


async def test_an_offline_issue_stays_shown_over_a_restart(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A charger offline for two days when Home Assistant restarts keeps its issue.

    The issue is persistent, so Home Assistant starts with it shown, with its
    name and date; the setup's read checks the connectivity of the charger
    last seen offline and finds it still offline.
    """
    issue_id = _offline_issue_id(hass, v2c_sim)
    v2c_sim.charger.set_online(False)
    await _offline_for(hass, freezer, 48)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None

    await restart(hass, init_integration)
    coordinator = init_integration.runtime_data.chargers[v2c_sim.device_id]
    assert coordinator.data.connected is False
    await _offline_for(hass, freezer, 3)

    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None, "the offline issue vanished with the restart"
    assert issue.active, "the offline issue vanished with the restart"
    assert issue.translation_placeholders == {"name": "Garage", "since": "2026-03-02"}


async def test_a_charger_back_while_stopped_loses_its_issue_at_the_start(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The setup's read finds the charger back: the issue and its date go at once.

    It costs one call more than a start, for that charger only.
    """
    issue_id = _offline_issue_id(hass, v2c_sim)
    v2c_sim.charger.set_online(False)
    await _offline_for(hass, freezer, 26)
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    v2c_sim.charger.set_online(True)
    v2c_sim.sim.clear_log()

    await restart(hass, init_integration)

    paths = [record.path for record in v2c_sim.sim.request_log]
    assert paths.count("/device/connected") == 1
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert init_integration.runtime_data.store.offline_since == {}


async def test_disabling_the_entry_clears_the_issues_only_its_calls_clear(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A disabled entry reads nothing: its offline, quota and key issues go with it.

    As when the entry is deleted; the list of replaced entities stays, for
    the user to close once the automations are updated.
    """
    entry_id = init_integration.entry_id
    issue_id = _offline_issue_id(hass, v2c_sim)
    v2c_sim.charger.set_online(False)
    await _offline_for(hass, freezer, 26)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    for kept in (f"quota_exhausted_{entry_id}", f"replaced_entities_{entry_id}"):
        ir.async_create_issue(
            hass,
            DOMAIN,
            kept,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=kept.rpartition("_")[0],
        )

    assert await hass.config_entries.async_set_disabled_by(
        entry_id, ConfigEntryDisabler.USER
    )
    await hass.async_block_till_done()

    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert issue_registry.async_get_issue(DOMAIN, f"quota_exhausted_{entry_id}") is None
    assert issue_registry.async_get_issue(DOMAIN, f"replaced_entities_{entry_id}")


async def test_an_entry_enabled_again_raises_the_issue_from_the_stored_date(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Enabled again, a charger still offline has its issue back, with its first date."""
    entry_id = init_integration.entry_id
    issue_id = _offline_issue_id(hass, v2c_sim)
    v2c_sim.charger.set_online(False)
    await _offline_for(hass, freezer, 26)
    assert await hass.config_entries.async_set_disabled_by(
        entry_id, ConfigEntryDisabler.USER
    )
    await hass.async_block_till_done()
    await _offline_for(hass, freezer, 24)

    assert await hass.config_entries.async_set_disabled_by(entry_id, None)
    await hass.async_block_till_done()

    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders == {"name": "Garage", "since": "2026-03-02"}


async def test_disabling_an_entry_whose_setup_retries_clears_its_key_issue(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Home Assistant stops a retrying setup without unloading: the issue goes all the same."""
    entry_id = init_integration.entry_id
    issue_id = f"key_forbidden_{entry_id}"
    v2c_sim.sim.faults.set(FaultKind.FORBIDDEN_403)
    for _ in range(30):
        await advance(hass, freezer, timedelta(minutes=1))
    assert await hass.config_entries.async_reload(entry_id) is False
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.SETUP_RETRY
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None

    assert await hass.config_entries.async_set_disabled_by(
        entry_id, ConfigEntryDisabler.USER
    )
    await hass.async_block_till_done()

    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
