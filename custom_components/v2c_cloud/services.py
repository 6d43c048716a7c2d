"""Actions of the V2C Cloud integration: the parts of the API no entity expresses."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_CONFIG_ENTRY_ID, ATTR_DEVICE_ID, ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .account import V2CAccountCoordinator
from .chargers import charger_runner
from .const import DOMAIN
from .coordinator import V2CChargerCoordinator, V2CConfigEntry
from .helpers import device_entry_id, own_identifiers
from .service_actions import ACTIONS, V2CAccountAction, V2CAction
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


def _account_of_device(hass: HomeAssistant, device_id: str) -> V2CConfigEntry | None:
    """Return the loaded entry whose account's own device this is, if it is one."""
    device = dr.async_get(hass).async_get(device_id)
    entry_id = device_entry_id(hass, device_id)
    if device is None or entry_id is None or entry_id not in own_identifiers(device):
        return None
    return _loaded(hass, entry_id)


def _charger_of_device(
    hass: HomeAssistant, device_id: str, unknown: ServiceValidationError
) -> V2CChargerCoordinator:
    """Return the charger behind a device of the registry.

    A charger two accounts share is run by one of their entries, while before
    Home Assistant 2026.8 its one device lists both, in no useful order: the
    entry running it answers, whichever entries the device lists.
    `unknown` is raised for a device that is not a charger, naming what was given.
    """
    device = dr.async_get(hass).async_get(device_id)
    entry_id = device_entry_id(hass, device_id)
    if device is None or entry_id is None:
        raise unknown
    identifiers = own_identifiers(device)
    for identifier in identifiers:
        runner = charger_runner(hass, identifier)
        if runner is None:
            continue
        chargers = _loaded(hass, runner).runtime_data.chargers
        if identifier in chargers:
            return chargers[identifier]
    # Run by no entry: the device's own entry says why (not loaded, say).
    chargers = _loaded(hass, entry_id).runtime_data.chargers
    for identifier in identifiers:
        if identifier in chargers:
            return chargers[identifier]
    raise unknown


def _device_of_entity(hass: HomeAssistant, reference: str) -> str | None:
    """Return the device of one of this integration's entities, by id or registry id."""
    registry = er.async_get(hass)
    entity_id = er.async_resolve_entity_id(registry, reference)
    entity = registry.async_get(entity_id) if entity_id is not None else None
    if entity is None or entity.platform != DOMAIN:
        return None
    return entity.device_id


def _one_target[T](
    hass: HomeAssistant,
    data: dict[str, Any],
    of_device: Callable[[str, ServiceValidationError], T],
) -> T:
    """Return what the one charger, or account, an action names stands for.

    The schema has left at least one device or entity id.
    """
    named = [
        of_device(device_id, _invalid("device_not_found", device_id=device_id))
        for device_id in data.get(ATTR_DEVICE_ID, ())
    ]
    for entity_id in data.get(ATTR_ENTITY_ID, ()):
        unknown = _invalid("entity_not_found", entity_id=entity_id)
        if (device_id := _device_of_entity(hass, entity_id)) is None:
            raise unknown
        named.append(of_device(device_id, unknown))
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
    return target


def _charger(hass: HomeAssistant, data: dict[str, Any]) -> V2CChargerCoordinator:
    """Return the charger an action targets."""
    return _one_target(
        hass,
        data,
        lambda device_id, unknown: _charger_of_device(hass, device_id, unknown),
    )


def _account(hass: HomeAssistant, data: dict[str, Any]) -> V2CAccountCoordinator:
    """Return the account an action on the key's account targets.

    The account's own device stands for it; a charger, for the account of the
    entry that runs it.
    """
    if ATTR_CONFIG_ENTRY_ID in data:
        return _loaded(hass, data[ATTR_CONFIG_ENTRY_ID]).runtime_data.account

    def of_device(
        device_id: str, unknown: ServiceValidationError
    ) -> V2CChargerCoordinator | V2CConfigEntry:
        if (entry := _account_of_device(hass, device_id)) is not None:
            return entry
        return _charger_of_device(hass, device_id, unknown)

    target = _one_target(hass, data, of_device)
    entry: V2CConfigEntry = (
        target.config_entry if isinstance(target, V2CChargerCoordinator) else target
    )
    return entry.runtime_data.account


def _handler(
    action: V2CAction | V2CAccountAction,
) -> Callable[[ServiceCall], Coroutine[Any, Any, ServiceResponse]]:
    """Return the service handler of an action."""

    async def handle(call: ServiceCall) -> ServiceResponse:
        data = dict(call.data)
        if isinstance(action, V2CAccountAction):
            return await action.run(_account(call.hass, data), data)
        return await action.run(_charger(call.hass, data), data)

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
