"""Coordinators of the V2C Cloud integration, scheduled by the quota planner."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.update_coordinator import (
    REQUEST_REFRESH_DEFAULT_COOLDOWN,
    DataUpdateCoordinator,
    UpdateFailed,
)

from .api import Pairing, V2CClient, V2CError, V2CResponseError, mask_device_id
from .auth_guard import AuthGuard
from .budget import CallKind, QuotaExhaustedError, QuotaPlanner
from .const import DOMAIN, LOGGER
from .data import ChargerData
from .error_mapping import V2CErrorMapper, translated
from .helpers import entry_device, format_reset_time, own_identifiers, utcnow
from .metering import charged_as
from .pending import PendingValue, ValueReader
from .polling import (
    CONNECTED_CHECK_S,
    DUE_RECHECK,
    ChargerCall,
    ChargerOfflineError,
    ChargerPoller,
    PollerStoppedError,
    charger_label,
    maybe_taken,
)
from .repairs import (
    OFFLINE_ISSUE_AFTER_S,
    async_charger_offline_reported,
    async_clear_charger_offline,
    async_clear_legacy_rejected,
    async_report_charger_offline,
    async_report_legacy_rejected,
)
from .session import SessionFollower, SessionMark
from .store import V2CStore

if TYPE_CHECKING:
    from .account import V2CAccountCoordinator

BLOCKED_RECHECK = timedelta(minutes=15)
# With idle polling off an empty charger has no planned read: it is looked at
# (live state and any due checks) as often as its connectivity is checked.
UNPLANNED_RECHECK = timedelta(seconds=CONNECTED_CHECK_S)
# Live values outlast this many planned reads that fail, plus a margin for a
# slow answer; the Cloud connection sensor uses the same bound for any read.
STALE_AFTER_READS = 2
STALE_MARGIN = timedelta(minutes=5)
# A key without permission is retried this rarely: a few calls a day, not ~150.
FORBIDDEN_RECHECK = timedelta(hours=6)
# A timer never fires back to back: a fire that sends nothing and leaves its
# read overdue (a bug, a state not foreseen) must not become a busy loop.
MIN_TIMER_WAIT = timedelta(seconds=1)
# A wall clock this far from the loop's monotonic one was stepped (NTP), not
# drifting: dates timed on the loop are set right by it.
CLOCK_STEP = timedelta(minutes=1)
# Home Assistant runs one more refresh this long after a burst of updates
# asked for (its debouncer's trailing call); a read answered within it, plus
# a margin for the event loop, is as fresh as that refresh would be.
SHARED_READ = timedelta(seconds=REQUEST_REFRESH_DEFAULT_COOLDOWN + 2)
# No timer is armed further ahead than a day plus clock skew.
MAX_TIMER_WAIT = timedelta(hours=24, minutes=5)
# What the cloud answers about a charger that is not (or no longer) the key's.
UNKNOWN_CHARGER = frozenset({403, 404})
# A retired route is gone (404, 405, 410); a retired form on a path that stays,
# like the seed's timer body without `timerId`, is a bad request.
RETIRED = frozenset({400, 404, 405, 410})


@dataclass
class V2CRuntimeData:
    """Objects shared by the platforms of one config entry."""

    client: V2CClient
    planner: QuotaPlanner
    guard: AuthGuard
    store: V2CStore
    account: V2CAccountCoordinator
    chargers: dict[str, V2CChargerCoordinator]


type V2CConfigEntry = ConfigEntry[V2CRuntimeData]


class _V2CCoordinator[T](DataUpdateCoordinator[T]):
    """A coordinator of one V2C Cloud entry, logging under the integration's logger."""

    config_entry: V2CConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: V2CConfigEntry,
        name: str,
        update_interval: timedelta | None,
        *,
        always_update: bool = True,
    ) -> None:
        """Name the coordinator; only the account ticks on a fixed interval."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=name,
            update_interval=update_interval,
            always_update=always_update,
        )


def _charger_name(pairing: Pairing) -> str:
    """Name a charger's coordinator as the integration's own lines name the charger."""
    return f"{DOMAIN} charger {charger_label(pairing.device_id, pairing.tag)}"


def _refuses_the_charger(err: BaseException | None) -> bool:
    """Return True for the cloud's answer about a charger that is not the key's."""
    return isinstance(err, V2CResponseError) and err.status in UNKNOWN_CHARGER


class V2CChargerCoordinator(_V2CCoordinator[ChargerData]):
    """One charger, read whenever the quota planner says it is worth a call."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: V2CConfigEntry,
        poller: ChargerPoller,
        pairing: Pairing,
        errors: V2CErrorMapper,
        *,
        account: V2CAccountCoordinator,
        saved_session: SessionMark | None = None,
    ) -> None:
        """Create the coordinator; its own timer replaces a fixed update interval."""
        super().__init__(hass, entry, _charger_name(pairing), None, always_update=False)
        self.poller = poller
        self.pairing = pairing
        self.errors = errors
        self.account = account
        self.unpairing = account.unpairing
        self.device_id = pairing.device_id
        self._unsub_timer: CALLBACK_TYPE | None = None
        self._unsub_recheck: CALLBACK_TYPE | None = None
        self._shut_down = False
        self._store = account.store
        # Kept in the store: a reload or restart must not move the date the
        # offline issue gives, nor start its day over.
        self._offline_since = self._store.offline_since.get(self.device_id)
        # An issue raised before a restart or reload is cleared by the first
        # online read; later, only by one that ends an offline spell.
        self._offline_issue_may_exist = True
        # When this run saw the spell begin, on the loop's monotonic clock:
        # how long it lasts does not follow a wall clock stepped meanwhile.
        self._offline_began: float | None = None
        self._stale_logged = False
        self._planned_interval = BLOCKED_RECHECK
        self.last_read_at: datetime | None = None
        # When the last read asked for ended, answered, and the count of
        # command moves when it began: a command that began or ended since
        # (or while it was under way) makes it old news.
        self._asked_read_at: datetime | None = None
        self._asked_read_moves = 0
        # Moves as each command begins and ends.
        self._command_moves = 0
        # Unlike last_update_success, not set by a read the quota held back.
        self._read_failed = False
        # The firmware and MAC last given to the device registry.
        self._device_facts: tuple[str | None, str | None] | None = None
        self._mac_left_off: str | None = None
        self._timed_read: asyncio.Task[None] | None = None
        # When the timer whose refresh is under way (or waits its turn) fired,
        # None for a refresh asked for; _read_asked_for, whether one asked
        # for read the charger (its timer then follows the planner anew).
        self._timer_fired_at: datetime | None = None
        self._read_asked_for = False
        # The command values shown when the refresh under way started.
        self._shown: dict[str, PendingValue] | None = None
        self.session = SessionFollower(saved_session)
        # Home Assistant does not unload entries when it stops: a read due
        # then would spend a call and hold the stop up.
        entry.async_on_unload(
            hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, self._async_stopping)
        )

    @property
    def pairing(self) -> Pairing:
        """Return the charger as the account's list last gave it."""
        return self._pairing

    @pairing.setter
    def pairing(self, pairing: Pairing) -> None:
        self._pairing = pairing
        # A charger renamed in v2c.cloud goes by its new name in every line
        # about it, Home Assistant's and the integration's alike.
        self.poller.tag = pairing.tag
        self.name = _charger_name(pairing)

    @property
    def _on_timer(self) -> bool:
        """Return True while the refresh under way, or waiting its turn, is the timer's."""
        return self._timer_fired_at is not None

    async def _async_update_data(self) -> ChargerData:
        now = utcnow()
        self._shown = dict(self.poller.pending.values)
        if self._shares_asked_read(now):
            return self.data
        moves = self._command_moves
        blocked_until = self.poller.planner.blocked_until(now)
        if self.data is not None and blocked_until is not None and not self._on_timer:
            # A manual update must wait for the quota; the timer only runs a
            # command's confirmation then, paid like the command.
            reason = "throttled" if self.poller.planner.throttled(now) else None
            reset = format_reset_time(blocked_until)
            raise translated(UpdateFailed, reason or "quota_exhausted", time=reset)
        if self.data is not None and self.errors.reauth_pending():
            # The rejected key reads nothing; an update asked for tries it as
            # rarely as the timer does, the only try when polling is off.
            await self._probe_rejected_key(now)
            raise translated(UpdateFailed, "auth_failed")
        try:
            if self.data is None:
                # Again at each try: the store drops the moment while another
                # entry runs the charger.
                self._offline_since = self._store.offline_since.get(self.device_id)
                data = await self.poller.first_refresh(
                    now, check_connected=self._seen_offline()
                )
            else:
                self._read_asked_for = not self._on_timer
                data = await self.poller.refresh(
                    now, confirming=self._on_timer and not self.polled
                )
        except V2CError as err:
            self._read_failed = True
            if _refuses_the_charger(err):
                # Unpaired, most likely: the account's list confirms it soon.
                self.unpairing.read_refused(self.device_id, now)
                if self.device_id in self.unpairing.listed_since:
                    raise self.errors.charger_refused(err) from err
            failure = self.errors.update_failed(err, now, of_charger=True)
            if self.errors.key_in_doubt:
                # Before this charger's next read is planned: a key found
                # without permission holds it for hours.
                await self.account.async_refresh()
            raise failure from err
        self._read_failed = False
        self.errors.succeeded()
        if (check_failure := self.poller.check_failure) is not None:
            self._check_failed(check_failure, now)
        self.unpairing.read_fine(self.device_id)
        self.last_read_at = now
        self._track_connectivity(data, now)
        self._follow_device(data)
        # A refresh that read no live state hands the last reading on again.
        before = None if self.data is None else self.data.state
        # After an unload no event compares the reading: the saved mark stays
        # the one the events last compared with, and the next run reports it.
        if data.state is not None and data.state is not before and not self._shut_down:
            self.session.follow(data.state)
        if self._read_asked_for:
            self._asked_read_at = utcnow()
            self._asked_read_moves = moves
        return data

    def _shares_asked_read(self, now: datetime) -> bool:
        """Return True when this refresh shows the read just asked for, calling nothing.

        A read asked for is the charger's planned read until a command makes
        it old news (one sent since, or while it was under way). Home
        Assistant's trailing refresh after a burst of updates (within
        SHARED_READ) shows it. So does the timer's when the timer fired
        while that read was under way: decided before the read answered,
        its refresh, once its turn comes, reads only if the poller still has
        a read due (a timer's opening, a confirmation), and otherwise leaves
        the next read an interval after the one asked for.
        """
        asked_at = self._asked_read_at
        if (
            self.data is None
            or asked_at is None
            or self._asked_read_moves != self._command_moves
        ):
            return False
        fired_at = self._timer_fired_at
        if fired_at is None:
            return now - asked_at < SHARED_READ
        return asked_at >= fired_at and not self._read_due(now)

    def _read_due(self, now: datetime) -> bool:
        """Return True when the poller has a read due now: a poll or a confirmation."""
        if self.poller.confirmation_due(now):
            return True
        due = self.poller.next_refresh_at(now)
        return due is not None and due <= now

    def _check_failed(self, err: V2CError, now: datetime) -> None:
        """Judge a check that failed after the live state read fine as a failed read.

        A 401 counts for the auth guard and a day's 429 raises the quota
        issue; but the live values are fresh, so the refresh stands with
        them (a first one loads the charger, its connectivity unknown) and
        nothing is logged above debug: a check failing all day would log an
        error and a recovery at each of its turns. Judged after the answered
        reads reset the guard, one 401 cannot confirm a rejected key.
        """
        self.poller.check_failure = None
        # The error it returns is the failed refresh's, and this one loads.
        self.errors.update_failed(err, now, of_charger=True)

    @callback
    def _async_refresh_finished(self) -> None:
        shown, self._shown = self._shown, None
        if shown is not None and shown != self.poller.pending.values:
            # A value asked for that stops showing changes no data: Home
            # Assistant tells the entities only of new data or a new failure.
            self.async_update_listeners()
        if self._read_asked_for:
            self._read_asked_for = False
            # The read asked for was the charger's planned read: the timer
            # armed before it would read again at once.
            self.async_schedule_refresh_at()

    def _follow_device(self, data: ChargerData) -> None:
        """Show a new firmware (or a MAC first read) on the charger's device page.

        The entities give the device what the settings said when they were
        created; a firmware installed since would show on the sensor only.
        """
        reported = data.reported
        if reported is None:
            return
        facts = (reported.firmware_version, reported.mac)
        if facts == self._device_facts:
            return
        self._device_facts = facts
        # None before the entities first create it, with these very facts.
        device = entry_device(self.hass, self.config_entry.entry_id, self.device_id)
        if device is None:
            return
        firmware, mac = facts
        # The registry writes nothing when neither differs from what it has.
        dr.async_get(self.hass).async_update_device(
            device.id,
            sw_version=firmware or device.sw_version,
            merge_connections=self.mac_connections(mac),
        )

    @callback
    def mac_connections(self, mac: str | None) -> set[tuple[str, str]]:
        """Return the network connection the charger's device may show for a MAC.

        None while another device has the MAC (a router integration tracking
        the charger as a Wi-Fi client): the registry refuses it to an update,
        which would fail every first refresh, and lets a new device take it so
        that two devices claim one MAC.
        """
        if not mac:
            return set()
        connection = (dr.CONNECTION_NETWORK_MAC, dr.format_mac(mac))
        registry = dr.async_get(self.hass)
        # Through each entry's devices: Home Assistant deprecates reading the
        # registry's container of devices (2026.9) and looking one up alone.
        taken = any(
            connection in device.connections
            and self.device_id not in own_identifiers(device)
            for entry in self.hass.config_entries.async_entries()
            for device in dr.async_entries_for_config_entry(registry, entry.entry_id)
        )
        if not taken:
            return {connection}
        if mac != self._mac_left_off:
            # Every entity of the charger asks when created: one line is enough.
            self._mac_left_off = mac
            LOGGER.info(
                "The MAC address of charger %s is left off its device: "
                "a device of another integration already has it",
                self.poller.label,
            )
        return set()

    def _seen_offline(self) -> bool:
        """Return True when the charger was offline when last read, before this run.

        Its first read then checks: the cloud would serve its last report as
        live, and only a read showing it back clears its issue. The issue of
        a version that kept no offline moment tells as well.
        """
        return self._offline_since is not None or async_charger_offline_reported(
            self.hass, self.config_entry.entry_id, self.device_id
        )

    def _track_connectivity(self, data: ChargerData, now: datetime) -> None:
        if data.connected is None or self._shut_down:
            # Not read yet (a first read without a check): unknown is not
            # online, and an offline issue stays until a read shows it back.
            # Nor does a read in flight when the charger stopped (its device
            # disabled, say) touch the issue: nothing would clear it again.
            return
        online = data.connected
        if online != (self._offline_since is None):
            LOGGER.info(
                "Charger %s is %s the V2C Cloud",
                self.poller.label,
                "back on" if online else "offline from",
            )
        if online:
            self._offline_began = None
            self._note_offline_since(None)
            if self._offline_issue_may_exist:
                self._offline_issue_may_exist = False
                async_clear_charger_offline(
                    self.hass, self.config_entry.entry_id, self.device_id
                )
            return
        self._offline_issue_may_exist = True
        since = self._offline_spell_start(now)
        self._note_offline_since(since)
        if (now - since).total_seconds() >= OFFLINE_ISSUE_AFTER_S:
            # A persistent issue shows its name in every diagnostics file:
            # never the device id itself.
            name = self.pairing.tag or mask_device_id(self.device_id)
            async_report_charger_offline(
                self.hass, self.config_entry.entry_id, self.device_id, name, since
            )

    def _offline_spell_start(self, now: datetime) -> datetime:
        """Return when the offline spell began, by the wall clock as it reads now.

        A spell this run saw begin is timed on the loop's monotonic clock:
        dated by a wall clock that NTP stepped since (a Pi booted at an old
        time, a clock that ran ahead), the day-offline issue would come at
        once or a day late. One carried over a restart keeps its saved date.
        """
        loop_now = self.hass.loop.time()
        if self._offline_since is None or self._offline_began is None:
            if self._offline_since is None:
                self._offline_began = loop_now
            return self._offline_since or now
        began = now - timedelta(seconds=loop_now - self._offline_began)
        # The saved date moves only with a step of the clock, not at each read.
        if abs(began - self._offline_since) < CLOCK_STEP:
            return self._offline_since
        return began

    def _note_offline_since(self, since: datetime | None) -> None:
        """Keep the moment the charger went offline, in the store too."""
        self._offline_since = since
        stored = self._store.offline_since
        if self._shut_down or stored.get(self.device_id) == since:
            # A read in flight when the charger was unpaired must not save
            # what the store has just dropped.
            return
        if since is None:
            del stored[self.device_id]
        else:
            stored[self.device_id] = since
        self._store.schedule_save()

    def _log_staleness(self, now: datetime) -> None:
        """Log once when the live values turn unavailable for age, once when back.

        A failed read logs itself (and its recovery); values that age because
        reads wait for the quota would otherwise go unavailable without a word.
        A charger offline ages too, read or not: its offline line says why.
        """
        if self._stale_logged:
            if not self.is_stale(now):
                self._stale_logged = False
                LOGGER.info("Charger %s is read again", self.poller.label)
            return
        if (
            not self.last_update_success
            or self._offline_since is not None
            or not self.is_stale(now)
        ):
            return
        self._stale_logged = True
        held_until = self.poller.planner.blocked_until(now)
        # The values shown are the live state's: later reads (an offline
        # check, a confirmation) may have read the charger since.
        shown_at = None if self.data is None else self.data.state_at
        LOGGER.info(
            "Charger %s has not been read since %s; its values are unavailable%s",
            self.poller.label,
            shown_at.isoformat() if shown_at else "setup",
            f" until reads resume at {held_until.isoformat()} (quota)"
            if held_until
            else "",
        )

    def _too_old(self, read_at: datetime | None, now: datetime) -> bool:
        if read_at is None:
            return True
        if not self.polled:
            # Read on the user's schedule, values are as recent as they asked
            # for: only a read that failed makes them unusable.
            return self._read_failed
        bound = STALE_AFTER_READS * self._planned_interval + STALE_MARGIN
        return now - read_at > bound

    @property
    def polled(self) -> bool:
        """Return False when the user turned Home Assistant's polling off for the entry.

        Home Assistant reloads the entry when that system option changes, so
        the poller built at setup knows it.
        """
        return self.poller.polled

    @property
    def refused_by_the_cloud(self) -> bool:
        """Return True when the last read failed because the cloud refused this charger."""
        return _refuses_the_charger(getattr(self.last_exception, "__cause__", None))

    def is_stale(self, now: datetime) -> bool:
        """Return True when the live values are too old to be shown as current."""
        return self.data is None or self._too_old(self.data.state_at, now)

    def takes_commands(self, now: datetime) -> bool:
        """Return True while reads wait for the quota but a command has its call.

        The reserve is kept for commands, so their entities stay usable with
        the last values read: Home Assistant drops a service call on an
        unavailable entity without a word.
        """
        planner = self.poller.planner
        if self.errors.reauth_pending() or planner.blocked_until(now) is None:
            return False
        try:
            planner.check_command(now)
        except QuotaExhaustedError:
            return False
        return True

    def is_unreachable(self, now: datetime) -> bool:
        """Return True when no read of this charger has succeeded for too long."""
        return self._too_old(self.last_read_at, now)

    def value(self, key: str, read: ValueReader) -> object:
        """Return a command's optimistic value while pending, else what was read."""
        return self.poller.value(key, read) if self.data is not None else None

    async def async_command[T](
        self,
        send: ChargerCall[T, object],
        value: T,
        *,
        key: str | None = None,
        read: ValueReader | None = None,
        legacy: str | None = None,
        live: bool = False,
        may_start_or_stop: bool = True,
        confirmed: bool = True,
    ) -> None:
        """Send a command: skip no-ops, coalesce bursts, confirm once, never a 429.

        `legacy` names a seed-only operation V2C may retire; a rejection of it
        raises a repair issue instead of looking like a passing cloud error.
        A command not `confirmed` gets no read after it (see ChargerPoller.command).
        """
        self._check_key()
        now = utcnow()
        # A read asked for before the command, or under way when it began or
        # ended, showed no result of it: the next one asked for reads again.
        self._command_moves += 1
        try:
            confirm_at = await self.poller.command(
                now,
                send,
                value,
                key=key,
                read=read,
                live=live,
                may_start_or_stop=may_start_or_stop,
                confirmed=confirmed,
            )
        except PollerStoppedError as err:
            raise self._not_loaded() from err
        except (ChargerOfflineError, V2CError, QuotaExhaustedError) as err:
            if legacy and isinstance(err, V2CResponseError) and err.status in RETIRED:
                async_report_legacy_rejected(self.hass, legacy)
            if confirmed and maybe_taken(err):
                # The poller confirms it as an answered command.
                self.async_schedule_refresh_at(
                    self.poller.planner.confirmation_at(self.device_id, now)
                )
            raise self.errors.command_failed(err, now) from err
        finally:
            self._command_moves += 1
        if legacy:
            async_clear_legacy_rejected(self.hass, legacy)
        if confirm_at is not None:
            self.async_update_listeners()
            self.async_schedule_refresh_at(confirm_at)

    async def async_read[T, R](
        self, fetch: ChargerCall[T, R], value: T, *, of_charger: bool = False
    ) -> R:
        """Run an on-demand read for an action, paid from the command budget."""
        self._check_key()
        now = utcnow()
        try:
            return await self.poller.read(now, fetch, value, of_charger=of_charger)
        except PollerStoppedError as err:
            raise self._not_loaded() from err
        except (ChargerOfflineError, V2CError, QuotaExhaustedError) as err:
            raise self.errors.command_failed(err, now) from err

    def _not_loaded(self) -> HomeAssistantError:
        """Return the error of a call asked of a coordinator shut down meanwhile."""
        return translated(
            HomeAssistantError, "entry_not_loaded", title=self.config_entry.title
        )

    async def _probe_rejected_key(self, now: datetime) -> None:
        """Try the rejected key now and then with one pairings read.

        V2C has rejected valid keys during outages, for minutes or for days:
        the entry heals itself once the cloud accepts the key again.
        """
        if self.poller.planner.blocked_until(now) is not None:
            return
        if not self.errors.guard.probe_due(now):
            return
        try:
            with charged_as(CallKind.MAINTENANCE, now):
                await self.poller.client.get_pairings()
        except V2CError:
            return
        self.errors.succeeded()
        self.errors.key_accepted_again()

    def _check_key(self) -> None:
        """Refuse a call while the user is asked for a new key: the old one is rejected."""
        if self.errors.reauth_pending():
            raise translated(HomeAssistantError, "auth_failed")

    def async_schedule_refresh_at(self, when: datetime | None = None) -> None:
        """(Re)arm the timer for the planner's next read, or earlier when asked.

        The wait runs on the loop's monotonic clock: a wall clock moved back a
        day must not hold the timer for a day. The planner reasons in UTC and
        the wait is capped, so it is asked again at least once a day.
        """
        self._cancel_timer()
        if self._shut_down or self.hass.is_stopping:
            # A read in flight when its charger was unpaired, or when Home
            # Assistant stops, must not re-arm it.
            return
        now = utcnow()
        recheck = True
        try:
            delay = self._next_delay(now, when)
        except Exception as err:  # noqa: BLE001 - a broken plan must not end polling
            # Asked again, it would only fail again.
            recheck = False
            LOGGER.warning(
                "Could not plan the next read of charger %s (%s); retrying in %s",
                self.poller.label,
                type(err).__name__,
                BLOCKED_RECHECK,
            )
            # Not polled, the fallback would be a timed read the user turned off.
            delay = BLOCKED_RECHECK if self.polled else None
        if delay is None:
            return
        self._unsub_timer = async_call_later(
            self.hass, delay.total_seconds(), self._async_timer_fired
        )
        if recheck and delay > DUE_RECHECK:
            self._arm_recheck()

    def _arm_recheck(self) -> None:
        self._unsub_recheck = async_call_later(
            self.hass, DUE_RECHECK.total_seconds(), self._async_recheck
        )

    @callback
    def _async_recheck(self, _: datetime) -> None:
        """Read now if the planner's moment came before the timer's; a local check."""
        self._unsub_recheck = None
        if (
            self._unsub_timer is None
            or self.hass.is_stopping
            # Their timers keep a pace of their own, not the planner's: a
            # rejected or forbidden key must not be tried every 10 s.
            or self.errors.forbidden
            or self.errors.reauth_pending()
        ):
            return
        now = utcnow()
        try:
            due = self.poller.next_refresh_at(now)
        except Exception:  # noqa: BLE001 - the timer armed still fires
            return
        if due is None or due > now:
            self._arm_recheck()
            return
        self._cancel_timer()
        self._async_timer_fired(now)

    def _next_delay(self, now: datetime, when: datetime | None) -> timedelta | None:
        """Return how long to wait before the timer should fire next, None for never.

        With Home Assistant's polling turned off for the entry the user's
        `homeassistant.update_entity` reads the charger: the timer only runs
        the confirmations of commands sent, which are part of the command.
        """
        planned = self.poller.next_refresh_at(now)
        if not self.polled and (
            (when is None and planned is None) or self.errors.reauth_pending()
        ):
            # A rejected key is not probed on a timer either: the next update
            # the user asks for tries it.
            return None
        blocked_until = self.poller.planner.blocked_until(now)
        unplanned = BLOCKED_RECHECK if blocked_until else UNPLANNED_RECHECK
        # Staleness is judged against the rhythm the planner chose after the
        # last good read; retries after failures must not stretch it, and a
        # command's confirmation, due in seconds, must not shrink it.
        if self.last_update_success and self.polled:
            interval_s = self.poller.planner.poll_interval_s(self.device_id, now)
            self._planned_interval = (
                unplanned if interval_s is None else timedelta(seconds=interval_s)
            )
        if self.errors.forbidden:
            target = now + FORBIDDEN_RECHECK
        elif self.errors.reauth_pending():
            # Nothing is read until the user answers; wake to see whether they did.
            target = now + BLOCKED_RECHECK
        elif blocked_until is not None:
            # Wake at the reset, or earlier to re-check the (UTC) quota without
            # a call or to confirm a command (from the reserve it was sent from).
            moments = (blocked_until, now + BLOCKED_RECHECK, planned)
            target = min(moment for moment in moments if moment is not None)
        else:
            candidates = [moment for moment in (when, planned) if moment is not None]
            target = min(candidates) if candidates else now + unplanned
        return min(max(target - now, MIN_TIMER_WAIT), MAX_TIMER_WAIT)

    def _may_poll(self, now: datetime) -> bool:
        """Return False while the quota is out or the key awaits re-authentication.

        Read on its user's schedule, the charger is read on the timer only to
        confirm a command. That confirmation is part of the command: while
        polling waits for the quota it reads as long as a command could, and
        so does the check that shows a charger last seen offline back.
        """
        if self.errors.reauth_pending():
            return False
        if self.poller.planner.blocked_until(now) is None:
            return self.polled or self.poller.confirmation_due(now)
        return self.poller.offline_check_due(now) or (
            self.poller.confirmation_due(now)
            and self.takes_commands(now)
            and self.poller.can_confirm(now)
        )

    def _cancel_timer(self) -> None:
        if self._unsub_timer is not None:
            self._unsub_timer()
            self._unsub_timer = None
        self._cancel_recheck()

    def _cancel_recheck(self) -> None:
        if self._unsub_recheck is not None:
            self._unsub_recheck()
            self._unsub_recheck = None

    @callback
    def _async_stopping(self, _: Event) -> None:
        self._cancel_timer()
        # The stop would wait for a cloud that may take its whole timeout.
        if self._timed_read is not None:
            self._timed_read.cancel()

    @callback
    def _async_timer_fired(self, _: datetime) -> None:
        self._unsub_timer = None
        self._cancel_recheck()
        if self.hass.is_stopping:
            return
        # Not the entry's task: its unload must not wait for a read in flight.
        self._timed_read = self.hass.async_create_task(
            self._async_timed_read(),
            f"{DOMAIN} read charger {mask_device_id(self.device_id)}",
        )

    async def _async_timed_read(self) -> None:
        try:
            now = utcnow()
            polled = self._may_poll(now)
            # A confirmation alone may settle a command on settings that came
            # back unchanged or unusable: the data then looks the same.
            confirming_only = not self.polled or (
                self.poller.planner.blocked_until(now) is not None
            )
            if polled:
                self._timer_fired_at = now
                try:
                    await self.async_refresh()
                finally:
                    self._timer_fired_at = None
            elif self.errors.reauth_pending():
                await self._probe_rejected_key(now)
            else:
                self.poller.skip_confirmation(now)
            # The coordinator only notifies on the first failure and after a
            # success; entities must still re-check staleness in between.
            if not polled or not self.last_update_success or confirming_only:
                self.async_update_listeners()
            self._log_staleness(utcnow())
        except Exception:  # noqa: BLE001
            # A failing listener (a value an entity cannot show) must not end
            # polling: log it and carry on with the next read.
            LOGGER.exception(
                "Unexpected error while refreshing charger %s",
                self.poller.label,
            )
        finally:
            self.async_schedule_refresh_at()

    async def async_shutdown(self) -> None:
        """Stop the planner's timer and the poller's calls with the coordinator, for good.

        A refresh under way sends no read after the one in flight: after an
        unload nothing would count it.
        """
        self._shut_down = True
        self.poller.stop()
        self._cancel_timer()
        await super().async_shutdown()
