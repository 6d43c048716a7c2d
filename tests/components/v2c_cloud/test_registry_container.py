"""Home Assistant APIs the integration uses that releases after 2026.2 deprecate.

hacs.json admits every release from 2026.2.0 on. From 2026.9 a custom
integration that reads the device registry's `devices` container (as a
mapping: `.values()`, `.get()`, `[...]`) gets a "Detected that custom
integration 'v2c_cloud' ..." warning in the log, and that use is removed about
a year later (developers.home-assistant.io, 2026-08-24, "More device registry
deprecations": "reads the registry's devices, deleted_devices or child_devices
containers"; removal in 2027.8 to 2027.9). The installed 2026.2.3 does not warn
yet, so, as in test_registry_future.py, the access is watched.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Generator
from pathlib import Path
import sys
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud.const import DOMAIN
from tests.sim_fixtures import SimHandle

PACKAGE = str(Path(__file__).resolve().parents[3] / "custom_components" / "v2c_cloud")


@pytest.fixture
def registry_container_reads() -> Generator[Counter[str]]:
    """Count where the integration's own code reads DeviceRegistry.devices."""
    seen: Counter[str] = Counter()

    def get_devices(self: dr.DeviceRegistry) -> Any:
        caller = sys._getframe(1)
        if caller.f_code.co_filename.startswith(PACKAGE):
            name = Path(caller.f_code.co_filename).name
            seen[f"{name}:{caller.f_lineno} {caller.f_code.co_name}"] += 1
        return self.__dict__["devices"]

    def set_devices(self: dr.DeviceRegistry, value: Any) -> None:
        self.__dict__["devices"] = value

    with patch.object(
        dr.DeviceRegistry, "devices", property(get_devices, set_devices), create=True
    ):
        yield seen


async def test_setup_does_not_read_the_device_registry_container(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    registry_container_reads: Counter[str],
) -> None:
    """A charger whose settings report its MAC, set up on Home Assistant 2026.9 or later.

    What the user sees: each start logs "Detected that custom integration
    'v2c_cloud' ..." about the device registry's `devices` container, read by
    the check whether another device already has the charger's MAC, run
    for every entity a charger gets; once the container stops being a mapping,
    creating the charger's entities fails and the charger shows none. What
    they should see: no warning; the check looks through the supported
    per-entry look-up (`dr.async_entries_for_config_entry` for each config
    entry), which every release since 2026.2 has.
    """
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    device = dr.async_get(hass).async_get_device(
        identifiers={(DOMAIN, v2c_sim.device_id)}
    )
    assert device is not None
    assert device.connections, "the simulator's charger reports its MAC"

    assert +registry_container_reads == Counter()
