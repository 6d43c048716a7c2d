"""Scheduling under hostile quota replies, failing listeners, clock jumps and unloads."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from unittest.mock import patch

from aiohttp import web
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_TURN_OFF, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import event as ha_event, issue_registry as ir
from homeassistant.util import dt as dt_util
from homeassistant.util.async_ import get_scheduled_timer_handles
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud.budget.models import PlannerSettings
from custom_components.v2c_cloud.const import DOMAIN
from custom_components.v2c_cloud.helpers import utcnow
from tests.sim_fixtures import SimHandle
from v2c_simulator import FaultKind
from v2c_simulator.gateway import Gateway

from .helpers import charger, entity_of, rate_limited_calls, run_for, unavailable
from .test_faults import set_current

DAY = timedelta(days=1)
MAX_WAIT = timedelta(hours=24, minutes=5)


def requests(v2c_sim: SimHandle) -> int:
    """Return every request the simulator received."""
    return len(v2c_sim.sim.request_log)


async def test_real_429_means_silence_until_the_reset(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Another program empties the quota: one 429, then not one call until midnight."""
    v2c_sim.spend_quota()
    await run_for(hass, freezer, timedelta(hours=11, minutes=50))
    # Only the poll that found out: the 15-minute re-check made ~47 more before.
    assert rate_limited_calls(v2c_sim) == 1
    assert ir.async_get(hass).async_get_issue(
        DOMAIN, f"quota_exhausted_{init_integration.entry_id}"
    )
    calls = requests(v2c_sim)
    await run_for(hass, freezer, timedelta(hours=1))
    assert requests(v2c_sim) > calls
    assert rate_limited_calls(v2c_sim) == 1
    assert charger(init_integration, v2c_sim.device_id).last_update_success
    assert unavailable(hass, init_integration) == []


async def test_planner_spent_quota_makes_no_call(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The planner sees the quota spent: no poll at all, so never our own 429."""
    v2c_sim.spend_quota(leave=3)
    await run_for(hass, freezer, timedelta(hours=1))
    planner = init_integration.runtime_data.planner
    assert planner.polling_blocked_until is not None
    calls = requests(v2c_sim)
    await run_for(hass, freezer, timedelta(hours=10))
    assert requests(v2c_sim) == calls
    assert rate_limited_calls(v2c_sim) == 0


async def test_commands_still_go_out_when_polling_stops_for_the_reserve(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Another program spends the key down to the command reserve.

    Polling stops to keep the reserve, and the reserve is for commands: hours
    later the live values are unavailable, the controls are not, and a new
    charge current and a pause both reach the charger, confirmed from the
    reserve too (one settings read for both, when their window ends), with no
    poll after.
    """
    reserve = PlannerSettings().command_reserve
    v2c_sim.spend_quota(leave=reserve)
    planner = init_integration.runtime_data.planner
    await run_for(hass, freezer, timedelta(minutes=10))
    assert planner.polling_blocked_until is not None
    assert v2c_sim.sim.quota_for(v2c_sim.api_key).remaining <= reserve
    calls = requests(v2c_sim)
    await run_for(hass, freezer, timedelta(hours=2))
    assert requests(v2c_sim) == calls
    switch = entity_of(hass, Platform.SWITCH, v2c_sim.device_id, "charging")
    shown = unavailable(hass, init_integration)
    assert (
        entity_of(hass, Platform.SENSOR, v2c_sim.device_id, "charging_power") in shown
    )
    assert switch not in shown

    await set_current(hass, v2c_sim.device_id, 12)
    await hass.services.async_call(
        Platform.SWITCH, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: switch}, blocking=True
    )
    assert v2c_sim.charger.state.intensity == 12
    assert v2c_sim.charger.state.paused
    await run_for(hass, freezer, timedelta(hours=1))
    assert [
        (record.path, record.status) for record in v2c_sim.sim.request_log[calls:]
    ] == [
        ("/device/intensity", 200),
        ("/device/pausecharge", 200),
        ("/device/reported", 200),
    ]
    assert planner.polling_blocked_until is not None
    assert rate_limited_calls(v2c_sim) == 0


