"""Tests for where the quota window ends: clock, headers, 429s and learning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from custom_components.v2c_cloud.budget import (
    CallKind,
    ChargerActivity,
    PlannerSettings,
    QuotaPlanner,
)

from .conftest import NOON

MIDNIGHT = datetime(2025, 3, 4, tzinfo=UTC)
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def call(planner: QuotaPlanner, now: datetime, remaining: int | None = None) -> None:
    """Make one poll of charger A, with headers when remaining is given."""
    planner.record_call(CallKind.POLL, now, "A")
    if remaining is not None:
        planner.observe_quota(limit=1000, remaining=remaining, now=now)


def test_the_window_rolls_over_at_midnight(planner: QuotaPlanner) -> None:
    call(planner, NOON, 400)
    after = MIDNIGHT + timedelta(seconds=1)
    snapshot = planner.snapshot(after)
    assert snapshot.remaining == 1000
    assert snapshot.calls_today[CallKind.POLL] == 0
    assert snapshot.reset_at == MIDNIGHT + DAY
    call(planner, after, 999)
    assert planner.reset_at == MIDNIGHT + DAY


def test_a_clock_jump_over_several_resets_rolls_once(planner: QuotaPlanner) -> None:
    call(planner, NOON, 400)
    later = NOON + 3 * DAY
    assert planner.snapshot(later).reset_at == MIDNIGHT + 3 * DAY
    assert planner.remaining == 1000
    call(planner, later, 999)
    call(planner, later + timedelta(minutes=1), 998)
    assert planner.snapshot(later).other_calls_today == 0


def test_calls_still_in_flight_are_not_another_programs(
    planner: QuotaPlanner,
) -> None:
    """A poll and a command overlap: the first answer's count has only the poll."""
    call(planner, NOON, 500)
    later = NOON + timedelta(minutes=1)
    planner.record_call(CallKind.POLL, later, "A")
    planner.record_call(CallKind.COMMAND, later)
    planner.observe_quota(limit=1000, remaining=499, now=later, others_in_flight=1)
    assert planner.remaining == 498
    planner.observe_quota(limit=1000, remaining=498, now=later)
    assert planner.snapshot(later).other_calls_today == 0

    # Another program's call between them is still seen.
    planner.record_call(CallKind.POLL, later, "A")
    planner.record_call(CallKind.COMMAND, later)
    planner.observe_quota(limit=1000, remaining=496, now=later, others_in_flight=1)
    planner.observe_quota(limit=1000, remaining=495, now=later)
    assert planner.snapshot(later).other_calls_today == 1


def test_an_unanswered_call_a_header_counted_is_ours_alone(
    planner: QuotaPlanner,
) -> None:
    """A command the cloud counted never answers; a poll's header counted it meanwhile.

    That header took the command, in flight, as not counted yet: its gap
    blamed it on other programs. Once told the command ended unanswered, the
    planner takes the blame back at the next header, whose quota fell by one
    call less than ours.
    """
    call(planner, NOON, 500)
    later = NOON + timedelta(minutes=1)
    planner.record_call(CallKind.COMMAND, later)
    planner.record_call(CallKind.POLL, later, "A")
    planner.observe_quota(limit=1000, remaining=498, now=later, others_in_flight=1)
    assert planner.snapshot(later).other_calls_today == 1

    planner.call_unanswered(later + timedelta(seconds=15))
    call(planner, later + timedelta(minutes=1), 497)

    snapshot = planner.snapshot(later + timedelta(minutes=1))
    assert snapshot.other_calls_today == 0
    assert snapshot.calls_today[CallKind.COMMAND] == 1
    assert snapshot.remaining == 497


@pytest.mark.parametrize(
    ("counted_later", "others_meanwhile"), [(True, 0), (True, 2), (False, 0)]
)
def test_an_unanswered_call_no_header_counted_blames_no_one_back(
    planner: QuotaPlanner, counted_later: bool, others_meanwhile: int
) -> None:
    """A command unanswered that the overtaking header did not count changes no blame.

    The cloud counted it after that header, or never (it stays ours, as any
    call that may have reached the cloud): other programs' calls seen between
    the headers stay theirs.
    """
    call(planner, NOON, 500)
    later = NOON + timedelta(minutes=1)
    planner.record_call(CallKind.COMMAND, later)
    planner.record_call(CallKind.POLL, later, "A")
    planner.observe_quota(limit=1000, remaining=499, now=later, others_in_flight=1)
    planner.call_unanswered(later + timedelta(seconds=15))
    remaining = 498 - counted_later - others_meanwhile
    call(planner, later + timedelta(minutes=1), remaining)

    snapshot = planner.snapshot(later + timedelta(minutes=1))
    assert snapshot.other_calls_today == others_meanwhile
    assert snapshot.calls_today[CallKind.COMMAND] == 1


