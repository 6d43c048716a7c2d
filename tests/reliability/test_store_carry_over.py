"""What a store carries over a downgrade and a new key: the day's count and the habits."""

from __future__ import annotations

import copy
import json
import logging
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_API_KEY
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud import planner_settings
from custom_components.v2c_cloud.account import ACCOUNT_TICK
from custom_components.v2c_cloud.budget import CallKind, ChargerActivity
from custom_components.v2c_cloud.const import DOMAIN
from custom_components.v2c_cloud.store import V2CStore
from tests.components.v2c_cloud.read_helpers import advance
from tests.sim_fixtures import SimHandle, SimSetup

# The newest store layout the fixtures keep (remaining 700 of 1,000, habits learned).
NEWEST = json.loads(
    (
        Path(__file__).resolve().parents[1] / "fixtures" / "stores" / "0c6f535.json"
    ).read_text()
)
NEW_KEY = "a-new-key"
TWO_CHARGERS = SimSetup(
    models=("trydan", "pole"),
    device_ids=("TRY0001", "POL0001"),
    tags=("Garage", "Drive"),
)


def _newer_activity(saved: dict[str, Any]) -> None:
    # Revisions have added activities before ("waiting", then "sunless"):
    # a later one saves a charger in an activity this one does not know.
    saved["planner"]["chargers"]["TRY0001"]["activity"] = "scheduled"


def _newer_call_kind(saved: dict[str, Any]) -> None:
    # A later revision counting a new kind of call in the day's window.
    saved["planner"]["window"]["calls"] = {"poll": 250, "history": 50}


def _stored(hass_storage: dict[str, Any], entry_id: str, data: dict[str, Any]) -> None:
    hass_storage[f"{DOMAIN}.{entry_id}"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"{DOMAIN}.{entry_id}",
        "data": data,
    }


@pytest.mark.parametrize(
    "newer", [_newer_activity, _newer_call_kind], ids=["activity", "call_kind"]
)
async def test_a_downgrade_keeps_the_days_count_and_the_habits(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    frozen_start: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    newer: Any,
) -> None:
    """A value a newer revision added is left out alone, without a warning.

    Going back to this version (in HACS, say) after an upgrade keeps the
    day's count (700 calls left, not the 500 of a damaged file) and every
    learned habit: a charger in an activity this version does not know is
    taken as empty until its first read, and calls of a kind it does not
    know still count, as polls.
    """
    entry = MockConfigEntry(domain=DOMAIN, data={"api_key": "k"})
    saved = copy.deepcopy(NEWEST)
    newer(saved)
    _stored(hass_storage, entry.entry_id, saved)
    with caplog.at_level(logging.WARNING):
        store = await V2CStore.async_load(
            hass, entry.entry_id, planner_settings(entry), saved.get("quota")
        )
    assert not [r for r in caplog.records if "damaged" in r.getMessage()]
    state = store.planner._state
    assert (state.limit, state.remaining) == (1000, 700)
    assert state.command_ewma == 17.5
    assert state.chargers["TRY0001"].charge_ewma_s == 4321.0
    if newer is _newer_activity:
        assert state.chargers["TRY0001"].activity is ChargerActivity.IDLE
    else:
        assert state.window.calls == {CallKind.POLL: 300}


async def test_a_new_key_of_the_same_account_keeps_the_chargers_habits(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
) -> None:
    """Reconfiguring (or reauthenticating) to a new key keeps what the chargers taught.

    Only the quota count is the key's: the charger's learned charge length
    and the user's command pace come along, the day's count starts afresh.
    """
    entry = init_integration
    device_id = v2c_sim.device_id
    state = entry.runtime_data.planner._state
    state.chargers[device_id].charge_ewma_s = 4321.0
    state.command_ewma = 17.5
    state.other_ewma = 300.0
    v2c_sim.sim.add_account(NEW_KEY).chargers.append(v2c_sim.charger)

    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: NEW_KEY}
    )
    await hass.async_block_till_done()
    assert result["reason"] == "reconfigure_successful"
    assert entry.state is ConfigEntryState.LOADED

    state = entry.runtime_data.planner._state
    assert state.chargers[device_id].charge_ewma_s == 4321.0
    assert state.command_ewma == 17.5
    # Other programs on the old key spend nothing of the new one.
    assert state.other_ewma == 0.0


@pytest.mark.parametrize("sim_setup", [TWO_CHARGERS])
async def test_a_new_key_forgets_the_chargers_it_does_not_pair(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A key whose account pairs only some of the entry's chargers keeps theirs.

    Habits are kept by charger: the one the new account leaves out is
    forgotten, habits and all, once a second pairings read confirms it gone.
    """
    entry = init_integration
    garage, drive = v2c_sim.chargers
    state = entry.runtime_data.planner._state
    state.chargers[garage.device_id].charge_ewma_s = 4321.0
    state.chargers[drive.device_id].charge_ewma_s = 1234.0
    v2c_sim.sim.add_account(NEW_KEY).chargers.append(garage)

    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: NEW_KEY}
    )
    await hass.async_block_till_done()
    assert result["reason"] == "reconfigure_successful"
    # Until then it may be the cloud leaving it out for a minute.
    assert entry.runtime_data.planner._state.chargers[drive.device_id]
    for _ in range(16):
        await advance(hass, freezer, ACCOUNT_TICK)

    assert set(entry.runtime_data.chargers) == {garage.device_id}
    chargers = entry.runtime_data.planner._state.chargers
    assert set(chargers) == {garage.device_id}
    assert chargers[garage.device_id].charge_ewma_s == 4321.0


async def test_a_new_key_with_damaged_habits_counts_its_quota_afresh(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    frozen_start: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Habits that cannot be read are learned again; the new key's calls are all there.

    Not half of them, as for a damaged count: the old key's count is not the
    new key's either way.
    """
    entry = MockConfigEntry(domain=DOMAIN, data={"api_key": "k"})
    saved = copy.deepcopy(NEWEST)
    saved["planner"]["command_ewma"] = "lots"
    _stored(hass_storage, entry.entry_id, saved)
    with caplog.at_level(logging.WARNING):
        store = await V2CStore.async_load(
            hass, entry.entry_id, planner_settings(entry), "another key"
        )
    warnings = [r.getMessage() for r in caplog.records if "damaged" in r.getMessage()]
    assert len(warnings) == 1
    assert "habits afresh" in warnings[0]
    state = store.planner._state
    assert (state.limit, state.remaining) == (1000, 1000)
    assert "TRY0001" not in state.chargers
