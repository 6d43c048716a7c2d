"""Unit tests for the quota planner's decisions, driven by a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.v2c_cloud.budget import (
    CallKind,
    ChargerActivity,
    PlannerSettings,
    PlannerSnapshot,
    QuotaExhaustedError,
    QuotaPlanner,
    ThrottledError,
)
from custom_components.v2c_cloud.budget.planner import THROTTLE_PAUSE

from .conftest import NOON

MIDNIGHT = datetime(2025, 3, 4, tzinfo=UTC)
HOUR = timedelta(hours=1)


def baseline(chargers: int) -> float:
    """Return the fixed interval spreading 1,000 calls less the reserve."""
    return 86_400 * chargers / 950


def interval(planner: QuotaPlanner, device_id: str, now: datetime) -> float | None:
    """Return the planner's current interval for a charger."""
    return planner.snapshot(now).chargers[device_id].interval_s


def saw_a_car(planner: QuotaPlanner, *device_ids: str) -> None:
    """Give each charger one car in the morning, gone by noon."""
    for device_id in device_ids:
        planner.set_activity(device_id, ChargerActivity.PLUGGED, NOON - 6 * HOUR)
        planner.set_activity(device_id, ChargerActivity.IDLE, NOON - 5 * HOUR)


def poll(planner: QuotaPlanner, device_id: str, now: datetime, remaining: int) -> None:
    """Make one poll and feed its headers back."""
    planner.record_call(CallKind.POLL, now, device_id)
    planner.observe_quota(limit=1000, remaining=remaining, now=now)


def test_fresh_planner_assumes_a_full_quota_until_midnight_utc(
    planner: QuotaPlanner,
) -> None:
    assert planner.limit == 1000
    assert planner.remaining == 1000
    assert planner.reset_at == MIDNIGHT
    assert planner.polling_blocked_until is None
    assert planner.now == NOON


def test_a_charger_never_polled_is_polled_at_once(planner: QuotaPlanner) -> None:
    assert planner.next_poll_at("A", NOON) == NOON
    planner.set_activity("A", ChargerActivity.IDLE, NOON)
    assert planner.next_poll_at("A", NOON) == NOON


def test_charging_is_polled_far_more_often_than_idle(planner: QuotaPlanner) -> None:
    saw_a_car(planner, "B")
    planner.set_activity("A", ChargerActivity.CHARGING, NOON)
    planner.set_activity("B", ChargerActivity.IDLE, NOON)
    poll(planner, "A", NOON, 999)
    poll(planner, "B", NOON, 998)

    charging = planner.next_poll_at("A", NOON)
    idle = planner.next_poll_at("B", NOON)

    assert charging is not None
    assert idle is not None
    assert timedelta(seconds=10) <= charging - NOON < timedelta(seconds=60)
    # An empty charger is read a little slower than a fixed interval would.
    assert (idle - NOON).total_seconds() == pytest.approx(1.5 * baseline(2), abs=1e-3)


def test_an_empty_charger_is_watched_for_its_first_car_until_it_saw_one(
    planner: QuotaPlanner,
) -> None:
    planner.set_activity("A", ChargerActivity.IDLE, NOON)
    planner.set_activity("B", ChargerActivity.OFFLINE, NOON)
    later = NOON + 2 * HOUR
    # Nothing learned: polled so that a first car shows up within two minutes
    # on average, slower than the baseline but faster than without a routine.
    assert baseline(2) < 240.0 < 1.5 * baseline(2)
    assert interval(planner, "A", later) == pytest.approx(240.0)
    assert interval(planner, "B", later) == pytest.approx(240.0)
    planner.set_activity("A", ChargerActivity.PLUGGED, later)
    planner.set_activity("A", ChargerActivity.IDLE, later + HOUR)
    assert interval(planner, "A", later + HOUR) == pytest.approx(1.5 * baseline(2))


def test_a_charger_without_a_car_all_its_first_day_is_read_as_one_with_no_routine(
    planner: QuotaPlanner,
) -> None:
    """An unused second charger must not keep the first-car pace, taking calls all week."""
    planner.set_activity("A", ChargerActivity.IDLE, NOON)
    planner.set_activity("B", ChargerActivity.IDLE, NOON)
    last_hour = NOON + 23 * HOUR
    assert interval(planner, "A", last_hour) == pytest.approx(240.0)
    next_day = NOON + 25 * HOUR
    assert interval(planner, "A", next_day) == pytest.approx(1.5 * baseline(2))


def test_an_offline_charger_is_watched_like_an_empty_one_a_car_before_sunrise_slower(
    planner: QuotaPlanner,
) -> None:
    saw_a_car(planner, "P", "I", "O")
    for device_id, activity in (
        ("P", ChargerActivity.SUNLESS),
        ("I", ChargerActivity.IDLE),
        ("O", ChargerActivity.OFFLINE),
    ):
        planner.set_activity(device_id, activity, NOON)
    # Once an outage has lasted a while, that is: a car may arrive unseen
    # during it, and must not wait longer to be seen once it is back.
    later = NOON + 2 * HOUR
    intervals = {
        device_id: interval(planner, device_id, later) for device_id in ("P", "I", "O")
    }
    # Nothing starts before the sun, and the charger reports the sun first.
    assert intervals == {
        "P": pytest.approx(8 * baseline(3)),
        "I": pytest.approx(1.5 * baseline(3)),
        "O": pytest.approx(1.5 * baseline(3)),
    }


def test_an_outage_with_a_car_waiting_to_start_is_checked_at_the_baseline(
    planner: QuotaPlanner,
) -> None:
    # A router on a timer plug is off at night while the charger's own timer
    # starts the charge: it runs unseen until the outage's end is seen.
    saw_a_car(planner, "W", "F", "I")
    planner.set_activity("W", ChargerActivity.PLUGGED, NOON - HOUR)
    planner.set_activity("F", ChargerActivity.CHARGING, NOON - 2 * HOUR)
    planner.set_activity("F", ChargerActivity.PLUGGED, NOON - HOUR)
    for device_id in ("W", "F", "I"):
        planner.set_activity(device_id, ChargerActivity.OFFLINE, NOON)
    later = NOON + 2 * HOUR
    intervals = {
        device_id: interval(planner, device_id, later) for device_id in ("W", "F", "I")
    }
    # A full car or an empty charger is watched for the next car.
    assert intervals == {
        "W": pytest.approx(baseline(3)),
        "F": pytest.approx(1.5 * baseline(3)),
        "I": pytest.approx(1.5 * baseline(3)),
    }


