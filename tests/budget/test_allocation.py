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
# With a 320 s baseline an uncertain charger's target is 480 s, an unlikely
# start's (and a car's once its charge ended) the 3600 s maximum: the two
# chargers above need 16 calls at their targets over two hours: 3600 / 3600 for
# A after its charge, 7200 / 480 for B. Charging is never planned slower than 320 s.
BASELINE_S = 320.0


def plan(
    budget: float, *demands: ChargerDemand, baseline_s: float = BASELINE_S
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
        (ChargerActivity.CHARGING, 3600.0),
        (ChargerActivity.OFFLINE, 480.0),
    ],
)
def test_targets_are_slower_than_the_baseline(
    activity: ChargerActivity, expected: float
) -> None:
    assert target_interval(activity, PlannerSettings(), BASELINE_S) == expected


def test_unlikely_starts_are_watched_least() -> None:
    settings = PlannerSettings()
    ended = target_interval(
        ChargerActivity.PLUGGED, settings, 200.0, charge_ended=True, quietness=1.0
    )
    quiet = target_interval(ChargerActivity.IDLE, settings, 200.0, quietness=1.0)
    after = target_interval(ChargerActivity.CHARGING, settings, 200.0)
    assert ended == after == 3200.0
    # A car may still come outside its routine: it is seen within about four
    # baseline intervals.
    assert quiet == 1600.0
    # A full car that charged again by itself lately may do so at any moment
    # outside a learned restart routine.
    restarting = target_interval(
        ChargerActivity.PLUGGED, settings, 200.0, charge_ended=True, quietness=0.0
    )
    assert restarting == 200.0
    # A routine barely told from chance is read between the two.
    half_sure = target_interval(ChargerActivity.IDLE, settings, 200.0, quietness=0.5)
    assert half_sure == 200.0 * (1.5 + 8.0) / 2
    # Quiet hours are about arrivals: a plugged car may start any time.
    assert (
        target_interval(ChargerActivity.PLUGGED, settings, BASELINE_S, quietness=1.0)
        == 480.0
    )
    # A car that has not charged yet is sure to start: read at the baseline.
    awaited = target_interval(
        ChargerActivity.PLUGGED, settings, BASELINE_S, awaiting_start=True
    )
    assert awaited == BASELINE_S


def test_targets_stay_within_bounds_and_honour_poll_idle() -> None:
    slow = PlannerSettings(idle_interval_s=3000.0)
    assert target_interval(ChargerActivity.OFFLINE, slow, BASELINE_S) == 480.0
    unpolled = PlannerSettings(idle_interval_s=3000.0, poll_idle=False)
    assert target_interval(ChargerActivity.OFFLINE, unpolled, BASELINE_S) == 3600.0
    assert target_interval(ChargerActivity.IDLE, slow, 1000.0, quietness=1.0) == 3600.0
    assert target_interval(ChargerActivity.IDLE, slow, 1.0) == 10.0
    quiet = PlannerSettings(poll_idle=False)
    assert target_interval(ChargerActivity.IDLE, quiet, BASELINE_S) is None
    assert target_interval(ChargerActivity.PLUGGED, quiet, BASELINE_S) == 480.0


def test_a_key_too_small_for_hourly_reads_slows_down_to_two_baselines() -> None:
    # 4,000 s is the baseline of five chargers on about 110 calls a day.
    settings = PlannerSettings()
    assert target_interval(ChargerActivity.IDLE, settings, 4000.0) == 6000.0
    quiet = target_interval(ChargerActivity.IDLE, settings, 4000.0, quietness=1.0)
    assert quiet == 8000.0


