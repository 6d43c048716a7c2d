"""Fixtures for the client tests: a client talking to the simulator over 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable

import aiohttp
from aiohttp import web
import pytest

from custom_components.v2c_cloud.api import V2CClient
from tests.sim_fixtures import SimHandle


@pytest.fixture
async def session(socket_enabled: None) -> AsyncGenerator[aiohttp.ClientSession]:
    """Return an HTTP session closed after the test."""
    async with aiohttp.ClientSession() as http:
        yield http


@pytest.fixture
def client(v2c_sim: SimHandle, session: aiohttp.ClientSession) -> V2CClient:
    """Return a client for the simulator's default account."""
    return V2CClient(v2c_sim.api_key, session=session, base_url=v2c_sim.base_url)


type Serve = Callable[[web.Application], Awaitable[str]]


@pytest.fixture
async def serve(socket_enabled: None) -> AsyncGenerator[Serve]:
    """Serve small stand-in apps on 127.0.0.1 for cases the simulator cannot show."""
    runners: list[web.AppRunner] = []

    async def start(app: web.Application) -> str:
        runner = web.AppRunner(app)
        await runner.setup()
        runners.append(runner)
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        return f"http://127.0.0.1:{runner.addresses[0][1]}"

    yield start
    for runner in runners:
        await runner.cleanup()
