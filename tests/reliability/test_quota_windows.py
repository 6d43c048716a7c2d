"""A gateway with a window shorter than the day, and one that sends only two headers."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud.const import DOMAIN
from custom_components.v2c_cloud.helpers import utcnow
from tests.sim_fixtures import SimHandle, SimSetup
from v2c_simulator import FaultKind
from v2c_simulator.quota import HeaderProfile

from .helpers import advance, assert_quota_in_step, charger, run_for
from .test_faults import assert_command_fails, set_current

MINUTE_LIMIT = 6


def _quota_issue(issue_registry: ir.IssueRegistry, entry: MockConfigEntry) -> object:
    return issue_registry.async_get_issue(DOMAIN, f"quota_exhausted_{entry.entry_id}")


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