def test_an_unanswered_call_is_settled_by_the_next_header_only(
    planner: QuotaPlanner,
) -> None:
    """Once a header came after it, an unanswered call takes no later blame back."""
    call(planner, NOON, 500)
    later = NOON + timedelta(minutes=1)
    planner.record_call(CallKind.COMMAND, later)
    planner.record_call(CallKind.POLL, later, "A")
    planner.observe_quota(limit=1000, remaining=497, now=later, others_in_flight=1)
    planner.call_unanswered(later)
    call(planner, later + timedelta(minutes=1), 495)
    assert planner.snapshot(later).other_calls_today == 2

    # A later header with more of our calls than the quota fell by (a call of
    # ours the cloud did not count) takes nothing back.
    planner.record_call(CallKind.POLL, later + timedelta(minutes=2), "A")
    call(planner, later + timedelta(minutes=2), 494)
    assert planner.snapshot(later).other_calls_today == 2


def test_a_refused_call_taken_back_before_its_header_leaves_the_gap_to_others(
    planner: QuotaPlanner,
) -> None:
    """A 429's headers carry the cloud's count, without the call it refused.

    Taken back before them, the refused call is not ours: the gap is what
    other programs spent, all of it, and the calls left are the header's.
    """
    call(planner, NOON, 500)
    later = NOON + timedelta(minutes=1)
    planner.record_call(CallKind.COMMAND, later)
    planner.refund_call(CallKind.COMMAND, later)
    planner.observe_quota(limit=1000, remaining=0, now=later)
    planner.observe_rate_limited(later, MIDNIGHT)

    snapshot = planner.snapshot(later)
    assert snapshot.calls_today[CallKind.COMMAND] == 0
    assert (snapshot.other_calls_today, snapshot.remaining) == (500, 0)


def test_a_burst_answered_out_of_order_is_not_a_reset(planner: QuotaPlanner) -> None:
    """A scene sets eight controls at once and the answer counted last comes first.

    The later answers show more calls left than the first (499 … 493 after 492):
    the quota reset sensor stays at midnight, today's counts stay, and the
    calls left are the lowest count, not blamed on another program.
    """
    call(planner, NOON, 500)
    burst = NOON + timedelta(minutes=32)
    for _ in range(8):
        planner.record_call(CallKind.COMMAND, burst)
    answered = burst + timedelta(seconds=2)
    for answer, remaining in enumerate((492, 499, 498, 497, 496, 495, 494, 493)):
        planner.observe_quota(
            limit=1000, remaining=remaining, now=answered, others_in_flight=7 - answer
        )
    snapshot = planner.snapshot(answered)
    assert snapshot.reset_at == MIDNIGHT
    assert snapshot.calls_today[CallKind.COMMAND] == 8
    assert (snapshot.remaining, snapshot.other_calls_today) == (492, 0)


def test_a_clock_jump_backwards_keeps_the_counts(planner: QuotaPlanner) -> None:
    planner.set_activity("A", ChargerActivity.CHARGING, NOON)
    call(planner, NOON, 400)
    earlier = NOON - DAY
    snapshot = planner.snapshot(earlier)
    assert snapshot.reset_at == MIDNIGHT - DAY
    assert snapshot.calls_today[CallKind.POLL] == 1
    assert planner.remaining == 400
    planner.set_activity("A", ChargerActivity.IDLE, earlier + timedelta(hours=1))
    assert planner.to_dict()["window"]["charged_s"] == {"A": 3600.0}


