"""Persistence of the quota planner and auth state across restarts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
import hashlib
from typing import Any

from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store

from .auth_guard import AuthGuard
from .budget import PlannerSettings, QuotaPlanner
from .const import DOMAIN, LOGGER
from .energy import LifetimeEnergy
from .helpers import utcnow
from .session import SessionMark

# The saved data is a mapping, each key optional (a revision that did not
# write it loads without it):
# - quota: quota_id of the key and server the planner counted for; under
#   another, the count starts afresh and the planner keeps only what the
#   chargers taught it (QuotaPlanner.from_dict's new_quota), auth, unconfirmed
#   and closed are dropped, the other keys kept;
# - unconfirmed: chargers with commands not yet confirmed;
# - planner, auth: the QuotaPlanner's and AuthGuard's own data;
# - energy: per charger, its LifetimeEnergy; none for a charger another entry
#   runs (its entity's restore state brings that entry's back);
# - sessions: per charger, the SessionMark its next reading is compared with
#   (since the charging session events), so a session that ends across a
#   reload or a restart is still reported, once; none for a charger another
#   entry runs;
# - history_zones: per charger, the key of the time zone (IANA, such as
#   "Europe/Madrid") its last charging-history import built rows in, so the
#   next import tells what it has already imported the same way after a
#   change of Home Assistant's time zone (see history.py); missing until
#   a charger's first import;
# - history_asked: per charger, the day (ISO, in the zone of that import) its
#   last complete charging-history import asked the cloud up to, every session
#   listed by then imported, so the next import does not ask again the empty
#   days before the recent past (see history.py); missing until a charger's
#   first import;
# - offline_since: per charger, the moment (ISO, UTC) a read first showed it
#   offline, while it has not been seen back: its repair issue keeps the
#   date it went offline over reloads, restarts and a disabled entry; none
#   for a charger another entry runs (that entry keeps its own);
# - closed: true in the run's last write (an unload, a failed setup, Home
#   Assistant stopping), false in the others: a file a crash left says false,
#   its latest calls lost (see SAVE_DELAY_S). A file without it counts as true.
# New keys are added this way, without a new STORAGE_VERSION: an earlier
# revision (a downgrade) ignores a key it does not know, but would refuse a
# newer version's whole file, the day's quota with it. Each key is checked as
# it loads: a value that cannot be read is left out with a warning, as if not
# saved, and its part starts from safe defaults; it never stops the setup.
STORAGE_VERSION = 1
# Home Assistant writes a scheduled save when it stops, so only a crash loses
# what changed since the last write: a few minutes of call counts. The next
# quota header puts the calls left right, but the gap it shows since the saved
# count would be taken for other programs' calls, so after a crash it is taken
# for ours (QuotaPlanner.assume_counts_lost). Sooner would rewrite the file at
# every read, wear that SD cards feel.
SAVE_DELAY_S = 300


def quota_id(api_key: str, base_url: str) -> str:
    """Name the quota a saved state counts, without keeping the key: a short hash."""
    return hashlib.sha256(f"{base_url}\n{api_key}".encode()).hexdigest()[:16]


def _store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}", private=True)


class V2CStore:
    """Keeps the day's quota usage, so a restart at noon doesn't believe it is fresh."""

    def __init__(
        self,
        store: Store[dict[str, Any]],
        planner: QuotaPlanner,
        guard: AuthGuard,
        energy: dict[str, LifetimeEnergy] | None = None,
        *,
        quota: str | None = None,
        sessions: dict[str, SessionMark] | None = None,
        history_zones: dict[str, str] | None = None,
        history_asked: dict[str, date] | None = None,
        offline_since: dict[str, datetime] | None = None,
    ) -> None:
        """Wrap the restored planner, auth guard, energy totals, sessions and history."""
        self._store = store
        self._quota = quota
        self._closed = False
        # The next write is the run's last (see "closed" above).
        self._ending = False
        # A delayed save is scheduled and has not written yet.
        self._save_due = False
        # Chargers with commands not yet confirmed when the state was saved:
        # the next run reads their settings once more (see async_load).
        self.unconfirmed: set[str] = set()
        self._pending: Callable[[], Iterable[str]] = tuple
        self.planner = planner
        self.guard = guard
        # Per charger; the sensors fill it in and keep it current.
        self.energy: dict[str, LifetimeEnergy] = energy or {}
        # Per charger, the mark of the run before, until its session events
        # compare a reading with it. The running chargers' own marks are
        # saved in their place (see follow_sessions).
        self.sessions: dict[str, SessionMark] = sessions or {}
        self._live_sessions: Callable[[], Mapping[str, SessionMark]] = dict
        # Per charger, the time zone key its history import last built rows in.
        self.history_zones: dict[str, str] = history_zones or {}
        # Per charger, the day its last complete history import asked up to.
        self.history_asked: dict[str, date] = history_asked or {}
        # Written by each charger's coordinator as its connectivity changes.
        self.offline_since: dict[str, datetime] = offline_since or {}

    @classmethod
    async def async_load(
        cls,
        hass: HomeAssistant,
        entry_id: str,
        settings: PlannerSettings,
        quota: str | None = None,
    ) -> V2CStore:
        """Restore the entry's planner and auth guard (new ones on first run).

        quota names the key and server now in use (see quota_id): what was
        counted for another key, a 429 included, is not this one's quota.
        """
        store = _store(hass, entry_id)
        data = await _async_read(store)
        new_quota = False
        if data is not None and data.get("quota") not in (None, quota):
            new_quota = True
            LOGGER.info(
                "The V2C Cloud key or server changed; its daily quota is counted "
                "afresh, what the chargers taught the planner is kept"
            )
            # Energy, sessions, history, offline moments and the planner's
            # habits are the chargers', whatever the key; the planner leaves
            # the old key's count behind (QuotaPlanner.from_dict).
            data = {
                key: data.get(key)
                for key in (
                    "planner",
                    "energy",
                    "sessions",
                    "history_zones",
                    "history_asked",
                    "offline_since",
                )
            }
        now = utcnow()
        planner = QuotaPlanner(settings, now=now)
        if data is None:
            planner.assume_half_spent()
            data = {}
        elif (planner_data := data.get("planner")) is not None:
            try:
                if not isinstance(planner_data, dict):
                    raise TypeError("not a mapping")  # noqa: TRY301
                planner = QuotaPlanner.from_dict(
                    planner_data, settings, now=now, new_quota=new_quota
                )
                if data.get("closed") is False:
                    planner.assume_counts_lost(SAVE_DELAY_S)
            except (TypeError, ValueError) as err:
                if new_quota:
                    # The new key's count is a new planner's either way.
                    _warn_damaged(store, "quota planner", err, _HABITS_DEFAULT)
                else:
                    _warn_damaged(store, "quota planner", err)
                    planner.assume_half_spent()
        try:
            guard = AuthGuard.from_dict(data.get("auth") or {})
        except (AttributeError, TypeError, ValueError) as err:
            _warn_damaged(store, "authentication", err, _AUTH_DEFAULT)
            guard = AuthGuard()
        energy = _energy_from(store, data.get("energy"))
        sessions = _sessions_from(store, data.get("sessions"))
        loaded = cls(
            store,
            planner,
            guard,
            energy,
            quota=quota,
            sessions=sessions,
            history_zones=_history_zones_from(store, data.get("history_zones")),
            history_asked=_history_asked_from(store, data.get("history_asked")),
            offline_since=_offline_since_from(store, data.get("offline_since")),
        )
        unconfirmed = data.get("unconfirmed")
        if isinstance(unconfirmed, list):
            loaded.unconfirmed = {item for item in unconfirmed if isinstance(item, str)}
        return loaded

    def follow_pending(self, pending: Callable[[], Iterable[str]]) -> None:
        """Save, with each state, the chargers whose commands await confirmation.

        A command lives in memory: a reload or restart before the charger
        applied it (up to 90 s) would show the old value until the settings
        are next read, hours later.
        """
        self._pending = pending

    def follow_sessions(self, live: Callable[[], Mapping[str, SessionMark]]) -> None:
        """Save, with each state, the session mark of each running charger.

        Taken from the chargers rather than the event entities: one disabled
        would otherwise leave an old reading saved, to be compared with the
        first reading once it is enabled again.
        """
        self._live_sessions = live

    def schedule_save(self) -> None:
        """Save 5 min after the first unsaved change; headers come with every call."""
        # A late answer after the unload must not write: the entry may be
        # deleted (its file would come back) or running anew with newer state.
        # HA's delayed save starts its delay afresh at each call: reads every
        # 23 s while a car charges would put the write off for good.
        if not self._closed and not self._save_due:
            self._save_due = True
            self._store.async_delay_save(self._data_due, SAVE_DELAY_S)

    def save_soon(self) -> None:
        """Save once the entities have taken in the reading under way.

        For a start's first readings and a reading that fired session events:
        Home Assistant crashing every few minutes (a restart loop) never
        reaches the delayed save, and each start would report the same
        session again and count its energy again. Not within this call: the
        write runs once the other listeners of the reading have taken it in
        (a lifetime energy sensor's total with it).
        """
        if not self._closed:
            self._store.hass.async_create_task(self.async_save(), eager_start=False)

    @callback
    def async_stopping(self, _event: Event | None = None) -> None:
        """Mark the write Home Assistant makes as it stops as the run's last.

        Home Assistant does not unload entries when it stops; it writes the
        saves still scheduled, this one with them.
        """
        self._ending = True
        self.schedule_save()

    async def async_save(self) -> None:
        """Save now (a setup attempt's end, a session's end)."""
        if not self._closed:
            self._save_due = False
            await self._store.async_save(self._data())

    async def async_close(self) -> None:
        """Save a last time at unload; later changes are not written."""
        self._closed = self._ending = True
        await self._store.async_save(self._data())

    def _data_due(self) -> dict[str, Any]:
        # Called as the delayed save writes, so it writes the newest state and
        # any later change needs a save of its own.
        self._save_due = False
        return self._data()

    def _data(self) -> dict[str, Any]:
        return {
            "quota": self._quota,
            "closed": self._ending,
            "unconfirmed": sorted(self._pending()),
            "planner": self.planner.to_dict(),
            "auth": self.guard.to_dict(),
            "energy": {
                device_id: energy.as_dict() for device_id, energy in self.energy.items()
            },
            "sessions": {
                device_id: mark.as_dict()
                for device_id, mark in {
                    **self.sessions,
                    **self._live_sessions(),
                }.items()
            },
            "history_zones": dict(self.history_zones),
            "history_asked": {
                device_id: day.isoformat()
                for device_id, day in self.history_asked.items()
            },
            "offline_since": {
                device_id: moment.isoformat()
                for device_id, moment in self.offline_since.items()
            },
        }


def _energy_from(store: Store[dict[str, Any]], data: Any) -> dict[str, LifetimeEnergy]:
    """Return the saved lifetime totals, skipping any that cannot be read."""
    return _per_charger(
        store,
        data,
        lambda saved: (
            LifetimeEnergy.from_dict(saved) if isinstance(saved, dict) else None
        ),
        what="lifetime energy",
        unusable="unusable total",
        default=_ENERGY_DEFAULT,
    )


def _sessions_from(store: Store[dict[str, Any]], data: Any) -> dict[str, SessionMark]:
    """Return the saved session readings, skipping any that cannot be read."""
    return _per_charger(
        store,
        data,
        SessionMark.from_dict,
        what="sessions",
        unusable="unusable reading",
        default=_SESSIONS_DEFAULT,
    )


def _history_zones_from(store: Store[dict[str, Any]], data: Any) -> dict[str, str]:
    """Return the saved zones of the history imports, skipping any that is no key."""
    return _per_charger(
        store,
        data,
        lambda saved: saved if isinstance(saved, str) and saved else None,
        what="charging history",
        unusable="unusable time zone",
        default=_HISTORY_DEFAULT,
    )


def _history_asked_from(store: Store[dict[str, Any]], data: Any) -> dict[str, date]:
    """Return the saved days the history imports asked up to, skipping any that is no day."""
    return _per_charger(
        store,
        data,
        _day,
        what="charging history days",
        unusable="unusable day",
        default=_HISTORY_ASKED_DEFAULT,
    )


def _offline_since_from(store: Store[dict[str, Any]], data: Any) -> dict[str, datetime]:
    """Return the saved moments chargers went offline, skipping any that is no moment."""
    return _per_charger(
        store,
        data,
        _moment,
        what="offline chargers",
        unusable="unusable moment",
        default=_OFFLINE_DEFAULT,
    )


def _moment(saved: Any) -> datetime | None:
    if not isinstance(saved, str):
        return None
    try:
        moment = datetime.fromisoformat(saved)
    except ValueError:
        return None
    # A naive moment cannot be told apart from a shifted one.
    return moment if moment.tzinfo is not None else None


def _day(saved: Any) -> date | None:
    if not isinstance(saved, str):
        return None
    try:
        return date.fromisoformat(saved)
    except ValueError:
        return None


def _per_charger[T](
    store: Store[dict[str, Any]],
    data: Any,
    parse: Callable[[Any], T | None],
    *,
    what: str,
    unusable: str,
    default: str,
) -> dict[str, T]:
    """Return what was saved per charger, warning once when any of it is unusable."""
    if data is None:
        return {}
    damaged = not isinstance(data, dict)
    if damaged:
        data = {}
    restored: dict[str, T] = {}
    for device_id, saved in data.items():
        if (value := parse(saved)) is not None:
            restored[str(device_id)] = value
    if damaged or len(restored) != len(data):
        _warn_damaged(store, what, ValueError(unusable), default)
    return restored


async def _async_read(store: Store[dict[str, Any]]) -> dict[str, Any] | None:
    """Return the saved data ({} on first run), None if damaged or from a newer version.

    A file HA cannot parse is moved aside by HA itself; a newer or unknown
    layout is left in place and overwritten at the next save.
    """
    try:
        data = await store.async_load()
    except (HomeAssistantError, NotImplementedError, KeyError, TypeError) as err:
        _warn_damaged(store, "whole", err)
        return None
    if data is not None and not isinstance(data, dict):
        _warn_damaged(store, "whole", TypeError("not a mapping"))
        return None
    return data or {}


_QUOTA_DEFAULT = "assuming half the daily quota spent until the V2C Cloud reports it"
_HABITS_DEFAULT = "learning the chargers' habits afresh"
_AUTH_DEFAULT = "forgetting earlier authentication failures"
_ENERGY_DEFAULT = "keeping the lifetime energy last shown by Home Assistant"
_SESSIONS_DEFAULT = (
    "not reporting a charging session that ended while the integration was not running"
)
_HISTORY_DEFAULT = (
    "reading imported charging sessions in Home Assistant's current time zone"
)
_HISTORY_ASKED_DEFAULT = (
    "asking the charging history again back to the last imported session"
)
_OFFLINE_DEFAULT = (
    "dating an offline charger's repair issue from the next read that finds it offline"
)


def _warn_damaged(
    store: Store[dict[str, Any]],
    part: str,
    err: Exception,
    consequence: str = _QUOTA_DEFAULT,
) -> None:
    LOGGER.warning(
        "Saved V2C Cloud state %s (%s part) is damaged or from a newer version "
        "(%s); starting from safe defaults, %s",
        store.path,
        part,
        type(err).__name__,
        consequence,
    )


async def async_remove_store(hass: HomeAssistant, entry_id: str) -> None:
    """Delete the entry's file when the entry is removed."""
    await _store(hass, entry_id).async_remove()
