"""Tests for keeping the planner's knowledge across restarts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json
from typing import Any

import pytest

from custom_components.v2c_cloud.budget import (
    CallKind,
    ChargerActivity,
    PlannerSettings,
    QuotaPlanner,
)
from custom_components.v2c_cloud.budget.state import CARRIED_OVER, carry_over

from .conftest import NOON

MIDNIGHT = datetime(2025, 3, 4, tzinfo=UTC)


def saved(planner: QuotaPlanner) -> dict[str, Any]:
    """Return the planner's state as a Store would give it back."""
    loaded: dict[str, Any] = json.loads(json.dumps(planner.to_dict()))
    return loaded


@pytest.fixture
def busy_planner(settings: PlannerSettings) -> QuotaPlanner:
    """Return a planner with a morning of history."""
    planner = QuotaPlanner(settings, now=NOON - timedelta(hours=4))
    planner.set_activity("A", ChargerActivity.CHARGING, NOON - timedelta(hours=3))
    planner.record_call(CallKind.POLL, NOON - timedelta(hours=3), "A")
    planner.observe_quota(limit=1000, remaining=700, now=NOON - timedelta(hours=3))
    planner.set_activity("A", ChargerActivity.PLUGGED, NOON - timedelta(hours=1))
    planner.record_call(CallKind.COMMAND, NOON, "A")
    planner.maintenance_due("pairings", NOON, 6 * 3600)
    planner.observe_rate_limited(NOON, MIDNIGHT)
    return planner


def test_a_restart_at_noon_remembers_the_days_spending(
    busy_planner: QuotaPlanner, settings: PlannerSettings
) -> None:
    restored = QuotaPlanner.from_dict(saved(busy_planner), settings, now=NOON)
    assert restored.to_dict() == busy_planner.to_dict()
    assert restored.remaining == 0
    assert restored.polling_blocked_until == MIDNIGHT
    assert restored.snapshot(NOON).chargers["A"].activity is ChargerActivity.PLUGGED
    assert not restored.maintenance_due("pairings", NOON + timedelta(hours=1), 6 * 3600)


def test_a_restart_after_the_reset_discards_the_old_window(
    busy_planner: QuotaPlanner, settings: PlannerSettings
) -> None:
    tomorrow = MIDNIGHT + timedelta(hours=8)
    restored = QuotaPlanner.from_dict(saved(busy_planner), settings, now=tomorrow)
    snapshot = restored.snapshot(tomorrow)
    assert snapshot.remaining == 1000
    assert snapshot.calls_today[CallKind.COMMAND] == 0
    assert snapshot.blocked_until is None
    assert snapshot.reset_at == MIDNIGHT + timedelta(days=1)
    assert restored.to_dict()["chargers"]["A"]["charge_ewma_s"] == 4 * 3600


def test_a_discredited_reset_header_stays_discredited_after_a_restart(
    planner: QuotaPlanner, settings: PlannerSettings
) -> None:
    """A restart does not give a gateway's broken RateLimit-Reset a new chance."""
    planner.record_call(CallKind.POLL, NOON, "A")
    planner.observe_quota(limit=1000, remaining=51, now=NOON, reset_after_s=30)
    later = NOON + timedelta(seconds=90)
    planner.record_call(CallKind.POLL, later, "A")
    planner.observe_quota(limit=1000, remaining=50, now=later, reset_after_s=30)

    restored = QuotaPlanner.from_dict(saved(planner), settings, now=later)
    restored.observe_quota(limit=1000, remaining=50, now=later, reset_after_s=30)
    assert restored.snapshot(later + timedelta(minutes=1)).reset_at == MIDNIGHT


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data.pop("window"),
        lambda data: data.update(version=99),
        lambda data: data.update(chargers={"A": {"activity": "charging"}}),
        lambda data: data.update(reset_at=12),
        lambda data: data["window"].update(calls=[]),
    ],
)
def test_unreadable_state_is_refused(
    busy_planner: QuotaPlanner, settings: PlannerSettings, damage: Any
) -> None:
    data = saved(busy_planner)
    damage(data)
    with pytest.raises(ValueError, match="planner state"):
        QuotaPlanner.from_dict(data, settings, now=NOON)


