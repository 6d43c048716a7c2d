"""Tests for setting up, unloading and removing the integration."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_IGNORE, SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_API_KEY
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.v2c_cloud.budget import CallKind, PlannerSettings, QuotaPlanner
from custom_components.v2c_cloud.const import CONF_BASE_URL, DOMAIN
from custom_components.v2c_cloud.helpers import format_reset_time, utcnow
from custom_components.v2c_cloud.repairs import (
    async_report_charger_offline,
    async_report_key_forbidden,
    async_report_legacy_rejected,
    async_report_quota_exhausted,
)
from custom_components.v2c_cloud.setup_gate import _FAILURES, _PAUSES, SetupGate
from tests.components.v2c_cloud.read_helpers import advance
from tests.sim_fixtures import SimHandle, SimSetup
from v2c_simulator import FaultKind

NEW_KEY = "regenerated-garage-key"


async def test_setup_and_unload(
    hass: HomeAssistant, v2c_sim: SimHandle, mock_config_entry: MockConfigEntry
) -> None:
    """The entry loads against the simulator and unloads cleanly."""
    mock_config_entry.add_to_hass(hass)

    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED

    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.NOT_LOADED


@pytest.mark.parametrize(
    "sim_setup",
    [SimSetup(models=("trydan", "pole", "trydan"), device_ids=("TRY0001",))],
)
async def test_setup_spends_at_most_one_plus_two_calls_per_charger(
    hass: HomeAssistant, v2c_sim: SimHandle, init_integration: MockConfigEntry
) -> None:
    """Setup reads the pairings once, then state and shadow of each charger."""
    assert init_integration.state is ConfigEntryState.LOADED
    calls = [record for record in v2c_sim.sim.request_log if record.status]
    assert len(calls) <= 1 + 2 * 3
    devices = dr.async_entries_for_config_entry(
        dr.async_get(hass), init_integration.entry_id
    )
    assert {next(iter(d.identifiers))[1] for d in devices} >= {
        c.device_id for c in v2c_sim.chargers
    }
    assert all(next(iter(d.identifiers))[0] == DOMAIN for d in devices)


async def test_the_settings_read_at_setup_counts_as_their_periodic_read(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The next polls do not read the settings setup has just read."""
    for _ in range(20):
        freezer.tick(timedelta(minutes=1))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    paths = [record.path for record in v2c_sim.sim.request_log if record.status]
    assert sum(path.endswith("/currentstatecharge") for path in paths) > 2
    assert sum(path == "/device/reported" for path in paths) == 1


async def _retry_setup(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Let Home Assistant's setup retry timer fire; the retry runs in the background."""
    freezer.tick(timedelta(minutes=3))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_connection_error_retries_setup(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An unreachable cloud makes setup retry, and it loads once the cloud answers."""
    v2c_sim.sim.faults.set(FaultKind.DROP_CONNECTION)
    mock_config_entry.add_to_hass(hass)

    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY

    v2c_sim.sim.faults.clear()
    await _retry_setup(hass, freezer)
    assert mock_config_entry.state is ConfigEntryState.LOADED


@pytest.mark.parametrize(
    "body", [FaultKind.EMPTY_LIST, FaultKind.BARE_SCALAR, FaultKind.EMPTY_200]
)
async def test_settings_unreadable_at_setup_come_with_their_first_read(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    body: FaultKind,
) -> None:
    """A settings answer without settings does not hold up the live state.

    The entry loads with the live sensors, and the settings' entities appear
    with the first settings read that works, without a restart.
    """
    v2c_sim.sim.faults.set(body, route="/device/reported", count=1)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED

    registry = er.async_get(hass)
    device_id = v2c_sim.device_id
    power = registry.async_get_entity_id(
        "sensor", DOMAIN, f"{device_id}_charging_power"
    )
    assert power is not None
    assert hass.states.get(power).state not in ("unavailable", "unknown")
    assert registry.async_get_entity_id("lock", DOMAIN, f"{device_id}_locked") is None

    for _ in range(12):
        freezer.tick(timedelta(minutes=5))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    lock = registry.async_get_entity_id("lock", DOMAIN, f"{device_id}_locked")
    assert lock is not None
    assert hass.states.get(lock).state == "unlocked"
    assert hass.states.get(power).state not in ("unavailable", "unknown")


async def test_revoked_key_starts_reauth_once_confirmed_at_setup(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A first 401 only retries; 401s persisting over minutes ask for a new key.

    Setup goes on trying the old key as rarely as a running entry probes it
    (V2C has rejected valid keys for days), so it never ends in an error that
    only a user can clear.
    """
    v2c_sim.sim.revoke_key(v2c_sim.api_key)
    mock_config_entry.add_to_hass(hass)

    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)

    for _ in range(10):
        await _retry_setup(hass, freezer)
        if hass.config_entries.flow.async_progress_by_handler(DOMAIN):
            break
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]

    calls = len(v2c_sim.sim.request_log)
    await _retries_for(hass, freezer, timedelta(hours=6))
    # Tries 15 min, then as long as the key had been rejected, apart: not one per retry.
    assert 1 <= len(v2c_sim.sim.request_log) - calls <= 5
    assert len(hass.config_entries.flow.async_progress_by_handler(DOMAIN)) == 1


