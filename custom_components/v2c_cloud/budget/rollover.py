"""When the quota window ends: clock rollover, reset proof, and learning."""

from __future__ import annotations

from datetime import datetime, timedelta

from . import commands
from .models import COMMAND_KINDS, CallKind, ChargerActivity
from .state import ChargerState, PlannerState, PreRoll, Window
from .timekeeping import (
    DAY,
    estimate_reset,
    next_hour,
    next_reset,
    offset_of,
    seconds_between,
)

# A Remaining this little higher than the last is no reset, even with none of
# our calls in flight: a reset brings the whole day back, not a few calls.
SLACK = 5
# Mid-window, with no rollover the clock made, the quota is back only when
# the calls used (limit less Remaining) fell to what the new day may have
# spent: ours since the last header (each may have been counted after the
# reset) and other programs' since the reset, at most this share of the
# limit. A quarter is six hours of a key spent whole and evenly, longer than
# our calls are ever apart while polling: a reset comes back this close to
# the limit even beside another program spending much of the key. A gateway
# node that lags by a few dozen calls shows a higher Remaining that leaves
# the used count far above this, except in a day's first quarter, where a
# reset taken wrongly is found again at the real one.
FRESH_SHARE = 0.25
RESET_TOLERANCE = timedelta(minutes=2)
# Averages rise faster than they fall: expecting too little charging, too few
# commands or too few calls by others runs the quota out before the reset,
# expecting too much only leaves some freshness unused.
_EWMA_RISE = 0.6
_EWMA_FALL = 0.3
# Charging time is averaged evenly: its spread, learned alongside, covers long days.
_CHARGE_WEIGHT = 0.5
# The longest day fades by this share a day: after a month it counts half.
_LONGEST_FADE = 0.98
# A window seen for less than this (a mid-day start, a probe) teaches nothing
# about a whole day's commands, charging or other programs.
_MIN_LEARNING_SPAN = timedelta(hours=20)
# Maintenance keys not asked for within this many periods, and not for days,
# belong to gone chargers. On a small key a charger may be read once a day:
# forgetting its periodic reads would make them due again at its next read.
_MAINTENANCE_STALE_PERIODS = 2
_MAINTENANCE_STALE_AT_LEAST = timedelta(days=2)


def advance(state: PlannerState, now: datetime) -> None:
    """Roll the window if the clock passed the reset (or went back before the window)."""
    if now < state.window.start:
        state.reset_at = next_reset(now, state.reset_offset_s)
        state.window.start = state.reset_at - DAY
        for charger in state.chargers.values():
            charger.since = min(charger.since, now)
        return
    if now < state.reset_at:
        return
    closed_at = state.reset_at
    state.reset_at = next_reset(now, state.reset_offset_s)
    roll(state, max(closed_at, state.reset_at - DAY), closed_at=closed_at)


def plan_end(state: PlannerState) -> datetime:
    """Return until when the calls left must last.

    While a reset that did not come when expected is probed for, the probe's
    hour is no end: the reset may come as late as a whole window after the one
    expected, and calls spent as if it came at the hour would be missed until
    it does. The calls are spread as a fixed interval would spread them.
    Never before the next reset on the usual schedule: a window whose start a
    wall clock set back by days left in the past would end at the probe's
    hour, and the day's calls would be spent by then.
    """
    if not state.probing:
        return state.reset_at
    return max(
        state.reset_at,
        state.window.start + 2 * DAY,
        next_reset(state.reset_at, state.reset_offset_s),
    )


def roll(state: PlannerState, boundary: datetime, *, closed_at: datetime) -> PreRoll:
    """Start a new window at boundary; keep the old one until the reset is proven."""
    for device_id, charger in state.chargers.items():
        accrue(state.window, device_id, charger, closed_at)
        charger.since = max(charger.since, boundary)
    if state.pre_roll is not None:
        confirm(state, state.pre_roll, None)
    pre = state.pre_roll = PreRoll(
        window=state.window,
        header_remaining=state.header_remaining,
        header_at=state.header_at,
        remaining=state.remaining,
        probe=state.probing,
        learnable=closed_at - state.window.since >= _MIN_LEARNING_SPAN,
        announced=state.reset_announced,
        uncounted=state.calls_since_header,
    )
    state.probing = False
    state.reset_announced = False
    state.window = Window(start=boundary, since=boundary)
    state.header_remaining = None
    state.header_at = None
    state.remaining = state.limit
    for key, job in list(state.maintenance.items()):
        stale = max(
            timedelta(seconds=job.every_s * _MAINTENANCE_STALE_PERIODS),
            _MAINTENANCE_STALE_AT_LEAST,
        )
        if boundary - job.asked_at > stale:
            del state.maintenance[key]
    return pre


