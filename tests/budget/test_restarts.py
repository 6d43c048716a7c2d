"""Tests for a full car that charges again by itself (preconditioning, top-ups)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.v2c_cloud.budget import (
    ChargerActivity,
    PlannerSettings,
    QuotaPlanner,
)
from custom_components.v2c_cloud.budget.restarts import (
    FORGET_AFTER_STAYS,
    Restarts,
    restarts_from,
)

DAY0 = datetime(2025, 3, 3, tzinfo=UTC)
HOUR = timedelta(hours=1)
BASELINE_S = 86_400 / 950


def interval(planner: QuotaPlanner, now: datetime) -> float | None:
    """Return A's interval; early in a window, before unspent calls near the reset."""
    return planner.snapshot(now).chargers["A"].interval_s


def charge_until_full(planner: QuotaPlanner, evening: datetime) -> datetime:
    """Charge from `evening` for three hours, then stay full; return when it is full."""
    planner.set_activity("A", ChargerActivity.CHARGING, evening)
    full = evening + 3 * HOUR
    planner.set_activity("A", ChargerActivity.PLUGGED, full)
    return full


def command_and_confirm(planner: QuotaPlanner, at: datetime) -> None:
    """Send a command at `at`; its confirmation 15 s later still shows a full car."""
    planner.request_confirmation("A", at)
    planner.set_activity("A", ChargerActivity.PLUGGED, at + timedelta(seconds=15))


def full_night(
    planner: QuotaPlanner, day: int, *, restart_at: timedelta | None
) -> datetime:
    """Plug in at 18:00, charge until 21:00, stay full; maybe restart, leave at 08:00.

    Return the moment the car is full.
    """
    full = charge_until_full(planner, DAY0 + timedelta(days=day, hours=18))
    if restart_at is not None:
        restart = DAY0 + timedelta(days=day + 1) + restart_at
        planner.set_activity("A", ChargerActivity.CHARGING, restart)
        planner.set_activity("A", ChargerActivity.PLUGGED, restart + HOUR / 3)
    planner.set_activity(
        "A", ChargerActivity.IDLE, DAY0 + timedelta(days=day + 1, hours=8)
    )
    return full


def test_a_full_car_that_never_restarted_is_read_sixteen_times_slower() -> None:
    planner = QuotaPlanner(PlannerSettings(), now=DAY0)
    full = full_night(planner, 0, restart_at=None)
    planner.set_activity("A", ChargerActivity.CHARGING, full + 21 * HOUR)
    planner.set_activity("A", ChargerActivity.PLUGGED, full + 24 * HOUR)
    assert interval(planner, full + 28 * HOUR) == pytest.approx(16 * BASELINE_S)


def test_once_a_full_car_restarted_by_itself_it_is_read_at_the_baseline() -> None:
    planner = QuotaPlanner(PlannerSettings(), now=DAY0)
    # The first night's cabin warming at 06:30 is seen: the next night's full
    # car may charge again at any moment, so it is no longer read at 16x.
    full_night(planner, 0, restart_at=timedelta(hours=6, minutes=30))
    evening = DAY0 + timedelta(days=1, hours=18)
    full = charge_until_full(planner, evening)
    assert interval(planner, full + 4 * HOUR) == pytest.approx(BASELINE_S)


def test_a_restart_routine_leaves_quiet_hours_and_is_watched_around_its_time() -> None:
    planner = QuotaPlanner(PlannerSettings(), now=DAY0)
    for day in range(8):
        full_night(planner, day, restart_at=timedelta(hours=6, minutes=40))
    charge_until_full(planner, DAY0 + timedelta(days=8, hours=18))
    # At midnight, far from the 06:40 restarts, the full car stays full: the
    # quiet hours deepen towards 16 baselines with the nights behind them.
    midnight = DAY0 + timedelta(days=9)
    quiet = interval(planner, midnight)
    assert quiet is not None
    assert quiet >= 12 * BASELINE_S
    # Around 06:40 it is watched at least as closely as a fixed poller would.
    usual = interval(planner, midnight + timedelta(hours=6, minutes=35))
    assert usual is not None
    assert usual <= BASELINE_S


def test_a_commanded_restart_teaches_nothing() -> None:
    planner = QuotaPlanner(PlannerSettings(), now=DAY0)
    full = full_night(planner, 0, restart_at=None)
    evening = full + 21 * HOUR
    full = charge_until_full(planner, evening)
    restart = full + HOUR
    planner.request_confirmation("A", restart - timedelta(seconds=20))
    planner.set_activity("A", ChargerActivity.CHARGING, restart)
    planner.set_activity("A", ChargerActivity.PLUGGED, restart + HOUR / 2)
    assert interval(planner, full + 4 * HOUR) == pytest.approx(16 * BASELINE_S)


