"""Draw scenario files at random: patterns nobody chose, to check the planner blind.

`python -m benchmark.random_draw SEED COUNT DIR` writes COUNT files named
`random_SEED_NN.json`. A draw mixes one to eight chargers, keys of 200 to
1,000 calls, resets at any half hour, other programs, commands, outages,
timers, restarts of charging while plugged in and visits limited to some
days. Visits of one charger never overlap. Held-out sets #18 to #28, #30 and #34
to #41 are seeds 18 to 28, 30 and 34 to 41, each committed before the planner ran on it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
import random
from typing import Any

_DESCRIPTION = (
    "Drawn blind by a random scenario generator (generator seed {seed}); "
    "committed before the planner ran on it."
)
# Keep a visit's end this far from the next one's arrival: times are rounded
# to a quarter-hour.
_GAP_H = 0.5


def _hhmm(hours: float) -> str:
    minutes = int(round((hours % 24) * 60 / 15) * 15) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _clock_range(low: float, width: float) -> list[str] | str:
    """Return a clock range that does not cross midnight (one time when narrow)."""
    low %= 24
    if width <= 0:
        return _hhmm(low)
    high = min(low + width, 23.75)
    if _hhmm(high) <= _hhmm(low):
        return _hhmm(low)
    return [_hhmm(low), _hhmm(high)]


def _span(low: float, high: float) -> list[float] | float:
    low, high = round(low, 2), round(high, 2)
    return low if low == high else [low, high]


def _visits(rng: random.Random) -> list[dict[str, Any]]:
    """Draw a day's visits; each must end before the next, tomorrow's first too."""
    count = rng.choices([1, 2, 3], weights=[6, 3, 1])[0]
    start = rng.uniform(0, 24)
    at = start
    visits: list[dict[str, Any]] = []
    for _ in range(count):
        left = start + 24 - at - _GAP_H
        if left < 1.5:
            break
        clock = at % 24
        width = rng.choice([0, 0.5, 1, 2, 3, 4, 6, 8])
        width = max(0.0, min(width, 23.5 - clock, left - 1.25))
        visit: dict[str, Any] = {"arrive": _clock_range(clock, width)}
        if isinstance(visit["arrive"], str):
            width = 0.0
        length = rng.uniform(0.75, max(0.8, min(14.0, left - width)))
        if length < 1.25 or rng.random() < 0.5:
            visit["stay_hours"] = _span(rng.uniform(min(0.5, length), length), length)
            charge_high = rng.uniform(0.2, max(0.3, length * 1.2))
        else:
            # The car leaves an hour after its charge: the charge fits the visit.
            charge_high = length - 1.0
            if rng.random() < 0.12 and charge_high > 1.0:
                delay = rng.uniform(0.5, min(4.0, charge_high - 0.5))
                visit["start_at"] = _hhmm(clock + width + delay)
                charge_high -= delay
        visit["charge_hours"] = _span(rng.uniform(0.1, charge_high), charge_high)
        if rng.random() < 0.15 and length > 1.0:
            resume_at = clock + width + rng.uniform(0.5, length - 0.25)
            if resume_at < 23.0:
                visit["resumes"] = [
                    {
                        "at": _clock_range(resume_at, rng.choice([0, 0.5, 1])),
                        "charge_minutes": _span(
                            rng.uniform(5, 20), rng.uniform(20, 45)
                        ),
                    }
                ]
        if rng.random() < 0.1:
            first = rng.randrange(0, 20)
            visit["days"] = [first, rng.randrange(first, 40)]
        visits.append(visit)
        at = at + (width + length) + _GAP_H + rng.uniform(0, 3)
    return visits


def _outage(rng: random.Random) -> dict[str, Any]:
    return {
        "at": _clock_range(rng.uniform(0, 22), rng.choice([0, 2, 6])),
        "minutes": rng.choice([5, 15, 30, 60, 120, 300]),
        "every_days": rng.choice([1, 2, 3, 7]),
    }


def _charger(rng: random.Random) -> dict[str, Any]:
    charger: dict[str, Any] = {
        "model": rng.choices(["trydan", "pole"], weights=[4, 1])[0]
    }
    if rng.random() < 0.15:
        charger["pv"] = True
    charger["sessions"] = _visits(rng)
    charger["days_without_car"] = rng.choices([0, 1, 2, 3, 5], weights=[4, 2, 2, 1, 1])[
        0
    ]
    if rng.random() < 0.3:
        charger["outages"] = [_outage(rng)]
    return charger


def draw(rng: random.Random, name: str, seed: int) -> dict[str, Any]:
    """Draw one scenario file's content."""
    chargers = rng.choices([1, 2, 3, 4, 5, 6, 8], weights=[9, 5, 3, 2, 1, 1, 1])[0]
    limit = rng.choices([1000, 800, 500, 300, 200], weights=[12, 2, 3, 2, 1])[0]
    scenario: dict[str, Any] = {
        "name": name,
        "description": _DESCRIPTION.format(seed=seed),
        "seed": rng.randrange(1, 10**6),
        "daily_limit": limit,
    }
    if rng.random() < 0.5:
        scenario["reset_utc"] = _hhmm(rng.randrange(0, 48) / 2)
    if rng.random() < 0.3:
        scenario["external_calls_per_day"] = int(rng.uniform(0.05, 0.4) * limit)
    scenario["commands_per_day"] = rng.choices(
        [0, 2, 5, 8, 20, 60], weights=[2, 4, 4, 2, 1, 1]
    )[0]
    if rng.random() < 0.1:
        scenario["restart_utc"] = _hhmm(rng.uniform(0, 24))
    if rng.random() < 0.1:
        scenario["cloud_outages"] = [
            {
                "at": _clock_range(rng.uniform(0, 22), 2),
                "minutes": rng.choice([10, 30, 90]),
                "every_days": rng.choice([2, 5, 7]),
            }
        ]
    scenario["chargers"] = [_charger(rng) for _ in range(chargers)]
    return scenario


def render(scenario: dict[str, Any]) -> str:
    """Write a scenario as JSON with one line per charger."""
    lines = ["{"]
    items = list(scenario.items())
    for index, (key, value) in enumerate(items):
        comma = "," if index < len(items) - 1 else ""
        if key != "chargers":
            lines.append(f" {json.dumps(key)}: {json.dumps(value)}{comma}")
            continue
        lines.append(' "chargers": [')
        lines.extend(
            f"  {json.dumps(charger)}{',' if number < len(value) - 1 else ''}"
            for number, charger in enumerate(value)
        )
        lines.append(f" ]{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def draw_files(seed: int, count: int) -> dict[str, str]:
    """Return the file names and contents of one draw."""
    rng = random.Random(seed)
    files: dict[str, str] = {}
    for index in range(count):
        name = f"random_{seed}_{index:02d}"
        files[f"{name}.json"] = render(draw(rng, name, seed))
    return files


def main(argv: list[str] | None = None) -> None:
    """Write a draw's files into a directory."""
    parser = argparse.ArgumentParser(prog="python -m benchmark.random_draw")
    parser.add_argument("seed", type=int)
    parser.add_argument("count", type=int)
    parser.add_argument("directory", type=Path)
    args = parser.parse_args(argv)
    args.directory.mkdir(parents=True, exist_ok=True)
    for name, text in draw_files(args.seed, args.count).items():
        (args.directory / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
