"""Tests for when commands usually come."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.v2c_cloud.budget.arrivals import SLOTS
from custom_components.v2c_cloud.budget.commands import (
    even_profile,
    learn,
    profile_from,
    record,
    share_between,
)

MIDNIGHT = datetime(2025, 3, 4, tzinfo=UTC)


def _daytime(first_slot: int, last_slot: int) -> dict[int, int]:
    """Return one command in each half hour from first_slot to last_slot."""
    return dict.fromkeys(range(first_slot, last_slot + 1), 1)


@pytest.mark.parametrize(
    ("start", "hours", "share"),
    [
        (MIDNIGHT, 6, 0.25),
        (MIDNIGHT + timedelta(hours=20, minutes=15), 8, 1 / 3),
        (MIDNIGHT + timedelta(hours=3), 36, 1.5),
        (MIDNIGHT, 0, 0.0),
    ],
)
def test_commands_spread_evenly_come_in_proportion_to_time(
    start: datetime, hours: float, share: float
) -> None:
    end = start + timedelta(hours=hours)
    assert share_between(even_profile(), start, end) == pytest.approx(share)


def test_hours_without_commands_expect_only_the_random_share() -> None:
    profile = [0.0] * SLOTS
    for _ in range(60):
        learn(profile, _daytime(14, 45))
    night = share_between(
        profile, MIDNIGHT + timedelta(hours=23), MIDNIGHT + timedelta(hours=31)
    )
    # Eight night hours: the tenth of a day's commands that may come any
    # time, spread over them, and nothing learned.
    assert night == pytest.approx(0.1 * 8 / 24)
    day = share_between(
        profile, MIDNIGHT + timedelta(hours=7), MIDNIGHT + timedelta(hours=23)
    )
    assert day == pytest.approx(0.9 + 0.1 * 16 / 24)


def test_part_of_a_half_hour_counts_its_part() -> None:
    profile = [0.0] * SLOTS
    profile[2] = 1.0
    start = MIDNIGHT + timedelta(hours=1, minutes=15)
    learned = share_between(profile, start, start + timedelta(minutes=10))
    assert learned == pytest.approx(0.9 * 10 / 30 + 0.1 * 10 / 1440)


def test_a_window_moves_the_profile_towards_its_hours() -> None:
    profile = even_profile()
    learn(profile, {10: 3, 11: 1})
    assert profile[10] == pytest.approx(0.7 / SLOTS + 0.3 * 0.75)
    assert profile[11] == pytest.approx(0.7 / SLOTS + 0.3 * 0.25)
    assert profile[0] == pytest.approx(0.7 / SLOTS)
    assert sum(profile) == pytest.approx(1.0)


def test_a_window_without_commands_teaches_nothing() -> None:
    profile = even_profile()
    learn(profile, {})
    assert profile == even_profile()


def test_a_command_is_counted_in_its_half_hour() -> None:
    slots: dict[int, int] = {}
    record(slots, MIDNIGHT + timedelta(hours=7, minutes=45))
    record(slots, MIDNIGHT + timedelta(hours=7, minutes=31))
    assert slots == {15: 2}


@pytest.mark.parametrize(
    "data",
    [None, [1.0] * 3, ["x"] * SLOTS, [-1.0] * SLOTS, [0.0] * SLOTS, [1e308] * SLOTS],
)
def test_an_unreadable_profile_is_spread_evenly(data: object) -> None:
    assert profile_from(data) == even_profile()


def test_a_saved_profile_is_read_back_as_shares() -> None:
    data = [0.0] * SLOTS
    data[5] = 2.0
    data[6] = 2.0
    profile = profile_from(data)
    assert profile[5] == profile[6] == 0.5
