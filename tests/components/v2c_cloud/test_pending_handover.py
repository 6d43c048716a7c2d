"""A command still applying when the entry reloads or Home Assistant restarts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.const import (
    EVENT_HOMEASSISTANT_FINAL_WRITE,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    Platform,
)
import pytest

from custom_components.v2c_cloud.const import DOMAIN

from .control_helpers import Harness
from .read_helpers import advance, run_for

PLATFORM = Platform.SWITCH
pytestmark = pytest.mark.usefixtures("all_enabled")


async def _reload_while_applying(loaded: Harness, key: str, service: str) -> None:
    """Send a command the charger applies after 60 s, and reload 10 s later."""
    loaded.sim.sim.apply_delay = 60.0
    await loaded.call(key, service)
    await advance(loaded.hass, loaded.freezer, timedelta(seconds=10))
    assert await loaded.hass.config_entries.async_reload(loaded.entry.entry_id)
    await loaded.hass.async_block_till_done()


async def test_a_setting_applied_after_a_reload_shows_within_minutes(
    loaded: Harness,
) -> None:
    """The setup's settings read came before the charger applied it: one more read does."""
    assert loaded.state("dynamic_power").state == STATE_OFF
    await _reload_while_applying(loaded, "dynamic_power", SERVICE_TURN_ON)
    assert loaded.state("dynamic_power").state == STATE_OFF

    await run_for(loaded.hass, loaded.freezer, 3)

    assert loaded.sim.charger.state.dynamic is True
    assert loaded.state("dynamic_power").state == "on"


async def test_a_pause_applied_after_a_reload_shows_on_the_charging_switch(
    loaded: Harness,
) -> None:
    """Automations reading the charging switch must not see a paused charge as running."""
    loaded.sim.charger.plug_in()
    await run_for(loaded.hass, loaded.freezer, 10)
    await _reload_while_applying(loaded, "charging", SERVICE_TURN_OFF)

    await run_for(loaded.hass, loaded.freezer, 3)

    assert loaded.sim.charger.state.paused is True
    assert loaded.state("charging").state == STATE_OFF


async def test_nothing_pending_costs_no_extra_read(loaded: Harness) -> None:
    """Without a command in flight a reload reads as usual: two calls per charger."""
    loaded.sim.sim.clear_log()
    assert await loaded.hass.config_entries.async_reload(loaded.entry.entry_id)
    await loaded.hass.async_block_till_done()
    await run_for(loaded.hass, loaded.freezer, 3)
    paths = [record.path for record in loaded.sim.sim.request_log]
    assert paths.count("/device/reported") == 1


async def test_a_stop_saves_the_commands_still_applying(
    loaded: Harness, hass_storage: dict[str, Any]
) -> None:
    """Home Assistant writes the scheduled save when it stops: it names the charger."""
    loaded.sim.sim.apply_delay = 60.0
    await loaded.call("dynamic_power", SERVICE_TURN_ON)
    await advance(loaded.hass, loaded.freezer, timedelta(seconds=10))

    loaded.hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
    await loaded.hass.async_block_till_done()

    saved = hass_storage[f"{DOMAIN}.{loaded.entry.entry_id}"]["data"]
    assert saved["unconfirmed"] == [loaded.sim.device_id]
