"""Base entity of the V2C Cloud integration."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .chargers import device_name, model_name, signal_charger_added
from .const import DOMAIN
from .coordinator import V2CChargerCoordinator, V2CConfigEntry
from .data import ChargerData
from .helpers import utcnow

CONFIGURATION_URL = "https://v2c.cloud"

type ChargerEntities = Callable[[V2CChargerCoordinator], Iterable[Entity]]
type DescribedEntity[D: EntityDescription] = Callable[
    [V2CChargerCoordinator, D], Entity
]
type PlatformSetup = Callable[
    [HomeAssistant, V2CConfigEntry, AddConfigEntryEntitiesCallback], Awaitable[None]
]


@callback
def async_add_charger_entities(
    hass: HomeAssistant,
    entry: V2CConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    entities: ChargerEntities,
) -> None:
    """Add each charger's entities now, and those of chargers paired later."""

    @callback
    def add(coordinator: V2CChargerCoordinator) -> None:
        added = list(entities(coordinator))
        async_add_entities(added)
        if coordinator.data.reported is None:
            _add_with_the_first_settings(
                entry, async_add_entities, entities, coordinator, added
            )

    for coordinator in entry.runtime_data.chargers.values():
        add(coordinator)
    entry.async_on_unload(
        async_dispatcher_connect(hass, signal_charger_added(entry.entry_id), add)
    )


@callback
def _add_with_the_first_settings(
    entry: V2CConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    entities: ChargerEntities,
    coordinator: V2CChargerCoordinator,
    added: list[Entity],
) -> None:
    """Add a charger's settings entities once its settings are first read.

    Settings the cloud could not tell at setup must not stay without entities
    until the next restart.
    """
    known = {entity.unique_id for entity in added}
    listening = True

    @callback
    def settings_read() -> None:
        if not listening or coordinator.data.reported is None:
            return
        stop_listening()
        async_add_entities(
            entity for entity in entities(coordinator) if entity.unique_id not in known
        )

    @callback
    def stop_listening() -> None:
        nonlocal listening
        if listening:
            listening = False
            remove()

    remove = coordinator.async_add_listener(settings_read)
    entry.async_on_unload(stop_listening)


def charger_platform[D: EntityDescription](
    entity: DescribedEntity[D],
    descriptions: Iterable[D],
    exists: Callable[[D, ChargerData], bool] | None = None,
) -> PlatformSetup:
    """Return a platform's `async_setup_entry`: one entity per description a charger has."""

    async def async_setup_entry(
        hass: HomeAssistant,
        entry: V2CConfigEntry,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        async_add_charger_entities(
            hass,
            entry,
            async_add_entities,
            lambda coordinator: (
                entity(coordinator, description)
                for description in descriptions
                if exists is None or exists(description, coordinator.data)
            ),
        )

    return async_setup_entry


class V2CEntity(CoordinatorEntity[V2CChargerCoordinator]):
    """An entity of one charger: shared device, unique id and availability."""

    _attr_has_entity_name = True

    def __init__(
        self, coordinator: V2CChargerCoordinator, description: EntityDescription
    ) -> None:
        """Attach the entity to its charger's device."""
        super().__init__(coordinator)
        self.entity_description = description
        device_id = coordinator.device_id
        self._attr_unique_id = f"{device_id}_{description.key}"
        reported = coordinator.data.reported if coordinator.data else None
        pairing = coordinator.pairing
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, device_id)},
            name=device_name(pairing),
            manufacturer="V2C",
            model=model_name(pairing.model),
            serial_number=device_id,
            sw_version=reported.firmware_version if reported else None,
            connections=coordinator.mac_connections(reported.mac if reported else None),
            configuration_url=CONFIGURATION_URL,
        )

    @property
    def available(self) -> bool:
        """Unavailable while the charger is offline or its data too old to trust."""
        return self._in_view and not self.coordinator.is_stale(utcnow())

    @property
    def _in_view(self) -> bool:
        """Return whether the charger was read and not last seen offline."""
        data = self.coordinator.data
        return data is not None and data.connected is not False


class V2CControlEntity(V2CEntity):
    """An entity that sends commands: usable as long as a command may go out."""

    @property
    def available(self) -> bool:
        """Also available while reads wait for the quota: commands keep their calls."""
        now = utcnow()
        return self._in_view and (
            not self.coordinator.is_stale(now) or self.coordinator.takes_commands(now)
        )
