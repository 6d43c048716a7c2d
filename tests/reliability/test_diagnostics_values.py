"""Diagnostics redact by value as well as by name, whatever the V2C Cloud echoes."""

from __future__ import annotations

import json
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.v2c_cloud.const import DOMAIN
from tests.diagnostics_helpers import device_diagnostics
from tests.sim_fixtures import SimHandle
from v2c_simulator import render
from v2c_simulator.state import ChargerState, RfidCard

CARD_UID = "04A1B2C3D4"
HOLDER = "Maria Lopez Garcia"
EMAIL = "maria.lopez@example.com"
SSID = "LopezFamilyWifi"


@pytest.fixture
def hostile_replies(v2c_sim: SimHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the cloud echo the key, name cards by `uid`, and add unknown fields."""
    real_reported = render.reported
    real_state = render.current_state

    def reported(state: ChargerState, *args: Any, **kwargs: Any) -> dict[str, Any]:
        reply = real_reported(state, *args, **kwargs)
        reply.update({"SSID": SSID, "ownerEmail": EMAIL, "note": v2c_sim.api_key})
        return reply

    def current_state(state: ChargerState, *args: Any) -> dict[str, Any]:
        reply = real_state(state, *args)
        reply["requestedBy"] = f"apikey={v2c_sim.api_key}"
        return reply

    def rfid_card(card: RfidCard) -> dict[str, Any]:
        return {"uid": card.code, "tag": card.tag, "name": card.tag}

    monkeypatch.setattr(render, "reported", reported)
    monkeypatch.setattr(render, "current_state", current_state)
    monkeypatch.setattr(render, "rfid_card", rfid_card)
    v2c_sim.charger.state.rfid_cards.append(RfidCard(CARD_UID, HOLDER))


@pytest.mark.usefixtures("hostile_replies")
async def test_diagnostics_hold_no_secret_anywhere(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
) -> None:
    """The key echoed back, card UIDs and holders, SSID and an e-mail stay out."""
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    device = dr.async_get(hass).async_get_device(
        identifiers={(DOMAIN, v2c_sim.device_id)}
    )
    assert device is not None
    cards = await hass.services.async_call(
        DOMAIN,
        "list_rfid_cards",
        {"device_id": device.id},
        blocking=True,
        return_response=True,
    )
    assert CARD_UID in json.dumps(cards)  # the action itself answers the user

    entry = await get_diagnostics_for_config_entry(hass, hass_client, mock_config_entry)
    one = await device_diagnostics(hass, hass_client, mock_config_entry, device)
    for diagnostics in (entry, one):
        text = json.dumps(diagnostics)
        for secret in (v2c_sim.api_key, CARD_UID, HOLDER, EMAIL, SSID):
            assert secret not in text, secret
        assert v2c_sim.device_id not in text
        assert v2c_sim.charger.state.mac not in text
    # Unknown fields remain as names, so support still sees what V2C sent.
    assert "ownerEmail" in json.dumps(entry)
