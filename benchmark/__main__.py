"""Command line of the quota benchmark.

`python -m benchmark [--days N] [--scenario NAME ...] [--scenario-file PATH ...]
[--apply-delay S] [--json PATH] [--jobs N]`: with no scenario given, the six
classic scenarios and every file under `benchmark/scenarios/` run.
"""

from __future__ import annotations

import argparse
import asyncio
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
import json
import math
from pathlib import Path
import sys
import time

from v2c_simulator.charger import ApplyDelay
from v2c_simulator.scenarios import SCENARIOS

from .runner import (
    FIXED_LEFT,
    RESERVE,
    STRATEGIES,
    BenchCase,
    left_for_fixed,
    run,
    spent_elsewhere,
)
from .scenario_file import ScenarioFileError, load, parse_apply_delay

BENCH_SCENARIOS = (
    "commuter",
    "solar",
    "three_chargers",
    "command_storm",
    "external_consumer",
    "restart",
)
FAMILY_DIR = Path(__file__).parent / "scenarios"
# The anchor is the old integration's rhythm: only the classics compare with it.
FILE_STRATEGIES = ("planner", "fixed")
COLUMNS = (
    ("calls_total", "calls"),
    ("calls_max_window", "max/window"),
    ("http_429", "429s"),
    ("min_reserve", "min left"),
    ("true_age_charging_mean_s", "age mean s"),
    ("true_age_charging_p95_s", "age p95 s"),
    ("true_age_floor_s", "floor s"),
    ("charge_start_detect_mean_s", "start s"),
    ("charge_end_detect_mean_s", "end s"),
    ("plugin_detect_mean_s", "plug-in s"),
    ("plugin_detect_day1_mean_s", "day-1 plug s"),
    ("frozen_visible_mean_s", "frozen s"),
    ("commands_refused", "refused"),
)
RATIO_KEY = "true_age_charging_mean_s"

type Figures = dict[str, float | int]
type Results = dict[str, dict[str, Figures]]
# ("classic", name) or ("file", path): what a worker process can rebuild.
type Source = tuple[str, str]


def at_least_one(text: str) -> int:
    """Read a whole number of at least 1 from the command line."""
    try:
        value = int(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from err
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def add_scenario_arguments(parser: argparse.ArgumentParser) -> None:
    """Add `--scenario` and `--scenario-file`, which `sources()` reads."""
    parser.add_argument(
        "--scenario",
        action="append",
        choices=BENCH_SCENARIOS,
        help="run this classic scenario (repeatable)",
    )
    parser.add_argument(
        "--scenario-file",
        action="append",
        type=Path,
        help="run the scenario described in this JSON file (repeatable)",
    )


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    """Add `--jobs` and `--json`."""
    parser.add_argument(
        "--jobs",
        type=at_least_one,
        default=2,
        help="runs in parallel processes (default 2)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to PATH")


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="scripts/bench",
        description="Measure the quota planner against fixed-interval baselines "
        "on the V2C simulator with a virtual clock.",
    )
    parser.add_argument(
        "--days",
        type=at_least_one,
        default=30,
        help="simulated days per scenario (default 30)",
    )
    add_scenario_arguments(parser)
    parser.add_argument(
        "--apply-delay",
        metavar="S",
        help="seconds every charger takes to apply a command, for every scenario, "
        "or a range LOW-HIGH each command's delay is drawn from "
        "(default: the file's apply_delay_s, else 0)",
    )
    add_output_arguments(parser)
    return parser.parse_args(argv)


def sources(args: argparse.Namespace) -> list[Source]:
    """Return the scenarios to run: the chosen ones, or the classics and the family."""
    chosen: list[Source] = [("classic", name) for name in args.scenario or ()]
    chosen += [("file", str(path)) for path in args.scenario_file or ()]
    if chosen:
        return chosen
    family = sorted(FAMILY_DIR.glob("*.json"))
    return [("classic", name) for name in BENCH_SCENARIOS] + [
        ("file", str(path)) for path in family
    ]


def case_of(
    source: Source, apply_delay_s: ApplyDelay | None = None, *, seed_offset: int = 0
) -> BenchCase:
    """Rebuild a bench case from its source, with commands applied that late if given.

    `seed_offset` is added to the scenario's seed: the same pattern drawn anew.
    """
    kind, name = source
    if kind == "classic":
        scenario = SCENARIOS[name]
        case = BenchCase(replace(scenario, seed=scenario.seed + seed_offset))
    else:
        case = load(Path(name), seed_offset=seed_offset)
    if apply_delay_s is None:
        return case
    return replace(case, apply_delay_s=apply_delay_s)


def strategies_for(source: Source, case: BenchCase) -> tuple[str, ...]:
    """Return the strategies a scenario is measured under."""
    chosen = STRATEGIES if source[0] == "classic" else FILE_STRATEGIES
    # Below the reserve `fixed` keeps, the other calls never run it out.
    if spent_elsewhere(case) >= RESERVE and fixed_left_skipped(case) is None:
        chosen = (*chosen, FIXED_LEFT)
    return chosen


def warn_fixed_left_skipped(cases: list[BenchCase]) -> None:
    """Say on stderr why `fixed_left` does not run where it would be wanted."""
    for case in cases:
        if spent_elsewhere(case) >= RESERVE and (why := fixed_left_skipped(case)):
            print(why, file=sys.stderr)


def fixed_left_skipped(case: BenchCase) -> str | None:
    """Return why `fixed_left` cannot run, when other calls leave it nothing."""
    left = left_for_fixed(case)
    if left > 0:
        return None
    return (
        f"{case.name}: {FIXED_LEFT} not run: other programs and commands take "
        f"{spent_elsewhere(case)} of {case.daily_limit} calls a day, leaving "
        f"nothing above the {RESERVE}-call reserve"
    )