def accrue(
    window: Window, device_id: str, charger: ChargerState, until: datetime
) -> None:
    """Book the charging time since the charger's last accrual into the window."""
    if charger.activity is ChargerActivity.CHARGING:
        seconds = seconds_between(max(charger.since, window.start), until)
        if seconds > 0:
            window.charged_s[device_id] = window.charged_s.get(device_id, 0.0) + seconds
    charger.since = max(charger.since, until)


def change_limit(state: PlannerState, limit: int) -> None:
    """Take the daily limit a header names: the calls the key used stay used.

    Kong counts a key's calls and shows its limit less that count, so a
    limit changed mid-day moves Remaining by the change at once: no call
    came back (no reset) and none was spent (no other program's). The counts
    kept as Remaining (the last header's, the estimate, and those of a window
    the clock closed, awaiting proof of its reset) move with it, never below
    0 as Kong's: the next header is compared on the calls used before it.
    """
    change = limit - state.limit
    if change == 0:
        return
    state.limit = limit
    if state.header_remaining is not None:
        state.header_remaining = _moved(state.header_remaining, change, limit)
    state.remaining = _moved(state.remaining, change, limit)
    pre = state.pre_roll
    if pre is not None:
        if pre.header_remaining is not None:
            pre.header_remaining = _moved(pre.header_remaining, change, limit)
        pre.remaining = _moved(pre.remaining, change, limit)


def _moved(remaining: int, change: int, limit: int) -> int:
    """Return a Remaining with the same calls used under a limit changed by change."""
    return min(max(remaining + change, 0), limit)


def observe_header(
    state: PlannerState, remaining: int, now: datetime, in_flight: int = 0
) -> None:
    """Take a RateLimit-Remaining value as the truth and learn from it.

    Our `in_flight` calls, sent and unanswered, are taken as not counted yet:
    they count towards the next header, not as another program's. One the
    server counted before this header after all has its answer come with an
    older header (`_older_answer`), or none (`note_unanswered`): this gap
    blamed it on other programs, and the next one settles it. A header that
    shows more calls left than the last one beyond those (a gateway node
    lagging behind another) is no reset unless the quota came back
    (`_came_back`): it books nothing, and the lower count stays.
    """
    in_flight = min(max(in_flight, 0), state.calls_since_header)
    pre = state.pre_roll
    if pre is not None:
        if _looks_reset(state, pre, remaining):
            _proven(state, pre, remaining, now)
        elif pre.announced and pre.uncounted:
            # Its call may have been counted before the reset: the next
            # answer, or the header's next moment, tells.
            pre.uncounted -= 1
            return
        elif pre.announced:
            _discredit_announcements(state, now)
        else:
            unroll(state, now, probe=True)
    elif _came_back(state, state.header_remaining, remaining):
        _reset_seen(state, now)
    if state.header_remaining is not None and state.header_remaining < remaining:
        if _jumped(state, state.header_remaining, remaining):
            # A node lagging behind the one that answered last: its count
            # would book negative calls on other programs, and the next
            # answer of the other node blame ours on them.
            return
        _older_answer(state, state.header_remaining, in_flight)
        return
    state.header_others = state.header_lost = 0
    if state.header_remaining is None:
        state.window.others_since = now
    else:
        ours = state.calls_since_header - in_flight
        gap = state.header_remaining - remaining - ours
        if gap < 0:
            _settle_unanswered(state, -gap)
        gap = max(gap, 0)
        lost = 0
        if state.counts_lost:
            # The calls a crash left uncounted are in it, polls mostly, and
            # cannot be told from other programs' (assume_counts_lost).
            lost = gap if state.lost_at_most is None else min(gap, state.lost_at_most)
            state.header_lost = lost
            state.window.calls[CallKind.POLL] = state.window.count(CallKind.POLL) + lost
        state.header_others = gap - lost
        state.window.others += gap - lost
    state.counts_lost = False
    state.lost_at_most = None
    state.header_remaining = remaining
    state.header_at = now
    state.calls_since_header = in_flight
    # Ended before this header: counted in it, in an earlier one, or never.
    state.unanswered = 0
    state.remaining = max(remaining - in_flight, 0)


