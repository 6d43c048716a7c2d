"""Chargers paired or unpaired while the entry runs, without a reload."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .account import V2CAccountCoordinator
from .api import Pairing, mask_device_id
from .const import DOMAIN, LOGGER
from .coordinator import V2CChargerCoordinator, V2CConfigEntry
from .helpers import entry_device, own_identifiers, utcnow
from .polling import ChargerPoller
from .repairs import async_clear_charger_offline, async_clear_device_offline
from .session import SessionFollower

# A new charger whose first read failed is tried again after this, the wait
# doubling up to the cap: each try costs two calls.
ADD_RETRY = timedelta(minutes=30)
ADD_RETRY_MAX = timedelta(hours=6)
# The entry running each charger, by device id, from just before its first
# read until it stops; also the entry holding a charger whose device the user
# disabled there, so no other entry runs it meanwhile.
_RUNNERS: HassKey[dict[str, str]] = HassKey(f"{DOMAIN}_runners")


def signal_charger_added(entry_id: str) -> str:
    """Return the signal the platforms listen to for a newly paired charger."""
    return f"{DOMAIN}_{entry_id}_charger_added"


def charger_coordinator(
    account: V2CAccountCoordinator, pairing: Pairing
) -> V2CChargerCoordinator:
    """Return the coordinator of one of the account's chargers, not yet refreshed."""
    errors = account.errors
    # The charger's timers keep its owner's local time, taken to be Home Assistant's.
    poller = ChargerPoller(
        account.client,
        errors.planner,
        pairing.device_id,
        zone=dt_util.get_default_time_zone,
        polled=not account.config_entry.pref_disable_polling,
        clock=utcnow,
    )
    return V2CChargerCoordinator(
        account.hass,
        account.config_entry,
        poller,
        pairing,
        errors,
        account=account,
        saved_session=account.saved_sessions.get(pairing.device_id),
    )


@callback
def registered_chargers(hass: HomeAssistant, entry: ConfigEntry) -> set[str]:
    """Return the device ids of the chargers the entry has devices for."""
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    return set().union(*map(own_identifiers, devices)) - {entry.entry_id}


@callback
def _devices_of_others(hass: HomeAssistant, entry: ConfigEntry) -> set[str]:
    """Return the ids of the devices the integration's other entries have.

    Before Home Assistant 2026.8 a charger's device is one device, shared by
    every entry that has run the charger: the entry running it now adds
    itself to the device the first runner created. From 2026.8 each entry
    has its own device and none is shared. Asked of each entry, as a
    device's own list of config entries is deprecated from 2026.10.
    """
    registry = dr.async_get(hass)
    return {
        device.id
        for other in hass.config_entries.async_entries(DOMAIN)
        if other.entry_id != entry.entry_id
        for device in dr.async_entries_for_config_entry(registry, other.entry_id)
    }


@callback
def own_chargers(hass: HomeAssistant, entry: ConfigEntry) -> set[str]:
    """Return the chargers whose devices the entry has and no other entry shares."""
    shared = _devices_of_others(hass, entry)
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    return set().union(
        *(own_identifiers(device) for device in devices if device.id not in shared)
    ) - {entry.entry_id}


@callback
def async_drop_device(
    hass: HomeAssistant, entry: ConfigEntry, device: dr.DeviceEntry
) -> None:
    """Take the entry's device away, with the entry's entities on it.

    A device another entry shares stays, with that entry's entities: the
    entry only leaves it, and Home Assistant removes the entry's entities
    from it. Leaving a device is deprecated from Home Assistant 2026.8, where
    no device is shared and the entry's own device is removed.
    """
    registry = dr.async_get(hass)
    if device.id in _devices_of_others(hass, entry):
        registry.async_update_device(device.id, remove_config_entry_id=entry.entry_id)
    else:
        registry.async_remove_device(device.id)


@callback
def charger_disabled(hass: HomeAssistant, entry: ConfigEntry, device_id: str) -> bool:
    """Tell whether the entry's device of a charger is disabled.

    Its entities are disabled with it and show nothing: reading the charger
    would spend the quota on no one. Home Assistant reloads the entry once
    the user enables the device again, as its entities come back.
    """
    device = entry_device(hass, entry.entry_id, device_id)
    return device is not None and device.disabled


