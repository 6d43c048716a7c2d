"""Fault injection: every kind, per route or global, by count or duration."""

from __future__ import annotations

import asyncio
import json
import time

from aiohttp import ClientError, ClientSession, ClientTimeout, ServerDisconnectedError
import pytest

from tests.sim_fixtures import SimHandle
from v2c_simulator import FaultKind, VirtualClock

from .helpers import api

REPORTED = "/device/reported"
DEVICE = {"deviceId": "TRY0001"}


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (FaultKind.HTTP_500, 500),
        (FaultKind.HTTP_502, 502),
        (FaultKind.HTTP_503, 503),
        (FaultKind.HTTP_504, 504),
    ],
)
async def test_server_errors_are_html_and_counted(
    v2c_sim: SimHandle, client: ClientSession, kind: FaultKind, status: int
) -> None:
    """Gateway errors come as HTML pages; the call counts; the command is not run."""
    v2c_sim.sim.faults.set(kind, route="/device/intensity", count=1)

    failed = await api(client, "POST", "/device/intensity", value="10", **DEVICE)
    retried = await api(client, "POST", "/device/intensity", value="12", **DEVICE)

    assert failed.status == status
    assert failed.content_type == "text/html"
    assert f"<h1>{status}" in failed.text
    assert failed.headers["RateLimit-Remaining"] == "999"
    assert retried.status == 200
    assert v2c_sim.charger.state.intensity == 12
    assert [r.fault for r in v2c_sim.sim.request_log] == [kind, None]


async def test_portal_page_comes_with_200_and_runs_nothing(
    v2c_sim: SimHandle, client: ClientSession
) -> None:
    v2c_sim.sim.faults.set(
        FaultKind.PORTAL_PAGE_200, route="/device/intensity", count=1
    )

    page = await api(client, "POST", "/device/intensity", value="10", **DEVICE)

    assert page.status == 200
    assert page.content_type == "text/html"
    assert "<form" in page.text
    assert v2c_sim.charger.state.intensity != 10


async def test_fault_only_hits_its_route(
    v2c_sim: SimHandle, client: ClientSession
) -> None:
    """A route fault leaves other routes alone and expires after its count."""
    v2c_sim.sim.faults.set(FaultKind.HTTP_503, route=REPORTED, count=3)

    assert (await api(client, "GET", "/pairings/me")).status == 200
    statuses = [(await api(client, "GET", REPORTED, **DEVICE)).status for _ in range(4)]

    assert statuses == [503, 503, 503, 200]
    assert v2c_sim.sim.faults.active == []


async def test_global_fault_until_cleared(
    v2c_sim: SimHandle, client: ClientSession
) -> None:
    """Without route or count a fault hits everything until cleared."""
    rule = v2c_sim.sim.faults.set(FaultKind.HTTP_500)
    assert (await api(client, "GET", "/pairings/me")).status == 500
    assert (await api(client, "GET", REPORTED, **DEVICE)).status == 500
    assert rule.hits == 2
    assert rule.as_dict()["kind"] == "http_500"

    v2c_sim.sim.faults.clear()
    assert (await api(client, "GET", "/pairings/me")).status == 200


async def test_first_matching_fault_wins(
    v2c_sim: SimHandle, client: ClientSession
) -> None:
    """With two failures active, the older one answers and the other waits its turn."""
    first = v2c_sim.sim.faults.set(FaultKind.HTTP_500, count=1)
    second = v2c_sim.sim.faults.set(FaultKind.HTTP_502, count=1)

    statuses = [(await api(client, "GET", "/pairings/me")).status for _ in range(3)]

    assert statuses == [500, 502, 200]
    assert (first.hits, second.hits) == (1, 1)


async def test_false_401_for_a_period(
    v2c_sim: SimHandle, client: ClientSession, clock: VirtualClock
) -> None:
    """A valid key is refused for a while (counted, with quota headers), then works."""
    v2c_sim.sim.faults.set(FaultKind.FALSE_401, duration_s=600)

    refused = await api(client, "GET", "/pairings/me")
    clock.advance(599)
    still = await api(client, "GET", "/pairings/me")
    clock.advance(1)
    accepted = await api(client, "GET", "/pairings/me")

    assert (refused.status, still.status, accepted.status) == (401, 401, 200)
    assert refused.headers["RateLimit-Remaining"] == "999"
    assert accepted.headers["RateLimit-Remaining"] == "997"


async def test_early_429_is_not_counted(
    v2c_sim: SimHandle, client: ClientSession
) -> None:
    """A 429 before the quota is spent carries Retry-After and costs nothing."""
    v2c_sim.sim.faults.set(FaultKind.EARLY_429, count=1)

    limited = await api(client, "GET", "/pairings/me")

    assert limited.status == 429
    assert limited.headers["Retry-After"] == "60"
    assert limited.headers["RateLimit-Remaining"] == "1000"
    assert v2c_sim.sim.quota_for(v2c_sim.api_key).used == 0
    assert not v2c_sim.sim.request_log[0].counted


