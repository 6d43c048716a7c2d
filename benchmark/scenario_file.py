"""Scenarios described in a JSON file, so anyone can measure their own pattern.

A file names a quota (limit, reset time, other programs) and, per charger, the
sessions of a day as uniform ranges; `README.md` ("Benchmark") documents the keys.
The days are drawn from the file's seed, so a run is reproducible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
import itertools
import json
import math
from pathlib import Path
import random
from typing import Any

from v2c_simulator import Simulator
from v2c_simulator.charger import ApplyDelay, apply_delay_of, delay_bounds
from v2c_simulator.scenarios import Command, Event, EventKind, Scenario, ScenarioDriver
from v2c_simulator.state import Model, Timer
from v2c_simulator.timers import parse_hhmm

from .runner import RESERVE, START, BenchCase

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
_DAY_S = 86_400.0
# A car arriving less than this long after its `start_at` finds the timer open
# and charges at once; one arriving later waits for the next `start_at`.
_TIMER_OPEN_S = 12 * 3600.0
# The keys of each level: any other is refused, as a misspelt key would be ignored.
TOP_KEYS = frozenset(
    {
        "apply_delay_s",
        "chargers",
        "cloud_outages",
        "commands_from",
        "commands_per_day",
        "commands_to",
        "daily_limit",
        "description",
        "external_calls_per_day",
        "name",
        "reset_utc",
        "restart_utc",
        "seed",
    }
)
CHARGER_KEYS = frozenset({"days_without_car", "model", "outages", "pv", "sessions"})
SESSION_KEYS = frozenset(
    {"arrive", "charge_hours", "days", "resumes", "start_at", "stay_hours"}
)
RESUME_KEYS = frozenset({"at", "charge_minutes"})
OUTAGE_KEYS = frozenset({"at", "every_days", "minutes"})

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
    # The timer window ("HH:MM" start and end) armed for each session that has
    # one, by charger and arrival.
    timer_windows: dict[tuple[int, datetime], tuple[str, str]] = field(
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
                opens = _hhmm(session.start_at)
                arrive_s = (arrive - midnight).total_seconds()
                if _timer_wait_s(arrive_s, session.start_at):
                    # Charging is allowed from the timer's start until the time
                    # of day the car arrived: only the start is delayed.
                    begins = _next_at(arrive, session.start_at)
                    window = (opens, _hhmm(arrive_s))
                else:
                    # The timer opened before the car came: a window open all
                    # day lets it charge at once for its whole charge.
                    window = (opens, opens)
                self.timer_windows[(index, arrive)] = window
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
        """Arm the charger's timer for a session that has one."""
        if event.kind is EventKind.PLUG_IN:
            window = self.scenario.timer_windows.pop((event.charger, event.at), None)
            charger = self.chargers[event.charger]
            if window is not None and not charger.plugged:
                begin, end = window
                charger.state.timers = {
                    _TIMER_ID: Timer(_TIMER_ID, begin, end, "1234567")
                }
        elif event.kind is EventKind.UNPLUG:
            self.chargers[event.charger].state.timers = {}
        super()._apply(event)


