"""A daily limit changed mid-day, and gateway nodes whose counts differ.

Kong's rate limiter counts the calls a key made in the day; when the key's
limit is changed, its `RateLimit-Limit` names the new limit at once and its
`RateLimit-Remaining` is the new limit less the calls already counted. The
planner compares the calls used (limit less Remaining), not Remaining alone:
a limit change books nothing on other programs and is no reset. Mid-window,
a reset is a Remaining back close to the full limit (the calls used down to
what a new day may have spent); a smaller rise is a gateway node lagging
behind another, which books nothing and leaves the lower count.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from custom_components.v2c_cloud.budget import CallKind, PlannerSettings, QuotaPlanner

START = datetime(2025, 3, 3, 0, 5, tzinfo=UTC)
CHANGE = datetime(2025, 3, 3, 13, 0, tzinfo=UTC)
MIDNIGHT = datetime(2025, 3, 4, tzinfo=UTC)
HOUR = timedelta(hours=1)
# Polls made before the change, one every two minutes and a bit.
POLLS_BEFORE = 340


def morning(limit: int = 1000) -> tuple[QuotaPlanner, int]:
    """Return a planner that polled one charger all morning, and the calls counted."""
    planner = QuotaPlanner(PlannerSettings(), now=START, default_limit=limit)
    planner.observe_quota(limit=limit, remaining=limit, now=START)
    step = (CHANGE - START - timedelta(minutes=1)) / POLLS_BEFORE
    for used in range(1, POLLS_BEFORE + 1):
        at = START + used * step
        planner.record_call(CallKind.POLL, at, "A")
        planner.observe_quota(limit=limit, remaining=limit - used, now=at)
    return planner, POLLS_BEFORE


def poll_at(planner: QuotaPlanner, at: datetime, limit: int, used: int) -> int:
    """Make one poll answered by Kong's headers for this limit; return calls counted."""
    used += 1
    planner.record_call(CallKind.POLL, at, "A")
    planner.observe_quota(limit=limit, remaining=max(limit - used, 0), now=at)
    return used


def test_a_limit_cut_mid_day_does_not_stop_polling_until_midnight() -> None:
    """V2C cuts the key from 1,000 to 500 calls at 13:00, after 341 calls.

    Polling goes on (slowly) on the ~100 calls above the 50-call reserve. It
    used to stop until midnight, every sensor frozen for eleven hours while
    *Calls remaining* showed 159: the 500 calls the cut took away were booked
    as another program's, made at a pace of ~900 a day, and the rest of the
    day was kept for them.
    """
    planner, used = morning()
    used = poll_at(planner, CHANGE, 500, used)

    assert planner.remaining == 500 - used
    assert planner.snapshot(CHANGE).other_calls_today == 0
    later = CHANGE + HOUR
    assert planner.blocked_until(later) is None, (
        f"polling stopped until {planner.blocked_until(later)} with "
        f"{planner.remaining} calls left and a reserve of 50; "
        f"other programs' calls booked today: {planner.snapshot(later).other_calls_today}"
    )


def test_a_limit_cut_is_not_learned_as_other_programs_calls() -> None:
    """After a cut from 1,000 to 500 calls one afternoon, the next day polls as usual.

    As often as after the same cut made at midnight. The 500 calls the cut
    removed used to be counted as other programs' calls of that day, and
    learned (and saved with the planner) as their usual day: the next day an
    empty charger was read about every 14 minutes instead of every ~5, and it
    took days to fade.
    """
    planner, used = morning()
    poll_at(planner, CHANGE, 500, used)
    # The quota comes back at midnight on the new limit.
    poll_at(planner, MIDNIGHT + timedelta(minutes=1), 500, 0)
    restored = QuotaPlanner.from_dict(
        planner.to_dict(), PlannerSettings(), now=MIDNIGHT + 2 * HOUR
    )
    # The same day with the cut made at midnight instead.
    reference, used = morning()
    poll_at(reference, CHANGE, 1000, used)
    poll_at(reference, MIDNIGHT + timedelta(minutes=1), 500, 0)

    noon = MIDNIGHT + 12 * HOUR
    poll_at(restored, noon, 500, 1)
    poll_at(reference, noon, 500, 1)
    cut = restored.snapshot(noon).chargers["A"].interval_s
    expected = reference.snapshot(noon).chargers["A"].interval_s
    assert cut is not None
    assert expected is not None
    assert cut <= expected * 1.1, (
        f"day after the cut: read every {cut:.0f} s, "
        f"a 500-call key is read every {expected:.0f} s"
    )


