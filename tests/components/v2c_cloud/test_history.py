"""Tests for the charging history import into long-term statistics."""

from __future__ import annotations

from collections.abc import Generator
from datetime import UTC, date, datetime, timedelta
import itertools
import logging
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder.models import StatisticMeanType
from homeassistant.components.recorder.statistics import (
    async_add_external_statistics,
    get_last_statistics,
    get_metadata,
    statistics_during_period,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util
from hypothesis import given, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.v2c_cloud.api import ChargingSession, V2CClient, mask_device_id
from custom_components.v2c_cloud.budget import (
    CallKind,
    ChargerActivity,
    PlannerSettings,
)
from custom_components.v2c_cloud.const import DOMAIN
from custom_components.v2c_cloud.energy import MAX_SESSION_KWH, PHYSICAL_MAX_KW
from custom_components.v2c_cloud.history import V2CHistoryImporter
from custom_components.v2c_cloud.history_rows import LastRow, build_rows, fetch_windows
from custom_components.v2c_cloud.metering import PlannerMeter
from custom_components.v2c_cloud.store import V2CStore
from tests.sim_fixtures import SimHandle, SimSetup
from v2c_simulator import Charger, FaultKind
from v2c_simulator.state import Session

HISTORY_START = "2025-09-01 00:00:00+00:00"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
FEBRUARY = datetime(2026, 2, 1, tzinfo=UTC)
STAT_ID = "v2c_cloud:charged_energy_try0001"
RUN_AGAIN = timedelta(hours=6, minutes=1)
QUIET_AGAIN = timedelta(hours=24, minutes=1)
HOUR = timedelta(hours=1)

type Row = tuple[datetime, float | None, float | None]


@pytest.fixture(autouse=True)
def frozen_start(freezer: FrozenDateTimeFactory) -> FrozenDateTimeFactory:
    """Build the simulator months ago, so its charger can have a past."""
    freezer.move_to(HISTORY_START)
    return freezer


@pytest.fixture
def mock_recorder_before_hass(async_test_recorder: object) -> None:
    """Prepare the recorder's database before hass, which every test here creates."""


@pytest.fixture(autouse=True)
def no_platforms() -> Generator[None]:
    """Set the entry up without entity platforms: only the importer matters here."""
    with patch("custom_components.v2c_cloud.PLATFORMS", []):
        yield


def charge(charger: Charger, start: datetime, hours: float, kwh: float) -> None:
    """Record one session: plug a car needing kwh in at start, unplug hours later."""
    charger.plug_in(kwh, at=start)
    charger.unplug(at=start + timedelta(hours=hours))


def a_month_of_sessions(charger: Charger, first_day: datetime) -> None:
    """Charge every other evening for four weeks, once through the night."""
    for day in range(0, 26, 2):
        start = first_day + timedelta(days=day, hours=16 + day % 5, minutes=7 * day)
        charge(charger, start, 3.5 + day % 3 * 2, 8.0 + day % 4 * 4)
    charge(charger, first_day + timedelta(days=26, hours=22, minutes=40), 8.5, 45.0)


def simulated_hours(charger: Charger) -> dict[datetime, float]:
    """Return the energy the simulator booked per UTC hour over all sessions."""
    hours: dict[datetime, float] = {}
    for session in charger.state.sessions:
        first = session.start.replace(minute=0, second=0, microsecond=0)
        for index, kwh in enumerate(session.energy_by_hour):
            hour = first + index * HOUR
            hours[hour] = hours.get(hour, 0.0) + kwh
    return hours


async def settle(hass: HomeAssistant) -> None:
    """Wait for background imports and the recorder."""
    await hass.async_block_till_done(wait_background_tasks=True)
    if "recorder" in hass.config.components:
        await async_wait_recording_done(hass)


async def set_up(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry: MockConfigEntry,
    *,
    at: datetime = NOW,
    time_zone: str = "UTC",
) -> None:
    """Set the integration up at a moment; the simulator's charger clock is UTC."""
    freezer.move_to(at)
    await hass.config.async_set_time_zone(time_zone)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)


async def advance(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta
) -> None:
    """Let time pass and the timers that came due run."""
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await settle(hass)


async def hours_pass(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, hours: int
) -> None:
    """Let hours pass one by one, each with the timers that came due."""
    for _ in range(hours):
        await advance(hass, freezer, HOUR)


async def statistic_name(hass: HomeAssistant) -> str | None:
    """Return the name the recorder keeps for the statistic; None without one."""
    metadata = await get_instance(hass).async_add_executor_job(
        lambda: get_metadata(hass, statistic_ids={STAT_ID})
    )
    return metadata[STAT_ID][1]["name"] if STAT_ID in metadata else None


async def imported(hass: HomeAssistant, stat_id: str = STAT_ID) -> list[Row]:
    """Return the statistic's hourly rows as (start, state, sum)."""
    found = await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        datetime(2000, 1, 1, tzinfo=UTC),
        None,
        {stat_id},
        "hour",
        None,
        {"state", "sum"},
    )
    return [
        (dt_util.utc_from_timestamp(row["start"]), row["state"], row["sum"])
        for row in found.get(stat_id, [])
    ]


def history_requests(v2c_sim: SimHandle) -> list[dict[str, str]]:
    """Return the queries of every statistics request the simulator answered."""
    return [
        record.query
        for record in v2c_sim.sim.request_log
        if record.path.endswith("/stadistic/device")
    ]