def test_an_outage_with_a_car_waiting_for_the_sun_is_checked_at_the_baseline(
    planner: QuotaPlanner,
) -> None:
    # The sun may come out during the outage: the car then charges unseen, and
    # the data shown at the outage's end is as old as the outage. Before
    # sunrise, nothing starts until the charger says the sun is out.
    saw_a_car(planner, "W", "S")
    planner.set_activity("W", ChargerActivity.WAITING, NOON - HOUR)
    planner.set_activity("S", ChargerActivity.SUNLESS, NOON - HOUR)
    for device_id in ("W", "S"):
        planner.set_activity(device_id, ChargerActivity.OFFLINE, NOON)
    later = NOON + 2 * HOUR
    intervals = {
        device_id: interval(planner, device_id, later) for device_id in ("W", "S")
    }
    assert intervals == {
        "W": pytest.approx(baseline(2)),
        "S": pytest.approx(1.5 * baseline(2)),
    }


def test_charging_slows_down_as_the_quota_shrinks(planner: QuotaPlanner) -> None:
    planner.set_activity("A", ChargerActivity.CHARGING, NOON)
    planner.observe_quota(limit=1000, remaining=900, now=NOON)
    plenty = interval(planner, "A", NOON)
    planner.observe_quota(limit=1000, remaining=300, now=NOON)
    little = interval(planner, "A", NOON)
    assert plenty is not None
    assert little is not None
    assert plenty < little


def test_a_typical_short_charge_is_polled_faster(settings: PlannerSettings) -> None:
    evening = NOON + timedelta(hours=6)
    day = timedelta(days=1)
    planner = QuotaPlanner(settings, now=NOON - day)
    planner.set_activity("A", ChargerActivity.CHARGING, evening - day)
    usual = interval(planner, "A", evening - day)
    for _ in range(8):
        # Eight days with a one-hour charge teach the planner its length.
        planner.set_activity("A", ChargerActivity.CHARGING, evening)
        planner.set_activity("A", ChargerActivity.PLUGGED, evening + timedelta(hours=1))
        evening += day
    planner.set_activity("A", ChargerActivity.CHARGING, evening)
    planner.observe_quota(limit=1000, remaining=1000 - 40, now=evening)
    learned = interval(planner, "A", evening)
    assert usual is not None
    assert learned is not None
    assert learned < usual
    assert planner.to_dict()["chargers"]["A"]["charge_ewma_s"] < 2 * 3600


def test_idle_polling_stretches_only_when_the_budget_cannot_afford_it(
    planner: QuotaPlanner,
) -> None:
    saw_a_car(planner, "B")
    planner.set_activity("B", ChargerActivity.IDLE, NOON)
    target = 1.5 * baseline(1)
    assert interval(planner, "B", NOON) == pytest.approx(target)
    planner.observe_quota(limit=1000, remaining=90, now=NOON)
    stretched = interval(planner, "B", NOON)
    assert stretched is not None
    assert target < stretched <= 3600.0


def test_spare_calls_are_spent_as_the_reset_approaches(planner: QuotaPlanner) -> None:
    late = MIDNIGHT - timedelta(minutes=30)
    planner.set_activity("B", ChargerActivity.IDLE, NOON)
    planner.observe_quota(limit=1000, remaining=700, now=late)
    fast = interval(planner, "B", late)
    assert fast is not None
    assert 10.0 <= fast < 1.5 * baseline(1)


def test_polling_never_dips_into_the_command_reserve(planner: QuotaPlanner) -> None:
    planner.set_activity("A", ChargerActivity.CHARGING, NOON)
    planner.observe_quota(limit=1000, remaining=51, now=NOON)
    assert planner.next_poll_at("A", NOON) is not None
    poll(planner, "A", NOON, 50)

    assert planner.next_poll_at("A", NOON) is None
    assert planner.polling_blocked_until == MIDNIGHT
    assert planner.snapshot(NOON).chargers["A"].interval_s is None
    assert not planner.maintenance_due("pairings", NOON, 3600)
    planner.check_command(NOON)


def test_commands_may_use_the_reserve_until_nothing_is_left(
    planner: QuotaPlanner,
) -> None:
    planner.observe_quota(limit=1000, remaining=1, now=NOON)
    planner.check_command(NOON)
    planner.record_call(CallKind.COMMAND, NOON, "A")
    with pytest.raises(QuotaExhaustedError) as err:
        planner.check_command(NOON)
    assert err.value.calls_back_at == MIDNIGHT


def test_a_command_may_ask_for_the_calls_it_needs_with_its_read(
    planner: QuotaPlanner,
) -> None:
    """A settings read before a command is worth it only if the command keeps its call."""
    planner.observe_quota(limit=1000, remaining=2, now=NOON)
    planner.check_command(NOON, calls=2)
    planner.record_call(CallKind.COMMAND, NOON, "A")
    with pytest.raises(QuotaExhaustedError):
        planner.check_command(NOON, calls=2)
    planner.check_command(NOON)


def test_confirmations_leave_the_reserve_s_lower_half_to_commands(
    planner: QuotaPlanner,
) -> None:
    planner.observe_quota(limit=1000, remaining=26, now=NOON)
    planner.check_confirmation(NOON)
    planner.record_call(CallKind.CONFIRM, NOON, "A")
    with pytest.raises(QuotaExhaustedError) as err:
        planner.check_confirmation(NOON)
    assert err.value.calls_back_at == MIDNIGHT
    planner.check_command(NOON)


def test_a_429_stops_polling_and_commands_until_the_reset(
    planner: QuotaPlanner,
) -> None:
    back = NOON + timedelta(hours=3)
    planner.set_activity("A", ChargerActivity.CHARGING, NOON)
    planner.observe_rate_limited(NOON, back)

    assert planner.next_poll_at("A", NOON) is None
    assert planner.polling_blocked_until == back
    with pytest.raises(QuotaExhaustedError) as err:
        planner.check_command(NOON)
    assert err.value.calls_back_at == back

    later = back + timedelta(seconds=1)
    assert planner.next_poll_at("A", later) == later
    assert planner.reset_at == back + timedelta(days=1)


def test_a_429_without_reset_blocks_until_the_expected_reset(
    planner: QuotaPlanner,
) -> None:
    planner.observe_rate_limited(NOON, None)
    assert planner.polling_blocked_until == MIDNIGHT
    assert planner.remaining == 0
    with pytest.raises(QuotaExhaustedError):
        planner.check_command(NOON)


def test_a_short_window_429_pauses_without_touching_the_day(
    planner: QuotaPlanner,
) -> None:
    planner.set_activity("A", ChargerActivity.CHARGING, NOON)
    planner.observe_quota(limit=1000, remaining=600, now=NOON)
    back = NOON + timedelta(seconds=40)
    planner.observe_throttled(NOON, back)

    assert planner.throttled(NOON)
    assert planner.polling_blocked_until == back
    assert (planner.reset_at, planner.remaining) == (MIDNIGHT, 600)
    with pytest.raises(ThrottledError) as err:
        planner.check_command(NOON)
    assert err.value.calls_back_at == back
    assert "paused" in str(err.value)

    later = back + timedelta(seconds=1)
    assert not planner.throttled(later)
    assert planner.next_poll_at("A", later) is not None
    planner.check_command(later)


