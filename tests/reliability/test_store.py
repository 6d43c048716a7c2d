"""A damaged, unknown or newer Store: a warning, safe defaults, and setup goes on."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    EVENT_HOMEASSISTANT_FINAL_WRITE,
    EVENT_HOMEASSISTANT_STOP,
)
from homeassistant.core import CoreState, HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud import planner_settings
from custom_components.v2c_cloud.budget import PlannerSettings, QuotaPlanner
from custom_components.v2c_cloud.const import DOMAIN
from custom_components.v2c_cloud.helpers import utcnow
from custom_components.v2c_cloud.session import SessionMark
from custom_components.v2c_cloud.store import V2CStore
from tests.sim_fixtures import SimHandle
from v2c_simulator import FaultKind

from .helpers import assert_quota_in_step, run_for, unavailable

FAR = "9999-12-31T23:59:59+00:00"


def saved_planner(**changes: Any) -> dict[str, Any]:
    """Return a planner state as saved today, with some fields changed."""
    data = QuotaPlanner(PlannerSettings(), now=utcnow()).to_dict()
    data.update(changes)
    return data


DAMAGED: dict[str, dict[str, Any]] = {
    "planner_of_unknown_version": {
        "version": 1,
        "data": {"planner": saved_planner(version=7), "auth": {}},
    },
    "unparsable_planner_fields": {
        "version": 1,
        "data": {"planner": saved_planner(reset_at="tomorrow", limit="lots")},
    },
    "planner_not_a_mapping": {"version": 1, "data": {"planner": [1, 2, 3]}},
    "unparsable_auth_state": {
        "version": 1,
        "data": {"auth": {"first_failure": "yesterday", "failures": "x"}},
    },
    "naive_auth_time": {
        "version": 1,
        "data": {"auth": {"first_failure": "2026-03-02T11:00:00", "failures": 2}},
    },
    "store_of_a_future_version": {
        "version": 9,
        "data": {"planner": saved_planner(), "something_new": True},
    },
    "store_data_not_a_mapping": {"version": 1, "data": "garbage"},
    "unusable_energy_total": {
        "version": 1,
        "data": {"energy": {"TRY0001": {"banked_kwh": "lots", "session_kwh": -1}}},
    },
    "energy_not_a_mapping": {"version": 1, "data": {"energy": [12.5]}},
    "unusable_session_reading": {
        "version": 1,
        "data": {
            "sessions": {
                "TRY0001": {"charging": "yes"},
                "TRY0002": {"charging": True, "energy_kwh": -1.0},
                "TRY0003": "charging",
            }
        },
    },
    "sessions_not_a_mapping": {"version": 1, "data": {"sessions": [True]}},
    "unusable_history_zone": {
        "version": 1,
        "data": {"history_zones": {"TRY0001": 1, "TRY0002": "", "TRY0003": None}},
    },
    "history_zones_not_a_mapping": {
        "version": 1,
        "data": {"history_zones": ["Europe/Madrid"]},
    },
    "unusable_history_day": {
        "version": 1,
        "data": {
            "history_asked": {
                "TRY0001": "yesterday",
                "TRY0002": 20260301,
                "TRY0003": "2026-02-30",
            }
        },
    },
    "history_asked_not_a_mapping": {
        "version": 1,
        "data": {"history_asked": ["2026-03-01"]},
    },
    "unusable_offline_moment": {
        "version": 1,
        "data": {
            "offline_since": {
                "TRY0001": "2026-03-01T10:00:00",
                "TRY0002": "last week",
                "TRY0003": 1772359200,
            }
        },
    },
    "offline_since_not_a_mapping": {
        "version": 1,
        "data": {"offline_since": ["2026-03-01T10:00:00+00:00"]},
    },
}


@pytest.mark.parametrize("name", sorted(DAMAGED))
async def test_damaged_store_never_stops_setup(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    *,
    name: str,
) -> None:
    """Setup succeeds, warns once about the store, and follows the real quota."""
    mock_config_entry.add_to_hass(hass)
    key = f"{DOMAIN}.{mock_config_entry.entry_id}"
    hass_storage[key] = {"key": key, "minor_version": 1, **DAMAGED[name]}
    caplog.set_level(logging.WARNING)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert unavailable(hass, mock_config_entry) == []
    assert_quota_in_step(mock_config_entry, v2c_sim)
    warnings = [r for r in caplog.records if "safe defaults" in r.getMessage()]
    assert len(warnings) == 1


@pytest.mark.parametrize(
    "name", ["planner_of_unknown_version", "store_of_a_future_version"]
)
async def test_damaged_store_assumes_half_the_quota_spent(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    mock_config_entry: MockConfigEntry,
    name: str,
) -> None:
    """Until a header says otherwise, half the day's calls count as gone."""
    mock_config_entry.add_to_hass(hass)
    key = f"{DOMAIN}.{mock_config_entry.entry_id}"
    hass_storage[key] = {"key": key, "minor_version": 1, **DAMAGED[name]}
    store = await V2CStore.async_load(
        hass, mock_config_entry.entry_id, planner_settings(mock_config_entry)
    )
    assert store.planner.remaining == store.planner.limit // 2


