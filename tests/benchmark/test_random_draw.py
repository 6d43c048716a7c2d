"""Random scenario draws: reproducible, loadable, and never two cars at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json
from pathlib import Path

import pytest

from benchmark.random_draw import draw_files, main
from benchmark.scenario_file import FileScenario, parse
from v2c_simulator.scenarios import EventKind

BENCHMARK = Path(__file__).parents[2] / "benchmark"
MIDNIGHT = datetime(2026, 3, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    "seed",
    [18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 30, 34, 35, 36, 37, 38, 39, 40, 41],
)
def test_the_blind_held_out_sets_are_their_draws(seed: int) -> None:
    """Anyone can check that the held-out sets #18 to #28, #30 and #34 to #41 were drawn, not written."""
    folder = BENCHMARK / f"holdout{seed}"
    shipped = {path.name: path.read_text() for path in folder.glob("*.json")}
    assert draw_files(seed, 12) == shipped


@pytest.mark.parametrize("seed", range(4))
def test_a_chargers_visits_never_overlap(seed: int) -> None:
    for text in draw_files(seed, 12).values():
        case = parse(json.loads(text))
        scenario = case.scenario
        assert isinstance(scenario, FileScenario)
        events = []
        for day in range(40):
            day_events, _ = scenario.day_plan(MIDNIGHT + timedelta(days=day), day)
            events.extend(day_events)
        plugged: dict[int | None, bool] = {}
        for event in sorted(events, key=lambda event: event.at):
            if event.kind is EventKind.PLUG_IN:
                assert not plugged.get(event.charger), (scenario.name, event)
                plugged[event.charger] = True
            elif event.kind is EventKind.UNPLUG:
                assert plugged.get(event.charger), (scenario.name, event)
                plugged[event.charger] = False


def test_the_command_line_writes_the_draw(tmp_path: Path) -> None:
    main(["7", "3", str(tmp_path / "draw")])
    written = {path.name: path.read_text() for path in (tmp_path / "draw").iterdir()}
    assert written == draw_files(7, 3)
    assert sorted(written) == [f"random_7_0{index}.json" for index in range(3)]
