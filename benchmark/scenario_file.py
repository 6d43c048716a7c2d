"""Scenarios described in a JSON file, so anyone can measure their own pattern.

A file names a quota (limit, reset time, other programs) and, per charger, the
sessions of a day as uniform ranges; `README.md` ("Benchmark") documents the keys.
The days are drawn from the file's seed, so a run is reproducible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
import json
from pathlib import Path
import random
from typing import Any

from v2c_simulator import Simulator
from v2c_simulator.charger import ApplyDelay, apply_delay_of, delay_bounds
from v2c_simulator.scenarios import Command, Event, EventKind, Scenario, ScenarioDriver
from v2c_simulator.state import Model, Timer
from v2c_simulator.timers import parse_hhmm

from .runner import START, BenchCase

# Power of a Trydan at its default 32 A on one phase: turns charge hours into energy.
CHARGE_KW = 32 * 230.0 / 1000
_WEEK = 7
_TIMER_ID = 1
# The user's commands: settings only, so a day's last command never leaves the
# charger paused (pause and resume are measured by the classic scenarios).
FILE_CYCLE: tuple[tuple[str, str | None], ...] = (
    ("/device/intensity", "16"),
    ("/device/logo_led", "0"),
    ("/device/intensity", "32"),
    ("/device/logo_led", "1"),
    ("/device/min_car_int", "6"),
    ("/device/dynamic", "0"),
)
# Without a given stay, a car leaves this long after its charge would end.
_DEFAULT_STAY_AFTER_S = 3600.0

type Span = tuple[float, float]


class ScenarioFileError(ValueError):
    """The scenario file is not in the documented format."""


@dataclass(frozen=True)
class ResumeSpec:
    """The plugged-in car charges again at `at` for `charge_minutes` (preconditioning, a top-up)."""

    at: Span
    charge_minutes: Span


@dataclass(frozen=True)
class SessionSpec:
    """A car's daily visit: when it comes, how long it charges, when it goes."""

    arrive: Span
    charge_hours: Span
    start_at: float | None = None
    stay_hours: Span | None = None
    # First and last day (0-based, inclusive) of the visit: a habit that changes.
    days: tuple[int, int] | None = None
    resumes: tuple[ResumeSpec, ...] = ()

    def comes_on(self, day: int) -> bool:
        """Tell whether this visit belongs to that day of the run."""
        return self.days is None or self.days[0] <= day <= self.days[1]


@dataclass(frozen=True)
class OutageSpec:
    """The charger drops off the cloud at `at` for `minutes`, every `every_days` days."""

    at: Span
    minutes: Span
    every_days: int = 1


@dataclass(frozen=True)
class ChargerSpec:
    """One charger and the cars that use it."""

    model: Model
    pv: bool
    sessions: tuple[SessionSpec, ...]
    days_without_car: int = 0
    outages: tuple[OutageSpec, ...] = ()


@dataclass(frozen=True, kw_only=True)
class FileScenario(Scenario):
    """A scenario whose days come from a scenario file."""

    chargers: tuple[ChargerSpec, ...] = ()
    # Times the whole cloud answers 503, whichever charger is asked about.
    cloud_outages: tuple[OutageSpec, ...] = ()
    daily_limit: int = 1000
    reset_time: time = time(0, 0)
    timer_starts: dict[tuple[int, datetime], float] = field(
        default_factory=dict, compare=False, hash=False
    )

    def day_plan(
        self, midnight: datetime, day: int
    ) -> tuple[list[Event], list[Command]]:
        """Return one day's arrivals, departures, outages, sky and commands."""
        rng = random.Random(f"{self.seed}:{day}")
        events: list[Event] = []
        if any(charger.pv for charger in self.chargers):
            events.append(
                Event(midnight, EventKind.PV_DAY, sky=round(rng.uniform(0.3, 1.0), 2))
            )
        for index, charger in enumerate(self.chargers):
            events.extend(self._sessions(index, charger, midnight, day, rng))
            for outage in charger.outages:
                events.extend(
                    _outage(
                        outage,
                        midnight,
                        day,
                        rng,
                        kind=EventKind.OFFLINE,
                        charger=index,
                    )
                )
        for outage in self.cloud_outages:
            events.extend(
                _outage(outage, midnight, day, rng, kind=EventKind.CLOUD_DOWN)
            )
        return events, self._commands(midnight, day, rng)

    def _sessions(
        self,
        index: int,
        charger: ChargerSpec,
        midnight: datetime,
        day: int,
        rng: random.Random,
    ) -> list[Event]:
        """Return a charger's plug-ins and unplugs of one day."""
        week = random.Random(f"{self.seed}:{index}:week:{day // _WEEK}")
        away = set(week.sample(range(_WEEK), min(charger.days_without_car, _WEEK)))
        if day % _WEEK in away:
            return []
        events: list[Event] = []
        for session in charger.sessions:
            if not session.comes_on(day):
                continue
            arrive = midnight + timedelta(seconds=_draw(rng, session.arrive))
            hours = _draw(rng, session.charge_hours)
            begins = arrive
            if session.start_at is not None:
                begins = _next_at(arrive, session.start_at)
                self.timer_starts[(index, arrive)] = session.start_at
            if session.stay_hours is not None:
                leave = arrive + timedelta(hours=_draw(rng, session.stay_hours))
            else:
                leave = begins + timedelta(hours=hours, seconds=_DEFAULT_STAY_AFTER_S)
            events.append(
                Event(arrive, EventKind.PLUG_IN, index, round(hours * CHARGE_KW, 2))
            )
            events.append(Event(leave, EventKind.UNPLUG, index))
            for resume in session.resumes:
                at = _next_at(arrive, _draw(rng, resume.at))
                kwh = round(_draw(rng, resume.charge_minutes) / 60 * CHARGE_KW, 2)
                if at < leave:
                    events.append(Event(at, EventKind.CAR_WANTS, index, kwh))
        return events


