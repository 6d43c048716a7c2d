"""Fail when any module of the integration is covered less than the gate.

The total can hide one poorly tested module behind many well tested ones, so the
gate reads coverage's JSON report and checks each file on its own. The config,
reauth, reconfigure and options flows are held to every line and branch, as
the quality scale's config-flow-test-coverage rule asks.
Usage: coverage_gate.py REPORT.json [--min PERCENT]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
import sys
from typing import Any

PACKAGE = "custom_components/v2c_cloud/"
DEFAULT_MINIMUM = 95.0
FLOW_MODULES = frozenset({"config_flow.py", "wifi_flow.py"})


def modules_below(report: dict[str, Any], minimum: float) -> dict[str, float]:
    """Return each integration module under the minimum, with its coverage."""
    files: dict[str, Any] = report["files"]
    modules = {
        path: float(entry["summary"]["percent_covered"])
        for path, entry in files.items()
        if Path(path).as_posix().startswith(PACKAGE)
    }
    if not modules:
        raise ValueError(f"the report covers no module of {PACKAGE}")
    return {
        path: percent
        for path, percent in modules.items()
        if percent < required(path, minimum)
    }


def required(path: str, minimum: float) -> float:
    """Return the coverage a module needs: all of it for the flows."""
    return 100.0 if Path(path).name in FLOW_MODULES else minimum


def main(argv: list[str] | None = None) -> int:
    """Print the modules under the gate; exit non-zero when there is one."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("report", type=Path)
    parser.add_argument("--min", type=float, default=DEFAULT_MINIMUM)
    args = parser.parse_args(argv)
    report = json.loads(args.report.read_text(encoding="utf-8"))
    try:
        failing = modules_below(report, args.min)
    except ValueError as err:
        print(f"coverage gate: {err}")
        return 2
    for path, percent in sorted(failing.items()):
        needed = required(path, args.min)
        print(f"coverage gate: {path} is at {percent:.2f} %, under {needed:.0f} %")
    if failing:
        return 1
    print(
        f"coverage gate: every module of {PACKAGE} is at {args.min:.0f} % or more,"
        f" {', '.join(sorted(FLOW_MODULES))} at 100 %"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
