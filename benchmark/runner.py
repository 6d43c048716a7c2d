"""Run one strategy through one scenario on the simulator's virtual clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

import aiohttp

from custom_components.v2c_cloud.api import (
    CallListener,
    QuotaSnapshot,
    V2CClient,
    V2CRateLimitError,
)
from custom_components.v2c_cloud.data import ChargerData
from custom_components.v2c_cloud.polling import DUE_RECHECK
from v2c_simulator import Simulator, VirtualClock, Wire
from v2c_simulator.charger import ApplyDelay, Charger
from v2c_simulator.scenarios import EventKind, Scenario, ScenarioDriver
from v2c_simulator.server import start_server

from .metrics import AgeFloor, RunMetrics
from .strategies import (
    FixedStrategy,
    PlannerStrategy,
    Strategy,
    anchor_interval_s,
    fixed_interval_s,
    sees_car,
    shows_charging,
    shows_live,
)

API_KEY = "bench-api-key"
DAILY_LIMIT = 1000
RESERVE = 50
START = datetime(2026, 3, 2, tzinfo=UTC)
# Ground truth (is the car charging?) is re-read at least this often, and the
# planner asked whether a read is due: as often as Home Assistant asks it, so
# the benchmark reads no sooner than the integration does.
TRUTH_STEP = DUE_RECHECK
STRATEGIES = ("planner", "fixed", "anchor")
# A yardstick only where another program shares the key (see make_strategy).
FIXED_LEFT = "fixed_left"

type DriverFactory = Callable[[Simulator, str], ScenarioDriver]


@dataclass(frozen=True)
class BenchCase:
    """A scenario with the quota it runs under and the driver that plays it."""

    scenario: Scenario
    daily_limit: int = DAILY_LIMIT
    reset_time: time = time(0, 0)
    make_driver: DriverFactory | None = None
    # Seconds a charger takes to apply a command, or a range each command's
    # delay is drawn from. Real ones take from a few seconds up to about 90; 0
    # keeps the figures comparable with earlier runs.
    apply_delay_s: ApplyDelay = 0.0

    @property
    def name(self) -> str:
        """Return the scenario's name."""
        return self.scenario.name

    def driver(self, sim: Simulator) -> ScenarioDriver:
        """Return a driver playing the scenario on this simulator."""
        if self.make_driver is not None:
            return self.make_driver(sim, API_KEY)
        return ScenarioDriver(sim, self.scenario, START, api_key=API_KEY)


def spent_elsewhere(case: BenchCase) -> int:
    """Return the calls a day other programs and the scenario's commands take."""
    return case.scenario.external_calls_per_day + case.scenario.commands_per_day


def left_for_fixed(case: BenchCase) -> int:
    """Return the calls a day `fixed_left` may spread: what the reserve and the rest leave."""
    return case.daily_limit - RESERVE - spent_elsewhere(case)


def make_strategy(
    name: str, client: V2CClient, device_ids: list[str], case: BenchCase
) -> Strategy:
    """Build a strategy by name for these chargers."""
    if name == "planner":
        return PlannerStrategy(client, device_ids)
    chargers = len(device_ids)
    if name in ("fixed", FIXED_LEFT):
        # `fixed` spreads the whole quota, as if the key were its own; next to
        # another program, or with many commands, it runs out and takes 429s.
        # FIXED_LEFT spreads only what the other programs and the commands
        # leave: the best a fixed interval can do within the quota.
        limit = case.daily_limit
        if name == FIXED_LEFT:
            limit -= spent_elsewhere(case)
        interval = fixed_interval_s(chargers, limit, RESERVE)
        return FixedStrategy(
            client, device_ids, name=name, interval_s=interval, reads_per_poll=1
        )
    interval = anchor_interval_s(chargers)
    return FixedStrategy(
        client, device_ids, name=name, interval_s=interval, reads_per_poll=2
    )