class FileScenarioDriver(ScenarioDriver):
    """Play a file scenario: every PV charger follows the sun, timers start charges."""

    scenario: FileScenario

    def __init__(self, sim: Simulator, scenario: FileScenario, api_key: str) -> None:
        """Prepare the chargers as the file describes them."""
        super().__init__(sim, scenario, START, api_key=api_key)
        for charger, spec in zip(self.chargers, scenario.chargers, strict=True):
            if spec.pv:
                charger.state.dynamic = True
                charger.state.pv_mode = 1

    def _daily_events(self) -> bool:
        """Return True: a file scenario's days always carry its cars' visits."""
        return True

    def _apply(self, event: Event) -> None:
        """Arm the charger's timer for a session that waits for it."""
        if event.kind is EventKind.PLUG_IN:
            start_at = self.scenario.timer_starts.pop((event.charger, event.at), None)
            charger = self.chargers[event.charger]
            if start_at is not None and not charger.plugged:
                # Charging is allowed from the timer's start until the time of
                # day the car arrived: only the start is delayed.
                begin = _hhmm(start_at)
                arrived = event.at
                end = _hhmm(arrived.hour * 3600 + arrived.minute * 60)
                charger.state.timers = {
                    _TIMER_ID: Timer(_TIMER_ID, begin, end, "1234567")
                }
        elif event.kind is EventKind.UNPLUG:
            self.chargers[event.charger].state.timers = {}
        super()._apply(event)


def load(path: Path) -> BenchCase:
    """Read a scenario file; raise ScenarioFileError when it is malformed."""
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise ScenarioFileError(f"{path}: {err}") from err
    return parse(data, default_name=path.stem)


def parse(data: object, *, default_name: str = "file") -> BenchCase:
    """Build a bench case from a decoded scenario file."""
    try:
        spec = _mapping(data, "scenario")
        chargers = tuple(
            _charger(item) for item in _sequence(spec["chargers"], "chargers")
        )
        reset = parse_hhmm(str(spec.get("reset_utc", "00:00")))
        scenario = FileScenario(
            name=str(spec.get("name", default_name)),
            description=str(spec.get("description", "")),
            models=tuple(charger.model for charger in chargers),
            spread_commands=int(spec.get("commands_per_day", 0)),
            spread_from=parse_hhmm(str(spec.get("commands_from", "07:00"))),
            spread_to=parse_hhmm(str(spec.get("commands_to", "23:00"))),
            spread_cycle=FILE_CYCLE,
            external_calls_per_day=int(spec.get("external_calls_per_day", 0)),
            restart_at=_optional_time(spec.get("restart_utc")),
            seed=int(spec.get("seed", 0)),
            chargers=chargers,
            cloud_outages=_outages(spec.get("cloud_outages", []), "cloud_outages"),
            daily_limit=int(spec.get("daily_limit", 1000)),
            reset_time=reset,
        )
    except ScenarioFileError:
        raise
    except (KeyError, TypeError, ValueError) as err:
        raise ScenarioFileError(f"{type(err).__name__}: {err}") from err
    if not chargers:
        raise ScenarioFileError("chargers: at least one charger is needed")
    if scenario.daily_limit < 1 or scenario.spread_commands < 0:
        raise ScenarioFileError("daily_limit must be positive, commands_per_day >= 0")
    apply_delay_s = parse_apply_delay(spec.get("apply_delay_s", 0.0))

    def driver(sim: Simulator, api_key: str) -> ScenarioDriver:
        return FileScenarioDriver(sim, scenario, api_key)

    return BenchCase(
        scenario,
        daily_limit=scenario.daily_limit,
        reset_time=reset,
        make_driver=driver,
        apply_delay_s=apply_delay_s,
    )


