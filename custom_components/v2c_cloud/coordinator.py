"""Coordinators of the V2C Cloud integration, scheduled by the quota planner."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    HomeAssistantError,
    ServiceValidationError,
)
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import (
    Pairing,
    V2CAuthenticationError,
    V2CClient,
    V2CError,
    V2CRateLimitError,
    V2CResponseError,
    V2CValidationError,
)
from .auth_guard import AuthGuard
from .budget import CallKind, QuotaExhaustedError, QuotaPlanner
from .const import DOMAIN, LOGGER
from .helpers import format_reset_time, mask_device_id, utcnow
from .polling import CONFIRM_WINDOW_S, ChargerData, ChargerPoller, ValueReader
from .repairs import (
    OFFLINE_ISSUE_AFTER_S,
    async_clear_charger_offline,
    async_clear_legacy_rejected,
    async_clear_quota_exhausted,
    async_report_charger_offline,
    async_report_legacy_rejected,
    async_report_quota_exhausted,
)
from .store import V2CStore

PAIRINGS_REFRESH_S = 6 * 3600
ACCOUNT_TICK = timedelta(minutes=30)
BLOCKED_RECHECK = timedelta(minutes=15)
STALE_AFTER_MIN = timedelta(minutes=20)
RETIRED = frozenset({404, 405, 410})

type CommandSender = Callable[[V2CClient, str], Awaitable[object]]


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


class V2CErrorMapper:
    """Turn client errors into Home Assistant's, confirming 401s before reauth."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        planner: QuotaPlanner,
        guard: AuthGuard,
    ) -> None:
        """Share the entry's planner and auth guard."""
        self.hass = hass
        self.entry_id = entry_id
        self.planner = planner
        self.guard = guard

    def succeeded(self) -> None:
        """Note an answered call: earlier 401s were false and the quota is back."""
        self.guard.success()
        async_clear_quota_exhausted(self.hass, self.entry_id)

    def _rate_limited(self, err: V2CRateLimitError, now: datetime) -> None:
        self.planner.observe_rate_limited(now, err.reset_at)
        async_report_quota_exhausted(self.hass, self.entry_id, self.planner.reset_at)

    def update_failed(self, err: V2CError, now: datetime) -> Exception:
        """Return the exception a refresh should raise for err."""
        if isinstance(err, V2CAuthenticationError):
            if self.guard.failure(now):
                return ConfigEntryAuthFailed(
                    translation_domain=DOMAIN, translation_key="auth_failed"
                )
            return UpdateFailed(
                translation_domain=DOMAIN, translation_key="auth_unconfirmed"
            )
        if isinstance(err, V2CRateLimitError):
            self._rate_limited(err, now)
            return UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="rate_limited",
                translation_placeholders={
                    "time": format_reset_time(self.planner.reset_at)
                },
            )
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key="communication_error",
            translation_placeholders={"error": type(err).__name__},
        )

    def command_failed(self, err: Exception, now: datetime) -> HomeAssistantError:
        """Return the translated error a command should raise for err."""
        if isinstance(err, V2CValidationError):
            return ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="invalid_value",
                translation_placeholders={
                    "parameter": err.parameter,
                    "error": str(err),
                },
            )
        if isinstance(err, QuotaExhaustedError):
            return _quota_exhausted(err.calls_back_at)
        if isinstance(err, V2CRateLimitError):
            self._rate_limited(err, now)
            return _quota_exhausted(self.planner.reset_at)
        if isinstance(err, V2CAuthenticationError):
            self.guard.failure(now)
            return HomeAssistantError(
                translation_domain=DOMAIN, translation_key="auth_failed"
            )
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="communication_error",
            translation_placeholders={"error": type(err).__name__},
        )


def _quota_exhausted(calls_back_at: datetime | None) -> HomeAssistantError:
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="quota_exhausted",
        translation_placeholders={"time": format_reset_time(calls_back_at)},
    )


