"""The gateway: routes, authentication, quota, rate-limit headers and the request log."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

from aiohttp import ClientSession
import pytest

from tests.seed_api import NEWER_CURRENT_STATE, SEED_OPERATIONS
from tests.sim_fixtures import SimHandle
from v2c_simulator import VirtualClock, key_hash

from .helpers import api

# The simulator serves the seed's operations and the newer spec's path.
ROUTED_OPERATIONS = sorted(SEED_OPERATIONS | {NEWER_CURRENT_STATE})


@pytest.mark.parametrize(("method", "path"), ROUTED_OPERATIONS)
async def test_every_seed_operation_is_routed(
    v2c_sim: SimHandle, client: ClientSession, method: str, path: str
) -> None:
    """Every operation answers (possibly 400 for missing parameters), never 404/405."""
    answer = await api(client, method, path)
    assert answer.status in (200, 400)
    assert answer.headers["RateLimit-Limit"] == "1000"


async def test_unknown_path_and_method(
    v2c_sim: SimHandle, client: ClientSession
) -> None:
    """Unknown paths are a JSON 404 (not counted); a known path's wrong method is 405."""
    unknown = await api(client, "GET", "/device/nothing")
    wrong_method = await api(client, "DELETE", "/device/reported", deviceId="TRY0001")

    assert unknown.status == 404
    assert unknown.body == {"message": "no Route matched with those values"}
    assert "RateLimit-Remaining" not in unknown.headers
    assert wrong_method.status == 405
    assert wrong_method.headers["RateLimit-Remaining"] == "999"
    assert v2c_sim.sim.quota_for(v2c_sim.api_key).used == 1


async def test_missing_and_wrong_key(v2c_sim: SimHandle) -> None:
    """No key or an unknown key: 401, no quota headers, nothing counted."""
    async with ClientSession(v2c_sim.base_url) as anonymous:
        missing = await api(anonymous, "GET", "/pairings/me")
    async with ClientSession(
        v2c_sim.base_url, headers={"apikey": "not-a-key"}
    ) as stranger:
        wrong = await api(stranger, "GET", "/pairings/me")

    assert (missing.status, wrong.status) == (401, 401)
    assert missing.body == {"message": "No API key found in request"}
    assert wrong.body == {"message": "Invalid authentication credentials"}
    assert "RateLimit-Limit" not in wrong.headers
    assert v2c_sim.sim.quota_for(v2c_sim.api_key).used == 0


async def test_revoked_key(v2c_sim: SimHandle, client: ClientSession) -> None:
    """A revoked key gets 401 on every call from then on."""
    assert (await api(client, "GET", "/pairings/me")).status == 200
    v2c_sim.sim.revoke_key(v2c_sim.api_key)
    for _ in range(3):
        assert (await api(client, "GET", "/pairings/me")).status == 401
    assert v2c_sim.sim.quota_for(v2c_sim.api_key).used == 1


async def test_rate_limit_headers(
    v2c_sim: SimHandle, client: ClientSession, clock: VirtualClock
) -> None:
    """Every counted response carries the Kong headers; Date follows the simulated clock."""
    answer = await api(
        client, "POST", "/device/intensity", deviceId="TRY0001", value="99"
    )

    assert answer.status == 400
    assert answer.headers["RateLimit-Limit"] == "1000"
    assert answer.headers["RateLimit-Remaining"] == "999"
    assert answer.headers["X-RateLimit-Limit-Day"] == "1000"
    assert answer.headers["X-RateLimit-Remaining-Day"] == "999"
    assert answer.headers["RateLimit-Reset"] == str(6 * 3600)
    assert parsedate_to_datetime(answer.headers["Date"]) == clock.now()


async def test_request_log(
    v2c_sim: SimHandle, client: ClientSession, clock: VirtualClock
) -> None:
    """The log keeps method, path, query, body, key hash, status and time, never the key."""
    await api(
        client,
        "POST",
        "/device/timer",
        deviceId="TRY0001",
        timerId="1",
        body={"timeStart": "22:00", "timeEnd": "06:00", "daysOfWeek": "1"},
    )
    await api(
        client,
        "POST",
        "/device/startcharge",
        deviceId="TRY0001",
    )
    async with client.post(
        "/device/startcharge", params={"deviceId": "TRY0001"}, data="not json"
    ) as resp:
        assert resp.status == 200

    records = v2c_sim.sim.request_log
    assert [r.path for r in records] == [
        "/device/timer",
        "/device/startcharge",
        "/device/startcharge",
    ]
    first = records[0]
    assert first.method == "POST"
    assert first.query == {"deviceId": "TRY0001", "timerId": "1"}
    assert first.body == {"timeStart": "22:00", "timeEnd": "06:00", "daysOfWeek": "1"}
    assert first.key_hash == key_hash(v2c_sim.api_key) != v2c_sim.api_key
    assert (first.status, first.time, first.counted) == (200, clock.now(), True)
    assert records[1].body is None
    assert records[2].body == "not json"
    assert v2c_sim.api_key not in repr(records)
    assert v2c_sim.sim.log_for(v2c_sim.api_key) == records
    v2c_sim.sim.clear_log()
    assert v2c_sim.sim.request_log == []
