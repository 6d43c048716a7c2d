"""Scenario files: what a file says is what the benchmark measures.

Commands windows across midnight, timers that opened before the car came,
visits that meet across midnight, outages inside outages and files not in UTF-8.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json
from pathlib import Path

import pytest

from benchmark.__main__ import main
from benchmark.runner import START, run
from benchmark.scenario_file import (
    CHARGE_KW,
    FileScenario,
    FileScenarioDriver,
    ScenarioFileError,
    parse,
)
from v2c_simulator import Simulator, VirtualClock

MIDNIGHT = datetime(2026, 3, 2, tzinfo=UTC)


def _file(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "name": "rules",
        "seed": 3,
        "chargers": [{"sessions": [{"arrive": "18:00", "charge_hours": 2}]}],
    }
    return {**base, **changes}


def _driver(
    data: dict[str, object],
) -> tuple[VirtualClock, Simulator, FileScenarioDriver]:
    scenario = parse(data).scenario
    assert isinstance(scenario, FileScenario)
    clock = VirtualClock(START)
    sim = Simulator(clock=clock)
    return clock, sim, FileScenarioDriver(sim, scenario, "key")


def test_a_commands_window_across_midnight_sends_them_at_night() -> None:
    """A commands window from 22:00 to 06:00 sends them through the night.

    A day's commands go from its 22:00 to 06:00 the next morning, evenly spread.
    """
    data = _file(commands_per_day=4, commands_from="22:00", commands_to="06:00")
    _, commands = parse(data).scenario.day_plan(MIDNIGHT, 0)
    assert len(commands) == 4
    for index, command in enumerate(commands):
        earliest = MIDNIGHT + timedelta(hours=22 + 2 * index)
        assert earliest <= command.at < earliest + timedelta(hours=1)


def _first_visit(data: dict[str, object]) -> tuple[datetime, datetime, float]:
    """Play minute by minute until the first car leaves: its charge start, departure, energy."""
    clock, _, driver = _driver(data)
    charger = driver.chargers[0]
    began: datetime | None = None
    energy: float | None = None
    moment = START
    while moment < START + timedelta(days=3):
        moment += timedelta(minutes=1)
        clock.set(moment)
        driver.apply_until(moment)
        if charger.state.current_a > 0 and began is None:
            began = moment
        if charger.plugged:
            energy = charger.state.session_energy_kwh
        elif energy is not None:
            break
    assert began is not None
    assert energy is not None
    return began, moment, energy


def test_a_car_arriving_after_its_timer_opened_charges_at_once() -> None:
    """A car that comes after its timer opened charges at once, for its whole charge.

    An off-peak tariff from 22:00 and a car home at 22:30 needing 2 h: the
    timer is open, so the car charges from 22:30 for 2 h and leaves an hour after.
    """
    began, left, energy = _first_visit(
        _file(
            chargers=[
                {
                    "sessions": [
                        {"arrive": "22:30", "charge_hours": 2, "start_at": "22:00"}
                    ]
                }
            ]
        )
    )
    assert began == START + timedelta(hours=22, minutes=30)
    assert energy == pytest.approx(2 * CHARGE_KW, abs=0.1)
    assert left == START + timedelta(hours=25, minutes=30)


def test_a_car_arriving_before_its_timer_waits_for_it() -> None:
    """A car home at 18:00 with `start_at` 02:00 waits 8 h, then charges fully."""
    began, _, energy = _first_visit(
        _file(
            chargers=[
                {
                    "sessions": [
                        {"arrive": "18:00", "charge_hours": 2, "start_at": "02:00"}
                    ]
                }
            ]
        )
    )
    assert began == START + timedelta(hours=26)
    assert energy == pytest.approx(2 * CHARGE_KW, abs=0.1)


@pytest.mark.parametrize(
    ("sessions", "message"),
    [
        # An evening car staying 15 h is there at the next morning's 08:00 visit.
        (
            [
                {"arrive": "18:00", "charge_hours": 2, "stay_hours": 15},
                {"arrive": "08:00", "charge_hours": 1},
            ],
            r"sessions\[0\] and chargers\[0\]\.sessions\[1\] of the next day overlap",
        ),
        # A visit that stays longer than a day meets its own next day's copy.
        (
            [{"arrive": "18:00", "charge_hours": 2, "stay_hours": 25}],
            r"sessions\[0\] and its own next day's visit overlap",
        ),
        # A timer's wait counts: 18:00, start at 02:00, 20 h charge, an hour after.
        (
            [{"arrive": "18:00", "charge_hours": 20, "start_at": "02:00"}],
            r"sessions\[0\] and its own next day's visit overlap",
        ),
    ],
)
def test_visits_that_overlap_every_day_across_midnight_are_refused(
    sessions: list[dict[str, object]], message: str
) -> None:
    with pytest.raises(ScenarioFileError, match=message):
        parse(_file(chargers=[{"sessions": sessions}]))


def test_visits_that_meet_across_midnight_only_on_days_apart_are_not_refused() -> None:
    """The evening car's last day is before the morning visit's first day less one."""
    parse(
        _file(
            chargers=[
                {
                    "sessions": [
                        {
                            "arrive": "18:00",
                            "charge_hours": 2,
                            "stay_hours": 15,
                            "days": [0, 4],
                        },
                        {"arrive": "08:00", "charge_hours": 1, "days": [0, 0]},
                        {"arrive": "08:00", "charge_hours": 1, "days": [7, 9]},
                    ]
                }
            ]
        )
    )


@pytest.mark.parametrize("where", ["charger", "cloud"])
def test_an_outage_lasts_as_long_as_written_when_another_falls_inside_it(
    where: str,
) -> None:
    """A 60-minute outage from 20:00 with a 10-minute one inside it lasts until 21:00."""
    outages = [{"at": "20:00", "minutes": 60}, {"at": "20:30", "minutes": 10}]
    if where == "charger":
        data = _file(chargers=[{"sessions": [], "outages": outages}])
    else:
        data = _file(cloud_outages=outages)
    clock, sim, driver = _driver(data)

    def off_at(hours: int, minutes: int) -> bool:
        moment = START + timedelta(hours=hours, minutes=minutes)
        clock.set(moment)
        driver.apply_until(moment)
        if where == "charger":
            return not driver.chargers[0].state.online
        return bool(sim.faults.active)

    assert off_at(20, 35)
    assert off_at(20, 50)
    assert off_at(20, 59)
    assert not off_at(21, 1)


@pytest.mark.usefixtures("socket_enabled")
async def test_outages_inside_an_outage_measure_as_that_one_outage() -> None:
    """The runner counts a nested outage as part of the outer one, to its end."""
    session = {"arrive": "06:00", "charge_hours": 4}
    single = [{"at": "07:00", "minutes": 60}]
    nested = [*single, {"at": "07:10", "minutes": 10}, {"at": "07:50", "minutes": 5}]

    async def figures(outages: list[dict[str, object]]) -> dict[str, object]:
        data = _file(
            chargers=[{"sessions": [session], "outages": outages}],
            cloud_outages=outages,
        )
        return (await run(parse(data), "fixed", 1)).as_dict()

    assert await figures(nested) == await figures(single)


def test_a_file_not_in_utf8_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A scenario file saved in Latin-1 gives "scenario file: PATH: ..." and status 2."""
    path = tmp_path / "nuit.json"
    text = json.dumps(_file(description="Recharge de nuit à 22h"), ensure_ascii=False)
    path.write_bytes(text.encode("latin-1"))
    assert main(["--days", "1", "--scenario-file", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"scenario file: {path}: not UTF-8 text" in err
    assert len(err.strip().splitlines()) == 1
