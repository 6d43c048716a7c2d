"""Config flow for V2C Cloud."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from homeassistant.config_entries import (
    SOURCE_REAUTH,
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_API_KEY, PERCENTAGE
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import section
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol
from yarl import URL

from .api import (
    DEFAULT_BASE_URL,
    Pairing,
    V2CAuthenticationError,
    V2CClient,
    V2CConnectionError,
    V2CRateLimitError,
    V2CResponseError,
    V2CThrottledError,
    V2CValidationError,
)
from .budget import CallKind
from .chargers import registered_chargers
from .const import (
    CONF_BASE_URL,
    CONF_COMMAND_RESERVE,
    CONF_POLL_IDLE,
    CONF_QUOTA_SHARE,
    DEFAULT_COMMAND_RESERVE,
    DEFAULT_POLL_IDLE,
    DEFAULT_QUOTA_SHARE,
    DOMAIN,
    LOGGER,
)
from .coordinator import V2CConfigEntry
from .helpers import format_reset_time, quota_options, utcnow, without_credentials
from .metering import charged_as
from .setup_gate import async_forget_failures
from .wifi_flow import WifiOptionsStep

API_KEY_URL = "https://v2c.cloud"
REQUEST_TIMEOUT = 15.0
DAILY_CALL_LIMIT = 1000
# Statuses of a server that answers but has no V2C API at that path; the client
# follows no redirect (it would carry the key), so a redirect says the same.
NOT_AN_API = frozenset({301, 302, 303, 307, 308, 404, 405})

API_KEY_SELECTOR = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="off")
)
URL_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
# The server URL lives in a collapsed section: almost everyone keeps the default.
SECTION_ADVANCED = "advanced"
REAUTH_SCHEMA = vol.Schema({vol.Required(CONF_API_KEY): API_KEY_SELECTOR})
OPTIONS_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_QUOTA_SHARE, default=DEFAULT_QUOTA_SHARE): NumberSelector(
            NumberSelectorConfig(
                min=10,
                max=100,
                step=5,
                mode=NumberSelectorMode.SLIDER,
                unit_of_measurement=PERCENTAGE,
            )
        ),
        vol.Required(
            CONF_COMMAND_RESERVE, default=DEFAULT_COMMAND_RESERVE
        ): NumberSelector(
            NumberSelectorConfig(min=0, max=500, step=1, mode=NumberSelectorMode.BOX)
        ),
        vol.Required(CONF_POLL_IDLE, default=DEFAULT_POLL_IDLE): BooleanSelector(),
    }
)


@dataclass(slots=True)
class _Validation:
    """Outcome of checking an API key: the entry data and chargers, or form errors."""

    data: dict[str, str] = field(default_factory=dict)
    pairings: list[Pairing] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    placeholders: dict[str, str] = field(default_factory=dict)

    @property
    def device_ids(self) -> list[str]:
        """Return the account's device ids, sorted."""
        return sorted({pairing.device_id for pairing in self.pairings})


def _given_url(user_input: Mapping[str, Any] | None) -> str | None:
    """Return the server URL submitted in the form's section, None if it was left out.

    The section's schema fills in the shown URL, so a submitted section has one.
    """
    if user_input is None or SECTION_ADVANCED not in user_input:
        return None
    return str(user_input[SECTION_ADVANCED][CONF_BASE_URL])


def _normalize_url(value: str) -> str | None:
    """Return an http(s) server URL without trailing slash, or None if invalid."""
    url = value.strip().rstrip("/")
    try:
        parsed = URL(url)
    except ValueError:
        return None
    if (
        parsed.scheme not in ("http", "https")
        or not parsed.host
        or parsed.query_string
        or parsed.fragment
    ):
        return None
    return url


def _entry_title(pairings: list[Pairing]) -> str:
    """Name the entry after its only charger, or after the number of chargers."""
    if (count := len({pairing.device_id for pairing in pairings})) > 1:
        return f"V2C Cloud ({count} chargers)"
    tag = (pairings[0].tag or "").strip()
    return f"V2C Cloud {tag}" if tag else "V2C Cloud"


def _known_chargers(hass: HomeAssistant, entry: V2CConfigEntry) -> set[str]:
    """Return the device ids an entry knows: the chargers it has now.

    A loaded entry has the chargers it runs and those it has devices for (a
    disabled one, one a second pairings read has yet to confirm gone), not
    the one a unique id written at some past setup may name. An entry not
    loaded knows no more than its devices and its unique id.
    """
    known = registered_chargers(hass, entry)
    if entry.state is ConfigEntryState.LOADED:
        known |= set(entry.runtime_data.chargers)
    elif entry.unique_id:
        known.add(entry.unique_id)
    return known


