"""Two Home Assistant instances (production and test) on one V2C key.

Each instance's planner sees the other's calls only through the quota headers,
as another program's. These tests drive one planner next to a second instance
that spends the same key at a steady pace, on a virtual clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from custom_components.v2c_cloud.budget import (
    CallKind,
    ChargerActivity,
    PlannerSettings,
    PlannerSnapshot,
    QuotaPlanner,
)

START = datetime(2025, 3, 3, tzinfo=UTC)
# Both instances read their idle charger every three minutes: about 480 calls
# a day each, 960 together, under the 1,000 of the key.
STEP = timedelta(seconds=180)
# The store is written at most this long after a change (store.SAVE_DELAY_S):
# a crash loses the calls of these last seconds, a call or two at this pace.
SAVE_DELAY = timedelta(seconds=300)
CRASH_AT = START + timedelta(days=3, hours=3)
# Home Assistant comes back at noon (a power cut at night, noticed in the
# morning); the test instance kept running meanwhile.
BACK_AT = CRASH_AT + timedelta(hours=9)


class SharedKey:
    """The gateway's count of one key, reset at 00:00 UTC."""

    def __init__(self) -> None:
        """Start a day with no call counted."""
        self.used = 0
        self.day = START.date()

    def spend(self, now: datetime) -> int:
        """Count one call of either instance and return RateLimit-Remaining."""
        if now.date() != self.day:
            self.day = now.date()
            self.used = 0
        self.used += 1
        return 1000 - self.used


def _after_restart(*, crashed: bool) -> tuple[PlannerSnapshot, int]:
    """Run three days side by side, stop at 03:00, restart at noon.

    Return the restarted planner's view once its first read showed a car
    charging, and how many polls it really made today.
    """
    settings = PlannerSettings()
    key = SharedKey()
    planner = QuotaPlanner(settings, now=START)
    planner.set_activity("A", ChargerActivity.IDLE, START)
    saved = None
    ours_today = 0
    now = START
    while now < CRASH_AT:
        key.spend(now)  # the other instance's read
        planner.record_call(CallKind.POLL, now, "A")
        planner.observe_quota(limit=1000, remaining=key.spend(now), now=now)
        if now.date() == CRASH_AT.date():
            ours_today += 1
        if crashed and saved is None and now >= CRASH_AT - SAVE_DELAY:
            saved = planner.to_dict()  # the last write before the crash
        now += STEP
    if saved is None:
        saved = planner.to_dict()  # a normal stop writes everything
    while now < BACK_AT:
        key.spend(now)  # the other instance keeps reading
        now += STEP
    planner = QuotaPlanner.from_dict(saved, settings, now=now)
    if crashed:
        planner.assume_counts_lost(SAVE_DELAY.total_seconds())  # as store.async_load
    planner.record_call(CallKind.POLL, now, "A")
    planner.observe_quota(limit=1000, remaining=key.spend(now), now=now)
    ours_today += 1
    planner.set_activity("A", ChargerActivity.CHARGING, now)
    return planner.snapshot(now), ours_today


def test_a_crash_does_not_slow_the_charge_because_the_other_instance_kept_reading() -> (
    None
):
    """After a crash, the other instance's calls are not taken for this one's.

    The user runs a production and a test Home Assistant on one V2C key. The
    production one crashes at 03:00 (power cut) and starts again at noon,
    its store five minutes old; the test one kept reading meanwhile. What the
    user saw: the car charging at noon is read every ~163 s, not every ~60 s
    as after a normal stop at the same moment: the nine hours of the other
    instance's calls (about 180) are booked as this instance's own polls, so
    the planner still waits for the other instance's whole day and holds
    those calls back. It is now read about as often as after a normal
    stop: the crash lost at most five minutes of this instance's calls (a
    call or two here), not nine hours of the other's.
    """
    clean, _ = _after_restart(crashed=False)
    crashed, _ = _after_restart(crashed=True)
    clean_s = clean.chargers["A"].interval_s
    crashed_s = crashed.chargers["A"].interval_s
    assert clean_s is not None
    assert crashed_s is not None
    assert crashed_s <= 1.25 * clean_s, (
        f"charge read every {crashed_s:.0f} s after the crash, "
        f"{clean_s:.0f} s after a normal stop"
    )


def test_a_crash_books_only_its_lost_minutes_as_its_own_polls() -> None:
    """The day's count after a crash keeps the other instance's calls as others'.

    What the user saw in the diagnostics after such a crash and restart:
    241 polls today for an instance that made 61, and 59
    calls of other programs for a test instance that made about 240; the
    day's sample of other programs then teaches tomorrow's plan that they
    spend a quarter less than they do. Only the calls of the five minutes the
    store did not write are taken for this instance's now.
    """
    snapshot, ours_today = _after_restart(crashed=True)
    # The pace saved over the save delay, rounded up, and a read more per charger.
    lost_at_most = -(-SAVE_DELAY // STEP) + 1
    polls = snapshot.calls_today[CallKind.POLL]
    assert polls <= ours_today + lost_at_most, (
        f"{polls} polls booked as ours today, {ours_today} made "
        f"({snapshot.other_calls_today} booked on other programs)"
    )