def test_a_state_saved_before_command_hours_were_learned_expects_them_evenly(
    busy_planner: QuotaPlanner, settings: PlannerSettings
) -> None:
    data = saved(busy_planner)
    assert data["window"]["command_slots"] == {"24": 1}
    del data["command_profile"]
    del data["window"]["command_slots"]
    restored = QuotaPlanner.from_dict(data, settings, now=NOON).to_dict()
    assert restored["command_profile"] == [1 / 48] * 48
    assert restored["window"]["command_slots"] == {}


def test_a_state_saved_before_the_charge_spread_was_learned_still_loads(
    busy_planner: QuotaPlanner, settings: PlannerSettings
) -> None:
    data = saved(busy_planner)
    data["chargers"]["A"]["charge_var_s2"] = 3600.0**2
    assert QuotaPlanner.from_dict(data, settings, now=NOON).to_dict() == data
    del data["chargers"]["A"]["charge_var_s2"]
    restored = QuotaPlanner.from_dict(data, settings, now=NOON)
    assert restored.to_dict()["chargers"]["A"]["charge_var_s2"] == 0.0


def test_a_state_saved_before_charge_lengths_were_kept_apart_uses_the_daily_figures(
    busy_planner: QuotaPlanner, settings: PlannerSettings
) -> None:
    data = saved(busy_planner)
    charger = data["chargers"]["A"]
    charger["length_ewma_s"], charger["length_var_s2"] = 5 * 3600.0, 3600.0**2
    assert QuotaPlanner.from_dict(data, settings, now=NOON).to_dict() == data
    del charger["length_ewma_s"], charger["length_var_s2"]
    restored = QuotaPlanner.from_dict(data, settings, now=NOON).to_dict()
    assert restored["chargers"]["A"]["length_ewma_s"] == charger["charge_ewma_s"]
    assert restored["chargers"]["A"]["length_var_s2"] == charger["charge_var_s2"]


def test_the_longest_day_learned_is_kept(
    busy_planner: QuotaPlanner, settings: PlannerSettings
) -> None:
    data = saved(busy_planner)
    data["chargers"]["A"]["charge_longest_s"] = 9 * 3600.0
    assert QuotaPlanner.from_dict(data, settings, now=NOON).to_dict() == data
    # A state saved before it was learned starts with none.
    del data["chargers"]["A"]["charge_longest_s"]
    restored = QuotaPlanner.from_dict(data, settings, now=NOON)
    assert restored.to_dict()["chargers"]["A"]["charge_longest_s"] == 0.0


def test_the_days_a_charge_length_was_learned_from_are_kept(
    busy_planner: QuotaPlanner, settings: PlannerSettings
) -> None:
    data = saved(busy_planner)
    data["chargers"]["A"]["charge_days"] = 4
    assert QuotaPlanner.from_dict(data, settings, now=NOON).to_dict() == data
    # A state saved before they were counted starts unlearned.
    del data["chargers"]["A"]["charge_days"]
    restored = QuotaPlanner.from_dict(data, settings, now=NOON)
    assert restored.to_dict()["chargers"]["A"]["charge_days"] == 0


def test_whether_the_plugged_car_charged_and_is_full_is_kept(
    busy_planner: QuotaPlanner, settings: PlannerSettings
) -> None:
    data = saved(busy_planner)
    assert data["chargers"]["A"]["charged_since_plug_in"] is True
    assert data["chargers"]["A"]["charge_ended"] is True
    assert QuotaPlanner.from_dict(data, settings, now=NOON).to_dict() == data
    # A state saved before they were kept takes a present car to have charged
    # (not read at the baseline as one awaiting its start), and not to be full.
    del data["chargers"]["A"]["charged_since_plug_in"]
    del data["chargers"]["A"]["charge_ended"]
    restored = QuotaPlanner.from_dict(data, settings, now=NOON).to_dict()
    assert restored["chargers"]["A"]["charged_since_plug_in"] is True
    assert restored["chargers"]["A"]["charge_ended"] is False


def test_how_long_a_charger_takes_to_apply_commands_is_kept(
    busy_planner: QuotaPlanner, settings: PlannerSettings
) -> None:
    busy_planner.applied_late("A", 90.0, NOON)
    busy_planner.applied_on_time("A", NOON)
    data = saved(busy_planner)
    assert data["chargers"]["A"]["apply_wait"] == {
        "wait_s": 81.0,
        "too_early_s": 0.0,
        "on_time": 0,
    }
    assert QuotaPlanner.from_dict(data, settings, now=NOON).to_dict() == data


