"""Tests for the V2C Cloud config, reauth, reconfigure and options flows."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
import json
from pathlib import Path
import re
import socket
from typing import Any
from unittest.mock import AsyncMock, patch

import homeassistant
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_API_KEY
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData, section
from homeassistant.helpers import config_validation as cv, device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous_serialize

from custom_components.v2c_cloud.api import DEFAULT_BASE_URL
from custom_components.v2c_cloud.config_flow import SECTION_ADVANCED
from custom_components.v2c_cloud.const import (
    CONF_BASE_URL,
    CONF_COMMAND_RESERVE,
    CONF_POLL_IDLE,
    CONF_QUOTA_SHARE,
    DOMAIN,
)
from custom_components.v2c_cloud.helpers import format_reset_time
from custom_components.v2c_cloud.wifi_flow import WIFI_ERRORS
from tests.components.v2c_cloud.read_helpers import open_quota_options
from tests.sim_fixtures import SimHandle
from v2c_simulator import FaultKind

pytestmark = pytest.mark.usefixtures("mock_setup_entry")

PACKAGE = Path(__file__).parents[3] / "custom_components" / DOMAIN
HA_STRINGS = Path(homeassistant.__file__).parent / "strings.json"


@pytest.fixture
def frozen_start() -> None:
    """Let time run: the flows' timeout tests need a moving event-loop clock."""


PAIRINGS = "/pairings/me"


async def _user_form(hass: HomeAssistant) -> dict[str, Any]:
    """Start a user flow as any user starts it, and return its form."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    return dict(result)


async def _submit(
    hass: HomeAssistant, flow_id: str, api_key: str, base_url: str
) -> dict[str, Any]:
    """Submit an API key, and a server URL in the form's section, to a flow."""
    return dict(
        await hass.config_entries.flow.async_configure(
            flow_id,
            {CONF_API_KEY: api_key, SECTION_ADVANCED: {CONF_BASE_URL: base_url}},
        )
    )


def _pairing_calls(v2c_sim: SimHandle) -> int:
    """Count the requests that reached /pairings/me."""
    return sum(record.path == PAIRINGS for record in v2c_sim.sim.request_log)


def _fields(result: Mapping[str, Any]) -> set[str]:
    """Return the field names of a form."""
    return {str(key) for key in result["data_schema"].schema}


def _section(result: Mapping[str, Any]) -> section:
    """Return the form's section holding the server URL."""
    sections = {
        str(key): value
        for key, value in result["data_schema"].schema.items()
        if isinstance(value, section)
    }
    assert set(sections) == {SECTION_ADVANCED}
    return sections[SECTION_ADVANCED]


def _shown_url(result: Mapping[str, Any]) -> str:
    """Return the URL the form shows: what an untouched section submits."""
    filled = result["data_schema"]({CONF_API_KEY: "x", SECTION_ADVANCED: {}})
    return str(filled[SECTION_ADVANCED][CONF_BASE_URL])


def _suggested(result: Mapping[str, Any]) -> dict[str, Any]:
    """Return the suggested values of a form's fields."""
    return {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }


async def test_user_flow(
    hass: HomeAssistant, v2c_sim: SimHandle, mock_setup_entry: AsyncMock
) -> None:
    """A valid key creates an entry named after the charger, with one API call."""
    result = await _user_form(hass)
    assert _fields(result) == {CONF_API_KEY, SECTION_ADVANCED}
    assert _shown_url(result) == DEFAULT_BASE_URL

    result = await _submit(
        hass, result["flow_id"], f"  {v2c_sim.api_key}\n", f"{v2c_sim.base_url}/"
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "V2C Cloud Garage"
    assert result["result"].unique_id == v2c_sim.device_id
    assert result["data"] == {
        CONF_API_KEY: v2c_sim.api_key,
        CONF_BASE_URL: v2c_sim.base_url,
    }
    assert result["options"] == {}
    assert _pairing_calls(v2c_sim) == 1
    assert len(v2c_sim.sim.request_log) == 1
    assert len(mock_setup_entry.mock_calls) == 1


async def test_user_flow_default_server(
    hass: HomeAssistant, v2c_sim: SimHandle
) -> None:
    """A client that leaves the section out gets the default URL, which is not stored."""
    with patch(
        "custom_components.v2c_cloud.config_flow.DEFAULT_BASE_URL", v2c_sim.base_url
    ):
        result = await _user_form(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_API_KEY: v2c_sim.api_key}
        )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_API_KEY: v2c_sim.api_key}
    assert _pairing_calls(v2c_sim) == 1


