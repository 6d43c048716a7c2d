"""The V2C Cloud integration."""

from __future__ import annotations

from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    ConfigEntry,
    ConfigEntryChange,
    ConfigEntryState,
)
from homeassistant.const import CONF_API_KEY, EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    ConfigEntryNotReady,
    HomeAssistantError,
)
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.typing import ConfigType

from .account import V2CAccountCoordinator
from .api import DEFAULT_BASE_URL, QuotaSnapshot, V2CClient
from .budget import PlannerSettings
from .chargers import (
    async_hold_if_disabled,
    async_let_go,
    async_take_charger,
    async_track_pairings,
    charger_coordinator,
    charger_disabled,
    own_chargers,
    run_elsewhere,
)
from .const import (
    CONF_BASE_URL,
    CONF_COMMAND_RESERVE,
    CONF_POLL_IDLE,
    CONF_QUOTA_SHARE,
    DOMAIN,
)
from .coordinator import (
    FORBIDDEN_RECHECK,
    V2CChargerCoordinator,
    V2CConfigEntry,
    V2CRuntimeData,
)
from .error_mapping import V2CErrorMapper
from .handover import async_carry_over_commands, async_forget_handover
from .helpers import own_identifiers, quota_options, utcnow
from .history import async_setup_history
from .metering import PlannerMeter
from .migration import (
    async_migrate_entry as async_migrate_entry,
    async_report_removed_entities,
    async_take_over_entities,
)
from .repairs import (
    async_clear_device_offline,
    async_delete_domain_issues,
    async_delete_entry_issues,
    async_delete_self_clearing_issues,
)
from .services import async_setup_services
from .session import SessionMark
from .setup_gate import SetupGate, async_forget_entry
from .store import V2CStore, async_remove_store, quota_id

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

    @callback
    def entry_changed(change: ConfigEntryChange, entry: ConfigEntry) -> None:
        # Also for an entry disabled while its setup was retrying, which Home
        # Assistant stops without calling async_unload_entry.
        if (
            change is ConfigEntryChange.UPDATED
            and entry.domain == DOMAIN
            and entry.disabled_by is not None
            and entry.state is ConfigEntryState.NOT_LOADED
        ):
            async_delete_self_clearing_issues(
                hass, entry.entry_id, _devices_with_issues(hass, entry)
            )

    async_dispatcher_connect(hass, SIGNAL_CONFIG_ENTRY_CHANGED, entry_changed)
    return True


def planner_settings(entry: V2CConfigEntry) -> PlannerSettings:
    """Build the planner's settings from the entry's options."""
    options = quota_options(entry.options)
    return PlannerSettings(
        quota_share=options[CONF_QUOTA_SHARE] / 100,
        command_reserve=options[CONF_COMMAND_RESERVE],
        poll_idle=options[CONF_POLL_IDLE],
    )


