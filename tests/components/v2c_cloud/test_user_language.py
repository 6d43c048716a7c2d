"""What a user running Home Assistant in Spanish reads when something goes wrong.

Each test renders a message the way the frontend does: from the integration's
translations in the user's language when Home Assistant hands it a translation
key, else from the raw text Home Assistant stored, which is English.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
import string
from typing import Any

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_API_KEY, CONF_DEVICE, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.translation import async_get_translations
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.v2c_cloud import service_schemas, wifi_flow
from custom_components.v2c_cloud.const import CONF_BASE_URL, DOMAIN
from tests.sim_fixtures import SimHandle
from v2c_simulator import FaultKind

LANGUAGE = "es"


async def _spanish(hass: HomeAssistant, category: str, key: str) -> str:
    """Return one of the integration's Spanish texts, as the frontend loads it."""
    texts = await async_get_translations(hass, LANGUAGE, category, [DOMAIN])
    return texts[f"component.{DOMAIN}.{category}.{key}"]


async def _shown_setup_reason(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """Return the reason the integrations page shows for an entry that retries setup.

    The frontend translates error_reason_translation_key when there is one;
    otherwise it shows entry.reason as stored.
    """
    if (key := entry.error_reason_translation_key) is None:
        return str(entry.reason)
    message = await _spanish(hass, "exceptions", f"{key}.message")
    return message.format(**(entry.error_reason_translation_placeholders or {}))


async def test_setup_retry_reason_is_translated_when_the_cloud_is_down(
    hass: HomeAssistant, v2c_sim: SimHandle, mock_config_entry: MockConfigEntry
) -> None:
    """A setup that fails on a 503 tells a Spanish user why in Spanish.

    Home Assistant's async_config_entry_first_refresh wraps the first read's
    translated UpdateFailed in a bare ConfigEntryNotReady; the setup raises
    one with the UpdateFailed's key and placeholders instead, so the
    integrations page shows es.json's "No se pudo comunicar con V2C Cloud
    (HTTP 503)."
    """
    hass.config.language = LANGUAGE
    v2c_sim.sim.faults.set(FaultKind.HTTP_503)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY

    expected = (
        await _spanish(hass, "exceptions", "communication_error.message")
    ).format(error="HTTP 503")
    assert await _shown_setup_reason(hass, mock_config_entry) == expected


async def test_setup_retry_reason_is_translated_when_the_quota_is_spent(
    hass: HomeAssistant, v2c_sim: SimHandle, mock_config_entry: MockConfigEntry
) -> None:
    """A setup refused with a 429 tells a Spanish user when calls come back, in Spanish.

    From the first attempt on, not only once the setup gate refuses the later
    ones: es.json's rate_limited (or quota_exhausted) message.
    """
    hass.config.language = LANGUAGE
    v2c_sim.spend_quota()
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY

    shown = await _shown_setup_reason(hass, mock_config_entry)
    assert "The V2C Cloud refused the call" not in shown, shown
    spanish = {
        (await _spanish(hass, "exceptions", f"{key}.message")).format(time="00:00 UTC")
        for key in ("rate_limited", "quota_exhausted")
    }
    assert shown in spanish


async def _change_wifi(
    hass: HomeAssistant, entry: MockConfigEntry, device_id: str
) -> dict[str, Any]:
    """Walk the options flow's Wi-Fi step once and return its outcome."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "wifi"}
    )
    return dict(
        await hass.config_entries.options.async_configure(
            result["flow_id"],
            {CONF_DEVICE: device_id, "ssid": "Garage-AP", CONF_PASSWORD: "pa55word!"},
        )
    )


async def test_wifi_change_failure_is_all_spanish(
    hass: HomeAssistant, v2c_sim: SimHandle, init_integration: MockConfigEntry
) -> None:
    """A Wi-Fi change the cloud fails explains the failure in the user's language.

    The frontend shows a placeholder as given, and str() of a translated error
    is English: the failure has a form error key of its own (here
    wifi_cannot_connect), whose placeholder, the HTTP status, reads the same
    in every language.
    """
    hass.config.language = LANGUAGE
    v2c_sim.sim.faults.set(FaultKind.HTTP_503, route="/device/wifi")
    result = await _change_wifi(hass, init_integration, v2c_sim.device_id)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "wifi_cannot_connect"}

    shown = (await _spanish(hass, "options", "error.wifi_cannot_connect")).format(
        **result["description_placeholders"]
    )
    assert shown == (
        "No se cambió la red del cargador: "
        "no se pudo comunicar con V2C Cloud (HTTP 503)."
    )


async def _shown_action_error(hass: HomeAssistant, error: dict[str, Any]) -> str:
    """Return what the frontend shows for a failed action call over the websocket.

    It translates the error's translation key in the user's language when the
    answer has one; otherwise it shows the message as sent.
    """
    if error.get("translation_domain") == DOMAIN and error.get("translation_key"):
        message = await _spanish(
            hass, "exceptions", f"{error['translation_key']}.message"
        )
        return message.format(**(error.get("translation_placeholders") or {}))
    return str(error["message"])


async def test_action_without_charger_is_refused_clearly(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """An action without a charger is refused clearly; translated where HA allows.

    A Python caller, a script or an automation gets the no_charger key, which
    es.json translates. The websocket answers invalid_format with the English
    message and no key: its call_service handler checks vol.Invalid before
    ServiceValidationError, and InvalidActionInputError stays a vol.Invalid
    because Home Assistant's REST API answers a plain ServiceValidationError
    with a 500 and a stack trace rather than a 400 (test_services.py).
    """
    hass.config.language = LANGUAGE
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "get_firmware_version", {}, blocking=True, return_response=True
        )
    assert err.value.translation_key == "no_charger"
    assert (await _spanish(hass, "exceptions", "no_charger.message")).startswith(
        "No se ha indicado ningún cargador"
    )

    websocket = await hass_ws_client(hass)
    await websocket.send_json_auto_id(
        {
            "type": "call_service",
            "domain": DOMAIN,
            "service": "get_firmware_version",
            "service_data": {},
            "return_response": True,
        }
    )
    answer = await websocket.receive_json()
    assert answer["success"] is False

    assert answer["error"]["code"] == "invalid_format"
    assert await _shown_action_error(hass, answer["error"]) == (
        "No charger was given: choose a V2C charger's device or one of its entities"
    )


async def test_action_with_a_bad_argument_explains_it_in_spanish(
    hass: HomeAssistant, init_integration: MockConfigEntry, v2c_sim: SimHandle
) -> None:
    """A timer whose end equals its start is refused with a Spanish explanation.

    Where the translation key reaches the user (a script, an automation's
    trace, a service call from Python), the reason is part of the translated
    message: a reason of the integration's own has a key of its own, not
    English text in invalid_value's {error}.
    """
    hass.config.language = LANGUAGE
    device = dr.async_get(hass).async_get_device({(DOMAIN, v2c_sim.device_id)})
    assert device is not None
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_timer",
            {
                "device_id": device.id,
                "timer_id": 1,
                "start": "07:30",
                "end": "07:30",
                "days": ["monday"],
            },
            blocking=True,
        )
    key = err.value.translation_key
    shown = (await _spanish(hass, "exceptions", f"{key}.message")).format(
        **(err.value.translation_placeholders or {})
    )
    assert key == "invalid_timer_end"
    assert shown == (
        "Valor no válido para end: "
        "el final de un temporizador debe ser distinto de su inicio."
    )


async def test_malformed_inverter_address_is_a_translated_error(
    hass: HomeAssistant,
    *,
    all_enabled: None,
    init_integration: MockConfigEntry,
    v2c_sim: SimHandle,
    hass_ws_client: WebSocketGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A mistyped inverter IP ("192.168.1") typed in the UI is refused in Spanish.

    The text entities set no `pattern` nor length limits, which Home
    Assistant's text platform would check first with a plain ValueError (an
    unknown error, in English, with a stack trace): the integration's own
    check answers with es.json's invalid_inverter_ip message.
    """
    hass.config.language = LANGUAGE
    entity_id = er.async_get(hass).async_get_entity_id(
        "text", DOMAIN, f"{v2c_sim.device_id}_inverter_ip"
    )
    assert entity_id is not None
    websocket = await hass_ws_client(hass)
    await websocket.send_json_auto_id(
        {
            "type": "call_service",
            "domain": "text",
            "service": "set_value",
            "target": {"entity_id": entity_id},
            "service_data": {"value": "192.168.1"},
        }
    )
    answer = await websocket.receive_json()
    assert answer["success"] is False

    assert answer["error"]["code"] != "unknown_error", answer["error"]
    assert "Unexpected exception" not in caplog.text
    shown = await _shown_action_error(hass, answer["error"])
    expected = await _spanish(hass, "exceptions", "invalid_inverter_ip.message")
    assert shown == expected.format(value="192.168.1")


async def test_key_pasted_across_two_lines_is_not_an_unknown_error(
    hass: HomeAssistant, v2c_sim: SimHandle, caplog: pytest.LogCaptureFixture
) -> None:
    """A key pasted with a line break inside gets a clear form error.

    aiohttp would refuse it as a header with a plain ValueError; the client
    refuses it first, without any call, and the flow shows invalid_auth (no
    V2C key holds a line break), without a stack trace or the key in the log.
    """
    hass.config.language = LANGUAGE
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    key = v2c_sim.api_key
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_API_KEY: f"{key[:8]}\n{key[8:]}",
            "advanced": {CONF_BASE_URL: v2c_sim.base_url},
        },
    )
    assert result["type"] is FlowResultType.FORM
    assert "Traceback" not in caplog.text
    assert result["errors"] == {"base": "invalid_auth"}
    assert key[8:] not in caplog.text
    assert v2c_sim.sim.request_log == []