@pytest.mark.parametrize(
    ("stored", "restored_s"),
    [
        (81.0, 81.0),
        # Saved before it was learned, or damaged: confirmed as any charger.
        (None, 0.0),
        (-5.0, 0.0),
        (float("nan"), 0.0),
        (float("inf"), 0.0),
        ("81", 0.0),
    ],
)
def test_a_wait_saved_before_too_early_waits_were_kept_is_read(
    busy_planner: QuotaPlanner,
    settings: PlannerSettings,
    stored: object,
    restored_s: float,
) -> None:
    data = saved(busy_planner)
    del data["chargers"]["A"]["apply_wait"]
    if stored is not None:
        data["chargers"]["A"]["apply_wait_s"] = stored
    restored = QuotaPlanner.from_dict(data, settings, now=NOON)
    assert restored.apply_wait_s("A", NOON) == restored_s
    assert restored.to_dict()["chargers"]["A"]["apply_wait"]["too_early_s"] is None


def test_when_the_planner_first_knew_a_charger_is_kept(
    busy_planner: QuotaPlanner, settings: PlannerSettings
) -> None:
    data = saved(busy_planner)
    # Met when its activity was first set, an hour after the planner started.
    assert (
        data["chargers"]["A"]["watched_since"]
        == (NOON - timedelta(hours=3)).isoformat()
    )
    assert QuotaPlanner.from_dict(data, settings, now=NOON).to_dict() == data
    # A state saved before it was kept gives the charger a first day from now.
    del data["chargers"]["A"]["watched_since"]
    restored = QuotaPlanner.from_dict(data, settings, now=NOON).to_dict()
    assert restored["chargers"]["A"]["watched_since"] == NOON.isoformat()


def test_a_short_windows_pause_is_kept_until_it_ends(
    planner: QuotaPlanner, settings: PlannerSettings
) -> None:
    """An hourly window's 429 asks for 50 min: a restart within them waits too."""
    planner.observe_quota(limit=1000, remaining=600, now=NOON)
    until = NOON + timedelta(minutes=50)
    planner.observe_throttled(NOON, until)
    data = saved(planner)
    assert data["throttled_until"] == until.isoformat()

    later = NOON + timedelta(minutes=2)
    restored = QuotaPlanner.from_dict(data, settings, now=later)
    assert restored.to_dict() == data
    assert restored.refused_until(later) == until
    assert restored.throttled(later)
    assert restored.blocked_until(later) == until

    # Over by the restart: nothing is left to wait for, nor kept.
    after = until + timedelta(minutes=1)
    restored = QuotaPlanner.from_dict(data, settings, now=after)
    assert restored.to_dict()["throttled_until"] is None
    assert restored.refused_until(after) is None
    assert restored.blocked_until(after) is None

    # Further ahead than any server may ask: a broken clock or file.
    data["throttled_until"] = (NOON + timedelta(days=400)).isoformat()
    restored = QuotaPlanner.from_dict(data, settings, now=later)
    assert restored.refused_until(later) is None

    # A state saved before pauses were kept loads as before: no pause.
    del data["throttled_until"], data["bare_pauses"]
    restored = QuotaPlanner.from_dict(data, settings, now=later)
    assert restored.refused_until(later) is None
    assert restored.to_dict()["bare_pauses"] == 0


def test_bare_429_pauses_go_on_doubling_after_a_restart(
    planner: QuotaPlanner, settings: PlannerSettings
) -> None:
    """Two bare 429s paused 1 and 2 min: the third, after a restart, pauses 4."""
    planner.observe_quota(limit=1000, remaining=600, now=NOON)
    planner.observe_rate_limited(NOON, None, day_proven=False)
    second = NOON + timedelta(minutes=1)
    planner.observe_rate_limited(second, None, day_proven=False)
    assert planner.refused_until(second) == second + timedelta(minutes=2)
    data = saved(planner)
    assert data["bare_pauses"] == 2

    third = second + timedelta(minutes=2)
    restored = QuotaPlanner.from_dict(data, settings, now=third)
    restored.observe_rate_limited(third, None, day_proven=False)
    assert restored.refused_until(third) == third + timedelta(minutes=4)

    # A count no doubling reaches within a day is a damaged file: started over.
    data["bare_pauses"] = 99
    restored = QuotaPlanner.from_dict(data, settings, now=third)
    assert restored.to_dict()["bare_pauses"] == 0
    restored.observe_rate_limited(third, None, day_proven=False)
    assert restored.refused_until(third) == third + timedelta(minutes=1)