async def async_setup_entry(hass: HomeAssistant, entry: V2CConfigEntry) -> bool:
    """Set up V2C Cloud: one pairings call, then two calls per charger."""
    api_key = entry.data[CONF_API_KEY]
    base_url = entry.data.get(CONF_BASE_URL, DEFAULT_BASE_URL)
    store = await V2CStore.async_load(
        hass, entry.entry_id, planner_settings(entry), quota_id(api_key, base_url)
    )
    planner = store.planner
    gate = SetupGate(hass, entry.entry_id)
    gate.check(planner, utcnow())
    # However the entry ends, a failed setup included, its last write marks
    # the file closed: only a crash leaves calls uncounted (SAVE_DELAY_S). The
    # next attempt loads a new store: its calls and any 429 must be on disk.
    # An attempt the gate stopped made no call, and writes nothing.
    entry.async_on_unload(store.async_close)
    entry.async_on_unload(
        hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, store.async_stopping)
    )
    account = _account_coordinator(hass, entry, store, api_key, base_url)
    chargers, unread = await _async_gated_first_reads(hass, entry, account, store, gate)
    entry.runtime_data = V2CRuntimeData(
        client=account.client,
        planner=planner,
        guard=store.guard,
        store=store,
        account=account,
        chargers=chargers,
    )
    # A charger the first pairings read left out keeps its device until a
    # second read agrees it is gone; one it listed (held for its disabled
    # device, refused, left for later) is no suspect. A device another entry
    # shares is not waited for: leaving it takes nothing from that entry. So
    # is the charger the unique id names, device or not (the user may have
    # deleted it): once confirmed gone, the unique id follows the chargers
    # run. Only one the planner knows: another integration's id names none.
    suspects = own_chargers(hass, entry)
    if entry.unique_id in planner.chargers_known:
        suspects.add(entry.unique_id)
    account.unpairing.suspect(suspects - set(account.data), utcnow())
    async_carry_over_commands(hass, entry)
    store.follow_sessions(lambda: _session_marks(entry))
    for coordinator in chargers.values():
        coordinator.async_schedule_refresh_at()
    entry.async_on_unload(lambda: gate.leaving(planner, utcnow()))
    async_track_pairings(hass, entry, unread)
    removed = async_take_over_entities(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # The setup's save came before the entities took the first readings in.
    store.save_soon()
    async_report_removed_entities(hass, entry, removed)
    async_setup_history(hass, entry)
    return True


def _account_coordinator(
    hass: HomeAssistant,
    entry: V2CConfigEntry,
    store: V2CStore,
    api_key: str,
    base_url: str,
) -> V2CAccountCoordinator:
    """Return the account's coordinator; the planner counts its client's calls and quota."""
    planner = store.planner

    @callback
    def quota_changed() -> None:
        """Save the planner and show its new count: after a header or a 429."""
        store.schedule_save()
        account.async_update_listeners()
        account.async_quota_moved()

    @callback
    def observe_quota(snapshot: QuotaSnapshot) -> None:
        planner.observe_quota(
            limit=snapshot.limit,
            remaining=snapshot.remaining,
            now=utcnow(),
            reset_after_s=snapshot.reset_after,
            # This answer's request is one of them.
            others_in_flight=client.calls_in_flight - 1,
        )
        quota_changed()

    client = V2CClient(
        api_key,
        session=async_get_clientsession(hass),
        base_url=base_url,
        quota_listener=observe_quota,
        call_listener=PlannerMeter(
            planner, counted=store.schedule_save, quota_changed=quota_changed
        ),
    )
    errors = V2CErrorMapper(hass, entry.entry_id, planner, store.guard)
    entry.async_on_unload(errors.close)
    # Also when the setup fails: another entry may run the chargers meanwhile.
    entry.async_on_unload(lambda: async_let_go(hass, entry))
    account = V2CAccountCoordinator(hass, entry, client, errors, store=store)
    return account


async def _async_gated_first_reads(
    hass: HomeAssistant,
    entry: V2CConfigEntry,
    account: V2CAccountCoordinator,
    store: V2CStore,
    gate: SetupGate,
) -> tuple[dict[str, V2CChargerCoordinator], set[str]]:
    """Run the first reads; after a failure the gate spaces out the next attempt."""
    errors = account.errors
    try:
        chargers, unread = await _async_first_reads(account)
    except ConfigEntryAuthFailed as err:
        # V2C has rejected valid keys for days during outages, and a failed
        # setup has no timer to try the key again: ask for a new key, and keep
        # retrying the old one as rarely as a running entry probes it.
        entry.async_start_reauth(hass)
        gate.failed(utcnow(), at_least=store.guard.probed(utcnow()))
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN, translation_key="auth_failed"
        ) from err
    except ConfigEntryNotReady as err:
        # A key V2C forbids stays forbidden for hours: retry as rarely as polling would.
        gate.failed(utcnow(), at_least=FORBIDDEN_RECHECK if errors.forbidden else None)
        raise _with_translated_reason(err) from err.__cause__
    await store.async_save()
    gate.succeeded()
    errors.withdraw_reauth()
    return chargers, unread


def _with_translated_reason(err: ConfigEntryNotReady) -> ConfigEntryNotReady:
    """Return the setup failure with its reason's translation key, whatever raised it.

    Home Assistant's async_config_entry_first_refresh turns a refresh's
    translated UpdateFailed into a bare ConfigEntryNotReady: the entry would
    keep only the English text, and the integrations page would show it in
    every language. The failure then takes its cause's key and placeholders.
    """
    cause = err.__cause__
    if (
        err.translation_key is not None
        or not isinstance(cause, HomeAssistantError)
        or cause.translation_domain != DOMAIN
        or cause.translation_key is None
    ):
        return err
    return ConfigEntryNotReady(
        translation_domain=DOMAIN,
        translation_key=cause.translation_key,
        translation_placeholders=cause.translation_placeholders,
    )


def _session_marks(entry: V2CConfigEntry) -> dict[str, SessionMark]:
    """Return the mark each running charger's session events compare with."""
    return {
        device_id: mark
        for device_id, coordinator in entry.runtime_data.chargers.items()
        if (mark := coordinator.session.mark) is not None
    }