@pytest.mark.parametrize("step", ["user", "reconfigure"])
async def test_server_url_in_collapsed_section(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, step: str
) -> None:
    """Every user sees the server URL, in a closed section: no advanced mode needed."""
    if step == "user":
        result = await _user_form(hass)
        url = DEFAULT_BASE_URL
    else:
        mock_config_entry.add_to_hass(hass)
        result = await mock_config_entry.start_reconfigure_flow(hass)
        url = mock_config_entry.data[CONF_BASE_URL]
    assert result["step_id"] == step
    assert _fields(result) == {CONF_API_KEY, SECTION_ADVANCED}
    advanced = _section(result)
    assert advanced.options == {"collapsed": True}
    assert {str(key) for key in advanced.schema.schema} == {CONF_BASE_URL}
    assert _shown_url(result) == url

    # What the frontend is sent: a closed expandable holding the URL field.
    fields = voluptuous_serialize.convert(
        result["data_schema"], custom_serializer=cv.custom_serializer
    )
    expandable = next(field for field in fields if field["name"] == SECTION_ADVANCED)
    assert expandable["type"] == "expandable"
    assert expandable["expanded"] is False
    assert [field["name"] for field in expandable["schema"]] == [CONF_BASE_URL]
    assert expandable["schema"][0]["default"] == url


@pytest.mark.parametrize("with_url", [True, False], ids=["shown-url", "empty"])
async def test_user_flow_untouched_section(
    hass: HomeAssistant, v2c_sim: SimHandle, with_url: bool
) -> None:
    """The section submitted as shown uses the default URL, which is not stored."""
    with patch(
        "custom_components.v2c_cloud.config_flow.DEFAULT_BASE_URL", v2c_sim.base_url
    ):
        result = await _user_form(hass)
        # The frontend sends the shown URL; an empty section gets it as default.
        advanced = {CONF_BASE_URL: _shown_url(result)} if with_url else {}
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {CONF_API_KEY: v2c_sim.api_key, SECTION_ADVANCED: advanced},
        )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_API_KEY: v2c_sim.api_key}
    assert _pairing_calls(v2c_sim) == 1


