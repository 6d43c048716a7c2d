"""Scenarios: daily life around the chargers, and the commands a user sends.

The simulator applies the timeline (plug-ins, unplugs, outages, the sky); the benchmark
sends the scheduled commands through the integration's client. Each day varies a little
(seeded, so runs are reproducible); the commuter variants share the commuter's timeline.
Days start at 00:00 UTC. A benchmark loop on a virtual clock:

    driver = ScenarioDriver(sim, SCENARIOS["commuter"], start)
    while clock.now() < end:
        clock.set(min(end, driver.next_event_at(), driver.next_command_at(), next_poll))
        driver.apply_until(clock.now())
        for command in driver.due_commands(clock.now()):
            ...  # send command.path (a seed path) with command.value to command.device_id
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from enum import StrEnum
import heapq
import random

from .accounts import Account
from .charger import Charger
from .faults import FaultKind, FaultRule
from .simulator import Simulator
from .state import Model

PLANNING_HORIZON_DAYS = 400


class EventKind(StrEnum):
    """Something that happens to a charger or the site."""

    PLUG_IN = "plug_in"
    UNPLUG = "unplug"
    OFFLINE = "offline"
    ONLINE = "online"
    PV_DAY = "pv_day"
    # The cloud answers every request with a gateway 503 until CLOUD_UP.
    CLOUD_DOWN = "cloud_down"
    CLOUD_UP = "cloud_up"
    # A plugged-in car asks for more energy: cabin preconditioning before a
    # departure, or a top-up once the battery has drifted down.
    CAR_WANTS = "car_wants"


@dataclass(frozen=True, order=True)
class Event:
    """A timeline event; charger is an index into the scenario's chargers."""

    at: datetime
    kind: EventKind
    charger: int = 0
    energy_kwh: float = 0.0
    sky: float = 1.0


@dataclass(frozen=True, order=True)
class Command:
    """A user command for the benchmark to send: a seed operation path and its value."""

    at: datetime
    charger: int
    path: str
    value: str | None = field(default=None, compare=False)
    device_id: str = field(default="", compare=False)


@dataclass(frozen=True, kw_only=True)
class Habit:
    """A car that plugs in every day; it leaves the next day if unplug_at <= plug_at."""

    charger: int
    plug_at: time
    unplug_at: time
    energy_kwh: float


@dataclass(frozen=True)
class Slot:
    """A command sent every day at about the same time (value may alternate by day)."""

    at: time
    path: str
    values: tuple[str | None, ...] = (None,)
    charger: int = 0


@dataclass(frozen=True)
class Startup:
    """An event some seconds after the scenario starts."""

    after_s: float
    kind: EventKind
    charger: int = 0
    energy_kwh: float = 0.0


