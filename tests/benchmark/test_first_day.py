"""First-day plug-ins over reseeded copies: what a copy is, what is counted, what is refused."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
import json
from pathlib import Path
import statistics
from typing import Any

import pytest

from benchmark import first_day
from benchmark.__main__ import case_of
from benchmark.first_day import ScenarioDelays, first_day_delays, summary
from benchmark.runner import START, BenchCase, run
from benchmark.scenario_file import load
from v2c_simulator.scenarios import SCENARIOS, EventKind


def scenario(name: str = "tiny", **changes: object) -> dict[str, object]:
    charger = {"sessions": [{"arrive": ["18:00", "20:00"], "charge_hours": 1}]}
    return {"name": name, "seed": 7, "chargers": [charger], **changes}


def write(tmp_path: Path, stem: str, data: dict[str, object]) -> str:
    path = tmp_path / f"{stem}.json"
    path.write_text(json.dumps(data))
    return str(path)


def plugin_times(case: BenchCase) -> list[datetime]:
    """Return when the cars of the case's first day plug in."""
    events, _ = case.scenario.day_plan(START, 0)
    return [event.at for event in events if event.kind is EventKind.PLUG_IN]


def test_copy_zero_is_the_classic_as_shipped_and_the_next_draws_another_day() -> None:
    source = ("classic", "commuter")
    shipped = SCENARIOS["commuter"]
    assert case_of(source, seed_offset=0).scenario == shipped
    other = case_of(source, seed_offset=1).scenario
    assert other.seed == shipped.seed + 1
    assert plugin_times(case_of(source, seed_offset=1)) != plugin_times(
        BenchCase(shipped)
    )


def test_copy_zero_is_the_file_as_shipped_and_the_next_draws_another_day(
    tmp_path: Path,
) -> None:
    source = ("file", write(tmp_path, "tiny", scenario()))
    shipped = load(Path(source[1]))
    copy0 = case_of(source, seed_offset=0)
    assert copy0.scenario == shipped.scenario
    assert plugin_times(copy0) == plugin_times(shipped)
    copy1 = case_of(source, seed_offset=1)
    assert copy1.scenario.seed == 8
    assert plugin_times(copy1) != plugin_times(shipped)
    # The reseeded copy is played by its own driver, not the shipped file's.
    assert copy1.make_driver is not None
    assert ScenarioDelays.empty(source, shipped, 3).seeds == [7, 8, 9]


