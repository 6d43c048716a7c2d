"""Tests for charges that start at the same moment every day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.v2c_cloud.budget import (
    CallKind,
    ChargerActivity,
    PlannerSettings,
    QuotaPlanner,
)
from custom_components.v2c_cloud.budget.punctual import (
    KEPT,
    MAX_STRETCH_S,
    REMEMBERED,
    Punctual,
    punctual_from,
)

DAY0 = datetime(2025, 3, 3, tzinfo=UTC)
DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)


def at(day: int, hours: int, minutes: float = 0.0) -> datetime:
    return DAY0 + day * DAY + timedelta(hours=hours, minutes=minutes)


def learned(*spans: tuple[datetime, datetime]) -> Punctual:
    punctual = Punctual()
    for not_yet_at, seen_at in spans:
        punctual.started(not_yet_at, seen_at)
    return punctual


def test_one_start_is_no_schedule() -> None:
    punctual = learned((at(0, 0, 10), at(0, 0, 16)))
    assert punctual.stretches() == []
    assert punctual.next_read(at(1, 0), at(1, 0)) is None


def test_starts_in_one_short_stretch_are_awaited_where_they_all_fell() -> None:
    punctual = learned((at(0, 0, 10), at(0, 0, 16)), (at(1, 0, 13), at(1, 0, 19)))
    assert punctual.stretches() == [(13 * 60.0, 3 * 60.0)]
    # Halfway through the stretch, then at its end.
    assert punctual.next_read(at(2, 0), at(2, 0)) == at(2, 0, 14.5)
    assert punctual.next_read(at(2, 0, 14.5), at(2, 0, 14.5)) == at(2, 0, 16)
    assert punctual.next_read(at(2, 0, 16), at(2, 0, 16)) == at(3, 0, 14.5)


def test_a_stretch_narrowed_to_one_read_is_read_at_its_end_only() -> None:
    start = at(0, 0, 15)
    punctual = learned(
        (start - MINUTE, start + timedelta(seconds=5)),
        (start + DAY, start + DAY + timedelta(seconds=30)),
    )
    assert punctual.stretches() == [(15 * 60.0, 5.0)]
    assert punctual.next_read(at(2, 0), at(2, 0)) == at(2, 0, 15) + timedelta(seconds=5)


def test_a_read_missed_by_long_waits_for_the_next_day() -> None:
    punctual = learned((at(0, 0, 10), at(0, 0, 16)), (at(1, 0, 13), at(1, 0, 19)))
    assert punctual.next_read(at(2, 0, 5), at(2, 0, 20)) == at(2, 0, 14.5)
    assert punctual.next_read(at(2, 0, 5), at(2, 0, 40)) == at(3, 0, 14.5)


def test_starts_spread_wider_than_a_schedule_are_a_habit() -> None:
    wide = timedelta(seconds=MAX_STRETCH_S) + MINUTE
    punctual = learned((at(0, 18), at(0, 19)), (at(1, 17, 50), at(1, 18) + wide))
    assert punctual.stretches() == []


def test_starts_at_another_hour_leave_a_stretch_alone_and_make_their_own() -> None:
    punctual = learned(
        (at(0, 0, 10), at(0, 0, 16)),
        (at(0, 7, 0), at(0, 7, 2)),
        (at(1, 0, 13), at(1, 0, 19)),
        (at(1, 12, 0), at(1, 12, 4)),
    )
    assert punctual.stretches() == [(13 * 60.0, 3 * 60.0)]
    punctual.started(at(2, 7, 1), at(2, 7, 3))
    assert sorted(punctual.stretches()) == [(13 * 60.0, 180.0), (7 * 3600.0 + 60, 60.0)]
    # The lunch read comes after the night's.
    assert punctual.next_read(at(3, 0, 16), at(3, 0, 16)) == at(3, 7, 1.5)


def test_the_newest_starts_narrow_a_stretch_and_a_dozen_are_remembered() -> None:
    punctual = learned(
        *((at(day, 0, 10), at(day, 0, 16 - day)) for day in range(KEPT + 2))
    )
    assert punctual.stretches() == [(10 * 60.0, (16 - KEPT - 1 - 10) * 60.0)]
    punctual = learned(
        *((at(day, 0, 10), at(day, 0, 16)) for day in range(REMEMBERED + 3))
    )
    assert len(punctual.spans) == REMEMBERED


def test_a_stretch_may_cross_midnight() -> None:
    punctual = learned((at(0, 23, 55), at(1, 0, 5)), (at(2, 0, 0), at(2, 0, 10)))
    assert punctual.stretches() == [(0.0, 5 * 60.0)]
    punctual = learned((at(1, 0, 0), at(1, 0, 10)), (at(1, 23, 50), at(2, 0, 2)))
    assert punctual.stretches() == [(0.0, 2 * 60.0)]


def test_a_start_seen_after_hours_tells_nothing() -> None:
    punctual = learned((at(0, 0, 10), at(0, 0, 16)), (at(1, 0, 0), at(1, 8, 0)))
    assert punctual.spans == [(10 * 60.0, 6 * 60.0)]


def test_saved_starts_come_back_and_garbage_starts_afresh() -> None:
    punctual = learned((at(0, 0, 10), at(0, 0, 16)), (at(1, 0, 13), at(1, 0, 19)))
    assert punctual_from(punctual.as_dict()) == punctual
    assert punctual_from(None) == Punctual()
    assert punctual_from("broken") == Punctual()
    assert punctual_from([[600, 360], ["x", 1], [99_999, 60], [60, 0], [1, 2, 3]]) == (
        Punctual(spans=[(600.0, 360.0)])
    )


def poll(
    planner: QuotaPlanner, activity: ChargerActivity, now: datetime
) -> datetime | None:
    """Read charger A at `now`, seeing `activity`; return when to read it next."""
    planner.record_call(CallKind.POLL, now, "A")
    planner.set_activity("A", activity, now)
    return planner.next_poll_at("A", now)


def start_delays(planner: QuotaPlanner, days: int, starts_at: timedelta) -> list[float]:
    """Poll a car that plugs in and starts at `starts_at` each day, charging 3 h.

    Return, per day, the seconds from the start to the read that showed it.
    """
    delays = []
    now = DAY0
    for day in range(days):
        start = DAY0 + day * DAY + starts_at
        end = start + timedelta(hours=3)
        seen = None
        while now < DAY0 + (day + 1) * DAY:
            charging = start <= now < end
            if charging and seen is None:
                seen = now
            due = poll(
                planner,
                ChargerActivity.CHARGING if charging else ChargerActivity.IDLE,
                now,
            )
            assert due is not None
            now = max(due, now + timedelta(seconds=1))
        assert seen is not None
        delays.append((seen - start).total_seconds())
    return delays


def test_a_car_arriving_on_the_same_second_daily_is_soon_seen_within_seconds() -> None:
    planner = QuotaPlanner(PlannerSettings(), now=DAY0)
    delays = start_delays(planner, 12, timedelta(hours=0, minutes=15, seconds=7))
    assert max(delays[-4:]) <= 10.0
    assert sum(delays[:2]) / 2 > 20.0


def test_a_schedule_kept_in_saved_state_survives_a_restart() -> None:
    planner = QuotaPlanner(PlannerSettings(), now=DAY0)
    start_delays(planner, 6, timedelta(hours=1, minutes=40))
    saved = planner.to_dict()
    assert saved["chargers"]["A"]["punctual"]
    restored = QuotaPlanner.from_dict(saved, PlannerSettings(), now=at(6, 0))
    assert (
        restored.to_dict()["chargers"]["A"]["punctual"]
        == (saved["chargers"]["A"]["punctual"])
    )


def test_a_start_by_command_or_a_full_cars_restart_teaches_no_schedule() -> None:
    planner = QuotaPlanner(PlannerSettings(), now=DAY0)
    for day in range(3):
        poll(planner, ChargerActivity.PLUGGED, at(day, 9, 0))
        planner.request_confirmation("A", at(day, 9, 1))
        poll(planner, ChargerActivity.CHARGING, at(day, 9, 1.25))
        poll(planner, ChargerActivity.PLUGGED, at(day, 10, 0))
        # The full car charges again: not the visit's first charge.
        poll(planner, ChargerActivity.CHARGING, at(day, 10, 2))
        poll(planner, ChargerActivity.IDLE, at(day, 11, 0))
    assert planner.to_dict()["chargers"]["A"]["punctual"] == []


@pytest.mark.parametrize(
    ("before", "settings", "expected_read"),
    [
        (ChargerActivity.PLUGGED, PlannerSettings(), True),
        (ChargerActivity.WAITING, PlannerSettings(), True),
        (ChargerActivity.IDLE, PlannerSettings(), True),
        (ChargerActivity.IDLE, PlannerSettings(poll_idle=False), False),
        (ChargerActivity.SUNLESS, PlannerSettings(), False),
        (ChargerActivity.CHARGING, PlannerSettings(), False),
    ],
)
def test_a_learned_start_is_awaited_only_where_it_can_come(
    before: ChargerActivity, settings: PlannerSettings, expected_read: bool
) -> None:
    planner = QuotaPlanner(settings, now=DAY0)
    for day in range(2):
        poll(planner, ChargerActivity.PLUGGED, at(day, 0, 10))
        poll(planner, ChargerActivity.CHARGING, at(day, 0, 16))
        poll(planner, ChargerActivity.IDLE, at(day, 4))
    due = poll(planner, before, at(2, 0, 12))
    assert (due == at(2, 0, 13)) is expected_read


def test_a_newer_start_near_a_moment_but_outside_it_shows_the_moment_was_chance() -> (
    None
):
    # Arrivals spread over an hour, seen through reads minutes apart: two
    # overlap by chance, and the next start in that hour falls elsewhere.
    chance = learned((at(0, 8, 40), at(0, 8, 50)), (at(1, 8, 45), at(1, 8, 55)))
    assert chance.stretches() == [(8 * 3600.0 + 45 * 60, 5 * 60.0)]
    chance.started(at(2, 9, 10), at(2, 9, 20))
    assert chance.stretches() == []
    assert chance.next_read(at(3, 0), at(3, 0)) is None
    # A start at another hour says nothing about the moment.
    kept = learned(
        (at(0, 8, 40), at(0, 8, 50)),
        (at(1, 8, 45), at(1, 8, 55)),
        (at(1, 20, 0), at(1, 20, 5)),
    )
    assert kept.stretches() == [(8 * 3600.0 + 45 * 60, 5 * 60.0)]
    # The moment is learned again from the starts that agree after it.
    chance.started(at(3, 9, 12), at(3, 9, 18))
    assert chance.stretches() == [(9 * 3600.0 + 12 * 60, 6 * 60.0)]