def note_unanswered(state: PlannerState) -> None:
    """Note that a call a header took as not counted yet ended without an answer.

    No answer of its own will tell (`_older_answer`) whether that header
    counted it after all, its gap blaming it on other programs. The next
    header does: if the quota fell by fewer calls than ours since the last
    header, the difference was counted before it (`_settle_unanswered`).
    """
    state.unanswered = min(state.unanswered + 1, state.calls_since_header)


def _settle_unanswered(state: PlannerState, surplus: int) -> None:
    """Take back blame for unanswered calls an earlier header counted.

    `surplus` is how many more calls we made since the last header than
    the quota fell by. Up to as many unanswered calls were counted before
    it, and blamed on other programs there; a call that never reached the
    server stays ours, as any call that may have reached it.
    """
    back = min(surplus, state.unanswered, state.window.others)
    state.window.others -= back


def announce_reset(state: PlannerState, true_reset: datetime, now: datetime) -> None:
    """Adopt the reset a RateLimit-Reset header names, until Remaining refutes it."""
    learn_reset(state, true_reset, now)
    state.reset_announced = True


def _discredit_announcements(state: PlannerState, now: datetime) -> None:
    """Undo a rollover at an announced reset the quota did not confirm.

    A gateway that sends a reset it does not keep (0 s, or less than the time
    between polls, on every answer) would make each window look fresh: its
    RateLimit-Reset is not believed again, and the reset the quota showed (or
    00:00 UTC) is planned to instead.
    """
    unroll(state, now, probe=False)
    state.reset_header_trusted = False
    state.reset_offset_s = state.proven_offset_s
    state.reset_at = next_reset(now, state.proven_offset_s)


def learn_reset(state: PlannerState, true_reset: datetime, now: datetime) -> None:
    """Adopt a reset moment the server announced."""
    state.probing = False
    state.reset_announced = False
    if state.pre_roll is not None:
        if true_reset < state.reset_at - RESET_TOLERANCE:
            unroll(state, now, probe=False)
        else:
            confirm(state, state.pre_roll, None)
    # Within the tolerance the header only carries request latency: keep the
    # moment stable.
    if abs(true_reset - state.reset_at) > RESET_TOLERANCE:
        state.reset_at = true_reset
    state.reset_offset_s = offset_of(state.reset_at)


def confirm(state: PlannerState, pre: PreRoll, proof_at: datetime | None) -> None:
    """Accept the pending rollover and learn from the finished window."""
    state.pre_roll = None
    if pre.learnable:
        finished = pre.window
        state.command_ewma = _ewma(state.command_ewma, finished.count(*COMMAND_KINDS))
        commands.learn(state.command_profile, finished.command_slots)
        state.other_ewma = _ewma(state.other_ewma, finished.others)
        for device_id, charger in state.chargers.items():
            charged = finished.charged_s.get(device_id, 0.0)
            charger.charge_ewma_s, charger.charge_var_s2 = _fold(
                charger.charge_ewma_s, charger.charge_var_s2, charged
            )
            charger.charge_longest_s = max(
                charged, charger.charge_longest_s * _LONGEST_FADE
            )
            charger.days_without_charge = (
                0 if charged > 0 else charger.days_without_charge + 1
            )
            # A day without a car says nothing about how long a charge runs.
            if charged > 0:
                charger.length_ewma_s, charger.length_var_s2 = _fold(
                    charger.length_ewma_s, charger.length_var_s2, charged
                )
                charger.charge_days += 1
    if pre.probe and proof_at is not None and pre.header_at is not None:
        moment = estimate_reset(pre.header_at, proof_at)
        state.reset_offset_s = offset_of(moment)
        state.reset_at = moment + DAY
        state.window.start = moment


def _fold(mean: float, variance: float, sample: float) -> tuple[float, float]:
    """Return an exponentially weighted mean and variance with one more sample."""
    deviation = sample - mean
    return (
        mean + _CHARGE_WEIGHT * deviation,
        (1 - _CHARGE_WEIGHT) * (variance + _CHARGE_WEIGHT * deviation**2),
    )


