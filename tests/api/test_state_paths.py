"""The two paths of `currentstatecharge` when each answers for other chargers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp
from aiohttp import web

from custom_components.v2c_cloud.api import V2CClient
from tests.api.conftest import Serve

STATE = {"charge_state": "0", "power": "0.000000", "energy": "0.000000"}
TRYDAN = "TRY0001"
POLE = "POL0001"
READS = 5


def answering(
    device_id: str, heard: list[tuple[str, str]]
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Return a handler that knows one charger and answers 404 for any other."""

    async def handle(request: web.Request) -> web.Response:
        asked = request.query.get("deviceId", "")
        heard.append((request.path, asked))
        if asked == device_id:
            return web.json_response(STATE)
        return web.json_response({"message": "Device not found"}, status=404)

    return handle


async def test_each_charger_is_read_on_the_path_that_answers_it(
    session: aiohttp.ClientSession, serve: Serve
) -> None:
    """An account whose chargers answer on different paths: one call per read.

    The notes say both paths have been seen to work, and to keep the other as
    a fallback on 404. The path that worked is remembered per operation, not
    per charger, so reading the two chargers in turn flips it at every read:
    each read after the first costs a 404 and a second call, nearly doubling
    what live polling spends of the 1,000 calls.
    """
    heard: list[tuple[str, str]] = []
    app = web.Application()
    app.router.add_post(
        "/thirdparty/device/currentstatecharge", answering(TRYDAN, heard)
    )
    app.router.add_post("/device/currentstatecharge", answering(POLE, heard))
    client = V2CClient("key", session=session, base_url=await serve(app))

    for _ in range(READS):
        assert (await client.get_current_state(TRYDAN)).charge_state is not None
        assert (await client.get_current_state(POLE)).charge_state is not None

    # The first read of the second charger finds its path: one 404 at most.
    assert client.calls_made <= 2 * READS + 1, heard