def test_after_a_crash_the_gap_since_the_saved_count_is_ours(
    planner: QuotaPlanner, settings: PlannerSettings
) -> None:
    """Four polls after the last save are lost; nothing tells them from another program's.

    What marks them lost is saved until a header comes: a start that fails
    before any answer writes the file again. The header after it is the usual.
    """
    call_at = NOON + timedelta(minutes=1)
    planner.record_call(CallKind.POLL, NOON, "A")
    planner.observe_quota(limit=1000, remaining=600, now=NOON)
    crashed = QuotaPlanner.from_dict(saved(planner), settings, now=call_at)
    crashed.assume_counts_lost(300)
    restored = QuotaPlanner.from_dict(saved(crashed), settings, now=call_at)

    restored.record_call(CallKind.POLL, call_at, "A")
    restored.observe_quota(limit=1000, remaining=595, now=call_at)
    snapshot = restored.snapshot(call_at)
    assert snapshot.other_calls_today == 0
    assert snapshot.calls_today[CallKind.POLL] == 6
    assert snapshot.remaining == 595

    later = call_at + timedelta(minutes=1)
    restored.record_call(CallKind.POLL, later, "A")
    restored.observe_quota(limit=1000, remaining=592, now=later)
    assert restored.snapshot(later).other_calls_today == 2
    assert not saved(restored)["counts_lost"]


def test_a_call_answered_out_of_order_after_a_crash_is_counted_once(
    planner: QuotaPlanner, settings: PlannerSettings
) -> None:
    """The first answer counted both calls, taken as one of ours and a lost one."""
    planner.set_activity("A", ChargerActivity.IDLE, NOON)
    planner.observe_quota(limit=1000, remaining=600, now=NOON)
    restored = QuotaPlanner.from_dict(saved(planner), settings, now=NOON)
    restored.assume_counts_lost(300)
    later = NOON + timedelta(minutes=1)
    restored.record_call(CallKind.POLL, later, "A")
    restored.record_call(CallKind.POLL, later, "A")
    restored.observe_quota(limit=1000, remaining=595, now=later, others_in_flight=1)
    restored.observe_quota(limit=1000, remaining=596, now=later)
    snapshot = restored.snapshot(later)
    assert snapshot.calls_today[CallKind.POLL] == 5
    assert (snapshot.remaining, snapshot.other_calls_today) == (595, 0)

    # Later calls answered out of order undo nothing: no gap was booked.
    restored.record_call(CallKind.POLL, later, "A")
    restored.record_call(CallKind.POLL, later, "A")
    restored.observe_quota(limit=1000, remaining=593, now=later, others_in_flight=1)
    restored.observe_quota(limit=1000, remaining=594, now=later)
    snapshot = restored.snapshot(later)
    assert snapshot.calls_today[CallKind.POLL] == 7
    assert (snapshot.remaining, snapshot.other_calls_today) == (593, 0)


def test_an_unanswered_call_is_settled_after_a_restart(
    settings: PlannerSettings,
) -> None:
    """The next header after a restart still takes back the blame it carried."""
    planner = QuotaPlanner(settings, now=NOON)
    planner.record_call(CallKind.POLL, NOON, "A")
    planner.observe_quota(limit=1000, remaining=500, now=NOON)
    planner.record_call(CallKind.COMMAND, NOON)
    planner.record_call(CallKind.POLL, NOON, "A")
    planner.observe_quota(limit=1000, remaining=498, now=NOON, others_in_flight=1)
    planner.call_unanswered(NOON)

    restored = QuotaPlanner.from_dict(saved(planner), settings, now=NOON)
    restored.record_call(CallKind.POLL, NOON, "A")
    restored.observe_quota(limit=1000, remaining=497, now=NOON)

    assert restored.snapshot(NOON).other_calls_today == 0


def test_a_state_saved_before_unanswered_calls_were_kept_loads(
    busy_planner: QuotaPlanner, settings: PlannerSettings
) -> None:
    data = saved(busy_planner)
    del data["unanswered"]
    assert QuotaPlanner.from_dict(data, settings, now=NOON).to_dict()["unanswered"] == 0