def test_a_short_window_429_without_a_moment_pauses_a_minute(
    planner: QuotaPlanner,
) -> None:
    planner.observe_throttled(NOON, None)
    assert planner.polling_blocked_until == NOON + THROTTLE_PAUSE
    planner.observe_throttled(NOON, NOON - timedelta(seconds=5))
    assert planner.polling_blocked_until == NOON + THROTTLE_PAUSE


def test_a_day_out_outranks_a_pause(planner: QuotaPlanner) -> None:
    planner.observe_throttled(NOON, NOON + timedelta(seconds=30))
    planner.observe_rate_limited(NOON, None)
    assert not planner.throttled(NOON)
    with pytest.raises(QuotaExhaustedError) as err:
        planner.check_command(NOON)
    assert not isinstance(err.value, ThrottledError)


def test_an_unproven_429_is_waited_out_and_keeps_the_reset(
    planner: QuotaPlanner,
) -> None:
    planner.observe_quota(limit=1000, remaining=400, now=NOON)
    back = NOON + timedelta(seconds=60)
    planner.observe_rate_limited(NOON, back, day_proven=False)

    assert planner.polling_blocked_until == back
    assert (planner.reset_at, planner.remaining) == (MIDNIGHT, 400)
    after = back + timedelta(minutes=5)
    planner.observe_quota(limit=1000, remaining=399, now=after)
    assert planner.reset_at == MIDNIGHT
    assert planner.polling_blocked_until is None


def test_an_unproven_429_until_the_reset_leaves_no_call(planner: QuotaPlanner) -> None:
    """A 429 without quota headers whose Retry-After reaches the day's reset.

    'Calls remaining' shows 0 until the reset, not the calls the server refuses.
    """
    planner.observe_quota(limit=1000, remaining=400, now=NOON)
    planner.observe_rate_limited(NOON, MIDNIGHT, day_proven=False)
    assert (planner.reset_at, planner.remaining) == (MIDNIGHT, 0)
    assert planner.polling_blocked_until == MIDNIGHT


def test_an_unproven_429_right_after_the_rollover_undoes_it(
    planner: QuotaPlanner,
) -> None:
    """The clock passed midnight, the quota did not come back, and a bare 429 says so.

    'Calls remaining' shows none while the 429 refuses calls, then the day's
    count, not a fresh 999; the reset is probed for from the next hour.
    """
    poll(planner, "A", NOON, 60)
    after = MIDNIGHT + timedelta(minutes=5)
    planner.record_call(CallKind.POLL, after, "A")
    back = after + timedelta(minutes=1)
    planner.observe_rate_limited(after, back, day_proven=False)
    snapshot = planner.snapshot(after)
    assert (snapshot.remaining, snapshot.calls_today[CallKind.POLL]) == (0, 2)
    assert snapshot.reset_at == back
    assert planner.snapshot(back).remaining == 59
    assert planner.reset_at == MIDNIGHT + HOUR


def bare_429(planner: QuotaPlanner, now: datetime) -> None:
    """Make one poll refused with a 429 that carries no header at all."""
    planner.record_call(CallKind.POLL, now, "A")
    planner.observe_rate_limited(now, None, day_proven=False)


def test_a_bare_429_while_the_count_leaves_calls_pauses(
    planner: QuotaPlanner,
) -> None:
    """Minutes after a header showed 997 calls left: a pause, not the day's end."""
    poll(planner, "A", NOON, 997)
    later = NOON + timedelta(minutes=3)
    bare_429(planner, later)

    assert planner.throttled(later)
    assert planner.polling_blocked_until == later + THROTTLE_PAUSE
    assert (planner.reset_at, planner.remaining) == (MIDNIGHT, 996)
    with pytest.raises(ThrottledError):
        planner.check_command(later)
    back = later + THROTTLE_PAUSE
    assert planner.blocked_until(back) is None
    planner.check_command(back)


def test_bare_429s_in_a_row_pause_ever_longer_until_a_header(
    planner: QuotaPlanner,
) -> None:
    poll(planner, "A", NOON, 900)
    now = NOON
    for pause in (1, 2, 4):
        bare_429(planner, now)
        assert planner.polling_blocked_until == now + timedelta(minutes=pause)
        now += timedelta(minutes=pause)

    poll(planner, "A", now, 895)
    bare_429(planner, now)
    assert planner.polling_blocked_until == now + THROTTLE_PAUSE


def test_bare_429s_that_never_stop_end_the_day_once_a_pause_reaches_the_reset(
    planner: QuotaPlanner,
) -> None:
    """A proxy strips the headers off a spent day's 429s: ten of them by the reset."""
    poll(planner, "A", NOON, 900)
    now = NOON
    refusals = 0
    while planner.throttled(now) or refusals == 0:
        now = planner.polling_blocked_until or now
        bare_429(planner, now)
        refusals += 1

    assert refusals == 10
    assert now == NOON + timedelta(minutes=511)
    assert planner.polling_blocked_until == MIDNIGHT
    assert planner.remaining == 0
    with pytest.raises(QuotaExhaustedError) as err:
        planner.check_command(now)
    assert not isinstance(err.value, ThrottledError)


@pytest.mark.parametrize(
    ("header", "calls_since"),
    [(None, 0), (6, 0), (16, 8)],
    ids=["no_header", "nearly_spent", "spent_as_many_as_left"],
)
def test_a_bare_429_ends_the_day_when_the_count_says_it_is_spent(
    planner: QuotaPlanner, header: int | None, calls_since: int
) -> None:
    """No header in the window, or few calls left by the count against those spent since."""
    if header is not None:
        poll(planner, "A", NOON, header)
    for _ in range(calls_since):
        planner.record_call(CallKind.POLL, NOON, "A")
    bare_429(planner, NOON)

    assert not planner.throttled(NOON)
    assert planner.polling_blocked_until == MIDNIGHT
    assert planner.remaining == 0
    with pytest.raises(QuotaExhaustedError) as err:
        planner.check_command(NOON)
    assert not isinstance(err.value, ThrottledError)


def test_quota_share_limits_our_calls_and_spares_the_rest() -> None:
    planner = QuotaPlanner(PlannerSettings(quota_share=0.5), now=NOON)
    for _ in range(449):
        planner.record_call(CallKind.POLL, NOON, "A")
    planner.observe_quota(limit=1000, remaining=551, now=NOON)
    assert planner.next_poll_at("A", NOON) is not None
    poll(planner, "A", NOON, 550)
    assert planner.next_poll_at("A", NOON) is None
    planner.check_command(NOON)
    for _ in range(50):
        planner.record_call(CallKind.COMMAND, NOON)
    with pytest.raises(QuotaExhaustedError):
        planner.check_command(NOON)