async def _async_first_reads(
    account: V2CAccountCoordinator,
) -> tuple[dict[str, V2CChargerCoordinator], set[str]]:
    """Read the pairings, then each charger once; return the chargers read and the refused.

    A charger the cloud refuses to read (403/404: a pairing left behind, a
    charger moved to another account) must not keep the others down; it is
    tried again with the next list of pairings. A charger another entry runs
    (shared by two accounts) is left to it; an entry left with none but such
    chargers loads without any, and its pairings tracker takes them over once
    that entry no longer runs them. A charger whose device the user disabled
    is held but not read, and an entry left with none but such chargers
    loads too. Once a 429 asks for a pause (a charger's connectivity check
    met it), the chargers left are not read into it: the pairings tracker
    adds them once calls come back. Any other failure, or no charger read
    at all, raises ConfigEntryNotReady.
    """
    await account.async_config_entry_first_refresh()
    hass, entry = account.hass, account.config_entry
    entry.async_on_unload(account.async_follow_resets())
    planner = account.errors.planner
    chargers: dict[str, V2CChargerCoordinator] = {}
    refused: dict[str, ConfigEntryNotReady] = {}
    left_alone = False
    for device_id, pairing in account.data.items():
        if async_hold_if_disabled(hass, entry, device_id):
            left_alone = True
            continue
        if planner.refused_until(utcnow()) is not None or not async_take_charger(
            hass, entry, device_id
        ):
            left_alone = True
            continue
        coordinator = charger_coordinator(account, pairing)
        try:
            await coordinator.async_config_entry_first_refresh()
        except ConfigEntryNotReady as err:
            if not coordinator.refused_by_the_cloud:
                raise
            refused[device_id] = err
            async_let_go(hass, entry, (device_id,))
            await coordinator.async_shutdown()
            continue
        chargers[device_id] = coordinator
    # Retrying the setup would only read the pairings again, every time, to
    # leave the same chargers to the entry running them or to their disabled
    # devices.
    if not chargers and left_alone:
        return chargers, set(refused)
    if not chargers and refused:
        raise next(iter(refused.values()))
    if not chargers:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN, translation_key="no_chargers"
        )
    return chargers, set(refused)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: V2CConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Let the user delete a device unless it is a paired charger or the account.

    An entry that is not loaded (its setup is retrying, often because the
    account has no charger left) does not know which chargers are paired, and
    its left-over devices are then the ones to clean up: a charger still
    paired comes back at the next setup. A paired charger whose device is
    disabled is kept too: deleted, it would come back enabled.
    """
    paired: set[str] = set()
    if entry.state is ConfigEntryState.LOADED:
        runtime = entry.runtime_data
        paired = set(runtime.chargers) | {
            device_id
            for device_id in runtime.account.data
            if charger_disabled(hass, entry, device_id)
        }
    if own_identifiers(device) & {entry.entry_id, *paired}:
        return False
    # Persistent, its offline issue would outlive it.
    if not run_elsewhere(hass, entry, own_identifiers(device)):
        async_clear_device_offline(hass, device)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: V2CConfigEntry) -> bool:
    """Unload a config entry, its chargers shut down first.

    A read answering once the event entities are gone would move the session
    mark the store saves past the last one the events compared with, and the
    next run would report no session that ended meanwhile.
    """
    for coordinator in entry.runtime_data.chargers.values():
        await coordinator.async_shutdown()
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


@callback
def _devices_with_issues(
    hass: HomeAssistant, entry: ConfigEntry
) -> list[dr.DeviceEntry]:
    """Return the entry's devices whose offline issues are the entry's to clear.

    The issue of a device another entry shares is that entry's once it runs
    the charger: it clears the issue when the charger is back.
    """
    return [
        device
        for device in dr.async_entries_for_config_entry(
            dr.async_get(hass), entry.entry_id
        )
        if not run_elsewhere(hass, entry, own_identifiers(device))
    ]


async def async_remove_entry(hass: HomeAssistant, entry: V2CConfigEntry) -> None:
    """Delete the entry's stored quota state, its repair issues and its setup waits."""
    async_forget_entry(hass, entry.entry_id)
    async_delete_entry_issues(hass, entry.entry_id, _devices_with_issues(hass, entry))
    others = hass.config_entries.async_entries(DOMAIN, include_ignore=False)
    if all(other.entry_id == entry.entry_id for other in others):
        async_delete_domain_issues(hass)
    async_forget_handover(hass, entry.entry_id)
    await async_remove_store(hass, entry.entry_id)