def test_an_empty_charger_that_first_car_awaited_waits_for_its_first_one() -> None:
    settings = PlannerSettings()
    # Nothing learned is no routine known: one charger on 1,000 calls (a 96 s
    # baseline) is read at the uncertain pace, not as a fixed poller.
    assert target_interval(
        ChargerActivity.IDLE, settings, 96.0, first_car_awaited=True
    ) == pytest.approx(144.0)
    # Slow enough that the first car would wait over two minutes on average:
    # held at four minutes.
    assert (
        target_interval(ChargerActivity.IDLE, settings, 192.0, first_car_awaited=True)
        == 240.0
    )
    # Never faster than the baseline: many chargers on one key cannot pay for
    # a faster watch all day.
    assert (
        target_interval(
            ChargerActivity.OFFLINE, settings, 400.0, first_car_awaited=True
        )
        == 400.0
    )


def test_charging_gets_what_the_targets_leave() -> None:
    assert plan(196.0) == {"A": pytest.approx(20.0), "B": 480.0}


def test_a_charge_that_may_run_on_keeps_its_calls_at_the_baseline() -> None:
    # One more hour of A at 320 s instead of 3600 s costs 10.25 calls.
    guarded = _like(CHARGING, guard_s=3600.0)
    intervals = plan(206.25, guarded, IDLE)
    assert intervals == {"A": pytest.approx(20.0), "B": 480.0}


def test_a_guard_without_a_slow_target_costs_the_whole_baseline() -> None:
    guarded = _like(IDLE, guard_s=3200.0)
    intervals = allocate(
        (CHARGING, guarded),
        budget=191.0,
        horizon_s=HORIZON_S,
        baseline_s=BASELINE_S,
        settings=PlannerSettings(poll_idle=False),
    )
    # 1 call for A after its charge, 10 for B's guarded hour: 180 for the charge.
    assert intervals == {"A": pytest.approx(20.0), "B": None}


def test_spare_calls_speed_up_idle_polling() -> None:
    # B could still charge for two hours at the floor: 1080 calls; 48 are spare.
    assert plan(1128.0) == {"A": 10.0, "B": pytest.approx(160.0)}


def test_calls_a_possible_charge_could_use_are_not_spare() -> None:
    assert plan(500.0) == {"A": 10.0, "B": 480.0}


def test_spare_calls_speed_up_an_offline_charger_like_an_empty_one() -> None:
    # Targets need 15 + 15 calls; 800 - 720 are spare.
    intervals = plan(800.0, IDLE, OFFLINE)
    assert intervals == {"B": pytest.approx(480 * 30 / 80), "C": pytest.approx(180.0)}


def test_without_expected_charging_targets_hold() -> None:
    assert plan(500.0, IDLE, OFFLINE) == {"B": 480.0, "C": 480.0}


def test_short_budget_stretches_the_slow_targets_first() -> None:
    # A's charge at the 320 s baseline needs 11.25 calls: 14.75 are left for 16.
    intervals = plan(26.0)
    assert intervals == {"A": 320.0, "B": pytest.approx(480 * 16 / 14.75)}


def test_a_guard_is_kept_while_the_targets_stretch() -> None:
    guarded = _like(CHARGING, guard_s=3600.0)
    intervals = plan(36.0, guarded, IDLE)
    assert intervals == {"A": 320.0, "B": pytest.approx(480 * 16 / 14.5)}


def test_shorter_budget_slows_charging_once_the_targets_gave_their_part() -> None:
    intervals = plan(22.0)
    # The targets give up to 16 - 16 / 1.25 = 3.2 calls: 9.2 are left for A.
    assert intervals == {"A": pytest.approx(3600 / 9.2), "B": 600.0}


def test_shortest_budget_stretches_everything_together() -> None:
    intervals = plan(12.0)
    scale = (12.8 + 3600 / 640) / 12
    assert intervals == {
        "A": pytest.approx(640 * scale),
        "B": pytest.approx(600 * scale),
    }


def test_short_budget_without_charging_stretches_idle() -> None:
    assert plan(12.0, IDLE) == {"B": 600.0}
    assert plan(10.0, IDLE) == {"B": 720.0}
    assert plan(14.0, IDLE) == {"B": pytest.approx(480 * 15 / 14)}


