"""Import each charger's past sessions as a long-term energy statistic.

The statistic is external (`v2c_cloud:charged_energy_<device id>`), so the Energy
dashboard shows charging from before the integration was installed. The newest
imported hour is read back from the recorder: everything that ended before it is
already in the sum, so nothing is imported twice.

The charger's dates carry no zone and are read in Home Assistant's. Read in
another zone after the user changes it, the session imported last would end
after that hour (imported again) or a new one before it (never imported). So
the entry's store keeps, per charger, the zone the imported rows were built in
(written once they are handed to the recorder): the next import tells what it
has with that zone and spreads the new sessions in the current one. Without it
(first import, an older store, a zone Python does not know) the current zone
is used for both.

The newest imported hour alone would make an unused charger dearer each month:
every import would ask each empty window back to it. So the store also keeps,
per charger, the day its last complete import asked up to, and the next one
asks only the recent past again (see ASK_AGAIN).
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta, tzinfo
import logging

from homeassistant.components.recorder.models import (
    StatisticData,
    StatisticMeanType,
    StatisticMetaData,
)
from homeassistant.components.recorder.statistics import (
    StatisticsRow,
    async_add_external_statistics,
    async_list_statistic_ids,
    get_last_statistics,
)
from homeassistant.const import UnitOfEnergy
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util, slugify
from homeassistant.util.unit_conversion import EnergyConverter

from .api import ChargingSession, V2CClient, V2CError, mask_device_id
from .budget import CallKind, QuotaPlanner
from .const import DOMAIN, LOGGER
from .coordinator import V2CConfigEntry
from .helpers import utcnow
from .history_rows import WINDOW_DAYS, LastRow, build_rows, fetch_windows, floor_hour
from .metering import charged_as
from .store import V2CStore

HISTORY_EVERY_S = 6 * 3600
# A charger its reads saw without a car since the last import has no new
# session to list, bar one too short for its reads to see: once a day is
# enough for that, and for a visit Home Assistant was not running to see.
HISTORY_QUIET_EVERY_S = 24 * 3600
CHECK_INTERVAL = timedelta(hours=1)
# Sessions must have ended this long before the hour closes: the cloud files them late.
SETTLE = timedelta(minutes=30)
# Both documents call the answer "the last 5 charging statistics ... with optional
# filtering by date range": whether the five bind a date range too is not known.
CAPPED_ANSWER = 5
# The cloud lists a session once it ends, under the day it began: a car left
# plugged in over a weekend or a fortnight's holiday is listed that much later,
# so days an import asked are asked again for four weeks. A margin of a day or
# two would miss every weekend plug-in, and a longer one is free: one call asks
# a whole window, so an unused charger's import stays one call while imports
# are at most two days apart (the planner putting them off, Home Assistant
# stopped), one more once after a longer gap. Only a plug-in of over four weeks
# at a charger otherwise unused is missed.
ASK_AGAIN = timedelta(days=WINDOW_DAYS - 3)


def _last_statistic(hass: HomeAssistant, stat_id: str) -> list[StatisticsRow]:
    """Return the newest row of a statistic (recorder thread)."""
    found = get_last_statistics(
        hass, 1, stat_id, convert_units=False, types={"state", "sum"}
    )
    return found.get(stat_id, [])


def statistic_id(device_id: str) -> str:
    """Return the id of a charger's charged-energy statistic."""
    return f"{DOMAIN}:charged_energy_{slugify(device_id)}"


