"""The host's wall clock set back by days (or years), then corrected: the pace holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.v2c_cloud.budget import (
    CallKind,
    ChargerActivity,
    PlannerSettings,
    QuotaPlanner,
)

MIDNIGHT = datetime(2026, 3, 3, tzinfo=UTC)
NOON = MIDNIGHT + timedelta(hours=12)
HOUR = timedelta(hours=1)
# A Pi without a real-time clock boots at an old time; NTP corrects it later.
YEARS_WRONG = datetime(2000, 1, 1, 0, 0, 20, tzinfo=UTC)


class Key:
    """The key's count as the server keeps it (its clock is right)."""

    def __init__(self, planner: QuotaPlanner) -> None:
        """Start a fresh day's quota."""
        self.planner = planner
        self.remaining = 1000

    def poll(self, now: datetime) -> None:
        """Poll charger A and answer with the server's headers."""
        self.planner.record_call(CallKind.POLL, now, "A")
        self.remaining -= 1
        self.planner.observe_quota(limit=1000, remaining=self.remaining, now=now)
        self.planner.set_activity("A", ChargerActivity.IDLE, now)

    def run(self, start: datetime, until: datetime) -> int:
        """Poll whenever the planner asks until `until`; return the calls made."""
        before = self.remaining
        now = start
        while True:
            due = self.planner.next_poll_at("A", now)
            if due is None or due >= until:
                return before - self.remaining
            now = max(due, now + timedelta(seconds=1))
            self.poll(now)


def morning(settings: PlannerSettings) -> tuple[QuotaPlanner, Key]:
    """Return a planner and key after a morning of polling an idle charger."""
    planner = QuotaPlanner(settings, now=MIDNIGHT + timedelta(minutes=1))
    key = Key(planner)
    key.poll(MIDNIGHT + timedelta(minutes=1))
    key.run(MIDNIGHT + timedelta(minutes=1), NOON)
    return planner, key


def usual_afternoon(settings: PlannerSettings) -> int:
    """Return the calls the same afternoon costs when the clock stays right."""
    _, key = morning(settings)
    key.poll(NOON + timedelta(minutes=2))
    return key.run(NOON + timedelta(minutes=2), NOON + 3 * HOUR)


@pytest.mark.parametrize("wrong", [NOON - timedelta(days=2), YEARS_WRONG], ids=str)
def test_a_clock_set_back_days_then_corrected_does_not_burn_the_days_quota(
    settings: PlannerSettings, wrong: datetime
) -> None:
    """The wall clock reads days (or years) early for one poll, then NTP fixes it.

    What the user saw: once the clock is right again the planner probes for a
    "late reset" every hour and plans the whole quota left to last until the
    next whole hour: an idle charger is read every few seconds, about 620
    calls in three hours, the key is down to a few dozen calls by mid
    afternoon, and polling stops until midnight (stale entities all evening);
    'Quota reset' shows the next hour. They now see the afternoon cost
    about what it costs with a clock that never moved.

    A step back of one day is fine (test_schedule's -1 day): the probe's end
    is `window.start + 2 days`, and the step moved window.start back by the
    jump, so from two days on that end is in the past.
    """
    usual = usual_afternoon(settings)
    planner, key = morning(settings)
    key.poll(wrong)
    key.poll(NOON + timedelta(minutes=2))

    spent = key.run(NOON + timedelta(minutes=2), NOON + 3 * HOUR)

    assert spent <= 2 * usual + 5, (usual, spent, key.remaining)
    assert planner.snapshot(NOON + 3 * HOUR).reset_at == MIDNIGHT + timedelta(days=1)


def test_home_assistant_started_years_early_then_corrected_keeps_its_pace(
    settings: PlannerSettings,
) -> None:
    """HA restarts on a Pi whose clock reads 2000-01-01; NTP fixes it a minute later.

    What the user saw: the saved state is restored "in the future", the
    window is moved back to 2000 and, once the clock is right, closed as if
    the reset had come; the next header refutes that and the planner probes
    hourly with the whole quota left planned to last until the next hour:
    about 620 polls of an idle charger in three hours and no quota left for
    the evening. They now see the afternoon cost about what it usually does.
    """
    usual = usual_afternoon(settings)
    planner, key = morning(settings)
    saved = planner.to_dict()
    restored = QuotaPlanner.from_dict(saved, settings, now=YEARS_WRONG)
    key.planner = restored
    key.poll(YEARS_WRONG)
    key.poll(NOON + timedelta(minutes=2))

    spent = key.run(NOON + timedelta(minutes=2), NOON + 3 * HOUR)

    assert spent <= 2 * usual + 5, (usual, spent, key.remaining)
