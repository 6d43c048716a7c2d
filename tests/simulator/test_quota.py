"""Quota per key: counting, exhaustion with 429, the fixed daily window."""

from __future__ import annotations

from datetime import UTC, datetime, time

from aiohttp import ClientSession
import pytest

from tests.sim_fixtures import SimHandle, SimSetup
from v2c_simulator import VirtualClock
from v2c_simulator.quota import HeaderProfile

from .helpers import api


@pytest.fixture(name="sim_setup")
def small_quota(clock: VirtualClock, request: pytest.FixtureRequest) -> SimSetup:
    """Serve a key with only five calls a day, reset at 02:00 UTC.

    Tests may change the gateway's windows and headers through `request.param`.
    """
    return SimSetup(
        clock=clock,
        daily_limit=5,
        reset_time=time(2, 0),
        **getattr(request, "param", {}),
    )


async def test_quota_exhaustion_and_reset(
    v2c_sim: SimHandle, client: ClientSession, clock: VirtualClock
) -> None:
    """Calls count down; then 429 with Retry-After (not counted) until the window resets."""
    remaining = [
        (await api(client, "GET", "/pairings/me")).headers["RateLimit-Remaining"]
        for _ in range(5)
    ]
    assert remaining == ["4", "3", "2", "1", "0"]

    limited = await api(client, "GET", "/pairings/me")
    assert limited.status == 429
    assert limited.headers["Retry-After"] == str(8 * 3600)
    assert limited.headers["RateLimit-Remaining"] == "0"
    quota = v2c_sim.sim.quota_for(v2c_sim.api_key)
    assert (quota.used, quota.remaining) == (5, 0)
    assert quota.resets_at == datetime(2026, 3, 3, 2, 0, tzinfo=UTC)

    clock.set(datetime(2026, 3, 3, 1, 59, 59, tzinfo=UTC))
    assert (await api(client, "GET", "/pairings/me")).headers["Retry-After"] == "1"
    clock.advance(1)
    again = await api(client, "GET", "/pairings/me")
    assert again.status == 200
    assert again.headers["RateLimit-Remaining"] == "4"
    assert again.headers["RateLimit-Reset"] == str(24 * 3600)


async def test_accounts_have_separate_quotas(
    v2c_sim: SimHandle, client: ClientSession
) -> None:
    """Each key has its own quota and its own chargers."""
    other = v2c_sim.sim.add_account("second-key", daily_limit=2)
    other.add_charger("pole")
    async with ClientSession(
        v2c_sim.base_url, headers={"apikey": "second-key"}
    ) as second:
        pairings = (await api(second, "GET", "/pairings/me")).body
        assert [p["deviceId"] for p in pairings] == ["POL0001"]
        assert (await api(second, "GET", "/pairings/me")).headers[
            "RateLimit-Remaining"
        ] == "0"
        assert (await api(second, "GET", "/pairings/me")).status == 429
    assert (await api(client, "GET", "/pairings/me")).headers[
        "RateLimit-Remaining"
    ] == "4"


async def test_external_consumer_spends_calls_over_the_day(
    v2c_sim: SimHandle, client: ClientSession, clock: VirtualClock
) -> None:
    """Another program's calls appear lazily as the clock moves, never beyond the limit."""
    sim = v2c_sim.sim
    sim.add_external_consumer(v2c_sim.api_key, calls_per_day=4)
    clock.set(datetime(2026, 3, 3, 2, 0, tzinfo=UTC))
    assert sim.quota_for(v2c_sim.api_key).used == 0
    clock.advance(6 * 3600 + 1)
    assert sim.quota_for(v2c_sim.api_key).used == 1
    clock.advance(12 * 3600)
    status = sim.quota_for(v2c_sim.api_key)
    assert (status.used, status.external_used) == (3, 3)
    assert (await api(client, "GET", "/pairings/me")).headers[
        "RateLimit-Remaining"
    ] == "1"
    assert (await api(client, "GET", "/pairings/me")).headers[
        "RateLimit-Remaining"
    ] == "0"
    clock.advance(5 * 3600)
    assert sim.quota_for(v2c_sim.api_key).external_used == 3
    with pytest.raises(ValueError, match="calls_per_day"):
        sim.add_external_consumer(v2c_sim.api_key, calls_per_day=0)


@pytest.mark.parametrize("sim_setup", [{"minute_limit": 3}], indirect=True)
async def test_a_minute_window_next_to_the_day_as_kong_sends_it(
    v2c_sim: SimHandle, client: ClientSession, clock: VirtualClock
) -> None:
    """Generic headers follow the window with the fewest calls left; each is named."""
    clock.advance(20)
    first = (await api(client, "GET", "/pairings/me")).headers
    assert (first["RateLimit-Limit"], first["RateLimit-Remaining"]) == ("3", "2")
    assert first["RateLimit-Reset"] == "40"
    assert first["X-RateLimit-Remaining-Minute"] == "2"
    assert (first["X-RateLimit-Limit-Day"], first["X-RateLimit-Remaining-Day"]) == (
        "5",
        "4",
    )
    await api(client, "GET", "/pairings/me")
    await api(client, "GET", "/pairings/me")

    refused = await api(client, "GET", "/pairings/me")
    assert refused.status == 429
    assert refused.headers["Retry-After"] == "40"
    assert refused.headers["X-RateLimit-Remaining-Day"] == "2"
    assert v2c_sim.sim.quota_for(v2c_sim.api_key).used == 3

    clock.advance(40)
    after = (await api(client, "GET", "/pairings/me")).headers
    # A tie goes to the longer window, as in Kong.
    assert (after["RateLimit-Limit"], after["RateLimit-Remaining"]) == ("5", "1")
    assert after["X-RateLimit-Remaining-Minute"] == "2"


@pytest.mark.parametrize(
    "sim_setup", [{"header_profile": HeaderProfile.DOCUMENTED}], indirect=True
)
async def test_documented_headers_only(
    v2c_sim: SimHandle, client: ClientSession
) -> None:
    """Only Limit and Remaining, and only on an answered call."""
    for _ in range(4):
        await api(client, "GET", "/pairings/me")
    answered = await api(client, "GET", "/pairings/me")
    assert {h for h in answered.headers if "ratelimit" in h.lower()} == {
        "RateLimit-Limit",
        "RateLimit-Remaining",
    }
    refused = await api(client, "GET", "/pairings/me")
    assert refused.status == 429
    assert not [h for h in refused.headers if "ratelimit" in h.lower()]
    assert "Retry-After" in refused.headers
