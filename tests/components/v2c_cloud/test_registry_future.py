"""Device-registry calls Home Assistant deprecated after 2026.2, not made by the integration.

From 2026.8 a device belongs to one config entry: looking a device up by its
identifiers alone, detaching it from a config entry and reading its list of
config entries log a warning for custom integrations, and stop working in
2027.8 and 2027.10 (developers.home-assistant.io, 2026-07-21, 2026-08-24 and
2026-09-15). The installed release does not warn yet, so the calls are watched.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Generator
from pathlib import Path
import traceback
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud.const import DOMAIN
from tests.sim_fixtures import SimHandle

from .test_devices import TWO_CHARGERS, _until_pairings_refresh

PACKAGE = str(Path(__file__).resolve().parents[3] / "custom_components" / "v2c_cloud")


def _ours() -> bool:
    """Return True when the integration's own code made the call being watched.

    Home Assistant's own helpers may still use them inside, as they will change.
    """
    return traceback.extract_stack()[-3].filename.startswith(PACKAGE)


@pytest.fixture
def deprecated_calls() -> Generator[Counter[str]]:
    """Count the integration's own uses of the deprecated calls."""
    seen: Counter[str] = Counter()
    get_device = dr.DeviceRegistry.async_get_device
    update_device = dr.DeviceRegistry.async_update_device
    config_entries = dr.DeviceEntry.config_entries

    def watched_get_device(self: dr.DeviceRegistry, *args: Any, **kwargs: Any) -> Any:
        seen["async_get_device"] += _ours()
        return get_device(self, *args, **kwargs)

    def watched_update(self: dr.DeviceRegistry, device_id: str, **kwargs: Any) -> Any:
        if "remove_config_entry_id" in kwargs:
            seen["async_update_device(remove_config_entry_id)"] += _ours()
        return update_device(self, device_id, **kwargs)

    def watched_entries(self: dr.DeviceEntry) -> Any:
        seen["DeviceEntry.config_entries"] += _ours()
        return config_entries.__get__(self, type(self))

    def set_entries(self: dr.DeviceEntry, value: Any) -> None:
        config_entries.__set__(self, value)

    with (
        patch.object(dr.DeviceRegistry, "async_get_device", watched_get_device),
        patch.object(dr.DeviceRegistry, "async_update_device", watched_update),
        patch.object(
            dr.DeviceEntry, "config_entries", property(watched_entries, set_entries)
        ),
    ):
        yield seen


@pytest.mark.parametrize("sim_setup", [TWO_CHARGERS])
async def test_actions_renames_and_unpairing_avoid_deprecated_registry_calls(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    deprecated_calls: Counter[str],
) -> None:
    """An action aimed at a device, a charger renamed in v2c.cloud, one unpaired."""
    registry = dr.async_get(hass)
    garage = registry.async_get_device(identifiers={(DOMAIN, "TRY0001")})
    assert garage is not None
    await hass.services.async_call(
        DOMAIN,
        "get_account_statistics",
        {"device_id": garage.id},
        blocking=True,
        return_response=True,
    )
    v2c_sim.charger.state.tag = "Carport"
    v2c_sim.account.remove_charger("POL0001")
    await _until_pairings_refresh(hass, freezer, v2c_sim)

    assert set(init_integration.runtime_data.chargers) == {"TRY0001"}
    renamed = registry.async_get(garage.id)
    assert renamed is not None
    assert renamed.name == "Carport"
    assert registry.async_get_device(identifiers={(DOMAIN, "POL0001")}) is None
    assert +deprecated_calls == Counter()