async def test_user_flow_several_chargers(
    hass: HomeAssistant, v2c_sim: SimHandle
) -> None:
    """An account with several chargers is keyed by its lowest device id."""
    account = v2c_sim.sim.add_account("second-account-key")
    account.add_charger(device_id="TRY0900", tag="Street")
    account.add_charger(device_id="TRY0500", tag="Garage")
    account.add_charger("pole", device_id="POL0700", tag="Barn")

    result = await _user_form(hass)
    result = await _submit(
        hass, result["flow_id"], "second-account-key", v2c_sim.base_url
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "V2C Cloud (3 chargers)"
    assert result["result"].unique_id == "POL0700"


async def test_user_flow_untagged_charger(
    hass: HomeAssistant, v2c_sim: SimHandle
) -> None:
    """A single charger whose tag is blank gives the plain title."""
    v2c_sim.sim.add_account("blank-tag-key").add_charger(device_id="TRY0321", tag="   ")

    result = await _user_form(hass)
    result = await _submit(hass, result["flow_id"], "blank-tag-key", v2c_sim.base_url)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "V2C Cloud"
    assert result["result"].unique_id == "TRY0321"


async def test_key_never_in_unique_id_or_title(
    hass: HomeAssistant, v2c_sim: SimHandle
) -> None:
    """Neither the unique id nor the title reveals the API key."""
    api_key = "TRY0042-secret"
    v2c_sim.sim.add_account(api_key).add_charger(device_id="TRY0042", tag="TRY0042")

    result = await _user_form(hass)
    result = await _submit(hass, result["flow_id"], api_key, v2c_sim.base_url)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.unique_id == "TRY0042"
    assert api_key not in entry.unique_id
    assert api_key not in entry.title


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (FaultKind.HTTP_503, "cannot_connect"),
        (FaultKind.HTTP_500, "cannot_connect"),
        (FaultKind.HTTP_504, "cannot_connect"),
        (FaultKind.FALSE_401, "invalid_auth"),
        (FaultKind.UNKNOWN_KEY_403, "invalid_auth"),
        (FaultKind.FORBIDDEN_403, "forbidden"),
        (FaultKind.MALFORMED_JSON, "invalid_response"),
        (FaultKind.PORTAL_PAGE_200, "invalid_response"),
        (FaultKind.BAD_REQUEST_400, "unknown"),
        # An empty answer is no account without chargers: no_chargers would mislead.
        (FaultKind.EMPTY_200, "invalid_response"),
        # A 429 whose headers show calls left for the day: a pause, not the day.
        (FaultKind.EARLY_429, "throttled"),
    ],
)
async def test_user_flow_server_faults(
    hass: HomeAssistant, v2c_sim: SimHandle, fault: FaultKind, error: str
) -> None:
    """A failing answer shows an error; the same flow then succeeds."""
    v2c_sim.sim.faults.set(fault, route=PAIRINGS, count=1)
    result = await _user_form(hass)

    result = await _submit(hass, result["flow_id"], v2c_sim.api_key, v2c_sim.base_url)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    assert _shown_url(result) == v2c_sim.base_url
    # Nothing is wrong with the URL: its section stays closed.
    assert _section(result).options["collapsed"] is True

    result = await _submit(hass, result["flow_id"], v2c_sim.api_key, v2c_sim.base_url)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert _pairing_calls(v2c_sim) == 2