def test_each_wifi_failure_has_its_cause_placeholders() -> None:
    """A Wi-Fi error key shows the placeholders of the command error it stands for."""
    strings = json.loads(
        (Path(wifi_flow.__file__).parent / "strings.json").read_text(encoding="utf-8")
    )
    form_errors = strings["options"]["error"]
    for cause, key in wifi_flow.WIFI_ERRORS.items():
        cause_text = strings["exceptions"][cause]["message"]
        assert _fields(form_errors[key]) == _fields(cause_text), key
    assert _fields(form_errors["wifi_failed"]) == set()


def _fields(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def test_each_own_input_reason_is_a_whole_translated_message() -> None:
    """Every reason the action schemas give has a message naming the field.

    Checked on service_schemas.py's calls: the key each gives is one of
    INVALID_INPUT_KEYS, with the placeholders its message needs beside
    {parameter}.
    """
    strings = json.loads(
        (Path(wifi_flow.__file__).parent / "strings.json").read_text(encoding="utf-8")
    )
    messages = {
        key: strings["exceptions"][key]["message"]
        for key in service_schemas.INVALID_INPUT_KEYS
    }
    assert all("{parameter}" in text for text in messages.values())
    tree = ast.parse(Path(service_schemas.__file__).read_text(encoding="utf-8"))
    calls = [
        (node.func.id, node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    ]
    # _client_check's key gets its max_length placeholder there.
    given: dict[str, set[str]] = {
        str(call.args[1].value): {"parameter", "max_length"}
        for name, call in calls
        if name == "_client_check" and isinstance(call.args[1], ast.Constant)
    }
    for name, call in calls:
        if name == "_Reason" and isinstance(call.args[0], ast.Constant):
            names = {str(keyword.arg) for keyword in call.keywords}
            given[str(call.args[0].value)] = names | {"parameter"}
    assert len(given) == len(messages) - 1  # all but invalid_value
    for key, names in given.items():
        assert _fields(messages[key]) == names, key
