"""The diagnostics file a user downloads and shares: what Home Assistant adds to ours."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    CLIENT_ID,
    MockConfigEntry,
    MockUser,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.v2c_cloud.api import mask_device_id
from custom_components.v2c_cloud.const import DOMAIN
from tests.sim_fixtures import SimHandle

from .read_helpers import advance, restart


async def _download(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    user: MockUser,
    path: str,
) -> str:
    """Return the whole diagnostics file a user downloads and shares, as text.

    The token is made now: the fixture's has expired once the clock moved on.
    """
    assert await async_setup_component(hass, "diagnostics", {})
    await hass.async_block_till_done()
    refresh_token = await hass.auth.async_create_refresh_token(user, CLIENT_ID)
    client = await hass_client(hass.auth.async_create_access_token(refresh_token))
    response = await client.get(f"/api/diagnostics/{path}")
    assert response.status == 200
    return await response.text()


async def test_downloaded_diagnostics_hide_an_offline_chargers_device_id(
    *,
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_admin_user: MockUser,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A charger offline for a day raises an issue; the file shared still hides its id.

    Home Assistant adds the domain's repair issues to every diagnostics file,
    next to the redacted data: an issue id made of the device id shows it.
    """
    v2c_sim.charger.set_online(False)
    for _ in range(16):
        await advance(hass, freezer, timedelta(hours=2))
    device = dr.async_get(hass).async_get_device(
        identifiers={(DOMAIN, v2c_sim.device_id)}
    )
    assert device is not None
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"charger_offline_{device.id}")
    entry_id = init_integration.entry_id

    for path in (
        f"config_entry/{entry_id}",
        f"config_entry/{entry_id}/device/{device.id}",
    ):
        text = await _download(hass, hass_client, hass_admin_user, path)
        assert '"issues"' in text
        assert v2c_sim.device_id not in text, path


async def test_a_persistent_offline_issue_names_an_untagged_charger_without_its_id(
    *,
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_admin_user: MockUser,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A persistent issue shows its placeholders in the file: never the device id.

    A charger without a tag in v2c.cloud is named by a shortened id instead,
    before and after a restart.
    """
    v2c_sim.charger.state.tag = ""
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    v2c_sim.charger.set_online(False)
    for _ in range(16):
        await advance(hass, freezer, timedelta(hours=2))
    await restart(hass, init_integration)
    device = dr.async_get(hass).async_get_device(
        identifiers={(DOMAIN, v2c_sim.device_id)}
    )
    assert device is not None
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"charger_offline_{device.id}")
    assert issue is not None
    assert issue.active
    assert issue.translation_placeholders == {
        "name": mask_device_id(v2c_sim.device_id),
        "since": "2026-03-02",
    }

    text = await _download(
        hass, hass_client, hass_admin_user, f"config_entry/{init_integration.entry_id}"
    )
    assert '"translation_placeholders"' in text
    assert v2c_sim.device_id not in text