async def test_user_flow_timeout(hass: HomeAssistant, v2c_sim: SimHandle) -> None:
    """A request that never gets an answer times out as cannot_connect."""
    v2c_sim.sim.faults.set(FaultKind.HANG, route=PAIRINGS, count=1)
    result = await _user_form(hass)

    with patch("custom_components.v2c_cloud.config_flow.REQUEST_TIMEOUT", 0.2):
        result = await _submit(
            hass, result["flow_id"], v2c_sim.api_key, v2c_sim.base_url
        )
    v2c_sim.sim.release_hangs()
    assert result["errors"] == {"base": "cannot_connect"}

    result = await _submit(hass, result["flow_id"], v2c_sim.api_key, v2c_sim.base_url)
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_flow_connection_refused(
    hass: HomeAssistant, v2c_sim: SimHandle
) -> None:
    """A server that refuses the connection is cannot_connect."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    result = await _user_form(hass)

    result = await _submit(
        hass, result["flow_id"], v2c_sim.api_key, f"http://127.0.0.1:{port}"
    )
    assert result["errors"] == {"base": "cannot_connect"}

    result = await _submit(hass, result["flow_id"], v2c_sim.api_key, v2c_sim.base_url)
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize("api_key", ["wrong-key", "revoked"])
async def test_user_flow_invalid_auth(
    hass: HomeAssistant, v2c_sim: SimHandle, api_key: str
) -> None:
    """An unknown or revoked key is invalid_auth; a good key then succeeds."""
    v2c_sim.sim.add_account("revoked").add_charger(device_id="TRY0777")
    v2c_sim.sim.revoke_key("revoked")
    result = await _user_form(hass)

    result = await _submit(hass, result["flow_id"], api_key, v2c_sim.base_url)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}
    assert _pairing_calls(v2c_sim) == 1

    result = await _submit(hass, result["flow_id"], v2c_sim.api_key, v2c_sim.base_url)
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize("api_key", ["", "   ", "\t\n"])
async def test_user_flow_blank_key(
    hass: HomeAssistant, v2c_sim: SimHandle, api_key: str
) -> None:
    """A blank key is rejected without spending a call."""
    result = await _user_form(hass)

    result = await _submit(hass, result["flow_id"], api_key, v2c_sim.base_url)
    assert result["errors"] == {"base": "invalid_auth"}
    assert v2c_sim.sim.request_log == []

    result = await _submit(hass, result["flow_id"], v2c_sim.api_key, v2c_sim.base_url)
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_flow_rate_limited(hass: HomeAssistant, v2c_sim: SimHandle) -> None:
    """An exhausted quota says when calls come back; another key then works."""
    v2c_sim.spend_quota(api_key=v2c_sim.api_key)
    v2c_sim.sim.add_account("fresh-key").add_charger(device_id="TRY0808")
    result = await _user_form(hass)

    result = await _submit(hass, result["flow_id"], v2c_sim.api_key, v2c_sim.base_url)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "rate_limited"}
    reset = v2c_sim.sim.quota_for(v2c_sim.api_key).resets_at
    assert result["description_placeholders"]["reset_time"] == (f"{reset:%H:%M} UTC")

    result = await _submit(hass, result["flow_id"], "fresh-key", v2c_sim.base_url)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == "TRY0808"


def test_reset_time_format() -> None:
    """The reset shows in UTC, and at midnight UTC when the server did not say."""
    assert format_reset_time(None) == "00:00 UTC"
    assert format_reset_time(
        datetime(2026, 3, 1, 1, 30, tzinfo=timezone(timedelta(hours=2)))
    ) == ("23:30 UTC")
    # A time between minutes is shown as the next one: trying then is not early.
    assert format_reset_time(datetime(2026, 3, 1, 23, 59, 1, tzinfo=UTC)) == (
        "00:00 UTC"
    )
    assert format_reset_time(datetime(2026, 3, 1, 23, 59, 0, 900, tzinfo=UTC)) == (
        "23:59 UTC"
    )


async def test_user_flow_no_chargers(hass: HomeAssistant, v2c_sim: SimHandle) -> None:
    """A valid key of an account without chargers is no_chargers."""
    v2c_sim.sim.add_account("empty-account-key")
    result = await _user_form(hass)

    result = await _submit(
        hass, result["flow_id"], "empty-account-key", v2c_sim.base_url
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "no_chargers"}

    result = await _submit(hass, result["flow_id"], v2c_sim.api_key, v2c_sim.base_url)
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_flow_wrong_path(
    hass: HomeAssistant, v2c_sim: SimHandle, caplog: pytest.LogCaptureFixture
) -> None:
    """A server without the API at that path is cannot_connect with a URL hint.

    The form keeps what was typed, so only the path needs fixing.
    """
    wrong = f"{v2c_sim.base_url}/kong"
    result = await _user_form(hass)

    result = await _submit(hass, result["flow_id"], v2c_sim.api_key, wrong)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {
        "base": "cannot_connect",
        SECTION_ADVANCED: "url_not_found",
    }
    assert result["description_placeholders"]["default_url"] == DEFAULT_BASE_URL
    assert _shown_url(result) == wrong
    assert _section(result).options["collapsed"] is False
    assert _suggested(result) == {CONF_API_KEY: v2c_sim.api_key}
    assert "Traceback" not in caplog.text
    assert f"No V2C Cloud API at {wrong} (HTTP 404)" in caplog.text
    assert v2c_sim.api_key not in caplog.text

    result = await _submit(hass, result["flow_id"], v2c_sim.api_key, v2c_sim.base_url)
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_flow_redirect(
    hass: HomeAssistant, v2c_sim: SimHandle, caplog: pytest.LogCaptureFixture
) -> None:
    """A redirect (plain http sent to https, say) points at the URL, not "unknown".

    The client follows no redirect: it would carry the API key elsewhere.
    """
    v2c_sim.sim.faults.set(FaultKind.REDIRECT, route=PAIRINGS, count=1)
    result = await _user_form(hass)

    result = await _submit(hass, result["flow_id"], v2c_sim.api_key, v2c_sim.base_url)

    assert result["errors"] == {
        "base": "cannot_connect",
        SECTION_ADVANCED: "url_not_found",
    }
    assert "(HTTP 301)" in caplog.text
    assert "Traceback" not in caplog.text
    assert [record.status for record in v2c_sim.sim.request_log] == [301]


async def test_user_flow_unexpected_error(
    hass: HomeAssistant, v2c_sim: SimHandle, caplog: pytest.LogCaptureFixture
) -> None:
    """An unexpected exception is logged and shown as unknown."""
    result = await _user_form(hass)
    with patch(
        "custom_components.v2c_cloud.config_flow.V2CClient.get_pairings",
        side_effect=RuntimeError("boom"),
    ):
        result = await _submit(
            hass, result["flow_id"], v2c_sim.api_key, v2c_sim.base_url
        )
    assert result["errors"] == {"base": "unknown"}
    assert "Unexpected error while validating the API key" in caplog.text
    assert v2c_sim.api_key not in caplog.text

    result = await _submit(hass, result["flow_id"], v2c_sim.api_key, v2c_sim.base_url)
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    "base_url",
    [
        "ftp://127.0.0.1/v2c",
        "127.0.0.1:8080",
        "not a url",
        "http://",
        "https://[::1",
        "http://127.0.0.1/api?apikey=1",
        "http://127.0.0.1/api#top",
        "",
    ],
)
async def test_user_flow_invalid_url(
    hass: HomeAssistant, v2c_sim: SimHandle, base_url: str
) -> None:
    """A URL that is not plain http(s) is rejected without a request."""
    result = await _user_form(hass)

    result = await _submit(hass, result["flow_id"], v2c_sim.api_key, base_url)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {SECTION_ADVANCED: "invalid_url"}
    assert _shown_url(result) == base_url
    assert _section(result).options["collapsed"] is False
    assert v2c_sim.sim.request_log == []

    result = await _submit(hass, result["flow_id"], v2c_sim.api_key, v2c_sim.base_url)
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_flow_invalid_url_and_blank_key(
    hass: HomeAssistant, v2c_sim: SimHandle
) -> None:
    """Both field errors show at once."""
    result = await _user_form(hass)

    result = await _submit(hass, result["flow_id"], " ", "gopher://x")
    assert result["errors"] == {
        "base": "invalid_auth",
        SECTION_ADVANCED: "invalid_url",
    }
    assert v2c_sim.sim.request_log == []


async def test_user_flow_same_key_configured(
    hass: HomeAssistant, v2c_sim: SimHandle, mock_config_entry: MockConfigEntry
) -> None:
    """A key that is already configured aborts before any call."""
    mock_config_entry.add_to_hass(hass)
    result = await _user_form(hass)

    result = await _submit(
        hass, result["flow_id"], f" {v2c_sim.api_key} ", v2c_sim.base_url
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert v2c_sim.sim.request_log == []


@pytest.mark.parametrize(
    ("registered", "created"),
    [(("TRY0100",), None), ((), "TRY0100")],
    ids=["every-charger-known", "one-charger-new"],
)
async def test_user_flow_account_configured(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    registered: tuple[str, ...],
    created: str | None,
) -> None:
    """A new key whose chargers an entry knows all aborts; one more makes an entry.

    The entry knows TRY0200 by its unique id, and TRY0100 once it has its
    device. A charger no entry knows cannot be told from another account's
    sharing TRY0200: that account is added, under the charger no entry knows.
    """
    account = v2c_sim.sim.add_account("new-key-of-account")
    account.add_charger(device_id="TRY0100")
    account.add_charger(device_id="TRY0200")
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id="TRY0200",
        data={CONF_API_KEY: "old-key", CONF_BASE_URL: v2c_sim.base_url},
    )
    entry.add_to_hass(hass)
    for device_id in registered:
        dr.async_get(hass).async_get_or_create(
            config_entry_id=entry.entry_id, identifiers={(DOMAIN, device_id)}
        )
    result = await _user_form(hass)

    result = await _submit(
        hass, result["flow_id"], "new-key-of-account", v2c_sim.base_url
    )
    if created is None:
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "already_configured"
        assert len(hass.config_entries.async_entries(DOMAIN)) == 1
    else:
        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert result["result"].unique_id == created


async def test_user_flow_second_account(
    hass: HomeAssistant, v2c_sim: SimHandle, mock_config_entry: MockConfigEntry
) -> None:
    """Another account's key becomes a second entry."""
    mock_config_entry.add_to_hass(hass)
    v2c_sim.sim.add_account("neighbour-key").add_charger(device_id="TRY0002")
    result = await _user_form(hass)

    result = await _submit(hass, result["flow_id"], "neighbour-key", v2c_sim.base_url)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == "TRY0002"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 2


