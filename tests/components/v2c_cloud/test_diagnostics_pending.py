"""Diagnostics show what support needs about commands awaiting the charger."""

from __future__ import annotations

import json

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.v2c_cloud.const import DOMAIN
from tests.sim_fixtures import SimHandle
from v2c_simulator import FaultKind

from .test_diagnostics_download import _download


async def test_diagnostics_tell_a_timer_command_whose_answer_was_lost(
    *,
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_admin_user: MockUser,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
) -> None:
    """A set_timer whose connection dropped is listed as pending and unanswered.

    The cloud may or may not have taken it: the download tells it from a
    command in its normal wait (answered or not, its deadline), without the
    value asked for or the device id.
    """
    device = dr.async_get(hass).async_get_device(
        identifiers={(DOMAIN, v2c_sim.device_id)}
    )
    assert device is not None
    v2c_sim.sim.faults.set(FaultKind.DROP_CONNECTION, route="/device/timer", count=1)
    with pytest.raises(HomeAssistantError):
        await hass.services.async_call(
            DOMAIN,
            "set_timer",
            {
                "device_id": device.id,
                "timer_id": 1,
                "start": "02:00",
                "end": "06:00",
                "days": ["monday"],
            },
            blocking=True,
        )
    runtime = init_integration.runtime_data
    pending = runtime.chargers[v2c_sim.device_id].poller.pending.get("timer_1")
    assert pending is not None
    assert pending.answered is False

    text = await _download(
        hass, hass_client, hass_admin_user, f"config_entry/{init_integration.entry_id}"
    )
    data = json.loads(text)["data"]
    assert v2c_sim.device_id not in text
    [shown] = data["chargers"][0]["pending_commands"]
    assert shown["key"] == "timer_1"
    assert shown["answered"] is False
    assert shown["deadline"] == pending.deadline.isoformat()
    assert "02:00" not in json.dumps(shown)
