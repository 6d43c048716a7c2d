"""Tests for the daily-window calendar arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from custom_components.v2c_cloud.budget.timekeeping import (
    as_utc,
    estimate_reset,
    next_hour,
    next_reset,
    offset_of,
)


def at(hour: int, minute: int = 0, second: int = 0, day: int = 3) -> datetime:
    return datetime(2025, 3, day, hour, minute, second, tzinfo=UTC)


def test_as_utc_converts_and_rejects_naive() -> None:
    madrid = timezone(timedelta(hours=1))
    assert as_utc(datetime(2025, 3, 3, 1, tzinfo=madrid)) == at(0)
    assert as_utc(datetime(2025, 3, 3, 1, tzinfo=madrid)).tzinfo is UTC
    with pytest.raises(ValueError, match="timezone-aware"):
        as_utc(datetime(2025, 3, 3))  # noqa: DTZ001


def test_offset_of_counts_from_utc_midnight() -> None:
    assert offset_of(at(22, 30)) == 22.5 * 3600


@pytest.mark.parametrize(
    ("after", "offset_s", "expected"),
    [
        (at(12), 0, at(0, day=4)),
        (at(0), 0, at(0, day=4)),
        (at(12), 22 * 3600, at(22)),
        (at(23), 22 * 3600, at(22, day=4)),
    ],
)
def test_next_reset_is_strictly_after(
    after: datetime, offset_s: float, expected: datetime
) -> None:
    assert next_reset(after, offset_s) == expected


def test_next_hour() -> None:
    assert next_hour(at(10, 0)) == at(11)
    assert next_hour(at(10, 59, 59)) == at(11)


@pytest.mark.parametrize(
    ("after", "until", "expected"),
    [
        (at(23, 50), at(0, 3, day=4), at(0, day=4)),
        (at(21, 10), at(23, 5), at(23)),
        (at(0, 20), at(0, 31, 10), at(0, 30)),
        (at(0, 31, 5), at(0, 31, 40), at(0, 31, 40)),
    ],
)
def test_estimate_reset_prefers_round_moments(
    after: datetime, until: datetime, expected: datetime
) -> None:
    assert estimate_reset(after, until) == expected


def test_estimate_reset_within_one_second_is_the_observation() -> None:
    until = at(0, 31, 5) + timedelta(milliseconds=300)
    assert estimate_reset(at(0, 31, 5) + timedelta(milliseconds=100), until) == until