async def test_reauth(
    hass: HomeAssistant, v2c_sim: SimHandle, mock_setup_entry: AsyncMock
) -> None:
    """A new key of the same account replaces the rejected one and reloads."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="V2C Cloud Garage",
        unique_id=v2c_sim.device_id,
        data={CONF_API_KEY: "revoked-key", CONF_BASE_URL: v2c_sim.base_url},
    )
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert _fields(result) == {CONF_API_KEY}
    assert result["description_placeholders"]["name"] == "V2C Cloud Garage"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: f"{v2c_sim.api_key} "}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data == {
        CONF_API_KEY: v2c_sim.api_key,
        CONF_BASE_URL: v2c_sim.base_url,
    }
    assert entry.unique_id == v2c_sim.device_id
    assert _pairing_calls(v2c_sim) == 1
    # The reload runs as a task after the flow ends.
    await hass.async_block_till_done()
    assert len(mock_setup_entry.mock_calls) == 1


async def test_reauth_wrong_account(
    hass: HomeAssistant, v2c_sim: SimHandle, mock_config_entry: MockConfigEntry
) -> None:
    """A key of another account aborts and leaves the entry alone."""
    v2c_sim.sim.add_account("other-account").add_charger(device_id="TRY0999")
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reauth_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: "other-account"}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert mock_config_entry.data[CONF_API_KEY] == v2c_sim.api_key


@pytest.mark.parametrize(
    ("api_key", "error"),
    [("not-a-key", "invalid_auth"), (" ", "invalid_auth"), ("empty", "no_chargers")],
)
async def test_reauth_errors(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    api_key: str,
    error: str,
) -> None:
    """Reauth shows validation errors and then succeeds in the same flow."""
    v2c_sim.sim.add_account("empty")
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reauth_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: api_key}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: v2c_sim.api_key}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"


async def test_reauth_redirect(
    hass: HomeAssistant, v2c_sim: SimHandle, mock_config_entry: MockConfigEntry
) -> None:
    """Reauth has no URL field to blame for a redirect: the server is unreachable."""
    mock_config_entry.add_to_hass(hass)
    v2c_sim.sim.faults.set(FaultKind.REDIRECT, route=PAIRINGS, count=1)
    result = await mock_config_entry.start_reauth_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: v2c_sim.api_key}
    )
    assert result["errors"] == {"base": "cannot_connect"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: v2c_sim.api_key}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"


async def test_reauth_rate_limited(
    hass: HomeAssistant, v2c_sim: SimHandle, mock_config_entry: MockConfigEntry
) -> None:
    """Reauth with an exhausted key says when calls come back."""
    mock_config_entry.add_to_hass(hass)
    v2c_sim.spend_quota(api_key=v2c_sim.api_key)
    result = await mock_config_entry.start_reauth_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: v2c_sim.api_key}
    )
    assert result["errors"] == {"base": "rate_limited"}
    assert _suggested(result) == {CONF_API_KEY: v2c_sim.api_key}
    placeholders = result["description_placeholders"]
    assert placeholders is not None
    assert re.fullmatch(r"\d\d:\d\d UTC", placeholders["reset_time"])
    assert placeholders["name"] == mock_config_entry.title


async def test_reconfigure(
    hass: HomeAssistant, v2c_sim: SimHandle, mock_setup_entry: AsyncMock
) -> None:
    """Reconfigure changes the key and, in the section, the server URL."""
    v2c_sim.sim.add_account("other-account").add_charger(device_id="TRY0999")
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=v2c_sim.device_id,
        data={CONF_API_KEY: "old-key", CONF_BASE_URL: "http://127.0.0.1:9"},
    )
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert _shown_url(result) == "http://127.0.0.1:9"

    result = await _submit(hass, result["flow_id"], v2c_sim.api_key, "ftp://x")
    assert result["errors"] == {SECTION_ADVANCED: "invalid_url"}
    assert _shown_url(result) == "ftp://x"
    assert _section(result).options["collapsed"] is False

    result = await _submit(hass, result["flow_id"], "other-account", v2c_sim.base_url)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert entry.data[CONF_API_KEY] == "old-key"

    result = await entry.start_reconfigure_flow(hass)
    result = await _submit(hass, result["flow_id"], v2c_sim.api_key, v2c_sim.base_url)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data == {
        CONF_API_KEY: v2c_sim.api_key,
        CONF_BASE_URL: v2c_sim.base_url,
    }
    # The reload runs as a task after the flow ends.
    await hass.async_block_till_done()
    assert len(mock_setup_entry.mock_calls) == 1


async def test_reconfigure_keeps_server(
    hass: HomeAssistant, v2c_sim: SimHandle, mock_config_entry: MockConfigEntry
) -> None:
    """A client that leaves the section out changes only the key."""
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reconfigure_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: "not-a-key"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    assert _shown_url(result) == v2c_sim.base_url

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: v2c_sim.api_key}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert mock_config_entry.data == {
        CONF_API_KEY: v2c_sim.api_key,
        CONF_BASE_URL: v2c_sim.base_url,
    }


@pytest.mark.parametrize("stored", [True, False])
async def test_reconfigure_untouched_section_keeps_server(
    hass: HomeAssistant, v2c_sim: SimHandle, stored: bool
) -> None:
    """The section submitted as shown keeps the entry's URL, or its lack of one."""
    data = {CONF_API_KEY: "old-key"}
    if stored:
        data[CONF_BASE_URL] = v2c_sim.base_url
    entry = MockConfigEntry(domain=DOMAIN, unique_id=v2c_sim.device_id, data=data)
    entry.add_to_hass(hass)
    # An entry without a URL uses the default: the simulator stands in for it.
    default = DEFAULT_BASE_URL if stored else v2c_sim.base_url
    with patch("custom_components.v2c_cloud.config_flow.DEFAULT_BASE_URL", default):
        result = await entry.start_reconfigure_flow(hass)
        assert _section(result).options["collapsed"] is True
        result = await _submit(
            hass, result["flow_id"], v2c_sim.api_key, _shown_url(result)
        )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data == {**data, CONF_API_KEY: v2c_sim.api_key}
    assert _pairing_calls(v2c_sim) == 1