# Settings a Pole does not report (see render.POLE_LACKS), set by these paths.
POLE_ABSENT_COMMANDS = frozenset({"/device/dynamic", "/device/chargefvmode"})
SAFE_CYCLE: tuple[tuple[str, str | None], ...] = (
    ("/device/intensity", "16"),
    ("/device/logo_led", "0"),
    ("/device/intensity", "32"),
    ("/device/logo_led", "1"),
    ("/device/pausecharge", None),
    ("/device/startcharge", None),
    ("/device/min_car_int", "6"),
    ("/device/dynamic", "0"),
)
SOLAR_CYCLE: tuple[tuple[str, str | None], ...] = (
    ("/device/intensity", "16"),
    ("/device/chargefvmode", "0"),
    ("/device/intensity", "10"),
    ("/device/chargefvmode", "1"),
)


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """A reproducible world: chargers, their daily habits and the user's commands."""

    name: str
    description: str
    models: tuple[Model, ...]
    habits: tuple[Habit, ...] = ()
    slots: tuple[Slot, ...] = ()
    spread_commands: int = 0
    spread_from: time = time(0, 0)
    spread_to: time = time(23, 59)
    spread_cycle: tuple[tuple[str, str | None], ...] = SAFE_CYCLE
    pv: bool = False
    external_calls_per_day: int = 0
    restart_at: time | None = None
    startup: tuple[Startup, ...] = ()
    outage_chance: float = 0.0
    jitter_minutes: int = 20
    energy_jitter: float = 0.15
    seed: int = 0

    @property
    def commands_per_day(self) -> int:
        """Return how many commands the user sends each day."""
        return len(self.slots) + self.spread_commands

    def day_plan(
        self, midnight: datetime, day: int
    ) -> tuple[list[Event], list[Command]]:
        """Return the events and commands of one day (events may spill into the next)."""
        rng = random.Random(f"{self.seed}:{day}")
        jitter = timedelta(minutes=self.jitter_minutes)

        def around(moment: time, base: datetime = midnight) -> datetime:
            offset = timedelta(hours=moment.hour, minutes=moment.minute)
            return base + offset + rng.uniform(-1, 1) * jitter

        events: list[Event] = []
        if self.pv:
            events.append(
                Event(midnight, EventKind.PV_DAY, sky=round(rng.uniform(0.3, 1.0), 2))
            )
        for habit in self.habits:
            plug = around(habit.plug_at)
            next_day = midnight + timedelta(
                days=1 if habit.unplug_at <= habit.plug_at else 0
            )
            energy = habit.energy_kwh * (1 + rng.uniform(-1, 1) * self.energy_jitter)
            events.append(
                Event(plug, EventKind.PLUG_IN, habit.charger, round(energy, 2))
            )
            events.append(
                Event(
                    around(habit.unplug_at, next_day), EventKind.UNPLUG, habit.charger
                )
            )
        if rng.random() < self.outage_chance:
            charger = rng.randrange(len(self.models))
            start = midnight + timedelta(seconds=rng.uniform(0, 86400 - 1800))
            events.append(Event(start, EventKind.OFFLINE, charger))
            end = start + timedelta(minutes=rng.uniform(5, 30))
            events.append(Event(end, EventKind.ONLINE, charger))
        return events, self._commands(midnight, day, rng)

    def _commands(
        self, midnight: datetime, day: int, rng: random.Random
    ) -> list[Command]:
        """Return the day's commands: fixed slots plus evenly spread ones."""
        commands = [
            Command(
                midnight
                + timedelta(
                    hours=slot.at.hour,
                    minutes=slot.at.minute,
                    seconds=rng.randrange(300),
                ),
                slot.charger,
                slot.path,
                slot.values[day % len(slot.values)],
            )
            for slot in self.slots
        ]
        first = timedelta(hours=self.spread_from.hour, minutes=self.spread_from.minute)
        last = timedelta(hours=self.spread_to.hour, minutes=self.spread_to.minute)
        if last < first:
            # A window across midnight ("22:00" to "06:00") ends the next morning.
            last += timedelta(days=1)
        step = (last - first) / max(self.spread_commands, 1)
        for index in range(self.spread_commands):
            charger = index % len(self.models)
            path, value = self._cycle_command(index, self.models[charger])
            at = midnight + first + step * index + step * rng.random() * 0.5
            commands.append(Command(at, charger, path, value))
        return sorted(commands)

    def _cycle_command(self, index: int, model: Model) -> tuple[str, str | None]:
        """Return the cycle's next command that the charger's model offers.

        Home Assistant shows no control for a setting the charger does not
        report, so its user never sends it: a Pole's turn falls to the next one.
        """
        cycle = self.spread_cycle
        for step in range(len(cycle)):
            path, value = cycle[(index + step) % len(cycle)]
            if model is not Model.POLE or path not in POLE_ABSENT_COMMANDS:
                return path, value
        raise ValueError(f"no command of {self.name}'s cycle suits a {model}")


COMMUTER = Scenario(
    name="commuter",
    description="One Trydan; the car arrives ~18:30 needing ~27 kWh (~4 h) and leaves ~07:00.",
    models=(Model.TRYDAN,),
    habits=(
        Habit(charger=0, plug_at=time(18, 30), unplug_at=time(7, 0), energy_kwh=27.0),
    ),
    slots=(
        Slot(time(18, 45), "/device/intensity", ("24",)),
        Slot(time(20, 0), "/device/pausecharge"),
        Slot(time(20, 10), "/device/startcharge"),
        Slot(time(20, 15), "/device/intensity", ("32",)),
        Slot(time(7, 15), "/device/logo_led", ("0", "1")),
    ),
    outage_chance=0.1,
    seed=1,
)

