"""Tests of the learned arrival habit: watch closely when a car usually comes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.v2c_cloud.budget import (
    CallKind,
    ChargerActivity,
    PlannerSettings,
    QuotaPlanner,
)
from custom_components.v2c_cloud.budget.arrivals import (
    ARRIVAL_INTERVAL_S,
    SLOTS,
    expecting,
    habit_from,
    learn,
    new_habit,
    quietness,
    slot_of,
)

DAY_ONE = datetime(2025, 3, 3, 0, 0, tzinfo=UTC)
# A fixed interval spreading 1,000 calls less the 50 reserved over one charger.
BASELINE_S = 86_400 / 950


def test_one_arrival_is_expected_around_the_same_time_next_day() -> None:
    habit = new_habit()
    learn(habit, DAY_ONE.replace(hour=18, minute=35))
    next_day = DAY_ONE + timedelta(days=1)

    assert expecting(habit, next_day.replace(hour=18, minute=20))
    assert expecting(habit, next_day.replace(hour=19, minute=10))
    assert not expecting(habit, next_day.replace(hour=18, minute=10))
    assert not expecting(habit, next_day.replace(hour=19, minute=20))
    assert not expecting(habit, next_day.replace(hour=21, minute=0))


def test_a_changed_routine_fades_the_old_one() -> None:
    habit = new_habit()
    learn(habit, DAY_ONE.replace(hour=7))
    for _ in range(4):
        learn(habit, DAY_ONE.replace(hour=19))
    assert not expecting(habit, DAY_ONE.replace(hour=7))
    assert expecting(habit, DAY_ONE.replace(hour=19))


def test_saved_habits_round_trip_and_garbage_starts_afresh() -> None:
    habit = new_habit()
    learn(habit, DAY_ONE.replace(hour=23, minute=59))
    assert slot_of(DAY_ONE.replace(hour=23, minute=59)) == SLOTS - 1
    assert habit_from(list(habit)) == habit
    assert habit_from("not a habit") == new_habit()
    assert habit_from([1.0, 2.0]) == new_habit()
    assert habit_from([float("nan")] * SLOTS) == new_habit()
    assert habit_from([-1.0] * SLOTS) == new_habit()


def _poll_interval(planner: QuotaPlanner, device_id: str, now: datetime) -> float:
    planner.record_call(CallKind.POLL, now, device_id)
    planner.observe_quota(limit=1000, remaining=planner.remaining, now=now)
    due = planner.next_poll_at(device_id, now)
    assert due is not None
    return (due - now).total_seconds()


def test_planner_polls_an_empty_charger_fast_only_when_a_car_usually_arrives() -> None:
    settings = PlannerSettings()
    planner = QuotaPlanner(settings, now=DAY_ONE)
    planner.set_activity("TRY1", ChargerActivity.IDLE, DAY_ONE)
    plug_in = DAY_ONE.replace(hour=18, minute=30)
    planner.set_activity("TRY1", ChargerActivity.CHARGING, plug_in)
    planner.set_activity("TRY1", ChargerActivity.IDLE, plug_in + timedelta(hours=5))

    restored = QuotaPlanner.from_dict(
        planner.to_dict(), settings, now=DAY_ONE + timedelta(days=1)
    )
    next_day = DAY_ONE + timedelta(days=1)
    usual = _poll_interval(restored, "TRY1", next_day.replace(hour=18, minute=20))
    midday = _poll_interval(restored, "TRY1", next_day.replace(hour=12))

    # Around the usual time the charger is watched as a coming charge is worth;
    # one arrival is no routine yet, the rest of the day stays near the baseline.
    assert midday == pytest.approx(1.5 * BASELINE_S, abs=1e-3)
    assert ARRIVAL_INTERVAL_S <= usual < midday


def test_a_tight_routine_outlines_quiet_hours_after_a_few_arrivals() -> None:
    habit = new_habit()
    evening = (18, 18, 18, 18)
    minutes = (20, 40, 10, 30)
    for day, (hour, minute) in enumerate(zip(evening, minutes, strict=True)):
        if day == 2:
            # Two arrivals half an hour apart could still be chance.
            assert not quietness(habit, DAY_ONE.replace(hour=4) + timedelta(days=day))
        learn(habit, DAY_ONE.replace(hour=hour, minute=minute) + timedelta(days=day))
    next_day = DAY_ONE + timedelta(days=4)
    assert quietness(habit, next_day.replace(hour=4))
    assert quietness(habit, next_day.replace(hour=16, minute=50))
    # An hour either side of a seen arrival is never quiet.
    assert not quietness(habit, next_day.replace(hour=17, minute=30))
    assert not quietness(habit, next_day.replace(hour=19, minute=50))
    assert quietness(habit, next_day.replace(hour=20, minute=30))


def test_quiet_hours_keep_as_far_from_a_spread_routine_as_it_is_wide() -> None:
    habit = new_habit()
    for day, (hour, minute) in enumerate(
        ((10, 0), (11, 0), (12, 0), (12, 30), (11, 30))
    ):
        learn(habit, DAY_ONE.replace(hour=hour, minute=minute) + timedelta(days=day))
    later = DAY_ONE + timedelta(days=5)
    # Five arrivals over 10:00-12:30 are a routine, but the next car may come
    # well outside what was seen: three hours either side stay watched.
    assert not quietness(habit, later.replace(hour=7, minute=30))
    assert not quietness(habit, later.replace(hour=15, minute=30))
    assert quietness(habit, later.replace(hour=5))
    assert quietness(habit, later.replace(hour=17))


def test_an_irregular_routine_keeps_as_far_from_it_as_it_is_wide() -> None:
    habit = new_habit()
    for day, hour in enumerate((15, 22, 19, 16, 21)):
        learn(habit, DAY_ONE.replace(hour=hour) + timedelta(days=day))
    later = DAY_ONE + timedelta(days=5)
    # Five cars over 15:00-22:30 are barely a routine (about a 5 % chance for
    # five arrivals at random hours): it is kept 7.5 h clear either side, which
    # leaves only 06:00-07:30 quiet.
    watched = [
        hour for hour in range(24) if not quietness(habit, later.replace(hour=hour))
    ]
    assert watched == [*range(6), *range(8, 24)]
    habit_of_four = new_habit()
    for day, hour in enumerate((15, 22, 19, 16)):
        learn(habit_of_four, DAY_ONE.replace(hour=hour) + timedelta(days=day))
    # Four are not: the whole day stays watched.
    assert not any(
        quietness(habit_of_four, later.replace(hour=hour)) for hour in range(24)
    )


def test_a_morning_and_an_evening_visit_make_a_routine_of_two() -> None:
    habit = new_habit()
    for day in range(8):
        midnight = DAY_ONE + timedelta(days=day)
        learn(habit, midnight.replace(hour=7 + day % 3, minute=15 * (day % 2)))
        learn(habit, midnight.replace(hour=16 + day % 3, minute=30 * (day % 2)))
    later = DAY_ONE + timedelta(days=8)
    quiet = [
        minute / 60
        for minute in range(0, 24 * 60, 30)
        if quietness(habit, later + timedelta(minutes=minute))
    ]
    # Visits 07:00-09:30 and 16:00-19:00, sixteen arrivals and none between:
    # each visit keeps a margin as wide as itself, so the night is quiet and
    # of the six hours between the visits only the middle hour.
    assert quiet == [
        0.0,
        0.5,
        1.0,
        1.5,
        2.0,
        2.5,
        3.0,
        3.5,
        4.0,
        12.0,
        12.5,
        22.0,
        22.5,
        23.0,
        23.5,
    ]


def test_a_chance_gap_inside_a_spread_routine_cuts_no_visit() -> None:
    habit = new_habit()
    hours = (15, 21, 16, 22.5, 17, 19.5, 15.5, 20, 22, 16.5, 21.5, 15, 20.5, 16, 22)
    for day, hour in enumerate(hours):
        learn(habit, DAY_ONE + timedelta(days=day, hours=hour))
    later = DAY_ONE + timedelta(days=len(hours))
    # Fifteen cars over 15:00-23:00 and none in 17:30-19:30: a gap that wide
    # is chance often enough, so the routine stays one visit as wide as the
    # evening, and no hour is far enough from it to be quiet.
    assert not any(quietness(habit, later.replace(hour=hour)) for hour in range(24))


def test_arrivals_scattered_over_the_day_leave_no_quiet_hours() -> None:
    habit = new_habit()
    for day, hour in enumerate((1, 7, 13, 19)):
        learn(habit, DAY_ONE.replace(hour=hour) + timedelta(days=day))
    later = DAY_ONE + timedelta(days=4)
    # The longest gap (6 h) is chance, not a routine: every hour stays watched.
    assert not any(quietness(habit, later.replace(hour=hour)) for hour in range(24))


def test_an_empty_charger_is_watched_less_outside_a_known_routine() -> None:
    settings = PlannerSettings()
    planner = QuotaPlanner(settings, now=DAY_ONE)
    noon_intervals = []
    for day in range(8):
        plug_in = DAY_ONE.replace(hour=18, minute=30) + timedelta(days=day)
        planner.set_activity("TRY1", ChargerActivity.IDLE, plug_in - timedelta(hours=1))
        planner.set_activity("TRY1", ChargerActivity.CHARGING, plug_in)
        planner.set_activity("TRY1", ChargerActivity.IDLE, plug_in + timedelta(hours=5))
        noon = DAY_ONE.replace(hour=12) + timedelta(days=day + 1)
        noon_intervals.append(_poll_interval(planner, "TRY1", noon))
    # Two evenings may be chance; from the third on, each plug-in makes the
    # routine surer and the noon reads rarer, until eight evenings (a fading
    # count of four) reach eight baselines.
    assert noon_intervals[0] == noon_intervals[1]
    assert noon_intervals[1] == pytest.approx(1.5 * BASELINE_S, abs=1e-3)
    assert noon_intervals[1:] == sorted(set(noon_intervals[1:]))
    assert noon_intervals[2] < 5 * BASELINE_S
    assert noon_intervals[-1] == pytest.approx(8 * BASELINE_S, abs=1e-3)


def test_quiet_hours_deepen_with_the_plug_ins_behind_the_routine() -> None:
    habit = new_habit()
    depths = []
    for day in range(10):
        learn(habit, DAY_ONE.replace(hour=18, minute=30) + timedelta(days=day))
        depths.append(quietness(habit, DAY_ONE.replace(hour=6) + timedelta(days=day)))
    # Two plug-ins in the same half-hour may still be chance; the third makes
    # a routine, barely; the fading count (1 + 0.8 + 0.64 + ...) passes four
    # at the eighth.
    assert depths[:2] == [0.0, 0.0]
    assert depths[2] == pytest.approx((1 + 0.8 + 0.64 - 1) / 3)
    assert depths[2:7] == sorted(set(depths[2:7]))
    assert depths[6] < 1.0
    assert depths[7:] == [1.0, 1.0, 1.0]