async def test_new_key_from_reauth_loads_the_entry_that_failed_setup(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A new key the reauth flow just checked loads the entry at once.

    The setup gate's wait, earned by the old, rejected key (15 min at least,
    up to 6 h), is dropped with the key: the reload goes ahead.
    """
    v2c_sim.sim.revoke_key(v2c_sim.api_key)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    for _ in range(10):
        await _retry_setup(hass, freezer)
        if hass.config_entries.flow.async_progress_by_handler(DOMAIN):
            break
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    # One account, a regenerated key: the same pairings.
    v2c_sim.sim.add_account(NEW_KEY).chargers = v2c_sim.account.chargers

    result = await hass.config_entries.flow.async_configure(
        flows[0]["flow_id"], {CONF_API_KEY: NEW_KEY}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done(wait_background_tasks=True)

    assert mock_config_entry.data[CONF_API_KEY] == NEW_KEY
    assert mock_config_entry.state is ConfigEntryState.LOADED


async def _retries_for(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, span: timedelta
) -> None:
    """Let Home Assistant retry setup as often as it does (every 80 s at most)."""
    for _ in range(int(span / timedelta(seconds=80))):
        freezer.tick(timedelta(seconds=80))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)


@pytest.mark.parametrize("sim_setup", [SimSetup(models=())])
async def test_setup_retries_without_chargers_are_spaced_out(
    hass: HomeAssistant, v2c_sim: SimHandle, freezer: FrozenDateTimeFactory
) -> None:
    """An account whose chargers were all unpaired waits for one to be paired.

    Retries wait 1, 2, 4… up to 30 minutes between calls, not one call per
    retry; once a charger is paired the entry loads at the next attempt.
    """
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id="TRY0001",
        data={CONF_API_KEY: v2c_sim.api_key, CONF_BASE_URL: v2c_sim.base_url},
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.error_reason_translation_key == "no_chargers"

    # A day: the wait must stop doubling at its cap, or it overflows after
    # about 19 hours of failures and setup ends with an error, never retried.
    await _retries_for(hass, freezer, timedelta(hours=24))
    # Attempts at 0, 1, 3, 7, 15, 31, 61 minutes, then every half hour: 53.
    assert len(v2c_sim.sim.request_log) <= 54
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.error_reason_translation_key in {"no_chargers", "setup_waits"}

    v2c_sim.account.add_charger("trydan", device_id="TRY0001")
    await _retries_for(hass, freezer, timedelta(minutes=35))
    assert entry.state is ConfigEntryState.LOADED


def _waits_without_a_call(
    entry: MockConfigEntry, v2c_sim: SimHandle, reason: str
) -> None:
    """Assert that setup was put off for reason before any call."""
    assert v2c_sim.sim.request_log == []
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.error_reason_translation_key == reason


async def test_setup_waits_for_a_quota_the_server_refused(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """After a 429 at setup no retry calls before the reset: never a second 429."""
    v2c_sim.spend_quota()
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert [record.status for record in v2c_sim.sim.request_log] == [429]

    reset = v2c_sim.sim.quota_for(v2c_sim.api_key).resets_at
    await _retries_for(
        hass, freezer, reset - v2c_sim.sim.clock.now() - timedelta(minutes=1)
    )
    assert [record.status for record in v2c_sim.sim.request_log] == [429]
    assert mock_config_entry.error_reason_translation_key == "quota_exhausted"

    await _retries_for(hass, freezer, timedelta(minutes=5))
    assert mock_config_entry.state is ConfigEntryState.LOADED


async def test_a_restart_with_the_quota_known_spent_waits_for_the_reset(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The last header said no call is left: a restart sends nothing into a 429."""
    v2c_sim.spend_quota(leave=1)
    planner = init_integration.runtime_data.planner
    for _ in range(60):
        freezer.tick(timedelta(seconds=30))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
        if planner.remaining == 0:
            break
    assert planner.remaining == 0
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    v2c_sim.sim.clear_log()

    await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done()

    _waits_without_a_call(init_integration, v2c_sim, "quota_exhausted")
    reset = v2c_sim.sim.quota_for(v2c_sim.api_key).resets_at
    await _retries_for(hass, freezer, reset - v2c_sim.sim.clock.now())
    assert v2c_sim.sim.request_log == []
    await _retries_for(hass, freezer, timedelta(minutes=5))
    assert init_integration.state is ConfigEntryState.LOADED
    assert all(record.status == 200 for record in v2c_sim.sim.request_log)