class V2CHistoryImporter:
    """Bring one charger's finished sessions into the recorder, a few calls a day."""

    def __init__(
        self,
        hass: HomeAssistant,
        client: V2CClient,
        planner: QuotaPlanner,
        device_id: str,
        name: str,
        *,
        store: V2CStore,
    ) -> None:
        """Import for one charger, shown under name in the Energy dashboard.

        The store keeps the time zone of the last import, and the day it asked
        up to, across restarts.
        """
        self.hass = hass
        self.client = client
        self.planner = planner
        self.device_id = device_id
        # The charger can be renamed in v2c.cloud while it runs: each import
        # that adds rows writes the statistic's name with them, and one that
        # adds none writes it alone when the recorder has another.
        self.name = name
        self.store = store
        # A failed or postponed import is tried again at the shorter pace;
        # a failure is logged once at info, until an import gets an answer.
        self._retrying = False
        self._failing = False

    def _metadata(self) -> StatisticMetaData:
        return StatisticMetaData(
            mean_type=StatisticMeanType.NONE,
            has_sum=True,
            name=f"{self.name} charged energy",
            source=DOMAIN,
            statistic_id=statistic_id(self.device_id),
            unit_class=EnergyConverter.UNIT_CLASS,
            unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        )

    async def async_run(self) -> None:
        """Import new sessions when due and affordable; a failure waits for the next run."""
        now = utcnow()
        if not history_due(self.planner, self.device_id, now, retrying=self._retrying):
            return
        zone = dt_util.get_default_time_zone()
        today = now.astimezone(zone).date()
        try:
            rows = await self._async_new_rows(now, today, zone)
        except V2CError as err:
            LOGGER.log(
                logging.DEBUG if self._failing else logging.INFO,
                "Charging history of %s not imported (%s); trying again when next due",
                mask_device_id(self.device_id),
                type(err).__name__,
            )
            self._retrying = self._failing = True
            return
        self._failing = False
        self._retrying = rows is None
        if rows is None:
            LOGGER.debug(
                "Charging history of %s postponed: the quota is needed for polling",
                mask_device_id(self.device_id),
            )
            return
        if rows:
            async_add_external_statistics(self.hass, self._metadata(), rows)
            self._remember_zone(zone)
        else:
            await self._async_rename()
        self._remember_asked(today)
        LOGGER.debug(
            "Imported %d hours of charging history of %s",
            len(rows),
            mask_device_id(self.device_id),
        )

    async def _async_new_rows(
        self, now: datetime, today: date, zone: tzinfo
    ) -> list[StatisticData] | None:
        """Return the rows to add, or None when the quota ran out meanwhile."""
        last = await self._async_last_row()
        imported_in = await self._async_imported_zone(zone)
        since = import_since(
            last, imported_in, self.store.history_asked.get(self.device_id), today
        )
        sessions = await async_fetch_sessions(
            self.client, self.planner, self.device_id, now=now, today=today, since=since
        )
        if sessions is None:
            return None
        return build_rows(
            sessions, zone, last, floor_hour(now - SETTLE), imported_in=imported_in
        )

    async def _async_imported_zone(self, zone: tzinfo) -> tzinfo:
        """Return the zone the imported rows were built in; zone when not known."""
        key = self.store.history_zones.get(self.device_id)
        if key is None or key == str(zone):
            return zone
        try:
            found = await dt_util.async_get_time_zone(key)
        except (OSError, ValueError):
            # Not a key at all: a path, a folder of zones, a file of another kind.
            found = None
        if found is None:
            LOGGER.debug(
                "Time zone %r of the charging history of %s is unknown; using %s",
                key,
                mask_device_id(self.device_id),
                zone,
            )
            return zone
        return found

    async def _async_rename(self) -> None:
        """Give an imported statistic the charger's name when it has another.

        The recorder (2026.2) updates a statistic's metadata, name included,
        with each batch of external statistics, also one without rows, which
        adds none; its metadata update changes only the id and unit. An empty
        batch would create an unknown statistic, hence the check first. The
        stored name is read from the recorder's cache (filled when the import
        read the newest row), so an import without a rename queues nothing.
        """
        metadata = self._metadata()
        found = await async_list_statistic_ids(self.hass, {metadata["statistic_id"]})
        if not found or found[0]["name"] == metadata["name"]:
            return
        LOGGER.debug(
            "Charging history of %s takes the charger's new name",
            mask_device_id(self.device_id),
        )
        async_add_external_statistics(self.hass, metadata, [])

    def _remember_zone(self, zone: tzinfo) -> None:
        """Keep the zone the rows just handed to the recorder were built in."""
        key = str(zone)
        if self.store.history_zones.get(self.device_id) != key:
            self.store.history_zones[self.device_id] = key
            self.store.schedule_save()

    def _remember_asked(self, today: date) -> None:
        """Keep the day a complete import asked up to, its sessions imported."""
        if self.store.history_asked.get(self.device_id) != today:
            self.store.history_asked[self.device_id] = today
            self.store.schedule_save()

    async def _async_last_row(self) -> LastRow | None:
        """Read the newest imported hour back from the recorder."""
        found = await get_instance(self.hass).async_add_executor_job(
            _last_statistic, self.hass, statistic_id(self.device_id)
        )
        if not found:
            return None
        row = found[0]
        return LastRow(
            start=dt_util.utc_from_timestamp(row["start"]),
            state=row.get("state") or 0.0,
            sum=row.get("sum") or 0.0,
        )