def test_a_reset_at_an_unexpected_hour_is_learned(planner: QuotaPlanner) -> None:
    evening = NOON + timedelta(hours=9, minutes=58)
    call(planner, evening, 100)
    call(planner, evening + timedelta(minutes=4), 999)
    assert planner.reset_at == MIDNIGHT + timedelta(hours=22)
    snapshot = planner.snapshot(evening + timedelta(minutes=4))
    assert snapshot.remaining == 999
    assert snapshot.calls_today[CallKind.POLL] == 0
    # Midnight is no longer a reset; 22:00 is.
    call(planner, MIDNIGHT + timedelta(hours=1), 800)
    assert planner.remaining == 800
    assert planner.reset_at == MIDNIGHT + timedelta(hours=22)


def test_a_reset_later_than_assumed_is_probed_hourly_and_learned(
    planner: QuotaPlanner,
) -> None:
    call(planner, MIDNIGHT - timedelta(minutes=10), 300)
    after = MIDNIGHT + timedelta(minutes=5)
    assert planner.snapshot(after).remaining == 1000

    call(planner, after, 299)

    snapshot = planner.snapshot(after)
    assert snapshot.calls_today[CallKind.POLL] == 2
    assert planner.reset_at == MIDNIGHT + timedelta(hours=1)
    # Shown: the end the calls left must last until, not each probe's hour.
    assert snapshot.reset_at == MIDNIGHT + DAY
    assert snapshot.remaining == 299

    # Still not reset at 01:00: probe again at 02:00.
    call(planner, MIDNIGHT + timedelta(hours=1, minutes=1), 298)
    assert planner.reset_at == MIDNIGHT + timedelta(hours=2)

    back = MIDNIGHT + timedelta(hours=2, minutes=3)
    call(planner, back, 999)
    assert planner.reset_at == MIDNIGHT + DAY + timedelta(hours=2)
    assert planner.snapshot(back).calls_today[CallKind.POLL] == 1


def test_calls_left_while_probing_for_a_late_reset_last_until_it_comes(
    planner: QuotaPlanner,
) -> None:
    """The key's day ends at 08:00 UTC, not at the midnight assumed until then.

    300 calls are left at midnight. Probed for hourly, the reset is no end to
    plan to: the charging car is read every few minutes until 08:00, not every
    10 s until 01:00 and then once an hour. The reset is still learned.
    """
    planner.set_activity("A", ChargerActivity.CHARGING, NOON)
    call(planner, NOON, 600)
    before = MIDNIGHT - timedelta(minutes=10)
    for _ in range(299):
        planner.record_call(CallKind.POLL, before, "A")
    call(planner, before, 300)
    real_reset = MIDNIGHT + timedelta(hours=8)
    now, remaining, reads = MIDNIGHT + timedelta(minutes=5), 300, []
    while now < real_reset:
        due = planner.next_poll_at("A", now)
        if due is not None and due <= now:
            remaining -= 1
            call(planner, now, remaining)
            reads.append(now)
        now = min(due or now + timedelta(minutes=1), real_reset)

    gaps = [later - earlier for earlier, later in pairwise([*reads, real_reset])]
    assert sum(read < MIDNIGHT + timedelta(hours=1) for read in reads) < 20
    assert max(gaps) < timedelta(minutes=10)
    call(planner, real_reset + timedelta(minutes=1), 999)
    assert planner.reset_at == real_reset + DAY


def test_charging_after_a_premature_rollover_stays_in_the_day(
    planner: QuotaPlanner,
) -> None:
    planner.set_activity("A", ChargerActivity.CHARGING, MIDNIGHT - timedelta(hours=1))
    call(planner, MIDNIGHT - timedelta(minutes=10), 300)
    planner.set_activity("A", ChargerActivity.PLUGGED, MIDNIGHT + timedelta(minutes=5))
    call(planner, MIDNIGHT + timedelta(minutes=6), 299)
    assert planner.to_dict()["window"]["charged_s"] == {"A": 3900.0}


def test_a_rollover_after_a_quiet_day_is_accepted(planner: QuotaPlanner) -> None:
    call(planner, MIDNIGHT - timedelta(minutes=10), 996)
    call(planner, MIDNIGHT + timedelta(minutes=5), 999)
    assert planner.reset_at == MIDNIGHT + DAY
    assert planner.remaining == 999