@callback
def async_hold_disabled(
    hass: HomeAssistant, entry: ConfigEntry, device_id: str
) -> None:
    """Hold unread a charger the entry took whose device the user disabled.

    Its offline issue goes: persistent, and about a device the user turned
    off, no read would clear it. The store keeps when the charger went
    offline, so enabling the device (which reloads the entry) checks it
    again and raises the issue anew, with its first date, if still offline.
    """
    async_clear_charger_offline(hass, entry.entry_id, device_id)


@callback
def async_hold_if_disabled(
    hass: HomeAssistant, entry: ConfigEntry, device_id: str
) -> bool:
    """Hold a charger whose device the user disabled, if this entry may take it.

    Return True when held: no call is made for it, even while calls wait or
    its reads failed, and its offline issue goes (`async_hold_disabled`).
    """
    if charger_disabled(hass, entry, device_id) and async_take_charger(
        hass, entry, device_id
    ):
        async_hold_disabled(hass, entry, device_id)
        return True
    return False


@callback
def async_remove_stale_devices(hass: HomeAssistant, entry: V2CConfigEntry) -> set[str]:
    """Remove devices of chargers confirmed unpaired; return those chargers.

    The account's own device is kept.
    """
    runtime = entry.runtime_data
    account = runtime.account
    # Paired chargers being added have no coordinator in the entry yet.
    kept = {
        entry.entry_id,
        *runtime.chargers,
        *account.data,
        *account.unpairing.missing,
    }
    gone: set[str] = set()
    for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id):
        if not own_identifiers(device) & kept:
            gone |= own_identifiers(device)
            # Persistent, it would outlive its device; one another entry runs
            # is that entry's to clear.
            if not run_elsewhere(hass, entry, own_identifiers(device)):
                async_clear_device_offline(hass, device)
            async_drop_device(hass, entry, device)
    return gone


def model_name(model: str | None) -> str | None:
    """Spell a model as V2C does ("trydan" -> "Trydan"); mixed case is kept."""
    if model is None or not (model.islower() or model.isupper()):
        return model
    return model.title()


def device_name(pairing: Pairing) -> str:
    """Name a charger's device by its tag in v2c.cloud."""
    model = model_name(pairing.model)
    return pairing.tag or f"V2C {model or 'charger'} {pairing.device_id}"


@callback
def async_take_charger(hass: HomeAssistant, entry: ConfigEntry, device_id: str) -> bool:
    """Take a charger for this entry to run; False when another entry has it.

    A charger paired with two accounts is run by one entry: a second set of
    entities would clash with the first's unique ids, and a second poller
    would spend another key's calls on the same data. It is taken before its
    first read, with no wait in between: entries set up together at a start
    would otherwise each find the other not loaded yet, and both run it. An
    entry being set up that has the charger's device keeps it from one that
    has none, so a start does not hand it to whichever entry reads it first.
    """
    runners = hass.data.setdefault(_RUNNERS, {})
    if (runner := runners.get(device_id)) is not None:
        return runner == entry.entry_id
    if device_id not in registered_chargers(hass, entry) and any(
        other.entry_id != entry.entry_id
        and other.state is ConfigEntryState.SETUP_IN_PROGRESS
        and device_id in registered_chargers(hass, other)
        for other in hass.config_entries.async_entries(DOMAIN)
    ):
        return False
    runners[device_id] = entry.entry_id
    return True


@callback
def charger_runner(hass: HomeAssistant, device_id: str) -> str | None:
    """Return the id of the entry that runs or holds a charger, if any."""
    return hass.data.get(_RUNNERS, {}).get(device_id)


@callback
def run_elsewhere(
    hass: HomeAssistant, entry: ConfigEntry, device_ids: Iterable[str]
) -> set[str]:
    """Return the chargers among device_ids another entry runs."""
    runners = hass.data.get(_RUNNERS, {})
    return {
        device_id
        for device_id in device_ids
        if runners.get(device_id, entry.entry_id) != entry.entry_id
    }


@callback
def async_let_go(
    hass: HomeAssistant, entry: ConfigEntry, device_ids: Iterable[str] | None = None
) -> None:
    """Give up chargers this entry took, all of them unless named."""
    runners = hass.data.get(_RUNNERS, {})
    for device_id in list(runners) if device_ids is None else device_ids:
        if runners.get(device_id) == entry.entry_id:
            del runners[device_id]