def load(path: Path, *, seed_offset: int = 0) -> BenchCase:
    """Read a scenario file; raise ScenarioFileError, naming the file, when it is malformed.

    `seed_offset` is added to the file's seed: the same pattern on other days.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as err:
        raise ScenarioFileError(
            f"{path}: not UTF-8 text (byte {err.start}: {err.reason}); save it as UTF-8"
        ) from err
    except (OSError, json.JSONDecodeError) as err:
        raise ScenarioFileError(f"{path}: {err}") from err
    try:
        return parse(data, default_name=path.stem, seed_offset=seed_offset)
    except ScenarioFileError as err:
        raise ScenarioFileError(f"{path}: {err}") from err


def parse(
    data: object, *, default_name: str = "file", seed_offset: int = 0
) -> BenchCase:
    """Build a bench case from a decoded scenario file, its seed moved by `seed_offset`."""
    spec = _mapping(data, "scenario")
    _known(spec, TOP_KEYS, "scenario")
    chargers = tuple(
        _charger(item, f"chargers[{index}]")
        for index, item in enumerate(
            _sequence(_required(spec, "chargers", ""), "chargers")
        )
    )
    if not chargers:
        raise ScenarioFileError("chargers: at least one charger is needed")
    daily_limit = _integer(spec.get("daily_limit", 1000), "daily_limit")
    if daily_limit <= RESERVE:
        # Every strategy keeps that many calls back: nothing would be left to poll with.
        raise ScenarioFileError(
            f"daily_limit: {daily_limit} leaves nothing above the {RESERVE}-call "
            f"reserve every strategy keeps; give more than {RESERVE}"
        )
    reset = _time(spec.get("reset_utc", "00:00"), "reset_utc")
    scenario = FileScenario(
        name=_text(spec.get("name", default_name), "name"),
        description=_text(spec.get("description", ""), "description"),
        models=tuple(charger.model for charger in chargers),
        spread_commands=_integer(spec.get("commands_per_day", 0), "commands_per_day"),
        spread_from=_time(spec.get("commands_from", "07:00"), "commands_from"),
        spread_to=_time(spec.get("commands_to", "23:00"), "commands_to"),
        spread_cycle=FILE_CYCLE,
        external_calls_per_day=_integer(
            spec.get("external_calls_per_day", 0), "external_calls_per_day"
        ),
        restart_at=_optional_time(spec.get("restart_utc"), "restart_utc"),
        seed=_integer(spec.get("seed", 0), "seed", low=None) + seed_offset,
        chargers=chargers,
        cloud_outages=_outages(spec.get("cloud_outages", []), "cloud_outages"),
        daily_limit=daily_limit,
        reset_time=reset,
    )
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


def _charger(data: object, where: str) -> ChargerSpec:
    spec = _mapping(data, where)
    _known(spec, CHARGER_KEYS, where)
    model = spec.get("model", "trydan")
    models = [known.value for known in Model]
    if model not in models:
        raise ScenarioFileError(
            f"{where}.model: {model!r} is not a model; use one of {', '.join(models)}"
        )
    pv = spec.get("pv", False)
    if not isinstance(pv, bool):
        raise ScenarioFileError(f"{where}.pv: expected true or false, got {pv!r}")
    sessions = tuple(
        _session(item, f"{where}.sessions[{index}]")
        for index, item in enumerate(
            _sequence(spec.get("sessions", []), f"{where}.sessions")
        )
    )
    _no_overlap(sessions, where)
    return ChargerSpec(
        model=Model(model),
        pv=pv,
        sessions=sessions,
        days_without_car=_integer(
            spec.get("days_without_car", 0),
            f"{where}.days_without_car",
            high=_WEEK,
        ),
        outages=_outages(spec.get("outages", []), f"{where}.outages"),
    )


def _outages(data: object, what: str) -> tuple[OutageSpec, ...]:
    outages = []
    for index, item in enumerate(_sequence(data, what)):
        where = f"{what}[{index}]"
        outage = _mapping(item, where)
        _known(outage, OUTAGE_KEYS, where)
        outages.append(
            OutageSpec(
                at=_span(_required(outage, "at", where), f"{where}.at", clock=True),
                minutes=_span(
                    _required(outage, "minutes", where),
                    f"{where}.minutes",
                    positive=True,
                ),
                every_days=_integer(
                    outage.get("every_days", 1), f"{where}.every_days", low=1
                ),
            )
        )
    return tuple(outages)


def _session(data: object, where: str) -> SessionSpec:
    spec = _mapping(data, where)
    _known(spec, SESSION_KEYS, where)
    start_at = spec.get("start_at")
    stay = spec.get("stay_hours")
    return SessionSpec(
        arrive=_span(_required(spec, "arrive", where), f"{where}.arrive", clock=True),
        charge_hours=_span(
            _required(spec, "charge_hours", where),
            f"{where}.charge_hours",
            positive=True,
        ),
        start_at=None if start_at is None else _clock_s(start_at, f"{where}.start_at"),
        stay_hours=None
        if stay is None
        else _span(stay, f"{where}.stay_hours", positive=True),
        days=_days(spec.get("days"), f"{where}.days"),
        resumes=tuple(
            _resume(item, f"{where}.resumes[{index}]")
            for index, item in enumerate(
                _sequence(spec.get("resumes", []), f"{where}.resumes")
            )
        ),
    )


def _resume(data: object, where: str) -> ResumeSpec:
    spec = _mapping(data, where)
    _known(spec, RESUME_KEYS, where)
    return ResumeSpec(
        at=_span(_required(spec, "at", where), f"{where}.at", clock=True),
        charge_minutes=_span(
            _required(spec, "charge_minutes", where),
            f"{where}.charge_minutes",
            positive=True,
        ),
    )


def _no_overlap(sessions: tuple[SessionSpec, ...], where: str) -> None:
    """Refuse visits of one charger that overlap on every day they both come.

    The simulator ignores a plug-in while a car is there, so the later visit
    would silently vanish. What the ranges settle is caught: whichever visit
    may come first is, at its earliest departure, still there at the other's
    latest arrival (two fixed windows that overlap, for one), on one day or
    across midnight (a visit still there when the next day's visit, its own
    included, arrives). Ranges that overlap only on some draws are left to
    the file's author.
    """
    for earlier, later in itertools.combinations(range(len(sessions)), 2):
        first, second = sessions[earlier], sessions[later]
        if (
            _same_days(first, second)
            and _stays_for(first, second)
            and _stays_for(second, first)
        ):
            raise ScenarioFileError(
                f"{where}.sessions[{earlier}] and {where}.sessions[{later}] overlap: "
                "whichever arrives first is still there when the other arrives "
                "(visits of one charger must not overlap)"
            )
    for today, tomorrow in itertools.product(range(len(sessions)), repeat=2):
        first, second = sessions[today], sessions[tomorrow]
        if (
            _next_days(first, second)
            and _earliest_leave_s(first) > second.arrive[1] + _DAY_S
        ):
            other = (
                "its own next day's visit"
                if today == tomorrow
                else f"{where}.sessions[{tomorrow}] of the next day"
            )
            raise ScenarioFileError(
                f"{where}.sessions[{today}] and {other} overlap: it is still there "
                "when that one arrives (visits of one charger must not overlap)"
            )


def _stays_for(first: SessionSpec, second: SessionSpec) -> bool:
    """Tell whether `first`, if it arrives first, is always there when `second` comes."""
    if first.arrive[0] > second.arrive[1]:
        return True  # It never arrives first.
    # A later arrival never leaves earlier: the earliest departure bounds them all.
    return _earliest_leave_s(first) > second.arrive[1]


def _same_days(first: SessionSpec, second: SessionSpec) -> bool:
    """Tell whether two visits may come on the same day of the run."""
    if first.days is None or second.days is None:
        return True
    return first.days[0] <= second.days[1] and second.days[0] <= first.days[1]


def _next_days(first: SessionSpec, second: SessionSpec) -> bool:
    """Tell whether `first` may come on a day of the run and `second` on the next."""
    first_from, first_to = first.days or (0, math.inf)
    second_from, second_to = second.days or (0, math.inf)
    return max(first_from, second_from - 1) <= min(first_to, second_to - 1)


def _earliest_leave_s(session: SessionSpec) -> float:
    """Return the earliest a visit may leave, in seconds after its day's midnight.

    A later arrival never leaves earlier, its timer's wait included, so the
    earliest arrival gives it.
    """
    arrive = session.arrive[0]
    if session.stay_hours is not None:
        return arrive + session.stay_hours[0] * 3600
    begins = arrive
    if session.start_at is not None:
        begins += _timer_wait_s(arrive, session.start_at)
    return begins + session.charge_hours[0] * 3600 + _DEFAULT_STAY_AFTER_S


def _timer_wait_s(arrive_s: float, start_at_s: float) -> float:
    """Return how long a car arriving at `arrive_s` waits for its timer to open.

    Times are seconds after midnight. A car arriving less than 12 hours after
    `start_at` finds the timer open (an off-peak tariff from 22:00 and a car
    at 22:30) and waits for nothing; any other waits for the next `start_at`.
    """
    since = (arrive_s - start_at_s) % _DAY_S
    return 0.0 if since < _TIMER_OPEN_S else _DAY_S - since


def _days(value: object, where: str) -> tuple[int, int] | None:
    """Return a session's first and last day, from null or a [first, last] pair."""
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 2:
        raise ScenarioFileError(f"{where}: days is [first, last], not {value!r}")
    first, last = (_integer(item, where) for item in value)
    if not 0 <= first <= last:
        raise ScenarioFileError(f"{where}: {value!r}: need 0 <= first <= last")
    return first, last