def test_the_reset_header_is_adopted(planner: QuotaPlanner) -> None:
    planner.observe_quota(limit=1000, remaining=500, now=NOON, reset_after_s=3600)
    assert planner.reset_at == NOON + timedelta(hours=1)
    planner.observe_quota(
        limit=1000, remaining=499, now=NOON + timedelta(seconds=30), reset_after_s=3571
    )
    assert planner.reset_at == NOON + timedelta(hours=1)
    later = NOON + timedelta(hours=1, seconds=5)
    assert planner.snapshot(later).reset_at == NOON + timedelta(hours=1) + DAY
    planner.observe_quota(limit=1000, remaining=999, now=later, reset_after_s=86395)
    assert planner.reset_at == NOON + timedelta(hours=1) + DAY


def test_a_reset_header_of_zero_opens_no_window(planner: QuotaPlanner) -> None:
    """A gateway that sends `RateLimit-Reset: 0`: 'Calls remaining' stays the header's."""
    planner.record_call(CallKind.POLL, NOON, "A")
    planner.observe_quota(limit=1000, remaining=40, now=NOON, reset_after_s=0)
    snapshot = planner.snapshot(NOON + timedelta(seconds=1))
    assert (snapshot.reset_at, snapshot.remaining) == (MIDNIGHT, 40)


def test_a_reset_header_the_quota_does_not_confirm_is_not_believed_again(
    planner: QuotaPlanner,
) -> None:
    """Every answer says the window ends in 30 s, and Remaining never comes back.

    After one rollover the next answer refutes it: the planner returns to the
    assumed midnight and keeps the day's counts, so 'Calls remaining' no longer
    shows a fresh day after every tick and polling stops at the reserve.
    """
    planner.record_call(CallKind.POLL, NOON, "A")
    planner.observe_quota(limit=1000, remaining=51, now=NOON, reset_after_s=30)
    later = NOON + timedelta(seconds=90)
    assert planner.snapshot(later).remaining == 1000
    planner.record_call(CallKind.POLL, later, "A")
    planner.observe_quota(limit=1000, remaining=50, now=later, reset_after_s=30)
    snapshot = planner.snapshot(later + timedelta(minutes=5))
    assert (snapshot.reset_at, snapshot.remaining) == (MIDNIGHT, 50)
    assert snapshot.calls_today[CallKind.POLL] == 2
    assert planner.polling_blocked_until == MIDNIGHT


def test_a_discredited_reset_header_gives_way_to_the_reset_the_quota_showed(
    planner: QuotaPlanner,
) -> None:
    """Kong's header named 13:00 and the quota came back then; later headers say 30 s.

    The first of those the quota refutes: 13:00 stays the reset, and the
    header's later moments are not believed.
    """
    planner.observe_quota(limit=1000, remaining=500, now=NOON, reset_after_s=3600)
    back = NOON + timedelta(hours=1, minutes=1)
    call(planner, back, 999)
    evening = NOON + timedelta(hours=6)
    planner.observe_quota(limit=1000, remaining=700, now=evening, reset_after_s=30)
    later = evening + timedelta(minutes=2)
    planner.record_call(CallKind.POLL, later, "A")
    planner.observe_quota(limit=1000, remaining=699, now=later, reset_after_s=30)
    planner.observe_quota(limit=1000, remaining=699, now=later, reset_after_s=7200)
    assert (planner.reset_at, planner.remaining) == (NOON + HOUR + DAY, 699)


def test_a_call_answered_across_an_announced_reset_does_not_discredit_it(
    planner: QuotaPlanner,
) -> None:
    """A poll sent just before Kong's announced 13:00 is answered just after it.

    Its count is the old window's: the header's moment stays believed, and the
    quota shown is the new window's.
    """
    planner.observe_quota(limit=1000, remaining=500, now=NOON, reset_after_s=3600)
    reset = NOON + HOUR
    planner.record_call(CallKind.POLL, reset - timedelta(seconds=1), "A")
    answered = reset + timedelta(seconds=1)
    planner.observe_quota(limit=1000, remaining=499, now=answered, reset_after_s=86399)
    assert (planner.reset_at, planner.remaining) == (reset + DAY, 1000)
    later = reset + timedelta(minutes=2)
    planner.record_call(CallKind.POLL, later, "A")
    planner.observe_quota(limit=1000, remaining=999, now=later, reset_after_s=86280)
    assert (planner.reset_at, planner.remaining) == (reset + DAY, 999)
    planner.observe_quota(limit=1000, remaining=999, now=later, reset_after_s=30)
    assert planner.reset_at == later + timedelta(seconds=30)