@pytest.mark.usefixtures("socket_enabled")
def test_a_tiny_run_reports_each_copys_delays_and_means_of_them(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Threads stand for the processes: forking the test process is unsafe.
    monkeypatch.setattr(first_day, "ProcessPoolExecutor", ThreadPoolExecutor)
    path = write(tmp_path, "tiny", scenario())
    out = tmp_path / "first_day.json"
    argv = ["--scenario-file", path, "--seeds", "2", "--jobs", "1", "--json", str(out)]
    assert first_day.main(argv) == 0
    data = json.loads(out.read_text())
    copies = data["scenarios"]["tiny"]["copies"]
    assert [copy["seed"] for copy in copies] == [7, 8]
    pooled: dict[str, list[float]] = {"planner": [], "fixed": []}
    for copy in copies:
        assert set(copy["delays_s"]) == {"planner", "fixed"}
        assert copy["unseen"] == {"planner": 0, "fixed": 0}
        for strategy, delays in copy["delays_s"].items():
            # One visit a day: one first-day plug-in per copy.
            assert len(delays) == 1
            assert delays[0] >= 0
            pooled[strategy] += delays
    means = {
        strategy: {"mean_s": round(statistics.fmean(delays), 1), "counted": 2}
        for strategy, delays in pooled.items()
    }
    expected = {"scenarios": 1, "plugins": 2, "strategies": means}
    assert data["overall"] == expected
    assert data["groups"] == {
        "1 charger": expected,
        "own 1,000-call key": expected,
    }
    table = capsys.readouterr().out
    assert "tiny" in table
    assert f"{means['planner']['mean_s']:.1f}" in table


@pytest.mark.usefixtures("socket_enabled")
async def test_a_plugin_late_in_the_evening_is_counted_from_a_second_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    days_run: list[int] = []

    def counted_run(case: BenchCase, strategy: str, days: int) -> Any:
        days_run.append(days)
        return run(case, strategy, days)

    monkeypatch.setattr(first_day, "run", counted_run)
    # On 120 calls the planner reads seldom: a car at 23:57 shows only after
    # midnight, past the end of a one-day run.
    late = scenario(
        "late",
        daily_limit=120,
        reset_utc="06:10",
        chargers=[{"sessions": [{"arrive": "23:57", "charge_hours": 2}]}],
    )
    # In a thread, as in a worker: its asyncio.run must not close this loop.
    delays, unseen = await asyncio.to_thread(
        first_day_delays, ("file", write(tmp_path, "late", late)), 0, "planner"
    )
    assert days_run == [1, 2]
    assert unseen == 0
    assert len(delays) == 1
    assert delays[0] > 3 * 60


def _delays(
    name: str, chargers: int, delays: dict[str, list[list[float]]], **quota: int
) -> ScenarioDelays:
    strategies = tuple(delays)
    return ScenarioDelays(
        name=name,
        chargers=chargers,
        daily_limit=quota.get("daily_limit", 1000),
        other_calls_per_day=quota.get("other", 0),
        seeds=list(range(len(delays["planner"]))),
        strategies=strategies,
        delays_s=delays,
        unseen={strategy: [0] * len(delays["planner"]) for strategy in strategies},
    )


def test_groups_pool_plugins_by_chargers_and_key() -> None:
    single = _delays("single", 1, {"planner": [[10.0], [20.0]], "fixed": [[40.0], []]})
    single.unseen["fixed"][1] = 1
    trio = _delays(
        "trio",
        3,
        {
            "planner": [[30.0, 60.0]],
            "fixed": [[90.0, 30.0]],
            "fixed_left": [[50.0, 70.0]],
        },
        other=300,
    )
    fleet = _delays(
        "fleet", 5, {"planner": [[300.0]], "fixed": [[200.0]]}, daily_limit=400
    )
    groups = first_day.group_summaries([single, trio, fleet])
    assert groups["1 charger"] == summary([single])
    assert single.plugins == 2
    assert summary([single])["strategies"] == {
        "planner": {"mean_s": 15.0, "counted": 2},
        "fixed": {"mean_s": 40.0, "counted": 1},
    }
    assert groups["own 1,000-call key"] == summary([single])
    shared = groups["smaller or shared key"]
    assert shared["scenarios"] == 2
    assert shared["plugins"] == 3
    # Every plug-in weighs the same: trio's two count twice fleet's one.
    assert shared["strategies"]["planner"] == {"mean_s": 130.0, "counted": 3}
    assert shared["strategies"]["fixed_left"] == {"mean_s": 60.0, "counted": 2}
    assert groups["4+ chargers"]["strategies"]["planner"]["mean_s"] == 300.0
    assert "fixed_left" not in groups["4+ chargers"]["strategies"]
    table = first_day.render([single, trio, fleet], 2)
    assert "single: 1 first-day plug-in(s) never shown under fixed" in table
    assert "60.0 (2)" in table


def _no_pool(*_: Any, **__: Any) -> None:
    raise AssertionError("nothing may run after an argument error")


@pytest.mark.parametrize("seeds", ["0", "-2", "x"])
def test_seeds_must_be_at_least_one(
    seeds: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as raised:
        first_day.parse_args(["--seeds", seeds])
    assert raised.value.code == 2
    assert "--seeds" in capsys.readouterr().err


def test_an_unknown_classic_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        first_day.parse_args(["--scenario", "nowhere"])
    assert raised.value.code == 2
    assert "--scenario" in capsys.readouterr().err


def test_bad_files_and_outputs_are_refused_before_any_run(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(first_day, "ProcessPoolExecutor", _no_pool)
    good = write(tmp_path, "good", scenario())
    typo = write(tmp_path, "typo", scenario(dialy_limit=300))
    twin = write(tmp_path, "twin", scenario())
    missing = str(tmp_path / "nowhere" / "out.json")
    assert first_day.main(["--scenario-file", typo]) == 2
    assert first_day.main(["--scenario-file", good, "--scenario-file", twin]) == 2
    assert first_day.main(["--scenario-file", good, "--json", missing]) == 2
    err = capsys.readouterr().err
    assert "typo.json" in err
    assert "unknown key 'dialy_limit'" in err
    assert "two scenarios are named 'tiny'" in err
    assert "does not exist" in err