def test_a_limit_raised_mid_day_is_not_taken_for_the_days_reset() -> None:
    """V2C raises the key from 1,000 to 2,000 calls at 13:00, after 341 calls.

    Remaining rises from 660 to 1,659 with the limit: no call came back, and
    *Quota reset* stays at midnight. Without a `RateLimit-Reset` (V2C documents
    only Limit and Remaining; the simulator's "documented" headers), it used to
    jump to tomorrow 13:00 for the rest of the day, the planner spreading the
    new calls over 24 hours instead of the 11 left.
    """
    planner, used = morning()
    used = poll_at(planner, CHANGE, 2000, used)

    snapshot = planner.snapshot(CHANGE + HOUR)
    assert snapshot.reset_at == MIDNIGHT, (
        f"Quota reset shows {snapshot.reset_at}, the reset is {MIDNIGHT}"
    )
    assert (snapshot.remaining, snapshot.other_calls_today) == (2000 - used, 0)
    assert snapshot.calls_today[CallKind.POLL] == used


def test_a_gateway_node_lagging_by_a_few_dozen_calls_is_not_a_reset() -> None:
    """Two load-balanced gateway nodes answer in a row, the second counting 20 fewer.

    Remaining goes 659 then 679 with one call between: not a reset (a reset
    brings the whole day back, about 1,000 calls, not 20), and *Quota reset*
    stays at midnight. It used to be taken for one: *Quota reset* jumped to
    tomorrow 13:00, and the next answer of the first node (657) booked 21
    calls on other programs.
    """
    planner, used = morning()
    used = poll_at(planner, CHANGE, 1000, used)
    planner.record_call(CallKind.POLL, CHANGE + timedelta(minutes=2), "A")
    planner.observe_quota(
        limit=1000, remaining=1000 - used + 20, now=CHANGE + timedelta(minutes=2)
    )

    shown = planner.snapshot(CHANGE + HOUR).reset_at
    assert shown == MIDNIGHT, f"Quota reset shows {shown}, the reset is {MIDNIGHT}"
    snapshot = planner.snapshot(CHANGE + timedelta(minutes=2))
    # The lower count stays until the next header.
    assert (snapshot.remaining, snapshot.other_calls_today) == (1000 - used - 1, 0)

    # The first node answers again, its count in step with ours.
    used += 1
    used = poll_at(planner, CHANGE + timedelta(minutes=4), 1000, used)
    snapshot = planner.snapshot(CHANGE + timedelta(minutes=4))
    assert (snapshot.remaining, snapshot.other_calls_today) == (1000 - used, 0)
    assert snapshot.reset_at == MIDNIGHT
    assert snapshot.calls_today[CallKind.POLL] == used


def test_a_reset_mid_window_is_found_beside_a_busy_program() -> None:
    """The key's day ends at 22:00; another program spends 200 calls right after.

    The first answer after the reset shows 799 calls left, 201 used: far from
    the full limit, yet the quota came back (before the reset 30 were left),
    and 22:00 is learned as the reset.
    """
    planner, _ = morning()
    evening = MIDNIGHT - timedelta(hours=2, minutes=2)
    poll_at(planner, evening, 1000, 969)
    after = MIDNIGHT - timedelta(hours=1, minutes=56)
    poll_at(planner, after, 1000, 200)

    reset = MIDNIGHT - timedelta(hours=2)
    assert planner.reset_at == reset + timedelta(days=1)
    assert planner.snapshot(after).remaining == 799


def test_a_reset_after_the_clocks_rollover_is_found_however_much_was_spent() -> None:
    """Polling stopped at the reserve until midnight; the key's day ended at 22:00.

    By the first answer after midnight another program has spent 400 calls of
    the new day: the clock's rollover is confirmed, and the calls left are the
    header's, not the 50 of the day before.
    """
    planner, _ = morning()
    poll_at(planner, MIDNIGHT - timedelta(hours=3), 1000, 949)
    after = MIDNIGHT + timedelta(minutes=5)
    poll_at(planner, after, 1000, 400)

    snapshot = planner.snapshot(after)
    assert snapshot.remaining == 599
    assert snapshot.calls_today[CallKind.POLL] == 1
    assert snapshot.reset_at == MIDNIGHT + timedelta(days=1)


def test_a_limit_cut_while_stopped_books_nothing_on_other_programs() -> None:
    """The key is cut to 500 calls while Home Assistant is stopped for an hour.

    The saved count was taken on 1,000 calls: the first answer after the
    restart, on 500, books no other program's calls. It used to book the 500
    calls the cut took away.
    """
    planner, used = morning()
    later = CHANGE + HOUR
    restored = QuotaPlanner.from_dict(planner.to_dict(), PlannerSettings(), now=later)
    used = poll_at(restored, later, 500, used)

    snapshot = restored.snapshot(later)
    assert (snapshot.remaining, snapshot.other_calls_today) == (500 - used, 0)
    assert snapshot.reset_at == MIDNIGHT