def test_the_reset_header_undoes_a_premature_rollover(planner: QuotaPlanner) -> None:
    call(planner, NOON, 600)
    after = MIDNIGHT + timedelta(minutes=5)
    planner.record_call(CallKind.POLL, after, "A")
    planner.observe_quota(limit=1000, remaining=599, now=after, reset_after_s=1800)
    snapshot = planner.snapshot(after)
    assert snapshot.reset_at == after + timedelta(minutes=30)
    assert snapshot.calls_today[CallKind.POLL] == 2
    assert snapshot.remaining == 599


def test_a_reset_header_alone_restores_the_estimate(planner: QuotaPlanner) -> None:
    call(planner, NOON, 600)
    after = MIDNIGHT + timedelta(minutes=5)
    call(planner, after)
    assert planner.remaining == 999
    planner.observe_quota(limit=None, remaining=None, now=after, reset_after_s=1800)
    assert planner.remaining == 599
    assert planner.reset_at == after + timedelta(minutes=30)


def test_a_429_right_after_the_rollover_means_the_reset_is_ahead(
    planner: QuotaPlanner,
) -> None:
    call(planner, NOON, 60)
    after = MIDNIGHT + timedelta(minutes=5)
    planner.record_call(CallKind.POLL, after, "A")
    planner.observe_rate_limited(after, None)
    assert planner.polling_blocked_until == MIDNIGHT + timedelta(hours=1)
    assert planner.snapshot(after).calls_today[CallKind.POLL] == 2


def test_a_day_without_headers_is_still_learned_from(
    settings: PlannerSettings,
) -> None:
    planner = QuotaPlanner(settings, now=MIDNIGHT - DAY)
    for minute in range(30):
        planner.record_call(CallKind.COMMAND, NOON + timedelta(minutes=minute))
    planner.snapshot(MIDNIGHT + timedelta(hours=1))
    planner.snapshot(MIDNIGHT + DAY + timedelta(hours=1))
    assert planner.to_dict()["command_ewma"] == 5 + 0.6 * (30 - 5)


def test_the_hours_of_a_days_commands_are_learned(settings: PlannerSettings) -> None:
    planner = QuotaPlanner(settings, now=MIDNIGHT - DAY)
    planner.record_call(CallKind.COMMAND, NOON, "A")
    planner.record_call(CallKind.CONFIRM, NOON + timedelta(seconds=15), "A")
    planner.record_call(CallKind.POLL, NOON + timedelta(hours=1), "A")
    planner.snapshot(MIDNIGHT + timedelta(hours=1))
    # With no header to prove the reset, the next rollover confirms it.
    planner.snapshot(MIDNIGHT + DAY + timedelta(hours=1))
    profile = planner.to_dict()["command_profile"]
    # Both calls of the noon command fell in the half hour after noon.
    assert profile[24] == pytest.approx(0.7 / 48 + 0.3)
    assert profile[26] == pytest.approx(0.7 / 48)


def test_a_partial_first_day_teaches_nothing(planner: QuotaPlanner) -> None:
    for minute in range(30):
        planner.record_call(CallKind.COMMAND, NOON + timedelta(minutes=minute))
    call(planner, MIDNIGHT + timedelta(minutes=1), 999)
    assert planner.to_dict()["command_ewma"] == 5
    assert planner.to_dict()["command_profile"] == [1 / 48] * 48


def test_other_programs_are_learned_and_expected(settings: PlannerSettings) -> None:
    planner = QuotaPlanner(settings, now=MIDNIGHT - DAY)
    call(planner, MIDNIGHT - DAY, 999)
    call(planner, NOON, 599)
    call(planner, MIDNIGHT + timedelta(seconds=1), 999)
    assert planner.to_dict()["other_ewma"] == 0.6 * 399
    # Between headers, the usual spending of others is assumed.
    assert planner.snapshot(MIDNIGHT + timedelta(hours=12)).remaining < 999


