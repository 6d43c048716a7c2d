"""Fixtures for the simulator tests: HTTP against a served simulator on a virtual clock."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import UTC, datetime

from aiohttp import ClientSession
import pytest

from tests.sim_fixtures import SimHandle, SimSetup
from v2c_simulator import VirtualClock

START = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Skip Home Assistant setup: the simulator does not need it."""


@pytest.fixture
def clock() -> VirtualClock:
    """Return a virtual clock at Monday 2026-03-02 18:00 UTC."""
    return VirtualClock(START)


@pytest.fixture(name="sim_setup")
def virtual_sim_setup(clock: VirtualClock) -> SimSetup:
    """Serve the default world on the virtual clock."""
    return SimSetup(clock=clock)


@pytest.fixture
async def client(v2c_sim: SimHandle) -> AsyncGenerator[ClientSession]:
    """Return a session on the simulator that sends the account's key."""
    async with ClientSession(
        v2c_sim.base_url, headers={"apikey": v2c_sim.api_key}
    ) as session:
        yield session
