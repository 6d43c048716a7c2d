"""How many calls are left, and for what."""

from __future__ import annotations

from datetime import datetime, timedelta
import math

from . import rollover
from .commands import share_between
from .models import COMMAND_KINDS, PlannerSettings
from .state import Maintenance, PlannerState
from .timekeeping import DAY_S, seconds_between

# Today's pace only counts once enough of the day has been seen.
_MIN_PACE_SPAN_S = 6 * 3600.0
# Periodic reads (connectivity, settings, the pairing list) make no charge
# fresher: together they take at most this share of a day's calls, and run less
# often on a key too small for their usual pace. A fixed poller spends nothing
# on them, so on a small key they would cost more than slower empty reads save.
MAINTENANCE_SHARE = 0.1


def daily_calls(state: PlannerState, settings: PlannerSettings) -> float:
    """Return the calls a day offers this integration, after others and the reserve."""
    share = min(settings.quota_share * state.limit, state.limit - state.other_ewma)
    return max(share - command_reserve(state, settings), 1.0)


def command_reserve(state: PlannerState, settings: PlannerSettings) -> float:
    """Return the reserve kept for commands, at most half of the share.

    The options allow that much of the limit known when they were saved; a key
    whose limit was cut since would otherwise keep its whole share in reserve
    and never be polled again.
    """
    return min(settings.command_reserve, settings.quota_share * state.limit / 2)


def maintenance_stretch(state: PlannerState, settings: PlannerSettings) -> float:
    """Return how much longer than asked periodic reads wait, at least 1."""
    per_day = sum(DAY_S / job.every_s for job in state.maintenance.values())
    allowed = MAINTENANCE_SHARE * daily_calls(state, settings)
    return max(per_day / allowed, 1.0)


def maintenance_wait_s(job: Maintenance, stretch: float, now: datetime) -> float:
    """Return how long until a periodic read is due again (0 when it is due)."""
    if job.done_at is None:
        return 0.0
    return max(job.every_s * stretch - seconds_between(job.done_at, now), 0.0)


def remaining_now(state: PlannerState, now: datetime) -> float:
    """Return the calls left, minus what other programs likely spent unseen."""
    return max(state.remaining - _unseen_others(state, now, state.other_ewma), 0.0)


def _unseen_others(state: PlannerState, now: datetime, per_day: float) -> float:
    """Return how many calls other programs made since the last header at this pace."""
    seen_at = max(state.header_at or state.window.start, state.window.start)
    return _calls_between(per_day, seen_at, now)


def _calls_between(per_day: float, start: datetime, end: datetime) -> float:
    """Return the calls made from start to end at a pace of per_day."""
    return per_day * max(seconds_between(start, end), 0.0) / DAY_S


def share_left(state: PlannerState, settings: PlannerSettings) -> float:
    """Return the calls this integration may still make under its share."""
    return settings.quota_share * state.limit - state.window.ours


def commands_left(state: PlannerState, settings: PlannerSettings) -> float:
    """Return the calls commands may still make today, whatever the key has left.

    The share bounds polling and the periodic reads, which stop a reserve
    short of it: the calls left under the share are the commands'. Past a
    share already spent (lowered below the day's calls, or a limit V2C cut),
    commands still have their reserve: as many calls a day as it holds,
    their confirmations included, beyond the share.
    """
    reserve_left = command_reserve(state, settings) - state.window.count(*COMMAND_KINDS)
    return max(share_left(state, settings), reserve_left)


def counted_command_calls(state: PlannerState, settings: PlannerSettings) -> float:
    """Return the calls commands may still make by the count alone.

    Never more than the key has left by its headers and our calls, guessing
    nothing about other programs: none left here means a call would get a 429
    or go past the commands' reserve.
    """
    return min(state.remaining, commands_left(state, settings))


def command_calls(
    state: PlannerState, settings: PlannerSettings, now: datetime
) -> float:
    """Return the calls a command may still use, the reserve included.

    Never more than the key has left, less what other programs likely spent
    since the last header: never a call into a 429.
    """
    return min(commands_left(state, settings), remaining_now(state, now))


