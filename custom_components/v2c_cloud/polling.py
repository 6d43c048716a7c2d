"""Refresh and command logic for one charger, free of Home Assistant.

The coordinator and the benchmark both run this code, so the budget behaviour the
benchmark measures is the behaviour users get. Each read or command declares its
kind of call; the client's meter charges it to the planner as it goes out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, contextmanager, nullcontext
from dataclasses import replace
from datetime import UTC, datetime, timedelta, tzinfo
import logging

from .api import (
    CurrentState,
    V2CAuthenticationError,
    V2CClient,
    V2CConnectionError,
    V2CError,
    V2CResponseError,
    mask_device_id,
)
from .budget import (
    CAR_HELD,
    CallKind,
    ChargerActivity,
    QuotaExhaustedError,
    QuotaPlanner,
)
from .data import CONFIRM_WINDOW_S, ChargerData, charged_between, is_charging
from .metering import charged_as
from .pending import PendingCommands, ValueReader
from .timer_openings import last_closing, next_closing, next_opening

REPORTED_REFRESH_S = 6 * 3600
CONNECTED_CHECK_S = 2 * 3600
# Settings reads that may try to confirm a command when the cloud answered the
# first with nothing usable: a bad minute must not pass for a refused command.
CONFIRM_READS = 3
# The cloud keeps serving an offline charger's last report. A charge whose
# report did not change between two reads has likely gone silent: one
# connectivity check tells, at most this often.
FROZEN_CHECK_S = 600.0
# A live report's session clock trails the time between two reads by the
# cloud's report period at most (commands show within about 90 s).
SESSION_CLOCK_LAG_S = 120.0
# A charge that stops with the car still plugged in reads the settings, at most
# once in this long.
STOPPED_READ_S = 1800.0
# A command for the value the settings already show is dropped only while they
# are this recent: the V2C app or the charger may have changed the setting
# since, and a dropped command leaves it changed. Older, the settings are read
# first (one call; sending and confirming costs two), so an automation repeating
# one value spends at most a read an hour. So are settings a charge read after
# them puts in doubt (a pause or a lock, `_contradicted`).
SHOWN_VALUE_TRUSTED_S = 3600.0
# A timer opening this recent still gets its read: a poll just after it that
# came before the charge started must not move the read to the next day. A
# window end this recent is still the one a charge seen stopped next may
# have met.
OPENING_GRACE = timedelta(minutes=1)
# How often a charger waiting for its read asks the planner again: its moment
# moves earlier between reads (the pace rising toward the reset, a charge end
# nearing, another charger's read), and a timer armed once would miss that.
# The benchmark steps at this pace too, so it measures what Home Assistant does.
DUE_RECHECK = timedelta(seconds=10)

_LOGGER = logging.getLogger(__package__)


class ChargerOfflineError(Exception):
    """The charger was last seen offline: it would accept no command."""


class PollerStoppedError(Exception):
    """The poller was stopped (its coordinator shut down): it sends no further call."""


# A command or an on-demand read: the poller calls it with its client and charger.
type ChargerCall[T, R] = Callable[[V2CClient, str, T], Awaitable[R]]


def maybe_taken(err: BaseException) -> bool:
    """Return True when a command failed without a refusal: the cloud may have taken it.

    A lost answer, a gateway's 5xx or a garbled 200 say nothing of whether
    the charger got the command; a 4xx or 429 refused it, and a connection
    that never opened never sent it.
    """
    if isinstance(err, V2CConnectionError):
        return err.sent
    return isinstance(err, V2CResponseError) and not client_error(err.status)


def charger_label(device_id: str, tag: str | None = None) -> str:
    """Name a charger in the log: the user's tag, then its masked id.

    As Home Assistant's own lines about the charger name it (the
    coordinator's name): the tag tells chargers apart at a glance, the
    masked id still does when two share a tag or one has none, and a log
    pasted into an issue never shows the device id itself.
    """
    return " ".join(filter(None, (tag, mask_device_id(device_id))))


def client_error(status: int | None) -> bool:
    """Return True for a 4xx: the cloud answered and refused the call."""
    return status is not None and 400 <= status < 500


class ChargerPoller:
    """Read one charger when the planner says so and send its commands."""

    def __init__(
        self,
        client: V2CClient,
        planner: QuotaPlanner,
        device_id: str,
        *,
        zone: Callable[[], tzinfo] = lambda: UTC,
        polled: bool = True,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """Start with nothing known about the charger.

        `zone` returns the time zone of the charger's timers, asked each time:
        the user may change Home Assistant's while it runs. A charger not
        `polled` is read when its user asks (Home Assistant's polling turned
        off for the entry), apart from its commands' confirmations. `clock`
        tells the time a command's answer came (None: the moment it was sent,
        as on a virtual clock that stands still during a call).
        """
        self.client = client
        self.planner = planner
        self.device_id = device_id
        # The user's name for the charger, in the log; the coordinator keeps
        # it as the account's list gives it.
        self.tag: str | None = None
        self.zone = zone
        self.polled = polled
        self._clock = clock
        self.data = ChargerData(device_id=device_id)
        self.pending = PendingCommands()
        # When the first confirmation of the last command may run: a poll due
        # shortly before the confirmation takes its place.
        self._confirm_from: datetime | None = None
        self._confirm_live = False
        self._command_locks: dict[str, asyncio.Lock] = {}
        self._command_tokens: dict[str, int] = {}
        self._frozen_checked_at: datetime | None = None
        self._stop_read_at: datetime | None = None
        self._reported_key = f"reported:{device_id}"
        self._connected_key = f"connected:{device_id}"
        self._confirm_reads_left = 0
        # Commands sent and not yet answered: a reload or stop meanwhile must
        # still save them as applying.
        self._commands_in_flight = 0
        # A charger applies a command within about 90 s, often after the
        # first confirmation read: a value not seen yet is read once more
        # when its window ends, before it is called refused.
        self._late_confirm_at: datetime | None = None
        # Whether the confirmation reads under way teach how long the charger
        # takes to apply commands: not those judging a replaced poller's
        # commands, whose first confirmation may never have run and whose
        # read comes at their deadline, not after the learned wait.
        self._teaches = True
        # Why the last refresh could not run a check made after the live state.
        self.check_failure: V2CError | None = None
        self.stopped = False

    def stop(self) -> None:
        """Send no further call: the coordinator shut down.

        After an unload the planner that would count them is saved and
        closed, and the entry set up next would book them on other programs;
        a charger that left or whose device was disabled needs none either.
        A refresh under way ends after the read in flight, with what it read;
        a command or an on-demand read not sent yet raises PollerStoppedError.
        A call already sent stays counted: it was charged when it went out.
        """
        self.stopped = True

    @property
    def label(self) -> str:
        """Return the charger's name for the log (see charger_label)."""
        return charger_label(self.device_id, self.tag)

    async def first_refresh(
        self, now: datetime, *, check_connected: bool = False
    ) -> ChargerData:
        """Read live state and settings: the two calls setup may spend per charger.

        `check_connected` (a charger last seen offline) adds a third, whether
        it is back; one that fails leaves it unknown until the periodic check
        (see `_checking`).
        """
        self.check_failure = None
        try:
            with self._noting_failure(now):
                await self._read_state(now, CallKind.POLL)
                # Unusable settings are read again at the next poll, not in
                # hours: only usable ones count as the periodic read.
                await self._read_reported(now, CallKind.MAINTENANCE)
            if check_connected:
                with self._checking("check the connection"):
                    await self._read_connected(now, CallKind.MAINTENANCE)
        except PollerStoppedError:
            return self.data
        return self._publish(now)

    async def refresh(self, now: datetime, *, confirming: bool = False) -> ChargerData:
        """Do the reads that are due now and return the new snapshot.

        Only the confirmation of a command is read when `confirming` (the
        timer of a charger read on its user's schedule) and while polling
        waits for the quota, then with the connectivity check of a charger
        last seen offline.
        """
        self.check_failure = None
        try:
            with self._noting_failure(now):
                if confirming or self.planner.blocked_until(now) is not None:
                    return await self._confirm_only(now)
                return await self._refresh(now)
        except PollerStoppedError:
            # Stopped between two reads: what was read stands, and the reads
            # left would be charged to a planner already saved and closed.
            return self.data
        finally:
            # Whatever came of the reads: a failed one leaves nothing else to
            # end a window.
            self._close_windows(now)

    @contextmanager
    def _charged(self, kind: CallKind, now: datetime) -> Iterator[None]:
        """Declare the kind of the calls inside; refuse them once stopped."""
        if self.stopped:
            raise PollerStoppedError
        with charged_as(kind, now):
            yield

    @contextmanager
    def _noting_failure(self, now: datetime) -> Iterator[None]:
        """Tell the planner when the cloud does not answer a read, so it backs off."""
        try:
            yield
        except (V2CConnectionError, V2CAuthenticationError, V2CResponseError):
            self.planner.read_failed(self.device_id, now)
            raise

    @contextmanager
    def _checking(self, what: str) -> Iterator[None]:
        """Keep a failed check made after a good live state read in `check_failure`.

        The live values just read are fresh, so the refresh stands with them
        whatever the failure; the caller judges it as it would a failed read
        (a 401 for the auth guard, a day's 429 for the quota issue). The
        client's meter has counted the call and told the planner of a 429,
        and the cloud answered the charger's read: no back-off is due. A
        periodic check was noted as run when it went out, so it waits its
        period as one that answered, as a failed refresh left it: the last
        answer stays shown meanwhile, and retrying sooner would spend calls
        all through a lasting failure.
        """
        try:
            yield
        except V2CError as err:
            self.check_failure = err
            _LOGGER.debug("Could not %s of charger %s: %s", what, self.label, err)

    async def _refresh(self, now: datetime) -> ChargerData:
        was_offline = self.data.connected is False
        if was_offline:
            # While offline this check is the charger's poll: it must move the
            # next poll on, or an outage would be checked again at once.
            await self._read_connected(now, CallKind.POLL)
            if self.data.connected is False:
                return self._publish(now)
        if self.confirmation_due(now):
            live_wanted = await self._confirm(now, may_be_offline=not was_offline)
            # A command that changes whether or how much the car charges is
            # also confirmed with the live state: a resumed charge must not
            # wait for the next slow poll of a plugged car. Other
            # confirmations stay one call, so a command storm can't double
            # its cost, unless the live state is due anyway: the planner
            # counts a confirmation as the charger's poll, and commands every
            # few minutes would otherwise leave the live state unread.
            if self.data.connected is False or (
                not live_wanted and not self._live_state_due(now)
            ):
                return self._publish(now)
        before, before_at = self.data.state, self.data.state_at
        was_empty = self.data.activity is ChargerActivity.IDLE
        was_charging = self.data.activity is ChargerActivity.CHARGING
        await self._read_state(now, CallKind.POLL)
        if charged_between(before, self.data.state):
            self.planner.charged_unseen(self.device_id, now)
        if self._looks_frozen(before, before_at, now):
            self._frozen_checked_at = now
            if not await self._read_connected(now, CallKind.POLL):
                return self._publish(now)
        # A car plugged in that does not charge: the settings say what holds
        # it, and a timer says when it starts (unless a confirmation just
        # read them). So too when a charge stops with the car still there: a
        # pause sent from V2C's app must not leave Charging shown on, where
        # turning it on would pass for a command that changes nothing. A held
        # car that starts needs no read: its charge lifts the pause or lock
        # the settings show (ChargerData.settings).
        held = (
            self.data.activity in CAR_HELD
            and self.data.reported_at != now
            # Not from the reserve: the poll may have spent the last call above it.
            and self.planner.blocked_until(now) is None
            and (was_empty or (was_charging and self._stop_worth_a_settings_read(now)))
        )
        if (
            self.planner.maintenance_due(self._reported_key, now, REPORTED_REFRESH_S)
            or held
        ):
            with self._checking("read the settings"):
                await self._read_reported(now, CallKind.MAINTENANCE)
        elif (
            self._confirm_reads_left
            and self.pending.values
            and self._confirm_from is None
        ):
            await self._confirming_read(now)
        # Not right after a check that failed: the cloud, or the key, may
        # refuse this one too; it stays due for the next poll.
        if self.check_failure is None and self.planner.maintenance_due(
            self._connected_key, now, CONNECTED_CHECK_S
        ):
            with self._checking("check the connection"):
                await self._read_connected(now, CallKind.MAINTENANCE)
        return self._publish(now)

    async def _confirm_only(self, now: datetime) -> ChargerData:
        """Run the confirmation due, if any, and nothing else but an offline check.

        Its reads are the command's cost, charged as commands are. While
        polling waits for the quota they come from the reserve that let the
        command through, so a command is confirmed there by one settings read
        when its window ends, which shows whether the charger applied it.
        """
        checked = self.offline_check_due(now)
        if checked:
            # Noted first: a check that fails waits its period like one
            # polling sends, not a busy retry on the reserve.
            self.planner.maintenance_done(self._connected_key, now, CONNECTED_CHECK_S)
            await self._read_connected(now, CallKind.COMMAND)
        if not self.confirmation_due(now):
            return self._publish(now) if checked else self.data
        blocked = self.planner.blocked_until(now) is not None
        if blocked and self._late_confirm_at is None:
            self._confirm_from = None
            self._confirm_reads_left = 0
            self._confirm_late(now)
            if self._late_confirm_at is not None:
                return self.data
            # Woken after the window ended: this read judges the command.
        if not self.can_confirm(now):
            self.skip_confirmation(now)
            return self.data
        live_wanted = await self._confirm(now, may_be_offline=not blocked)
        if live_wanted and not blocked and self.can_confirm(now):
            await self._read_state(now, CallKind.CONFIRM)
        return self._publish(now)

    async def _confirm(self, now: datetime, *, may_be_offline: bool) -> bool:
        """Read the settings a command changed; return whether its live state is wanted.

        Not once the charger turns out offline.
        """
        first = self._confirm_from is not None and now >= self._confirm_from
        self._confirm_from = None
        self._late_confirm_at = None
        waiting = len(self.pending.unseen(self.data))
        # Taken before the read is awaited: a live command sent meanwhile
        # keeps its flag for its own confirmation.
        live_wanted, self._confirm_live = self._confirm_live, False
        await self._confirming_read(now)
        if self._teaches:
            self._learn_apply_wait(waiting, now, late=not first)
        # Still not applied when its window ends: an offline charger accepts
        # nothing, and one check tells whether that is why (unless the
        # charger just came back).
        if (
            may_be_offline
            and self.pending.lost(self.data, now)
            and self.can_confirm(now)
            and not await self._read_connected(now, CallKind.CONFIRM)
        ):
            self._confirm_live = self._confirm_live or live_wanted
            return False
        return live_wanted

    def confirmation_due(self, now: datetime) -> bool:
        """Return True when a read confirming a command is due."""
        return any(
            moment is not None and now >= moment
            for moment in (self._confirm_from, self._late_confirm_at)
        )

    def skip_confirmation(self, now: datetime) -> None:
        """Leave the confirmation due unread: no call is left for it.

        The command's value shows until its window ends, then the last value
        read: nothing can tell before the quota is back whether the charger
        applied it.
        """
        if self.confirmation_due(now):
            self._confirm_from = None
            self._late_confirm_at = None
            self._confirm_reads_left = 0
            for key in self.pending.settle(self.data, now):
                _LOGGER.info(
                    "No call left to confirm %s on charger %s; showing the last value read",
                    key,
                    self.label,
                )
        # Looked at again when its window ends, read if calls are back.
        self._close_windows(now)

    def can_confirm(self, now: datetime) -> bool:
        """Return True when the count leaves a call for a command's confirmation."""
        try:
            self.planner.check_confirmation(now)
        except QuotaExhaustedError:
            return False
        return True

    def recheck(self, now: datetime, until: datetime | None = None) -> None:
        """Read settings and live state once more when a command may still apply.

        For commands the last run sent but never saw confirmed: the charger
        may apply them up to a confirmation window later, after the setup's
        settings read, which counts as the periodic one for hours. `until` is
        when the last of them has its window end, when known; otherwise a
        whole window is allowed from now.
        """
        at = until if until is not None else now + timedelta(seconds=CONFIRM_WINDOW_S)
        self._confirm_live = True
        self._confirm_reads_left = max(self._confirm_reads_left, 1)
        self._teaches = False
        self._confirm_from = at - timedelta(seconds=self.planner.confirm_delay_s)
        self.planner.request_confirmation(
            self.device_id, now, after_s=(at - now).total_seconds()
        )

    def take_over(self, replaced: ChargerPoller, now: datetime) -> None:
        """Go on with the commands of the poller this one replaces (a reload).

        Their values stay shown until the charger reports them or their own
        windows end, as if no reload had come between: the setup read,
        before the charger applied them, would otherwise show the old values
        until the confirmation read, which automations see as changes.
        """
        handed = dict(replaced.pending.values)
        self.pending.values.update(handed)
        # Usable settings from the setup read confirm what they show, and
        # judge the values whose window closed while the entry was unloaded.
        self._settle(now, judged=self.data.reported is not None)
        # Only what the setup read left unconfirmed is owed a read: a value it
        # already shows would cost a confirmation read for nothing.
        until = max(
            (pending.deadline for pending in self.pending.values.values()),
            default=None,
        )
        if replaced.sending or (until is not None and until <= now):
            # A command still unanswered has no deadline yet, and one whose
            # window closed unjudged (unusable settings) needs a read.
            self.recheck(now)
        elif until is not None:
            self.recheck(now, until)

    def _stop_worth_a_settings_read(self, now: datetime) -> bool:
        """Return True, and note the read, when a stopped charge's settings are due.

        Not when a confirmation just read them (our own pause), and not more
        than once per half hour: a charge following the sun stops and starts
        with every cloud.
        """
        read_at, stop_read_at = self.data.reported_at, self._stop_read_at
        if read_at is not None and (now - read_at).total_seconds() < CONFIRM_WINDOW_S:
            return False
        if stop_read_at is not None and (now - stop_read_at).total_seconds() < (
            STOPPED_READ_S
        ):
            return False
        self._stop_read_at = now
        return True

    def _live_state_due(self, now: datetime) -> bool:
        """Return True when the live state is as old as the charger's poll interval.

        Never for a charger read on its user's schedule: a confirmation there
        makes up for no poll, so it stays the one call it costs.
        """
        if not self.polled:
            return False
        read_at = self.data.state_at
        interval_s = self.planner.poll_interval_s(self.device_id, now)
        return interval_s is not None and (
            read_at is None or (now - read_at).total_seconds() >= interval_s
        )

    def value(self, key: str, read: ValueReader) -> object:
        """Return a command's optimistic value while pending, else what was read.

        Not for a command the cloud did not answer: the user was told it
        failed, and it may never apply.
        """
        pending = self.pending.get(key)
        if pending is None or not pending.answered:
            return read(self.data)
        return pending.value

    async def command[T](
        self,
        now: datetime,
        send: ChargerCall[T, object],
        value: T,
        *,
        key: str | None = None,
        read: ValueReader | None = None,
        live: bool = False,
        may_start_or_stop: bool = True,
        confirmed: bool = True,
    ) -> datetime | None:
        """Send a command unless it changes nothing; return when to confirm it.

        With a key, value is shown until the charger confirms it; commands for
        the same key are serialised and a burst collapses into the call in
        flight plus the newest value: a dragged slider costs two calls.
        `live` commands (start, pause, PV settings) are confirmed with the live
        state as well. A charge first seen starting or ending after commands
        none of which `may_start_or_stop` it (a new current, the logo LED) is
        the car's own. A charger last seen offline gets no call: it would
        accept nothing (ChargerOfflineError). A command the cloud may have
        taken although it did not answer (`maybe_taken`) is followed as an
        answered one before its error is raised; its value is shown once the
        charger reports it. A command not `confirmed`, whose effect the
        settings never show (an RFID card, a firmware update), is sent as a
        command and followed by no read: nothing is returned.
        """
        if self.data.connected is False:
            raise ChargerOfflineError
        if not confirmed:
            # Not counted as in flight either: a reload meanwhile owes it no
            # read (take_over).
            self.planner.check_command(now)
            with self._charged(CallKind.COMMAND, now):
                await send(self.client, self.device_id, value)
            return None
        tracked = None if key is None or read is None else (key, read)
        serial: AbstractAsyncContextManager[object] = nullcontext()
        token = 0
        if tracked is not None:
            token = self._command_tokens.get(tracked[0], 0) + 1
            self._command_tokens[tracked[0]] = token
            serial = self._command_locks.setdefault(tracked[0], asyncio.Lock())
        async with serial:
            if tracked is not None and (
                self._command_tokens[tracked[0]] != token
                or await self._changes_nothing(now, tracked, value)
            ):
                return None
            self.planner.check_command(now)
            self._commands_in_flight += 1
            try:
                with self._charged(CallKind.COMMAND, now):
                    await send(self.client, self.device_id, value)
            except (V2CConnectionError, V2CResponseError) as err:
                if maybe_taken(err):
                    # The charger may apply it up to its window later: one
                    # read before then would leave the old value shown until
                    # the settings are next read, hours on.
                    self._follow(
                        self._answered_at(now),
                        tracked,
                        value,
                        live=live,
                        may_start_or_stop=may_start_or_stop,
                        answered=False,
                    )
                raise
            finally:
                self._commands_in_flight -= 1
            return self._follow(
                self._answered_at(now),
                tracked,
                value,
                live=live,
                may_start_or_stop=may_start_or_stop,
            )

    def _answered_at(self, sent_at: datetime) -> datetime:
        """Return when a command's answer came, where its window begins.

        Not when it was sent: a cloud taking 20 s to answer (or a command
        waiting its turn behind another) would leave the charger that much
        less of the window it has to apply it in.
        """
        return sent_at if self._clock is None else max(sent_at, self._clock())

    def _follow(
        self,
        now: datetime,
        tracked: tuple[str, ValueReader] | None,
        value: object,
        *,
        live: bool,
        may_start_or_stop: bool,
        answered: bool = True,
    ) -> datetime | None:
        """Follow a command until the charger reports its value; return when to confirm it."""
        if tracked is not None:
            key, read = tracked
            self.pending.add(key, value, read, now, live=live, answered=answered)
        return self.confirm(now, live=live, may_start_or_stop=may_start_or_stop)

    async def _changes_nothing(
        self, now: datetime, tracked: tuple[str, ValueReader], value: object
    ) -> bool:
        """Return True when the charger is known to have the value already."""
        key, read = tracked
        if self.value(key, read) != value:
            return False
        pending = self.pending.get(key)
        if pending is not None:
            # A command the cloud did not answer may yet apply its value over
            # the one shown.
            return pending.value == value
        read_at = self.data.reported_at
        if (
            read_at is not None
            and (now - read_at).total_seconds() < SHOWN_VALUE_TRUSTED_S
            and not self._contradicted(read)
        ):
            return True
        try:
            self.planner.check_command(now, calls=2)
        except QuotaExhaustedError:
            # The read would leave no call for the command: the command costs
            # the same one call and does what the user asked.
            return False
        try:
            usable = await self._read_reported(now, CallKind.COMMAND)
        except (V2CConnectionError, V2CResponseError):
            # Unknown, then: the command goes out, and fails the user's way
            # if the cloud is down.
            return False
        return usable and self.value(key, read) == value

    def _contradicted(self, read: ValueReader) -> bool:
        """Return True when the live state puts the value shown in doubt.

        A charge read after the settings that show a pause or a lock: too soon
        to lift them (a pause may still be applying), it may also be a resume
        from V2C's app. Neither the settings nor the charge is trusted then:
        the settings are read first.
        """
        data = self.data
        return data.charge_after_settings and read(data.holds_lifted()) != read(data)

    def confirm(
        self, now: datetime, *, live: bool, may_start_or_stop: bool = True
    ) -> datetime | None:
        """Plan the read that shows what a command changed; return when it is due.

        Also for a command whose answer was lost: the cloud may have taken it.
        """
        self._confirm_live = self._confirm_live or live
        self._confirm_reads_left = CONFIRM_READS
        self._teaches = True
        # A charger known to apply commands slowly is confirmed in one read,
        # not two.
        usual_s = self.planner.confirm_delay_s
        learned_s = self.planner.apply_wait_s(self.device_id, now)
        wait_s = max(min(learned_s, CONFIRM_WINDOW_S), usual_s)
        self._confirm_from = now + timedelta(seconds=wait_s - usual_s)
        return self.planner.request_confirmation(
            self.device_id, now, after_s=wait_s, may_start_or_stop=may_start_or_stop
        )

    @property
    def awaiting_confirmation(self) -> bool:
        """Return True while a command sent may still change what was read."""
        return bool(self.pending.values) or self.sending

    @property
    def sending(self) -> bool:
        """Return True while a command is sent and not answered yet."""
        return self._commands_in_flight > 0

    async def read[T, R](
        self,
        now: datetime,
        fetch: ChargerCall[T, R],
        value: T,
        *,
        of_charger: bool = False,
    ) -> R:
        """Read on demand for an action, paid from the command budget.

        A read the charger itself must answer (`of_charger`, a Wi-Fi scan) gets
        no call while it is known to be offline: the cloud would answer for it
        with nothing, which looks like an answer (ChargerOfflineError).
        """
        if of_charger and self.data.connected is False:
            raise ChargerOfflineError
        self.planner.check_command(now)
        with self._charged(CallKind.COMMAND, now):
            return await fetch(self.client, self.device_id, value)

    def next_refresh_at(self, now: datetime) -> datetime | None:
        """Return when the planner wants this charger read next.

        Read on its user's schedule, or while polling waits for the quota,
        only a command's confirmation is planned, and then an offline
        charger's connectivity check.
        """
        if self.polled and self.planner.blocked_until(now) is None:
            return self.planner.next_poll_at(self.device_id, now)
        # Its own moments, not the planner's: one left unread stays there.
        first = None
        if self._confirm_from is not None:
            first = self._confirm_from + timedelta(seconds=self.planner.confirm_delay_s)
        moments = (first, self._late_confirm_at, self._offline_check_at(now))
        return min((moment for moment in moments if moment is not None), default=None)

    def offline_check_due(self, now: datetime) -> bool:
        """Return True when the reserve pays for an offline charger's check now."""
        at = self._offline_check_at(now)
        return at is not None and now >= at

    def _offline_check_at(self, now: datetime) -> datetime | None:
        """Return when a charger last seen offline is checked while polling waits.

        It takes no command until a check shows it back, and nothing else
        reads it before the reset: the check keeps its pace, paid from the
        reserve like a command's confirmation, under the same rule. One last
        seen online has nothing to learn from it.
        """
        if (
            not self.polled
            or self.data.connected is not False
            or self.planner.blocked_until(now) is None
            or not self.can_confirm(now)
        ):
            return None
        return self.planner.maintenance_next_at(
            self._connected_key, now, CONNECTED_CHECK_S
        )

    def _looks_frozen(
        self, before: CurrentState | None, before_at: datetime | None, now: datetime
    ) -> bool:
        """Return True when a running charge's report looks like an old copy.

        Either it is exactly the same twice, or its session clock grew far less
        than the time between the two reads: the cloud serves the copy it had
        when the charger went silent, which may show the charge's end.
        """
        checked = self._frozen_checked_at
        after = self.data.state
        if (
            before is None
            or after is None
            or before_at is None
            or is_charging(before) is not True
            or (
                checked is not None and (now - checked).total_seconds() < FROZEN_CHECK_S
            )
        ):
            return False
        if after == before:
            return True
        # The clock stops when the car leaves, and goes back when a new
        # session starts: both reports are live.
        if (
            self.data.activity is ChargerActivity.IDLE
            or before.session_seconds is None
            or after.session_seconds is None
        ):
            return False
        grew = after.session_seconds - before.session_seconds
        return (
            grew >= 0 and (now - before_at).total_seconds() - grew > SESSION_CLOCK_LAG_S
        )

    def _publish(self, now: datetime) -> ChargerData:
        # The timers' windows first: a charge seen stopped is judged by the
        # window ends the settings name, those of this refresh included (the
        # first after a restart or a reload, which may follow a window's end:
        # a timer's stop is no full car).
        reported = self.data.reported
        timers = () if reported is None else reported.timers
        since, zone = now - OPENING_GRACE, self.zone()
        self.planner.expect_opening(
            self.device_id,
            next_opening(timers, since, zone),
            now,
            closing_at=next_closing(timers, since, zone),
            closed_at=last_closing(timers, now, zone),
        )
        self.planner.set_activity(self.device_id, self.data.activity, now)
        return self.data

    def _close_windows(self, now: datetime) -> None:
        """Show the last value read for each command whose window ended unconfirmed.

        A value asked for outlives its window only while a read is planned
        that may still show it, whatever came of the reads before it: a
        failure, settings that proved nothing, no call left.
        """
        polls_follow = self.polled and self.planner.blocked_until(now) is None
        if not polls_follow and self._confirm_from is None:
            # No poll reads again settings that proved nothing: the read at
            # the end of the window does, and judges the command.
            self._confirm_reads_left = 0
        self._confirm_late(now)
        if polls_follow:
            judged = self._confirm_reads_left == 0 and self._late_confirm_at is None
        else:
            # Planned reads are all for values still in their window.
            judged = not self.confirmation_due(now)
        self._settle(now, judged=judged)

    def _settle(self, now: datetime, *, judged: bool) -> None:
        """Drop the values the charger shows; tell which it did not apply in time."""
        message = (
            "Charger %s is offline and did not apply %s within %d s"
            if self.data.connected is False
            else "Charger %s did not apply %s within %d s; showing its real state"
        )
        for key in self.pending.settle(self.data, now, judged=judged):
            _LOGGER.warning(message, self.label, key, CONFIRM_WINDOW_S)

    def _confirm_late(self, now: datetime) -> None:
        """Read once more, when its window ends, a value the settings do not show yet."""
        if self.data.connected is False:
            # An offline charger accepts nothing and the cloud serves its old
            # settings: the command is judged when its window ends, unread.
            self._late_confirm_at = None
            return
        if (
            self._late_confirm_at is not None
            or self._confirm_from is not None
            or self._confirm_reads_left
        ):
            return
        unseen = self.pending.unseen(self.data, now)
        if unseen:
            self._late_confirm_at = min(pending.deadline for pending in unseen)
            # What the charger applies late shows in the live state late too.
            self._confirm_live = self._confirm_live or any(
                pending.live for pending in unseen
            )
            self.planner.request_late_confirmation(
                self.device_id, self._late_confirm_at, now
            )

    def _learn_apply_wait(self, waiting: int, now: datetime, *, late: bool) -> None:
        """Learn from a confirmation read how long the charger takes to apply commands."""
        shown = waiting - len(self.pending.unseen(self.data))
        if shown <= 0:
            return
        if late:
            self.planner.applied_late(self.device_id, CONFIRM_WINDOW_S, now)
        elif shown == waiting:
            self.planner.applied_on_time(self.device_id, now)

    async def _read_state(self, now: datetime, kind: CallKind) -> None:
        with self._charged(kind, now):
            state = await self.client.get_current_state(self.device_id)
        data = self.data
        if data.settings != data.reported:
            # A pause or lock a charge lifted stays lifted until the next
            # settings read, whatever the car does next.
            data = data.holds_lifted()
        self.data = replace(data, state=state, state_at=now)

    async def _confirming_read(self, now: datetime) -> None:
        """Read the settings a command changed, one of the few tries it gets."""
        self._confirm_reads_left = max(self._confirm_reads_left - 1, 0)
        await self._read_reported(now, CallKind.CONFIRM)

    async def _read_reported(self, now: datetime, kind: CallKind) -> bool:
        """Read the settings; return whether the answer carried any.

        Usable settings, whatever asked for them, judge pending commands.
        """
        try:
            with self._charged(kind, now):
                reported = await self.client.get_reported(self.device_id)
        except V2CResponseError as err:
            if err.status is not None and err.status >= 300:
                raise
            # An answer without usable settings is not a charger that fails:
            # its live state reads fine, so the last settings (none at setup)
            # stay until the next settings read.
            _LOGGER.debug(
                "Settings of charger %s unusable: %s",
                self.label,
                err,
            )
            return False
        self.data = replace(self.data, reported=reported, reported_at=now)
        self._confirm_reads_left = 0
        # Settings read for any reason (a command's confirmation, a car held)
        # are as fresh as the periodic read: it waits its interval from here,
        # or a busy charger would pay for its settings twice.
        self.planner.maintenance_done(self._reported_key, now, REPORTED_REFRESH_S)
        return True

    async def _read_connected(self, now: datetime, kind: CallKind) -> bool:
        with self._charged(kind, now):
            connected = await self.client.is_connected(self.device_id)
        self.data = replace(self.data, connected=connected)
        # Any answer (an outage check, a lost command's) is as good as the
        # periodic check.
        self.planner.maintenance_done(self._connected_key, now, CONNECTED_CHECK_S)
        return connected
