"""Answers of the V2C Cloud the entry must ride out: lost answers, bare 429s, no server.

Each test drives the simulator on 127.0.0.1 into one way the real cloud can
answer, and checks what the user sees and what the quota planner counts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiohttp import web
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.lock import LockState
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_LOCK, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud.helpers import utcnow
from tests.sim_fixtures import SimHandle, SimSetup
from v2c_simulator import FaultKind
from v2c_simulator.faulty import html_error
from v2c_simulator.gateway import Gateway

from .helpers import (
    advance,
    assert_quota_in_step,
    charger,
    entity_of,
    run_for,
    strip_429_headers,
)
from .test_faults import set_current

LOCKED = "/device/locked"
REPORTED_PATH = "/device/reported"
STATE_PATH = "/thirdparty/device/currentstatecharge"
# Within the ~90 s a charger may take to apply a command (the API notes).
SLOW_APPLY_S = 40.0

type Respond = Callable[..., Awaitable[web.StreamResponse]]


def gateway_504(response: web.StreamResponse, _request: web.Request) -> web.Response:
    """Return Kong's 504 page, with the quota headers of the call it counted."""
    page = html_error(504, "Gateway Time-out")
    page.headers.update(
        {k: v for k, v in response.headers.items() if "ratelimit" in k.lower()}
    )
    return page


def dropped(_response: web.StreamResponse, request: web.Request) -> web.Response:
    """Close the connection before any answer reaches the client."""
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=499)


def answer_lost_after_running(
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    lose: Callable[[web.StreamResponse, web.Request], web.Response],
) -> None:
    """Let the cloud run the command on path, then lose its answer."""
    respond: Respond = Gateway._respond

    async def taken(
        self: Gateway, request: web.Request, *args: object
    ) -> web.StreamResponse:
        response = await respond(self, request, *args)
        return lose(response, request) if request.path == path else response

    monkeypatch.setattr(Gateway, "_respond", taken)


@pytest.mark.parametrize(
    "sim_setup", [SimSetup(apply_delay=SLOW_APPLY_S)], indirect=False
)
@pytest.mark.parametrize("lose", [gateway_504, dropped], ids=["504", "dropped"])
async def test_a_command_taken_before_its_answer_was_lost_shows_once_applied(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
    *,
    lose: Callable[[web.StreamResponse, web.Request], web.Response],
) -> None:
    """The cloud took the lock command, then its gateway timed out or the line dropped.

    The integration knows the command may have been taken and reads the
    settings once, 15 s on, before the charger applied it (it takes up to
    ~90 s). An answered command is read again when that window ends; this one
    is not, and the lock shows unlocked until the six-hourly settings read.
    """
    answer_lost_after_running(monkeypatch, LOCKED, lose)
    lock = entity_of(hass, Platform.LOCK, v2c_sim.device_id, "locked")
    assert hass.states.get(lock).state == LockState.UNLOCKED

    with pytest.raises(HomeAssistantError) as raised:
        await hass.services.async_call(
            Platform.LOCK, SERVICE_LOCK, {ATTR_ENTITY_ID: lock}, blocking=True
        )
    assert raised.value.translation_key == "communication_error"

    await run_for(hass, freezer, timedelta(minutes=10), step=timedelta(seconds=5))
    assert v2c_sim.charger.state.locked is True
    assert hass.states.get(lock).state == LockState.LOCKED


async def test_a_command_failed_before_the_cloud_ran_it_is_confirmed_as_never_applied(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The gateway answered the lock 502 without passing it on: nothing changes.

    A 502 may come before or after the cloud ran the command, so it is read
    again as its window ends, like an answered command; it costs no more, and
    the lock never shows a value the charger does not have.
    """
    lock = entity_of(hass, Platform.LOCK, v2c_sim.device_id, "locked")
    v2c_sim.sim.faults.set(FaultKind.HTTP_502, route=LOCKED, count=1)
    v2c_sim.sim.clear_log()
    with pytest.raises(HomeAssistantError):
        await hass.services.async_call(
            Platform.LOCK, SERVICE_LOCK, {ATTR_ENTITY_ID: lock}, blocking=True
        )

    shown = set()
    for _ in range(20):
        shown.add(hass.states.get(lock).state)
        await run_for(hass, freezer, timedelta(seconds=5), step=timedelta(seconds=5))
    assert v2c_sim.charger.state.locked is False
    assert shown == {LockState.UNLOCKED}
    log = v2c_sim.sim.request_log
    assert [r.path for r in log].count(REPORTED_PATH) == 2
    # The user was told the command failed; the log need not say it again.
    assert "did not apply" not in caplog.text


async def test_a_429_without_any_header_does_not_end_the_day(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A bare 429 (no Retry-After, no quota header) minutes after 997 calls were left.

    Kong's limiter sends Retry-After and the quota headers with every 429, so
    a bare one comes from something else (a proxy's or the backend's burst
    limit) and proves nothing about the day. The entry must not stop reading
    the charger, and refuse every command, for the twelve hours to midnight.
    """

    strip_429_headers(monkeypatch)
    coordinator = charger(init_integration, v2c_sim.device_id)
    due = coordinator.poller.next_refresh_at(utcnow())
    assert due is not None
    v2c_sim.sim.faults.set(FaultKind.EARLY_429, count=1)
    await advance(hass, freezer, due - utcnow() + timedelta(seconds=1))
    log = v2c_sim.sim.request_log
    assert [r.status for r in log if r.fault] == [429]
    assert v2c_sim.sim.quota_for(v2c_sim.api_key).remaining > 900
    refused_at = len(log)

    await run_for(hass, freezer, timedelta(minutes=90))
    assert [r.status for r in log[refused_at:] if r.path == STATE_PATH][:1] == [200]
    assert coordinator.last_update_success
    await set_current(hass, v2c_sim.device_id, 12)
    assert v2c_sim.charger.state.intensity == 12


async def test_calls_that_never_reached_the_cloud_are_not_charged(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Two hours in which the cloud refuses connections: no call reaches it.

    The client itself does not count a refused connection, but the planner is
    told of each request before it is sent and never told it did not leave:
    'Calls remaining' falls by every attempt while V2C's count stays put.
    """
    planner = init_integration.runtime_data.planner
    client = init_integration.runtime_data.client
    await run_for(hass, freezer, timedelta(hours=1))
    assert_quota_in_step(init_integration, v2c_sim)
    await v2c_sim.server.stop()
    made = client.calls_made

    await run_for(hass, freezer, timedelta(hours=2))
    assert client.calls_made == made
    assert planner.remaining == v2c_sim.sim.quota_for(v2c_sim.api_key).remaining
