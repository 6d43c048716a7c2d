"""Run one strategy through one scenario on the simulator's virtual clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiohttp

from custom_components.v2c_cloud.api import (
    CallListener,
    QuotaSnapshot,
    V2CClient,
    V2CRateLimitError,
)
from v2c_simulator import Simulator, VirtualClock, Wire
from v2c_simulator.scenarios import EventKind, Scenario, ScenarioDriver
from v2c_simulator.server import start_server

from .metrics import RunMetrics
from .strategies import (
    FixedStrategy,
    PlannerStrategy,
    Strategy,
    anchor_interval_s,
    fixed_interval_s,
    sees_car,
)

API_KEY = "bench-api-key"
DAILY_LIMIT = 1000
RESERVE = 50
START = datetime(2026, 3, 2, tzinfo=UTC)
# Ground truth (is the car charging?) is re-read at least this often.
TRUTH_STEP = timedelta(seconds=10)
STRATEGIES = ("planner", "fixed", "anchor")


def make_strategy(name: str, client: V2CClient, device_ids: list[str]) -> Strategy:
    """Build a strategy by name for these chargers."""
    if name == "planner":
        return PlannerStrategy(client, device_ids)
    chargers = len(device_ids)
    if name == "fixed":
        interval = fixed_interval_s(chargers, DAILY_LIMIT, RESERVE)
        return FixedStrategy(
            client, device_ids, name=name, interval_s=interval, reads_per_poll=1
        )
    interval = anchor_interval_s(chargers)
    return FixedStrategy(
        client, device_ids, name=name, interval_s=interval, reads_per_poll=2
    )


async def run(scenario: Scenario, strategy_name: str, days: int) -> RunMetrics:
    """Simulate `days` days of `scenario` under one strategy and measure it."""
    clock = VirtualClock(START)
    sim = Simulator(clock=clock, daily_limit=DAILY_LIMIT, wire=Wire.TRYDAN_2_4_6)
    driver = ScenarioDriver(sim, scenario, START, api_key=API_KEY)
    server = await start_server(sim, "127.0.0.1", 0)
    metrics = RunMetrics()
    strategy: Strategy | None = None

    def on_quota(snapshot: QuotaSnapshot) -> None:
        if strategy is not None:
            strategy.observe_quota(clock.now(), snapshot.limit, snapshot.remaining)

    calls = _StrategyCalls()

    try:
        async with aiohttp.ClientSession() as session:
            client = V2CClient(
                API_KEY,
                session=session,
                base_url=server.base_url,
                quota_listener=on_quota,
                call_listener=calls,
            )
            device_ids = [charger.device_id for charger in driver.chargers]
            strategy = make_strategy(strategy_name, client, device_ids)
            calls.meter = strategy.meter
            world = _World(clock, sim, driver, client)
            await _simulate(world, strategy, metrics, days)
            metrics.http_429 = strategy.rate_limited
    finally:
        await server.stop()
    return metrics


class _StrategyCalls:
    """Hand the client's call events to the strategy's meter, once it has one."""

    def __init__(self) -> None:
        self.meter: CallListener | None = None

    def sending(self, operation: str, device_id: str | None) -> None:
        if self.meter is not None:
            self.meter.sending(operation, device_id)

    def rate_limited(self, err: V2CRateLimitError) -> None:
        if self.meter is not None:
            self.meter.rate_limited(err)


@dataclass(frozen=True)
class _World:
    clock: VirtualClock
    sim: Simulator
    driver: ScenarioDriver
    client: V2CClient


async def _simulate(
    world: _World, strategy: Strategy, metrics: RunMetrics, days: int
) -> None:
    clock, sim, driver, client = world.clock, world.sim, world.driver, world.client
    end = START + timedelta(days=days)
    restart_at = driver.scenario.restart_at
    next_restart = (
        START.replace(hour=restart_at.hour, minute=restart_at.minute)
        if restart_at
        else None
    )
    plugged_at: dict[int, datetime] = {}
    now = START
    calls_seen = 0
    await strategy.start(now)
    while now < end:
        charging = [charger.state.charge_state in (2, 3) for charger in driver.chargers]
        candidates = [
            driver.next_event_at(),
            driver.next_command_at(),
            strategy.next_poll_at(now),
            next_restart,
            now + TRUTH_STEP,
            end,
        ]
        step_to = max(now, min(moment for moment in candidates if moment is not None))
        for index, is_charging in enumerate(charging):
            if is_charging:
                metrics.staleness.add_span(now, step_to, strategy.data(index).state_at)
        now = clock.set(step_to)
        for event in driver.apply_until(now):
            if event.kind is EventKind.PLUG_IN:
                plugged_at[event.charger] = event.at
        for command in driver.due_commands(now):
            metrics.commands_sent += 1
            if not await strategy.command(now, command):
                metrics.commands_refused += 1
        if next_restart is not None and now >= next_restart:
            next_restart += timedelta(days=1)
            await strategy.start(now)
        await strategy.poll_due(now)
        for index, since in list(plugged_at.items()):
            if sees_car(strategy.data(index)):
                metrics.plugin_delays_s.append((now - since).total_seconds())
                del plugged_at[index]
        metrics.calls_per_day[now.date()] += client.calls_made - calls_seen
        calls_seen = client.calls_made
        metrics.observe_remaining(sim.quota_for(API_KEY).remaining)
