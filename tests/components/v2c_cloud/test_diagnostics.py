"""Tests of the diagnostics: useful to support, with secrets and identifiers redacted."""

from __future__ import annotations

import json

from homeassistant.const import CONF_API_KEY
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props
from yarl import URL

from custom_components.v2c_cloud.const import CONF_BASE_URL, DOMAIN
from custom_components.v2c_cloud.helpers import without_credentials
from tests.diagnostics_helpers import device_diagnostics
from tests.sim_fixtures import SimHandle

VOLATILE = props("base_url")


def _assert_no_identifiers(payload: object, v2c_sim: SimHandle) -> None:
    text = json.dumps(payload)
    reported = v2c_sim.charger.state
    assert v2c_sim.api_key not in text
    assert v2c_sim.device_id not in text
    assert reported.mac not in text


async def test_entry_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """The entry's diagnostics redact the key, device ids, MACs and network data."""
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )
    _assert_no_identifiers(diagnostics, v2c_sim)
    assert diagnostics["client"]["calls_made"] >= 3
    assert diagnostics == snapshot(exclude=VOLATILE)


async def test_device_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """A charger's diagnostics hold its data, redacted."""
    device = dr.async_get(hass).async_get_device(
        identifiers={(DOMAIN, v2c_sim.device_id)}
    )
    assert device is not None
    diagnostics = await device_diagnostics(hass, hass_client, init_integration, device)
    _assert_no_identifiers(diagnostics, v2c_sim)
    assert diagnostics["data"]["state"] is not None
    assert diagnostics == snapshot


async def test_a_proxy_password_in_the_server_url_is_left_out(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    v2c_sim: SimHandle,
) -> None:
    """A server URL with a proxy's user and password shows without them."""
    url = URL(v2c_sim.base_url).with_user("proxyuser").with_password("s3cret-pw")
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=v2c_sim.device_id,
        data={CONF_API_KEY: v2c_sim.api_key, CONF_BASE_URL: str(url)},
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    assert diagnostics["entry"]["data"][CONF_BASE_URL] == v2c_sim.base_url
    assert "s3cret-pw" not in json.dumps(diagnostics)
    assert "proxyuser" not in json.dumps(diagnostics)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://v2c.cloud/kong/v2c_service", "https://v2c.cloud/kong/v2c_service"),
        ("https://u:p@proxy.example/v2c", "https://proxy.example/v2c"),
        ("https://u@proxy.example/v2c", "https://proxy.example/v2c"),
        ("http://[::1", "http://[::1"),
    ],
)
def test_without_credentials(url: str, shown: str) -> None:
    assert without_credentials(url) == shown
