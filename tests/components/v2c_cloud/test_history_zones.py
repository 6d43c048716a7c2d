"""Charging history when Home Assistant's time zone changes between two imports."""

from __future__ import annotations

from collections.abc import Generator
from datetime import UTC, datetime
import logging
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud.const import DOMAIN
from custom_components.v2c_cloud.history_rows import LastRow, build_rows
from tests.sim_fixtures import SimHandle

from .test_history import (
    HISTORY_START,
    RUN_AGAIN,
    advance,
    as_tuples,
    charge,
    imported,
    session,
    set_up,
    settle,
)


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


def utc(text: str) -> datetime:
    """Return an aware UTC datetime from ISO text."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def restart(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, entry: MockConfigEntry
) -> None:
    """Stop the entry (its store is written), let the import come due, start it."""
    assert await hass.config_entries.async_unload(entry.entry_id)
    await settle(hass)
    freezer.tick(RUN_AGAIN)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)


def saved_zones(hass_storage: dict[str, Any], entry: MockConfigEntry) -> Any:
    """Return the history zones in the entry's written store."""
    return hass_storage[f"{DOMAIN}.{entry.entry_id}"]["data"]["history_zones"]


def test_already_imported_is_read_in_the_zone_the_rows_were_built_in() -> None:
    """Madrid's last import read a session 08:00-10:10 as 07:00-09:10 UTC.

    In Lisbon it ends at 10:10 UTC, after the last imported hour: only the
    zone of that import tells it is in. The new session is spread in Lisbon.
    Back east, a session that ends after the last hour read in Lisbon ends
    before it read in Madrid: again the zone of that import tells it is new.
    """
    madrid = dt_util.get_time_zone("Europe/Madrid")
    lisbon = dt_util.get_time_zone("Europe/Lisbon")
    assert madrid is not None
    assert lisbon is not None
    horizon = utc("2026-01-11T00:00:00")
    done = session("2026-01-10T08:00:00", "2026-01-10T10:10:00", 10.0, session_id=1)
    new = session("2026-01-10T10:30:00", "2026-01-10T11:20:00", 2.0, session_id=2)
    last = LastRow(start=utc("2026-01-10T09:00:00"), state=1.0, sum=10.0)

    rows = build_rows([done, new], lisbon, last, horizon, imported_in=madrid)
    assert as_tuples(rows) == [
        (utc("2026-01-10T10:00:00"), pytest.approx(1.2), pytest.approx(11.2)),
        (utc("2026-01-10T11:00:00"), pytest.approx(0.8), pytest.approx(12.0)),
    ]
    # Read in Lisbon alone, the session imported last counts a second time.
    assert build_rows([done, new], lisbon, last, horizon)[-1]["sum"] > 20.0

    last = LastRow(start=utc("2026-01-10T10:00:00"), state=1.0, sum=10.0)
    late = session("2026-01-10T11:10:00", "2026-01-10T11:40:00", 2.0, session_id=3)
    assert build_rows([late], madrid, last, horizon) == []
    rows = build_rows([late], madrid, last, horizon, imported_in=lisbon)
    # Its hour, 10:00 UTC in Madrid, is the last imported one: added to it.
    assert as_tuples(rows) == [(utc("2026-01-10T10:00:00"), 3.0, 12.0)]


@pytest.mark.usefixtures("recorder_mock")
async def test_time_zone_moved_west_does_not_import_the_last_session_again(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
) -> None:
    """The user corrects Home Assistant's time zone from Madrid to Lisbon (or UTC).

    Read an hour further west, the session imported last ends an hour after
    the newest imported hour; what is already imported is read in the zone
    the rows were built in, so the next run does not add it again: the sum
    stays 10 kWh.
    """
    charge(v2c_sim.charger, datetime(2026, 3, 2, 8, 0, tzinfo=UTC), 2 + 1 / 6, 10.0)
    await set_up(
        hass,
        freezer,
        mock_config_entry,
        at=datetime(2026, 3, 2, 11, 40, tzinfo=UTC),
        time_zone="Europe/Madrid",
    )
    energy = round(v2c_sim.charger.state.sessions[-1].energy_kwh, 2)
    assert (await imported(hass))[-1][2] == pytest.approx(energy, abs=0.005)

    await hass.config.async_update(time_zone="Europe/Lisbon")
    await advance(hass, freezer, RUN_AGAIN)

    assert (await imported(hass))[-1][2] == pytest.approx(energy, abs=0.005)