async def run(case: BenchCase | Scenario, strategy_name: str, days: int) -> RunMetrics:
    """Simulate `days` days of a scenario under one strategy and measure it."""
    if isinstance(case, Scenario):
        case = BenchCase(case)
    clock = VirtualClock(START)
    sim = Simulator(
        clock=clock,
        daily_limit=case.daily_limit,
        reset_time=case.reset_time,
        apply_delay=case.apply_delay_s,
        wire=Wire.TRYDAN_2_4_6,
    )
    driver = case.driver(sim)
    server = await start_server(sim, "127.0.0.1", 0)
    metrics = RunMetrics(
        age_floor=AgeFloor(
            reads_per_window=case.daily_limit - RESERVE - spent_elsewhere(case)
        )
    )
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
            strategy = make_strategy(strategy_name, client, device_ids, case)
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

    def not_counted(self, operation: str, device_id: str | None) -> None:
        if self.meter is not None:
            self.meter.not_counted(operation, device_id)

    def unanswered(self, operation: str, device_id: str | None) -> None:
        if self.meter is not None:
            self.meter.unanswered(operation, device_id)

    def rate_limited(self, err: V2CRateLimitError) -> None:
        if self.meter is not None:
            self.meter.rate_limited(err)


@dataclass(frozen=True)
class _World:
    clock: VirtualClock
    sim: Simulator
    driver: ScenarioDriver
    client: V2CClient


@dataclass
class _Watch:
    """What the benchmark knows about one charger that HA may not know yet."""

    charging: bool = False
    # The moment the data HA shows describes, and the read it came from.
    described_at: datetime | None = None
    seen_read: datetime | None = None
    offline_since: datetime | None = None
    # Outages in force: one inside another ends with the last of them.
    outages: int = 0
    frozen_s: float = 0.0
    start_since: datetime | None = None
    end_since: datetime | None = None
    plugged_at: datetime | None = None
    plug_day1: bool = field(default=False)


def _truly_charging(charger: Charger) -> bool:
    # Current, not the pilot state: a real Trydan's pilot stays at C while
    # exclusive PV holds the car at 0 A.
    return charger.state.current_a > 0


async def _simulate(
    world: _World, strategy: Strategy, metrics: RunMetrics, days: int
) -> None:
    clock, sim, driver, client = world.clock, world.sim, world.driver, world.client
    end = START + timedelta(days=days)
    day1_end = START + timedelta(days=1)
    restart_at = driver.scenario.restart_at
    next_restart = (
        START.replace(hour=restart_at.hour, minute=restart_at.minute)
        if restart_at
        else None
    )
    watches = [_Watch() for _ in driver.chargers]
    cloud_down_since: datetime | None = None
    cloud_outages_in_force = 0
    now = START
    calls_seen = 0
    await strategy.start(now)
    _observe(watches, driver.chargers, strategy, metrics, now)
    # The quota window the next span falls in, as of the last step.
    window = sim.quota_for(API_KEY).resets_at
    while now < end:
        candidates = [
            driver.next_event_at(),
            driver.next_command_at(),
            strategy.next_poll_at(now),
            next_restart,
            now + TRUTH_STEP,
            end,
        ]
        step_to = max(now, min(moment for moment in candidates if moment is not None))
        for index, watch in enumerate(watches):
            data = strategy.data(index)
            if watch.charging:
                metrics.staleness.add_span(now, step_to, data.state_at)
                metrics.car_charging_age.add_span(now, step_to, watch.described_at)
                # Nobody reads a charger off the cloud, or any while the cloud is down.
                silent = [
                    moment
                    for moment in (watch.offline_since, cloud_down_since)
                    if moment is not None
                ]
                metrics.age_floor.add_span(
                    window, now, step_to, min(silent) if silent else None
                )
            if watch.charging or shows_charging(data):
                metrics.true_age.add_span(now, step_to, watch.described_at)
            if watch.offline_since is not None and shows_live(data):
                watch.frozen_s += (step_to - now).total_seconds()
        now = clock.set(step_to)
        for event in driver.apply_until(now):
            # An outage that starts during another joins it and lasts until the
            # last of them ends, as the driver's does.
            if event.kind is EventKind.CLOUD_DOWN:
                cloud_outages_in_force += 1
                if cloud_down_since is None:
                    cloud_down_since = event.at
                    metrics.cloud_outages += 1
                continue
            if event.kind is EventKind.CLOUD_UP:
                cloud_outages_in_force = max(0, cloud_outages_in_force - 1)
                if not cloud_outages_in_force:
                    cloud_down_since = None
                continue
            watch = watches[event.charger]
            if event.kind is EventKind.PLUG_IN:
                _drop_unseen_plugin(watch, metrics)
                watch.plugged_at = event.at
                watch.plug_day1 = event.at < day1_end
            elif event.kind is EventKind.UNPLUG:
                # No later read can show a car that has left.
                _drop_unseen_plugin(watch, metrics)
            elif event.kind is EventKind.OFFLINE:
                watch.outages += 1
                if watch.offline_since is None:
                    watch.offline_since = event.at
                    watch.frozen_s = 0.0
            elif event.kind is EventKind.ONLINE:
                watch.outages = max(0, watch.outages - 1)
                if not watch.outages and watch.offline_since is not None:
                    metrics.frozen_visible_s.append(watch.frozen_s)
                    watch.offline_since = None
        outage = any(watch.offline_since is not None for watch in watches)
        for command in driver.due_commands(now):
            metrics.commands_sent += 1
            if not await strategy.command(now, command):
                metrics.commands_refused += 1
        if next_restart is not None and now >= next_restart:
            next_restart += timedelta(days=1)
            await strategy.start(now)
        await strategy.poll_due(now)
        _observe(watches, driver.chargers, strategy, metrics, now)
        spent = client.calls_made - calls_seen
        calls_seen = client.calls_made
        metrics.calls_per_day[now.date()] += spent
        quota = sim.quota_for(API_KEY)
        window = quota.resets_at
        metrics.calls_per_window[window] += spent
        if outage:
            metrics.outage_calls += spent
        if cloud_down_since is not None:
            metrics.cloud_outage_calls += spent
        metrics.observe_remaining(quota.remaining)
    for watch in watches:
        _drop_unseen_plugin(watch, metrics)


