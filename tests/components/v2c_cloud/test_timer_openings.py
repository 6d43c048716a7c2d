"""When a charger's timers next let a waiting car start, and next (or last) stop a charge."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from custom_components.v2c_cloud.api import Timer
from custom_components.v2c_cloud.timer_openings import (
    last_closing,
    next_closing,
    next_opening,
    wall_moment,
)

MADRID = ZoneInfo("Europe/Madrid")
# A Tuesday evening, 22:00 in Madrid (winter time, UTC+1).
TUESDAY_EVENING = datetime(2026, 3, 3, 21, 0, tzinfo=UTC)


def timer(
    start: time | None,
    days: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7),
    *,
    end: time | None = time(7, 0),
    active: bool | None = True,
) -> Timer:
    return Timer(timer_id=1, start=start, end=end, days=days, active=active)


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


def test_an_opening_in_the_spring_forward_gap_is_when_the_clock_jumps_past_it() -> None:
    """A 02:30 timer, the night Madrid's clocks jump 02:00 -> 03:00, opens at the jump.

    The charger's clock never shows 02:30 that night: it goes from 01:59:59
    CET to 03:00:00 CEST (01:00 UTC), and a window 02:30-06:00 is open from
    then on, not from 03:30 local.
    """
    # Saturday 28 March 2026, 23:00 in Madrid; DST starts that night.
    now = datetime(2026, 3, 28, 22, 0, tzinfo=UTC)
    opening = next_opening([timer(time(2, 30))], now, MADRID)
    assert opening == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    # The jump itself, and the second before it, are as the clock shows them.
    jump_day = date(2026, 3, 29)
    assert wall_moment(jump_day, time(3, 0), MADRID) == opening
    assert wall_moment(jump_day, time(1, 59, 59), MADRID) == datetime(
        2026, 3, 29, 0, 59, 59, tzinfo=UTC
    )


def test_an_opening_shown_twice_in_autumn_is_its_first_showing() -> None:
    """The night clocks go back (03:00 CEST -> 02:00 CET), 02:30 comes first at 00:30 UTC."""
    now = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
    opening = next_opening([timer(time(2, 30))], now, MADRID)
    assert opening == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_an_overnight_window_closes_the_next_morning() -> None:
    closing = next_closing([timer(time(22, 30))], TUESDAY_EVENING, MADRID)
    assert closing == datetime(2026, 3, 4, 6, 0, tzinfo=UTC)


def test_a_window_opened_yesterday_closes_today() -> None:
    # Wednesday 02:00 in Madrid, inside Tuesday's 22:30-07:00 window.
    now = datetime(2026, 3, 4, 1, 0, tzinfo=UTC)
    closing = next_closing([timer(time(22, 30), (2,))], now, MADRID)
    assert closing == datetime(2026, 3, 4, 6, 0, tzinfo=UTC)


def test_a_window_ending_at_midnight_closes_at_the_days_end() -> None:
    """An end of 00:00 (a charger's "24:00") is the midnight after the opening."""
    closing = next_closing(
        [timer(time(23, 0), end=time(0, 0))], TUESDAY_EVENING, MADRID
    )
    assert closing == datetime(2026, 3, 3, 23, 0, tzinfo=UTC)


def test_the_last_closing_is_the_latest_window_end_up_to_now() -> None:
    """Today's end once it has come (at now included), else yesterday's."""
    nightly = [timer(time(1, 0), end=time(2, 0))]
    now = datetime(2026, 3, 4, 1, 3, tzinfo=UTC)  # Wednesday 02:03 in Madrid
    assert last_closing(nightly, now, MADRID) == datetime(2026, 3, 4, 1, 0, tzinfo=UTC)
    closed = datetime(2026, 3, 4, 1, 0, tzinfo=UTC)
    assert last_closing(nightly, closed, MADRID) == closed
    before = datetime(2026, 3, 4, 0, 59, tzinfo=UTC)
    assert last_closing(nightly, before, MADRID) == datetime(
        2026, 3, 3, 1, 0, tzinfo=UTC
    )


def test_a_weekly_windows_last_closing_is_a_week_back_at_most() -> None:
    # Tuesday's 22:30-07:00 window, seen on the next Tuesday evening.
    closing = last_closing([timer(time(22, 30), (2,))], TUESDAY_EVENING, MADRID)
    assert closing == datetime(2026, 2, 25, 6, 0, tzinfo=UTC)
    assert last_closing([], TUESDAY_EVENING, MADRID) is None


def test_a_window_end_in_the_spring_forward_gap_is_the_jump() -> None:
    now = datetime(2026, 3, 28, 22, 0, tzinfo=UTC)
    closing = next_closing([timer(time(1, 0), end=time(2, 30))], now, MADRID)
    assert closing == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "timers",
    [
        [],
        [timer(time(1, 0), active=False)],
        [timer(time(1, 0), end=None)],
        [timer(None)],
    ],
    ids=["none", "inactive", "no end", "no start"],
)
def test_no_usable_timer_means_no_closing(timers: list[Timer]) -> None:
    assert next_closing(timers, TUESDAY_EVENING, MADRID) is None