def test_no_budget_polls_at_the_maximum_interval() -> None:
    assert plan(0.0, CHARGING, IDLE, OFFLINE) == {"A": 3600.0, "B": 3600.0, "C": 3600.0}
    # On a key whose baseline is over half an hour, at two baselines.
    assert plan(0.0, IDLE, baseline_s=4000.0) == {"B": 8000.0}


def test_a_charge_is_read_at_least_as_often_as_with_no_budget() -> None:
    # A budget of half a call in two hours would read the charge every few
    # hours; with none it is read at the maximum, or two baselines.
    assert plan(0.5, CHARGING, IDLE)["A"] == 3600.0
    assert plan(0.5, CHARGING, IDLE, baseline_s=4000.0)["A"] == 8000.0
    assert plan(0.5, IDLE)["B"] > 3600.0


def test_short_budget_stretches_slow_reads_past_the_maximum() -> None:
    # Quiet chargers on a 1,000 s baseline: their 8,000 s targets stop at the
    # hour, two calls each in two hours where the plan has two in all.
    quiet = (_like(IDLE, quietness=1.0), _like(OFFLINE, quietness=1.0))
    assert plan(4.0, *quiet, baseline_s=1000.0) == {"B": 3600.0, "C": 3600.0}
    assert plan(2.0, *quiet, baseline_s=1000.0) == {
        "B": pytest.approx(7200.0),
        "C": pytest.approx(7200.0),
    }


def test_idle_chargers_are_left_alone_when_idle_polling_is_off() -> None:
    intervals = allocate(
        (CHARGING, IDLE),
        budget=181.0,
        horizon_s=HORIZON_S,
        baseline_s=BASELINE_S,
        settings=PlannerSettings(poll_idle=False),
    )
    assert intervals == {"A": pytest.approx(20.0), "B": None}


def _like(demand: ChargerDemand, **changes: object) -> ChargerDemand:
    return ChargerDemand(**{**asdict(demand), **changes})  # type: ignore[arg-type]


def test_a_waiting_car_is_watched_at_twice_the_charging_interval() -> None:
    waiting = _like(IDLE, activity=ChargerActivity.WAITING)
    assert plan(196.0, CHARGING, waiting) == {"A": pytest.approx(20.0), "B": 40.0}


def test_a_waiting_car_keeps_its_target_when_charging_slows_down() -> None:
    waiting = _like(IDLE, activity=ChargerActivity.WAITING)
    intervals = plan(26.0, CHARGING, waiting)
    assert intervals == {"A": 320.0, "B": pytest.approx(480 * 16 / 14.75)}


def test_a_usual_arrival_is_watched_at_four_charging_intervals() -> None:
    arriving = _like(IDLE, expecting_arrival=True)
    assert plan(196.0, CHARGING, arriving) == {"A": pytest.approx(20.0), "B": 80.0}


def test_a_usual_arrival_is_never_watched_more_slowly_than_the_baseline() -> None:
    # 3600 s of charging at the 320 s cap take 11.25 calls, the two chargers'
    # targets 16 more: four charging intervals would be 1280 s, and the
    # uncertain target 480 s.
    arriving = _like(IDLE, expecting_arrival=True)
    assert plan(27.25, CHARGING, arriving) == {
        "A": pytest.approx(320.0),
        "B": pytest.approx(320.0),
    }


def test_a_usual_arrival_short_of_calls_stretches_with_the_slow_targets() -> None:
    arriving = _like(IDLE, expecting_arrival=True)
    uncertain = plan(20.0, CHARGING, IDLE)["B"]
    assert uncertain is not None
    assert uncertain > 480.0
    assert plan(20.0, CHARGING, arriving)["B"] == pytest.approx(uncertain * 320 / 480)