SCENARIOS: dict[str, Scenario] = {
    scenario.name: scenario
    for scenario in (
        COMMUTER,
        Scenario(
            name="solar",
            description="One Trydan in exclusive PV mode; the car charges in daytime as the sun allows.",
            models=(Model.TRYDAN,),
            habits=(
                Habit(
                    charger=0,
                    plug_at=time(8, 30),
                    unplug_at=time(18, 30),
                    energy_kwh=18.0,
                ),
            ),
            spread_commands=40,
            spread_from=time(8, 0),
            spread_to=time(18, 0),
            spread_cycle=SOLAR_CYCLE,
            pv=True,
            seed=2,
        ),
        Scenario(
            name="three_chargers",
            description="Three Trydans on one key with staggered evening sessions of different lengths.",
            models=(Model.TRYDAN, Model.TRYDAN, Model.TRYDAN),
            habits=(
                Habit(
                    charger=0,
                    plug_at=time(17, 45),
                    unplug_at=time(6, 30),
                    energy_kwh=12.0,
                ),
                Habit(
                    charger=1,
                    plug_at=time(18, 30),
                    unplug_at=time(7, 0),
                    energy_kwh=25.0,
                ),
                Habit(
                    charger=2,
                    plug_at=time(20, 15),
                    unplug_at=time(7, 45),
                    energy_kwh=6.0,
                ),
            ),
            slots=(
                Slot(time(18, 0), "/device/intensity", ("16",), 0),
                Slot(time(19, 0), "/device/intensity", ("24",), 1),
                Slot(time(21, 0), "/device/intensity", ("32",), 0),
                Slot(time(22, 0), "/device/logo_led", ("0",), 2),
                Slot(time(7, 30), "/device/logo_led", ("1",), 2),
            ),
            outage_chance=0.1,
            seed=3,
        ),
        replace(
            COMMUTER,
            name="command_storm",
            description="The commuter, plus 300 user commands spread over each day.",
            spread_commands=300,
        ),
        replace(
            COMMUTER,
            name="external_consumer",
            description="The commuter, plus another program spending 300 calls a day on the key.",
            external_calls_per_day=300,
        ),
        replace(
            COMMUTER,
            name="restart",
            description="The commuter; the benchmark restarts Home Assistant at noon.",
            restart_at=time(12, 0),
        ),
        Scenario(
            name="develop",
            description="A Trydan whose car is plugged in and charging from the start, and a Pole whose car plugs in 5 min later.",
            models=(Model.TRYDAN, Model.POLE),
            habits=(
                Habit(
                    charger=0,
                    plug_at=time(18, 30),
                    unplug_at=time(7, 0),
                    energy_kwh=25.0,
                ),
            ),
            startup=(
                # Plugged in before Home Assistant's first read, so a newcomer
                # sees a charging car at once rather than after an idle poll.
                Startup(0, EventKind.PLUG_IN, 0, 22.0),
                Startup(300, EventKind.PLUG_IN, 1, 8.0),
            ),
            seed=4,
        ),
    )
}


