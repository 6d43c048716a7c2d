"""Scenarios and their driver on the virtual clock."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from aiohttp import ClientSession
import pytest

from tests.sim_fixtures import SimHandle
from v2c_simulator import SCENARIOS, Scenario, ScenarioDriver, Simulator, VirtualClock
from v2c_simulator.scenarios import Command, EventKind

from .helpers import api

START = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
POLL = timedelta(minutes=60)


@pytest.fixture
def clock() -> VirtualClock:
    """Start at midnight, where scenarios begin their days."""
    return VirtualClock(START)


async def _run(
    sim: Simulator,
    driver: ScenarioDriver,
    clock: VirtualClock,
    client: ClientSession,
    days: int,
) -> list[Command]:
    """Run a scenario like the benchmark: timeline events, user commands, hourly polls."""
    end = START + timedelta(days=days)
    next_poll = START
    sent: list[Command] = []
    while clock.now() < end:
        moments = [end, next_poll, driver.next_event_at(), driver.next_command_at()]
        clock.set(min(m for m in moments if m is not None))
        driver.apply_until(clock.now())
        for command in driver.due_commands(clock.now()):
            params = {"deviceId": command.device_id}
            if command.value is not None:
                params["value"] = command.value
            answer = await api(client, "POST", command.path, **params)
            assert answer.status == 200, answer.text
            sent.append(command)
        if clock.now() >= next_poll:
            for charger in driver.chargers:
                live = await api(
                    client,
                    "POST",
                    "/device/currentstatecharge",
                    deviceId=charger.device_id,
                )
                assert live.status == 200
            next_poll += POLL
    return sent


async def test_commuter_thirty_days(v2c_sim: SimHandle, clock: VirtualClock) -> None:
    """A 30-day commuter run completes with ~30 sessions of ~4 h charging each."""
    sim = v2c_sim.sim
    driver = ScenarioDriver(sim, SCENARIOS["commuter"], START, api_key="bench-key")
    async with ClientSession(
        v2c_sim.base_url, headers={"apikey": "bench-key"}
    ) as client:
        sent = await _run(sim, driver, clock, client, 30)

    sessions = driver.chargers[0].state.sessions
    assert 28 <= len(sessions) <= 30
    energies = [s.energy_kwh for s in sessions]
    assert min(energies) >= 22
    assert max(energies) <= 32
    hours = [sum(1 for kwh in s.energy_by_hour if kwh > 0) for s in sessions]
    assert all(3 <= h <= 6 for h in hours)
    assert len({round(e, 1) for e in energies}) > 20
    assert len(sent) == 30 * 5
    assert sim.quota_for("bench-key").used <= 1000


async def test_three_chargers_staggered(
    v2c_sim: SimHandle, clock: VirtualClock
) -> None:
    """Three chargers on one key charge in staggered sessions of different lengths."""
    driver = ScenarioDriver(
        v2c_sim.sim, SCENARIOS["three_chargers"], START, api_key="k3"
    )
    async with ClientSession(v2c_sim.base_url, headers={"apikey": "k3"}) as client:
        await _run(v2c_sim.sim, driver, clock, client, 3)

    per_charger = [c.state.sessions for c in driver.chargers]
    assert [len(s) for s in per_charger] == [2, 2, 2]
    mean_energy = [sum(s.energy_kwh for s in sessions) / 2 for sessions in per_charger]
    assert mean_energy[2] < mean_energy[0] < mean_energy[1]
    assert {c.device_id for c in driver.chargers} == {"TRY0002", "TRY0003", "TRY0004"}


async def test_solar_days_vary(v2c_sim: SimHandle, clock: VirtualClock) -> None:
    """The solar scenario charges in daytime only, more on sunny days, with 40 commands."""
    driver = ScenarioDriver(v2c_sim.sim, SCENARIOS["solar"], START, api_key="sun")
    async with ClientSession(v2c_sim.base_url, headers={"apikey": "sun"}) as client:
        sent = await _run(v2c_sim.sim, driver, clock, client, 4)

    assert len(sent) == 4 * 40
    sessions = driver.chargers[0].state.sessions
    assert len(sessions) == 4
    assert all(s.energy_by_hour_fv is not None for s in sessions)
    assert all(8 <= s.start.hour <= 9 for s in sessions)
    assert len({round(s.energy_kwh, 1) for s in sessions}) == 4


def test_scenario_catalogue() -> None:
    """Every scenario the benchmark expects exists with its defining trait."""
    assert set(SCENARIOS) >= {
        "commuter",
        "solar",
        "three_chargers",
        "command_storm",
        "external_consumer",
        "restart",
        "develop",
    }
    assert SCENARIOS["commuter"].commands_per_day == 5
    assert SCENARIOS["solar"].commands_per_day == 40
    assert SCENARIOS["command_storm"].commands_per_day == 305
    assert SCENARIOS["external_consumer"].external_calls_per_day == 300
    assert SCENARIOS["restart"].restart_at == time(12, 0)
    assert len(SCENARIOS["three_chargers"].models) == 3


def test_day_plans_are_reproducible_and_vary() -> None:
    """The same day always plans the same; different days differ."""
    scenario: Scenario = SCENARIOS["commuter"]
    monday = scenario.day_plan(START, 0)
    assert monday == scenario.day_plan(START, 0)
    tuesday = scenario.day_plan(START + timedelta(days=1), 1)
    plug_times = [
        next(e.at for e in events if e.kind is EventKind.PLUG_IN) - midnight
        for (events, _), midnight in (
            (monday, START),
            (tuesday, START + timedelta(days=1)),
        )
    ]
    assert plug_times[0] != plug_times[1]
    assert all(
        abs(t - timedelta(hours=18, minutes=30)) <= timedelta(minutes=20)
        for t in plug_times
    )


def test_develop_scenario_charges_from_the_start(clock: VirtualClock) -> None:
    """The develop scenario's Trydan charges from the start; the Pole's car comes later."""
    sim = Simulator(clock)
    account = sim.add_account("dev")
    account.add_charger("trydan")
    start = clock.now()
    driver = ScenarioDriver(sim, SCENARIOS["develop"], start, account=account)
    assert [c.model.value for c in driver.chargers] == ["trydan", "pole"]
    assert driver.next_event_at() == start

    assert [e.kind for e in driver.apply_until(clock.now())] == [EventKind.PLUG_IN]
    assert driver.chargers[0].state.charge_state == 2
    clock.advance(299)
    assert driver.apply_until(clock.now()) == []
    assert driver.chargers[1].state.charge_state != 2
    clock.advance(1)
    assert [e.kind for e in driver.apply_until(clock.now())] == [EventKind.PLUG_IN]
    assert driver.chargers[1].state.charge_state == 2
    assert driver.next_command_at() is None


def test_outages_and_external_consumer(clock: VirtualClock) -> None:
    """Outage events take a charger offline and back; external calls spend quota."""
    sim = Simulator(clock)
    scenario = SCENARIOS["external_consumer"]
    driver = ScenarioDriver(sim, scenario, START)
    kinds: list[EventKind] = []
    while clock.now() < START + timedelta(days=30):
        due = driver.next_event_at()
        assert due is not None
        clock.set(due)
        for event in driver.apply_until(due):
            kinds.append(event.kind)
            if event.kind is EventKind.OFFLINE:
                assert not driver.chargers[0].connected()
    assert EventKind.OFFLINE in kinds
    assert kinds.count(EventKind.OFFLINE) == kinds.count(EventKind.ONLINE)
    clock.set(START + timedelta(days=30, hours=12))
    assert sim.quota_for("scenario-api-key").external_used == 150


@pytest.mark.parametrize("name", ["command_storm", "external_consumer", "restart"])
def test_commuter_variants_share_its_timeline(name: str) -> None:
    """The variants change only what the benchmark faces, not the charger's days."""
    for day in range(10):
        midnight = START + timedelta(days=day)
        variant = SCENARIOS[name].day_plan(midnight, day)
        commuter = SCENARIOS["commuter"].day_plan(midnight, day)
        assert variant[0] == commuter[0]
        assert commuter[1] == [c for c in variant[1] if c in commuter[1]]
