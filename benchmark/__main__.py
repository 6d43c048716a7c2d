"""Command line of the quota benchmark: `python -m benchmark [--days N] [--json PATH]`."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
import sys
import time

from v2c_simulator.scenarios import SCENARIOS

from .runner import STRATEGIES, run

BENCH_SCENARIOS = (
    "commuter",
    "solar",
    "three_chargers",
    "command_storm",
    "external_consumer",
    "restart",
)
COLUMNS = (
    ("calls_total", "calls"),
    ("calls_max_day", "max/day"),
    ("http_429", "429s"),
    ("min_reserve", "min left"),
    ("staleness_charging_mean_s", "stale mean s"),
    ("staleness_charging_p95_s", "stale p95 s"),
    ("plugin_detect_mean_s", "plug-in s"),
    ("commands_refused", "refused"),
)


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="scripts/bench",
        description="Measure the quota planner against fixed-interval baselines "
        "on the V2C simulator with a virtual clock.",
    )
    parser.add_argument(
        "--days", type=int, default=30, help="simulated days per scenario (default 30)"
    )
    parser.add_argument(
        "--scenario",
        action="append",
        choices=BENCH_SCENARIOS,
        help="run only this scenario (repeatable; default all)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to PATH")
    return parser.parse_args(argv)


def render(results: dict[str, dict[str, dict[str, float | int]]]) -> str:
    """Format the figures as a text table with staleness ratios to `fixed`."""
    header = f"{'scenario':<18}{'strategy':<9}" + "".join(
        f"{title:>13}" for _, title in COLUMNS
    )
    lines = [header, "-" * len(header)]
    for scenario, by_strategy in results.items():
        fixed_mean = by_strategy["fixed"]["staleness_charging_mean_s"]
        for strategy, figures in by_strategy.items():
            row = f"{scenario:<18}{strategy:<9}" + "".join(
                f"{figures[key]:>13}" for key, _ in COLUMNS
            )
            if fixed_mean:
                ratio = figures["staleness_charging_mean_s"] / fixed_mean
                row += f"   staleness × {ratio:.2f} of fixed"
            lines.append(row)
    return "\n".join(lines)


async def main(argv: list[str]) -> None:
    """Run every scenario under every strategy and report."""
    args = parse_args(argv)
    results: dict[str, dict[str, dict[str, float | int]]] = {}
    for name in args.scenario or BENCH_SCENARIOS:
        results[name] = {}
        for strategy in STRATEGIES:
            started = time.monotonic()
            metrics = await run(SCENARIOS[name], strategy, args.days)
            results[name][strategy] = metrics.as_dict()
            print(
                f"{name}/{strategy}: {args.days} days in "
                f"{time.monotonic() - started:.1f} s",
                file=sys.stderr,
            )
    print(render(results))
    if args.json:
        args.json.write_text(json.dumps({"scenarios": results}, indent=2) + "\n")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
