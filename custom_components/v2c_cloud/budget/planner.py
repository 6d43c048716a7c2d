"""The quota planner: headers and the clock in, poll times out."""

from __future__ import annotations

from datetime import datetime, timedelta
import math
from typing import Any, Self

from . import arrivals, commands, ledger, rollover
from .allocation import allocate
from .demand import demand_of
from .models import (
    CAR_HELD,
    COMMAND_KINDS,
    CallKind,
    ChargerActivity,
    ChargerSnapshot,
    PlannerSettings,
    PlannerSnapshot,
    QuotaExhaustedError,
    ThrottledError,
)
from .state import (
    ChargerState,
    HeldCharger,
    Maintenance,
    PlannerState,
    Window,
    carry_over,
    charger_from_dict,
    charger_to_dict,
    state_from_dict,
    state_to_dict,
)
from .timekeeping import DAY, DAY_S, as_utc, next_reset, seconds_between

_CAR_PRESENT = CAR_HELD | {ChargerActivity.CHARGING}
# A timer's opening starts the charge of a car waiting for it, on the grid or
# on the sun already shining (without sun, the opening changes nothing).
_OPENING_STARTS = frozenset({ChargerActivity.PLUGGED, ChargerActivity.WAITING})
# A charge that starts by itself from these may follow a schedule (the car's,
# a timer's); one after an outage or at sunrise tells nothing of one.
_SCHEDULE_STARTS = frozenset(
    {ChargerActivity.IDLE, ChargerActivity.PLUGGED, ChargerActivity.WAITING}
)
# A car that stays plugged when the sun sets is as full as before.
_FULL_CAN_STAY = frozenset({ChargerActivity.PLUGGED, ChargerActivity.SUNLESS})
_POLL_KINDS = (CallKind.POLL, CallKind.CONFIRM)
# A change seen this soon after a command is taken as the command's effect.
_COMMAND_EFFECT_S = 120.0
# A charge seen stopped this long before a timer's window closes, by our
# clock, may still be the window's end: the charger keeps its own clock. So
# may a window that closed this long before a read that still saw the charge.
_WINDOW_END_TOLERANCE = timedelta(minutes=1)
# No server-announced moment is believed further ahead than a day plus clock
# skew: a broken header must not block polling for years, nor be saved.
MAX_BLOCK = timedelta(hours=24, minutes=5)
# A 429 of a window shorter than the day that names no end is waited out this long.
THROTTLE_PAUSE = timedelta(minutes=1)
# The bare 429s in a row a doubling pause reaches before it would outlast a day.
_MOST_BARE_PAUSES = (MAX_BLOCK // THROTTLE_PAUSE).bit_length()
_MAX_LIMIT = 1_000_000


class QuotaPlanner:
    """Decide when each charger is polled so the day's quota lasts."""

    def __init__(
        self, settings: PlannerSettings, *, now: datetime, default_limit: int = 1000
    ) -> None:
        """Start with a fresh window that ends at the next 00:00 UTC."""
        now = as_utc(now)
        self._settings = settings
        self._now = now
        # The intervals last planned and the moment they are for: every query at
        # the same moment reuses them until something the plan depends on changes.
        self._planned: tuple[datetime, dict[str, float | None]] | None = None
        reset_at = next_reset(now, 0.0)
        self._state = PlannerState(
            limit=default_limit,
            remaining=default_limit,
            reset_at=reset_at,
            reset_offset_s=0.0,
            window=Window(start=reset_at - DAY, since=now),
        )

    @classmethod
    def from_dict(
        cls,
        data: dict[str, Any],
        settings: PlannerSettings,
        *,
        now: datetime,
        new_quota: bool = False,
    ) -> Self:
        """Restore a planner saved by to_dict; raise ValueError if unreadable.

        new_quota: the state counted another quota (a new key, another
        server). Only what outlives it is restored (state.CARRIED_OVER): the
        chargers' habits, the command pace and the periodic reads' schedule;
        the quota is counted afresh, as by a new planner.
        """
        planner = cls(settings, now=now)
        if new_quota:
            data = carry_over(data, planner.to_dict())
        try:
            planner._restore(state_from_dict(data, planner.now))
        except (OverflowError, TypeError) as err:
            raise ValueError(f"unusable planner state: {err!r}") from err
        return planner

    def to_dict(self) -> dict[str, Any]:
        """Return the state worth keeping across restarts, ready for JSON."""
        self._state.pace_per_s = self._pace_per_s()
        return state_to_dict(self._state)

    def _pace_per_s(self) -> float:
        """Return our calls per second at the present plan: every charger's polls.

        Saving leaves the plan as it was: it is worked out again, as before,
        when next asked for.
        """
        now, planned = self._now, self._planned
        try:
            if self._blocked_until(now) is not None:
                return 0.0
            return sum(1 / s for s in self._intervals(now).values() if s)
        finally:
            self._planned = planned

    def _restore(self, state: PlannerState) -> None:
        """Replace the state; windows that ended meanwhile roll over.

        A saved reset or block further ahead than a day comes from a broken
        header or clock; it is dropped, the next header says the truth. The
        count of calls left came with that reset: half the quota is assumed
        left, as when nothing could be read, rather than a spent quota that
        would keep setup waiting for a reset nobody knows.
        """
        if not 0 < state.limit <= _MAX_LIMIT:
            raise ValueError(f"implausible saved daily limit {state.limit}")
        state.remaining = min(max(state.remaining, 0), state.limit)
        horizon = self._now + MAX_BLOCK
        if not 0.0 <= state.reset_offset_s < DAY_S:
            state.reset_offset_s = 0.0
        if not 0.0 <= state.proven_offset_s < DAY_S:
            state.proven_offset_s = 0.0
        if state.rate_limited_until is not None and state.rate_limited_until > horizon:
            state.rate_limited_until = None
        # A short window's pause is kept within the same bound; one over by now
        # has nothing left to wait for.
        if state.throttled_until is not None and not (
            self._now < state.throttled_until <= horizon
        ):
            state.throttled_until = None
        # More 429 pauses in a row than the doubling reaches before a reset
        # are a damaged file: the next pause would overflow a timedelta.
        if not 0 <= state.bare_pauses <= _MOST_BARE_PAUSES:
            state.bare_pauses = 0
        if state.reset_at > horizon:
            state.reset_at = next_reset(self._now, state.reset_offset_s)
            state.remaining = state.limit // 2
        self._state = state
        self._planned = None
        rollover.advance(state, self._now)

    def assume_half_spent(self) -> None:
        """Plan as if half the quota were gone, until a header says otherwise.

        Used when the saved state could not be read: a restart at noon must
        not believe the day's calls are all still there.
        """
        self._state.remaining = min(self._state.remaining, self._state.limit // 2)
        self._planned = None

    def assume_counts_lost(self, within_s: float) -> None:
        """Book the next header's gap since the restored count as our calls.

        Used when the last run ended without saving its latest counts (a
        crash): its calls since the save are in that gap, and nothing tells
        them from other programs'. Taken for theirs, they would be planned
        for and learned. But only the calls of `within_s` (the longest a
        save waits) at the pace saved, and a read more per charger: the rest
        of a gap after hours down is other programs' (another Home
        Assistant on the key kept reading), and booked as ours it would be
        taken off their day, its calls held back all day.
        """
        state = self._state
        state.counts_lost = True
        if state.pace_per_s is not None:
            state.lost_at_most = math.ceil(state.pace_per_s * within_s) + len(
                state.chargers
            )

    def update_settings(self, settings: PlannerSettings) -> None:
        """Plan with new settings from now on."""
        self._settings = settings
        self._planned = None

    @property
    def now(self) -> datetime:
        """Return the latest moment the planner was told about."""
        return self._now

    @property
    def limit(self) -> int:
        """Return the daily limit of the API key."""
        return self._state.limit

    @property
    def reset_at(self) -> datetime:
        """Return when the quota is expected back."""
        return self._state.reset_at

    @property
    def remaining(self) -> int:
        """Return the estimated calls left in the window."""
        return math.floor(ledger.remaining_now(self._state, self._now))

    @property
    def polling_blocked_until(self) -> datetime | None:
        """Return until when polling is stopped, or None."""
        return self._blocked_until(self._now)

    def blocked_until(self, now: datetime) -> datetime | None:
        """Return until when no poll may be sent, as of now, or None."""
        return self._blocked_until(self._tick(now))

    def observe_quota(
        self,
        *,
        limit: int | None,
        remaining: int | None,
        now: datetime,
        reset_after_s: float | None = None,
        others_in_flight: int = 0,
    ) -> None:
        """Take the RateLimit-* headers of a response as the truth.

        `others_in_flight` are this client's other requests still unanswered:
        the server may not have counted them in these headers yet.
        """
        now = self._tick(now, changes_plan=True)
        state = self._state
        if limit is not None and limit > 0:
            rollover.change_limit(state, limit)
        # Remaining first: it proves or refutes a reset announced before.
        if remaining is not None:
            state.bare_pauses = 0
            rollover.observe_header(
                state, min(max(remaining, 0), state.limit), now, others_in_flight
            )
        # A reset of 0 s names no moment ahead: believed, the window would roll
        # over at the next tick and a spent quota look fresh.
        if (
            reset_after_s is not None
            and state.reset_header_trusted
            and 0 < reset_after_s <= DAY_S
        ):
            rollover.announce_reset(state, now + timedelta(seconds=reset_after_s), now)

    def record_call(
        self, kind: CallKind, now: datetime, device_id: str | None = None
    ) -> None:
        """Count a request about to be sent."""
        now = self._tick(now, changes_plan=True)
        state = self._state
        state.window.calls[kind] = state.window.calls.get(kind, 0) + 1
        if kind in COMMAND_KINDS:
            commands.record(state.window.command_slots, now)
        state.calls_since_header += 1
        state.remaining = max(state.remaining - 1, 0)
        if device_id is None or kind not in _POLL_KINDS:
            return
        charger = self._charger(device_id, now)
        charger.last_poll_at = now
        if kind is CallKind.CONFIRM or (
            charger.confirm_at is not None and now >= charger.confirm_at
        ):
            charger.confirm_at = None

    def refund_call(self, kind: CallKind, now: datetime) -> None:
        """Take back a call counted by record_call that the server did not count.

        It never reached the server, or a 429 refused it: Kong's limiter
        counts only the calls it lets through. Told before the 429's own
        headers, which then compare with a count without it. `now` is the
        moment it was counted at. Only the count is taken back: the
        attempt still tells when the charger was last tried, or a read the
        cloud cannot be reached for would be retried at once.
        """
        now = self._tick(now, changes_plan=True)
        state = self._state
        window = state.window
        if window.calls.get(kind, 0) < 1:
            # Counted in a window that has closed since: the new one owes nothing.
            return
        window.calls[kind] -= 1
        if kind in COMMAND_KINDS:
            commands.unrecord(window.command_slots, now)
        state.calls_since_header = max(state.calls_since_header - 1, 0)
        state.remaining = min(state.remaining + 1, state.limit)

    def call_unanswered(self, now: datetime) -> None:
        """Note that a call a header took as not counted yet ended without an answer.

        It stays counted as ours: it may have reached the server. Whether
        that header counted it already, blaming it on other programs, the
        next header's gap shows (`rollover.note_unanswered`).
        """
        self._tick(now, changes_plan=True)
        rollover.note_unanswered(self._state)

    def observe_rate_limited(
        self, now: datetime, reset_at: datetime | None, *, day_proven: bool = True
    ) -> None:
        """Stop polling after a real 429 until the quota comes back.

        Only a 429 whose own headers show the day's quota at 0 proves that its
        retry moment is the day's reset. Without that proof the refusal is waited
        out and the reset stays as it was; the calls left too, unless the
        refusal lasts until that reset. One that names neither a moment nor
        the day's quota is a pause while the count leaves calls (`_bare_pause`).
        """
        now = self._tick(now, changes_plan=True)
        state = self._state
        if reset_at is not None and as_utc(reset_at) > now:
            reset_at = min(as_utc(reset_at), now + MAX_BLOCK)
            state.rate_limited_until = reset_at
            if not day_proven:
                self._refused_unproven(reset_at, now)
                return
            rollover.learn_reset(state, reset_at, now)
        else:
            # A 429 right after a clock rollover means the reset is still ahead.
            rollover.unroll(state, now, probe=True)
            if not day_proven and self._bare_pause(now):
                return
            state.rate_limited_until = state.reset_at
        state.remaining = 0

    def _bare_pause(self, now: datetime) -> bool:
        """Pause for a 429 without any header if the count leaves calls; say if it did.

        Kong's limiter sends Retry-After and the quota headers with its 429s: a
        bare one comes from something else on the path (a proxy's or the
        backend's burst limit) and proves nothing of the day while the calls
        the last header left, less those spent since, stay well above what was
        spent. Each such 429 in a row pauses twice as long as the one before:
        behind a proxy that strips the headers off a spent day's 429s they
        grow rare, and the day ends once a pause would reach the reset.
        """
        state = self._state
        pause = THROTTLE_PAUSE * 2**state.bare_pauses
        if state.header_remaining is not None and now + pause < state.reset_at:
            left = ledger.remaining_now(state, now)
            spent = state.header_remaining - left
            if left > max(rollover.SLACK, spent):
                state.bare_pauses += 1
                state.throttled_until = now + pause
                return True
        state.bare_pauses = 0
        return False

    def _refused_unproven(self, until: datetime, now: datetime) -> None:
        """Take a 429 without quota headers that names when calls come back.

        A rollover no header proved yet is undone: the refusal shows the day's
        calls are not back. A refusal that lasts until the reset says the day is
        spent, as a header showing 0 would: the gap since the last header is
        booked as that header would book it (to other programs), or 'Calls
        remaining' would show calls the server refuses.
        """
        state = self._state
        rollover.unroll(state, now, probe=True)
        if until >= state.reset_at - rollover.RESET_TOLERANCE:
            rollover.observe_header(state, 0, now)

    def observe_throttled(self, now: datetime, until: datetime | None) -> None:
        """Stop every call after a 429 that left the day's quota untouched.

        The day's reset and calls stay as they were: the pause ends when the
        shorter window that refused the call does.
        """
        now = self._tick(now, changes_plan=True)
        until = as_utc(until) if until is not None else None
        if until is None or until <= now:
            until = now + THROTTLE_PAUSE
        self._state.throttled_until = min(until, now + MAX_BLOCK)

    def refused_until(self, now: datetime) -> datetime | None:
        """Return until when the server refuses calls after a 429, or None."""
        now = self._tick(now)
        moments = (self._state.rate_limited_until, self._state.throttled_until)
        ahead = [moment for moment in moments if moment is not None and moment > now]
        return max(ahead, default=None)

    def spent_until(self, now: datetime) -> datetime | None:
        """Return the reset while the last count leaves no call for a command.

        None is left when the key's count (headers and our calls) says so: a
        call now would get a 429. Nor once the share and, past it, the
        commands' reserve are spent: polling has stopped and commands are
        refused. Unlike the estimate polling plans with, this guesses nothing
        about other programs.
        """
        now = self._tick(now)
        state = self._state
        left = ledger.counted_command_calls(state, self._settings)
        return state.reset_at if left < 1 else None

    def paused_until(self, now: datetime) -> datetime | None:
        """Return when the pause a 429 asked for ends, or None.

        Unlike `throttled`, also while polling waits for the reset anyway to
        keep the reserve: a command of the reserve meets the pause too.
        """
        return self._pause_ahead(self._tick(now))

    def throttled(self, now: datetime) -> bool:
        """Return True while calls wait for a short window, not for the day's reset."""
        now = self._tick(now)
        until = self._pause_ahead(now)
        return until is not None and self._blocked_until(now) == until

    def _refusal_ahead(self, now: datetime) -> datetime | None:
        """Return the end of the day's refusal a 429 asked for, if it is still ahead."""
        until = self._state.rate_limited_until
        return until if until is not None and now < until else None

    def _pause_ahead(self, now: datetime) -> datetime | None:
        """Return the end of the pause a 429 asked for, if it is still ahead."""
        until = self._state.throttled_until
        return until if until is not None and now < until else None

    def set_activity(
        self, device_id: str, activity: ChargerActivity, now: datetime
    ) -> None:
        """Note what a charger is doing now."""
        now = self._tick(now, changes_plan=True)
        charger = self._charger(device_id, now)
        rollover.accrue(self._state.window, device_id, charger, now)
        if charger.activity is ChargerActivity.IDLE and activity in _CAR_PRESENT:
            arrivals.learn(charger.arrivals, now)
        if (
            activity is ChargerActivity.CHARGING
            and charger.activity in _SCHEDULE_STARTS
            and not charger.charged_since_plug_in
            and not charger.command_unread
            and charger.read_at is not None
        ):
            charger.punctual.started(charger.read_at, now)
        # A charge that stopped by itself means a full car; one paused by a
        # command is likely resumed soon.
        command_applied = (
            charger.commanded_at is None
            or seconds_between(charger.commanded_at, now) > _COMMAND_EFFECT_S
        )
        # Why: a timer's window ends a charge whatever the car still needs.
        # A stop seen once a window has closed since the charge was last seen
        # is the timer's: taken for a full car, the car would be read at a
        # full car's slow pace and not at the next opening, which starts it
        # as surely as the first. It waits for that opening as a car that has
        # not charged yet does (below).
        cut_by_timer = (
            charger.activity is ChargerActivity.CHARGING
            and activity in CAR_HELD
            and _window_closed(charger, now)
        )
        stopped_by_itself = (
            charger.activity is ChargerActivity.CHARGING
            and command_applied
            and not cut_by_timer
        )
        if (
            charger.charge_ended
            and activity is ChargerActivity.CHARGING
            and not charger.command_unread
        ):
            charger.restarts.restarted(now)
        if command_applied:
            charger.command_unread = False
        charger.charge_ended = activity in _FULL_CAN_STAY and (
            charger.charge_ended
            or (stopped_by_itself and activity is ChargerActivity.PLUGGED)
        )
        if charger.charge_ended:
            charger.restarts.became_full()
        if activity is ChargerActivity.IDLE:
            charger.restarts.visit_ended()
            charger.charged_since_plug_in = False
        elif activity is ChargerActivity.CHARGING:
            charger.charged_since_plug_in = True
        elif cut_by_timer:
            charger.charged_since_plug_in = False
        charger.unanswered_since = None
        if activity is not ChargerActivity.OFFLINE:
            charger.offline_since = None
            charger.offline_from = None
        elif charger.activity is not ChargerActivity.OFFLINE:
            charger.offline_since = now
            charger.offline_from = charger.activity
        if charger.activity is not ChargerActivity.IDLE or (
            activity is not ChargerActivity.IDLE
        ):
            charger.busy_at = now
        if charger.watched_from is None:
            charger.watched_from = now
        charger.activity = activity
        charger.since = now
        charger.read_at = now

    def charged_unseen(self, device_id: str, now: datetime) -> None:
        """Note a charge that started and ended since the last read (its energy tells).

        Call it before this read's activity is set: the restart is learned
        halfway between the two reads, the best guess of when it came.
        """
        now = self._tick(now, changes_plan=True)
        charger = self._charger(device_id, now)
        charger.busy_at = now
        if charger.charge_ended and not charger.command_unread:
            charger.restarts.restarted(charger.since + (now - charger.since) / 2)

    def read_failed(self, device_id: str, now: datetime) -> None:
        """Note a read the cloud did not answer; reads back off until one is."""
        now = self._tick(now, changes_plan=True)
        # A charger unpaired meanwhile stays forgotten.
        charger = self._state.chargers.get(device_id)
        if charger is None:
            return
        if charger.unanswered_since is None:
            charger.unanswered_since = now
        # Nobody looked: a car may have come and gone (`quiet_since`).
        charger.busy_at = now

    def expect_opening(
        self,
        device_id: str,
        opening_at: datetime | None,
        now: datetime,
        *,
        closing_at: datetime | None = None,
        closed_at: datetime | None = None,
    ) -> None:
        """Note when the charger's own timer next lets a waiting car start.

        And when a timer's window next closes (`closing_at`) and last closed
        (`closed_at`): a charge seen stopped once one has since the charge
        was last seen is the timer's doing, not a full car's. Given before
        the activity the same read shows, they judge it: a window that closed
        while Home Assistant restarted counts too.
        """
        now = self._tick(now, changes_plan=True)
        charger = self._charger(device_id, now)
        charger.opening_at = None if opening_at is None else as_utc(opening_at)
        charger.closing_at = None if closing_at is None else as_utc(closing_at)
        charger.closed_at = None if closed_at is None else as_utc(closed_at)

    def remove_charger(self, device_id: str) -> None:
        """Forget a charger that left the account, held or planned."""
        self._state.chargers.pop(device_id, None)
        self._state.held.pop(device_id, None)
        self._state.window.charged_s.pop(device_id, None)
        # Its periodic reads would stretch the others' until they lapse.
        self._take_jobs(device_id)
        self._planned = None

    def hold_charger(self, device_id: str, now: datetime) -> None:
        """Leave a charger still paired out of the plan, keeping what was learned.

        For one this entry does not read for now: its device disabled, or
        another entry runs it. It takes no share of the plan, learns nothing
        from days nobody read it, and its periodic reads do not stretch the
        others'; its habits, command pace and periodic reads' schedule are
        kept, saved with the rest. Read again (`_charger`), it comes back as
        after a restart.
        """
        now = self._tick(now, changes_plan=True)
        state = self._state
        charger = state.chargers.pop(device_id, None)
        if charger is None:
            return
        # The charging seen until now is the day's; no more is booked.
        rollover.accrue(state.window, device_id, charger, now)
        state.held[device_id] = HeldCharger(
            charger=charger, maintenance=self._take_jobs(device_id)
        )

    @property
    def chargers_known(self) -> set[str]:
        """Return the chargers the planner keeps a state of, held ones included."""
        return set(self._state.chargers) | set(self._state.held)

    def _take_jobs(self, device_id: str) -> dict[str, Maintenance]:
        """Take a charger's periodic reads out of the schedule; return them."""
        jobs = self._state.maintenance
        return {
            key: jobs.pop(key)
            for key in [key for key in jobs if key.partition(":")[2] == device_id]
        }

    def next_poll_at(self, device_id: str, now: datetime) -> datetime | None:
        """Return when to poll a charger next, or None not to poll it."""
        now = self._tick(now)
        charger = self._polled_charger(device_id, now)
        if charger is None:
            return None
        if charger.last_poll_at is None:
            return now
        interval = self._intervals(now)[device_id]
        due: datetime | None = None
        if interval is not None:
            due = max(now, charger.last_poll_at + timedelta(seconds=interval))
        for soon in (
            charger.confirm_at,
            self._opening_read_at(charger),
            self._scheduled_start_read_at(charger, now),
        ):
            if soon is not None:
                due = max(now, soon) if due is None else min(due, max(now, soon))
        return due

    def confirmation_at(self, device_id: str, now: datetime) -> datetime | None:
        """Return when a read confirming a command is due, None when none is."""
        now = self._tick(now)
        charger = self._state.chargers.get(device_id)
        return None if charger is None else charger.confirm_at

    def poll_interval_s(self, device_id: str, now: datetime) -> float | None:
        """Return the seconds between a charger's regular reads, None when not polled.

        Confirmations and timer openings come on top of this rhythm: their
        short waits say nothing of how old the live state may grow.
        """
        now = self._tick(now)
        if self._polled_charger(device_id, now) is None:
            return None
        return self._intervals(now)[device_id]

    def _polled_charger(self, device_id: str, now: datetime) -> ChargerState | None:
        """Return a charger's state, None while the quota forbids polling."""
        charger = self._charger(device_id, now)
        return None if self._blocked_until(now) is not None else charger

    def _opening_read_at(self, charger: ChargerState) -> datetime | None:
        """Return when to see a waiting car's charge start at its timer's opening.

        The opening is as good as a command the charger gives itself: it is read
        as a command is confirmed, once, and then on its interval again.
        """
        if (
            charger.opening_at is None
            or charger.activity not in _OPENING_STARTS
            or charger.charged_since_plug_in
        ):
            return None
        read_at = charger.opening_at + timedelta(seconds=self._settings.confirm_delay_s)
        if charger.last_poll_at is not None and charger.last_poll_at >= read_at:
            return None
        return read_at

    def _scheduled_start_read_at(
        self, charger: ChargerState, now: datetime
    ) -> datetime | None:
        """Return when to read a charger whose first charge of a visit is punctual."""
        if (
            charger.activity not in _SCHEDULE_STARTS
            or charger.charged_since_plug_in
            or (
                charger.activity is ChargerActivity.IDLE
                and not self._settings.poll_idle
            )
        ):
            return None
        return charger.punctual.next_read(charger.last_poll_at, now)

    @property
    def confirm_delay_s(self) -> float:
        """Return how long after a command its confirmation usually runs."""
        return self._settings.confirm_delay_s

    def request_confirmation(
        self,
        device_id: str,
        now: datetime,
        *,
        after_s: float | None = None,
        may_start_or_stop: bool = True,
    ) -> datetime:
        """Schedule a read that shows whether a command took effect.

        It runs `after_s` after the command, by default the usual delay. A
        command that can neither start nor stop a charge (`may_start_or_stop`
        False: a new current of at least 6 A, the logo LED) leaves the charge
        to the car: one seen starting after it is a restart of a full car, and
        one seen ending, a full car.
        """
        now = self._tick(now, changes_plan=True)
        charger = self._charger(device_id, now)
        wait_s = self._settings.confirm_delay_s if after_s is None else after_s
        charger.confirm_at = now + timedelta(seconds=wait_s)
        if may_start_or_stop:
            charger.commanded_at = now
            charger.command_unread = True
        return charger.confirm_at

    def apply_wait_s(self, device_id: str, now: datetime) -> float:
        """Return how long a charger lately took to apply a command."""
        now = self._tick(now)
        return self._charger(device_id, now).apply_wait.wait_s

    def applied_late(self, device_id: str, window_s: float, now: datetime) -> None:
        """Note a command not applied yet at its first confirmation read."""
        now = self._tick(now)
        self._charger(device_id, now).apply_wait.found_late(window_s)

    def applied_on_time(self, device_id: str, now: datetime) -> None:
        """Note commands all applied by their first confirmation read."""
        now = self._tick(now)
        self._charger(device_id, now).apply_wait.found_on_time()

    def request_late_confirmation(
        self, device_id: str, at: datetime, now: datetime
    ) -> None:
        """Schedule one more read for a command the charger had not applied yet."""
        now = self._tick(now, changes_plan=True)
        charger = self._charger(device_id, now)
        at = as_utc(at)
        charger.confirm_at = (
            at if charger.confirm_at is None else min(charger.confirm_at, at)
        )

    def check_command(self, now: datetime, calls: int = 1) -> None:
        """Raise QuotaExhaustedError when fewer than `calls` may be spent on a command."""
        now = self._tick(now)
        state = self._state
        if state.rate_limited_until is not None and now < state.rate_limited_until:
            raise QuotaExhaustedError(state.rate_limited_until)
        if ledger.command_calls(state, self._settings, now) < calls:
            raise QuotaExhaustedError(state.reset_at)
        if (paused_until := self._pause_ahead(now)) is not None:
            raise ThrottledError(paused_until)

    def check_confirmation(self, now: datetime) -> None:
        """Raise QuotaExhaustedError when a command's confirmation may not read.

        A confirmation is part of its command's cost, reserve included, but
        the lower half of the reserve is kept for commands alone: on a small
        key with many commands, confirmations would otherwise spend it and
        refuse later commands.
        """
        self.check_command(now)
        state = self._state
        # The count itself, not less what other programs may have spent since:
        # a guess of their pace would stop confirmations where they matter most.
        # Past a spent share the commands' own calls are the reserve's rest.
        left = ledger.counted_command_calls(state, self._settings)
        if left <= ledger.command_reserve(state, self._settings) / 2:
            raise QuotaExhaustedError(state.reset_at)

    def maintenance_due(self, key: str, now: datetime, every_s: float) -> bool:
        """Return True (and note it as done) when a periodic read should run now."""
        now = self._tick(now, changes_plan=True)
        job = self._job(key, now, every_s)
        if self._blocked_until(now) is not None:
            return False
        stretch = ledger.maintenance_stretch(self._state, self._settings)
        if ledger.maintenance_wait_s(job, stretch, now) > 0:
            return False
        job.done_at = now
        return True

    def maintenance_next_at(self, key: str, now: datetime, every_s: float) -> datetime:
        """Return when a periodic read is next due, even while polling may not send it.

        At the pace `maintenance_due` keeps, from its last run: for a check
        the command reserve pays while polling waits for the quota.
        """
        now = self._tick(now)
        job = self._state.maintenance.get(key)
        if job is None or job.done_at is None:
            return now
        stretch = ledger.maintenance_stretch(self._state, self._settings)
        # A clock set back does not put the read off by the jump.
        done_at = min(job.done_at, now)
        return done_at + timedelta(seconds=every_s * stretch)

    def maintenance_done_at(self, key: str) -> datetime | None:
        """Return when a periodic read last ran, None if never."""
        job = self._state.maintenance.get(key)
        return None if job is None else job.done_at

    def quiet_since(self, device_id: str, since: datetime | None) -> bool:
        """Return True when reads since `since` saw a charger without a car throughout.

        Reads from before a restart are not known, and neither is a time no
        read looked at: either may have held a charge.
        """
        charger = self._state.chargers.get(device_id)
        return (
            since is not None
            and charger is not None
            and charger.watched_from is not None
            and charger.watched_from <= since
            and charger.read_at is not None
            and charger.read_at > since
            and (charger.busy_at is None or charger.busy_at < since)
        )

    def maintenance_done(self, key: str, now: datetime, every_s: float) -> None:
        """Note a periodic read made outside its schedule.

        Setup, a command's confirmation and an outage check read it anyway.
        """
        now = self._tick(now, changes_plan=True)
        self._job(key, now, every_s).done_at = now

    def _job(self, key: str, now: datetime, every_s: float) -> Maintenance:
        """Return the periodic read under key, asked for now."""
        job = self._state.maintenance.get(key)
        if job is None:
            job = self._state.maintenance[key] = Maintenance(
                every_s=every_s, asked_at=now
            )
        job.every_s = every_s
        job.asked_at = now
        if job.done_at is not None and job.done_at > now:
            # The clock was set back: the read waits a period from now, not
            # the jump on top of it.
            job.done_at = now
        return job

    def snapshot(self, now: datetime) -> PlannerSnapshot:
        """Return the planner's view for diagnostics and sensors.

        What the user is told: no call left while a 429 refuses the day's
        calls, though the clock may have rolled the window over; the quota back
        at the refusal's end then, else at the end the calls left are planned to
        last until (a whole window later while a late reset is sought, not each
        probe's hour).
        """
        now = self._tick(now)
        state = self._state
        blocked_until = self._blocked_until(now)
        intervals = {} if blocked_until is not None else self._intervals(now)
        refused = self._refusal_ahead(now)
        return PlannerSnapshot(
            limit=state.limit,
            remaining=0
            if refused is not None
            else math.floor(ledger.remaining_now(state, now)),
            reset_at=self._back_at(now),
            blocked_until=blocked_until,
            chargers={
                device_id: ChargerSnapshot(
                    activity=charger.activity, interval_s=intervals.get(device_id)
                )
                for device_id, charger in state.chargers.items()
            },
            calls_today={kind: state.window.calls.get(kind, 0) for kind in CallKind},
            other_calls_today=state.window.others,
        )

    def quota_back_at(self, now: datetime) -> datetime:
        """Return when the quota is shown back, as the snapshot's `reset_at` (no plan)."""
        return self._back_at(self._tick(now))

    def _back_at(self, now: datetime) -> datetime:
        return self._refusal_ahead(now) or rollover.plan_end(self._state)

    def _tick(self, now: datetime, *, changes_plan: bool = False) -> datetime:
        """Move the planner's clock, rolling the window when due."""
        now = as_utc(now)
        if changes_plan or now != self._now:
            self._planned = None
        self._now = now
        rollover.advance(self._state, now)
        return now

    def _charger(self, device_id: str, now: datetime) -> ChargerState:
        """Return a charger's state, bringing a held one back, meeting unknown ones as IDLE."""
        state = self._state
        charger = state.chargers.get(device_id)
        if charger is not None:
            return charger
        if (held := state.held.pop(device_id, None)) is not None:
            # What a restart keeps of it: the moment is relearned.
            charger = charger_from_dict(charger_to_dict(held.charger), now)
            for key, job in held.maintenance.items():
                state.maintenance.setdefault(key, job)
        else:
            charger = ChargerState(
                activity=ChargerActivity.IDLE, since=now, watched_since=now
            )
        state.chargers[device_id] = charger
        self._planned = None
        return charger

    def _blocked_until(self, now: datetime) -> datetime | None:
        """Return until when polling must stop, or None."""
        state = self._state
        if (refused := self._refusal_ahead(now)) is not None:
            return refused
        if ledger.polling_calls(state, self._settings, now) < 1:
            return state.reset_at
        return self._pause_ahead(now)

    def _intervals(self, now: datetime) -> dict[str, float | None]:
        """Return every charger's poll interval for the current budget."""
        if self._planned is not None and self._planned[0] == now:
            return self._planned[1]
        state = self._state
        horizon_s = max(seconds_between(now, rollover.plan_end(state)), 1.0)
        demands = [
            demand_of(device_id, charger, state.window, now, horizon_s)
            for device_id, charger in state.chargers.items()
        ]
        # The baseline: a fixed interval spreading what is left of a day's
        # quota, after other programs and the reserve, over every charger.
        baseline_s = (
            DAY_S * max(len(demands), 1) / ledger.daily_calls(state, self._settings)
        )
        intervals = allocate(
            demands,
            budget=ledger.planning_budget(state, self._settings, now, horizon_s),
            horizon_s=horizon_s,
            baseline_s=baseline_s,
            settings=self._settings,
        )
        self._planned = (now, intervals)
        return intervals


def _window_closed(charger: ChargerState, now: datetime) -> bool:
    """Return True when a timer's window closed since the charge was last seen.

    The next closing may be just ahead (the charger's clock); the last one
    may have come between the last read and this one, or at any time before
    this read when none came since the planner was restored.
    """
    closing, closed, read_at = charger.closing_at, charger.closed_at, charger.read_at
    if closing is not None and closing <= now + _WINDOW_END_TOLERANCE:
        return True
    return closed is not None and (
        read_at is None or closed > read_at - _WINDOW_END_TOLERANCE
    )
