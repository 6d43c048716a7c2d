"""Day-long simulations: the planner against a fake quota and scripted chargers."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

import pytest

from custom_components.v2c_cloud.budget import ChargerActivity, PlannerSettings

from .simulation import FakeQuota, Simulation, Stats, Timeline

CHARGING = ChargerActivity.CHARGING
PLUGGED = ChargerActivity.PLUGGED
IDLE = ChargerActivity.IDLE
SUNLESS = ChargerActivity.SUNLESS
WAITING = ChargerActivity.WAITING
RESERVE = PlannerSettings().command_reserve


def hours(hour: float) -> timedelta:
    return timedelta(hours=hour)


def baseline_interval_s(chargers: int, limit: int = 1000) -> float:
    """Return the interval of a poller spreading the day's calls evenly."""
    return 86400 * chargers / (limit - RESERVE)


COMMUTER: Timeline = [
    (hours(0), PLUGGED),
    (hours(7.5), IDLE),
    (hours(18.5), CHARGING),
    (hours(22.5), PLUGGED),
]
SECOND_CAR: Timeline = [
    (hours(0), IDLE),
    (hours(9), CHARGING),
    (hours(12), IDLE),
    (hours(20), PLUGGED),
    (hours(23), CHARGING),
]
THIRD_CAR: Timeline = [
    (hours(0), IDLE),
    (hours(13), PLUGGED),
    (hours(14), CHARGING),
    (hours(17), PLUGGED),
    (hours(19), IDLE),
]
# Two drivers: the night's charge runs past the reset, another car charges in
# the morning, and the night's car is back in the evening.
TWO_DRIVERS: Timeline = [
    (hours(0), CHARGING),
    (hours(4), PLUGGED),
    (hours(5), IDLE),
    (hours(7), CHARGING),
    (hours(8.5), PLUGGED),
    (hours(9), IDLE),
    (hours(21.5), PLUGGED),
    (hours(22), CHARGING),
]
SOLAR: Timeline = [
    (hours(0), SUNLESS),
    (hours(10), CHARGING),
    (hours(11), WAITING),
    (hours(11.5), CHARGING),
    (hours(13), WAITING),
    (hours(13 + 1 / 3), CHARGING),
    (hours(16), PLUGGED),
    (hours(17), IDLE),
    (hours(21), SUNLESS),
]


def commuter_commands(_day: int) -> list[timedelta]:
    return [hours(7), hours(18.52), hours(18.7), hours(19), hours(21)]


def assert_safe(stats: Stats, share: int = 1000) -> None:
    """Assert the quota rules held (a 429 would have raised already)."""
    assert stats.most_ours_in_a_window <= share
    assert stats.min_remaining_after_poll >= RESERVE


def test_commuter_day() -> None:
    # Three windows teach the charge length; until then any charge may last
    # until the reset, so the first days are read closer to the baseline.
    stats = Simulation({"A": COMMUTER}, commands=commuter_commands).run(6)
    assert_safe(stats)
    assert stats.rejected_commands == 0
    # Once learned, only a charge as long as the longest day stays funded at
    # the baseline: what the first days kept back goes to faster reads.
    assert stats.mean_charging_interval_s <= 0.32 * baseline_interval_s(1)
    # Data age while charging, including the wait for the plug-in to be seen.
    assert stats.mean_staleness_s <= 0.33 * baseline_interval_s(1) / 2
    assert stats.mean_detection_s <= 300


def test_three_chargers_share_one_key() -> None:
    timelines = {"A": COMMUTER, "B": SECOND_CAR, "C": THIRD_CAR}
    # The first day, before any car was seen, empty chargers are read at the
    # baseline; measured from the second.
    stats = Simulation(timelines, commands=commuter_commands).run(3, measure_from_day=1)
    assert_safe(stats)
    assert stats.mean_charging_interval_s <= 0.35 * baseline_interval_s(3)
    assert stats.mean_detection_s <= 300


def test_the_day_s_later_charges_are_not_starved_by_its_first() -> None:
    """The empty charger between two charges is watched, and that is paid for first.

    Were the hours between priced as a full car left plugged, the night's charge
    would take their calls and the morning's would be read more slowly than a
    fixed poller reads it.
    """
    stats = Simulation({"A": TWO_DRIVERS}, commands=commuter_commands).run(
        10, measure_from_day=4
    )
    assert_safe(stats)
    assert max(stats.charging_intervals) <= baseline_interval_s(1)
    assert stats.mean_staleness_s <= 0.3 * baseline_interval_s(1)


def test_solar_day_with_many_commands() -> None:
    stats = Simulation(
        {"A": SOLAR},
        commands=lambda _day: [hours(9) + timedelta(minutes=15 * i) for i in range(40)],
    ).run(8)
    assert_safe(stats)
    assert stats.rejected_commands == 0
    # The day's charge follows the sun; the calls a longer one might need stay
    # set aside at the baseline, and so do those that watch the empty charger
    # until the car comes back at night, which leaves less for faster reads.
    assert stats.mean_charging_interval_s <= 0.65 * baseline_interval_s(1)


@pytest.mark.parametrize("burst", [False, True])
def test_command_storm_never_starves_commands_or_hits_429(burst: bool) -> None:
    def storm(_day: int) -> list[timedelta]:
        step = 6 if burst else 288
        return [hours(8) + timedelta(seconds=step * i) for i in range(300)]

    stats = Simulation({"A": COMMUTER}, commands=storm).run(2)
    assert_safe(stats)
    assert stats.rejected_commands == 0
    assert stats.mean_charging_interval_s < baseline_interval_s(1)


def test_another_program_spending_the_same_key() -> None:
    simulation = Simulation(
        {"A": COMMUTER},
        commands=commuter_commands,
        others=lambda _day: [timedelta(seconds=288 * i + 7) for i in range(300)],
    )
    stats = simulation.run(3)
    assert_safe(stats)
    assert stats.rejected_commands == 0
    # The other program's calls come out of the charge's share.
    assert stats.mean_charging_interval_s < 0.6 * baseline_interval_s(1)


def test_a_smaller_share_is_respected() -> None:
    settings = PlannerSettings(quota_share=0.4)
    stats = Simulation({"A": COMMUTER}, settings=settings).run(2)
    assert_safe(stats, share=400)
    assert stats.most_ours_in_a_window >= 300


@pytest.mark.parametrize("reset_hour", [1, 22])
def test_a_reset_at_another_hour_is_learned(reset_hour: int) -> None:
    simulation = Simulation(
        {"A": COMMUTER},
        commands=commuter_commands,
        quota=FakeQuota(reset_hour=reset_hour),
    )
    stats = simulation.run(6)
    assert_safe(stats)
    assert simulation.planner.reset_at.hour == reset_hour
    assert stats.mean_charging_interval_s <= 0.32 * baseline_interval_s(1)


def test_without_idle_polling_only_maintenance_watches_empty_chargers() -> None:
    settings = PlannerSettings(poll_idle=False)
    simulation = Simulation({"A": THIRD_CAR}, settings=settings)
    stats = simulation.run(2)
    assert_safe(stats)
    # After a poll that found the charger empty, the next waits for maintenance
    # to see a car: longer than any interval idle polling could use.
    polls = stats.polls["A"]
    gaps_after_empty = [
        later - earlier
        for earlier, later in pairwise(polls)
        if simulation.truth("A", earlier) is IDLE
    ]
    assert gaps_after_empty
    assert min(gaps_after_empty) > timedelta(seconds=settings.max_interval_s)