async def test_malformed_json(v2c_sim: SimHandle, client: ClientSession) -> None:
    """A cut-off JSON body with a JSON content type; the command still ran."""
    v2c_sim.sim.faults.set(FaultKind.MALFORMED_JSON, count=3)

    answers = [
        await api(client, "GET", REPORTED, **DEVICE),
        await api(client, "POST", "/device/intensity", value="10", **DEVICE),
        await api(client, "POST", "/device/startcharge", **DEVICE),
    ]

    for answer in answers:
        assert answer.status == 200
        assert answer.content_type == "application/json"
        with pytest.raises(json.JSONDecodeError):
            json.loads(answer.text)
    assert v2c_sim.charger.state.intensity == 10


async def test_json_as_text_plain(v2c_sim: SimHandle, client: ClientSession) -> None:
    """Valid JSON served as text/plain."""
    v2c_sim.sim.faults.set(FaultKind.TEXT_PLAIN_JSON, route="/version")

    answer = await api(client, "GET", "/version", **DEVICE)

    assert answer.content_type == "text/plain"
    assert answer.body == {"versionId": "2.4.6"}


async def test_bare_scalars(v2c_sim: SimHandle, client: ClientSession) -> None:
    """Bare scalar bodies in turn: true, "OK", 1."""
    v2c_sim.sim.faults.set(FaultKind.BARE_SCALAR, route="/device/locked")

    bodies = [
        (await api(client, "POST", "/device/locked", value="1", **DEVICE)).text
        for _ in range(4)
    ]

    assert bodies == ["true", '"OK"', "1", "true"]
    assert v2c_sim.charger.state.locked


async def test_empty_bodies(v2c_sim: SimHandle, client: ClientSession) -> None:
    """Empty 200 and empty 204 answers; the operation ran."""
    v2c_sim.sim.faults.set(FaultKind.EMPTY_200, route="/device/dynamic", count=1)
    v2c_sim.sim.faults.set(FaultKind.EMPTY_204, route="/device/logo_led", count=1)

    empty = await api(client, "POST", "/device/dynamic", value="1", **DEVICE)
    no_content = await api(client, "POST", "/device/logo_led", value="0", **DEVICE)

    assert (empty.status, empty.text) == (200, "")
    assert (no_content.status, no_content.text) == (204, "")
    assert v2c_sim.charger.state.dynamic
    assert not v2c_sim.charger.state.logo_led


async def test_latency(v2c_sim: SimHandle, client: ClientSession) -> None:
    """Added latency delays the answer, which is otherwise normal."""
    v2c_sim.sim.faults.set(FaultKind.LATENCY, latency_s=0.2, count=1)
    v2c_sim.sim.faults.set(FaultKind.HTTP_503, count=1)

    started = time.monotonic()
    answer = await api(client, "GET", "/pairings/me")

    assert time.monotonic() - started >= 0.2
    assert answer.status == 503
    assert (await api(client, "GET", "/pairings/me")).status == 200


async def test_hang_until_client_gives_up(
    v2c_sim: SimHandle, client: ClientSession
) -> None:
    """A hanging request never answers; the client times out; the call was counted."""
    v2c_sim.sim.faults.set(FaultKind.HANG, count=1)

    with pytest.raises(TimeoutError):
        await client.get("/pairings/me", timeout=ClientTimeout(total=0.2))
    await asyncio.sleep(0.05)

    record = v2c_sim.sim.request_log[0]
    assert (record.status, record.counted, record.fault) == (0, True, FaultKind.HANG)
    assert (await api(client, "GET", "/pairings/me")).status == 200


async def test_hang_released_when_server_stops(
    v2c_sim: SimHandle, client: ClientSession
) -> None:
    """Stopping the server answers hanging requests so nothing lingers."""
    v2c_sim.sim.faults.set(FaultKind.HANG)
    request = asyncio.create_task(api(client, "GET", "/pairings/me"))
    await asyncio.sleep(0.1)

    await v2c_sim.server.stop()

    try:
        answer = await request
    except ClientError:
        return
    assert answer.status == 504


async def test_dropped_connection(v2c_sim: SimHandle, client: ClientSession) -> None:
    """The connection closes without any response."""
    v2c_sim.sim.faults.set(
        FaultKind.DROP_CONNECTION, route="/device/startcharge", count=1
    )

    with pytest.raises(ServerDisconnectedError):
        await api(client, "POST", "/device/startcharge", **DEVICE)

    record = v2c_sim.sim.request_log[0]
    assert (record.status, record.counted) == (0, True)
    assert (await api(client, "POST", "/device/startcharge", **DEVICE)).status == 200


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"count": 0}, "count"),
        ({"duration_s": 0}, "duration_s"),
        ({"latency_s": -1}, "latency_s"),
    ],
)
def test_fault_options_are_checked(
    v2c_sim: SimHandle, options: dict[str, float], message: str
) -> None:
    """Nonsense counts, durations and latencies are refused."""
    with pytest.raises(ValueError, match=message):
        v2c_sim.sim.faults.set(FaultKind.HTTP_500, **options)  # type: ignore[arg-type]
