"""The options-flow step that moves a charger to another Wi-Fi network.

A flow, not an action: Home Assistant records every action's data in the
`call_service` event, so a password given to an action lands in the database
and in error logs. What a user types into a flow is neither recorded nor logged.
"""

from __future__ import annotations

from typing import Any, Final

from homeassistant.config_entries import ConfigEntryState, ConfigFlowResult, OptionsFlow
from homeassistant.const import CONF_DEVICE, CONF_PASSWORD
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from .api import V2CValidationError, validation as check
from .coordinator import V2CChargerCoordinator, V2CConfigEntry

CONF_SSID = "ssid"
# The frontend translates a form's error key in the user's language but shows
# a placeholder as given: a failed command is told by an error key of its own,
# keyed by the command error's translation key, with that error's placeholders
# (a time, an HTTP status, the cloud's own reason), which need no translation.
WIFI_ERRORS: Final[dict[str, str]] = {
    "auth_failed": "wifi_auth_failed",
    "auth_unconfirmed_command": "wifi_auth_unconfirmed",
    "charger_offline": "wifi_charger_offline",
    "cloud_refused": "wifi_rejected",
    "communication_error": "wifi_cannot_connect",
    "quota_exhausted": "wifi_rate_limited",
    "throttled": "wifi_rate_limited",
}
PASSWORD_SELECTOR = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="new-password")
)


class WifiOptionsStep(OptionsFlow):
    """Ask for a charger, a network name and its password; send them once."""

    async def async_step_wifi(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Make a charger join another Wi-Fi network."""
        entry: V2CConfigEntry = self.config_entry
        if entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="not_loaded")
        chargers = entry.runtime_data.chargers
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            coordinator = chargers.get(str(user_input[CONF_DEVICE]))
            if coordinator is None:
                # The entry reloaded meanwhile and the charger left the account.
                return self.async_abort(reason="not_loaded")
            ssid = str(user_input[CONF_SSID])
            password = str(user_input.get(CONF_PASSWORD) or "")
            try:
                check.ssid(ssid)
                check.wifi_password(password)
            except V2CValidationError as err:
                field = CONF_SSID if err.parameter == "ssid" else CONF_PASSWORD
                errors[field] = f"invalid_{field}"
            else:
                try:
                    await coordinator.async_command(
                        lambda client, device_id, network: client.set_wifi(
                            device_id, *network
                        ),
                        (ssid, password),
                    )
                except HomeAssistantError as err:
                    # Its key, not str(err): that is English whatever the language.
                    key = WIFI_ERRORS.get(err.translation_key or "", "wifi_failed")
                    errors["base"] = key
                    placeholders.update(err.translation_placeholders or {})
                else:
                    return self.async_abort(
                        reason="wifi_changed", description_placeholders={"ssid": ssid}
                    )
        # The password is never offered back: a retry types it again.
        suggested = {
            key: value
            for key, value in (user_input or {}).items()
            if key != CONF_PASSWORD
        }
        return self.async_show_form(
            step_id="wifi",
            data_schema=self.add_suggested_values_to_schema(
                _schema(chargers), suggested
            ),
            errors=errors,
            description_placeholders=placeholders,
        )


def _schema(chargers: dict[str, V2CChargerCoordinator]) -> vol.Schema:
    """Return the form: which charger, which network, which password."""
    options = [
        SelectOptionDict(value=device_id, label=coordinator.pairing.tag or device_id)
        for device_id, coordinator in chargers.items()
    ]
    return vol.Schema(
        {
            vol.Required(CONF_DEVICE): SelectSelector(
                SelectSelectorConfig(options=options)
            ),
            vol.Required(CONF_SSID): TextSelector(),
            vol.Optional(CONF_PASSWORD): PASSWORD_SELECTOR,
        }
    )