def test_an_outage_in_quiet_hours_is_checked_as_an_empty_charger_would_be() -> None:
    outage = _like(OFFLINE, offline_s=7200.0, quietness=1.0)
    assert plan(181.0 + 7200 / 2560, CHARGING, outage)["C"] == pytest.approx(2560.0)


def test_an_outage_near_a_usual_arrival_is_watched_as_closely_as_the_arrival() -> None:
    outage = _like(OFFLINE, offline_s=7200.0, expecting_arrival=True)
    assert plan(196.0, CHARGING, outage)["C"] == 80.0


def test_a_record_charge_keeps_a_slow_tail_until_the_reset() -> None:
    # Two hours of A at 8 x 320 s instead of 3600 s cost 0.8 calls more.
    tailed = _like(CHARGING, tail_s=7200.0)
    untailed = plan(185.0, CHARGING, IDLE)["A"]
    assert plan(185.0 + 7200 / 2560 - 7200 / 3600, tailed, IDLE)["A"] == pytest.approx(
        untailed
    )


def test_quiet_hours_of_a_known_routine_watch_an_empty_charger_less() -> None:
    quiet = _like(IDLE, quietness=1.0)
    # 1 call for A after its charge, 2.8 for B at eight baselines.
    assert plan(181.0 + 7200 / 2560, CHARGING, quiet) == {
        "A": pytest.approx(20.0),
        "B": pytest.approx(2560.0),
    }


@pytest.mark.parametrize(
    ("offline_s", "expected"), [(None, 480.0), (10.0, 60.0), (600.0, 300.0)]
)
def test_an_outage_is_checked_again_once_it_grew_by_half(
    offline_s: float | None, expected: float
) -> None:
    outage = _like(OFFLINE, offline_s=offline_s)
    assert plan(196.0, CHARGING, outage)["C"] == expected


@pytest.mark.parametrize(
    ("offline_s", "expected"), [(None, 300.0), (10.0, 60.0), (4000.0, 300.0)]
)
def test_a_charger_silent_mid_charge_is_checked_every_five_minutes_at_most(
    offline_s: float | None, expected: float
) -> None:
    outage = _like(OFFLINE, offline_s=offline_s, offline_charging=True)
    assert plan(196.0, CHARGING, outage)["C"] == expected


def test_a_silent_charge_is_checked_no_faster_than_charges_are_read() -> None:
    """A silent charge's checks are paid like its reads: no faster, or they are unbudgeted."""
    outage = _like(OFFLINE, offline_s=4000.0, offline_charging=True)
    intervals = plan(16.0, CHARGING, outage)
    assert intervals["A"] is not None
    assert intervals["A"] > 300.0
    assert intervals["C"] == intervals["A"]


@pytest.mark.parametrize(("offline_s", "expected"), [(None, 180.0), (300.0, 150.0)])
def test_a_silent_charge_is_checked_every_two_baselines_when_they_are_shorter(
    offline_s: float | None, expected: float
) -> None:
    outage = _like(OFFLINE, offline_s=offline_s, offline_charging=True)
    assert plan(196.0, CHARGING, outage, baseline_s=90.0)["C"] == expected


@pytest.mark.parametrize(
    ("unanswered_s", "expected"), [(0.0, 20.0), (100.0, 50.0), (4000.0, 320.0)]
)
def test_a_charge_the_cloud_stops_answering_is_read_at_most_as_a_fixed_poller_would(
    unanswered_s: float, expected: float
) -> None:
    """Failed reads back off from the planned interval to the baseline, no slower."""
    failing = _like(CHARGING, unanswered_s=unanswered_s)
    assert plan(196.0, failing, IDLE)["A"] == pytest.approx(expected)


def test_an_idle_charger_the_cloud_stops_answering_keeps_its_slower_interval() -> None:
    failing = _like(IDLE, unanswered_s=4000.0)
    assert plan(196.0, CHARGING, failing)["B"] == plan(196.0, CHARGING, IDLE)["B"]