async def test_controls_go_unavailable_once_no_command_may_go_out(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """With the key spent to the last call, a control would only fail: it is unavailable."""
    v2c_sim.spend_quota(leave=0)
    await run_for(hass, freezer, timedelta(hours=2))
    switch = entity_of(hass, Platform.SWITCH, v2c_sim.device_id, "charging")
    assert switch in unavailable(hass, init_integration)


def hostile_429(retry_after: str, reset: str) -> Callable[..., web.Response]:
    """Return a replacement for the gateway's 429 with the given time headers."""

    def limited(self: Gateway, retry: int, api_key: str) -> web.Response:
        response = web.json_response({"message": "API rate limit exceeded"}, status=429)
        response.headers["Retry-After"] = retry_after
        response.headers["RateLimit-Reset"] = reset
        return response

    return limited


@pytest.mark.parametrize(
    ("retry_after", "reset"),
    [
        ("999999999", "999999999"),
        ("Fri, 31 Dec 9999 23:59:59 GMT", "999999999"),
        ("-5", "-5"),
    ],
)
async def test_absurd_server_times_are_clamped_and_not_stored(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
    *,
    retry_after: str,
    reset: str,
) -> None:
    """A 429 saying "come back in 31 years" blocks a day at most and is not saved."""
    monkeypatch.setattr(Gateway, "_limited", hostile_429(retry_after, reset))
    v2c_sim.sim.faults.set(FaultKind.EARLY_429, count=1)
    await run_for(hass, freezer, timedelta(hours=1))
    planner = init_integration.runtime_data.planner
    blocked = planner.polling_blocked_until
    assert blocked is None or blocked <= utcnow() + MAX_WAIT
    assert planner.reset_at <= utcnow() + MAX_WAIT
    saved = planner.to_dict()
    for moment in (saved["reset_at"], saved["rate_limited_until"]):
        assert moment is None or datetime.fromisoformat(moment) <= utcnow() + MAX_WAIT
    await run_for(hass, freezer, DAY + timedelta(hours=1), step=timedelta(minutes=10))
    assert charger(init_integration, v2c_sim.device_id).last_update_success
    assert unavailable(hass, init_integration) == []


async def test_a_raising_listener_does_not_stop_polling(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A listener that overflows on every update: the charger is still polled."""
    coordinator = charger(init_integration, v2c_sim.device_id)

    def overflowing() -> None:
        raise OverflowError("date value out of range")

    coordinator.async_add_listener(overflowing)
    await run_for(hass, freezer, timedelta(minutes=30))
    first = coordinator.data.state_at
    await run_for(hass, freezer, timedelta(hours=2))
    assert coordinator.data.state_at is not None
    assert first is not None
    assert coordinator.data.state_at - first > timedelta(hours=1)
    assert any("Unexpected error" in r.getMessage() for r in caplog.records)


async def test_a_raising_planner_does_not_stop_polling(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Planning the next read overflows once: a retry is armed, polling goes on."""
    coordinator = charger(init_integration, v2c_sim.device_id)
    real = coordinator.poller.next_refresh_at
    failures = iter([OverflowError("date value out of range")])

    def flaky(now: datetime) -> datetime | None:
        for err in failures:
            raise err
        return real(now)

    monkeypatch.setattr(coordinator.poller, "next_refresh_at", flaky)
    coordinator.async_schedule_refresh_at()
    calls = requests(v2c_sim)
    await run_for(hass, freezer, timedelta(hours=1))
    assert requests(v2c_sim) > calls


class SkewedWallClock:
    """The host's wall clock set wrong while the loop's monotonic clock runs on."""

    def __init__(
        self, monkeypatch: pytest.MonkeyPatch, step: timedelta = timedelta(minutes=2)
    ) -> None:
        """Patch the wall clock the integration reads; run timers in steps of `step`."""
        self.offset = timedelta(0)
        self.step = step
        real_utcnow = dt_util.utcnow
        monkeypatch.setattr(dt_util, "utcnow", lambda: real_utcnow() + self.offset)

    async def run_for(
        self, hass: HomeAssistant, freezer: FrozenDateTimeFactory, duration: timedelta
    ) -> None:
        """Run the loop's due timers as a host whose wall clock is skewed would.

        The test harness fires timers with the true time as the wall clock;
        here timers fall due by the loop's clock and see the skewed wall clock.
        """
        for _ in range(int(duration / self.step)):
            freezer.tick(self.step)
            skewed = dt_util.utcnow()
            for handle in list(get_scheduled_timer_handles(hass.loop)):
                if not isinstance(handle, asyncio.TimerHandle) or handle.cancelled():
                    continue
                if handle.when() > hass.loop.time() + 1:
                    continue
                with (
                    patch.object(ha_event, "time_tracker_utcnow", return_value=skewed),
                    patch.object(
                        ha_event,
                        "time_tracker_timestamp",
                        return_value=skewed.timestamp(),
                    ),
                ):
                    handle._run()
                    handle.cancel()
            await hass.async_block_till_done(wait_background_tasks=True)


@pytest.mark.parametrize("jump", [-DAY, DAY])
async def test_wall_clock_jump_neither_stops_polling_nor_burns_quota(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
    *,
    jump: timedelta,
) -> None:
    """The host clock moves a day: polling continues at its usual pace."""
    clock = SkewedWallClock(monkeypatch)
    await clock.run_for(hass, freezer, timedelta(hours=1))
    calls = requests(v2c_sim)
    await clock.run_for(hass, freezer, timedelta(hours=1))
    usual = requests(v2c_sim) - calls

    clock.offset = jump
    calls = requests(v2c_sim)
    await clock.run_for(hass, freezer, timedelta(hours=1))
    spent = requests(v2c_sim) - calls
    assert spent >= 1
    assert spent <= 2 * usual + 3
    assert rate_limited_calls(v2c_sim) == 0


@pytest.mark.parametrize(
    "jump", [timedelta(0), timedelta(hours=-3), timedelta(days=-1)], ids=str
)
async def test_periodic_reads_go_on_after_the_clock_is_set_back(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
    *,
    jump: timedelta,
) -> None:
    """Connectivity every 2 h, settings and pairings every 6 h, whatever the jump."""
    clock = SkewedWallClock(monkeypatch)
    await clock.run_for(hass, freezer, timedelta(hours=1))
    clock.offset = jump
    calls = requests(v2c_sim)
    await clock.run_for(hass, freezer, timedelta(hours=7))
    paths = [record.path for record in v2c_sim.sim.request_log[calls:]]
    periodic = ("/device/connected", "/device/reported", "/pairings/me")
    assert [paths.count(path) for path in periodic] == [3, 1, 1]
