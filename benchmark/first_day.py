"""First-day plug-in detection, measured over reseeded copies of each scenario.

`python -m benchmark.first_day [--scenario NAME ...] [--scenario-file PATH ...]
[--seeds N] [--jobs N] [--json PATH]`: with no scenario given, the six classic
scenarios and every file under `benchmark/scenarios/` run, as for `scripts/bench`.

On the first simulated day no habit is learned yet, and a scenario's first day
holds one or two plug-ins per charger: `plugin_detect_day1_mean_s` of one run
is the mean of a draw that small, and other seeds give other figures. Here each
scenario runs as N copies, copy k drawing its days from the scenario's own seed
plus k: copy 0 is the scenario as shipped, the others are the same pattern on
other days. Each copy runs one simulated day under `planner`, `fixed` and, where
`scripts/bench` runs it, `fixed_left`. Every mean is over plug-ins, so each
plug-in weighs the same in a scenario's figure as in a group's.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
import json
import statistics
import sys
from typing import Any

from .__main__ import (
    RefusedCommandLineError,
    Source,
    add_output_arguments,
    add_scenario_arguments,
    at_least_one,
    case_of,
    chosen_cases,
    strategies_for,
)
from .runner import DAILY_LIMIT, FIXED_LEFT, BenchCase, run

# `anchor`, the old integration's rhythm, is left out: the target is about
# the planner against what a fixed interval within the quota would see.
MEASURED_STRATEGIES = ("planner", "fixed", FIXED_LEFT)
DEFAULT_SEEDS = 10


@dataclass
class ScenarioDelays:
    """One scenario's first-day plug-in delays, per strategy and copy."""

    name: str
    chargers: int
    daily_limit: int
    other_calls_per_day: int
    seeds: list[int]
    strategies: tuple[str, ...]
    # strategy -> copy -> the delays of that copy's first-day plug-ins HA showed.
    delays_s: dict[str, list[list[float]]] = field(default_factory=dict)
    # strategy -> copy -> first-day plug-ins HA never showed within the run.
    unseen: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def empty(cls, source: Source, case: BenchCase, copies: int) -> ScenarioDelays:
        """Return a scenario's record before any of its copies ran."""
        strategies = tuple(
            name for name in strategies_for(source, case) if name in MEASURED_STRATEGIES
        )
        return cls(
            name=case.name,
            chargers=len(case.scenario.models),
            daily_limit=case.daily_limit,
            other_calls_per_day=case.scenario.external_calls_per_day,
            seeds=[case.scenario.seed + copy for copy in range(copies)],
            strategies=strategies,
            delays_s={name: [[] for _ in range(copies)] for name in strategies},
            unseen={name: [0] * copies for name in strategies},
        )

    @property
    def own_thousand_call_key(self) -> bool:
        """Return whether the key has 1,000 calls a day and no other program uses it."""
        return self.daily_limit == DAILY_LIMIT and self.other_calls_per_day == 0

    @property
    def plugins(self) -> int:
        """Return how many first-day plug-ins the copies hold together."""
        # Every strategy meets the same plug-ins and counts each one, shown or
        # not; the most any one counted holds where a record was cut short.
        return max(
            sum(map(len, self.delays_s[name])) + sum(self.unseen[name])
            for name in self.strategies
        )

    def pooled(self, strategy: str) -> list[float]:
        """Return every copy's delays under a strategy, in copy order."""
        return [delay for copy in self.delays_s.get(strategy, []) for delay in copy]


def first_day_delays(
    source: Source, copy: int, strategy: str
) -> tuple[list[float], int]:
    """Run one copy's first day under one strategy (in a worker process).

    Returns the delays of the first-day plug-ins HA showed and how many it
    never showed. A plug-in late in the evening may only show after midnight:
    that copy then runs again over two days, so the plug-in counts as in a
    longer bench run. The first day runs the same both times, so its delays
    carry over; what the second day adds are the ones seen after midnight.
    """
    one_day = asyncio.run(run(case_of(source, seed_offset=copy), strategy, 1))
    if not one_day.plugins_day1_unseen:
        return one_day.plugin_delays_day1_s, 0
    two_days = asyncio.run(run(case_of(source, seed_offset=copy), strategy, 2))
    return two_days.plugin_delays_day1_s, two_days.plugins_day1_unseen