def _drop_unseen_plugin(watch: _Watch, metrics: RunMetrics) -> None:
    """Count a plug-in HA can no longer show as one it never showed."""
    # Overwritten or forgotten, a visit HA missed would leave no trace, and a
    # strategy missing short visits would get a better mean than one seeing them late.
    if watch.plugged_at is not None and watch.plug_day1:
        metrics.plugins_day1_unseen += 1
    watch.plugged_at = None


def _observe(
    watches: list[_Watch],
    chargers: list[Charger],
    strategy: Strategy,
    metrics: RunMetrics,
    now: datetime,
) -> None:
    """Compare what HA shows with the truth after everything done at `now`."""
    for index, (watch, charger) in enumerate(zip(watches, chargers, strict=True)):
        data = strategy.data(index)
        if data.state_at is not None and data.state_at != watch.seen_read:
            watch.seen_read = data.state_at
            # The cloud serves an offline charger's last report: a read made
            # during an outage describes the moment the charger went silent.
            outage = watch.offline_since
            watch.described_at = (
                data.state_at if outage is None or data.state_at < outage else outage
            )
        _follow_charge(watch, _truly_charging(charger), data, metrics, now)
        if watch.plugged_at is not None and sees_car(data):
            delay = (now - watch.plugged_at).total_seconds()
            metrics.plugin_delays_s.append(delay)
            if watch.plug_day1:
                metrics.plugin_delays_day1_s.append(delay)
            watch.plugged_at = None


def _follow_charge(
    watch: _Watch,
    charging: bool,
    data: ChargerData,
    metrics: RunMetrics,
    now: datetime,
) -> None:
    """Time how long a real charge start or end takes to show in HA."""
    if charging != watch.charging:
        watch.charging = charging
        if charging:
            watch.start_since, watch.end_since = now, None
        else:
            if watch.start_since is not None:
                # A charge HA never showed: it was missed for its whole length.
                metrics.charge_start_delays_s.append(
                    (now - watch.start_since).total_seconds()
                )
            watch.start_since, watch.end_since = None, now
    read = data.state_at
    if (
        watch.start_since is not None
        and read is not None
        and read >= watch.start_since
        and shows_charging(data)
    ):
        metrics.charge_start_delays_s.append((now - watch.start_since).total_seconds())
        watch.start_since = None
    if watch.end_since is not None and (
        not shows_live(data)
        or (read is not None and read >= watch.end_since and not shows_charging(data))
    ):
        metrics.charge_end_delays_s.append((now - watch.end_since).total_seconds())
        watch.end_since = None
