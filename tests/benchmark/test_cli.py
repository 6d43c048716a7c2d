"""The bench's command line: what it refuses before a run, and what it leaves out."""

from __future__ import annotations

from collections.abc import Callable
import json
from pathlib import Path
from typing import Any, Self

import pytest

from benchmark import __main__ as cli
from benchmark.runner import FIXED_LEFT, make_strategy
from benchmark.scenario_file import parse
from benchmark.strategies import FixedStrategy, fixed_interval_s


def scenario(name: str = "test", **changes: object) -> dict[str, object]:
    charger = {"sessions": [{"arrive": "18:00", "charge_hours": 2}]}
    return {"name": name, "chargers": [charger], **changes}


def write(tmp_path: Path, stem: str, data: dict[str, object]) -> str:
    path = tmp_path / f"{stem}.json"
    path.write_text(json.dumps(data))
    return str(path)


class _Done:
    def __init__(self, value: Any) -> None:
        self.value = value

    def result(self) -> Any:
        return self.value


class _InProcess:
    """Stands for the process pool: runs each job at once, in this process."""

    submitted: list[tuple[Any, ...]] = []

    def __init__(self, max_workers: int) -> None:
        pass

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def submit(self, fn: Callable[..., Any], *args: Any) -> _Done:
        _InProcess.submitted.append(args)
        return _Done(fn(*args))


def _figures(*_: object) -> dict[str, float]:
    return {key: 1.0 for key, _ in cli.COLUMNS}


@pytest.fixture
def no_run(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Replace the runs by figures of 1: returns the jobs submitted."""
    _InProcess.submitted = []
    monkeypatch.setattr(cli, "ProcessPoolExecutor", _InProcess)
    monkeypatch.setattr(
        cli,
        "run_one",
        lambda source, strategy, days, delay: (
            cli.case_of(source).name,
            _figures(),
            0.0,
        ),
    )
    return _InProcess.submitted


def test_no_budget_has_no_fixed_interval() -> None:
    """A zero or negative interval would leave every poll due and the clock still."""
    assert fixed_interval_s(2, 1050, 50) == 172.8
    for limit in (50, 10, 48):
        with pytest.raises(ValueError, match="no fixed interval"):
            fixed_interval_s(1, limit, 50)
    for interval in (0.0, -30.0, float("nan")):
        with pytest.raises(ValueError, match="interval must be positive"):
            FixedStrategy(
                None,  # type: ignore[arg-type]
                ["id"],
                name="fixed",
                interval_s=interval,
                reads_per_poll=1,
            )


def test_fixed_left_is_not_run_when_the_others_leave_it_nothing() -> None:
    starved = parse(
        scenario(daily_limit=200, external_calls_per_day=150, commands_per_day=2)
    )
    source = ("file", "starved.json")
    assert FIXED_LEFT not in cli.strategies_for(source, starved)
    why = cli.fixed_left_skipped(starved)
    assert why is not None
    assert "152 of 200 calls" in why
    with pytest.raises(ValueError, match="no fixed interval"):
        make_strategy(FIXED_LEFT, None, ["id"], starved)  # type: ignore[arg-type]
    fed = parse(scenario(daily_limit=1000, external_calls_per_day=150))
    assert FIXED_LEFT in cli.strategies_for(source, fed)
    assert cli.fixed_left_skipped(fed) is None


def test_the_command_line_says_why_fixed_left_did_not_run(
    tmp_path: Path,
    no_run: list[tuple[Any, ...]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = write(
        tmp_path,
        "starved",
        scenario(daily_limit=200, external_calls_per_day=150, commands_per_day=2),
    )
    assert cli.main(["--scenario-file", path, "--days", "1", "--jobs", "1"]) == 0
    assert [job[1] for job in no_run] == ["planner", "fixed"]
    err = capsys.readouterr().err.splitlines()
    assert [line for line in err if FIXED_LEFT in line] == [
        (
            f"test: {FIXED_LEFT} not run: other programs and commands take 152 of 200 "
            "calls a day, leaving nothing above the 50-call reserve"
        )
    ]


def test_two_scenarios_of_one_name_are_refused(
    tmp_path: Path,
    no_run: list[tuple[Any, ...]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = write(tmp_path, "a", scenario("same"))
    second = write(tmp_path, "b", scenario("same", seed=4))
    argv = ["--scenario-file", first, "--scenario-file", second, "--days", "1"]
    assert cli.main(argv) == 2
    assert not no_run
    err = capsys.readouterr().err
    assert "two scenarios are named 'same'" in err
    assert "a.json" in err
    assert "b.json" in err


@pytest.mark.parametrize("days", ["0", "-3", "x"])
def test_days_must_be_at_least_one(
    days: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as raised:
        cli.parse_args(["--days", days])
    assert raised.value.code == 2
    assert "--days" in capsys.readouterr().err


def test_a_json_path_that_cannot_be_written_is_refused_before_the_run(
    tmp_path: Path,
    no_run: list[tuple[Any, ...]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = write(tmp_path, "ok", scenario())
    missing = tmp_path / "nowhere" / "out.json"
    argv = ["--scenario-file", path, "--days", "1", "--json"]
    assert cli.main([*argv, str(missing)]) == 2
    assert cli.main([*argv, str(tmp_path)]) == 2
    assert not no_run
    err = capsys.readouterr().err
    assert "does not exist" in err
    assert "is a directory" in err
    written = tmp_path / "out.json"
    assert cli.main([*argv, str(written)]) == 0
    assert json.loads(written.read_text())["scenarios"]["test"]["planner"]


def test_a_file_error_names_the_file_on_the_command_line(
    tmp_path: Path, no_run: list[tuple[Any, ...]], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "typo", scenario(dialy_limit=300))
    assert cli.main(["--scenario-file", path, "--days", "1"]) == 2
    assert not no_run
    err = capsys.readouterr().err
    assert "typo.json" in err
    assert "unknown key 'dialy_limit'" in err
