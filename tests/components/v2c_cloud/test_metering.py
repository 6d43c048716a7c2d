"""Every request is charged to the planner by the client's meter, as its caller declared."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aiohttp
from aiohttp import web
import pytest

from custom_components.v2c_cloud.api import (
    V2CClient,
    V2CConnectionError,
    V2CRateLimitError,
)
from custom_components.v2c_cloud.budget import CallKind, PlannerSettings, QuotaPlanner
from custom_components.v2c_cloud.budget.planner import THROTTLE_PAUSE
from custom_components.v2c_cloud.metering import PlannerMeter, charged_as
from tests.sim_fixtures import DEFAULT_DEVICE_ID as D, SimHandle, SimSetup
from v2c_simulator import FaultKind
from v2c_simulator.gateway import Gateway

NOON = datetime(2026, 3, 2, 12, tzinfo=UTC)


def _client(
    v2c_sim: SimHandle, session: aiohttp.ClientSession, planner: QuotaPlanner
) -> V2CClient:
    return V2CClient(
        v2c_sim.api_key,
        session=session,
        base_url=v2c_sim.base_url,
        call_listener=PlannerMeter(planner),
    )


async def test_calls_are_charged_as_declared(v2c_sim: SimHandle) -> None:
    """Each kind lands in its own count; an undeclared call is paid as a command."""
    planner = QuotaPlanner(PlannerSettings(), now=NOON)
    async with aiohttp.ClientSession() as session:
        client = _client(v2c_sim, session, planner)
        with charged_as(CallKind.MAINTENANCE, NOON):
            await client.get_pairings()
        with charged_as(CallKind.POLL, NOON):
            await client.get_current_state(D)
        await client.start_charge(D)

    calls = planner.snapshot(NOON).calls_today
    assert dict(calls) == {
        CallKind.MAINTENANCE: 1,
        CallKind.POLL: 1,
        CallKind.CONFIRM: 0,
        CallKind.COMMAND: 1,
    }


@pytest.mark.parametrize("sim_setup", [SimSetup(daily_limit=1)])
async def test_a_429_stops_polling_until_the_reset(v2c_sim: SimHandle) -> None:
    """The meter hears the 429 and the planner stops polling."""
    now = datetime.now(UTC)
    planner = QuotaPlanner(PlannerSettings(), now=now)
    async with aiohttp.ClientSession() as session:
        client = _client(v2c_sim, session, planner)
        with charged_as(CallKind.POLL, now):
            await client.get_current_state(D)
            with pytest.raises(V2CRateLimitError):
                await client.get_current_state(D)

    assert planner.polling_blocked_until is not None
    assert planner.polling_blocked_until > now + timedelta(seconds=1)


async def test_only_calls_that_may_have_reached_the_cloud_are_charged(
    v2c_sim: SimHandle,
) -> None:
    """A refused connection costs nothing; a dropped one may have been counted by V2C."""
    planner = QuotaPlanner(PlannerSettings(), now=NOON)
    async with aiohttp.ClientSession() as session:
        nowhere = V2CClient(
            v2c_sim.api_key,
            session=session,
            base_url="http://127.0.0.1:9",
            call_listener=PlannerMeter(planner),
        )
        dropping = _client(v2c_sim, session, planner)
        v2c_sim.sim.faults.set(
            FaultKind.DROP_CONNECTION, route="/device/startcharge", count=1
        )
        with charged_as(CallKind.POLL, NOON), pytest.raises(V2CConnectionError):
            await nowhere.get_current_state(D)
        with pytest.raises(V2CConnectionError):
            await nowhere.start_charge(D)
        assert planner.remaining == 1000
        with pytest.raises(V2CConnectionError):
            await dropping.start_charge(D)

    calls = planner.snapshot(NOON).calls_today
    assert (calls[CallKind.POLL], calls[CallKind.COMMAND]) == (0, 1)
    assert planner.remaining == 999


async def test_a_bare_429_after_a_header_is_a_pause(
    v2c_sim: SimHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The meter hands a 429 without any header to the planner, whose count decides.

    The refused call is taken back: whatever refused it, Kong's limiter did
    not count it (a call through Kong would carry its quota headers).
    """

    def bare(_gateway: Gateway, _retry: int, _api_key: str) -> web.Response:
        return web.json_response({"message": "Too Many Requests"}, status=429)

    monkeypatch.setattr(Gateway, "_limited", bare)
    v2c_sim.sim.faults.set(FaultKind.EARLY_429, count=1)
    now = datetime.now(UTC)
    planner = QuotaPlanner(PlannerSettings(), now=now)
    planner.observe_quota(limit=1000, remaining=997, now=now)
    async with aiohttp.ClientSession() as session:
        client = _client(v2c_sim, session, planner)
        with charged_as(CallKind.POLL, now), pytest.raises(V2CRateLimitError):
            await client.get_current_state(D)

    assert planner.throttled(now)
    assert planner.polling_blocked_until == now + THROTTLE_PAUSE
    assert planner.remaining == 997