@pytest.mark.parametrize("quota", ["abc", "another key"])
async def test_session_readings_load_whatever_the_key(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    quota: str,
) -> None:
    """A new key counts its quota afresh; the chargers' last readings stay theirs.

    So do the time zones of their history imports, the days those asked
    up to and the moments they went offline. A damaged reading is skipped
    alone, with a warning.
    """
    key = f"{DOMAIN}.{mock_config_entry.entry_id}"
    reading = {"charging": True, "energy_kwh": 4.25, "duration_s": 3600}
    hass_storage[key] = {
        "version": 1,
        "minor_version": 1,
        "key": key,
        "data": {
            "quota": "abc",
            "sessions": {
                "TRY0001": reading,
                "TRY0002": {"charging": False, "energy_kwh": None, "duration_s": None},
                "TRY0003": {"charging": True, "duration_s": 1.5},
            },
            "history_zones": {"TRY0001": "Europe/Madrid"},
            "history_asked": {"TRY0001": "2026-03-01"},
            "offline_since": {"TRY0001": "2026-03-01T10:00:00+00:00"},
        },
    }
    caplog.set_level(logging.WARNING)
    store = await V2CStore.async_load(
        hass, mock_config_entry.entry_id, planner_settings(mock_config_entry), quota
    )
    assert store.sessions == {
        "TRY0001": SessionMark(charging=True, energy_kwh=4.25, duration_s=3600),
        "TRY0002": SessionMark(charging=False),
    }
    warnings = [
        r.getMessage() for r in caplog.records if "safe defaults" in r.getMessage()
    ]
    assert len(warnings) == 1
    assert "sessions part" in warnings[0]
    assert store.history_zones == {"TRY0001": "Europe/Madrid"}
    assert store.history_asked == {"TRY0001": date(2026, 3, 1)}
    assert store.offline_since == {"TRY0001": datetime(2026, 3, 1, 10, tzinfo=UTC)}

    await store.async_save()
    assert hass_storage[key]["data"]["sessions"]["TRY0001"] == reading
    assert hass_storage[key]["data"]["history_zones"] == {"TRY0001": "Europe/Madrid"}
    assert hass_storage[key]["data"]["history_asked"] == {"TRY0001": "2026-03-01"}
    assert hass_storage[key]["data"]["offline_since"] == {
        "TRY0001": "2026-03-01T10:00:00+00:00"
    }


async def test_absurd_saved_times_are_dropped(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A block or reset saved for the year 9999 does not silence the entry."""
    mock_config_entry.add_to_hass(hass)
    key = f"{DOMAIN}.{mock_config_entry.entry_id}"
    planner = saved_planner(reset_at=FAR, rate_limited_until=FAR, remaining=0)
    hass_storage[key] = {"key": key, "version": 1, "data": {"planner": planner}}
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    runtime = mock_config_entry.runtime_data
    assert runtime.planner.reset_at <= utcnow() + timedelta(hours=24, minutes=5)
    assert runtime.planner.blocked_until(utcnow()) is None
    assert unavailable(hass, mock_config_entry) == []


async def test_calls_nobody_answered_are_on_disk_at_a_stop(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Home Assistant writes only scheduled saves when it stops, and these calls bring no header.

    Unsaved, a restart would find them in the next header and blame other programs.
    """
    await run_for(hass, freezer, timedelta(minutes=2))
    v2c_sim.sim.faults.set(FaultKind.DROP_CONNECTION)
    await run_for(hass, freezer, timedelta(minutes=30), step=timedelta(minutes=1))
    assert any(
        record.fault is FaultKind.DROP_CONNECTION for record in v2c_sim.sim.request_log
    )

    hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
    await hass.async_block_till_done()

    saved = hass_storage[f"{DOMAIN}.{init_integration.entry_id}"]["data"]["planner"]
    counted = init_integration.runtime_data.planner.snapshot(utcnow()).calls_today
    assert sum(saved["window"]["calls"].values()) == sum(counted.values())


async def test_an_idle_hour_rewrites_the_file_at_most_every_five_minutes(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every call changes the counts; each would be a write of its own, 30 s later."""
    writes: list[object] = []
    data_due = V2CStore._data_due

    def counted(store: V2CStore) -> dict[str, Any]:
        writes.append(utcnow())
        return data_due(store)

    monkeypatch.setattr(V2CStore, "_data_due", counted)
    await run_for(hass, freezer, timedelta(minutes=5))
    writes.clear()
    v2c_sim.sim.clear_log()
    await run_for(hass, freezer, timedelta(hours=1))
    assert len(v2c_sim.sim.request_log) > 12
    assert 1 <= len(writes) <= 12


async def test_a_stop_marks_the_file_closed_and_a_gap_after_it_is_other_programs(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Home Assistant stops without unloading entries; the write it makes is the last.

    Every call is on disk then, so calls the next start finds in the header
    are other programs', as before the Store said how the run ended.
    """
    entry = init_integration
    key = f"{DOMAIN}.{entry.entry_id}"
    await run_for(hass, freezer, timedelta(minutes=10))
    assert hass_storage[key]["data"]["closed"] is False
    hass.set_state(CoreState.stopping)
    try:
        hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
        await hass.async_block_till_done()
        hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
        await hass.async_block_till_done()
    finally:
        hass.set_state(CoreState.running)
    stopped = copy.deepcopy(hass_storage[key])
    assert stopped["data"]["closed"] is True
    counted = entry.runtime_data.planner.snapshot(utcnow()).calls_today
    assert sum(stopped["data"]["planner"]["window"]["calls"].values()) == sum(
        counted.values()
    )

    assert await hass.config_entries.async_unload(entry.entry_id)
    hass_storage[key] = stopped
    quota = v2c_sim.sim.quota(v2c_sim.api_key)
    for _ in range(7):
        assert quota.try_consume(utcnow())
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.runtime_data.planner.snapshot(utcnow()).other_calls_today == 7


async def test_a_failed_setup_leaves_the_file_closed(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Its calls are all on disk: a gap the next attempt finds is not ours."""
    mock_config_entry.add_to_hass(hass)
    v2c_sim.sim.faults.set(FaultKind.HTTP_500)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    saved = hass_storage[f"{DOMAIN}.{mock_config_entry.entry_id}"]["data"]
    assert saved["closed"] is True
    assert sum(saved["planner"]["window"]["calls"].values()) >= 1
