"""Upgrades: a store written by an earlier revision loads and keeps what it learned."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud import planner_settings
from custom_components.v2c_cloud.const import DOMAIN
from custom_components.v2c_cloud.store import V2CStore

STORES = sorted(
    (Path(__file__).resolve().parents[1] / "fixtures" / "stores").glob("*.json")
)
SAVED = {path.stem: json.loads(path.read_text()) for path in STORES}


@pytest.mark.parametrize("revision", sorted(SAVED))
async def test_a_store_of_an_earlier_revision_keeps_what_it_learned(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    frozen_start: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    revision: str,
) -> None:
    """Read without a warning, with the quota, the learned habits and the total kept."""
    entry = MockConfigEntry(domain=DOMAIN, data={"api_key": "k"})
    saved = SAVED[revision]
    hass_storage[f"{DOMAIN}.{entry.entry_id}"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"{DOMAIN}.{entry.entry_id}",
        "data": saved,
    }
    with caplog.at_level(logging.WARNING):
        store = await V2CStore.async_load(
            hass, entry.entry_id, planner_settings(entry), saved.get("quota")
        )
    assert not [r for r in caplog.records if "damaged" in r.getMessage()]
    state = store.planner._state
    assert (state.limit, state.remaining) == (1000, 700)
    assert state.command_ewma == 17.5
    assert state.chargers["TRY0001"].charge_ewma_s == 4321.0
    if saved.get("energy"):
        assert store.energy["TRY0001"].as_dict()["banked_kwh"] == 123.4
    # Written since the session events compare across reloads and restarts:
    # none saved means none compared, as before.
    assert store.sessions == {}
    # Nor did they keep a history import's time zone: the current one is used.
    assert store.history_zones == {}
    # Nor the day it asked up to: the next import asks back to its last session.
    assert store.history_asked == {}