def _share_lowered_below_the_days_calls() -> QuotaPlanner:
    """Return a planner on a 200-call key with 57 calls spent and a share of 20 %."""
    planner = QuotaPlanner(
        PlannerSettings(quota_share=0.2, command_reserve=20), now=NOON
    )
    planner.set_activity("A", ChargerActivity.CHARGING, NOON)
    for _ in range(57):
        planner.record_call(CallKind.POLL, NOON, "A")
    planner.observe_quota(limit=200, remaining=143, now=NOON)
    return planner


def test_a_spent_share_stops_polling_and_leaves_commands_their_reserve() -> None:
    """Commands, their confirmations and a setup go on past the share, for the reserve's calls."""
    planner = _share_lowered_below_the_days_calls()
    assert planner.polling_blocked_until == MIDNIGHT
    assert planner.next_poll_at("A", NOON) is None
    assert not planner.maintenance_due("pairings", NOON, 3600)
    assert planner.spent_until(NOON) is None
    planner.check_confirmation(NOON)
    for _ in range(10):
        planner.check_command(NOON)
        planner.record_call(CallKind.COMMAND, NOON, "A")
    # The lower half of the reserve is the commands' own: no confirmation takes it.
    with pytest.raises(QuotaExhaustedError):
        planner.check_confirmation(NOON)
    for _ in range(10):
        planner.check_command(NOON)
        planner.record_call(CallKind.COMMAND, NOON, "A")
    with pytest.raises(QuotaExhaustedError) as err:
        planner.check_command(NOON)
    assert err.value.calls_back_at == MIDNIGHT
    # The key has 123 calls left, but neither the share nor the reserve has one.
    assert planner.remaining == 123
    assert planner.spent_until(NOON) == MIDNIGHT


def test_a_spent_key_leaves_no_reserve_past_the_share() -> None:
    planner = _share_lowered_below_the_days_calls()
    planner.observe_quota(limit=200, remaining=1, now=NOON)
    planner.check_command(NOON)
    planner.record_call(CallKind.COMMAND, NOON, "A")
    with pytest.raises(QuotaExhaustedError):
        planner.check_command(NOON)
    assert planner.spent_until(NOON) == MIDNIGHT


def test_other_programs_eat_into_their_share_first() -> None:
    planner = QuotaPlanner(PlannerSettings(quota_share=0.5), now=NOON)
    poll(planner, "A", NOON, 999)
    # 499 calls by someone else: they took their 500 and nothing of ours.
    poll(planner, "A", NOON, 499)
    assert planner.snapshot(NOON).other_calls_today == 499
    assert planner.next_poll_at("A", NOON) is not None
    # Once they overspend, what is left is the limit.
    poll(planner, "A", NOON, 50)
    assert planner.next_poll_at("A", NOON) is None


def test_a_busy_command_day_slows_polling(
    settings: PlannerSettings,
) -> None:
    quiet = QuotaPlanner(settings, now=NOON)
    busy = QuotaPlanner(settings, now=NOON)
    evening = NOON + timedelta(hours=7)
    for planner in (quiet, busy):
        planner.set_activity("A", ChargerActivity.CHARGING, evening)
        planner.observe_quota(limit=1000, remaining=600, now=evening)
    for _ in range(100):
        busy.record_call(CallKind.COMMAND, evening)
        quiet.record_call(CallKind.POLL, evening, "A")
    busy.observe_quota(limit=1000, remaining=500, now=evening)
    quiet.observe_quota(limit=1000, remaining=500, now=evening)
    fast = interval(quiet, "A", evening)
    slow = interval(busy, "A", evening)
    assert fast is not None
    assert slow is not None
    assert fast < slow


def test_other_programs_are_seen_through_the_headers(planner: QuotaPlanner) -> None:
    poll(planner, "A", NOON, 990)
    poll(planner, "A", NOON + timedelta(minutes=1), 980)
    snapshot = planner.snapshot(NOON + timedelta(minutes=1))
    assert snapshot.other_calls_today == 9
    assert snapshot.calls_today[CallKind.POLL] == 2


def test_a_call_that_never_left_is_taken_back(planner: QuotaPlanner) -> None:
    """A command that could not connect costs nothing, and no other program is blamed."""
    poll(planner, "A", NOON, 900)
    later = NOON + timedelta(minutes=5)
    planner.record_call(CallKind.COMMAND, later, "A")
    planner.record_call(CallKind.COMMAND, later, "A")
    planner.refund_call(CallKind.COMMAND, later)
    assert planner.remaining == 899
    assert sum(planner.to_dict()["window"]["command_slots"].values()) == 1
    planner.refund_call(CallKind.COMMAND, later)
    assert planner.remaining == 900
    assert planner.to_dict()["window"]["command_slots"] == {}

    poll(planner, "A", later, 899)
    snapshot = planner.snapshot(later)
    assert snapshot.calls_today[CallKind.COMMAND] == 0
    assert snapshot.calls_today[CallKind.POLL] == 2
    assert snapshot.other_calls_today == 0


def test_a_call_counted_before_the_reset_is_not_taken_back_after_it(
    planner: QuotaPlanner,
) -> None:
    before = MIDNIGHT - timedelta(seconds=1)
    planner.record_call(CallKind.POLL, before, "A")
    planner.refund_call(CallKind.POLL, MIDNIGHT + timedelta(seconds=1))
    snapshot = planner.snapshot(MIDNIGHT + timedelta(seconds=1))
    assert (snapshot.remaining, snapshot.calls_today[CallKind.POLL]) == (1000, 0)


def test_headers_without_values_keep_the_estimates(planner: QuotaPlanner) -> None:
    planner.record_call(CallKind.MAINTENANCE, NOON)
    planner.observe_quota(limit=None, remaining=None, now=NOON, reset_after_s=-5)
    planner.observe_quota(limit=0, remaining=None, now=NOON, reset_after_s=90000)
    assert planner.limit == 1000
    assert planner.remaining == 999
    assert planner.reset_at == MIDNIGHT
    planner.observe_quota(limit=2000, remaining=5000, now=NOON)
    assert planner.limit == 2000
    assert planner.remaining == 2000


def test_maintenance_runs_once_per_period(planner: QuotaPlanner) -> None:
    assert planner.maintenance_due("pairings", NOON, 3600)
    assert not planner.maintenance_due("pairings", NOON + timedelta(minutes=59), 3600)
    assert planner.maintenance_due("pairings", NOON + timedelta(hours=1), 3600)


def test_maintenance_after_the_clock_was_set_back_waits_one_period(
    planner: QuotaPlanner,
) -> None:
    """A read done "tomorrow" by the old clock is not a day and an hour away."""
    assert planner.maintenance_due("pairings", NOON, 3600)
    back = NOON - timedelta(days=1)
    assert not planner.maintenance_due("pairings", back, 3600)
    assert planner.maintenance_due("pairings", back + timedelta(hours=1), 3600)


