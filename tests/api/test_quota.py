"""Quota headers are observed on every response and calls are counted."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
import pytest

from custom_components.v2c_cloud.api import (
    QuotaSnapshot,
    V2CAuthenticationError,
    V2CClient,
    V2CRateLimitError,
    V2CResponseError,
    V2CThrottledError,
)
from tests.sim_fixtures import DEFAULT_DEVICE_ID as D, SimHandle, SimSetup
from v2c_simulator import FaultKind
from v2c_simulator.quota import HeaderProfile


async def test_quota_observed_and_listener_called(
    v2c_sim: SimHandle, session: aiohttp.ClientSession
) -> None:
    seen: list[QuotaSnapshot] = []
    client = V2CClient(
        v2c_sim.api_key,
        session=session,
        base_url=v2c_sim.base_url,
        quota_listener=seen.append,
    )
    assert client.quota is None

    await client.get_pairings()
    await client.start_charge(D)

    status = v2c_sim.sim.quota_for(v2c_sim.api_key)
    assert client.quota is not None
    assert (client.quota.limit, client.quota.remaining) == (1000, status.remaining)
    assert status.remaining == 998
    assert client.quota.reset_after is not None
    assert client.quota.reset_at is not None
    assert abs((client.quota.reset_at - status.resets_at).total_seconds()) <= 2
    assert client.quota.observed_at.tzinfo is UTC
    assert [snapshot.remaining for snapshot in seen] == [999, 998]
    assert seen[-1] is client.quota


async def test_failed_calls_are_counted_and_update_quota(
    v2c_sim: SimHandle, client: V2CClient
) -> None:
    v2c_sim.sim.faults.set(FaultKind.FALSE_401, route="/pairings/me", count=1)
    v2c_sim.sim.faults.set(FaultKind.HTTP_503, route="/pairings/me", count=1)
    v2c_sim.sim.faults.set(FaultKind.EARLY_429, route="/pairings/me", count=1)

    with pytest.raises(V2CAuthenticationError):
        await client.get_pairings()
    with pytest.raises(V2CResponseError):
        await client.get_pairings()
    with pytest.raises(V2CRateLimitError):
        await client.get_pairings()

    assert client.calls_made == 3
    assert client.quota is not None
    assert client.quota.remaining == v2c_sim.sim.quota_for(v2c_sim.api_key).remaining


async def test_validation_error_is_not_counted(
    v2c_sim: SimHandle, client: V2CClient
) -> None:
    with pytest.raises(ValueError, match="amps"):
        await client.set_intensity(D, 99)
    assert client.calls_made == 0
    assert client.quota is None


@pytest.mark.parametrize("sim_setup", [SimSetup(daily_limit=2)])
async def test_exhausted_quota_raises_with_reset(
    v2c_sim: SimHandle, client: V2CClient
) -> None:
    await client.get_pairings()
    await client.get_pairings()
    with pytest.raises(V2CRateLimitError) as info:
        await client.get_pairings()

    resets_at = v2c_sim.sim.quota_for(v2c_sim.api_key).resets_at
    assert info.value.reset_at is not None
    assert abs((info.value.reset_at - resets_at).total_seconds()) <= 2
    assert client.quota is not None
    assert client.quota.remaining == 0
    assert "quota exhausted" in str(info.value)
    assert client.calls_made == 3
    assert datetime.now(UTC) < info.value.reset_at


@pytest.mark.parametrize("sim_setup", [SimSetup(minute_limit=2)])
async def test_a_full_minute_window_is_a_pause_not_the_day(
    v2c_sim: SimHandle, client: V2CClient
) -> None:
    await client.get_pairings()
    await client.get_pairings()
    with pytest.raises(V2CThrottledError) as info:
        await client.get_pairings()

    assert info.value.remaining == 998
    assert info.value.reset_at is not None
    assert (info.value.reset_at - datetime.now(UTC)).total_seconds() <= 60
    assert client.quota is not None
    assert (client.quota.limit, client.quota.remaining) == (1000, 998)
    assert client.quota.reset_after is None
    assert "998" in str(info.value)


@pytest.mark.parametrize(
    "sim_setup", [SimSetup(daily_limit=1, header_profile=HeaderProfile.DOCUMENTED)]
)
async def test_a_429_without_quota_headers_proves_nothing_about_the_day(
    v2c_sim: SimHandle, client: V2CClient
) -> None:
    await client.get_pairings()
    assert client.quota is not None
    assert (client.quota.limit, client.quota.reset_after) == (1, None)
    with pytest.raises(V2CRateLimitError) as info:
        await client.get_pairings()

    assert not isinstance(info.value, V2CThrottledError)
    assert info.value.remaining is None
    assert info.value.reset_at is not None
    assert "exhausted" not in str(info.value)