def _entry_client(
    entry: V2CConfigEntry | None, api_key: str, url: str
) -> V2CClient | None:
    """Return the client of the loaded entry whose own key and server a flow checks.

    The check spends that entry's quota: through its client the meter charges
    it to the entry's planner (as a periodic read, under `charged_as`) and the
    answer's quota headers reach the planner, which would otherwise blame the
    call on other programs at its next header. An entry not loaded has no
    planner to charge: the first header after its next setup finds the call
    in the gap since its saved count, and books it on other programs. Another
    key, or another server, is another quota.
    """
    if (
        entry is None
        or entry.state is not ConfigEntryState.LOADED
        or api_key != entry.data[CONF_API_KEY]
        or url != entry.data.get(CONF_BASE_URL, DEFAULT_BASE_URL)
    ):
        return None
    return entry.runtime_data.client


def _max_command_reserve(entry: V2CConfigEntry, quota_share: int) -> int:
    """Return the largest reserve that still leaves half of the share for polling."""
    # A loaded entry knows its key's limit from the headers: smaller keys exist.
    limit = (
        entry.runtime_data.planner.limit
        if entry.state is ConfigEntryState.LOADED
        else DAILY_CALL_LIMIT
    )
    return limit * quota_share // 200


class V2CCloudConfigFlow(ConfigFlow, domain=DOMAIN):
    """Handle a config flow for V2C Cloud."""

    # Above the other V2C Cloud integration's 2, so its entries migrate (migration.py).
    VERSION = 3

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> V2CCloudOptionsFlow:
        """Return the options flow."""
        return V2CCloudOptionsFlow()

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the API key and, in a collapsed section, the server URL."""
        validation = _Validation()
        if user_input is not None:
            # Refused before the call: it would spend the configured key's quota.
            if self._entry_with_key(user_input) is not None:
                return self.async_abort(reason="already_configured")
            validation = await self._async_validate(user_input, DEFAULT_BASE_URL)
            if not validation.errors:
                return await self._async_create_entry(validation)
        return self.async_show_form(
            step_id="user",
            data_schema=self._key_schema(
                user_input, DEFAULT_BASE_URL, validation.errors
            ),
            errors=validation.errors,
            description_placeholders={"url": API_KEY_URL, **validation.placeholders},
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Start re-authentication after the cloud rejected the key."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a new API key of the same account."""
        entry = self._get_reauth_entry()
        validation = _Validation()
        if user_input is not None:
            if other := self._entry_with_key(user_input, entry):
                return self._abort_key_in_use(other)
            validation = await self._async_validate(
                user_input, entry.data.get(CONF_BASE_URL, DEFAULT_BASE_URL), entry
            )
            if not validation.errors:
                return await self._async_update_entry(entry, validation)
        return self.async_show_form(
            step_id="reauth_confirm",
            # Like the other forms, keep the typed key after an error.
            data_schema=self.add_suggested_values_to_schema(
                REAUTH_SCHEMA, user_input or {}
            ),
            errors=validation.errors,
            description_placeholders={
                "name": entry.title,
                "url": API_KEY_URL,
                **validation.placeholders,
            },
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the API key and, in a collapsed section, the server URL."""
        entry = self._get_reconfigure_entry()
        base_url = entry.data.get(CONF_BASE_URL, DEFAULT_BASE_URL)
        validation = _Validation()
        if user_input is not None:
            if other := self._entry_with_key(user_input, entry):
                return self._abort_key_in_use(other)
            validation = await self._async_validate(user_input, base_url, entry)
            if not validation.errors:
                return await self._async_update_entry(entry, validation)
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self._key_schema(user_input, base_url, validation.errors),
            errors=validation.errors,
            description_placeholders={
                "name": entry.title,
                "url": API_KEY_URL,
                **validation.placeholders,
            },
        )

    def _key_schema(
        self,
        user_input: Mapping[str, Any] | None,
        base_url: str,
        errors: Mapping[str, str],
    ) -> vol.Schema:
        """Return the key form, the server URL in a collapsed section.

        After an error the form keeps what was typed, the key included, so one
        wrong field does not mean typing everything again; a URL error opens
        the section, or the field it is about would stay hidden.
        """
        shown_url = _given_url(user_input)
        url_schema = vol.Schema(
            {
                vol.Required(
                    CONF_BASE_URL,
                    default=base_url if shown_url is None else shown_url,
                ): URL_SELECTOR
            }
        )
        # Optional: a client that leaves the section out keeps the current URL.
        schema = vol.Schema(
            {
                vol.Required(CONF_API_KEY): API_KEY_SELECTOR,
                vol.Optional(SECTION_ADVANCED): section(
                    url_schema, {"collapsed": SECTION_ADVANCED not in errors}
                ),
            }
        )
        if user_input and CONF_API_KEY in user_input:
            schema = self.add_suggested_values_to_schema(
                schema, {CONF_API_KEY: user_input[CONF_API_KEY]}
            )
        return schema

    async def _async_validate(
        self,
        user_input: Mapping[str, Any],
        base_url: str,
        entry: V2CConfigEntry | None = None,
    ) -> _Validation:
        """Check the key with one call to /pairings/me and map failures to errors.

        The call spends the quota of the key it checks: one of `entry` (the
        entry a reauth or reconfigure flow updates) goes through that entry's
        client if it is loaded (`_entry_client`), counted by its planner.
        """
        validation = _Validation()
        api_key = str(user_input[CONF_API_KEY]).strip()
        given_url = _given_url(user_input)
        url = _normalize_url(base_url if given_url is None else given_url)
        # URL errors go on the section: the frontend shows errors of top-level
        # fields only, and one on the section shows above it even when collapsed.
        if url is None:
            validation.errors[SECTION_ADVANCED] = "invalid_url"
        if not api_key:
            validation.errors["base"] = "invalid_auth"
        if url is None or not api_key:
            return validation
        try:
            # A key pasted across two lines cannot go in a header: the client
            # refuses it before any call, and no V2C key holds a line break.
            client = _entry_client(entry, api_key, url) or V2CClient(
                api_key,
                session=async_get_clientsession(self.hass),
                base_url=url,
                request_timeout=REQUEST_TIMEOUT,
            )
            with charged_as(CallKind.MAINTENANCE, utcnow()):
                validation.pairings = await client.get_pairings()
        except (V2CAuthenticationError, V2CValidationError):
            validation.errors["base"] = "invalid_auth"
        except V2CConnectionError:
            validation.errors["base"] = "cannot_connect"
        except V2CThrottledError:
            validation.errors["base"] = "throttled"
        except V2CRateLimitError as err:
            validation.errors["base"] = "rate_limited"
            validation.placeholders["reset_time"] = format_reset_time(err.reset_at)
        except V2CResponseError as err:
            if err.status is not None and err.status >= 500:
                validation.errors["base"] = "cannot_connect"
            elif err.status in NOT_AN_API:
                LOGGER.warning(
                    "No V2C Cloud API at %s (HTTP %s)",
                    without_credentials(url),
                    err.status,
                )
                validation.errors["base"] = "cannot_connect"
                # Only a form that shows the URL can have it corrected.
                if given_url is not None:
                    validation.errors[SECTION_ADVANCED] = "url_not_found"
                    validation.placeholders["default_url"] = DEFAULT_BASE_URL
            elif err.status == HTTPStatus.FORBIDDEN:
                validation.errors["base"] = "forbidden"
            elif err.status is None or 200 <= err.status < 300:
                # Something answered, but not with the API's data: a proxy's or
                # captive portal's page, or a reply cut short.
                LOGGER.warning(
                    "Answer from %s is not V2C Cloud API data: %s %s",
                    without_credentials(url),
                    err,
                    err.excerpt,
                )
                validation.errors["base"] = "invalid_response"
            else:
                LOGGER.warning(
                    "Unexpected answer from V2C Cloud: %s %s", err, err.excerpt
                )
                validation.errors["base"] = "unknown"
        except Exception:  # noqa: BLE001
            LOGGER.exception("Unexpected error while validating the API key")
            validation.errors["base"] = "unknown"
        else:
            if not validation.pairings:
                validation.errors["base"] = "no_chargers"
            validation.data[CONF_API_KEY] = api_key
            if url != DEFAULT_BASE_URL:
                validation.data[CONF_BASE_URL] = url
        return validation

    def _entry_with_key(
        self, user_input: Mapping[str, Any], updating: ConfigEntry | None = None
    ) -> ConfigEntry | None:
        """Return another entry that has the submitted API key, if any.

        Two entries on one key would spend one daily quota between them,
        each planning as if the calls left were its own.
        """
        if not (api_key := str(user_input[CONF_API_KEY]).strip()):
            return None
        return next(
            (
                entry
                for entry in self._async_current_entries(include_ignore=False)
                if entry is not updating and entry.data.get(CONF_API_KEY) == api_key
            ),
            None,
        )

    def _abort_key_in_use(self, other: ConfigEntry) -> ConfigFlowResult:
        """Refuse another entry's key, naming that entry."""
        return self.async_abort(
            reason="key_in_use", description_placeholders={"name": other.title}
        )

    def _new_account_unique_id(self, validation: _Validation) -> str | None:
        """Return the unique id of a new entry: its lowest charger no entry knows.

        V2C names no account, so an account is known by its chargers. One
        whose chargers configured entries all know already is refused (None):
        a new key of a configured account looks just like it, and its entry
        would run nothing, as each charger is run by one entry only. No
        entry's unique id is taken either: Home Assistant would refuse the
        new entry as configured already.
        """
        entries = self._async_current_entries(include_ignore=False)
        known = set[str]().union(
            *(_known_chargers(self.hass, entry) for entry in entries),
            (entry.unique_id for entry in entries if entry.unique_id),
        )
        return next((d for d in validation.device_ids if d not in known), None)

    def _is_own_account(self, entry: ConfigEntry, validation: _Validation) -> bool:
        """Return True when the key's chargers are best matched by this entry.

        An entry's account outlives the charger its unique id came from, so
        any charger the entry knows counts. Accounts may share chargers: the
        key is this entry's when the entry knows at least one of them and no
        other entry that may be losing its own key knows more. A loaded entry
        whose key works is not: the new key cannot be the one replacing it,
        and its account may share chargers with this one, which would
        otherwise lock this entry out of its own account's new key. Another
        entry that knows as many cannot be told from this one by what entries
        keep (a charger each runs): the entry being updated is then trusted.
        """
        paired = set(validation.device_ids)
        own = len(paired & _known_chargers(self.hass, entry))
        return own > 0 and all(
            len(paired & _known_chargers(self.hass, other)) <= own
            for other in self._async_current_entries(include_ignore=False)
            if other is not entry and self._may_lose_its_key(other)
        )

    def _may_lose_its_key(self, entry: ConfigEntry) -> bool:
        """Return True unless the entry is loaded and its key is not rejected.

        A loaded entry asks for a new key (reauth) once V2C has rejected its
        key; one not loaded may be failing on a revoked key unnoticed.
        """
        return entry.state is not ConfigEntryState.LOADED or any(
            entry.async_get_active_flows(self.hass, {SOURCE_REAUTH})
        )

    async def _async_create_entry(self, validation: _Validation) -> ConfigFlowResult:
        """Create the entry unless the account is configured already."""
        if (unique_id := self._new_account_unique_id(validation)) is None:
            return self.async_abort(reason="already_configured")
        await self.async_set_unique_id(unique_id, raise_on_progress=False)
        self._abort_if_unique_id_configured()
        return self.async_create_entry(
            title=_entry_title(validation.pairings), data=validation.data
        )

    async def _async_update_entry(
        self, entry: ConfigEntry, validation: _Validation
    ) -> ConfigFlowResult:
        """Store the new key and reload, if it belongs to the entry's account."""
        if not self._is_own_account(entry, validation):
            return self.async_abort(reason="wrong_account")
        # The key or server was just checked: no wait for the old one's failures.
        async_forget_failures(self.hass, entry.entry_id)
        return self.async_update_reload_and_abort(entry, data=validation.data)


class V2CCloudOptionsFlow(WifiOptionsStep, OptionsFlowWithReload):
    """Handle the quota options of a V2C Cloud entry, and Wi-Fi changes."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Offer the quota options or a charger's Wi-Fi network."""
        return self.async_show_menu(step_id="init", menu_options=["quota", "wifi"])

    async def async_step_quota(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the quota share, the command reserve and idle polling."""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            quota_share = int(user_input[CONF_QUOTA_SHARE])
            command_reserve = int(user_input[CONF_COMMAND_RESERVE])
            max_reserve = _max_command_reserve(self.config_entry, quota_share)
            if command_reserve <= max_reserve:
                options = {
                    CONF_QUOTA_SHARE: quota_share,
                    CONF_COMMAND_RESERVE: command_reserve,
                    CONF_POLL_IDLE: bool(user_input[CONF_POLL_IDLE]),
                }
                if options == quota_options(self.config_entry.options):
                    # Nothing the planner uses changes: options kept as they
                    # are (defaults included) are no change, and no reload
                    # makes the entities flash unavailable for three calls.
                    options = dict(self.config_entry.options)
                return self.async_create_entry(data=options)
            errors[CONF_COMMAND_RESERVE] = "reserve_too_large"
            placeholders["max_reserve"] = str(max_reserve)
        return self.async_show_form(
            step_id="quota",
            data_schema=self.add_suggested_values_to_schema(
                OPTIONS_SCHEMA, user_input or self.config_entry.options
            ),
            errors=errors,
            description_placeholders=placeholders,
        )