def test_maintenance_tells_when_it_is_next_due_while_polling_waits(
    planner: QuotaPlanner,
) -> None:
    """The reserve pays an offline charger's check at the pace polling would keep."""
    assert planner.maintenance_next_at("connected:A", NOON, 7200) == NOON
    planner.maintenance_done("connected:A", NOON, 7200)
    planner.observe_quota(limit=1000, remaining=40, now=NOON)
    assert planner.polling_blocked_until is not None
    later = NOON + HOUR
    assert planner.maintenance_next_at("connected:A", later, 7200) == NOON + 2 * HOUR
    # Polling itself still sends none of it.
    assert not planner.maintenance_due("connected:A", NOON + 3 * HOUR, 7200)
    # A clock set back waits one period from now, not the jump on top of it.
    back = NOON - timedelta(days=1)
    assert planner.maintenance_next_at("connected:A", back, 7200) == back + 2 * HOUR


def register_maintenance(planner: QuotaPlanner, now: datetime) -> None:
    """Run the integration's periodic reads of one charger: 20 calls a day."""
    assert planner.maintenance_due("pairings", now, 6 * 3600)
    assert planner.maintenance_due("reported:A", now, 6 * 3600)
    assert planner.maintenance_due("connected:A", now, 2 * 3600)


def test_maintenance_keeps_its_pace_on_a_full_key(planner: QuotaPlanner) -> None:
    register_maintenance(planner, NOON)
    assert planner.maintenance_due("connected:A", NOON + 2 * HOUR, 2 * 3600)


def test_maintenance_takes_a_tenth_of_a_small_key(planner: QuotaPlanner) -> None:
    # 100 calls less the reserve of 50: periodic reads get 5 a day, not 20.
    planner.observe_quota(limit=100, remaining=100, now=NOON)
    register_maintenance(planner, NOON)
    assert not planner.maintenance_due("connected:A", NOON + 7 * HOUR, 2 * 3600)
    assert planner.maintenance_due("connected:A", NOON + 8 * HOUR, 2 * 3600)
    assert not planner.maintenance_due("pairings", NOON + 23 * HOUR, 6 * 3600)


def test_a_confirmation_replaces_the_next_poll_when_sooner(
    planner: QuotaPlanner,
) -> None:
    saw_a_car(planner, "A")
    planner.set_activity("A", ChargerActivity.IDLE, NOON)
    poll(planner, "A", NOON, 999)
    confirm_at = planner.request_confirmation("A", NOON)
    assert confirm_at == NOON + timedelta(seconds=15)
    assert planner.next_poll_at("A", NOON) == confirm_at
    assert planner.next_poll_at("A", confirm_at + timedelta(seconds=5)) == (
        confirm_at + timedelta(seconds=5)
    )

    planner.record_call(CallKind.CONFIRM, confirm_at, "A")
    assert planner.next_poll_at("A", confirm_at) == confirm_at + timedelta(
        seconds=1.5 * baseline(1)
    )

    # A command the charger had not applied yet is read once more, later.
    late = NOON + timedelta(seconds=90)
    planner.request_late_confirmation("A", late, confirm_at)
    assert planner.next_poll_at("A", confirm_at) == late
    planner.request_late_confirmation("A", late + HOUR, confirm_at)
    assert planner.next_poll_at("A", confirm_at) == late
    planner.record_call(CallKind.CONFIRM, late, "A")
    assert planner.next_poll_at("A", late) == late + timedelta(
        seconds=1.5 * baseline(1)
    )

    # A charger known to apply commands late is confirmed later.
    slow = planner.request_confirmation("A", late, after_s=90)
    assert slow == late + timedelta(seconds=90)
    assert planner.next_poll_at("A", late) == slow


def test_a_regular_poll_counts_as_confirmation_only_once_due(
    planner: QuotaPlanner,
) -> None:
    planner.set_activity("A", ChargerActivity.CHARGING, NOON)
    poll(planner, "A", NOON, 999)
    confirm_at = planner.request_confirmation("A", NOON)
    poll(planner, "A", NOON + timedelta(seconds=5), 998)
    assert planner.next_poll_at("A", NOON + timedelta(seconds=5)) == confirm_at
    poll(planner, "A", confirm_at, 997)
    due = planner.next_poll_at("A", confirm_at)
    assert due is not None
    assert due > confirm_at


def test_a_waiting_car_is_read_once_just_after_its_timer_opens(
    planner: QuotaPlanner,
) -> None:
    opening = NOON + timedelta(minutes=30)
    read_at = opening + timedelta(seconds=15)
    planner.set_activity("A", ChargerActivity.PLUGGED, NOON)
    poll(planner, "A", NOON, 999)
    planner.expect_opening("A", opening, NOON)
    at_baseline = NOON + timedelta(seconds=baseline(1))
    assert planner.next_poll_at("A", NOON) == at_baseline
    later = opening - timedelta(seconds=20)
    poll(planner, "A", later, 900)
    assert planner.next_poll_at("A", later) == read_at

    # Once read after the opening, the car is back on its interval.
    poll(planner, "A", read_at, 899)
    assert planner.next_poll_at("A", read_at) == read_at + timedelta(
        seconds=baseline(1)
    )


def test_a_car_waiting_on_the_sun_is_read_just_after_its_timer_opens(
    planner: QuotaPlanner,
) -> None:
    opening = NOON + timedelta(hours=2)
    planner.set_activity("A", ChargerActivity.WAITING, NOON)
    poll(planner, "A", NOON, 999)
    planner.expect_opening("A", opening, NOON)
    later = opening - timedelta(seconds=5)
    poll(planner, "A", later, 900)
    assert planner.next_poll_at("A", later) == opening + timedelta(seconds=15)


@pytest.mark.parametrize(
    "activity",
    [ChargerActivity.IDLE, ChargerActivity.CHARGING, ChargerActivity.SUNLESS],
)
def test_a_timer_opening_matters_only_to_a_car_still_waiting(
    planner: QuotaPlanner, activity: ChargerActivity
) -> None:
    saw_a_car(planner, "A")
    planner.set_activity("A", activity, NOON)
    poll(planner, "A", NOON, 999)
    planned = planner.next_poll_at("A", NOON)
    planner.expect_opening("A", NOON + timedelta(seconds=30), NOON)
    assert planner.next_poll_at("A", NOON) == planned


def test_a_car_that_charged_since_plug_in_no_longer_waits_for_its_timer(
    planner: QuotaPlanner,
) -> None:
    planner.set_activity("A", ChargerActivity.CHARGING, NOON)
    planner.set_activity("A", ChargerActivity.PLUGGED, NOON + HOUR)
    poll(planner, "A", NOON + HOUR, 900)
    planned = planner.next_poll_at("A", NOON + HOUR)
    planner.expect_opening("A", NOON + HOUR + timedelta(seconds=30), NOON + HOUR)
    assert planner.next_poll_at("A", NOON + HOUR) == planned