def test_a_state_saved_before_crashes_were_told_apart_loads(
    busy_planner: QuotaPlanner, settings: PlannerSettings
) -> None:
    data = saved(busy_planner)
    del data["counts_lost"]
    assert not QuotaPlanner.from_dict(data, settings, now=NOON).to_dict()["counts_lost"]


@pytest.mark.parametrize("activity", ["scheduled", None, 3])
def test_an_activity_a_newer_revision_added_restores_the_charger_empty(
    busy_planner: QuotaPlanner, settings: PlannerSettings, activity: object
) -> None:
    """Only the activity is left out: the charger's habits are kept."""
    data = saved(busy_planner)
    data["chargers"]["A"]["activity"] = activity
    restored = QuotaPlanner.from_dict(data, settings, now=NOON)
    assert restored.snapshot(NOON).chargers["A"].activity is ChargerActivity.IDLE
    restored_data = restored.to_dict()
    restored_data["chargers"]["A"]["activity"] = activity
    assert restored_data == data


def test_calls_of_a_kind_a_newer_revision_added_still_count_as_polls(
    busy_planner: QuotaPlanner, settings: PlannerSettings
) -> None:
    """The calls made stay counted against the share; only their kind is lost."""
    data = saved(busy_planner)
    assert data["window"]["calls"] == {"poll": 1, "command": 1}
    data["window"]["calls"].update(history=50, status=7)
    restored = QuotaPlanner.from_dict(data, settings, now=NOON)
    calls = restored.snapshot(NOON).calls_today
    assert (calls[CallKind.POLL], calls[CallKind.COMMAND]) == (58, 1)
    assert restored._state.window.ours == 59
    assert restored.remaining == busy_planner.remaining


def _habits(data: dict[str, Any]) -> dict[str, Any]:
    return {part: data[part] for part in CARRIED_OVER}


def test_a_new_quota_keeps_the_habits_and_counts_afresh(
    busy_planner: QuotaPlanner, settings: PlannerSettings
) -> None:
    """Another key's count, reset, pauses and other programs' pace are not carried."""
    state = busy_planner._state
    state.chargers["A"].charge_ewma_s = 4321.0
    state.command_ewma = 17.5
    state.command_profile = [0.0] * 47 + [1.0]
    state.other_ewma = 300.0
    state.reset_offset_s = state.proven_offset_s = 8 * 3600.0
    state.reset_header_trusted = False
    state.throttled_until = NOON + timedelta(minutes=1)
    state.bare_pauses = 3
    state.counts_lost = True
    data = saved(busy_planner)

    later = NOON + timedelta(minutes=5)
    restored = QuotaPlanner.from_dict(data, settings, now=later, new_quota=True)
    fresh = QuotaPlanner(settings, now=later).to_dict()
    restored_data = restored.to_dict()
    assert _habits(restored_data) == _habits(data)
    # The pace saved is the plan's, which the habits carried over change.
    quota_parts = [part for part in fresh if part not in (*CARRIED_OVER, "pace_per_s")]
    assert {part: restored_data[part] for part in quota_parts} == {
        part: fresh[part] for part in quota_parts
    }
    assert restored.remaining == 1000
    assert restored.blocked_until(later) is None
    assert restored.snapshot(later).chargers["A"].activity is ChargerActivity.PLUGGED
    # When the periodic reads last ran is the chargers': not asked again at once.
    assert not restored.maintenance_due("pairings", later, 6 * 3600)


def test_a_new_quota_keeps_what_a_state_saved_before_them_lacks_as_new(
    busy_planner: QuotaPlanner, settings: PlannerSettings
) -> None:
    data = saved(busy_planner)
    del data["command_profile"]
    restored = QuotaPlanner.from_dict(data, settings, now=NOON, new_quota=True)
    assert restored.to_dict()["command_profile"] == [1 / 48] * 48
    assert restored.to_dict()["chargers"] == data["chargers"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data.update(version=99),
        lambda data: data.pop("version"),
        lambda data: data.update(command_ewma="lots"),
        lambda data: data.update(chargers={"A": {"activity": "charging"}}),
    ],
)
def test_a_new_quota_refuses_unreadable_habits_and_newer_layouts(
    busy_planner: QuotaPlanner, settings: PlannerSettings, damage: Any
) -> None:
    data = saved(busy_planner)
    damage(data)
    with pytest.raises(ValueError, match="planner state"):
        QuotaPlanner.from_dict(data, settings, now=NOON, new_quota=True)