def mean_s(delays: list[float]) -> float | None:
    """Return the mean delay to a tenth of a second, None without a plug-in."""
    return round(statistics.fmean(delays), 1) if delays else None


type Grouping = tuple[str, Callable[[ScenarioDelays], bool]]

GROUPS: tuple[Grouping, ...] = (
    ("1 charger", lambda scenario: scenario.chargers == 1),
    ("2–3 chargers", lambda scenario: 2 <= scenario.chargers <= 3),
    ("4+ chargers", lambda scenario: scenario.chargers >= 4),
    ("own 1,000-call key", lambda scenario: scenario.own_thousand_call_key),
    ("smaller or shared key", lambda scenario: not scenario.own_thousand_call_key),
)


def summary(scenarios: Iterable[ScenarioDelays]) -> dict[str, Any]:
    """Return a set of scenarios' plug-in count and each strategy's pooled mean.

    `counted` says how many delays a strategy's mean rests on: fewer than the
    plug-ins where `fixed_left` did not run on every scenario, or where a
    plug-in was never seen.
    """
    chosen = list(scenarios)
    strategies: dict[str, Any] = {}
    for name in MEASURED_STRATEGIES:
        delays = [delay for scenario in chosen for delay in scenario.pooled(name)]
        if any(name in scenario.strategies for scenario in chosen):
            strategies[name] = {"mean_s": mean_s(delays), "counted": len(delays)}
    return {
        "scenarios": len(chosen),
        "plugins": sum(scenario.plugins for scenario in chosen),
        "strategies": strategies,
    }


def group_summaries(scenarios: list[ScenarioDelays]) -> dict[str, dict[str, Any]]:
    """Return the summary of every non-empty group."""
    groups = {label: summary(filter(belongs, scenarios)) for label, belongs in GROUPS}
    return {label: figures for label, figures in groups.items() if figures["scenarios"]}


def as_json(scenarios: list[ScenarioDelays], copies: int) -> dict[str, Any]:
    """Return the raw delays of every scenario, copy and strategy, and the summaries."""
    return {
        "seeds": copies,
        "scenarios": {
            scenario.name: {
                "chargers": scenario.chargers,
                "daily_limit": scenario.daily_limit,
                "external_calls_per_day": scenario.other_calls_per_day,
                **summary([scenario]),
                "copies": [
                    {
                        "copy": copy,
                        "seed": seed,
                        "delays_s": {
                            name: scenario.delays_s[name][copy]
                            for name in scenario.strategies
                        },
                        "unseen": {
                            name: scenario.unseen[name][copy]
                            for name in scenario.strategies
                        },
                    }
                    for copy, seed in enumerate(scenario.seeds)
                ],
            }
            for scenario in scenarios
        },
        "groups": group_summaries(scenarios),
        "overall": summary(scenarios),
    }


def _rests_on_fewer(figures: dict[str, Any]) -> bool:
    """Return whether a strategy's mean in a summary leaves some plug-ins out."""
    return any(
        measured["counted"] != figures["plugins"]
        for measured in figures["strategies"].values()
    )


def _cells(figures: dict[str, Any], strategies: list[str]) -> str:
    """Format each strategy's mean in a summary as table cells.

    A mean resting on fewer delays than the plug-ins carries its count; "-"
    marks a strategy that did not run.
    """
    cells = []
    for name in strategies:
        measured = figures["strategies"].get(name)
        text = "-"
        if measured is not None and measured["mean_s"] is not None:
            text = f"{measured['mean_s']:.1f}"
            if measured["counted"] != figures["plugins"]:
                text += f" ({measured['counted']})"
        cells.append(f"{text:>16}")
    return "".join(cells)


