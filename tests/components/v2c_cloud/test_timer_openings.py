"""When a charger's timers next let a waiting car start."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from custom_components.v2c_cloud.api import Timer
from custom_components.v2c_cloud.timer_openings import next_opening

MADRID = ZoneInfo("Europe/Madrid")
# A Tuesday evening, 22:00 in Madrid (winter time, UTC+1).
TUESDAY_EVENING = datetime(2026, 3, 3, 21, 0, tzinfo=UTC)


def timer(
    start: time | None,
    days: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7),
    *,
    active: bool | None = True,
) -> Timer:
    return Timer(timer_id=1, start=start, end=time(7, 0), days=days, active=active)


def test_the_next_opening_is_in_the_chargers_local_time() -> None:
    opening = next_opening([timer(time(1, 30))], TUESDAY_EVENING, MADRID)
    assert opening == datetime(2026, 3, 4, 0, 30, tzinfo=UTC)


def test_an_opening_already_passed_today_is_tomorrows() -> None:
    opening = next_opening([timer(time(21, 0))], TUESDAY_EVENING, UTC)
    assert opening == datetime(2026, 3, 4, 21, 0, tzinfo=UTC)


def test_days_of_the_week_count_from_monday() -> None:
    # Saturday only: from a Tuesday, four days ahead.
    opening = next_opening([timer(time(9, 0), (6,))], TUESDAY_EVENING, MADRID)
    assert opening == datetime(2026, 3, 7, 8, 0, tzinfo=UTC)


def test_the_soonest_of_several_timers_wins() -> None:
    timers = [timer(time(6, 0)), timer(time(23, 0), (2,))]
    opening = next_opening(timers, TUESDAY_EVENING, MADRID)
    assert opening == datetime(2026, 3, 3, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "timers",
    [
        [],
        [timer(time(1, 0), active=False)],
        [timer(time(1, 0), active=None)],
        [timer(None)],
    ],
    ids=["none", "inactive", "unknown", "no start"],
)
def test_no_usable_timer_means_no_opening(timers: list[Timer]) -> None:
    assert next_opening(timers, TUESDAY_EVENING, MADRID) is None
