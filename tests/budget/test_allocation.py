"""Tests for splitting the calls left into poll intervals."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from custom_components.v2c_cloud.budget import ChargerActivity, PlannerSettings
from custom_components.v2c_cloud.budget.allocation import (
    ChargerDemand,
    allocate,
    target_interval,
)

HORIZON_S = 7200.0
CHARGING = ChargerDemand(
    device_id="A",
    activity=ChargerActivity.CHARGING,
    expected_charge_s=3600.0,
    possible_charge_s=3600.0,
)
IDLE = ChargerDemand(
    device_id="B",
    activity=ChargerActivity.IDLE,
    expected_charge_s=0.0,
    possible_charge_s=7200.0,
)
OFFLINE = ChargerDemand(
    device_id="C",
    activity=ChargerActivity.OFFLINE,
    expected_charge_s=0.0,
    possible_charge_s=0.0,
)
# With the default settings the two chargers above need 22.5 calls at their
# targets over two hours: (7200 - 3600) / 480 for A after its charge, 7200 / 480 for B.


def plan(
    budget: float, *demands: ChargerDemand, baseline_s: float = 400.0
) -> dict[str, float | None]:
    return allocate(
        demands or (CHARGING, IDLE),
        budget=budget,
        horizon_s=HORIZON_S,
        baseline_s=baseline_s,
        settings=PlannerSettings(),
    )


@pytest.mark.parametrize(
    ("activity", "expected"),
    [
        (ChargerActivity.IDLE, 480.0),
        (ChargerActivity.PLUGGED, 480.0),
        (ChargerActivity.WAITING, 480.0),
        (ChargerActivity.CHARGING, 480.0),
        (ChargerActivity.OFFLINE, 1920.0),
    ],
)
def test_targets(activity: ChargerActivity, expected: float) -> None:
    assert target_interval(activity, PlannerSettings()) == expected


def test_targets_stay_within_bounds_and_honour_poll_idle() -> None:
    slow = PlannerSettings(idle_interval_s=3000.0)
    assert target_interval(ChargerActivity.OFFLINE, slow) == 3600.0
    quiet = PlannerSettings(poll_idle=False)
    assert target_interval(ChargerActivity.IDLE, quiet) is None
    assert target_interval(ChargerActivity.PLUGGED, quiet) == 480.0
    assert target_interval(ChargerActivity.PLUGGED, quiet, charge_ended=True) == 960.0


def test_charging_gets_what_the_targets_leave() -> None:
    assert plan(202.5) == {"A": pytest.approx(20.0), "B": 480.0}


def test_spare_calls_speed_up_idle_polling() -> None:
    # B could still charge for two hours at the floor: 1080 calls; 67.5 are spare.
    assert plan(1147.5) == {"A": 10.0, "B": pytest.approx(160.0)}


def test_calls_a_possible_charge_could_use_are_not_spare() -> None:
    assert plan(500.0) == {"A": 10.0, "B": 480.0}


def test_spare_calls_never_speed_up_offline_chargers() -> None:
    # Targets need 15 + 3.75 calls; 800 - 720 are spare.
    intervals = plan(800.0, IDLE, OFFLINE)
    assert intervals["B"] == pytest.approx(480 * 18.75 / 80)
    assert intervals["C"] == 1920.0


def test_without_expected_charging_targets_hold() -> None:
    assert plan(500.0, IDLE, OFFLINE) == {"B": 480.0, "C": 1920.0}


def test_short_budget_stretches_idle_first() -> None:
    # cap = 100 / 4 = 25 s: charging holds it while idle stretches up to 1.25x.
    intervals = plan(165.0, baseline_s=100.0)
    assert intervals == {"A": 25.0, "B": pytest.approx(480 * 22.5 / 21)}


def test_shorter_budget_slows_charging_once_idle_gave_its_part() -> None:
    intervals = plan(150.0, baseline_s=100.0)
    # Idle gives up to 22.5 - 22.5 / 1.25 = 4.5 calls: 132 are left for A's charge.
    assert intervals == {"A": pytest.approx(3600 / 132), "B": 600.0}


def test_shortest_budget_stretches_everything_together() -> None:
    intervals = plan(80.0, baseline_s=100.0)
    assert intervals == {"A": pytest.approx(56.25), "B": pytest.approx(675.0)}


def test_short_budget_without_charging_stretches_idle() -> None:
    assert plan(12.0, IDLE) == {"B": 600.0}
    assert plan(10.0, IDLE) == {"B": 720.0}
    assert plan(14.0, IDLE) == {"B": pytest.approx(480 * 15 / 14)}


def test_no_budget_polls_at_the_maximum_interval() -> None:
    assert plan(0.0, CHARGING, IDLE, OFFLINE) == {"A": 3600.0, "B": 3600.0, "C": 3600.0}


def test_idle_chargers_are_left_alone_when_idle_polling_is_off() -> None:
    intervals = allocate(
        (CHARGING, IDLE),
        budget=187.5,
        horizon_s=HORIZON_S,
        baseline_s=400.0,
        settings=PlannerSettings(poll_idle=False),
    )
    assert intervals == {"A": pytest.approx(20.0), "B": None}


def _like(demand: ChargerDemand, **changes: object) -> ChargerDemand:
    return ChargerDemand(**{**asdict(demand), **changes})  # type: ignore[arg-type]


def test_a_waiting_car_is_watched_at_twice_the_charging_interval() -> None:
    waiting = _like(IDLE, activity=ChargerActivity.WAITING)
    assert plan(202.5, CHARGING, waiting) == {"A": pytest.approx(20.0), "B": 40.0}


def test_a_waiting_car_slows_down_with_the_charging_interval() -> None:
    waiting = _like(IDLE, activity=ChargerActivity.WAITING)
    intervals = plan(80.0, CHARGING, waiting, baseline_s=100.0)
    assert intervals == {"A": pytest.approx(56.25), "B": pytest.approx(112.5)}


def test_a_usual_arrival_is_watched_at_four_charging_intervals() -> None:
    arriving = _like(IDLE, expecting_arrival=True)
    assert plan(202.5, CHARGING, arriving) == {"A": pytest.approx(20.0), "B": 80.0}


def test_quiet_hours_of_a_known_routine_watch_an_empty_charger_less() -> None:
    quiet = _like(IDLE, quiet_hours=True)
    assert plan(202.5, CHARGING, quiet) == {"A": pytest.approx(20.0), "B": 720.0}


@pytest.mark.parametrize(
    ("offline_s", "expected"), [(None, 1920.0), (10.0, 60.0), (600.0, 300.0)]
)
def test_an_outage_is_checked_again_once_it_grew_by_half(
    offline_s: float | None, expected: float
) -> None:
    outage = _like(OFFLINE, offline_s=offline_s)
    assert plan(202.5, CHARGING, outage)["C"] == expected
