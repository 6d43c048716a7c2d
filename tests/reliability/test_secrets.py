"""Secrets: the API key and a Wi-Fi password never leak, whatever happens."""

from __future__ import annotations

from datetime import timedelta
import json
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, SupportsResponse
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud import diagnostics
from custom_components.v2c_cloud.const import DOMAIN
from custom_components.v2c_cloud.service_actions import ACTIONS
from tests.sim_fixtures import SimHandle
from v2c_simulator import FaultKind

from .helpers import charger, run_for
from .test_wifi_secret import change_wifi

WIFI_PASSWORD = "Wifi-Pa55-q7Zx!9d8c"
ACTION_DATA: dict[str, dict[str, Any]] = {
    "start_charging_energy": {"energy": 10},
    "start_charging_time": {"minutes": 90},
    "learn_rfid_card": {"name": "Anna"},
    "add_rfid_card": {"code": "04A1B2C3", "name": "Anna"},
    "rename_rfid_card": {"code": "04A1B2C3", "name": "Bob"},
    "delete_rfid_card": {"code": "04A1B2C3"},
    "list_rfid_cards": {},
    "set_timer": {
        "timer_id": 1,
        "start": "22:00",
        "end": "06:00",
        "days": ["monday"],
    },
    "disable_timer": {"timer_id": 1},
    "scan_wifi_networks": {},
    "save_power_profile": {"name": "SolarMode", "mode": "solar", "value": 32},
    "update_power_profile": {"name": "SolarMode", "mode": "solar", "value": 30},
    "get_power_profile": {"updated_at": "2026-03-02T12:00:00+00:00"},
    "delete_power_profile": {
        "name": "SolarMode",
        "updated_at": "2026-03-02T12:00:00+00:00",
    },
    "list_power_profiles": {},
    "get_charging_sessions": {},
    "get_account_statistics": {},
    "get_firmware_version": {},
    "update_firmware": {},
    "set_max_power": {"power": 5000},
    "set_third_party_mode": {"mode": 1, "enabled": True},
}
FAULTS = (FaultKind.HTTP_503, FaultKind.FALSE_401, FaultKind.MALFORMED_JSON)


async def run_every_action(
    hass: HomeAssistant, device_id: str, outputs: list[str]
) -> None:
    """Call each action once; keep responses and error messages for inspection."""
    assert {action.name for action in ACTIONS} == set(ACTION_DATA)
    for action in ACTIONS:
        data = {"device_id": device_id, **ACTION_DATA[action.name]}
        try:
            response = await hass.services.async_call(
                DOMAIN,
                action.name,
                data,
                blocking=True,
                return_response=action.response is not SupportsResponse.NONE,
            )
        except HomeAssistantError as err:
            outputs.append(f"{err!r} {err} {err.translation_placeholders}")
        else:
            outputs.append(json.dumps(response, default=str))


def record_text(record: logging.LogRecord) -> str:
    """Return everything a log record could show: message, args and traceback."""
    parts = [str(record.msg), repr(record.args), record.getMessage()]
    if record.exc_info:
        parts.append(logging.Formatter().formatException(record.exc_info))
    if record.exc_text:
        parts.append(record.exc_text)
    return "\n".join(parts)


async def test_no_secret_leaks(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Poll, act, fail and diagnose at DEBUG level: no key or password anywhere."""
    caplog.set_level(logging.DEBUG)
    device = dr.async_get(hass).async_get_device(
        identifiers={(DOMAIN, v2c_sim.device_id)}
    )
    assert device is not None
    outputs: list[str] = []

    await run_for(hass, freezer, timedelta(hours=1))
    await run_every_action(hass, device.id, outputs)
    await change_wifi(
        hass, init_integration, v2c_sim.device_id, "HomeNetwork", WIFI_PASSWORD
    )
    for kind in FAULTS:
        v2c_sim.sim.faults.set(kind, duration_s=600)
        await run_for(hass, freezer, timedelta(minutes=20))
        v2c_sim.sim.faults.set(kind, count=3)
        await run_every_action(hass, device.id, outputs)
    v2c_sim.sim.faults.clear()
    await run_for(hass, freezer, timedelta(hours=1))

    payload = json.dumps(
        await diagnostics.async_get_config_entry_diagnostics(hass, init_integration),
        default=str,
    )
    issues = json.dumps(
        [issue.to_json() for issue in ir.async_get(hass).issues.values()], default=str
    )
    logs = "\n".join(record_text(record) for record in caplog.records)
    assert any(record.levelno == logging.DEBUG for record in caplog.records)
    assert len(outputs) == (1 + len(FAULTS)) * len(ACTIONS)
    assert f"<redacted:{len(WIFI_PASSWORD)}>" in json.dumps(
        [record.as_dict() for record in v2c_sim.sim.request_log], default=str
    )

    for secret in (v2c_sim.api_key, WIFI_PASSWORD):
        assert secret not in logs
        assert secret not in payload
        assert secret not in issues
        assert all(secret not in text for text in outputs)

    reported = charger(init_integration, v2c_sim.device_id).data.reported
    assert reported is not None
    assert reported.mac
    assert v2c_sim.device_id not in payload
    assert reported.mac not in payload
    assert "**REDACTED**" in payload
