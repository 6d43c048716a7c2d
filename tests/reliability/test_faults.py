"""Fault injection: a running entry rides out every way the V2C Cloud misbehaves."""

from __future__ import annotations

from datetime import timedelta
import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.number.const import ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.v2c_cloud.const import DOMAIN
from custom_components.v2c_cloud.helpers import utcnow
from tests.sim_fixtures import SimHandle
from v2c_simulator import FaultKind

from .helpers import (
    advance,
    assert_logged_once_each_way,
    assert_quota_in_step,
    charger,
    entity_of,
    lines_per_source,
    problems,
    rate_limited_calls,
    run_for,
    tracebacks,
    unavailable,
)

TRANSPORT_KINDS = (
    FaultKind.DROP_CONNECTION,
    FaultKind.HTTP_500,
    FaultKind.HTTP_502,
    FaultKind.HTTP_503,
)
# Command replies are often empty or "OK", so only reads fail on odd bodies.
BODY_KINDS = (
    FaultKind.MALFORMED_JSON,
    # Taken for a charger, it would show every value unknown and a charge stopped.
    FaultKind.ERROR_OBJECT,
    FaultKind.BARE_SCALAR,
    FaultKind.EMPTY_200,
    FaultKind.EMPTY_204,
    FaultKind.PORTAL_PAGE_200,
)
# Bodies that fail a command too: an error, or a page that is no answer at all.
COMMAND_FAILING_BODIES = (FaultKind.ERROR_OBJECT, FaultKind.PORTAL_PAGE_200)
SHORT = timedelta(minutes=10)
LONG = timedelta(hours=3)


async def set_current(hass: HomeAssistant, device_id: str, amps: int) -> None:
    """Send one command through the charge current number entity."""
    await hass.services.async_call(
        Platform.NUMBER,
        SERVICE_SET_VALUE,
        {
            ATTR_ENTITY_ID: entity_of(
                hass, Platform.NUMBER, device_id, "charge_current"
            ),
            ATTR_VALUE: amps,
        },
        blocking=True,
    )


async def assert_command_fails(
    hass: HomeAssistant, device_id: str, amps: int, translation_key: str
) -> None:
    """Assert a command is refused with the translated error expected."""
    with pytest.raises(HomeAssistantError) as raised:
        await set_current(hass, device_id, amps)
    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == translation_key


async def recover(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry: MockConfigEntry,
    v2c_sim: SimHandle,
) -> None:
    """After a fault: the next poll succeeds, entities return, a command works."""
    coordinator = charger(entry, v2c_sim.device_id)
    await run_for(hass, freezer, timedelta(hours=1))
    assert coordinator.last_update_success
    assert unavailable(hass, entry) == []
    assert_quota_in_step(entry, v2c_sim)
    await set_current(hass, v2c_sim.device_id, 13)
    assert_quota_in_step(entry, v2c_sim)
    assert rate_limited_calls(v2c_sim) == 0


@pytest.mark.parametrize("kind", TRANSPORT_KINDS + BODY_KINDS)
async def test_short_outage_keeps_entities_and_logs_once(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    *,
    caplog: pytest.LogCaptureFixture,
    kind: FaultKind,
) -> None:
    """A few minutes of bad answers: data is not stale yet, one line each way."""
    caplog.set_level(logging.INFO)
    coordinator = charger(init_integration, v2c_sim.device_id)
    due = coordinator.poller.next_refresh_at(utcnow())
    assert due is not None
    await advance(hass, freezer, due - utcnow() - timedelta(seconds=30))
    v2c_sim.sim.faults.set(kind, duration_s=SHORT.total_seconds())

    await run_for(hass, freezer, timedelta(minutes=1))
    assert not coordinator.last_update_success
    assert unavailable(hass, init_integration) == []
    if kind in (*TRANSPORT_KINDS, *COMMAND_FAILING_BODIES):
        await assert_command_fails(hass, v2c_sim.device_id, 12, "communication_error")
    else:
        await set_current(hass, v2c_sim.device_id, 12)

    await run_for(hass, freezer, SHORT)
    await recover(hass, freezer, init_integration, v2c_sim)
    assert_logged_once_each_way(caplog)
    assert tracebacks(caplog) == []


@pytest.mark.parametrize(
    "kind", [FaultKind.HTTP_503, FaultKind.MALFORMED_JSON, FaultKind.PORTAL_PAGE_200]
)
async def test_long_outage_marks_entities_stale_then_recovers(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    *,
    caplog: pytest.LogCaptureFixture,
    kind: FaultKind,
) -> None:
    """Hours without data: entities go unavailable, and come back with the cloud."""
    caplog.set_level(logging.INFO)
    v2c_sim.sim.faults.set(kind, duration_s=LONG.total_seconds())
    await run_for(hass, freezer, LONG - timedelta(minutes=5))
    coordinator = charger(init_integration, v2c_sim.device_id)
    assert coordinator.is_stale(utcnow())
    assert unavailable(hass, init_integration) != []
    await run_for(hass, freezer, timedelta(minutes=5))
    await recover(hass, freezer, init_integration, v2c_sim)
    assert_logged_once_each_way(caplog)
    assert tracebacks(caplog) == []


