"""The V2C Cloud integration."""

from __future__ import annotations

from homeassistant.const import CONF_API_KEY, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType

from .api import DEFAULT_BASE_URL, QuotaSnapshot, V2CClient
from .budget import PlannerSettings
from .const import (
    CONF_BASE_URL,
    CONF_COMMAND_RESERVE,
    CONF_POLL_IDLE,
    CONF_QUOTA_SHARE,
    DEFAULT_COMMAND_RESERVE,
    DEFAULT_POLL_IDLE,
    DEFAULT_QUOTA_SHARE,
    DOMAIN,
)
from .coordinator import (
    V2CAccountCoordinator,
    V2CChargerCoordinator,
    V2CConfigEntry,
    V2CErrorMapper,
    V2CRuntimeData,
)
from .helpers import utcnow
from .history import async_setup_history
from .migration import (
    async_migrate_entry as async_migrate_entry,
    async_report_removed_entities,
    async_take_over_entities,
)
from .polling import ChargerPoller
from .services import async_setup_services
from .store import V2CStore, async_remove_store

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.LOCK,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.TEXT,
]


CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions once, whatever the entries."""
    async_setup_services(hass)
    return True


def planner_settings(entry: V2CConfigEntry) -> PlannerSettings:
    """Build the planner's settings from the entry's options."""
    options = entry.options
    return PlannerSettings(
        quota_share=options.get(CONF_QUOTA_SHARE, DEFAULT_QUOTA_SHARE) / 100,
        command_reserve=int(options.get(CONF_COMMAND_RESERVE, DEFAULT_COMMAND_RESERVE)),
        poll_idle=options.get(CONF_POLL_IDLE, DEFAULT_POLL_IDLE),
    )


async def async_setup_entry(hass: HomeAssistant, entry: V2CConfigEntry) -> bool:
    """Set up V2C Cloud: one pairings call, then two calls per charger."""
    store = await V2CStore.async_load(hass, entry.entry_id, planner_settings(entry))
    planner, guard = store.planner, store.guard

    @callback
    def observe_quota(snapshot: QuotaSnapshot) -> None:
        planner.observe_quota(
            limit=snapshot.limit,
            remaining=snapshot.remaining,
            now=utcnow(),
            reset_after_s=snapshot.reset_after,
        )
        store.schedule_save()
        account.async_update_listeners()

    client = V2CClient(
        entry.data[CONF_API_KEY],
        session=async_get_clientsession(hass),
        base_url=entry.data.get(CONF_BASE_URL, DEFAULT_BASE_URL),
        quota_listener=observe_quota,
    )
    errors = V2CErrorMapper(hass, entry.entry_id, planner, guard)
    account = V2CAccountCoordinator(hass, entry, client, errors)
    try:
        await account.async_config_entry_first_refresh()
    finally:
        store.schedule_save()

    chargers: dict[str, V2CChargerCoordinator] = {}
    for device_id, pairing in account.data.items():
        poller = ChargerPoller(client, planner, device_id)
        coordinator = V2CChargerCoordinator(hass, entry, poller, pairing, errors)
        await coordinator.async_config_entry_first_refresh()
        chargers[device_id] = coordinator
    if not chargers:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN, translation_key="no_chargers"
        )

    entry.runtime_data = V2CRuntimeData(
        client=client,
        planner=planner,
        guard=guard,
        store=store,
        account=account,
        chargers=chargers,
    )
    _remove_stale_devices(hass, entry, set(chargers))
    for coordinator in chargers.values():
        coordinator.async_schedule_refresh_at()
        entry.async_on_unload(coordinator.async_shutdown)
    entry.async_on_unload(store.async_save)
    entry.async_on_unload(
        account.async_add_listener(lambda: _reload_if_pairings_changed(hass, entry))
    )
    removed = async_take_over_entities(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    async_report_removed_entities(hass, entry, removed)
    async_setup_history(hass, entry)
    return True


@callback
def _reload_if_pairings_changed(hass: HomeAssistant, entry: V2CConfigEntry) -> None:
    """Reload when chargers were paired or unpaired: setup builds devices from pairings."""
    runtime = entry.runtime_data
    if runtime.account.data is not None and set(runtime.account.data) != set(
        runtime.chargers
    ):
        hass.config_entries.async_schedule_reload(entry.entry_id)


def _remove_stale_devices(
    hass: HomeAssistant, entry: V2CConfigEntry, device_ids: set[str]
) -> None:
    """Remove devices of chargers no longer paired with the account."""
    registry = dr.async_get(hass)
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        if not any(
            domain == DOMAIN and identifier in device_ids
            for domain, identifier in device.identifiers
        ):
            registry.async_update_device(
                device.id, remove_config_entry_id=entry.entry_id
            )


async def async_unload_entry(hass: HomeAssistant, entry: V2CConfigEntry) -> bool:
    """Unload a config entry."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: V2CConfigEntry) -> None:
    """Delete the entry's stored quota state."""
    await async_remove_store(hass, entry.entry_id)