class V2CPairingsTracker:
    """Follow the account's pairings: add new chargers, drop unpaired ones."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: V2CConfigEntry,
        unread: Iterable[str] = (),
    ) -> None:
        """Track the chargers of one entry; unread ones failed their first read."""
        self.hass = hass
        self.entry = entry
        self._adding: set[str] = set()
        # The account's listeners hear every quota header, and the list is read
        # far less often: a charger the cloud refused to read (403/404, a
        # pairing left behind) is tried again with the next list read. Other
        # failures wait ADD_RETRY, doubling, and never while polling waits
        # for the quota.
        self._refused_with: dict[str, object] = dict.fromkeys(
            unread, entry.runtime_data.account.data
        )
        self._retry: dict[str, tuple[datetime, timedelta]] = {}
        # The coordinator of a charger not added yet is kept for its next try:
        # each coordinator stays on the entry's unload list until the entry
        # unloads, and its first failure is logged once, not at every try.
        self._unready: dict[str, V2CChargerCoordinator] = {}

    @callback
    def async_pairings_updated(self) -> None:
        """Compare the pairings just read with the chargers the entry runs."""
        runtime = self.entry.runtime_data
        paired = runtime.account.data
        gone = set(runtime.chargers) - set(paired)
        for device_id in gone:
            self._async_remove(device_id)
        for device_id, coordinator in runtime.chargers.items():
            self._async_follow(coordinator, paired[device_id])
        # The stored planner may remember chargers unpaired while Home Assistant
        # was stopped, or one a read in flight met again after its removal:
        # they are forgotten, and count as gone (the unique id may name one
        # whose device the user deleted). One another entry runs, or whose
        # device is disabled, is not read here: planned, it would take a
        # share of the plan, in the state it was last read in (charging, say)
        # for good. It is held, out of the plan, with what it taught the
        # planner, until this entry reads it again.
        kept = set(paired) | set(runtime.chargers) | runtime.account.unpairing.missing
        planner = runtime.planner
        forgotten = planner.chargers_known - kept
        for device_id in forgotten:
            planner.remove_charger(device_id)
        now = utcnow()
        for device_id in self._run_elsewhere(kept) | self._disabled(kept):
            planner.hold_charger(device_id, now)
        self._forget_stored(kept)
        gone |= forgotten | async_remove_stale_devices(self.hass, self.entry)
        # Also the chargers held, not read, for their disabled devices: the
        # account a charger moved to may run it now.
        async_let_go(self.hass, self.entry, gone)
        self._async_follow_chargers(gone)
        for device_id in set(self._unready) - set(paired) - self._adding:
            self._retry.pop(device_id, None)
            self.entry.async_create_task(
                self.hass,
                self._unready.pop(device_id).async_shutdown(),
                f"{DOMAIN} stop charger {mask_device_id(device_id)}",
            )
        for device_id in set(paired) - set(runtime.chargers) - self._adding:
            if async_hold_if_disabled(self.hass, self.entry, device_id):
                continue
            if (
                self._refused_with.get(device_id) is paired
                or not self._may_try(device_id, now)
                or not async_take_charger(self.hass, self.entry, device_id)
            ):
                continue
            self._adding.add(device_id)
            self.entry.async_create_task(
                self.hass,
                self._async_add(paired[device_id]),
                f"{DOMAIN} add charger {mask_device_id(device_id)}",
            )

    @callback
    def _async_follow_chargers(self, gone: set[str]) -> None:
        """Move the entry's unique id off a charger just confirmed unpaired.

        An account is known by its chargers (config_flow), and the charger a
        unique id names cannot be added with another account: once it moved
        to one, the id moves to the lowest charger this entry still has that
        is no other entry's unique id. So too when the user deleted its
        device: the planner forgetting it is enough. An entry with no such charger left
        keeps no unique id, and is given one when it runs a charger again.
        A unique id that names no charger (the other integration's, kept by
        the migration) is left alone.
        """
        entry: V2CConfigEntry = self.entry
        if entry.unique_id is not None and entry.unique_id not in gone:
            return
        runtime = entry.runtime_data
        # A charger whose device the user disabled is still this entry's.
        chargers = set(runtime.chargers) | self._disabled(runtime.account.data)
        others = {
            other.unique_id
            for other in self.hass.config_entries.async_entries(DOMAIN)
            if other.entry_id != entry.entry_id
        }
        unique_id = min(chargers - others, default=None)
        if unique_id == entry.unique_id:
            return
        LOGGER.debug(
            "Entry %s no longer has the charger its unique id named", entry.title
        )
        self.hass.config_entries.async_update_entry(entry, unique_id=unique_id)

    def _forget_stored(self, kept: set[str]) -> None:
        """Drop what the store keeps of chargers unpaired or run by another entry.

        A charger paired again later starts a new story: its last session
        before the unpairing is not reported when it comes back. Sessions of a
        charger another entry runs come and go unseen here, and that entry
        reports them: the mark of this entry's last run, compared with its
        first reading should it run the charger again, would report them a
        second time. Those are saved soon, as an entry running no charger may
        make no call to save them for hours, and a start would restore them.

        The lifetime energy of a charger run elsewhere is dropped too: that
        entry counts its sessions, and this entry's last reading, raised to
        the total shown, would count them again. The entity's restore state
        carries the runner's own record back, written as its entity goes.

        Paired again, a charger's history import reads the current zone and
        asks back to its last imported session, as a first one would.

        The moment a charger went offline goes with it too: one another entry
        runs may come back and go offline again unseen here.
        """
        store = self.entry.runtime_data.store
        sessions = store.sessions
        unpaired = set(sessions) - kept
        elsewhere = self._run_elsewhere(
            set(sessions) | set(store.energy) | set(store.offline_since)
        )
        for device_id in unpaired | elsewhere:
            sessions.pop(device_id, None)
        # The history import's marks are a charger's, whoever runs it.
        for marks in (store.history_zones, store.history_asked):
            for device_id in set(marks) - kept:
                del marks[device_id]
        for device_id in elsewhere:
            store.energy.pop(device_id, None)
        for device_id in set(store.offline_since) - (kept - elsewhere):
            del store.offline_since[device_id]
        if elsewhere:
            store.schedule_save()

    def _run_elsewhere(self, device_ids: Iterable[str]) -> set[str]:
        """Return the chargers among device_ids another entry runs."""
        return run_elsewhere(self.hass, self.entry, device_ids)

    def _disabled(self, device_ids: Iterable[str]) -> set[str]:
        """Return the chargers among device_ids whose device here is disabled."""
        return {
            device_id
            for device_id in device_ids
            if charger_disabled(self.hass, self.entry, device_id)
        }

    def _may_try(self, device_id: str, now: datetime) -> bool:
        """Return True when a charger not added yet may be read now."""
        retry = self._retry.get(device_id)
        if retry is not None and now < retry[0]:
            return False
        # A first read takes no notice of the quota by itself.
        return self.entry.runtime_data.planner.blocked_until(now) is None

    def _note_failure(self, device_id: str, now: datetime) -> None:
        """Put the next try off, twice as long as the last time."""
        last = self._retry.get(device_id)
        wait = ADD_RETRY if last is None else min(last[1] * 2, ADD_RETRY_MAX)
        self._retry[device_id] = (now + wait, wait)

    @callback
    def _async_follow(
        self, coordinator: V2CChargerCoordinator, pairing: Pairing
    ) -> None:
        """Take a charger's new tag (renamed in v2c.cloud) as its device's name.

        A name the user gave the device in Home Assistant is kept apart by the
        registry (name_by_user) and still wins.
        """
        before, coordinator.pairing = coordinator.pairing, pairing
        if device_name(pairing) == device_name(before):
            return
        device = entry_device(self.hass, self.entry.entry_id, pairing.device_id)
        if device is not None:
            dr.async_get(self.hass).async_update_device(
                device.id, name=device_name(pairing)
            )

    async def _async_add(self, pairing: Pairing) -> None:
        """Read the new charger once (two calls), then let the platforms add it."""
        runtime = self.entry.runtime_data
        device_id = pairing.device_id
        if (coordinator := self._unready.pop(device_id, None)) is not None:
            # Kept from a failed try; the charger may have been renamed since,
            # and its saved mark dropped if another entry ran it meanwhile.
            coordinator.pairing = pairing
            coordinator.session = SessionFollower(runtime.store.sessions.get(device_id))
        else:
            coordinator = charger_coordinator(runtime.account, pairing)
        try:
            await coordinator.async_refresh()
        finally:
            self._adding.discard(device_id)
        if charger_disabled(self.hass, self.entry, device_id):
            # Disabled during its first read: held, not run (see _RUNNERS).
            await coordinator.async_shutdown()
            async_hold_disabled(self.hass, self.entry, device_id)
            return
        if not coordinator.last_update_success or device_id not in (
            runtime.account.data
        ):
            # One unpaired meanwhile is stopped with the next pairings update.
            if coordinator.refused_by_the_cloud:
                self._refused_with[device_id] = runtime.account.data
            self._unready[device_id] = coordinator
            # Until the next try, an entry whose key reads it may run it.
            async_let_go(self.hass, self.entry, (device_id,))
            self._note_failure(device_id, utcnow())
            return
        self._refused_with.pop(device_id, None)
        self._retry.pop(device_id, None)
        runtime.chargers[device_id] = coordinator
        coordinator.async_schedule_refresh_at()
        LOGGER.info("Charger %s was paired; adding it", coordinator.poller.label)
        async_dispatcher_send(
            self.hass, signal_charger_added(self.entry.entry_id), coordinator
        )

    @callback
    def _async_remove(self, device_id: str) -> None:
        """Stop an unpaired charger and remove its device with its entities."""
        runtime = self.entry.runtime_data
        coordinator = runtime.chargers.pop(device_id)
        self.entry.async_create_task(
            self.hass,
            self._async_stop(coordinator, unpaired=True),
            f"{DOMAIN} stop charger {mask_device_id(device_id)}",
        )
        async_clear_charger_offline(self.hass, self.entry.entry_id, device_id)
        if device := entry_device(self.hass, self.entry.entry_id, device_id):
            async_drop_device(self.hass, self.entry, device)
        LOGGER.info("Charger %s was unpaired; removed it", coordinator.poller.label)

    @callback
    def async_device_updated(
        self, event: Event[dr.EventDeviceRegistryUpdatedData]
    ) -> None:
        """Stop reading a charger once the user disables its device.

        Home Assistant removes the device's entities but reloads the entry
        only when they are enabled again, so the charger is stopped here; it
        stays held, its device and what the store keeps of it are kept.
        """
        registry = dr.async_get(self.hass)
        if (device := registry.async_get(event.data["device_id"])) is None:
            return
        if not device.disabled:
            return
        runtime = self.entry.runtime_data
        for device_id in own_identifiers(device) & set(runtime.chargers):
            own = entry_device(self.hass, self.entry.entry_id, device_id)
            if own is None or own.id != device.id:
                continue
            coordinator = runtime.chargers.pop(device_id)
            # Saved as the store's own: the next setup compares the charger's
            # first reading with it, as after a restart.
            if (mark := coordinator.session.mark) is not None:
                runtime.store.sessions[device_id] = mark
            self.entry.async_create_task(
                self.hass,
                self._async_stop(coordinator, unpaired=False),
                f"{DOMAIN} stop charger {mask_device_id(device_id)}",
            )
            async_hold_disabled(self.hass, self.entry, device_id)
            LOGGER.info(
                "The device of charger %s was disabled; it is no longer read",
                coordinator.poller.label,
            )

    async def _async_stop(
        self, coordinator: V2CChargerCoordinator, *, unpaired: bool
    ) -> None:
        """Stop polling, then take the charger's share out of the plan.

        An unpaired charger is forgotten; one still paired (its device
        disabled) keeps what the planner learned of it, held until it is
        read again.
        """
        await coordinator.async_shutdown()
        planner = self.entry.runtime_data.planner
        if unpaired:
            planner.remove_charger(coordinator.device_id)
        else:
            planner.hold_charger(coordinator.device_id, utcnow())


@callback
def async_track_pairings(
    hass: HomeAssistant, entry: V2CConfigEntry, unread: Iterable[str]
) -> None:
    """Compare the pairings with the chargers run, now and after each account update."""
    tracker = V2CPairingsTracker(hass, entry, unread)
    tracker.async_pairings_updated()
    account = entry.runtime_data.account
    entry.async_on_unload(account.async_add_listener(tracker.async_pairings_updated))
    entry.async_on_unload(
        hass.bus.async_listen(
            dr.EVENT_DEVICE_REGISTRY_UPDATED,
            tracker.async_device_updated,
            event_filter=_disabled_by_changed,
        )
    )


@callback
def _disabled_by_changed(event_data: dr.EventDeviceRegistryUpdatedData) -> bool:
    return event_data["action"] == "update" and "disabled_by" in event_data["changes"]