async def test_text_plain_json_still_works(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """JSON labelled text/plain is read like JSON: no failure at all."""
    caplog.set_level(logging.INFO)
    v2c_sim.sim.faults.set(FaultKind.TEXT_PLAIN_JSON, duration_s=7200)
    coordinator = charger(init_integration, v2c_sim.device_id)
    await run_for(hass, freezer, timedelta(hours=1))
    assert coordinator.last_update_success
    assert any(
        record.fault is FaultKind.TEXT_PLAIN_JSON for record in v2c_sim.sim.request_log
    )
    await set_current(hass, v2c_sim.device_id, 12)
    assert_quota_in_step(init_integration, v2c_sim)
    assert unavailable(hass, init_integration) == []
    assert problems(caplog) == []
    assert tracebacks(caplog) == []


async def test_false_401_burst_does_not_start_reauth(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The cloud's outage 401s are ridden out; the key is not doubted."""
    caplog.set_level(logging.INFO)
    coordinator = charger(init_integration, v2c_sim.device_id)
    v2c_sim.sim.faults.set(FaultKind.FALSE_401, count=2)
    await run_for(hass, freezer, timedelta(minutes=40))
    assert any(record.status == 401 for record in v2c_sim.sim.request_log)
    await recover(hass, freezer, init_integration, v2c_sim)
    assert coordinator.last_update_success
    assert init_integration.state is ConfigEntryState.LOADED
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert len(problems(caplog)) == 1
    assert tracebacks(caplog) == []


async def test_revoked_key_starts_reauth(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """401s that persist prove the key bad: reauth starts, commands say so."""
    v2c_sim.sim.revoke_key(v2c_sim.api_key)
    await run_for(hass, freezer, timedelta(hours=2))
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert tracebacks(caplog) == []


async def test_early_429_pauses_until_its_retry_moment(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A 429 with calls left for the day: no call until its Retry-After, day kept."""
    caplog.set_level(logging.INFO)
    coordinator = charger(init_integration, v2c_sim.device_id)
    due = coordinator.poller.next_refresh_at(utcnow())
    assert due is not None
    v2c_sim.sim.faults.set(FaultKind.EARLY_429, count=1)
    await advance(hass, freezer, due - utcnow() + timedelta(seconds=1))
    assert [r.status for r in v2c_sim.sim.request_log if r.fault] == [429]
    planner = init_integration.runtime_data.planner
    blocked_until = planner.polling_blocked_until
    assert blocked_until is not None
    assert planner.reset_at == v2c_sim.sim.quota_for(v2c_sim.api_key).resets_at
    calls = len(v2c_sim.sim.request_log)

    await assert_command_fails(hass, v2c_sim.device_id, 12, "throttled")
    assert unavailable(hass, init_integration) == []
    assert blocked_until > utcnow()
    while utcnow() + timedelta(seconds=10) < blocked_until:
        await advance(hass, freezer, timedelta(seconds=10))
        assert len(v2c_sim.sim.request_log) == calls
    await recover(hass, freezer, init_integration, v2c_sim)
    assert tracebacks(caplog) == []


async def test_charger_offline_for_hours(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An offline charger: unavailable, commands refused, back once it returns."""
    caplog.set_level(logging.INFO)
    v2c_sim.charger.set_online(False)
    await run_for(hass, freezer, timedelta(hours=4), step=timedelta(minutes=10))
    assert charger(init_integration, v2c_sim.device_id).data.connected is False
    assert unavailable(hass, init_integration) != []
    # Entity services skip unavailable entities, so ask through an action.
    device = dr.async_get(hass).async_get_device(
        identifiers={(DOMAIN, v2c_sim.device_id)}
    )
    assert device is not None
    with pytest.raises(HomeAssistantError) as raised:
        await hass.services.async_call(
            DOMAIN,
            "set_max_power",
            {"device_id": device.id, "power": 5000},
            blocking=True,
        )
    assert raised.value.translation_key == "charger_offline"

    v2c_sim.charger.set_online(True)
    await run_for(hass, freezer, timedelta(hours=2), step=timedelta(minutes=10))
    await recover(hass, freezer, init_integration, v2c_sim)
    assert tracebacks(caplog) == []
    assert len([r for r in problems(caplog) if "offline" in r.getMessage()]) <= 1


async def test_restart_mid_day_restores_quota(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Reloading the entry restores the day's usage from the Store."""
    await run_for(hass, freezer, timedelta(hours=3), step=timedelta(minutes=10))
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert_quota_in_step(init_integration, v2c_sim)
    await recover(hass, freezer, init_integration, v2c_sim)


async def test_clock_jump_across_the_reset(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Jumping past midnight: the planner sees the fresh quota, no 429, no traceback."""
    freezer.move_to("2026-03-03 00:05:00+00:00")
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    await recover(hass, freezer, init_integration, v2c_sim)
    assert v2c_sim.sim.quota_for(v2c_sim.api_key).remaining > 950
    assert tracebacks(caplog) == []


async def test_chargers_paired_and_unpaired(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The account's charger list changes: the entry follows, without errors."""
    added = v2c_sim.account.add_charger("pole", device_id="POL0002", tag="Drive")
    await run_for(hass, freezer, timedelta(hours=7), step=timedelta(minutes=15))
    assert set(init_integration.runtime_data.chargers) == {"TRY0001", "POL0002"}

    v2c_sim.account.chargers.remove(added)
    await run_for(hass, freezer, timedelta(hours=7), step=timedelta(minutes=15))
    assert set(init_integration.runtime_data.chargers) == {"TRY0001"}
    assert not dr.async_get(hass).async_get_device(identifiers={(DOMAIN, "POL0002")})
    await recover(hass, freezer, init_integration, v2c_sim)
    # The unpaired charger may fail one poll before the pairings refresh notices.
    assert set(lines_per_source(problems(caplog)).values()) <= {1}
    assert tracebacks(caplog) == []


async def test_a_charger_left_out_of_one_pairings_read_is_kept(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """One list without the charger removes nothing: a second read must agree.

    Removing it would delete its device and entities with the user's names,
    icons and dashboards' references to them.
    """
    entity_ids = {
        entry.entity_id
        for entry in er.async_entries_for_config_entry(
            er.async_get(hass), init_integration.entry_id
        )
    }
    coordinator = charger(init_integration, v2c_sim.device_id)
    v2c_sim.sim.faults.set(FaultKind.EMPTY_LIST, route="/pairings/me", count=1)
    v2c_sim.sim.clear_log()
    while not pairings_reads(v2c_sim):
        await advance(hass, freezer, timedelta(minutes=30))

    await run_for(hass, freezer, timedelta(hours=1), step=timedelta(minutes=5))
    assert pairings_reads(v2c_sim) == 2
    assert charger(init_integration, v2c_sim.device_id) is coordinator
    assert {
        entry.entity_id
        for entry in er.async_entries_for_config_entry(
            er.async_get(hass), init_integration.entry_id
        )
    } == entity_ids
    assert unavailable(hass, init_integration) == []


async def test_a_refused_read_then_good_ones_do_not_make_a_bad_list_final(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A gateway glitch refusing one read and sending one empty list removes nothing.

    The charger read fine after its refused read: that sign no longer counts.
    """
    coordinator = charger(init_integration, v2c_sim.device_id)
    v2c_sim.sim.faults.set(
        FaultKind.FORBIDDEN_403, route="/thirdparty/device/currentstatecharge", count=1
    )
    v2c_sim.sim.faults.set(FaultKind.EMPTY_LIST, route="/pairings/me", count=1)
    v2c_sim.sim.clear_log()

    await run_for(hass, freezer, timedelta(hours=8), step=timedelta(minutes=10))

    assert pairings_reads(v2c_sim) >= 2
    assert charger(init_integration, v2c_sim.device_id) is coordinator
    assert unavailable(hass, init_integration) == []


def pairings_reads(v2c_sim: SimHandle) -> int:
    """Return how many times the account's charger list was read since the log cleared."""
    return sum(1 for record in v2c_sim.sim.request_log if record.path == "/pairings/me")


@pytest.mark.parametrize(
    "body",
    [
        FaultKind.ERROR_OBJECT,
        FaultKind.BARE_SCALAR,
        FaultKind.EMPTY_200,
        FaultKind.EMPTY_204,
    ],
)
async def test_an_error_answered_for_the_pairings_removes_nothing(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    body: FaultKind,
) -> None:
    """A 200 carrying an error instead of the list is a failed read, not an empty account.

    Read as a list without chargers, two of them would confirm every charger
    gone and delete its device and entities.
    """
    coordinator = charger(init_integration, v2c_sim.device_id)
    v2c_sim.sim.faults.set(body, route="/pairings/me")
    v2c_sim.sim.clear_log()

    await run_for(hass, freezer, timedelta(hours=13), step=timedelta(minutes=15))

    assert pairings_reads(v2c_sim) >= 2
    assert charger(init_integration, v2c_sim.device_id) is coordinator
    assert unavailable(hass, init_integration) == []