def render(scenarios: list[ScenarioDelays], copies: int) -> str:
    """Format the per-scenario table, the groups and the overall figure."""
    shown = [
        name
        for name in MEASURED_STRATEGIES
        if any(name in scenario.strategies for scenario in scenarios)
    ]
    strategy_titles = "".join(f"{name + ' s':>16}" for name in shown)
    header = (
        f"{'scenario':<26}{'chargers':>9}{'limit':>7}{'other/day':>10}"
        f"{'plug-ins':>9}{strategy_titles}"
    )
    title = (
        f"First-day plug-in delay, {copies} copies per scenario "
        "(copy k drawn from the scenario's seed + k)"
    )
    lines = [title, header, "-" * len(header)]
    notes: list[str] = []
    partial = False
    for scenario in scenarios:
        figures = summary([scenario])
        partial |= _rests_on_fewer(figures)
        cells = _cells(figures, shown)
        lines.append(
            f"{scenario.name:<26}{scenario.chargers:>9}{scenario.daily_limit:>7}"
            f"{scenario.other_calls_per_day:>10}{scenario.plugins:>9}{cells}"
        )
        notes += [
            f"{scenario.name}: {sum(scenario.unseen[name])} first-day plug-in(s) "
            f"never shown under {name}, left out of its mean"
            for name in scenario.strategies
            if sum(scenario.unseen[name])
        ]
    group_header = f"{'group':<26}{'scenarios':>10}{'plug-ins':>9}{strategy_titles}"
    lines += ["", group_header, "-" * len(group_header)]
    groups = {**group_summaries(scenarios), "all": summary(scenarios)}
    for label, figures in groups.items():
        partial |= _rests_on_fewer(figures)
        lines.append(
            f"{label:<26}{figures['scenarios']:>10}{figures['plugins']:>9}"
            f"{_cells(figures, shown)}"
        )
    if notes or partial:
        lines.append("")
    lines += notes
    if partial:
        lines.append(
            "(n): the mean rests on n delays, not on every plug-in: "
            f"{FIXED_LEFT} runs only where other calls would run fixed out, "
            "and a plug-in never shown is left out"
        )
    return "\n".join(lines)


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="scripts/bench-first-day",
        description="Measure how soon a plug-in shows on the first simulated day, "
        "before any habit is learned, over reseeded copies of each scenario.",
    )
    add_scenario_arguments(parser)
    parser.add_argument(
        "--seeds",
        type=at_least_one,
        default=DEFAULT_SEEDS,
        help="copies of each scenario; copy k draws its day from the scenario's "
        f"seed + k, copy 0 is the scenario as shipped (default {DEFAULT_SEEDS})",
    )
    add_output_arguments(parser)
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    """Run every copy of every chosen scenario for a day and report the delays."""
    args = parse_args(argv)
    try:
        chosen, cases = chosen_cases(args)
    except RefusedCommandLineError as err:
        print(err, file=sys.stderr)
        return 2
    scenarios = [
        ScenarioDelays.empty(source, case, args.seeds)
        for source, case in zip(chosen, cases, strict=True)
    ]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = [
            (
                scenario,
                [
                    (
                        strategy,
                        copy,
                        pool.submit(first_day_delays, source, copy, strategy),
                    )
                    for copy in range(args.seeds)
                    for strategy in scenario.strategies
                ],
            )
            for source, scenario in zip(chosen, scenarios, strict=True)
        ]
        for scenario, jobs in futures:
            for strategy, copy, future in jobs:
                delays, unseen = future.result()
                scenario.delays_s[strategy][copy] = delays
                scenario.unseen[strategy][copy] = unseen
            print(
                f"{scenario.name}: {args.seeds} copies under "
                f"{', '.join(scenario.strategies)}",
                file=sys.stderr,
            )
    print(render(scenarios, args.seeds))
    if args.json:
        args.json.write_text(
            json.dumps(as_json(scenarios, args.seeds), indent=2) + "\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
