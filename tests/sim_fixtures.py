"""Pytest fixtures serving the V2C Cloud simulator on 127.0.0.1.

tests/conftest.py loads this module as a plugin (``pytest_plugins``); override
``sim_setup`` to change the world, e.g.::

    @pytest.fixture
    def sim_setup() -> SimSetup:
        return SimSetup(models=("trydan", "pole"), daily_limit=50)
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from datetime import time

import pytest

from v2c_simulator import Account, Charger, Clock, Simulator, Wire
from v2c_simulator.quota import HeaderProfile
from v2c_simulator.server import RunningServer, start_server

DEFAULT_API_KEY = "test-api-key-7f3c9e2a"
DEFAULT_DEVICE_ID = "TRY0001"
DEFAULT_TAG = "Garage"


@dataclass(frozen=True, kw_only=True)
class SimSetup:
    """How to build the simulated cloud; the first charger is TRY0001 "Garage".

    Trydans answer as a real one on firmware 2.4.6 unless `wire` says otherwise.
    """

    models: tuple[str, ...] = ("trydan",)
    api_key: str = DEFAULT_API_KEY
    daily_limit: int = 1000
    reset_time: time = time(0, 0)
    apply_delay: float = 0.0
    clock: Clock | None = None
    device_ids: tuple[str, ...] = (DEFAULT_DEVICE_ID,)
    tags: tuple[str, ...] = (DEFAULT_TAG,)
    wire: Wire = Wire.TRYDAN_2_4_6
    fb_limits: bool = False
    minute_limit: int | None = None
    header_profile: HeaderProfile = HeaderProfile.KONG


@dataclass
class SimHandle:
    """A running simulator with one account."""

    base_url: str
    api_key: str
    sim: Simulator
    account: Account
    chargers: list[Charger]
    server: RunningServer = field(repr=False)

    @property
    def device_id(self) -> str:
        """Return the first charger's device id."""
        return self.chargers[0].device_id

    @property
    def charger(self) -> Charger:
        """Return the first charger."""
        return self.chargers[0]

    def spend_quota(self, leave: int = 0, api_key: str | None = None) -> None:
        """Let another program spend a key's quota down to `leave` calls."""
        quota = self.sim.quota(api_key or self.api_key)
        while quota.status(self.sim.clock.now()).remaining > leave:
            if not quota.try_consume(self.sim.clock.now()):
                return


def build_simulator(setup: SimSetup) -> tuple[Simulator, Account]:
    """Create a simulator with one account and the chargers a setup asks for."""
    sim = Simulator(
        clock=setup.clock,
        daily_limit=setup.daily_limit,
        reset_time=setup.reset_time,
        apply_delay=setup.apply_delay,
        wire=setup.wire,
        fb_limits=setup.fb_limits,
        minute_limit=setup.minute_limit,
        header_profile=setup.header_profile,
    )
    account = sim.add_account(setup.api_key)
    for index, model in enumerate(setup.models):
        account.add_charger(
            model,
            device_id=setup.device_ids[index]
            if index < len(setup.device_ids)
            else None,
            tag=setup.tags[index] if index < len(setup.tags) else None,
        )
    return sim, account


@pytest.fixture
def sim_setup() -> SimSetup:
    """Return the default world: one Trydan TRY0001 "Garage", no delay, 1,000 calls a day."""
    return SimSetup()


@pytest.fixture
async def v2c_sim(
    sim_setup: SimSetup, socket_enabled: None
) -> AsyncGenerator[SimHandle]:
    """Serve the simulator on 127.0.0.1 for one test, then stop it."""
    sim, account = build_simulator(sim_setup)
    server = await start_server(sim, "127.0.0.1", 0)
    try:
        yield SimHandle(
            base_url=server.base_url,
            api_key=sim_setup.api_key,
            sim=sim,
            account=account,
            chargers=list(account.chargers),
            server=server,
        )
    finally:
        await server.stop()