def test_charging_across_midnight_counts_on_both_days(
    settings: PlannerSettings,
) -> None:
    planner = QuotaPlanner(settings, now=MIDNIGHT - DAY)
    planner.set_activity("A", ChargerActivity.CHARGING, MIDNIGHT - timedelta(hours=1))
    planner.set_activity("A", ChargerActivity.PLUGGED, MIDNIGHT + timedelta(hours=2))
    call(planner, MIDNIGHT + timedelta(hours=2), 999)
    data = planner.to_dict()
    assert data["window"]["charged_s"] == {"A": 7200.0}
    # Averaged evenly with the default four hours, and the miss becomes spread.
    assert data["chargers"]["A"]["charge_ewma_s"] == 4 * 3600 + 0.5 * (3600 - 4 * 3600)
    assert data["chargers"]["A"]["charge_var_s2"] == 0.5 * 0.5 * (3 * 3600) ** 2
    # One whole window taught the charge length, the same way.
    assert (
        data["chargers"]["A"]["length_ewma_s"] == data["chargers"]["A"]["charge_ewma_s"]
    )
    assert (
        data["chargers"]["A"]["length_var_s2"] == data["chargers"]["A"]["charge_var_s2"]
    )
    assert data["chargers"]["A"]["charge_days"] == 1
    assert data["chargers"]["A"]["charge_longest_s"] == 3600.0


def test_only_a_window_with_a_charge_teaches_the_charge_length(
    settings: PlannerSettings,
) -> None:
    planner = QuotaPlanner(settings, now=MIDNIGHT - DAY)
    planner.set_activity("A", ChargerActivity.IDLE, MIDNIGHT - DAY)
    call(planner, MIDNIGHT - DAY, 999)
    call(planner, MIDNIGHT + timedelta(seconds=1), 999)
    chargers = planner.to_dict()["chargers"]
    # The empty day is averaged in as a day without charging, but it does not
    # count towards knowing how long a charge runs, nor shortens it.
    assert chargers["A"]["charge_ewma_s"] < 4 * 3600
    assert chargers["A"]["length_ewma_s"] == 4 * 3600
    assert chargers["A"]["length_var_s2"] == 0.0
    assert chargers["A"]["charge_days"] == 0
    # It counts as a day away from the charger; a day with a charge ends the run.
    assert chargers["A"]["days_without_charge"] == 1
    planner.set_activity("A", ChargerActivity.CHARGING, MIDNIGHT + timedelta(hours=1))
    planner.set_activity("A", ChargerActivity.IDLE, MIDNIGHT + timedelta(hours=2))
    call(planner, MIDNIGHT + DAY + timedelta(seconds=1), 999)
    assert planner.to_dict()["chargers"]["A"]["days_without_charge"] == 0


def test_the_longest_day_fades_until_a_longer_one_replaces_it(
    settings: PlannerSettings,
) -> None:
    planner = QuotaPlanner(settings, now=MIDNIGHT - DAY)
    planner.set_activity("A", ChargerActivity.CHARGING, MIDNIGHT - timedelta(hours=8))
    planner.set_activity("A", ChargerActivity.IDLE, MIDNIGHT - timedelta(hours=1))
    call(planner, MIDNIGHT + timedelta(hours=1), 999)
    assert planner.to_dict()["chargers"]["A"]["charge_longest_s"] == 7 * 3600.0
    # A short day only fades it: a long day stays remembered for weeks.
    planner.set_activity("A", ChargerActivity.CHARGING, MIDNIGHT + timedelta(hours=2))
    planner.set_activity("A", ChargerActivity.IDLE, MIDNIGHT + timedelta(hours=3))
    call(planner, MIDNIGHT + DAY + timedelta(hours=1), 999)
    assert planner.to_dict()["chargers"]["A"]["charge_longest_s"] == pytest.approx(
        0.98 * 7 * 3600.0
    )


def test_maintenance_of_gone_chargers_is_forgotten(planner: QuotaPlanner) -> None:
    assert planner.maintenance_due("reported:A", NOON, 3600)
    assert planner.maintenance_due("pairings", NOON, 6 * 3600)
    for day in range(3):
        planner.maintenance_due(
            "pairings", MIDNIGHT + day * DAY - timedelta(hours=1), 6 * 3600
        )
        planner.snapshot(MIDNIGHT + day * DAY + timedelta(seconds=1))
    assert set(planner.to_dict()["maintenance"]) == {"pairings"}


