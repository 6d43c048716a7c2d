"""Device diagnostics fetched without racing Home Assistant's platform loading."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntry
from homeassistant.setup import async_setup_component
from homeassistant.util.json import JsonObjectType
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_device,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator


async def device_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    entry: ConfigEntry,
    device: DeviceEntry,
) -> JsonObjectType:
    """Return a device's diagnostics once every diagnostics platform has loaded.

    The library's helper asks right after setting up `diagnostics`, whose
    platforms load in the background: on a busy machine it got a 404.
    """
    assert await async_setup_component(hass, "diagnostics", {})
    await hass.async_block_till_done()
    return await get_diagnostics_for_device(hass, hass_client, entry, device)