@pytest.mark.parametrize(
    ("stop_seen", "by_the_timer"),
    [
        (timedelta(seconds=20), True),
        # The charger's clock may run a little ahead of ours.
        (timedelta(seconds=-30), True),
        (timedelta(minutes=-5), False),
    ],
    ids=["after-the-end", "just-before-the-end", "well-before-the-end"],
)
def test_a_charge_stopped_at_its_timer_windows_end_awaits_the_next_opening(
    planner: QuotaPlanner, stop_seen: timedelta, by_the_timer: bool
) -> None:
    """A charge seen stopped once its window closed was cut by the timer, not full.

    The car waits for the next opening as one that has not charged yet: read
    just after it, never taken for a full car. A stop seen well before the
    window's end is a full car's, read at its slow pace and at no opening.
    """
    closing, opening = NOON + HOUR, NOON + 3 * HOUR
    planner.set_activity("A", ChargerActivity.PLUGGED, NOON)
    poll(planner, "A", NOON, 999)
    started = NOON + timedelta(minutes=10)
    planner.set_activity("A", ChargerActivity.CHARGING, started)
    poll(planner, "A", started, 998)
    planner.expect_opening("A", opening, started, closing_at=closing)
    stopped = closing + stop_seen
    planner.set_activity("A", ChargerActivity.PLUGGED, stopped)
    poll(planner, "A", stopped, 997)
    planner.expect_opening("A", opening, stopped, closing_at=opening + HOUR)

    saved = planner.to_dict()["chargers"]["A"]
    assert saved["charge_ended"] is not by_the_timer
    assert saved["charged_since_plug_in"] is not by_the_timer
    before = opening - timedelta(seconds=20)
    poll(planner, "A", before, 900)
    due = planner.next_poll_at("A", before)
    assert (due == opening + timedelta(seconds=15)) is by_the_timer


@pytest.mark.parametrize(
    ("closed_at", "by_the_timer"),
    [(NOON + 2 * HOUR, True), (None, False)],
    ids=["window-closed", "no-window"],
)
def test_a_charge_stopped_across_a_restart_is_judged_by_the_last_window_end(
    planner: QuotaPlanner,
    settings: PlannerSettings,
    closed_at: datetime | None,
    by_the_timer: bool,
) -> None:
    """A stop first seen after a restart is the timer's when a window has closed.

    The window the first read's settings name as closed, given before the
    activity, judges it: no read since the restart says when the charge was
    last seen.
    """
    planner.set_activity("A", ChargerActivity.CHARGING, NOON)
    restored = QuotaPlanner.from_dict(planner.to_dict(), settings, now=NOON + 3 * HOUR)
    restored.expect_opening(
        "A",
        NOON + 25 * HOUR,
        NOON + 3 * HOUR,
        closing_at=NOON + 26 * HOUR,
        closed_at=closed_at,
    )
    restored.set_activity("A", ChargerActivity.PLUGGED, NOON + 3 * HOUR)
    assert restored.to_dict()["chargers"]["A"]["charge_ended"] is not by_the_timer


def test_a_charge_stopped_without_a_known_window_end_is_a_full_car(
    planner: QuotaPlanner,
) -> None:
    """With no timer the last read knew of, the stop is the car's own."""
    planner.set_activity("A", ChargerActivity.CHARGING, NOON)
    planner.expect_opening("A", NOON + 2 * HOUR, NOON)
    planner.set_activity("A", ChargerActivity.PLUGGED, NOON + HOUR)
    assert planner.to_dict()["chargers"]["A"]["charge_ended"] is True


def test_idle_chargers_are_not_polled_when_idle_polling_is_off() -> None:
    planner = QuotaPlanner(PlannerSettings(poll_idle=False), now=NOON)
    planner.set_activity("A", ChargerActivity.IDLE, NOON)
    poll(planner, "A", NOON, 999)
    assert planner.next_poll_at("A", NOON) is None
    confirm_at = planner.request_confirmation("A", NOON)
    assert planner.next_poll_at("A", NOON) == confirm_at


def test_removed_chargers_are_forgotten(planner: QuotaPlanner) -> None:
    planner.set_activity("A", ChargerActivity.CHARGING, NOON)
    planner.set_activity("B", ChargerActivity.IDLE, NOON)
    planner.set_activity("A", ChargerActivity.PLUGGED, NOON + timedelta(hours=1))
    for device_id in "AB":
        planner.maintenance_done(f"reported:{device_id}", NOON, 3600)
        planner.maintenance_done(f"connected:{device_id}", NOON, 7200)
    planner.remove_charger("A")
    planner.remove_charger("unknown")
    assert set(planner.snapshot(NOON).chargers) == {"B"}
    saved = planner.to_dict()
    assert saved["window"]["charged_s"] == {}
    assert set(saved["maintenance"]) == {"reported:B", "connected:B"}


def test_new_settings_apply_at_once(planner: QuotaPlanner) -> None:
    planner.observe_quota(limit=1000, remaining=100, now=NOON)
    assert planner.polling_blocked_until is None
    planner.update_settings(PlannerSettings(command_reserve=150))
    assert planner.polling_blocked_until == MIDNIGHT


def test_snapshot_reports_the_plan(planner: QuotaPlanner) -> None:
    planner.set_activity("A", ChargerActivity.CHARGING, NOON)
    poll(planner, "A", NOON, 999)
    planner.record_call(CallKind.COMMAND, NOON, "A")
    snapshot = planner.snapshot(NOON)
    assert snapshot.limit == 1000
    assert snapshot.remaining == 998
    assert snapshot.reset_at == MIDNIGHT
    assert snapshot.blocked_until is None
    assert snapshot.chargers["A"].activity is ChargerActivity.CHARGING
    assert snapshot.calls_today == {
        CallKind.POLL: 1,
        CallKind.CONFIRM: 0,
        CallKind.COMMAND: 1,
        CallKind.MAINTENANCE: 0,
    }


def test_a_car_whose_charge_ended_by_itself_is_watched_least(
    planner: QuotaPlanner,
) -> None:
    # A's charge ends by itself, B's is paused by a command: B may resume soon.
    for device_id in ("A", "B"):
        planner.set_activity(device_id, ChargerActivity.CHARGING, NOON - HOUR)
    planner.request_confirmation("B", NOON - timedelta(seconds=15))
    for device_id in ("A", "B"):
        planner.set_activity(device_id, ChargerActivity.PLUGGED, NOON)
    ended = 16 * baseline(2)
    assert interval(planner, "A", NOON) == pytest.approx(ended)
    assert interval(planner, "B", NOON) == pytest.approx(1.5 * baseline(2))
    # A stays full while plugged, after sunset too; a new plug-in forgets it.
    later = NOON + timedelta(minutes=20)
    planner.set_activity("A", ChargerActivity.PLUGGED, later)
    assert interval(planner, "A", later) == pytest.approx(ended)
    planner.set_activity("A", ChargerActivity.SUNLESS, later)
    assert interval(planner, "A", later) == pytest.approx(ended)
    planner.set_activity("A", ChargerActivity.IDLE, later)
    planner.set_activity("A", ChargerActivity.PLUGGED, later + HOUR)
    assert interval(planner, "A", later + HOUR) == pytest.approx(baseline(2))