async def test_options_flow_reserve_too_large(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """A reserve above half of the share's calls is rejected, then corrected."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        options={CONF_QUOTA_SHARE: 50, CONF_COMMAND_RESERVE: 20, CONF_POLL_IDLE: True},
    )
    result = await open_quota_options(hass, mock_config_entry)
    assert _suggested(result) == {
        CONF_QUOTA_SHARE: 50,
        CONF_COMMAND_RESERVE: 20,
        CONF_POLL_IDLE: True,
    }

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_QUOTA_SHARE: 10, CONF_COMMAND_RESERVE: 51, CONF_POLL_IDLE: True},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_COMMAND_RESERVE: "reserve_too_large"}
    assert result["description_placeholders"] == {"max_reserve": "50"}
    assert _suggested(result)[CONF_COMMAND_RESERVE] == 51

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_QUOTA_SHARE: 10, CONF_COMMAND_RESERVE: 50, CONF_POLL_IDLE: True},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert mock_config_entry.options[CONF_COMMAND_RESERVE] == 50


@pytest.mark.parametrize(
    "user_input",
    [
        {CONF_QUOTA_SHARE: 5, CONF_COMMAND_RESERVE: 0, CONF_POLL_IDLE: True},
        {CONF_QUOTA_SHARE: 101, CONF_COMMAND_RESERVE: 0, CONF_POLL_IDLE: True},
        {CONF_QUOTA_SHARE: 100, CONF_COMMAND_RESERVE: -1, CONF_POLL_IDLE: True},
        {CONF_QUOTA_SHARE: 100, CONF_COMMAND_RESERVE: 501, CONF_POLL_IDLE: True},
    ],
)
async def test_options_flow_out_of_range(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, user_input: dict[str, Any]
) -> None:
    """Values outside the selector ranges never reach the entry."""
    mock_config_entry.add_to_hass(hass)
    result = await open_quota_options(hass, mock_config_entry)

    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(result["flow_id"], user_input)
    assert mock_config_entry.options == {}


def _resolve(value: Any, own: dict[str, Any], common: dict[str, Any]) -> Any:
    """Resolve [%key:...%] references the way Home Assistant's build does."""
    if isinstance(value, dict):
        return {key: _resolve(item, own, common) for key, item in value.items()}
    if not (match := re.fullmatch(r"\[%key:(.+)%\]", value)):
        return value
    tree, _, path = match.group(1).partition("::")
    node = common if tree == "common" else own
    if tree == "component":
        path = path.removeprefix(f"{DOMAIN}::")
    for part in path.split("::"):
        node = node[part]
    return _resolve(node, own, common)


def test_translations_match_strings() -> None:
    """translations/en.json holds the resolved config and options texts."""
    strings = json.loads((PACKAGE / "strings.json").read_text())
    english = json.loads((PACKAGE / "translations" / "en.json").read_text())
    common = json.loads(HA_STRINGS.read_text())["common"]

    for flow in ("config", "options"):
        assert english[flow] == _resolve(strings[flow], strings, common)
    assert "[%key:" not in json.dumps(english)
    assert set(strings["config"]["error"]) == {
        "cannot_connect",
        "forbidden",
        "invalid_auth",
        "invalid_response",
        "invalid_url",
        "no_chargers",
        "rate_limited",
        "throttled",
        "unknown",
        "url_not_found",
    }
    assert set(strings["config"]["abort"]) == {
        "already_configured",
        "key_in_use",
        "reauth_successful",
        "reconfigure_successful",
        "wrong_account",
    }
    assert set(strings["options"]["error"]) == {
        "reserve_too_large",
        "invalid_ssid",
        "invalid_password",
        "wifi_failed",
        *WIFI_ERRORS.values(),
    }
    assert set(strings["options"]["abort"]) == {"wifi_changed", "not_loaded"}
    for step in strings["config"]["step"].values():
        assert set(step["data"]) == set(step["data_description"])
        for texts in step.get("sections", {}).values():
            assert set(texts["data"]) == set(texts["data_description"])