async def test_a_setup_past_a_spent_share_waits_once_the_reserve_is_spent(
    hass: HomeAssistant,
) -> None:
    """A setup goes ahead while a command could: past the share, while the reserve lasts.

    Its entry must be loaded for its controls to send the reserve's commands
    (a reload after the share was lowered, a restart). Once the reserve is
    spent too, polling has stopped and every command would be refused: it
    waits for the reset without a call, though the key has calls left.
    """
    now = utcnow()
    planner = QuotaPlanner(
        PlannerSettings(quota_share=0.2, command_reserve=20), now=now
    )
    for _ in range(57):
        planner.record_call(CallKind.POLL, now, "TRY0001")
    planner.observe_quota(limit=200, remaining=143, now=now)
    assert planner.polling_blocked_until is not None
    gate = SetupGate(hass, "share-spent")
    gate.check(planner, now)

    for _ in range(20):
        planner.record_call(CallKind.COMMAND, now, "TRY0001")
    with pytest.raises(ConfigEntryNotReady) as refused:
        gate.check(planner, now)
    assert refused.value.translation_key == "quota_exhausted"
    assert refused.value.translation_placeholders == {
        "time": format_reset_time(planner.reset_at)
    }


async def test_a_new_key_brings_its_own_quota(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """After a 429, reconfiguring to a fresh key loads at once: the old count is not its."""
    v2c_sim.spend_quota()
    coordinator = init_integration.runtime_data.chargers[v2c_sim.device_id]
    await coordinator.async_refresh()
    assert init_integration.runtime_data.planner.refused_until(utcnow()) is not None
    v2c_sim.sim.add_account("a-fresh-key").chargers.append(v2c_sim.charger)

    result = await init_integration.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: "a-fresh-key"}
    )
    await hass.async_block_till_done()

    assert result["reason"] == "reconfigure_successful"
    assert init_integration.state is ConfigEntryState.LOADED
    saved = hass_storage[f"{DOMAIN}.{init_integration.entry_id}"]["data"]
    assert "a-fresh-key" not in str(saved)