def test_a_car_plugged_in_is_read_at_the_baseline_until_it_charges(
    planner: QuotaPlanner,
) -> None:
    # A timer starts the charge later, at a moment nothing announces: until then
    # the car is read as a fixed poller would read it, across an outage too.
    planner.set_activity("B", ChargerActivity.IDLE, NOON)
    planner.set_activity("A", ChargerActivity.PLUGGED, NOON)
    assert interval(planner, "A", NOON) == pytest.approx(baseline(2))
    planner.set_activity("A", ChargerActivity.OFFLINE, NOON + HOUR)
    planner.set_activity("A", ChargerActivity.PLUGGED, NOON + 2 * HOUR)
    assert interval(planner, "A", NOON + 2 * HOUR) == pytest.approx(baseline(2))
    # Once it charged, a plugged car is no longer awaited: paused by a command,
    # it is read as any uncertain start.
    planner.set_activity("A", ChargerActivity.CHARGING, NOON + 3 * HOUR)
    planner.request_confirmation("A", NOON + 4 * HOUR)
    planner.set_activity("A", ChargerActivity.PLUGGED, NOON + 4 * HOUR)
    assert interval(planner, "A", NOON + 4 * HOUR) == pytest.approx(1.5 * baseline(2))


def test_an_outage_is_timed_from_when_it_was_first_seen(planner: QuotaPlanner) -> None:
    planner.observe_quota(limit=1000, remaining=400, now=NOON)
    planner.set_activity("A", ChargerActivity.OFFLINE, NOON)
    later = NOON + timedelta(minutes=3)
    planner.set_activity("A", ChargerActivity.OFFLINE, later)
    assert interval(planner, "A", later) == 90.0
    planner.set_activity("A", ChargerActivity.IDLE, later)
    planner.set_activity("A", ChargerActivity.OFFLINE, later)
    assert interval(planner, "A", later) == 60.0


def _restored_charge(
    settings: PlannerSettings, days: int, longest_s: float = 0.0
) -> QuotaPlanner:
    """Return a planner with 400 calls left at noon and a charge 2 h a day learned.

    The car comes at about 11:00 every day, so the hours after its charge are
    quiet.
    """
    planner = QuotaPlanner(settings, now=NOON)
    planner.set_activity("A", ChargerActivity.CHARGING, NOON)
    planner.observe_quota(limit=1000, remaining=400, now=NOON)
    data = planner.to_dict()
    charger = data["chargers"]["A"]
    charger["arrivals"][22] = 5.0
    charger["charge_ewma_s"] = charger["length_ewma_s"] = 2 * 3600.0
    charger["charge_days"] = days
    charger["charge_longest_s"] = longest_s
    return QuotaPlanner.from_dict(data, settings, now=NOON)


def test_an_unlearned_charge_keeps_the_rest_of_the_day_fundable(
    settings: PlannerSettings,
) -> None:
    """Until its length is learned, a running charge may last until the reset."""
    by_days = {}
    for days in (0, 2, 3):
        restored = _restored_charge(settings, days)
        restored.set_activity("A", ChargerActivity.CHARGING, NOON)
        by_days[days] = interval(restored, "A", NOON)
    # 350 calls for 12 hours: the ten hours after the usual charge stay funded
    # at the 91 s baseline, so the unlearned charge is read at the baseline.
    assert by_days[0] == by_days[2]
    assert by_days[0] is not None
    assert by_days[0] <= baseline(1)
    # Learned, only the longest plausible day stays funded: the charge is read
    # faster.
    assert by_days[3] is not None
    assert by_days[3] < by_days[0] / 2


def test_a_charge_keeps_the_calls_to_watch_for_the_next_car(
    settings: PlannerSettings,
) -> None:
    """After its charge the car may leave, and the empty charger is watched again.

    Cars that come at any hour keep the rest of the day watched closely: those
    calls are set aside before the charge is paced, as they are not for a car
    that only ever comes at 11:00.
    """
    routine = _restored_charge(settings, days=5)
    data = routine.to_dict()
    data["chargers"]["A"]["arrivals"] = [5.0 / 48] * 48
    any_hour = QuotaPlanner.from_dict(data, settings, now=NOON)
    paced = {}
    for name, planner in (("routine", routine), ("any_hour", any_hour)):
        planner.set_activity("A", ChargerActivity.CHARGING, NOON)
        paced[name] = interval(planner, "A", NOON)
    assert paced["routine"] is not None
    assert paced["any_hour"] is not None
    assert paced["any_hour"] > 1.5 * paced["routine"]


def test_a_rare_charge_is_paced_by_how_long_charges_run_not_by_the_daily_average(
    settings: PlannerSettings,
) -> None:
    """A car twice a week averages little a day, but its charge runs as long as ever."""
    daily = _restored_charge(settings, days=5)
    rare = _restored_charge(settings, days=5)
    data = rare.to_dict()
    data["chargers"]["A"]["charge_ewma_s"] = 2 * 3600.0 * 2 / 7
    rare = QuotaPlanner.from_dict(data, settings, now=NOON)
    for planner in (daily, rare):
        planner.set_activity("A", ChargerActivity.CHARGING, NOON)
    assert interval(rare, "A", NOON) == interval(daily, "A", NOON)


def test_a_learned_long_day_stays_funded_at_the_baseline(
    settings: PlannerSettings,
) -> None:
    usual = _restored_charge(settings, days=5)
    long_days = _restored_charge(settings, days=5, longest_s=8 * 3600.0)
    for planner in (usual, long_days):
        planner.set_activity("A", ChargerActivity.CHARGING, NOON)
    fast = interval(usual, "A", NOON)
    guarded = interval(long_days, "A", NOON)
    assert fast is not None
    assert guarded is not None
    assert fast < guarded <= baseline(1)