def polling_calls(
    state: PlannerState, settings: PlannerSettings, now: datetime
) -> float:
    """Return the calls polling may spend without touching the reserve.

    This is the hard stop. It counts the calls other programs may have made
    since the last header at the busier of their usual day and today's pace
    (one seen only today is not in the usual day yet), in whole calls: a poll
    must not be the call that takes the key into the reserve. It also leaves
    them what they will spend before the reset, or their later calls find the
    key spent down to the reserve by polling. For that, today's pace counts
    only once a quarter of a day shows it: a burst seen just now would stop
    polling until the reset, where the plan only slows down for it.
    """
    window = state.window
    observed_s = seconds_between(window.others_since or now, now)
    pace = _pace(window.others, observed_s / DAY_S)
    unseen = math.ceil(_unseen_others(state, now, max(state.other_ewma, pace)))
    settled = pace if observed_s >= _MIN_PACE_SPAN_S else 0.0
    to_come = _calls_between(
        max(state.other_ewma, settled), now, rollover.plan_end(state)
    )
    others = max(_others_unspent(state, settings), to_come)
    return min(
        share_left(state, settings), max(state.remaining - unseen, 0) - others
    ) - command_reserve(state, settings)


def planning_budget(
    state: PlannerState, settings: PlannerSettings, now: datetime, horizon_s: float
) -> float:
    """Return the calls to plan polls with, after everything else expected."""
    window = state.window
    # Through the hours commands usually come, as many as usual; through the
    # hours they do not, few.
    commands = _expected_rest(
        state.command_ewma,
        window.count(*COMMAND_KINDS),
        share_between(state.command_profile, window.since, now),
        share_between(state.command_profile, now, now + timedelta(seconds=horizon_s)),
    )
    # Commands come at random moments: about two deviations of a random count
    # more than expected stay unplanned, so a busy hour is paid from polling,
    # not from the reserve.
    commands += 2 * math.sqrt(commands)
    others = _expected_rest(
        state.other_ewma,
        window.others,
        seconds_between(window.others_since or now, now) / DAY_S,
        horizon_s / DAY_S,
    )
    maintenance = _maintenance_calls(state, settings, now, horizon_s)
    return (
        min(
            share_left(state, settings),
            remaining_now(state, now) - max(_others_unspent(state, settings), others),
        )
        - command_reserve(state, settings)
        - commands
        - maintenance
    )


def _maintenance_calls(
    state: PlannerState, settings: PlannerSettings, now: datetime, horizon_s: float
) -> float:
    """Return the periodic reads likely due before the horizon.

    Each job counts from its last run: settings read to confirm a command put
    the periodic read off, and the calls it would have cost go to polling.
    """
    stretch = maintenance_stretch(state, settings)
    return sum(
        max(horizon_s - maintenance_wait_s(job, stretch, now), 0.0)
        / (job.every_s * stretch)
        for job in state.maintenance.values()
    )


def _others_unspent(state: PlannerState, settings: PlannerSettings) -> float:
    """Return the part of other programs' share they have not used yet."""
    others_share = (1 - settings.quota_share) * state.limit
    return max(others_share - state.window.others, 0.0)


def _expected_rest(
    per_window: float, so_far: int, seen_share: float, rest_share: float
) -> float:
    """Return the calls still expected: the usual day, or today's pace if busier.

    The shares are the parts of a usual day's calls that come in the time seen
    so far and in the time left.
    """
    pace = _pace(so_far, seen_share)
    return max(per_window * rest_share, per_window - so_far, pace * rest_share)


def _pace(so_far: int, seen_share: float) -> float:
    """Return calls per day at today's pace, once enough of the day was seen.

    `seen_share` is the part of a usual day's calls that come in the time seen.
    """
    return so_far / max(seen_share, _MIN_PACE_SPAN_S / DAY_S)
