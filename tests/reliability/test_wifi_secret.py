"""The Wi-Fi password goes through a flow: never into the recorder, a log or a file."""

from __future__ import annotations

import json
import logging
from typing import Any

from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.db_schema import EventData, Events, EventTypes
from homeassistant.components.recorder.util import session_scope
from homeassistant.config_entries import ConfigFlowResult
from homeassistant.const import CONF_DEVICE, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceNotFound
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.v2c_cloud.const import DOMAIN
from tests.sim_fixtures import SimHandle, SimSetup
from v2c_simulator import FaultKind

PASSWORD = "Wifi-Pa55-q7Zx!9d8c"


@pytest.fixture
def mock_recorder_before_hass(async_test_recorder: object) -> None:
    """Prepare the recorder before Home Assistant starts, as recorder_mock needs."""


async def change_wifi(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    device_id: str,
    ssid: str,
    password: str,
) -> ConfigFlowResult:
    """Walk the options flow's Wi-Fi step once and return its outcome."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "wifi"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "wifi"
    return await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_DEVICE: device_id, "ssid": ssid, CONF_PASSWORD: password},
    )


def recorded_text(hass: HomeAssistant) -> str:
    """Return every event type and event data the recorder stored."""
    with session_scope(hass=hass, read_only=True) as session:
        rows: list[Any] = [
            (kind.event_type if kind else None, data.shared_data if data else None)
            for _, kind, data in session.query(Events, EventTypes, EventData)
            .outerjoin(EventTypes, Events.event_type_id == EventTypes.event_type_id)
            .outerjoin(EventData, Events.data_id == EventData.data_id)
        ]
    return json.dumps(rows, default=str)


async def test_wifi_password_reaches_no_record_and_no_log(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Change the network twice (once failing): the password is nowhere but the charger."""
    caplog.set_level(logging.DEBUG)
    result = await change_wifi(
        hass, init_integration, v2c_sim.device_id, "Garage-AP", PASSWORD
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wifi_changed"
    assert v2c_sim.charger.state.wifi_ssid == "Garage-AP"
    assert v2c_sim.charger.state.wifi_password_length == len(PASSWORD)

    v2c_sim.sim.faults.set(FaultKind.HTTP_503, route="/device/wifi")
    failed = await change_wifi(
        hass, init_integration, v2c_sim.device_id, "Other", PASSWORD
    )
    assert failed["type"] is FlowResultType.FORM
    assert failed["errors"] == {"base": "wifi_cannot_connect"}
    invalid = await change_wifi(
        hass, init_integration, v2c_sim.device_id, "Other", "short"
    )
    assert invalid["errors"] == {CONF_PASSWORD: "invalid_password"}
    assert v2c_sim.charger.state.wifi_ssid == "Garage-AP"

    # The old action is gone, so no automation can put a password in action data.
    with pytest.raises(ServiceNotFound):
        await hass.services.async_call(
            DOMAIN,
            "set_wifi",
            {"ssid": "Other", "password": "never-sent-1"},
            blocking=True,
        )

    # Any action's data is recorded: that is why the password left the actions.
    hass.services.async_register("test", "echo", lambda call: None)
    await hass.services.async_call("test", "echo", {"marker": "in-db"}, blocking=True)
    await async_wait_recording_done(hass)
    recorded = recorded_text(hass)
    assert "call_service" in recorded
    assert "in-db" in recorded
    assert PASSWORD not in recorded
    assert PASSWORD not in caplog.text
    assert PASSWORD not in json.dumps([failed, invalid], default=str)
    assert "/device/wifi" in caplog.text


async def test_wifi_step_refuses_bad_input_and_an_unloaded_entry(
    hass: HomeAssistant, v2c_sim: SimHandle, init_integration: MockConfigEntry
) -> None:
    """A too long network name is refused in the form; an unloaded entry aborts."""
    calls = len(v2c_sim.sim.request_log)
    result = await change_wifi(
        hass, init_integration, v2c_sim.device_id, "x" * 33, PASSWORD
    )
    assert result["errors"] == {"ssid": "invalid_ssid"}
    assert len(v2c_sim.sim.request_log) == calls

    assert await hass.config_entries.async_unload(init_integration.entry_id)
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "wifi"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_loaded"


@pytest.mark.parametrize(
    "sim_setup",
    [SimSetup(models=("trydan", "pole"), device_ids=("TRY0001", "POL0001"))],
)
async def test_wifi_step_aborts_for_a_charger_gone_while_the_form_was_open(
    hass: HomeAssistant, v2c_sim: SimHandle, init_integration: MockConfigEntry
) -> None:
    """The entry reloaded without the chosen charger: nothing is sent, the step aborts."""
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "wifi"}
    )
    assert result["step_id"] == "wifi"
    v2c_sim.account.remove_charger("POL0001")
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert set(init_integration.runtime_data.chargers) == {"TRY0001"}

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_DEVICE: "POL0001", "ssid": "Garage-AP", CONF_PASSWORD: PASSWORD},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_loaded"
    assert not [r for r in v2c_sim.sim.request_log if r.path == "/device/wifi"]