def assert_matches(rows: list[Row], expected: dict[datetime, float]) -> None:
    """Check rows hold the expected hourly energy and a running sum of it."""
    assert [start for start, _, _ in rows] == sorted(expected)
    total = 0.0
    for start, state, running in rows:
        total += expected[start]
        assert state == pytest.approx(expected[start], abs=0.011)
        assert running == pytest.approx(total, abs=0.02)
    sums = [running for _, _, running in rows]
    assert sums == sorted(sums)


@pytest.mark.usefixtures("recorder_mock")
async def test_month_of_sessions_becomes_hourly_statistics(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A month charged before setup shows as hourly rows summing to the sessions."""
    a_month_of_sessions(v2c_sim.charger, FEBRUARY)
    await set_up(hass, freezer, mock_config_entry)

    sessions = v2c_sim.charger.state.sessions
    rows = await imported(hass)
    assert_matches(rows, simulated_hours(v2c_sim.charger))
    assert rows[-1][2] == pytest.approx(
        sum(round(session.energy_kwh, 2) for session in sessions), abs=0.005
    )
    assert history_requests(v2c_sim) == [
        {
            "deviceId": "TRY0001",
            "chargeDateStart": "2026-01-31",
            "chargeDateEnd": "2026-03-02",
        },
        {
            "deviceId": "TRY0001",
            "chargeDateStart": "2025-12-31",
            "chargeDateEnd": "2026-01-30",
        },
    ]
    metadata = await get_instance(hass).async_add_executor_job(
        lambda: get_metadata(hass, statistic_ids={STAT_ID})
    )
    assert metadata[STAT_ID][1] == {
        "has_mean": False,
        "has_sum": True,
        "mean_type": StatisticMeanType.NONE,
        "name": "Garage charged energy",
        "source": "v2c_cloud",
        "statistic_id": STAT_ID,
        "unit_class": "energy",
        "unit_of_measurement": "kWh",
    }


@pytest.mark.usefixtures("recorder_mock")
async def test_a_cloud_that_answers_five_sessions_per_range_loses_none(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Both documents can be read as five sessions per answer, dates or not.

    Then a month of daily charging imported five sessions of it; the window is
    now asked again up to the oldest day answered, until nothing new comes.
    """
    v2c_sim.sim.sessions_capped = True
    a_month_of_sessions(v2c_sim.charger, FEBRUARY)
    await set_up(hass, freezer, mock_config_entry)

    assert_matches(await imported(hass), simulated_hours(v2c_sim.charger))
    # Fourteen sessions every other day: answers of 5, 5, 5 and 2, each after
    # the first repeating the oldest day's, then the empty month before.
    ends = [query["chargeDateEnd"] for query in history_requests(v2c_sim)]
    assert ends == [
        "2026-03-02",
        "2026-02-19",
        "2026-02-11",
        "2026-02-03",
        "2026-01-30",
    ]


@pytest.mark.usefixtures("recorder_mock")
async def test_runs_import_nothing_twice_and_append_new_sessions(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Later runs cost one call, rewrite nothing, and continue the sum.

    A charger its reads saw idle is asked once a day; one seen charging, 6 h
    after the last import.
    """
    charger = v2c_sim.charger
    a_month_of_sessions(charger, FEBRUARY)
    await set_up(hass, freezer, mock_config_entry)
    first = await imported(hass)

    await advance(hass, freezer, HOUR)
    await advance(hass, freezer, RUN_AGAIN - HOUR)
    assert len(history_requests(v2c_sim)) == 2
    await advance(hass, freezer, QUIET_AGAIN - RUN_AGAIN)
    assert len(history_requests(v2c_sim)) == 3
    assert history_requests(v2c_sim)[-1]["chargeDateStart"] == "2026-02-28"
    assert await imported(hass) == first

    plugged_at = dt_util.utcnow()
    charger.plug_in(15.0)
    await advance(hass, freezer, timedelta(hours=4))
    charger.unplug()
    await advance(hass, freezer, RUN_AGAIN - timedelta(hours=4))
    assert len(history_requests(v2c_sim)) == 4

    rows = await imported(hass)
    assert rows[: len(first)] == first
    assert_matches(rows, simulated_hours(charger))
    new = rows[len(first) :]
    assert new[0][0] == plugged_at.replace(minute=0, second=0, microsecond=0)
    assert new[-1][2] - first[-1][2] == pytest.approx(
        round(charger.state.sessions[-1].energy_kwh, 2), abs=0.005
    )


@pytest.mark.usefixtures("recorder_mock")
async def test_session_starting_in_the_last_imported_hour_adds_to_it(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A session that began in the hour the last import ended merges into that row."""
    charger = v2c_sim.charger
    charge(charger, datetime(2026, 3, 2, 8, 0, tzinfo=UTC), 2 + 1 / 6, 10.0)
    charger.plug_in(12.0, at=datetime(2026, 3, 2, 10, 30, tzinfo=UTC))
    await set_up(
        hass, freezer, mock_config_entry, at=datetime(2026, 3, 2, 11, 40, tzinfo=UTC)
    )
    before = await imported(hass)
    assert before[-1][0] == datetime(2026, 3, 2, 10, tzinfo=UTC)

    await advance(hass, freezer, timedelta(hours=1))
    charger.unplug()
    await advance(hass, freezer, RUN_AGAIN)

    rows = await imported(hass)
    assert rows[: len(before) - 1] == before[:-1]
    assert_matches(rows, simulated_hours(charger))
    assert rows[-1][2] == pytest.approx(
        sum(round(session.energy_kwh, 2) for session in charger.state.sessions),
        abs=0.005,
    )


@pytest.mark.usefixtures("recorder_mock")
async def test_sessions_read_in_the_home_time_zone(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Charger dates are local wall-clock times: in Madrid they land an hour earlier in UTC."""
    a_month_of_sessions(v2c_sim.charger, FEBRUARY)
    await set_up(hass, freezer, mock_config_entry, time_zone="Europe/Madrid")

    shifted = {
        hour - HOUR: kwh for hour, kwh in simulated_hours(v2c_sim.charger).items()
    }
    assert_matches(await imported(hass), shifted)


@pytest.mark.parametrize(
    "sim_setup",
    [
        SimSetup(
            models=("trydan", "pole"),
            device_ids=("TRY0001", "POLE0001"),
            tags=("Garage", "Driveway"),
        )
    ],
)
@pytest.mark.usefixtures("recorder_mock")
async def test_each_charger_has_its_own_statistic(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Chargers of one account are imported side by side, each under its own id."""
    trydan, pole = v2c_sim.chargers
    a_month_of_sessions(trydan, FEBRUARY)
    charge(pole, datetime(2026, 2, 14, 9, 15, tzinfo=UTC), 4, 6.0)
    await set_up(hass, freezer, mock_config_entry)

    assert_matches(await imported(hass), simulated_hours(trydan))
    pole_id = "v2c_cloud:charged_energy_pole0001"
    assert_matches(await imported(hass, pole_id), simulated_hours(pole))
    metadata = await get_instance(hass).async_add_executor_job(
        lambda: get_metadata(hass, statistic_ids={pole_id})
    )
    assert metadata[pole_id][1]["name"] == "Driveway charged energy"


@pytest.mark.usefixtures("recorder_mock")
async def test_the_statistic_follows_a_charger_renamed_in_v2c_cloud(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A charger renamed in v2c.cloud renames its statistic at the next import.

    The pairings read gives the device the new tag ("Carport"); the session
    imported after it writes the statistic as "Carport charged energy", as a
    setup after the rename names it, without a restart.
    """
    charger = v2c_sim.charger
    freezer.move_to(datetime(2026, 3, 2, 12, tzinfo=UTC))
    await hass.config.async_set_time_zone("UTC")
    charger.plug_in(8.0, at=datetime(2026, 3, 1, 18, tzinfo=UTC))
    charger.unplug(at=datetime(2026, 3, 1, 21, tzinfo=UTC))
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await settle(hass)

    charger.state.tag = "Carport"
    charger.plug_in(8.0)
    for _ in range(14):
        freezer.tick(timedelta(minutes=30))
        async_fire_time_changed(hass)
        await settle(hass)
    coordinator = mock_config_entry.runtime_data.chargers[v2c_sim.device_id]
    assert coordinator.pairing.tag == "Carport"
    charger.unplug()
    for _ in range(14):
        freezer.tick(timedelta(minutes=30))
        async_fire_time_changed(hass)
        await settle(hass)

    metadata = await get_instance(hass).async_add_executor_job(
        lambda: get_metadata(hass, statistic_ids={STAT_ID})
    )
    rows = await get_instance(hass).async_add_executor_job(
        lambda: get_last_statistics(hass, 1, STAT_ID, False, {"sum"})
    )
    assert rows[STAT_ID][0]["sum"] == pytest.approx(16.0, abs=0.05), (
        "the session after the rename was imported"
    )
    assert metadata[STAT_ID][1]["name"] == "Carport charged energy"


@pytest.mark.usefixtures("recorder_mock")
async def test_the_statistic_follows_a_rename_without_new_sessions(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A renamed charger's statistic takes the new name at the next import, used or not.

    README (Energy dashboard): "The statistic takes the charger's new name when
    it is renamed in v2c.cloud, with the next import." The charger is not used
    again, so its imports (once a day) find no new session: the first one
    after the pairings read saw "Carport" writes the name alone, rows
    untouched. Imports that find the recorder's name current write nothing.
    """
    charger = v2c_sim.charger
    charge(charger, datetime(2026, 3, 1, 18, tzinfo=UTC), 3, 8.0)
    await set_up(hass, freezer, mock_config_entry)
    rows = await imported(hass)
    with patch(
        "custom_components.v2c_cloud.history.async_add_external_statistics",
        wraps=async_add_external_statistics,
    ) as added:
        before = len(history_requests(v2c_sim))
        await hours_pass(hass, freezer, 48)
        assert len(history_requests(v2c_sim)) - before >= 2, "imports ran"
        assert added.call_count == 0, "an import without a rename writes nothing"

        charger.state.tag = "Carport"
        before = len(history_requests(v2c_sim))
        await hours_pass(hass, freezer, 48)
    coordinator = mock_config_entry.runtime_data.chargers[v2c_sim.device_id]
    assert coordinator.pairing.tag == "Carport", "the pairings read saw the rename"
    assert len(history_requests(v2c_sim)) - before >= 2, "imports ran after it"

    assert await statistic_name(hass) == "Carport charged energy"
    assert [call.args[2] for call in added.call_args_list] == [[]], (
        "the name was written once, alone"
    )
    assert await imported(hass) == rows


@pytest.mark.usefixtures("recorder_mock")
async def test_a_charger_never_used_gets_no_statistic(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Imports that find no session create no statistic, not even its name."""
    await set_up(hass, freezer, mock_config_entry)
    await hours_pass(hass, freezer, 25)

    assert len(history_requests(v2c_sim)) >= 2, "imports ran"
    assert await statistic_name(hass) is None


@pytest.mark.usefixtures("recorder_mock")
async def test_a_session_total_no_charger_delivers_books_its_hourly_figures(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A 3-hour session listed as 600 kWh adds its hourly figures, 22.2 kWh.

    No session takes more than MAX_SESSION_KWH and no charger delivers more
    than PHYSICAL_MAX_KW, so 3 h hold at most 81 kWh (the Lifetime energy
    sensor ignores such a reading too). The session's own hourly figures, 7.4
    kWh an hour, fit those bounds: they are booked, and the Energy dashboard
    shows no spike to fix by hand in Developer tools -> Statistics.
    """
    start = datetime(2026, 3, 1, 18, tzinfo=UTC)
    v2c_sim.charger.state.sessions.append(
        Session(
            statistic_id=4242,
            device_id=v2c_sim.device_id,
            start=start,
            end=start + timedelta(hours=3),
            energy_kwh=600.0,
            energy_by_hour=[7.4, 7.4, 7.4],
            energy_by_hour_fv=None,
            rfid=None,
        )
    )
    await set_up(hass, freezer, mock_config_entry)

    rows = await imported(hass)
    assert [(moment, state) for moment, state, _ in rows] == [
        (start + index * HOUR, pytest.approx(7.4)) for index in range(3)
    ]
    assert rows[-1][2] == pytest.approx(22.2)
    assert rows[-1][2] <= min(MAX_SESSION_KWH, PHYSICAL_MAX_KW * 3)


@pytest.mark.usefixtures("recorder_mock")
async def test_backfill_goes_back_month_by_month_until_an_empty_one(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Older months are fetched while they have sessions; a gap ends the backfill."""
    charger = v2c_sim.charger
    charge(charger, datetime(2025, 10, 15, 18, tzinfo=UTC), 3, 9.0)
    charge(charger, datetime(2025, 12, 20, 18, tzinfo=UTC), 3, 9.0)
    charge(charger, datetime(2026, 1, 20, 18, tzinfo=UTC), 3, 9.0)
    charge(charger, datetime(2026, 2, 20, 18, tzinfo=UTC), 3, 9.0)
    await set_up(hass, freezer, mock_config_entry)

    starts = [query["chargeDateStart"] for query in history_requests(v2c_sim)]
    assert starts == ["2026-01-31", "2025-12-31", "2025-11-30", "2025-10-30"]
    rows = await imported(hass)
    assert rows[0][0].date() == date(2025, 12, 20)
    assert rows[-1][2] == pytest.approx(27.0, abs=0.005)


@pytest.mark.usefixtures("recorder_mock")
async def test_history_import_of_an_unused_charger_does_not_cost_more_each_month(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Six months after a charger's last session, an import still costs one call.

    A car sold, a holiday home, a car charged at work all winter: each import
    asks the recent past again, not every empty window back to the last
    imported hour, so it costs what it does for a charger in use and what
    the planner counts it at, about four calls a day.
    """
    charger = v2c_sim.charger
    start = datetime(2025, 9, 15, 18, tzinfo=UTC)
    charger.plug_in(9.0, at=start)
    charger.unplug(at=start + timedelta(hours=3))
    freezer.move_to(datetime(2025, 9, 16, 12, tzinfo=UTC))
    await hass.config.async_set_time_zone("UTC")
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await settle(hass)
    assert history_requests(v2c_sim), "the session was imported"

    # Half a year of Home Assistant running, the charger not used.
    for _ in range(182):
        freezer.tick(timedelta(days=1))
        async_fire_time_changed(hass)
        await settle(hass)
    before = len(history_requests(v2c_sim))
    for _ in range(4):
        freezer.tick(timedelta(hours=6))
        async_fire_time_changed(hass)
        await settle(hass)
    per_day = len(history_requests(v2c_sim)) - before

    assert per_day <= 4, (
        f"{per_day} history calls in a day, six months after the last session"
    )


@pytest.mark.usefixtures("recorder_mock")
async def test_a_long_plug_in_at_an_unused_charger_is_imported_once_it_ends(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A session listed a week late, under the day it began, is still imported.

    The cloud lists a session once it ends. Two months after its last session
    a charger's import asks the last four weeks again, one call each time, so
    the car left plugged in for a week is found once unplugged, though the
    imports during that week, asking the same days, found nothing.
    """
    charger = v2c_sim.charger
    charge(charger, datetime(2026, 1, 2, 18, tzinfo=UTC), 3, 9.0)
    await set_up(
        hass, freezer, mock_config_entry, at=datetime(2026, 1, 3, 12, tzinfo=UTC)
    )
    for day in range(60):
        await advance(hass, freezer, timedelta(days=1))
        assert len(history_requests(v2c_sim)) == 3 + day, "one call an import"
    assert history_requests(v2c_sim)[-1] == {
        "deviceId": "TRY0001",
        "chargeDateStart": "2026-02-03",
        "chargeDateEnd": "2026-03-04",
    }

    charger.plug_in(20.0)
    for _ in range(7):
        await advance(hass, freezer, timedelta(days=1))
    assert len(await imported(hass)) == 3
    charger.unplug()
    await advance(hass, freezer, timedelta(days=1))

    assert_matches(await imported(hass), simulated_hours(charger))
    assert len(history_requests(v2c_sim)) == 2 + 60 + 8
    store = mock_config_entry.runtime_data.store
    assert store.history_asked == {"TRY0001": date(2026, 3, 12)}


@pytest.mark.usefixtures("recorder_mock")
async def test_sessions_that_ended_this_hour_wait(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A session that ended too recently for the cloud to have filed it waits a run."""
    charge(v2c_sim.charger, datetime(2026, 3, 2, 9, 0, tzinfo=UTC), 3.25, 8.0)
    await set_up(
        hass, freezer, mock_config_entry, at=datetime(2026, 3, 2, 12, 40, tzinfo=UTC)
    )

    assert await imported(hass) == []
    await advance(hass, freezer, RUN_AGAIN)
    assert_matches(await imported(hass), simulated_hours(v2c_sim.charger))


@pytest.mark.usefixtures("recorder_mock")
async def test_api_errors_are_logged_once_and_retried_when_due(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A failing run imports nothing, logs one line without traceback, retries 6 h later."""
    a_month_of_sessions(v2c_sim.charger, FEBRUARY)
    v2c_sim.sim.faults.set(FaultKind.HTTP_503, route="/stadistic/device", count=2)
    with caplog.at_level(logging.DEBUG, "custom_components.v2c_cloud"):
        await set_up(hass, freezer, mock_config_entry)
        await advance(hass, freezer, HOUR)
        assert len(history_requests(v2c_sim)) == 1
        await advance(hass, freezer, RUN_AGAIN)

    failures = [
        r
        for r in caplog.records
        if "history" in r.getMessage() and "not imported" in r.getMessage()
    ]
    assert [r.levelno for r in failures] == [logging.INFO, logging.DEBUG]
    assert all(r.exc_info is None for r in failures)
    assert "V2CResponseError" in failures[0].getMessage()
    assert v2c_sim.api_key not in caplog.text
    assert await imported(hass) == []

    await advance(hass, freezer, RUN_AGAIN)
    assert_matches(await imported(hass), simulated_hours(v2c_sim.charger))


@pytest.mark.usefixtures("recorder_mock")
async def test_rate_limit_stops_polling_until_the_reset(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A 429 on the statistics call is reported to the planner."""
    v2c_sim.sim.faults.set(FaultKind.EARLY_429, route="/stadistic/device", count=1)
    await set_up(hass, freezer, mock_config_entry)

    assert mock_config_entry.runtime_data.planner.polling_blocked_until is not None
    assert await imported(hass) == []


@pytest.mark.usefixtures("recorder_mock")
async def test_calls_are_counted_and_skipped_without_budget(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Every statistics call is announced to the planner; none is made without budget."""
    a_month_of_sessions(v2c_sim.charger, FEBRUARY)
    await set_up(hass, freezer, mock_config_entry)
    planner = mock_config_entry.runtime_data.planner
    calls = planner.snapshot(dt_util.utcnow()).calls_today
    assert sum(calls.values()) == len(v2c_sim.sim.request_log)
    assert len(history_requests(v2c_sim)) == 2
    assert calls[CallKind.MAINTENANCE] >= 2

    v2c_sim.sim.add_external_consumer(v2c_sim.api_key, 24 * 60 * 60)
    await advance(hass, freezer, HOUR)
    assert planner.polling_blocked_until is not None
    await advance(hass, freezer, RUN_AGAIN - HOUR)
    assert len(history_requests(v2c_sim)) == 2


@pytest.mark.usefixtures("recorder_mock")
async def test_quota_running_out_mid_backfill_imports_nothing(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, v2c_sim: SimHandle
) -> None:
    """A backfill the budget cannot finish is abandoned, then done whole when due.

    Due 6 h later, as after a failure, even at a charger no car came to.
    """
    charger = v2c_sim.charger
    charge(charger, datetime(2026, 1, 20, 18, tzinfo=UTC), 3, 9.0)
    charge(charger, datetime(2026, 2, 20, 18, tzinfo=UTC), 3, 9.0)
    freezer.move_to(NOW)
    await hass.config.async_set_time_zone("UTC")
    store = await V2CStore.async_load(
        hass, "history-test", PlannerSettings(command_reserve=50)
    )
    planner = store.planner
    client = V2CClient(
        v2c_sim.api_key,
        session=async_get_clientsession(hass),
        base_url=v2c_sim.base_url,
        call_listener=PlannerMeter(planner),
    )
    # Room for one call before the reserve; the client reports no headers to it.
    planner.observe_quota(limit=1000, remaining=51, now=NOW)
    importer = V2CHistoryImporter(
        hass, client, planner, "TRY0001", "Garage", store=store
    )
    planner.set_activity("TRY0001", ChargerActivity.IDLE, NOW)

    await importer.async_run()
    await settle(hass)
    assert len(history_requests(v2c_sim)) == 1
    assert await imported(hass) == []

    freezer.tick(RUN_AGAIN)
    planner.set_activity("TRY0001", ChargerActivity.IDLE, dt_util.utcnow())
    assert planner.quiet_since("TRY0001", NOW)
    planner.observe_quota(limit=1000, remaining=900, now=dt_util.utcnow())
    await importer.async_run()
    await settle(hass)
    assert len(history_requests(v2c_sim)) == 4
    assert_matches(await imported(hass), simulated_hours(charger))
    assert store.history_zones == {"TRY0001": "UTC"}
    await store.async_close()


async def test_no_import_without_recorder(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Without the recorder there is nowhere to import to, so no call is spent."""
    a_month_of_sessions(v2c_sim.charger, FEBRUARY)
    await set_up(hass, freezer, mock_config_entry)
    await advance(hass, freezer, RUN_AGAIN)

    assert history_requests(v2c_sim) == []


@pytest.mark.usefixtures("recorder_mock")
async def test_unload_stops_the_importer(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
) -> None:
    """After unload no timer runs another import."""
    await set_up(hass, freezer, mock_config_entry)
    assert len(history_requests(v2c_sim)) == 1
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)

    await advance(hass, freezer, RUN_AGAIN)
    assert len(history_requests(v2c_sim)) == 1


@pytest.mark.usefixtures("recorder_mock")
async def test_with_polling_off_the_import_follows_the_reads_asked_for(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
) -> None:
    """No timer imports with Home Assistant's polling off; a read asked for brings it.

    The import, due every 6 hours, is looked at after the user's calls.
    """
    charger = v2c_sim.charger
    a_month_of_sessions(charger, FEBRUARY)
    entry = await _set_up_unpolled(hass, freezer, mock_config_entry)
    first = await imported(hass)
    assert len(history_requests(v2c_sim)) == 2

    charger.plug_in(15.0)
    await advance(hass, freezer, timedelta(hours=4))
    charger.unplug()
    v2c_sim.sim.clear_log()
    await advance(hass, freezer, RUN_AGAIN)
    assert v2c_sim.sim.request_log == []

    await entry.runtime_data.chargers[v2c_sim.device_id].async_request_refresh()
    await settle(hass)
    assert len(history_requests(v2c_sim)) == 1
    rows = await imported(hass)
    assert rows[: len(first)] == first
    assert_matches(rows, simulated_hours(charger))


def session(
    start: str | None,
    end: str | None,
    energy: float | None,
    hours: tuple[float, ...] = (),
    *,
    finished: bool | None = True,
    session_id: int | None = None,
) -> ChargingSession:
    """Build a session as the client parses it (naive = charger local time)."""
    return ChargingSession.from_dict(
        {
            "id": session_id,
            "startChargeDate": start,
            "endChargeDate": end,
            "energy": energy,
            "energyByHour": "|".join(str(value) for value in hours) or None,
            "finished": finished,
        }
    )


def utc(text: str) -> datetime:
    """Return an aware UTC datetime from ISO text."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def as_tuples(rows: list[Any]) -> list[Row]:
    """Return built rows as (start, state, sum)."""
    return [(row["start"], row["state"], row["sum"]) for row in rows]


HORIZON = utc("2026-01-01T00:00:00")


def test_documented_sample_lands_on_its_utc_hours() -> None:
    """The API document's session (Madrid, UTC+1) books each value on its hour."""
    sample = session(
        "2025-10-28T11:44:47", "2025-10-28T14:45:05", 9.6, (0.9, 3.5, 3.6, 1.6)
    )
    zone = dt_util.get_time_zone("Europe/Madrid")
    assert zone is not None
    rows = as_tuples(build_rows([sample], zone, None, HORIZON))
    assert rows == [
        (utc("2025-10-28T10:00:00"), 0.9, 0.9),
        (utc("2025-10-28T11:00:00"), 3.5, 4.4),
        (utc("2025-10-28T12:00:00"), 3.6, 8.0),
        (utc("2025-10-28T13:00:00"), 1.6, 9.6),
    ]


def test_a_session_across_the_autumn_clock_change_lands_on_its_hours() -> None:
    """Madrid, 2025-10-26: 02:40 summer time (00:40 UTC) to 02:20 winter time (01:20 UTC).

    Read both as the first pass of 02:xx, the end comes before the start and
    the session would shrink to one instant in the wrong hour.
    """
    zone = dt_util.get_time_zone("Europe/Madrid")
    assert zone is not None
    item = session("2025-10-26T02:40:00", "2025-10-26T02:20:00", 3.0, (2.0, 1.0))
    rows = as_tuples(build_rows([item], zone, None, HORIZON))
    assert rows == [
        (utc("2025-10-26T00:00:00"), 2.0, 2.0),
        (utc("2025-10-26T01:00:00"), 1.0, 3.0),
    ]


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (
            session("2025-06-01T10:30:00", "2025-06-01T12:30:00", 4.0),
            [("10", 1.0), ("11", 2.0), ("12", 1.0)],
        ),
        (
            session("2025-06-01T10:30:00", "2025-06-01T12:00:00", 3.0, (0.0, 0.0)),
            [("10", 1.0), ("11", 2.0)],
        ),
        (
            # An instant holds no more than rounding (see the plausibility test).
            session("2025-06-01T10:30:00", "2025-06-01T10:30:00", 0.05),
            [("10", 0.05)],
        ),
        (
            session("2025-06-01T10:30:00", "2025-06-01T12:10:00", 10.0, (1, 1, 2)),
            [("10", 2.5), ("11", 2.5), ("12", 5.0)],
        ),
        (
            session("2025-06-01T10:30:00", "2025-06-01T11:10:00", None, (1.25, 2, 0.5)),
            [("10", 1.25), ("11", 2.5)],
        ),
        (
            # A negative total is no energy at all: it reads as unknown, so the
            # hourly figures count, and a negative hour counts as nothing.
            session("2025-06-01T10:30:00", "2025-06-01T11:10:00", -3.0, (1, -2)),
            [("10", 1.0), ("11", 0.0)],
        ),
        (
            session("2025-06-01T12:30:00+02:00", "2025-06-01T13:00:00+02:00", 2.0),
            [("10", 2.0)],
        ),
    ],
    ids=["overlap", "zero-hours", "instant", "scaled", "no-total", "negative", "aware"],
)
def test_energy_spread_over_hours(
    item: ChargingSession, expected: list[tuple[str, float]]
) -> None:
    """Per-hour values are scaled to the total; without them energy follows overlap."""
    rows = as_tuples(build_rows([item], UTC, None, HORIZON))
    hours = [(start.strftime("%H"), state) for start, state, _ in rows]
    assert hours == [(hour, pytest.approx(kwh)) for hour, kwh in expected]


def test_only_finished_sessions_after_the_last_row_and_before_horizon() -> None:
    """Running, undated, already imported and too recent sessions are left out."""
    last = LastRow(start=utc("2025-06-01T10:00:00"), state=2.0, sum=50.0)
    sessions = [
        session("2025-06-01T08:00:00", "2025-06-01T10:20:00", 5.0),
        session("2025-06-01T10:40:00", "2025-06-01T12:10:00", 3.0, (1, 1, 1)),
        session("2025-06-01T10:40:00", "2025-06-01T12:10:00", 3.0, (1, 1, 1)),
        session("2025-06-01T13:00:00", None, 4.0),
        session(None, "2025-06-01T14:00:00", 4.0),
        session("2025-06-01T13:00:00", "2025-06-01T13:30:00", 4.0, finished=False),
        session("2025-06-01T22:00:00", "2025-06-01T23:30:00", 4.0),
    ]
    rows = as_tuples(build_rows(sessions, UTC, last, utc("2025-06-01T23:00:00")))
    assert rows == [
        (utc("2025-06-01T10:00:00"), 3.0, 51.0),
        (utc("2025-06-01T11:00:00"), 1.0, 52.0),
        (utc("2025-06-01T12:00:00"), 1.0, 53.0),
    ]


def test_hours_before_the_last_row_are_booked_on_it() -> None:
    """Odd data reaching back before the last import never rewrites older sums."""
    last = LastRow(start=utc("2025-06-01T10:00:00"), state=2.0, sum=50.0)
    late = session("2025-06-01T09:00:00", "2025-06-01T11:30:00", 3.0, (1, 1, 1))
    rows = as_tuples(build_rows([late], UTC, last, HORIZON))
    assert rows == [
        (utc("2025-06-01T10:00:00"), 4.0, 52.0),
        (utc("2025-06-01T11:00:00"), 1.0, 53.0),
    ]


def test_broken_dates_neither_fail_nor_flood_the_import() -> None:
    """A date off the calendar in UTC is skipped; a start years back spans a window."""
    off_calendar = session("0001-01-01T00:00:00+23:59", "2025-06-01T11:00:00", 9.0)
    ancient = session("0002-01-01T00:00:00", "2025-06-01T12:00:00", 31 * 24 * 0.25)
    rows = as_tuples(build_rows([off_calendar, ancient], UTC, None, HORIZON))
    assert len(rows) == 31 * 24
    assert rows[0][0] == utc("2025-05-01T12:00:00")
    assert rows[-1][2] == pytest.approx(31 * 24 * 0.25)


@pytest.mark.parametrize(
    ("item", "booked"),
    [
        (session("2025-06-01T10:00:00", "2025-06-01T13:00:00", 81.0), 81.0),
        (session("2025-06-01T10:00:00", "2025-06-01T13:00:00", 82.0), None),
        (
            session("2025-06-01T10:00:00", "2025-06-01T13:00:00", 600.0, (7.4,) * 3),
            22.2,
        ),
        (
            session("2025-06-01T10:00:00", "2025-06-01T13:00:00", 600.0, (30, 1, 1)),
            None,
        ),
        (
            session("2025-06-01T10:00:00", "2025-06-01T13:00:00", 600.0, (27,) * 4),
            None,
        ),
        (
            session("2025-06-01T10:00:00", "2025-06-01T13:00:00", None, (27,) * 4),
            None,
        ),
        (session("2025-06-01T08:00:00", "2025-06-01T20:00:00", 260.0), None),
        (session("2025-06-01T10:30:00", "2025-06-01T10:30:00", 0.06), None),
    ],
    ids=[
        "at-most",
        "over-power",
        "hourly-figures",
        "hour-over-power",
        "hourly-over-power",
        "no-total",
        "over-session",
        "instant",
    ],
)
def test_energy_a_charger_cannot_deliver_is_not_booked(
    item: ChargingSession, booked: float | None
) -> None:
    """A session holds at most PHYSICAL_MAX_KW over its time, and MAX_SESSION_KWH.

    A total over that is a glitch; the session's hourly figures are booked
    instead when each fits in an hour and they add up within the bound, and
    else the session is left out.
    """
    rows = as_tuples(build_rows([item], UTC, None, HORIZON))
    if booked is None:
        assert rows == []
    else:
        assert rows[-1][2] == pytest.approx(booked)


def test_a_session_left_out_is_logged_by_its_masked_charger(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One debug line names the charger as masked, never its id."""
    garbled = ChargingSession.from_dict(
        {
            "id": 7,
            "deviceId": "TRY0001",
            "startChargeDate": "2025-06-01T10:00:00",
            "endChargeDate": "2025-06-01T13:00:00",
            "energy": 600.0,
            "finished": True,
        }
    )
    with caplog.at_level(logging.DEBUG, logger="custom_components.v2c_cloud"):
        assert build_rows([garbled, garbled], UTC, None, HORIZON) == []

    lines = [r.getMessage() for r in caplog.records if "not imported" in r.message]
    assert len(lines) == 1
    assert mask_device_id("TRY0001") in lines[0]
    assert "TRY0001" not in lines[0]


def test_a_session_read_an_hour_short_in_autumn_keeps_its_energy() -> None:
    """Madrid, 2025-10-26: 02:10 summer time to 02:50 winter time lasted 1 h 40 min.

    Read as 40 minutes (both in the first pass), 30 kWh would be more than a
    charger delivers; the dates allow the longer reading, so it is booked.
    """
    zone = dt_util.get_time_zone("Europe/Madrid")
    assert zone is not None
    item = session("2025-10-26T02:10:00", "2025-10-26T02:50:00", 30.0)
    rows = as_tuples(build_rows([item], zone, None, HORIZON))
    assert rows == [(utc("2025-10-26T00:00:00"), 30.0, 30.0)]


def test_fetch_windows() -> None:
    """A first import walks back a year in 31-day windows; later ones stop at since."""
    today = date(2026, 3, 2)
    backfill = fetch_windows(today, None)
    assert len(backfill) == 12
    assert backfill[0] == (date(2026, 1, 31), today)
    assert all(
        newer[0] - older[1] == timedelta(days=1)
        for newer, older in itertools.pairwise(backfill)
    )
    assert fetch_windows(today, date(2026, 2, 28)) == [(date(2026, 2, 28), today)]
    assert fetch_windows(today, date(2026, 3, 5)) == [(today, today)]
    assert fetch_windows(today, date(2026, 1, 1)) == [
        (date(2026, 1, 31), today),
        (date(2026, 1, 1), date(2026, 1, 30)),
    ]
    assert fetch_windows(today, date(2020, 1, 1))[-1] == backfill[-1]


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[ChargingSession], datetime]:
    """Draw non-overlapping sessions and a whole hour to split the import at."""
    sessions: list[ChargingSession] = []
    moment = utc("2025-06-01T00:00:00")
    for index in range(draw(st.integers(1, 8))):
        moment += timedelta(minutes=draw(st.integers(0, 600)))
        length = timedelta(minutes=draw(st.integers(0, 600)))
        hours = draw(st.lists(st.floats(0, 8, allow_nan=False), max_size=12))
        energy = draw(st.none() | st.floats(0, 60, allow_nan=False))
        start, end = moment, moment + length
        sessions.append(
            session(
                start.replace(tzinfo=None).isoformat(),
                end.replace(tzinfo=None).isoformat(),
                energy,
                tuple(hours),
                session_id=index,
            )
        )
        moment = end
    split = utc("2025-06-01T00:00:00") + HOUR * draw(st.integers(0, 90))
    return sessions, split


@settings(max_examples=60, deadline=None)
@given(histories())
def test_two_imports_equal_one(history: tuple[list[ChargingSession], datetime]) -> None:
    """Importing in two runs gives the rows of one run, with a monotonic sum."""
    sessions, split = history
    once = as_tuples(build_rows(sessions, UTC, None, HORIZON))
    first = as_tuples(build_rows(sessions, UTC, None, split))
    last = LastRow(*first[-1]) if first else None
    second = as_tuples(build_rows(sessions, UTC, last, HORIZON))
    merged = {start: (state, total) for start, state, total in first + second}

    assert sorted(merged) == [start for start, _, _ in once]
    for start, state, total in once:
        assert merged[start] == (
            pytest.approx(state, abs=0.002),
            pytest.approx(total, abs=0.002 * len(once)),
        )
    sums = [total for _, _, total in once]
    assert sums == sorted(sums)


@pytest.mark.usefixtures("recorder_mock")
async def test_with_polling_off_the_reset_timer_imports_no_history(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Polling off: the quota's reset timer sends no charging-history call.

    The user turned off *Enable polling for changes*; README: "nothing is
    then read on a timer, neither the chargers nor the pairings, settings,
    connectivity or charging history". The reset timer added for polling off
    (V2CAccountCoordinator.async_follow_resets) told the account's
    listeners at each reset, and with polling off the history import listens
    to the account (it was meant to follow the calls the user's reads
    cause): at 00:00 UTC, with no read asked for, the import due since 18:00
    ran and called /stadistic/device: calls spent on a timer every night.
    It tells only the quota sensors now: no call until the user's next read.
    """
    charger = v2c_sim.charger
    a_month_of_sessions(charger, FEBRUARY)
    await _set_up_unpolled(hass, freezer, mock_config_entry)
    assert len(history_requests(v2c_sim)) == 2

    charger.plug_in(15.0)
    await advance(hass, freezer, timedelta(hours=4))
    charger.unplug()
    v2c_sim.sim.clear_log()
    # 16:00 to 00:30 the next day, an hour at a time, no read asked for.
    for _ in range(8):
        await advance(hass, freezer, timedelta(hours=1))
    assert v2c_sim.sim.request_log == []
    await advance(hass, freezer, timedelta(minutes=30))

    sent = [(record.method, record.path) for record in v2c_sim.sim.request_log]
    assert sent == [], f"with polling off, calls sent at the reset on a timer: {sent}"


async def _set_up_unpolled(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, like: MockConfigEntry
) -> MockConfigEntry:
    """Set up an entry like `like`, with Home Assistant's polling turned off for it."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=like.unique_id,
        data=like.data,
        pref_disable_polling=True,
    )
    await set_up(hass, freezer, entry)
    return entry
