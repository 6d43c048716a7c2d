"""The error mapper alone: edges the entry's flows seldom reach."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir

from custom_components.v2c_cloud.api import V2CAuthenticationError, V2CValidationError
from custom_components.v2c_cloud.auth_guard import (
    CONFIRM_AFTER,
    CONFIRM_FAILURES,
    AuthGuard,
)
from custom_components.v2c_cloud.budget import PlannerSettings, QuotaPlanner
from custom_components.v2c_cloud.const import DOMAIN
from custom_components.v2c_cloud.error_mapping import V2CErrorMapper

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


def _mapper(hass: HomeAssistant, entry_id: str = "gone") -> V2CErrorMapper:
    planner = QuotaPlanner(PlannerSettings(), now=NOW)
    return V2CErrorMapper(hass, entry_id, planner, AuthGuard())


async def test_a_key_accepted_again_for_a_removed_entry_reloads_nothing(
    hass: HomeAssistant,
) -> None:
    """An answer landing after the entry was removed has no reauth to withdraw."""
    mapper = _mapper(hass)
    assert mapper.withdraw_reauth() is False
    mapper.key_accepted_again()
    await hass.async_block_till_done()
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_lasting_403s_after_the_unload_raise_no_issue(
    hass: HomeAssistant,
) -> None:
    """The key is marked without permission, but a closed entry's issues stay as they are."""
    mapper = _mapper(hass)
    mapper.close()
    mapper._confirmed_forbidden(of_charger=False)
    assert mapper.forbidden
    assert not ir.async_get(hass).issues


async def test_a_value_the_client_refuses_is_a_translated_validation_error(
    hass: HomeAssistant,
) -> None:
    """The client's refusal reaches the user as the action's own error, translated."""
    error = _mapper(hass).command_failed(
        V2CValidationError("intensity", "must be 6-32"), NOW
    )
    assert isinstance(error, ServiceValidationError)
    assert error.translation_key == "invalid_value"
    assert error.translation_placeholders == {
        "parameter": "intensity",
        "error": "must be 6-32",
    }


async def test_401s_that_lasted_fail_a_command_as_a_rejected_key(
    hass: HomeAssistant,
) -> None:
    """One 401 proves nothing; enough of them over minutes say the key is rejected."""
    mapper = _mapper(hass)
    keys = [
        mapper.command_failed(V2CAuthenticationError("401"), NOW + step).translation_key
        for step in (timedelta(0), CONFIRM_AFTER / 2, CONFIRM_AFTER)
    ]
    assert len(keys) == CONFIRM_FAILURES
    assert keys == [
        "auth_unconfirmed_command",
        "auth_unconfirmed_command",
        "auth_failed",
    ]
