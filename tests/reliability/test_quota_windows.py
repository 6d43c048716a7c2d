"""Quota windows: one shorter than the day, a day that does not end at midnight.

Also a gateway that sends only the two documented headers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud.const import (
    CONF_COMMAND_RESERVE,
    CONF_QUOTA_SHARE,
    DOMAIN,
)
from custom_components.v2c_cloud.helpers import utcnow
from tests.sim_fixtures import SimHandle, SimSetup
from v2c_simulator import FaultKind
from v2c_simulator.quota import HeaderProfile, QuotaStatus

from .helpers import (
    advance,
    assert_quota_in_step,
    charger,
    entity_of,
    rate_limited_calls,
    run_for,
    strip_429_headers,
    unavailable,
)
from .test_faults import assert_command_fails, set_current

MINUTE_LIMIT = 6
MIDNIGHT_AFTER_START = datetime(2026, 3, 3, 0, 0, tzinfo=UTC)


def _quota_issue(issue_registry: ir.IssueRegistry, entry: MockConfigEntry) -> object:
    return issue_registry.async_get_issue(DOMAIN, f"quota_exhausted_{entry.entry_id}")


def shown_reset(hass: HomeAssistant, entry: MockConfigEntry) -> datetime | None:
    """Return the moment the account's quota reset sensor shows."""
    entity_id = er.async_get(hass).async_get_entity_id(
        Platform.SENSOR, DOMAIN, f"{entry.entry_id}_quota_reset"
    )
    assert entity_id is not None
    state = hass.states.get(entity_id)
    assert state is not None
    return dt_util.parse_datetime(state.state)