def test_carry_over_takes_the_habits_into_the_fresh_state(
    busy_planner: QuotaPlanner, settings: PlannerSettings
) -> None:
    data = saved(busy_planner)
    fresh = QuotaPlanner(settings, now=NOON).to_dict()
    carried = carry_over(data, fresh)
    assert _habits(carried) == _habits(data)
    assert carried == {**fresh, **_habits(data)}
    # Neither state is changed.
    assert data == saved(busy_planner)
    assert fresh == QuotaPlanner(settings, now=NOON).to_dict()


def test_a_held_charger_keeps_its_habits_out_of_the_plan_across_a_restart(
    busy_planner: QuotaPlanner, settings: PlannerSettings
) -> None:
    """A charger not read for now (its device disabled) is held, not forgotten.

    It leaves the plan and its periodic reads the schedule, and comes back
    with what was learned of it once read again, after a restart too.
    """
    state = busy_planner._state
    state.chargers["A"].charge_days = 4
    busy_planner.applied_late("A", 90.0, NOON)
    busy_planner.maintenance_done("connected:A", NOON, 7200)
    busy_planner.set_activity("B", ChargerActivity.IDLE, NOON)
    learned = saved(busy_planner)["chargers"]["A"]

    busy_planner.hold_charger("A", NOON)
    assert set(busy_planner.snapshot(NOON).chargers) == {"B"}
    assert busy_planner.chargers_known == {"A", "B"}
    assert "connected:A" not in busy_planner.to_dict()["maintenance"]

    later = NOON + timedelta(hours=1)
    restored = QuotaPlanner.from_dict(saved(busy_planner), settings, now=later)
    assert set(restored.snapshot(later).chargers) == {"B"}
    assert restored.to_dict()["held"]["A"]["charger"] == learned
    # Read again: back in the plan as after a restart, its schedule with it.
    assert restored.apply_wait_s("A", later) == busy_planner.apply_wait_s("A", NOON)
    assert restored.to_dict()["chargers"]["A"] == learned
    assert restored.maintenance_done_at("connected:A") == NOON
    assert not restored.maintenance_due("connected:A", later, 7200)
    assert "A" in restored.snapshot(later).chargers

    # Unpaired, it is forgotten, held or not.
    restored.hold_charger("A", later)
    restored.remove_charger("A")
    assert restored.chargers_known == {"B"}
    assert restored.to_dict()["held"] == {}


def _saved_at_600(planner: QuotaPlanner) -> dict[str, Any]:
    """Return a saved planner of one idle charger whose last header said 600 left."""
    planner.set_activity("A", ChargerActivity.IDLE, NOON)
    planner.observe_quota(limit=1000, remaining=600, now=NOON)
    return saved(planner)


def _polls_after_a_gap_of_ten(restored: QuotaPlanner) -> int:
    """Poll once; the header shows ten calls more; return the polls booked as ours."""
    restored.record_call(CallKind.POLL, NOON, "A")
    restored.observe_quota(limit=1000, remaining=589, now=NOON)
    return restored.snapshot(NOON).calls_today[CallKind.POLL]


@pytest.mark.parametrize("odd", ["many", -3, True, 2.5, None])
def test_an_unreadable_bound_on_lost_calls_books_the_whole_gap_as_before(
    planner: QuotaPlanner, settings: PlannerSettings, odd: object
) -> None:
    """A saved bound or pace that is not one is dropped alone, as if not saved."""
    data = _saved_at_600(planner)
    data["counts_lost"] = True
    data["lost_at_most"] = odd
    restored = QuotaPlanner.from_dict(data, settings, now=NOON)
    assert _polls_after_a_gap_of_ten(restored) == 11


@pytest.mark.parametrize("odd", ["fast", float("nan"), float("inf"), -1.0, False])
def test_an_unreadable_saved_pace_leaves_the_gap_unbounded(
    planner: QuotaPlanner, settings: PlannerSettings, odd: object
) -> None:
    data = _saved_at_600(planner)
    data["pace_per_s"] = odd
    restored = QuotaPlanner.from_dict(data, settings, now=NOON)
    restored.assume_counts_lost(300)
    assert _polls_after_a_gap_of_ten(restored) == 11