def unroll(state: PlannerState, now: datetime, *, probe: bool) -> None:
    """Undo a rollover the server did not make; probe again later if asked."""
    pre = state.pre_roll
    if pre is None:
        return
    state.pre_roll = None
    state.remaining = max(pre.remaining - state.window.ours, 0)
    pre.window.absorb(state.window)
    state.window = pre.window
    state.header_remaining = pre.header_remaining
    state.header_at = pre.header_at
    if probe:
        state.reset_at = next_hour(now)
        state.probing = True
        state.reset_announced = False


def _reset_seen(state: PlannerState, now: datetime) -> None:
    """Roll over at an unexpected moment because Remaining jumped up."""
    moment = estimate_reset(state.header_at or state.window.start, now)
    state.reset_offset_s = state.proven_offset_s = offset_of(moment)
    state.reset_at = moment + DAY
    confirm(state, roll(state, moment, closed_at=moment), None)
    state.rate_limited_until = None


def _proven(state: PlannerState, pre: PreRoll, remaining: int, now: datetime) -> None:
    """Accept a rollover a header showed; learn its moment if the quota jumped.

    A quiet day's header (the quota nearly full) confirms any rollover, so it
    shows nothing of when the reset came. Nor does a jump the first call after
    a 429's refusal shows, when the clock rolled over while calls were
    refused: the quota came back when the refusal ended (`_refusal_end`).
    """
    confirm(state, pre, now)
    if not _jumped(state, pre.header_remaining, remaining):
        return
    moment = _refusal_end(state, now)
    if moment is not None:
        state.reset_offset_s = offset_of(moment)
        state.reset_at = next_reset(now, state.reset_offset_s)
        state.window.start = moment
    state.proven_offset_s = offset_of(state.window.start)


def _refusal_end(state: PlannerState, now: datetime) -> datetime | None:
    """Return the end of a 429's refusal the quota came back at, if it did.

    The refusal ended after the window's start, so no call could show the
    quota back at the start, and this header came within the tolerance of
    its end: the refusal lasted until the quota came back.
    """
    until = state.rate_limited_until
    if until is None or until <= state.window.start or until > now:
        return None
    return until if now - until <= RESET_TOLERANCE else None


def _looks_reset(state: PlannerState, pre: PreRoll, remaining: int) -> bool:
    """Return whether a header proves the quota came back after a rollover.

    The clock already says the day ended: any rise over the last header
    before the rollover confirms it, however many calls other programs spent
    since the reset (the first answer after it may come hours later: calls
    stopped until the reset expected, a restart). A limit changed since was
    taken first (`change_limit`), so it confirms nothing.
    """
    before = pre.header_remaining
    return (
        before is None
        or before >= state.limit - 2 * SLACK
        or _jumped(state, before, remaining)
    )


def _came_back(state: PlannerState, before: int | None, remaining: int) -> bool:
    """Return whether Remaining rose mid-window because the quota came back.

    Not any rise: the calls used must have fallen to about what a new day
    has spent, ours since the last header and a share of the limit for
    other programs' (`FRESH_SHARE`).
    """
    fresh = state.calls_since_header + max(SLACK, int(FRESH_SHARE * state.limit))
    return _jumped(state, before, remaining) and state.limit - remaining <= fresh


def _jumped(state: PlannerState, before: int | None, remaining: int) -> bool:
    """Return whether Remaining rose above an earlier header by more than a slack."""
    return before is not None and remaining > before + _slack(state)


def _slack(state: PlannerState) -> int:
    """Return how far Remaining may rise over the last header without a reset.

    Every call of ours not counted in that header may have been counted before
    it by the server and answered after it, its Remaining higher.
    """
    return max(SLACK, state.calls_since_header)


def _older_answer(state: PlannerState, newer: int, in_flight: int) -> None:
    """Take an answer counted before the last header: it adds nothing new.

    Its call was among those the last header was taken not to count yet: one
    call less is still to be counted, and one of the gap the header blamed on
    other programs, or took for calls a crash left uncounted, was this one.
    """
    state.calls_since_header = max(state.calls_since_header - 1, in_flight)
    if state.header_others > 0:
        state.header_others -= 1
        state.window.others = max(state.window.others - 1, 0)
    elif state.header_lost > 0:
        state.header_lost -= 1
        state.window.calls[CallKind.POLL] = max(
            state.window.count(CallKind.POLL) - 1, 0
        )
    state.remaining = max(newer - state.calls_since_header, 0)


def _ewma(average: float, sample: float) -> float:
    """Blend one window's sample into a running average."""
    weight = _EWMA_RISE if sample > average else _EWMA_FALL
    return average + weight * (sample - average)
