"""The account's coordinator: its chargers' pairings, and its quota as it moves on."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.update_coordinator import UpdateFailed

from .api import Pairing, V2CClient, V2CError
from .budget import CallKind, QuotaExhaustedError
from .const import DOMAIN
from .coordinator import MAX_TIMER_WAIT, MIN_TIMER_WAIT, V2CConfigEntry, _V2CCoordinator
from .error_mapping import V2CErrorMapper, translated
from .helpers import utcnow
from .metering import charged_as
from .session import SessionMark
from .store import V2CStore
from .unpairing import UnpairingCheck

PAIRINGS_REFRESH_S = 6 * 3600
# A pairings read that failed while other calls answer is tried again this
# long after it, the wait doubling after each failure until the regular read
# comes as soon: a cloud back from an outage is seen back within the hour, an
# endpoint that keeps failing costs two calls more on its first day.
PAIRINGS_RETRY = timedelta(hours=1)
ACCOUNT_TICK = timedelta(minutes=30)


class V2CAccountCoordinator(_V2CCoordinator[dict[str, Pairing]]):
    """The account's chargers, re-read every few hours when the budget allows."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: V2CConfigEntry,
        client: V2CClient,
        errors: V2CErrorMapper,
        *,
        store: V2CStore,
    ) -> None:
        """Tick often, but only spend a call when the pairings refresh is due."""
        super().__init__(hass, entry, f"{DOMAIN} account", ACCOUNT_TICK)
        self.client = client
        self.errors = errors
        # The chargers' session followers and offline moments start from it.
        self.store = store
        self.saved_sessions: Mapping[str, SessionMark] = store.sessions
        self.unpairing = UnpairingCheck()
        # The failure a tick without a read repeats until the pairings are read.
        self._failure: HomeAssistantError | None = None
        self._failed_at: datetime | None = None
        self._answers_at_failure = 0
        self._retry_wait = PAIRINGS_RETRY
        self._quota_listeners: list[CALLBACK_TYPE] = []
        self._unsub_reset: CALLBACK_TYPE | None = None

    @callback
    def async_add_quota_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call listener after each failed refresh and at each reset; return what removes it.

        Home Assistant tells the listeners of a failure once, not of the ticks
        repeating it, while what the planner shows moves on (the quota's
        window rolls over at the reset): the account's quota sensors follow
        every tick, as they do while the ticks succeed, and each reset. Not
        the account's other listeners: with polling off, one starts the
        history import after the calls the user's reads cause.
        """
        self._quota_listeners.append(listener)
        return lambda: self._quota_listeners.remove(listener)

    @callback
    def _async_tell_quota_listeners(self) -> None:
        for listener in list(self._quota_listeners):
            listener()

    @callback
    def _async_refresh_finished(self) -> None:
        if not self.last_update_success:
            self._async_tell_quota_listeners()

    @callback
    def async_follow_resets(self) -> CALLBACK_TYPE:
        """Show each reset of the quota as it passes; return what stops it.

        The quota sensors read the planner, whose window rolls over at the
        reset without a call; with polling off no tick would show it until
        the user's next read (yesterday's calls left, a reset in the past),
        nor lift the quota issue of the day before.
        """
        self._arm_reset(utcnow())
        return self._cancel_reset

    @callback
    def async_quota_moved(self) -> None:
        """Follow a header or a 429 that moved the reset, or the end of a refusal."""
        if self._unsub_reset is not None:
            self._cancel_reset()
            self._arm_reset(utcnow())

    def _arm_reset(self, now: datetime) -> None:
        planner = self.errors.planner
        # Called at every quota header: the moment alone, not the whole plan.
        moment = planner.quota_back_at(now)
        if (blocked := planner.blocked_until(now)) is not None:
            moment = min(moment, blocked)
        # A second past it, so the planner sees it passed.
        wait = min(max(moment - now, timedelta(0)), MAX_TIMER_WAIT) + MIN_TIMER_WAIT
        self._unsub_reset = async_call_later(self.hass, wait, self._async_reset_passed)

    @callback
    def _async_reset_passed(self, _: datetime) -> None:
        now = utcnow()
        self._unsub_reset = None
        if self.errors.planner.blocked_until(now) is None:
            self.errors.quota_back()
        self._async_tell_quota_listeners()
        self._arm_reset(now)

    @callback
    def _cancel_reset(self) -> None:
        if self._unsub_reset is not None:
            self._unsub_reset()
            self._unsub_reset = None

    async def _async_update_data(self) -> dict[str, Pairing]:
        now = utcnow()
        planner = self.errors.planner
        # Asked even at setup, so the setup read counts as this period's refresh.
        due = planner.maintenance_due("pairings", now, PAIRINGS_REFRESH_S)
        # An early list about a missing charger waits for the quota like any
        # call, and for a key the cloud keeps out of the API (its 6-hourly check).
        retry = self._retry_due(now)
        due = due or (
            (self.unpairing.due(now) or self.errors.key_in_doubt or retry)
            and planner.blocked_until(now) is None
            and not self.errors.forbidden
        )
        if self.data is not None and (not due or self.errors.reauth_pending()):
            if self._failure is not None:
                # Returning the list would log the pairings as recovered
                # although they were not read since: other calls answering
                # tell nothing of this one (the account's sensors read the
                # planner and stay available meanwhile).
                raise translated(
                    UpdateFailed,
                    self._failure.translation_key or "communication_error",
                    **(self._failure.translation_placeholders or {}),
                )
            return self.data
        if retry:
            # As good as the regular read: it waits its period from here.
            planner.maintenance_done("pairings", now, PAIRINGS_REFRESH_S)
        # Whatever its answer, it settles the doubt: a 403 confirms the key
        # lacks permission, an answer clears it.
        self.errors.key_in_doubt = False
        try:
            with charged_as(CallKind.MAINTENANCE, now):
                pairings = await self.client.get_pairings()
        except V2CError as err:
            # Not every tick while the cloud fails: the regular check decides.
            self.unpairing.leave_to_the_regular_check()
            self._note_failure(now)
            self._failure = self.errors.update_failed(err, now)
            raise self._failure from err
        self._failure = None
        self._failed_at = None
        self.errors.succeeded()
        read = {pairing.device_id: pairing for pairing in pairings}
        return self.unpairing.settle(self.data or {}, read, now)

    def _note_failure(self, now: datetime) -> None:
        """Put the next try of the failed pairings read off (see PAIRINGS_RETRY).

        Only a failure while other calls answered doubles the wait: one in a
        cloud that answers nothing tells nothing of this endpoint, and must
        not put off the read that shows the cloud back.
        """
        if self._failed_at is None:
            self._retry_wait = PAIRINGS_RETRY
        elif self.errors.answers > self._answers_at_failure:
            self._retry_wait *= 2
        self._failed_at = now
        self._answers_at_failure = self.errors.answers

    def _retry_due(self, now: datetime) -> bool:
        """Return True when the failed pairings read is tried before its regular turn.

        Once other calls answer after it: in an outage of the whole cloud
        only the regular read tries. Past a wait as long as the regular
        read's, that read is the retry, at the pace the planner keeps.
        """
        return (
            self._failed_at is not None
            and self.errors.answers > self._answers_at_failure
            and self._retry_wait < timedelta(seconds=PAIRINGS_REFRESH_S)
            and now >= self._failed_at + self._retry_wait
        )

    async def async_read[R](self, fetch: Callable[[V2CClient], Awaitable[R]]) -> R:
        """Run an on-demand read of the account for an action, paid like a charger's.

        The key's own account needs none of its chargers: an entry whose
        chargers another entry runs, or that has none left, still reads it.
        """
        if self.errors.reauth_pending():
            raise translated(HomeAssistantError, "auth_failed")
        now = utcnow()
        try:
            self.errors.planner.check_command(now)
            with charged_as(CallKind.COMMAND, now):
                return await fetch(self.client)
        except (V2CError, QuotaExhaustedError) as err:
            raise self.errors.command_failed(err, now) from err