class V2CAccountCoordinator(DataUpdateCoordinator[dict[str, Pairing]]):
    """The account's chargers, re-read every few hours when the budget allows."""

    config_entry: V2CConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: V2CConfigEntry,
        client: V2CClient,
        errors: V2CErrorMapper,
    ) -> None:
        """Tick often, but only spend a call when the pairings refresh is due."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} account",
            update_interval=ACCOUNT_TICK,
        )
        self.client = client
        self.errors = errors

    async def _async_update_data(self) -> dict[str, Pairing]:
        now = utcnow()
        planner = self.errors.planner
        # Asked even at setup, so the setup read counts as this period's refresh.
        due = planner.maintenance_due("pairings", now, PAIRINGS_REFRESH_S)
        if self.data is not None and not due:
            return self.data
        planner.record_call(CallKind.MAINTENANCE, now)
        try:
            pairings = await self.client.get_pairings()
        except V2CError as err:
            raise self.errors.update_failed(err, now) from err
        self.errors.succeeded()
        return {pairing.device_id: pairing for pairing in pairings}


class V2CChargerCoordinator(DataUpdateCoordinator[ChargerData]):
    """One charger, read whenever the quota planner says it is worth a call."""

    config_entry: V2CConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: V2CConfigEntry,
        poller: ChargerPoller,
        pairing: Pairing,
        errors: V2CErrorMapper,
    ) -> None:
        """Create the coordinator; its own timer replaces a fixed update interval."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            # The tag (the user's name for the charger) tells chargers apart at a glance.
            name=" ".join(
                filter(
                    None,
                    (DOMAIN, "charger", pairing.tag, mask_device_id(pairing.device_id)),
                )
            ),
            update_interval=None,
            always_update=False,
        )
        self.poller = poller
        self.pairing = pairing
        self.errors = errors
        self.device_id = pairing.device_id
        self._unsub_timer: CALLBACK_TYPE | None = None
        self._offline_since: datetime | None = None
        self._planned_interval = timedelta(0)

    async def _async_update_data(self) -> ChargerData:
        now = utcnow()
        try:
            if self.data is None:
                data = await self.poller.first_refresh(now)
            else:
                data = await self.poller.refresh(now)
        except V2CError as err:
            raise self.errors.update_failed(err, now) from err
        self.errors.succeeded()
        self._track_connectivity(data, now)
        for key in self.poller.pending.settle(data, now):
            LOGGER.warning(
                "Charger %s did not apply %s within %d s; showing its real state",
                mask_device_id(self.device_id),
                key,
                CONFIRM_WINDOW_S,
            )
        return data

    def _track_connectivity(self, data: ChargerData, now: datetime) -> None:
        online = data.connected is not False
        if online != (self._offline_since is None):
            LOGGER.info(
                "Charger %s is %s the V2C Cloud",
                mask_device_id(self.device_id),
                "back on" if online else "offline from",
            )
        if online:
            self._offline_since = None
            async_clear_charger_offline(self.hass, self.device_id)
            return
        since = self._offline_since = self._offline_since or now
        if (now - since).total_seconds() >= OFFLINE_ISSUE_AFTER_S:
            name = self.pairing.tag or self.device_id
            async_report_charger_offline(self.hass, self.device_id, name, since)

    def is_stale(self, now: datetime) -> bool:
        """Return True when the newest data is too old to be shown as current."""
        data = self.data
        if data is None or data.state_at is None:
            return True
        tolerance = max(STALE_AFTER_MIN, 3 * self._planned_interval)
        return now - data.state_at > tolerance

    def value(self, key: str, read: ValueReader) -> object:
        """Return a command's optimistic value while pending, else what was read."""
        return self.poller.value(key, read) if self.data is not None else None

    async def async_command(
        self,
        send: CommandSender,
        *,
        key: str | None = None,
        value: object = None,
        read: ValueReader | None = None,
        legacy: str | None = None,
        live: bool = False,
    ) -> None:
        """Send a command: skip no-ops, coalesce bursts, confirm once, never a 429.

        `legacy` names a seed-only operation V2C may retire; a rejection of it
        raises a repair issue instead of looking like a passing cloud error.
        """
        if self.data is not None and self.data.connected is False:
            raise HomeAssistantError(
                translation_domain=DOMAIN, translation_key="charger_offline"
            )
        now = utcnow()
        try:
            confirm_at = await self.poller.command(
                now,
                lambda: send(self.poller.client, self.device_id),
                key=key,
                value=value,
                read=read,
                live=live,
            )
        except (V2CError, QuotaExhaustedError) as err:
            if legacy and isinstance(err, V2CResponseError) and err.status in RETIRED:
                async_report_legacy_rejected(self.hass, legacy)
            raise self.errors.command_failed(err, now) from err
        if legacy:
            async_clear_legacy_rejected(self.hass, legacy)
        if confirm_at is not None:
            self.async_update_listeners()
            self.async_schedule_refresh_at(confirm_at)

    async def async_read[T](self, fetch: Callable[[V2CClient, str], Awaitable[T]]) -> T:
        """Run an on-demand read for an action, paid from the command budget."""
        now = utcnow()
        planner = self.poller.planner
        try:
            planner.check_command(now)
            planner.record_call(CallKind.COMMAND, now, self.device_id)
            return await fetch(self.poller.client, self.device_id)
        except (V2CError, QuotaExhaustedError) as err:
            raise self.errors.command_failed(err, now) from err

    def async_schedule_refresh_at(self, when: datetime | None = None) -> None:
        """(Re)arm the timer for the planner's next read, or earlier when asked."""
        now = utcnow()
        planned = self.poller.next_refresh_at(now)
        # Staleness is judged against the rhythm the planner chose, so a run of
        # failed polls makes data stale after a few missed intervals.
        self._planned_interval = (planned - now) if planned else timedelta(0)
        candidates = [moment for moment in (when, planned) if moment is not None]
        target = min(candidates) if candidates else now + BLOCKED_RECHECK
        if self._unsub_timer is not None:
            self._unsub_timer()
        self._unsub_timer = async_track_point_in_utc_time(
            self.hass, self._async_timer_fired, max(target, now)
        )

    async def _async_timer_fired(self, _: datetime) -> None:
        self._unsub_timer = None
        await self.async_refresh()
        if not self.last_update_success:
            # The coordinator only notifies on the first failure; entities must
            # still re-check staleness as failures go on.
            self.async_update_listeners()
        self.async_schedule_refresh_at()

    async def async_shutdown(self) -> None:
        """Stop the planner's timer with the coordinator."""
        if self._unsub_timer is not None:
            self._unsub_timer()
            self._unsub_timer = None
        await super().async_shutdown()
