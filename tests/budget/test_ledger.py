"""Tests for what the planner keeps apart for commands it expects."""

from __future__ import annotations

from datetime import datetime, timedelta
import math

import pytest

from custom_components.v2c_cloud.budget import (
    CallKind,
    PlannerSettings,
    commands,
    ledger,
)
from custom_components.v2c_cloud.budget.state import Maintenance, PlannerState, Window

from .conftest import NOON

MIDNIGHT = NOON.replace(hour=0)


def _state(command_ewma: float) -> PlannerState:
    return PlannerState(
        limit=1000,
        remaining=1000,
        reset_at=MIDNIGHT + timedelta(days=1),
        reset_offset_s=0.0,
        window=Window(start=MIDNIGHT, since=MIDNIGHT),
        command_ewma=command_ewma,
    )


@pytest.mark.parametrize("per_day", [4.0, 100.0, 600.0])
def test_commands_are_planned_with_room_for_a_busy_hour(per_day: float) -> None:
    """A random count of commands often exceeds its average: polling pays, not the reserve."""
    settings = PlannerSettings()
    horizon_s = 12 * 3600.0
    budget = ledger.planning_budget(_state(per_day), settings, NOON, horizon_s)
    # Nothing sent yet: the whole usual count is still to come.
    expected = per_day
    unplanned = 1000 - settings.command_reserve - budget
    assert unplanned == pytest.approx(expected + 2 * math.sqrt(expected), abs=0.01)


def test_polling_stops_a_call_early_next_to_another_program() -> None:
    """A call another program made since the last header must not let a poll into the reserve."""
    settings = PlannerSettings()
    state = _state(0.0)
    state.other_ewma = 200.0
    # Half a day before the reset the other program has 100 calls still to make.
    state.remaining = settings.command_reserve + 100 + 1
    state.header_at = NOON
    # At the header's moment the last call above all of that is polling's.
    assert ledger.polling_calls(state, settings, NOON) == pytest.approx(1)
    # A second later the other program, which spends one call every seven
    # minutes, may have spent it.
    assert ledger.polling_calls(state, settings, NOON + timedelta(seconds=1)) < 1
    state.other_ewma = 0.0
    assert ledger.polling_calls(state, settings, NOON + timedelta(seconds=1)) == 101


def test_polling_counts_another_program_seen_only_today() -> None:
    """A program first seen in this window is not in the usual day yet: its pace today counts."""
    settings = PlannerSettings()
    state = _state(0.0)
    # 100 calls in the first half of the day: 100 more before the reset.
    state.window.others = 100
    state.window.others_since = MIDNIGHT
    state.remaining = settings.command_reserve + 100 + 1
    state.header_at = NOON
    assert ledger.polling_calls(state, settings, NOON) == pytest.approx(1)
    assert ledger.polling_calls(state, settings, NOON + timedelta(seconds=1)) < 1


def test_a_burst_by_another_program_does_not_stop_polling_until_the_reset() -> None:
    """Calls seen for less than a quarter of a day say little of the rest of it.

    The plan slows down for them; the hard stop only counts them since the
    last header.
    """
    settings = PlannerSettings()
    state = _state(0.0)
    state.window.others = 100
    state.window.others_since = NOON - timedelta(hours=1)
    state.remaining = settings.command_reserve + 1
    state.header_at = NOON
    assert ledger.polling_calls(state, settings, NOON) == 1
    assert ledger.polling_calls(state, settings, NOON + timedelta(seconds=1)) == 0


@pytest.mark.parametrize(("hours_before_reset", "calls"), [(2.0, 0.0), (1.0, 10.0)])
def test_polling_leaves_another_program_its_calls_until_the_reset(
    hours_before_reset: float, calls: float
) -> None:
    """A poll must not spend what another program will spend before the reset.

    Otherwise that program's later calls take the key into the reserve, and
    the poll is what left the user's commands short.
    """
    settings = PlannerSettings()
    state = _state(0.0)
    state.other_ewma = 240.0
    state.remaining = settings.command_reserve + 20
    now = state.reset_at - timedelta(hours=hours_before_reset)
    state.header_at = now
    assert ledger.polling_calls(state, settings, now) == pytest.approx(calls)


def test_a_periodic_read_just_done_is_not_planned_again_before_its_interval() -> None:
    """The calls of a periodic read are planned from its last run, not at an average pace."""
    settings = PlannerSettings()
    state = _state(0.0)
    every = timedelta(hours=6)
    state.maintenance["reported:A"] = Maintenance(
        every_s=every.total_seconds(), asked_at=NOON, done_at=NOON - every
    )
    horizon_s = 12 * 3600.0
    due_now = ledger.planning_budget(state, settings, NOON, horizon_s)
    # Read an hour ago (to confirm a command): the next is due in five hours.
    state.maintenance["reported:A"].done_at = NOON - timedelta(hours=1)
    read_lately = ledger.planning_budget(state, settings, NOON, horizon_s)
    assert due_now == pytest.approx(1000 - settings.command_reserve - 2)
    assert read_lately - due_now == pytest.approx(5 / 6)