async def test_a_reload_honours_a_pause_the_server_asked_for(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A short window's 429 asks for 60 s: a reload within them sends nothing."""
    coordinator = init_integration.runtime_data.chargers[v2c_sim.device_id]
    v2c_sim.sim.faults.set(FaultKind.EARLY_429, duration_s=60)
    await coordinator.async_refresh()
    assert init_integration.runtime_data.planner.throttled(utcnow())
    v2c_sim.sim.clear_log()

    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()

    _waits_without_a_call(init_integration, v2c_sim, "throttled")
    await _retries_for(hass, freezer, timedelta(minutes=3))
    assert init_integration.state is ConfigEntryState.LOADED
    assert all(record.status == 200 for record in v2c_sim.sim.request_log)


async def test_removing_the_entry_deletes_its_store(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    init_integration: MockConfigEntry,
) -> None:
    """The entry's saved quota state goes with the entry."""
    key = f"{DOMAIN}.{init_integration.entry_id}"
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert key in hass_storage

    await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()

    assert key not in hass_storage


@pytest.mark.parametrize("wait", ["failed setup", "pause over the unload"])
async def test_removing_the_entry_forgets_its_setup_waits(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    wait: str,
) -> None:
    """What the setup gate keeps outside the entry, for its next setup, goes with it.

    A failed setup's wait and a short 429's pause live in hass.data because
    they must outlast the entry's runtime data (a failed setup has none, a
    reload replaces it); once the entry is removed no setup comes to use them.
    """
    if wait == "failed setup":
        v2c_sim.sim.faults.set(FaultKind.DROP_CONNECTION)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    if wait != "failed setup":
        coordinator = mock_config_entry.runtime_data.chargers[v2c_sim.device_id]
        v2c_sim.sim.faults.set(FaultKind.EARLY_429, duration_s=60)
        await coordinator.async_refresh()
        assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    kept = {**hass.data.get(_FAILURES, {}), **hass.data.get(_PAUSES, {})}
    assert mock_config_entry.entry_id in kept

    await hass.config_entries.async_remove(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    kept = {**hass.data.get(_FAILURES, {}), **hass.data.get(_PAUSES, {})}
    assert mock_config_entry.entry_id not in kept


async def test_removing_the_entry_deletes_its_repair_issues(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Issues about the entry's key and chargers do not outlive it."""
    entry_id = init_integration.entry_id
    async_report_quota_exhausted(hass, entry_id, None)
    async_report_key_forbidden(hass, entry_id)
    async_report_charger_offline(hass, entry_id, v2c_sim.device_id, "Garage", utcnow())
    assert len(issue_registry.issues) == 3

    await hass.config_entries.async_remove(entry_id)
    await hass.async_block_till_done()

    assert issue_registry.issues == {}


async def test_retired_endpoint_issue_goes_with_the_last_entry(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A retired legacy endpoint concerns every entry: it stays while one is left."""
    other = MockConfigEntry(domain=DOMAIN, unique_id="other-account")
    other.add_to_hass(hass)
    # An entry the user chose to ignore calls no endpoint.
    ignored = MockConfigEntry(
        domain=DOMAIN, unique_id="ignored-account", source=SOURCE_IGNORE
    )
    ignored.add_to_hass(hass)
    async_report_legacy_rejected(hass, "set_max_power")

    await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()
    assert set(issue_registry.issues) == {(DOMAIN, "legacy_rejected_set_max_power")}

    await hass.config_entries.async_remove(other.entry_id)
    await hass.async_block_till_done()
    assert issue_registry.issues == {}


async def _set_up_again_after_a_day_offline(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    fault: FaultKind | None,
    *,
    quota_left: int | None = None,
) -> None:
    """Take the charger offline for a day, then set the entry up again.

    Its setup adds a connectivity check to the first charger's two reads,
    which meets `fault`, or finds the day's quota spent after `quota_left`.
    """
    v2c_sim.charger.set_online(False)
    for _ in range(26):
        await advance(hass, freezer, timedelta(hours=1))
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    v2c_sim.sim.clear_log()
    if fault is not None:
        v2c_sim.sim.faults.set(fault, route="/device/connected", count=1)
    if quota_left is not None:
        v2c_sim.spend_quota(leave=quota_left)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


def _offline_issue(hass: HomeAssistant, device_id: str) -> ir.IssueEntry | None:
    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, device_id)})
    assert device is not None
    return ir.async_get(hass).async_get_issue(DOMAIN, f"charger_offline_{device.id}")


@pytest.mark.parametrize(
    ("fault", "guard_failures"),
    [
        (FaultKind.HTTP_502, 0),
        (FaultKind.EARLY_429, 0),
        # One 401 of an outage proves nothing, as when a later check meets it.
        (FaultKind.FALSE_401, 1),
    ],
)
async def test_a_failed_connectivity_check_at_setup_leaves_connectivity_unknown(
    *,
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    fault: FaultKind,
    guard_failures: int,
) -> None:
    """The setup's check of a charger last seen offline fails; the charger loads.

    Its live state and settings read fine, so whatever the check met, the
    entry loads with the charger's connectivity unknown and its offline
    issue kept until the periodic check. The failure counts as a later
    check's does: a 401 for the auth guard (no re-authentication for one).
    """
    entry = init_integration
    await _set_up_again_after_a_day_offline(hass, v2c_sim, entry, freezer, fault)

    assert entry.state is ConfigEntryState.LOADED
    coordinator = entry.runtime_data.chargers[v2c_sim.device_id]
    assert coordinator.data.connected is None
    assert _offline_issue(hass, v2c_sim.device_id) is not None
    assert entry.runtime_data.guard.failures == guard_failures
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_a_429_at_the_setup_check_holds_every_call_until_the_pause_ends(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A short window's 429 at the check: the entry loads and sends nothing into it."""
    entry = init_integration
    await _set_up_again_after_a_day_offline(
        hass, v2c_sim, entry, freezer, FaultKind.EARLY_429
    )
    assert entry.state is ConfigEntryState.LOADED
    paused_until = entry.runtime_data.planner.paused_until(utcnow())
    assert paused_until is not None
    v2c_sim.sim.clear_log()

    while utcnow() + timedelta(seconds=10) < paused_until:
        await advance(hass, freezer, timedelta(seconds=10))

    assert v2c_sim.sim.request_log == []


async def test_a_days_429_at_the_setup_check_raises_the_quota_issue(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The day's quota runs out just before the check: the user is told, as later."""
    entry = init_integration
    await _set_up_again_after_a_day_offline(
        hass, v2c_sim, entry, freezer, None, quota_left=3
    )

    assert entry.state is ConfigEntryState.LOADED
    assert [record.status for record in v2c_sim.sim.request_log][-1] == 429
    issue_id = f"quota_exhausted_{entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None


@pytest.mark.parametrize(
    "sim_setup",
    [
        SimSetup(
            models=("trydan", "pole"),
            device_ids=("TRY0001", "POL0001"),
            tags=("Garage", "Drive"),
        )
    ],
)
async def test_the_chargers_a_429_at_setup_left_unread_are_added_after_the_pause(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The Garage's check meets a 429: the Drive is read once calls come back.

    Not into the pause, and with no early pairings read: the list named it.
    """
    entry = init_integration
    await _set_up_again_after_a_day_offline(
        hass, v2c_sim, entry, freezer, FaultKind.EARLY_429
    )
    assert entry.state is ConfigEntryState.LOADED
    assert set(entry.runtime_data.chargers) == {"TRY0001"}
    assert [record.path for record in v2c_sim.sim.request_log][-1] == (
        "/device/connected"
    )

    paused_until = entry.runtime_data.planner.paused_until(utcnow())
    assert paused_until is not None
    v2c_sim.sim.clear_log()
    while utcnow() + timedelta(seconds=10) < paused_until:
        await advance(hass, freezer, timedelta(seconds=10))
    assert v2c_sim.sim.request_log == []

    for _ in range(2):
        await advance(hass, freezer, timedelta(seconds=10))

    assert set(entry.runtime_data.chargers) == {"TRY0001", "POL0001"}
    drive = hass.states.get("sensor.drive_charging_power")
    assert drive is not None
    assert drive.state != "unavailable"
    assert "/pairings/me" not in [r.path for r in v2c_sim.sim.request_log]