def same_names(cases: list[BenchCase], chosen: list[Source]) -> str | None:
    """Return which scenarios share a name: their results would overwrite each other."""
    seen: dict[str, str] = {}
    for case, (_, source) in zip(cases, chosen, strict=True):
        if case.name in seen:
            return (
                f"two scenarios are named {case.name!r} ({seen[case.name]} and "
                f'{source}): give each file its own "name"'
            )
        seen[case.name] = source
    return None


def json_target_problem(path: Path | None) -> str | None:
    """Return why the figures could not be written to PATH, found before the run."""
    if path is None:
        return None
    if path.is_dir():
        return f"--json {path}: is a directory"
    if not path.parent.is_dir():
        return f"--json {path}: directory {path.parent} does not exist"
    return None


class RefusedCommandLineError(Exception):
    """The command line asks for something that cannot run; the message says why."""


def chosen_cases(
    args: argparse.Namespace, apply_delay_s: ApplyDelay | None = None
) -> tuple[list[Source], list[BenchCase]]:
    """Return the chosen scenarios and their cases, checked before any run.

    Raise RefusedCommandLineError when the figures could not be written to
    `--json`, a scenario file is malformed or two scenarios share a name.
    """
    if (problem := json_target_problem(args.json)) is not None:
        raise RefusedCommandLineError(problem)
    chosen = sources(args)
    try:
        cases = [case_of(source, apply_delay_s) for source in chosen]
    except ScenarioFileError as err:
        raise RefusedCommandLineError(f"scenario file: {err}") from err
    if (problem := same_names(cases, chosen)) is not None:
        raise RefusedCommandLineError(problem)
    warn_fixed_left_skipped(cases)
    return chosen, cases


def run_one(
    source: Source, strategy: str, days: int, apply_delay_s: ApplyDelay | None = None
) -> tuple[str, Figures, float]:
    """Run one scenario under one strategy (in a worker process)."""
    case = case_of(source, apply_delay_s)
    started = time.monotonic()
    metrics = asyncio.run(run(case, strategy, days))
    return case.name, metrics.as_dict(), time.monotonic() - started


def ratio(figures: Figures, fixed: Figures) -> float | None:
    """Return the planner's true age as a share of the fixed baseline's."""
    base = fixed[RATIO_KEY]
    return figures[RATIO_KEY] / base if base else None


def fair_baseline(by_strategy: dict[str, Figures]) -> str:
    """Return the fixed interval that keeps to the quota: `fixed_left` where it ran."""
    return FIXED_LEFT if FIXED_LEFT in by_strategy else "fixed"


def geometric_mean(ratios: list[float]) -> float:
    """Return the geometric mean of true-age ratios."""
    return math.exp(sum(math.log(max(r, 1e-9)) for r in ratios) / len(ratios))


def render(results: Results) -> str:
    """Format the figures as a text table with true-age ratios to `fixed`.

    Where another program or the commands would run `fixed` out of calls,
    the planner is also compared with `fixed_left`, which keeps to the quota:
    a baseline taking 429s all evening flatters whoever is compared with it.
    """
    header = f"{'scenario':<20}{'strategy':<11}" + "".join(
        f"{title:>13}" for _, title in COLUMNS
    )
    lines = [header, "-" * len(header)]
    ratios: list[float] = []
    fair_ratios: list[float] = []
    for scenario, by_strategy in results.items():
        fixed = by_strategy["fixed"]
        fair = fair_baseline(by_strategy)
        for strategy, figures in by_strategy.items():
            row = f"{scenario:<20}{strategy:<11}" + "".join(
                f"{figures[key]:>13}" for key, _ in COLUMNS
            )
            share = ratio(figures, fixed)
            if share is not None:
                row += f"   age × {share:.2f} of fixed"
                if strategy == "planner":
                    ratios.append(share)
            fair_share = ratio(figures, by_strategy[fair])
            if strategy == "planner" and fair_share is not None:
                if fair == FIXED_LEFT:
                    row += f", × {fair_share:.2f} of {FIXED_LEFT}"
                fair_ratios.append(fair_share)
            lines.append(row)
    if ratios:
        lines.append(
            f"geometric mean of planner/fixed true age: {geometric_mean(ratios):.3f}"
        )
    if fair_ratios:
        lines.append(
            "geometric mean against the fixed interval within the quota "
            f"({FIXED_LEFT} where it ran): {geometric_mean(fair_ratios):.3f}"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Run every chosen scenario under its strategies and report."""
    args = parse_args(argv)
    delay: ApplyDelay | None = None
    if args.apply_delay is not None:
        try:
            delay = parse_apply_delay(args.apply_delay, "--apply-delay")
        except ScenarioFileError as err:
            print(err, file=sys.stderr)
            return 2
    try:
        chosen, cases = chosen_cases(args, delay)
    except RefusedCommandLineError as err:
        print(err, file=sys.stderr)
        return 2
    names = [case.name for case in cases]
    jobs = [
        (index, source, strategy)
        for index, (source, case) in enumerate(zip(chosen, cases, strict=True))
        for strategy in strategies_for(source, case)
    ]
    results: Results = {name: {} for name in names}
    with ProcessPoolExecutor(max_workers=max(args.jobs, 1)) as pool:
        futures = [
            (
                index,
                strategy,
                pool.submit(run_one, source, strategy, args.days, delay),
            )
            for index, source, strategy in jobs
        ]
        for index, strategy, future in futures:
            name, figures, seconds = future.result()
            results[names[index]][strategy] = figures
            print(
                f"{name}/{strategy}: {args.days} days in {seconds:.1f} s",
                file=sys.stderr,
            )
    print(render(results))
    if args.json:
        args.json.write_text(json.dumps({"scenarios": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