def test_a_restart_seen_after_a_new_current_is_the_cars_own() -> None:
    # An automation following the sun changes the current all day: the read
    # confirming it is often the first to see the car charging again.
    planner = QuotaPlanner(PlannerSettings(), now=DAY0)
    full = full_night(planner, 0, restart_at=None)
    full = charge_until_full(planner, full + 21 * HOUR)
    restart = full + HOUR
    planner.request_confirmation(
        "A", restart - timedelta(seconds=20), may_start_or_stop=False
    )
    planner.set_activity("A", ChargerActivity.CHARGING, restart)
    planner.set_activity("A", ChargerActivity.PLUGGED, restart + HOUR / 2)
    assert interval(planner, full + 4 * HOUR) == pytest.approx(BASELINE_S)


def test_a_new_current_does_not_clear_a_pending_start() -> None:
    planner = QuotaPlanner(PlannerSettings(), now=DAY0)
    full = full_night(planner, 0, restart_at=None)
    full = charge_until_full(planner, full + 21 * HOUR)
    restart = full + HOUR
    planner.request_confirmation("A", restart - timedelta(seconds=30))
    planner.request_confirmation(
        "A", restart - timedelta(seconds=20), may_start_or_stop=False
    )
    planner.set_activity("A", ChargerActivity.CHARGING, restart)
    planner.set_activity("A", ChargerActivity.PLUGGED, restart + HOUR / 2)
    assert interval(planner, full + 4 * HOUR) == pytest.approx(16 * BASELINE_S)


@pytest.mark.parametrize(
    ("may_start_or_stop", "pace"),
    [(False, 16.0), (True, 1.5)],
    ids=["current", "pause"],
)
def test_a_charge_ending_just_after_a_new_current_is_a_full_car(
    may_start_or_stop: bool, pace: float
) -> None:
    # An automation following the sun changes the current every minute or so:
    # the car's own end of charge comes just after one of them. A pause might
    # be resumed soon, so the car it stopped is not taken for full.
    planner = QuotaPlanner(PlannerSettings(), now=DAY0)
    evening = DAY0 + timedelta(hours=18)
    planner.set_activity("A", ChargerActivity.CHARGING, evening)
    end = evening + 3 * HOUR
    planner.request_confirmation(
        "A", end - timedelta(seconds=30), may_start_or_stop=may_start_or_stop
    )
    planner.set_activity("A", ChargerActivity.PLUGGED, end)
    assert interval(planner, end + 4 * HOUR) == pytest.approx(pace * BASELINE_S)


def test_full_cars_that_stop_charging_again_go_back_to_the_slow_pace() -> None:
    planner = QuotaPlanner(PlannerSettings(), now=DAY0)
    full_night(planner, 0, restart_at=timedelta(hours=6, minutes=30))
    for day in range(1, FORGET_AFTER_STAYS):
        full_night(planner, day, restart_at=None)
    # The last full stay before the restart is forgotten.
    evening = DAY0 + timedelta(days=FORGET_AFTER_STAYS, hours=18)
    charge_until_full(planner, evening)
    assert interval(planner, evening + 7 * HOUR) == pytest.approx(BASELINE_S)
    planner.set_activity("A", ChargerActivity.IDLE, evening + 14 * HOUR)
    full = full_night(planner, FORGET_AFTER_STAYS + 1, restart_at=None)
    planner.set_activity("A", ChargerActivity.CHARGING, full + 21 * HOUR)
    planner.set_activity("A", ChargerActivity.PLUGGED, full + 24 * HOUR)
    assert interval(planner, full + 28 * HOUR) == pytest.approx(16 * BASELINE_S)


def test_a_car_unplugged_while_it_charges_again_still_counts_as_restarting() -> None:
    # Cabin warming usually ends with the driver unplugging mid-charge.
    planner = QuotaPlanner(PlannerSettings(), now=DAY0)
    for day in range(FORGET_AFTER_STAYS + 2):
        evening = DAY0 + timedelta(days=day, hours=18)
        charge_until_full(planner, evening)
        warming = DAY0 + timedelta(days=day + 1, hours=6, minutes=30)
        planner.set_activity("A", ChargerActivity.CHARGING, warming)
        planner.set_activity("A", ChargerActivity.IDLE, warming + HOUR / 4)
    evening = DAY0 + timedelta(days=FORGET_AFTER_STAYS + 2, hours=18)
    charge_until_full(planner, evening)
    # Watched closely when it usually warms the cabin.
    watched = interval(planner, evening + timedelta(hours=12, minutes=20))
    assert watched is not None
    assert watched <= BASELINE_S
    assert planner.to_dict()["chargers"]["A"]["restarts"]["stays_since"] == 0