class ScenarioDriver:
    """Applies a scenario's timeline to a simulator as its clock moves."""

    def __init__(
        self,
        sim: Simulator,
        scenario: Scenario,
        start: datetime,
        *,
        account: Account | None = None,
        api_key: str = "scenario-api-key",
    ) -> None:
        """Prepare the account and chargers; nothing happens before start."""
        self.sim = sim
        self.scenario = scenario
        self.start = start
        self.account = account or sim.add_account(api_key)
        for index, model in enumerate(scenario.models):
            if index >= len(self.account.chargers):
                self.account.add_charger(model, tag=f"{scenario.name} {index + 1}")
        self.chargers: list[Charger] = self.account.chargers[: len(scenario.models)]
        if scenario.pv:
            self.chargers[0].state.dynamic = True
            self.chargers[0].state.pv_mode = 1
        if scenario.external_calls_per_day:
            sim.add_external_consumer(
                self.account.api_key, scenario.external_calls_per_day
            )
        self._midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
        self._planned_days = 0
        self._events: list[Event] = [
            Event(start + timedelta(seconds=s.after_s), s.kind, s.charger, s.energy_kwh)
            for s in scenario.startup
        ]
        heapq.heapify(self._events)
        self._commands: list[Command] = []
        self._cloud_down: FaultRule | None = None
        # Outages in force, per charger and for the cloud: one that starts during
        # another joins it, and they end with the last of them.
        self._offline_count = [0] * len(self.chargers)
        self._cloud_down_count = 0

    def next_event_at(self) -> datetime | None:
        """Return when the next timeline event is due."""
        self._plan()
        return self._events[0].at if self._events else None

    def apply_until(self, now: datetime) -> list[Event]:
        """Apply every event due by now, each at its own moment; return them."""
        applied: list[Event] = []
        while (due := self.next_event_at()) is not None and due <= now:
            event = heapq.heappop(self._events)
            self._apply(event)
            applied.append(event)
        return applied

    def next_command_at(self) -> datetime | None:
        """Return when the next user command is due."""
        self._plan()
        return self._commands[0].at if self._commands else None

    def due_commands(self, now: datetime) -> list[Command]:
        """Return (once) the user commands due by now, with their device ids."""
        due: list[Command] = []
        while (at := self.next_command_at()) is not None and at <= now:
            command = heapq.heappop(self._commands)
            due.append(
                replace(command, device_id=self.chargers[command.charger].device_id)
            )
        return due

    def _daily_events(self) -> bool:
        """Return whether every day may bring events the plan must reach past."""
        scenario = self.scenario
        return bool(scenario.habits or scenario.pv or scenario.outage_chance)

    def _plan(self) -> None:
        """Plan days until the earliest pending items can no longer change."""
        scenario = self.scenario
        daily_events = self._daily_events()
        while self._planned_days < PLANNING_HORIZON_DAYS:
            settled = self._midnight + timedelta(days=self._planned_days - 1)
            events_final = not daily_events or (
                self._events and self._events[0].at < settled
            )
            commands_final = not scenario.commands_per_day or (
                self._commands and self._commands[0].at < settled
            )
            if events_final and commands_final:
                return
            midnight = self._midnight + timedelta(days=self._planned_days)
            events, commands = self.scenario.day_plan(midnight, self._planned_days)
            for event in events:
                if event.at >= self.start:
                    heapq.heappush(self._events, event)
            for command in commands:
                if command.at >= self.start:
                    heapq.heappush(self._commands, command)
            self._planned_days += 1

    def _apply(self, event: Event) -> None:
        """Apply one event at its own moment."""
        if event.kind is EventKind.PV_DAY:
            self.sim.site.set_day_factor(event.at.date(), event.sky)
            return
        if event.kind is EventKind.CLOUD_DOWN:
            self._cloud_down_count += 1
            if self._cloud_down is None:
                self._cloud_down = self.sim.faults.set(FaultKind.HTTP_503)
            return
        if event.kind is EventKind.CLOUD_UP:
            self._cloud_down_count = max(0, self._cloud_down_count - 1)
            if not self._cloud_down_count and self._cloud_down is not None:
                self.sim.faults.remove(self._cloud_down)
                self._cloud_down = None
            return
        charger = self.chargers[event.charger]
        if event.kind is EventKind.PLUG_IN:
            if not charger.plugged:
                charger.plug_in(event.energy_kwh, at=event.at)
        elif event.kind is EventKind.UNPLUG:
            charger.unplug(at=event.at)
        elif event.kind is EventKind.CAR_WANTS:
            charger.want_more(event.energy_kwh, at=event.at)
        elif event.kind is EventKind.OFFLINE:
            self._offline_count[event.charger] += 1
            if self._offline_count[event.charger] == 1:
                charger.set_online(False, at=event.at)
        elif event.kind is EventKind.ONLINE:
            count = max(0, self._offline_count[event.charger] - 1)
            self._offline_count[event.charger] = count
            if not count:
                charger.set_online(True, at=event.at)