def parse_apply_delay(value: object, what: str = "apply_delay_s") -> ApplyDelay:
    """Return the seconds a charger takes to apply a command, checked.

    A [shortest, longest] pair (or "shortest-longest") draws each command's
    delay from that range, as a real charger's varies.
    """
    if isinstance(value, list | tuple) and len(value) != 2:
        raise ScenarioFileError(f"{what}: a range is [shortest, longest]")
    try:
        if isinstance(value, str):
            shortest, longest = delay_bounds(value)
        elif isinstance(value, list | tuple):
            shortest, longest = float(value[0]), float(value[1])
        else:
            shortest = longest = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as err:
        raise ScenarioFileError(f"{what}: {err}") from err
    if not 0.0 <= shortest <= longest <= 600.0:
        raise ScenarioFileError(f"{what} must be between 0 and 600, shortest first")
    return apply_delay_of(shortest, longest)


def _charger(data: object) -> ChargerSpec:
    spec = _mapping(data, "charger")
    return ChargerSpec(
        model=Model(str(spec.get("model", "trydan"))),
        pv=bool(spec.get("pv", False)),
        sessions=tuple(
            _session(item) for item in _sequence(spec.get("sessions", []), "sessions")
        ),
        days_without_car=int(spec.get("days_without_car", 0)),
        outages=_outages(spec.get("outages", []), "outages"),
    )


def _outages(data: object, what: str) -> tuple[OutageSpec, ...]:
    return tuple(
        OutageSpec(
            at=_span(outage["at"], clock=True),
            minutes=_span(outage["minutes"]),
            every_days=int(outage.get("every_days", 1)),
        )
        for outage in (_mapping(item, what) for item in _sequence(data, what))
    )


def _session(data: object) -> SessionSpec:
    spec = _mapping(data, "session")
    start_at = spec.get("start_at")
    stay = spec.get("stay_hours")
    return SessionSpec(
        arrive=_span(spec["arrive"], clock=True),
        charge_hours=_span(spec["charge_hours"]),
        start_at=None if start_at is None else _clock_s(str(start_at)),
        stay_hours=None if stay is None else _span(stay),
        days=_days(spec.get("days")),
        resumes=tuple(
            _resume(item) for item in _sequence(spec.get("resumes", []), "resumes")
        ),
    )


def _resume(data: object) -> ResumeSpec:
    spec = _mapping(data, "resume")
    return ResumeSpec(
        at=_span(spec["at"], clock=True), charge_minutes=_span(spec["charge_minutes"])
    )


def _days(value: object) -> tuple[int, int] | None:
    """Return a session's first and last day, from null or a [first, last] pair."""
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 2:
        raise ScenarioFileError(f"days is [first, last], not {value!r}")
    first, last = (int(item) for item in value)
    if not 0 <= first <= last:
        raise ScenarioFileError(f"days {value!r}: need 0 <= first <= last")
    return first, last


def _span(value: Any, *, clock: bool = False) -> Span:
    """Return a uniform range from a value or a [low, high] pair."""
    items: list[Any] = list(value) if isinstance(value, list) else [value]
    if len(items) not in (1, 2):
        raise ScenarioFileError(f"a range has one or two values, not {value!r}")
    numbers = [_clock_s(str(item)) if clock else float(item) for item in items]
    low, high = numbers[0], numbers[-1]
    if high < low:
        raise ScenarioFileError(f"range {value!r} ends before it starts")
    return low, high


def _clock_s(text: str) -> float:
    moment = parse_hhmm(text)
    return moment.hour * 3600.0 + moment.minute * 60.0 + moment.second


def _optional_time(value: object) -> time | None:
    return None if value is None else parse_hhmm(str(value))


def _mapping(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ScenarioFileError(f"{what}: expected an object, got {value!r}")
    return value


def _sequence(value: object, what: str) -> Sequence[Any]:
    if not isinstance(value, list):
        raise ScenarioFileError(f"{what}: expected a list, got {value!r}")
    return value


def _outage(
    outage: OutageSpec,
    midnight: datetime,
    day: int,
    rng: random.Random,
    *,
    kind: EventKind,
    charger: int = 0,
) -> list[Event]:
    """Return the day's start and end of an outage, if it comes that day."""
    if day % max(outage.every_days, 1):
        return []
    start = midnight + timedelta(seconds=_draw(rng, outage.at))
    end = start + timedelta(minutes=_draw(rng, outage.minutes))
    back = EventKind.ONLINE if kind is EventKind.OFFLINE else EventKind.CLOUD_UP
    return [Event(start, kind, charger), Event(end, back, charger)]


def _draw(rng: random.Random, span: Span) -> float:
    low, high = span
    return low if low == high else rng.uniform(low, high)


def _next_at(after: datetime, clock_s: float) -> datetime:
    midnight = after.replace(hour=0, minute=0, second=0, microsecond=0)
    moment = midnight + timedelta(seconds=clock_s)
    return moment if moment > after else moment + timedelta(days=1)


def _hhmm(clock_s: float) -> str:
    minutes = int(clock_s // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