def test_a_charger_read_once_a_day_keeps_its_periodic_reads(
    planner: QuotaPlanner,
) -> None:
    """On a small key a charger is read rarely: its checks stay as slow as planned."""
    assert planner.maintenance_due("connected:A", NOON, 2 * 3600)
    planner.snapshot(MIDNIGHT + timedelta(seconds=1))
    # Kept with its last run, so the stretch of periodic reads still applies.
    job = planner.to_dict()["maintenance"]["connected:A"]
    assert job["done_at"] == NOON.isoformat()


def test_a_refusal_until_the_reset_books_the_gap_as_a_header_of_zero(
    planner: QuotaPlanner,
) -> None:
    """A 429 without quota headers refuses calls until the reset: the day is spent.

    The calls the last header left, less ours since, went to other programs,
    as a header showing 0 would have booked them.
    """
    call(planner, NOON, 500)
    call(planner, NOON + timedelta(minutes=5))
    later = NOON + timedelta(minutes=10)
    planner.record_call(CallKind.POLL, later, "A")
    planner.refund_call(CallKind.POLL, later)
    planner.observe_rate_limited(later, MIDNIGHT, day_proven=False)

    snapshot = planner.snapshot(later)
    assert snapshot.calls_today[CallKind.POLL] == 2
    assert (snapshot.remaining, snapshot.other_calls_today) == (0, 499)


def spent_until_six(planner: QuotaPlanner) -> datetime:
    """Let a 429 without quota headers refuse calls until 06:00, past midnight."""
    evening = MIDNIGHT - timedelta(minutes=10)
    call(planner, evening - timedelta(minutes=5), 300)
    six = MIDNIGHT + timedelta(hours=6)
    planner.record_call(CallKind.POLL, evening, "A")
    planner.refund_call(CallKind.POLL, evening)
    planner.observe_rate_limited(evening, six, day_proven=False)
    return six


def test_no_call_is_shown_left_while_a_429_refuses_them_past_the_rollover(
    planner: QuotaPlanner,
) -> None:
    """The clock rolls over at midnight while the 429 refuses calls until 06:00.

    Shown: no call left, back at 06:00; the planner's own window rolled over.
    """
    six = spent_until_six(planner)
    night = MIDNIGHT + timedelta(hours=3)

    snapshot = planner.snapshot(night)
    assert (snapshot.remaining, snapshot.reset_at) == (0, six)
    assert planner.reset_at == MIDNIGHT + DAY
    assert planner.snapshot(six).remaining == 1000


def test_the_quota_back_at_a_refusals_end_teaches_that_moment(
    planner: QuotaPlanner,
) -> None:
    """The first call after the refusal's end finds the quota back: 06:00 is the reset.

    The clock's midnight rollover while calls were refused proves nothing.
    """
    six = spent_until_six(planner)
    call(planner, six + timedelta(seconds=30), 999)
    assert planner.reset_at == six + DAY
    assert planner.snapshot(six + timedelta(seconds=30)).reset_at == six + DAY

    call(planner, MIDNIGHT + DAY + HOUR, 700)
    assert (planner.remaining, planner.reset_at) == (700, six + DAY)


def test_the_quota_back_long_after_a_refusals_end_teaches_nothing_of_it(
    planner: QuotaPlanner,
) -> None:
    """The first call comes hours after the refusal's end: the reset stays assumed."""
    six = spent_until_six(planner)
    call(planner, six + 3 * HOUR, 999)
    assert planner.reset_at == MIDNIGHT + DAY


def test_the_reset_shown_while_it_is_probed_for_stays_put(
    planner: QuotaPlanner,
) -> None:
    """Each hour's probe finds no reset: the reset shown does not move with it."""
    call(planner, MIDNIGHT - timedelta(minutes=10), 300)
    shown = set()
    for hour in range(5):
        now = MIDNIGHT + timedelta(hours=hour, minutes=5)
        call(planner, now, 299 - hour)
        shown.add(planner.snapshot(now).reset_at)
    assert planner.reset_at == MIDNIGHT + 5 * HOUR
    assert shown == {MIDNIGHT + DAY}