def _span(
    value: Any, where: str, *, clock: bool = False, positive: bool = False
) -> Span:
    """Return a uniform range from a value or a [low, high] pair."""
    items: list[Any] = list(value) if isinstance(value, list) else [value]
    if len(items) not in (1, 2):
        raise ScenarioFileError(
            f"{where}: a range has one or two values, not {value!r}"
        )
    numbers = [
        _clock_s(item, where) if clock else _number(item, where, positive=positive)
        for item in items
    ]
    low, high = numbers[0], numbers[-1]
    if high < low:
        raise ScenarioFileError(f"{where}: range {value!r} ends before it starts")
    return low, high


def _number(value: object, where: str, *, positive: bool = False) -> float:
    """Return a finite JSON number, above zero if asked."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioFileError(f"{where}: expected a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ScenarioFileError(f"{where}: {value!r} is not a finite number")
    if positive and number <= 0:
        raise ScenarioFileError(f"{where}: must be above 0, got {value!r}")
    return number


def _integer(
    value: object, where: str, *, low: int | None = 0, high: int | None = None
) -> int:
    """Return a JSON integer within [low, high]."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScenarioFileError(f"{where}: expected a whole number, got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"{low}..{high}" if high is not None else f">= {low}"
        raise ScenarioFileError(f"{where}: must be {bounds}, got {value!r}")
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ScenarioFileError(f"{where}: expected a string, got {value!r}")
    return value


def _time(value: object, where: str) -> time:
    """Return a UTC time of day from "HH:MM", naming the key when it is not one."""
    if not isinstance(value, str):
        raise ScenarioFileError(f'{where}: expected "HH:MM", got {value!r}')
    try:
        return parse_hhmm(value)
    except ValueError as err:
        raise ScenarioFileError(
            f'{where}: {value!r} is not a time of day "HH:MM" ({err})'
        ) from err


def _clock_s(value: object, where: str) -> float:
    moment = _time(value, where)
    return moment.hour * 3600.0 + moment.minute * 60.0 + moment.second


def _optional_time(value: object, where: str) -> time | None:
    return None if value is None else _time(value, where)


def _required(spec: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in spec:
        place = f"{where}.{key}" if where else key
        raise ScenarioFileError(f"{place}: required")
    return spec[key]


def _known(spec: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
    """Refuse keys the format does not have: a misspelt key would be ignored."""
    unknown = sorted(set(spec) - allowed)
    if unknown:
        raise ScenarioFileError(
            f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}"
        )


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