def test_a_record_charge_is_never_left_without_calls(
    settings: PlannerSettings,
) -> None:
    """A charge far past anything learned is still read, if slowly."""
    planner = _restored_charge(settings, days=5, longest_s=2 * 3600.0)
    planner.set_activity("A", ChargerActivity.CHARGING, NOON)
    moment, remaining, longest_wait = NOON, 400, 0.0
    while moment < NOON + 11 * HOUR:
        due = planner.next_poll_at("A", moment)
        assert due is not None
        longest_wait = max(longest_wait, (due - moment).total_seconds())
        moment, remaining = due, remaining - 1
        poll(planner, "A", moment, remaining)
    # Eleven hours of a charge learned as two: read fast at first, then never
    # slower than eight baselines, and the reserve stays untouched.
    assert longest_wait <= 8 * baseline(1)
    assert remaining >= 50


def test_a_charge_that_went_silent_is_checked_every_five_minutes(
    planner: QuotaPlanner,
) -> None:
    saw_a_car(planner, "B")
    planner.set_activity("A", ChargerActivity.CHARGING, NOON - HOUR)
    planner.set_activity("A", ChargerActivity.OFFLINE, NOON)
    planner.set_activity("B", ChargerActivity.IDLE, NOON - HOUR)
    planner.set_activity("B", ChargerActivity.OFFLINE, NOON)
    later = NOON + HOUR
    assert interval(planner, "A", later) == 300.0
    assert interval(planner, "B", later) == pytest.approx(1.5 * baseline(2))
    planner.set_activity("A", ChargerActivity.CHARGING, later)
    planner.set_activity("A", ChargerActivity.OFFLINE, later + HOUR)
    assert interval(planner, "A", later + 2 * HOUR) == 300.0


def test_reads_the_cloud_does_not_answer_back_off_until_one_is(
    planner: QuotaPlanner,
) -> None:
    planner.set_activity("A", ChargerActivity.CHARGING, NOON)
    poll(planner, "A", NOON, 900)
    charging = interval(planner, "A", NOON)
    assert charging is not None
    assert charging < baseline(1) / 2
    planner.read_failed("A", NOON)
    # A single failure changes nothing: the next read comes as planned.
    assert interval(planner, "A", NOON) == charging
    planner.read_failed("A", NOON + HOUR / 6)
    assert interval(planner, "A", NOON + HOUR / 6) == pytest.approx(baseline(1))
    planner.set_activity("A", ChargerActivity.CHARGING, NOON + HOUR / 6)
    assert interval(planner, "A", NOON + HOUR / 6) == pytest.approx(charging, rel=0.1)


def _plans(
    planner: QuotaPlanner, settings: PlannerSettings
) -> tuple[PlannerSnapshot, PlannerSnapshot]:
    """Return the planner's plan and that of a planner freshly rebuilt from it."""
    rebuilt = QuotaPlanner.from_dict(planner.to_dict(), settings, now=NOON)
    return planner.snapshot(NOON), rebuilt.snapshot(NOON)


def test_a_plan_reused_within_a_moment_follows_every_change(
    planner: QuotaPlanner, settings: PlannerSettings
) -> None:
    """The plan is kept for queries at the same moment, never past a change."""
    saw_a_car(planner, "A", "B")
    changes = [
        lambda: planner.set_activity("A", ChargerActivity.CHARGING, NOON),
        lambda: poll(planner, "A", NOON, 700),
        lambda: planner.record_call(CallKind.COMMAND, NOON, "B"),
        lambda: planner.request_confirmation("B", NOON),
        lambda: planner.read_failed("B", NOON),
        lambda: planner.maintenance_due("settings", NOON, 600.0),
        lambda: planner.set_activity("C", ChargerActivity.PLUGGED, NOON),
        lambda: planner.remove_charger("B"),
        lambda: planner.observe_quota(limit=1000, remaining=300, now=NOON),
        planner.assume_half_spent,
    ]
    before = planner.snapshot(NOON)
    for change in changes:
        change()
        mine, fresh = _plans(planner, settings)
        assert mine == fresh
    assert planner.snapshot(NOON) != before


def test_a_charger_is_quiet_only_where_reads_saw_no_car(
    planner: QuotaPlanner, settings: PlannerSettings
) -> None:
    """Quiet needs reads since the moment, all without a car, since the last restart."""
    planner.set_activity("A", ChargerActivity.IDLE, NOON)
    assert not planner.quiet_since("A", None)
    assert not planner.quiet_since("A", NOON), "no read since the moment"
    planner.set_activity("A", ChargerActivity.IDLE, NOON + HOUR)
    assert planner.quiet_since("A", NOON + HOUR / 2)
    assert not planner.quiet_since("B", NOON + HOUR / 2), "a charger never read"

    planner.set_activity("A", ChargerActivity.PLUGGED, NOON + 2 * HOUR)
    planner.set_activity("A", ChargerActivity.IDLE, NOON + 3 * HOUR)
    assert not planner.quiet_since("A", NOON + HOUR / 2)
    assert not planner.quiet_since("A", NOON + 2.5 * HOUR), "the car leaving"
    planner.set_activity("A", ChargerActivity.IDLE, NOON + 4 * HOUR)
    assert planner.quiet_since("A", NOON + 3.5 * HOUR)

    planner.charged_unseen("A", NOON + 5 * HOUR)
    planner.set_activity("A", ChargerActivity.IDLE, NOON + 5 * HOUR)
    assert not planner.quiet_since("A", NOON + 4.5 * HOUR), "a charge between reads"

    restored = QuotaPlanner.from_dict(planner.to_dict(), settings, now=NOON + 6 * HOUR)
    restored.set_activity("A", ChargerActivity.IDLE, NOON + 7 * HOUR)
    assert not restored.quiet_since("A", NOON + 5.5 * HOUR), "before the restart"
    restored.set_activity("A", ChargerActivity.IDLE, NOON + 8 * HOUR)
    assert restored.quiet_since("A", NOON + 7.5 * HOUR)


def test_a_charger_silent_or_back_is_not_quiet(planner: QuotaPlanner) -> None:
    """An outage may hide a visit: the reads around it are not quiet."""
    planner.set_activity("A", ChargerActivity.IDLE, NOON)
    planner.set_activity("A", ChargerActivity.OFFLINE, NOON + HOUR)
    assert not planner.quiet_since("A", NOON + HOUR / 2)
    planner.set_activity("A", ChargerActivity.IDLE, NOON + 2 * HOUR)
    assert not planner.quiet_since("A", NOON + 1.5 * HOUR)


def test_a_charger_the_cloud_did_not_answer_is_not_quiet(
    planner: QuotaPlanner,
) -> None:
    """Unanswered reads looked at nothing: a car may have come and left meanwhile."""
    planner.set_activity("A", ChargerActivity.IDLE, NOON)
    imported_at = NOON + HOUR / 2
    planner.set_activity("A", ChargerActivity.IDLE, NOON + HOUR)
    for hours in range(2, 10):
        planner.read_failed("A", NOON + hours * HOUR)
    planner.set_activity("A", ChargerActivity.IDLE, NOON + 10 * HOUR)
    assert not planner.quiet_since("A", imported_at), (
        "eight hours no read answered count as quiet"
    )
