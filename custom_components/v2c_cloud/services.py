"""Actions of the V2C Cloud integration: the parts of the API no entity expresses."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_CONFIG_ENTRY_ID, ATTR_DEVICE_ID, ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .const import DOMAIN
from .coordinator import V2CChargerCoordinator, V2CConfigEntry
from .helpers import device_entry_id, own_identifiers
from .service_actions import ACTIONS, V2CAction
from .service_schemas import InvalidActionInputError


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )


def _loaded(hass: HomeAssistant, entry_id: str) -> V2CConfigEntry:
    """Return a loaded V2C Cloud config entry."""
    entry: V2CConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise _invalid("entry_not_found", entry_id=entry_id)
    if entry.state is not ConfigEntryState.LOADED:
        raise _invalid("entry_not_loaded", title=entry.title)
    return entry


def _charger_of_device(
    hass: HomeAssistant,
    device_id: str,
    *,
    account_wide: bool,
    unknown: ServiceValidationError,
) -> V2CChargerCoordinator | V2CConfigEntry:
    """Return the charger behind a device of the registry, or the account it stands for.

    For an account-wide read the account's own device stands for the account.
    `unknown` is raised for a device that is not a charger, naming what was given.
    """
    device = dr.async_get(hass).async_get(device_id)
    entry_id = device_entry_id(hass, device_id)
    if device is None or entry_id is None:
        raise unknown
    entry = _loaded(hass, entry_id)
    identifiers = own_identifiers(device)
    if account_wide and entry_id in identifiers:
        return entry
    chargers = entry.runtime_data.chargers
    for identifier in identifiers:
        if identifier in chargers:
            return chargers[identifier]
    raise unknown


def _charger_of_entity(
    hass: HomeAssistant, entity_id: str, *, account_wide: bool
) -> V2CChargerCoordinator | V2CConfigEntry:
    """Return the charger, or the account, one of this integration's entities belongs to."""
    unknown = _invalid("entity_not_found", entity_id=entity_id)
    if (device_id := _device_of_entity(hass, entity_id)) is None:
        raise unknown
    return _charger_of_device(
        hass, device_id, account_wide=account_wide, unknown=unknown
    )


def _device_of_entity(hass: HomeAssistant, reference: str) -> str | None:
    """Return the device of one of this integration's entities, by id or registry id."""
    registry = er.async_get(hass)
    entity_id = er.async_resolve_entity_id(registry, reference)
    entity = registry.async_get(entity_id) if entity_id is not None else None
    if entity is None or entity.platform != DOMAIN:
        return None
    return entity.device_id


def _any_charger(entry: V2CConfigEntry) -> V2CChargerCoordinator:
    """Return a charger of the account to pay for an account-wide read.

    The quota belongs to the API key, so any of them will do.
    """
    # Every charger may have been unpaired since setup, or be run by another
    # entry whose account shares it: the entry stays loaded.
    runtime = entry.runtime_data
    charger = next(iter(runtime.chargers.values()), None)
    if charger is None:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=(
                "chargers_run_elsewhere" if runtime.account.data else "no_chargers"
            ),
        )
    return charger


def _charger(
    hass: HomeAssistant, data: dict[str, Any], *, account_wide: bool
) -> V2CChargerCoordinator:
    """Return the charger an action targets, or one of the account's for account reads.

    The schema has left an account, or at least one device or entity id.
    """
    if ATTR_CONFIG_ENTRY_ID in data:
        return _any_charger(_loaded(hass, data[ATTR_CONFIG_ENTRY_ID]))
    named = [
        _charger_of_device(
            hass,
            device_id,
            account_wide=account_wide,
            unknown=_invalid("device_not_found", device_id=device_id),
        )
        for device_id in data.get(ATTR_DEVICE_ID, ())
    ] + [
        _charger_of_entity(hass, entity_id, account_wide=account_wide)
        for entity_id in data.get(ATTR_ENTITY_ID, ())
    ]
    # Counted once resolved: a target picked in the UI often names a charger
    # twice, by its device and one of its entities.
    targets = list(dict.fromkeys(named))
    if len(targets) > 1:
        # One answer and one error per call: across several chargers a failure
        # would leave the others done and the caller unable to tell which.
        raise InvalidActionInputError(
            ATTR_DEVICE_ID,
            "one charger at a time",
            translation_key="one_charger",
            placeholders={"count": str(len(targets))},
        )
    [target] = targets
    if isinstance(target, V2CChargerCoordinator):
        return target
    return _any_charger(target)


def _handler(
    action: V2CAction,
) -> Callable[[ServiceCall], Coroutine[Any, Any, ServiceResponse]]:
    """Return the service handler of an action."""

    async def handle(call: ServiceCall) -> ServiceResponse:
        data = dict(call.data)
        charger = _charger(call.hass, data, account_wide=action.account_wide)
        return await action.run(charger, data)

    return handle


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions."""
    for action in ACTIONS:
        hass.services.async_register(
            DOMAIN,
            action.name,
            _handler(action),
            schema=action.schema,
            supports_response=action.response,
        )