@pytest.mark.usefixtures("recorder_mock")
async def test_time_zone_moved_east_does_not_lose_a_session(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
) -> None:
    """The user corrects Home Assistant's time zone from UTC to Madrid.

    A session that ended after the last import, within an hour of its newest
    hour, ends before that hour when read in Madrid; read in the zone of the
    last import it is still new, so the sum includes it.
    """
    charger = v2c_sim.charger
    charge(charger, datetime(2026, 3, 2, 8, 0, tzinfo=UTC), 2 + 1 / 6, 10.0)
    charger.plug_in(12.0, at=datetime(2026, 3, 2, 10, 30, tzinfo=UTC))
    charger.unplug(at=datetime(2026, 3, 2, 11, 20, tzinfo=UTC))
    await set_up(
        hass, freezer, mock_config_entry, at=datetime(2026, 3, 2, 11, 40, tzinfo=UTC)
    )
    first = (await imported(hass))[-1]
    assert first[0] == datetime(2026, 3, 2, 10, tzinfo=UTC)

    await hass.config.async_update(time_zone="Europe/Madrid")
    await advance(hass, freezer, RUN_AGAIN)

    total = sum(round(session.energy_kwh, 2) for session in charger.state.sessions)
    assert (await imported(hass))[-1][2] == pytest.approx(total, abs=0.005)


@pytest.mark.usefixtures("recorder_mock")
async def test_the_zone_of_the_last_import_survives_a_restart(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Madrid to Lisbon with Home Assistant stopped: no session counted twice.

    The store keeps the zone the rows were built in; the session charged
    meanwhile is spread in Lisbon, and Lisbon is kept for the next import.
    """
    charger = v2c_sim.charger
    charge(charger, datetime(2026, 3, 2, 8, 0, tzinfo=UTC), 2 + 1 / 6, 10.0)
    await set_up(
        hass,
        freezer,
        mock_config_entry,
        at=datetime(2026, 3, 2, 11, 40, tzinfo=UTC),
        time_zone="Europe/Madrid",
    )
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    assert saved_zones(hass_storage, mock_config_entry) == {"TRY0001": "Europe/Madrid"}

    await hass.config.async_update(time_zone="Europe/Lisbon")
    charge(charger, datetime(2026, 3, 2, 14, 0, tzinfo=UTC), 1, 6.0)
    await restart(hass, freezer, mock_config_entry)

    rows = await imported(hass)
    total = sum(round(session.energy_kwh, 2) for session in charger.state.sessions)
    assert rows[-1][2] == pytest.approx(total, abs=0.005)
    # Lisbon is UTC in March: the new session lands on its own hour.
    assert rows[-1][0] == datetime(2026, 3, 2, 14, tzinfo=UTC)
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    assert saved_zones(hass_storage, mock_config_entry) == {"TRY0001": "Europe/Lisbon"}


@pytest.mark.parametrize(
    ("saved", "warned"),
    [
        (5, True),
        ("", True),
        ("Mars/Olympus", False),
        ("Europe", False),
        ("../etc/passwd", False),
    ],
    ids=["number", "empty", "unknown", "folder", "path"],
)
@pytest.mark.usefixtures("recorder_mock")
async def test_an_unreadable_saved_zone_is_the_current_one(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    *,
    caplog: pytest.LogCaptureFixture,
    saved: object,
    warned: bool,
) -> None:
    """A damaged zone neither stops the setup nor the import: it reads as today.

    One that is no text at all is left out as the store loads, with a warning.
    """
    charger = v2c_sim.charger
    charge(charger, datetime(2026, 3, 2, 8, 0, tzinfo=UTC), 2 + 1 / 6, 10.0)
    await set_up(
        hass, freezer, mock_config_entry, at=datetime(2026, 3, 2, 11, 40, tzinfo=UTC)
    )
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    saved_zones(hass_storage, mock_config_entry)["TRY0001"] = saved

    charge(charger, datetime(2026, 3, 2, 14, 0, tzinfo=UTC), 1, 6.0)
    caplog.set_level(logging.WARNING)
    await restart(hass, freezer, mock_config_entry)

    assert mock_config_entry.state is ConfigEntryState.LOADED
    warnings = [r for r in caplog.records if "safe defaults" in r.getMessage()]
    assert len(warnings) == int(warned)
    total = sum(round(session.energy_kwh, 2) for session in charger.state.sessions)
    assert (await imported(hass))[-1][2] == pytest.approx(total, abs=0.005)
    store = mock_config_entry.runtime_data.store
    assert store.history_zones == {"TRY0001": "UTC"}