def test_a_full_car_without_sun_cannot_charge_again_before_it_returns() -> None:
    planner = QuotaPlanner(PlannerSettings(), now=DAY0)
    full_night(planner, 0, restart_at=timedelta(hours=6, minutes=30))
    evening = DAY0 + timedelta(days=1, hours=18)
    charge_until_full(planner, evening)
    planner.set_activity("A", ChargerActivity.SUNLESS, evening + 4 * HOUR)
    assert interval(planner, evening + 7 * HOUR) == pytest.approx(8 * BASELINE_S)


def test_restarts_are_forgotten_after_two_weeks_of_full_stays_without_one() -> None:
    restarts = Restarts()
    assert not restarts.seen()
    assert restarts.quietness(DAY0) == 1.0
    restarts.became_full()
    restarts.restarted(DAY0 + timedelta(hours=6, minutes=30))
    restarts.visit_ended()
    assert restarts.expecting(DAY0 + timedelta(days=1, hours=6, minutes=40))
    # A visit whose car never got full says nothing either way.
    restarts.visit_ended()
    stays = 0
    while restarts.seen():
        restarts.became_full()
        restarts.visit_ended()
        stays += 1
    assert stays == FORGET_AFTER_STAYS
    assert not restarts.expecting(DAY0 + timedelta(days=1, hours=6, minutes=40))
    assert restarts.quietness(DAY0) == 1.0


def test_restarts_survive_a_restart_of_home_assistant() -> None:
    planner = QuotaPlanner(PlannerSettings(), now=DAY0)
    full_night(planner, 0, restart_at=timedelta(hours=6, minutes=30))
    data = planner.to_dict()
    saved = data["chargers"]["A"]["restarts"]
    assert saved["stays_since"] == 0
    assert sum(saved["habit"]) == pytest.approx(1.0)
    restored = QuotaPlanner.from_dict(data, PlannerSettings(), now=DAY0 + 2 * HOUR)
    assert restored.to_dict()["chargers"]["A"]["restarts"] == saved


@pytest.mark.parametrize(
    "saved",
    [
        None,
        "broken",
        {"habit": ["x"] * 48, "stays_since": -1},
        {"habit": [None] * 48, "stays_since": True, "visit_full": "yes"},
    ],
)
def test_unreadable_restarts_start_afresh(saved: object) -> None:
    assert restarts_from(saved) == Restarts()


def test_a_charge_seen_only_in_the_energy_is_a_restart_unless_commanded() -> None:
    planner = QuotaPlanner(PlannerSettings(), now=DAY0)
    evening = DAY0 + timedelta(hours=18)
    full = charge_until_full(planner, evening)
    # A command, its confirmation, then the next slow read: the energy that
    # grew until then may be the command's doing.
    command_and_confirm(planner, full + HOUR)
    planner.charged_unseen("A", full + 2 * HOUR)
    planner.set_activity("A", ChargerActivity.PLUGGED, full + 2 * HOUR)
    assert interval(planner, full + 4 * HOUR) == pytest.approx(16 * BASELINE_S)
    # Growth seen by a later read is the car's own.
    planner.charged_unseen("A", full + 3 * HOUR)
    planner.set_activity("A", ChargerActivity.PLUGGED, full + 3 * HOUR)
    assert interval(planner, full + 4 * HOUR) == pytest.approx(BASELINE_S)


def test_a_change_before_the_first_read_after_a_command_is_the_commands() -> None:
    # The car is full at its energy target; the user raises the target. The
    # confirmation comes before the cloud shows the charge; the slow read after
    # it does: that charge is the command's, not a restart.
    planner = QuotaPlanner(PlannerSettings(), now=DAY0)
    evening = DAY0 + timedelta(hours=18)
    full = charge_until_full(planner, evening)
    command_and_confirm(planner, full + HOUR)
    planner.set_activity(
        "A", ChargerActivity.CHARGING, full + HOUR + timedelta(minutes=25)
    )
    planner.set_activity("A", ChargerActivity.PLUGGED, full + 2 * HOUR)
    assert interval(planner, full + 4 * HOUR) == pytest.approx(16 * BASELINE_S)
    # That read ended the command's turn: the next change is the car's own.
    planner.set_activity("A", ChargerActivity.CHARGING, full + 5 * HOUR)
    planner.set_activity("A", ChargerActivity.PLUGGED, full + 5 * HOUR + HOUR / 4)
    assert interval(planner, full + 6 * HOUR) == pytest.approx(BASELINE_S)


def test_a_charge_seen_only_in_its_energy_is_learned_between_the_two_reads() -> None:
    planner = QuotaPlanner(PlannerSettings(), now=DAY0)
    evening = DAY0 + timedelta(hours=18)
    charge_until_full(planner, evening)
    planner.set_activity("A", ChargerActivity.PLUGGED, evening + 11 * HOUR)
    planner.charged_unseen("A", evening + 13 * HOUR)
    habit = planner.to_dict()["chargers"]["A"]["restarts"]["habit"]
    # Halfway between 05:00 and 07:00.
    assert habit.index(1.0) == 12