@pytest.mark.parametrize(
    "sim_setup", [SimSetup(minute_limit=MINUTE_LIMIT)], indirect=False
)
async def test_minute_window_is_not_taken_for_the_day(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Kong's generic headers name the minute; the day's quota is read by name.

    A burst of commands fills the minute: the next one is refused as a pause,
    the day's reset and calls stay, and commands work again a minute later.
    """
    planner = init_integration.runtime_data.planner
    day = v2c_sim.sim.quota_for(v2c_sim.api_key)
    last = v2c_sim.sim.request_log[-1]
    assert last.status == 200
    assert planner.limit == 1000
    assert planner.reset_at == day.resets_at
    assert_quota_in_step(init_integration, v2c_sim)

    refused = None
    for amps in range(10, 10 + MINUTE_LIMIT + 1):
        try:
            await set_current(hass, v2c_sim.device_id, amps)
        except Exception as err:  # noqa: BLE001
            refused = err
            break
    assert refused is not None
    assert getattr(refused, "translation_key", None) == "throttled"
    assert [r.status for r in v2c_sim.sim.request_log].count(429) == 1
    assert _quota_issue(issue_registry, init_integration) is None
    assert planner.limit == 1000
    assert planner.reset_at == day.resets_at
    assert planner.throttled(utcnow())
    calls = len(v2c_sim.sim.request_log)

    # Until the minute ends nothing goes out; then commands and reads work again.
    await assert_command_fails(hass, v2c_sim.device_id, 20, "throttled")
    assert len(v2c_sim.sim.request_log) == calls
    await advance(hass, freezer, timedelta(seconds=61))
    await set_current(hass, v2c_sim.device_id, 20)
    await run_for(hass, freezer, timedelta(minutes=30))
    coordinator = charger(init_integration, v2c_sim.device_id)
    assert coordinator.last_update_success
    assert planner.reset_at == day.resets_at
    assert [r.status for r in v2c_sim.sim.request_log].count(429) == 1
    assert_quota_in_step(init_integration, v2c_sim)


@pytest.mark.parametrize(
    "sim_setup", [SimSetup(header_profile=HeaderProfile.DOCUMENTED)], indirect=False
)
async def test_bare_429_keeps_the_day_reset(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A 429 without quota headers is waited out; it does not move the day's reset.

    Only RateLimit-Limit and -Remaining are documented, and only on answered
    calls: a 429 that shows nothing of the day cannot say the day ended.
    """
    planner = init_integration.runtime_data.planner
    reset = v2c_sim.sim.quota_for(v2c_sim.api_key).resets_at
    assert planner.reset_at == reset
    coordinator = charger(init_integration, v2c_sim.device_id)
    due = coordinator.poller.next_refresh_at(utcnow())
    assert due is not None
    v2c_sim.sim.faults.set(FaultKind.EARLY_429, count=1)
    await advance(hass, freezer, due - utcnow() + timedelta(seconds=1))
    assert [r.status for r in v2c_sim.sim.request_log if r.fault] == [429]
    blocked_until = planner.polling_blocked_until
    assert blocked_until is not None
    assert blocked_until - utcnow() <= timedelta(seconds=60)

    await run_for(hass, freezer, timedelta(hours=2))
    assert coordinator.last_update_success
    assert planner.reset_at == reset
    assert_quota_in_step(init_integration, v2c_sim)


async def test_a_command_refused_by_a_bare_429_is_a_pause(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
    *,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A 429 with no header at all, the day's calls nearly all left: no repair issue.

    The command says the cloud asks for a pause, and works once it is over.
    """

    strip_429_headers(monkeypatch)
    planner = init_integration.runtime_data.planner
    reset = planner.reset_at
    v2c_sim.sim.faults.set(FaultKind.EARLY_429, route="/device/intensity", count=1)

    await assert_command_fails(hass, v2c_sim.device_id, 12, "throttled")
    assert _quota_issue(issue_registry, init_integration) is None
    assert planner.throttled(utcnow())
    assert (planner.reset_at, planner.remaining > 900) == (reset, True)

    await advance(hass, freezer, timedelta(seconds=61))
    await set_current(hass, v2c_sim.device_id, 12)
    assert v2c_sim.charger.state.intensity == 12


async def test_a_bare_429_on_a_command_of_the_reserve_is_a_pause(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
    *,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Polling has stopped to keep the reserve; a command of it meets a bare 429.

    The count still leaves calls, so it is a pause too: the command says so, with
    the pause's end rather than the reset, and no repair issue is raised.
    """

    planner = init_integration.runtime_data.planner
    v2c_sim.sim.quota(v2c_sim.api_key).spend_external(utcnow(), leave=40)
    await set_current(hass, v2c_sim.device_id, 16)
    assert planner.polling_blocked_until == planner.reset_at
    strip_429_headers(monkeypatch)
    v2c_sim.sim.faults.set(FaultKind.EARLY_429, route="/device/intensity", count=1)

    await assert_command_fails(hass, v2c_sim.device_id, 12, "throttled")
    assert _quota_issue(issue_registry, init_integration) is None


@pytest.mark.parametrize("sim_setup", [SimSetup(reset_time=time(5, 0))], indirect=False)
async def test_announced_reset_at_another_hour_is_known_after_setup(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Kong's RateLimit-Reset names a day ending at 05:00 UTC, not at midnight.

    The planner plans to it and the quota reset sensor shows it, from setup on
    and after the next polls.
    """
    reset = v2c_sim.sim.quota_for(v2c_sim.api_key).resets_at
    assert reset == datetime(2026, 3, 3, 5, 0, tzinfo=UTC)
    planner = init_integration.runtime_data.planner
    assert shown_reset(hass, init_integration) == reset
    assert planner.reset_at == reset

    calls = len(v2c_sim.sim.request_log)
    await run_for(hass, freezer, timedelta(minutes=30))
    assert len(v2c_sim.sim.request_log) > calls
    assert shown_reset(hass, init_integration) == reset
    assert planner.reset_at == reset
    assert_quota_in_step(init_integration, v2c_sim)


@pytest.mark.parametrize(
    "sim_setup",
    [SimSetup(reset_time=time(15, 0), header_profile=HeaderProfile.DOCUMENTED)],
    indirect=False,
)
async def test_reset_at_another_hour_is_learned_when_remaining_jumps_up(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Without RateLimit-Reset, midnight is assumed until the quota comes back.

    The key's day ends at 15:00 UTC: the first poll after it sees Remaining
    jump up, and from then on 15:00 is the reset the planner and the sensor show.
    """
    planner = init_integration.runtime_data.planner
    assert shown_reset(hass, init_integration) == MIDNIGHT_AFTER_START
    assert planner.reset_at == MIDNIGHT_AFTER_START

    await run_for(hass, freezer, timedelta(hours=2, minutes=50))
    assert planner.reset_at == MIDNIGHT_AFTER_START
    spent = v2c_sim.sim.quota_for(v2c_sim.api_key)
    assert spent.remaining < spent.limit - 10

    await run_for(hass, freezer, timedelta(minutes=30))
    reset = v2c_sim.sim.quota_for(v2c_sim.api_key).resets_at
    assert reset == datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
    assert shown_reset(hass, init_integration) == reset
    assert planner.reset_at == reset
    assert_quota_in_step(init_integration, v2c_sim)


async def test_a_cut_daily_limit_keeps_the_charger_polled(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """V2C cuts the key from 1,000 to 200 calls a day under a reserve set for 1,000.

    Half the key is this integration's, and the options allowed a reserve of
    250 calls then, more than the whole share of 100 now. The reserve applied
    shrinks to half the share: the charger is still read the next day, its live
    values stay available, and polling gets no 429.
    """
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, options={CONF_QUOTA_SHARE: 50, CONF_COMMAND_RESERVE: 250}
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    v2c_sim.sim.quota(v2c_sim.api_key).limit = 200
    await run_for(hass, freezer, timedelta(hours=2))
    await run_for(hass, freezer, timedelta(hours=24), step=timedelta(minutes=10))

    power = entity_of(hass, Platform.SENSOR, v2c_sim.device_id, "charging_power")
    assert power not in unavailable(hass, mock_config_entry)
    assert mock_config_entry.runtime_data.planner.polling_blocked_until is None
    assert rate_limited_calls(v2c_sim) == 0


@pytest.fixture
def reset_header(request: pytest.FixtureRequest) -> Iterator[str]:
    """Add a RateLimit-Reset the gateway does not keep to every answered call."""
    value: str = request.param
    documented = QuotaStatus.headers

    def headers(
        status: QuotaStatus, now: datetime, profile: HeaderProfile = HeaderProfile.KONG
    ) -> dict[str, str]:
        return {**documented(status, now, profile), "RateLimit-Reset": value}

    with patch.object(QuotaStatus, "headers", headers):
        yield value


@pytest.mark.parametrize("reset_header", ["0", "30"], indirect=True)
@pytest.mark.parametrize(
    "sim_setup", [SimSetup(header_profile=HeaderProfile.DOCUMENTED)], indirect=False
)
async def test_a_reset_header_the_quota_refutes_does_not_lift_the_hard_stop(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    reset_header: str,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Every answer says the window ends now (0 s) or in 30 s; it ends at midnight.

    Another program leaves 60 calls. Polling stops at the reserve and gets no
    429, and 'Calls remaining' shows what the cloud has left, not a fresh day
    after every answer.
    """
    v2c_sim.spend_quota(leave=60)
    await run_for(hass, freezer, timedelta(hours=6))
    left = v2c_sim.sim.quota_for(v2c_sim.api_key).remaining
    # The account's quota sensors refresh every half hour.
    await run_for(hass, freezer, timedelta(minutes=31))
    sensor = er.async_get(hass).async_get_entity_id(
        Platform.SENSOR, DOMAIN, f"{init_integration.entry_id}_calls_remaining"
    )
    assert sensor is not None
    shown = hass.states.get(sensor)
    assert shown is not None
    assert (rate_limited_calls(v2c_sim), shown.state) == (0, str(left))
