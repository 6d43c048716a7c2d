"""Map V2C client errors to Home Assistant's translated errors and repair issues."""

from __future__ import annotations

from datetime import datetime

from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    HomeAssistantError,
    ServiceValidationError,
)
from homeassistant.helpers.update_coordinator import UpdateFailed

from .api import (
    V2CAuthenticationError,
    V2CError,
    V2CRateLimitError,
    V2CResponseError,
    V2CThrottledError,
    V2CValidationError,
)
from .auth_guard import AuthGuard
from .budget import QuotaExhaustedError, QuotaPlanner, ThrottledError
from .const import DOMAIN, LOGGER
from .helpers import format_reset_time, utcnow
from .polling import ChargerOfflineError, client_error
from .repairs import (
    async_clear_key_forbidden,
    async_clear_quota_exhausted,
    async_report_key_forbidden,
    async_report_quota_exhausted,
)

FORBIDDEN = 403


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
        self.forbidden = False
        # A charger's 403s have lasted: the account's next refresh reads the
        # pairings, which tells a key without permission from a charger the
        # cloud refuses to this key.
        self.key_in_doubt = False
        # Calls answered so far: a coordinator that reads nothing this tick
        # tells from it whether the cloud answers again since its failure.
        self.answers = 0
        # After the unload a late answer must not raise or clear the entry's
        # issues: the entry may be deleted, its issues with it.
        self._closed = False

    def close(self) -> None:
        """Leave the entry's repair issues alone from now on."""
        self._closed = True

    def succeeded(self) -> None:
        """Note an answered call: earlier 401s were false and the quota is back."""
        self.answers += 1
        self.guard.success()
        self.forbidden = False
        self.quota_back()
        if not self._closed:
            async_clear_key_forbidden(self.hass, self.entry_id)

    def quota_back(self) -> None:
        """Withdraw the issue of a spent quota: its reset has passed."""
        if not self._closed:
            async_clear_quota_exhausted(self.hass, self.entry_id)

    def key_accepted_again(self) -> None:
        """Withdraw the request for a new key and start afresh with the old one."""
        if self.withdraw_reauth():
            self.hass.config_entries.async_schedule_reload(self.entry_id)

    def withdraw_reauth(self) -> bool:
        """Close the request for a new key, if any: the old one works again."""
        entry = self.hass.config_entries.async_get_entry(self.entry_id)
        if entry is None:
            return False
        flows = list(entry.async_get_active_flows(self.hass, {SOURCE_REAUTH}))
        if not flows:
            return True
        LOGGER.info(
            "V2C Cloud accepts the API key of %s again; re-authentication is no longer needed",
            entry.title,
        )
        for flow in flows:
            self.hass.config_entries.flow.async_abort(flow["flow_id"])
        return True

    def reauth_pending(self) -> bool:
        """Return True while the user is asked for a new key: the old one is rejected."""
        entry = self.hass.config_entries.async_get_entry(self.entry_id)
        return entry is not None and any(
            entry.async_get_active_flows(self.hass, {SOURCE_REAUTH})
        )

    def _rate_limited(self, now: datetime) -> datetime:
        """Tell the user and return when calls come back."""
        # The client's meter has told the planner already.
        calls_back_at = self.planner.blocked_until(now) or self.planner.reset_at
        if not self._closed:
            async_report_quota_exhausted(self.hass, self.entry_id, calls_back_at)
        return calls_back_at

    def _paused(self, err: Exception, now: datetime) -> bool:
        """Return True for a 429 that pauses calls without ending the day's quota.

        A full minute or hour window says nothing about the day; nor does a 429
        without any header while the planner's count leaves calls (the meter
        has told the planner, which decided).
        """
        return isinstance(err, V2CThrottledError) or (
            isinstance(err, V2CRateLimitError)
            and self.planner.paused_until(now) is not None
        )

    def _pause_ends(self, now: datetime) -> datetime | None:
        return self.planner.paused_until(now) or self.planner.blocked_until(now)

    def update_failed(
        self, err: V2CError, now: datetime, *, of_charger: bool = False
    ) -> HomeAssistantError:
        """Return the exception a refresh should raise for err.

        `of_charger`: err answered a read of one charger, not the account's.
        """
        if isinstance(err, V2CAuthenticationError):
            if self.guard.failure(now):
                return translated(ConfigEntryAuthFailed, "auth_failed")
            return translated(UpdateFailed, "auth_unconfirmed")
        if self._paused(err, now):
            return _throttled(UpdateFailed, self._pause_ends(now))
        if isinstance(err, V2CRateLimitError):
            reset = format_reset_time(self._rate_limited(now))
            return translated(UpdateFailed, "rate_limited", time=reset)
        if (
            isinstance(err, V2CResponseError)
            and err.status == FORBIDDEN
            and self.guard.failure(now)
        ):
            self._confirmed_forbidden(of_charger=of_charger)
        return translated(UpdateFailed, "communication_error", error=_cause(err))

    def charger_refused(self, err: V2CError) -> HomeAssistantError:
        """Return the exception for a read of a charger the key's account refuses.

        The key read the pairings since: the charger is the one refused.
        """
        return translated(UpdateFailed, "communication_error", error=_cause(err))

    def _confirmed_forbidden(self, *, of_charger: bool) -> None:
        """Act on 403s that have lasted: the key lacks permission, or a charger left.

        The cloud answers 403 to the reads of a charger moved to another
        account as well: only the key's own call, the pairings read, tells.
        """
        if of_charger and not self.forbidden:
            self.key_in_doubt = True
            return
        # Permission errors persist: poll rarely and tell the user once.
        self.forbidden = True
        if not self._closed:
            async_report_key_forbidden(self.hass, self.entry_id)

    def command_failed(self, err: Exception, now: datetime) -> HomeAssistantError:
        """Return the translated error a command should raise for err."""
        if isinstance(err, ChargerOfflineError):
            return translated(HomeAssistantError, "charger_offline")
        if isinstance(err, V2CValidationError):
            # The client's reason stays English: its many messages name the
            # values and bounds, and Home Assistant's own checks (entity bounds,
            # action schemas) refuse nearly every such value first, translated.
            return translated(
                ServiceValidationError,
                "invalid_value",
                parameter=err.parameter,
                error=str(err),
            )
        if isinstance(err, ThrottledError):
            return _throttled(HomeAssistantError, err.calls_back_at)
        if self._paused(err, now):
            return _throttled(HomeAssistantError, self._pause_ends(now))
        if isinstance(err, QuotaExhaustedError):
            return _quota_exhausted(err.calls_back_at)
        if isinstance(err, V2CRateLimitError):
            return _quota_exhausted(self._rate_limited(now))
        if isinstance(err, V2CAuthenticationError):
            if self.guard.failure(now):
                return translated(HomeAssistantError, "auth_failed")
            # The cloud answers false 401s during outages: one proves nothing.
            return translated(HomeAssistantError, "auth_unconfirmed_command")
        if isinstance(err, V2CResponseError) and client_error(err.status):
            # The cloud answered and said no: repeating it would not help.
            return translated(
                HomeAssistantError,
                "cloud_refused",
                status=str(err.status),
                reason=err.reason or err.excerpt or "-",
            )
        return translated(HomeAssistantError, "communication_error", error=_cause(err))


def _cause(err: Exception) -> str:
    """Name what went wrong: the HTTP status when the cloud answered an error."""
    if isinstance(err, V2CResponseError) and (err.status or 0) >= 300:
        return f"HTTP {err.status}"
    return type(err).__name__


def translated[E: HomeAssistantError](
    error_class: type[E], key: str, /, **placeholders: str
) -> E:
    """Build one of Home Assistant's translated errors."""
    return error_class(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


def _throttled[E: HomeAssistantError](
    error_class: type[E], calls_back_at: datetime | None
) -> E:
    return translated(
        error_class, "throttled", time=format_reset_time(calls_back_at or utcnow())
    )


def _quota_exhausted(calls_back_at: datetime | None) -> HomeAssistantError:
    return translated(
        HomeAssistantError, "quota_exhausted", time=format_reset_time(calls_back_at)
    )