def _commands_by_day(state: PlannerState) -> None:
    """Teach the state a month of commands from 07:00 to 23:00, none at night."""
    for _ in range(30):
        commands.learn(state.command_profile, dict.fromkeys(range(14, 46), 1))


def _kept_for_commands(state: PlannerState, now: datetime) -> float:
    """Return the calls left that the plan keeps for commands still to come."""
    settings = PlannerSettings()
    left = state.limit - state.window.ours - settings.command_reserve
    horizon_s = (state.reset_at - now).total_seconds()
    return left - ledger.planning_budget(state, settings, now, horizon_s)


def test_few_calls_are_kept_for_commands_through_hours_that_see_none() -> None:
    """Calls kept for commands that do not come are only spent at the reset.

    At 23:00, with the usual day's commands all made, a plan spread evenly
    keeps an hour's share of them; one that learned their hours keeps only
    the share that comes at random.
    """
    state = _state(96.0)
    state.window.calls[CallKind.COMMAND] = 96
    late = MIDNIGHT + timedelta(hours=23)
    # Today's pace over the hour left is the most.
    paced = 96.0 / 23
    assert _kept_for_commands(state, late) == pytest.approx(
        paced + 2 * math.sqrt(paced)
    )
    _commands_by_day(state)
    expected = 96.0 / (0.9 + 0.1 * 23 / 24) * 0.1 / 24
    assert _kept_for_commands(state, late) == pytest.approx(
        expected + 2 * math.sqrt(expected), rel=1e-3
    )


def test_todays_pace_of_commands_is_judged_by_their_usual_hours() -> None:
    """Half the usual hours seen with 48 commands made: about 48 more are to come."""
    state = _state(0.0)
    _commands_by_day(state)
    state.window.calls[CallKind.COMMAND] = 48
    seen = 0.9 * 0.5 + 0.1 * 15 / 24
    rest = 0.9 * 0.5 + 0.1 * 9 / 24
    expected = 48 / seen * rest
    assert _kept_for_commands(state, MIDNIGHT + timedelta(hours=15)) == pytest.approx(
        expected + 2 * math.sqrt(expected), rel=1e-3
    )


def _share_spent(limit: int, remaining: int, **calls: int) -> PlannerState:
    """Return a state whose calls today went past a share of 20 %."""
    state = _state(0.0)
    state.limit = limit
    state.remaining = remaining
    state.header_at = NOON
    state.window.calls = {CallKind(kind): count for kind, count in calls.items()}
    return state


def test_commands_keep_their_reserve_past_a_spent_share() -> None:
    """The share, lowered below the day's calls, stops polling; commands still have their reserve.

    Their calls beyond it count the commands and confirmations of the day, and
    stop there: the reserve is a day's, not one for every command.
    """
    settings = PlannerSettings(quota_share=0.2, command_reserve=20)
    state = _share_spent(200, 143, poll=50, maintenance=7)
    assert ledger.polling_calls(state, settings, NOON) < 1
    assert ledger.share_left(state, settings) == pytest.approx(-17)
    assert ledger.commands_left(state, settings) == 20
    assert ledger.command_calls(state, settings, NOON) == 20

    state = _share_spent(200, 131, poll=50, maintenance=7, command=8, confirm=4)
    assert ledger.command_calls(state, settings, NOON) == 8
    state.window.calls[CallKind.COMMAND] += 8
    assert ledger.command_calls(state, settings, NOON) == 0


def test_commands_past_a_spent_share_stop_short_of_the_key() -> None:
    """Beyond the share commands never go past what the key has left, nor others' unseen calls."""
    settings = PlannerSettings(quota_share=0.2, command_reserve=20)
    state = _share_spent(200, 5, poll=57)
    assert ledger.command_calls(state, settings, NOON) == 5
    state.remaining = 30
    state.other_ewma = 2 * 24.0
    # Two calls an hour by another program since the last header, five hours ago.
    state.header_at = NOON - timedelta(hours=5)
    assert ledger.command_calls(state, settings, NOON) == pytest.approx(20)
    state.remaining = 25
    assert ledger.command_calls(state, settings, NOON) == pytest.approx(15)


def test_within_the_share_commands_take_what_polling_left() -> None:
    """Polling stops a reserve short of the share: the rest of it is the commands', as before.

    Commands made earlier in the day out of the share give no second reserve.
    """
    settings = PlannerSettings(quota_share=0.5, command_reserve=50)
    state = _share_spent(1000, 540, poll=410, command=40, confirm=10)
    assert ledger.polling_calls(state, settings, NOON) < 1
    assert ledger.commands_left(state, settings) == 40
    assert ledger.command_calls(state, settings, NOON) == 40