def history_due(
    planner: QuotaPlanner, device_id: str, now: datetime, *, retrying: bool
) -> bool:
    """Return True (and note it as done) when a charger's import should run now.

    A failed import, or one postponed for the quota, is tried again at the
    shorter pace, whatever the charger did. The benchmark's planner imports by this rule too, so it pays what
    users pay.
    """
    key = f"history:{device_id}"
    quiet = not retrying and planner.quiet_since(
        device_id, planner.maintenance_done_at(key)
    )
    every_s = HISTORY_QUIET_EVERY_S if quiet else HISTORY_EVERY_S
    return planner.maintenance_due(key, now, every_s)


def import_since(
    last: LastRow | None, imported_in: tzinfo, asked: date | None, today: date
) -> date | None:
    """Return the first day an import asks; None for a first import.

    The benchmark's planner imports by this rule too, so it pays what users pay.
    """
    if last is None:
        return None
    # The dates of the sessions imported last, as they were read.
    since = last.start.astimezone(imported_in).date()
    if asked is None:
        return since
    # A day asked in the future was a wrong clock: it vouches for no more than
    # today. A day read in another zone is at most a day off, well inside the
    # margin.
    return max(since, min(asked, today) - ASK_AGAIN)


async def async_fetch_sessions(
    client: V2CClient,
    planner: QuotaPlanner,
    device_id: str,
    *,
    now: datetime,
    today: date,
    since: date | None,
) -> list[ChargingSession] | None:
    """Ask month by month: back to since, or on a first import to the first empty month.

    None when the quota ran out meanwhile.
    """
    sessions: list[ChargingSession] = []
    for first, last in fetch_windows(today, since):
        found = await _async_window(
            client, planner, device_id, now=now, first=first, last=last
        )
        if found is None:
            return None
        if since is None and not found:
            break
        sessions.extend(found)
    return sessions


async def _async_window(
    client: V2CClient,
    planner: QuotaPlanner,
    device_id: str,
    *,
    now: datetime,
    first: date,
    last: date,
) -> list[ChargingSession] | None:
    """Return a window's sessions; None when the quota ran out meanwhile.

    An answer of exactly five may have been cut to the newest five: the
    window is asked again up to the oldest day answered, until an answer
    brings nothing new. More than five proves dates lift the cap.
    """
    found: dict[tuple[object, ...], ChargingSession] = {}
    while True:
        if planner.polling_blocked_until is not None:
            return None
        with charged_as(CallKind.MAINTENANCE, now):
            answer = await client.get_charging_sessions(device_id, first, last)
        answered = {_identity(session): session for session in answer}
        new = answered.keys() - found.keys()
        found.update(answered)
        days = [s.start.date() for s in answer if s.start is not None]
        if len(answer) != CAPPED_ANSWER or not new or not days:
            return list(found.values())
        # The oldest day may hold more sessions than were answered: ask it again.
        last = max(min(days), first)


def _identity(session: ChargingSession) -> tuple[object, ...]:
    return (session.session_id, session.charge_id, session.start)


@callback
def async_setup_history(hass: HomeAssistant, entry: V2CConfigEntry) -> None:
    """Import every charger's history after setup, then whenever it is due."""
    if "recorder" not in hass.config.components:
        return
    runtime = entry.runtime_data
    importers: dict[str, V2CHistoryImporter] = {}
    running: asyncio.Task[None] | None = None

    async def run_all() -> None:
        # Chargers come and go with the pairings, so the list is read on each run.
        for device_id, coordinator in list(runtime.chargers.items()):
            if coordinator.errors.reauth_pending():
                return
            name = coordinator.pairing.tag or device_id
            if (importer := importers.get(device_id)) is None:
                importer = importers[device_id] = V2CHistoryImporter(
                    hass,
                    runtime.client,
                    runtime.planner,
                    device_id,
                    name,
                    store=runtime.store,
                )
            # The pairings read renames the charger after a rename in v2c.cloud.
            importer.name = name
            await importer.async_run()

    @callback
    def start(_: datetime | None = None) -> None:
        nonlocal running
        if running is None or running.done():
            running = entry.async_create_background_task(
                hass, run_all(), f"{DOMAIN} charging history import"
            )

    start()
    if entry.pref_disable_polling:
        # With Home Assistant's polling off the user's reads set the pace: the
        # import, due every few hours, is looked at after the calls they cause
        # (each one's quota header reaches the account's listeners).
        entry.async_on_unload(runtime.account.async_add_listener(start))
        return
    entry.async_on_unload(async_track_time_interval(hass, start, CHECK_INTERVAL))
