"""A command still applying when the entry reloads or Home Assistant restarts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.const import (
    EVENT_HOMEASSISTANT_FINAL_WRITE,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    Platform,
)
from homeassistant.core import Event, EventStateChangedData, callback
from homeassistant.helpers.event import async_track_state_change_event
import pytest

from custom_components.v2c_cloud.const import DOMAIN

from .control_helpers import Harness, reported_reads
from .read_helpers import advance, run_for

PLATFORM = Platform.SWITCH
pytestmark = pytest.mark.usefixtures("all_enabled")
REFUSED = "did not apply dynamic_power within 90 s"


async def _reload_while_applying(
    loaded: Harness, key: str, service: str, apply_delay: float = 60.0
) -> None:
    """Send a command the charger applies after 60 s, and reload 10 s later."""
    loaded.sim.sim.apply_delay = apply_delay
    await loaded.call(key, service)
    await advance(loaded.hass, loaded.freezer, timedelta(seconds=10))
    assert await loaded.hass.config_entries.async_reload(loaded.entry.entry_id)
    await loaded.hass.async_block_till_done()


def _states_written(loaded: Harness, key: str) -> list[str]:
    """Record the states written for an entity from now on."""
    written: list[str] = []

    @callback
    def record(event: Event[EventStateChangedData]) -> None:
        if (new := event.data["new_state"]) is not None:
            written.append(new.state)

    async_track_state_change_event(loaded.hass, loaded.entity(key), record)
    return written


async def test_a_setting_applied_after_a_reload_stays_shown_throughout(
    loaded: Harness,
) -> None:
    """The setup's settings read came before the charger applied it.

    The value just set goes on showing (an automation triggered by `to: "off"`
    would run on a bounce); one more read confirms it.
    """
    assert loaded.state("dynamic_power").state == STATE_OFF
    written = _states_written(loaded, "dynamic_power")
    await _reload_while_applying(loaded, "dynamic_power", SERVICE_TURN_ON)
    assert loaded.sim.charger.state.dynamic is False
    assert loaded.state("dynamic_power").state == STATE_ON

    await run_for(loaded.hass, loaded.freezer, 3)

    assert loaded.sim.charger.state.dynamic is True
    assert loaded.state("dynamic_power").state == STATE_ON
    # Unavailable while the entry unloads is Home Assistant's own reload.
    assert [state for state in written if state != STATE_UNAVAILABLE] == [
        STATE_ON,
        STATE_ON,
    ], written


async def test_a_command_refused_across_a_reload_is_reported_at_its_deadline(
    loaded: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """A value the charger never applies is shown until its 90 s window ends, then not."""
    await _reload_while_applying(
        loaded, "dynamic_power", SERVICE_TURN_ON, apply_delay=1200.0
    )
    for _ in range(15):  # to 85 s after the command
        assert loaded.state("dynamic_power").state == STATE_ON
        await advance(loaded.hass, loaded.freezer, timedelta(seconds=5))
    assert loaded.state("dynamic_power").state == STATE_ON
    assert REFUSED not in caplog.text

    await advance(loaded.hass, loaded.freezer, timedelta(seconds=5))

    assert loaded.sim.charger.state.dynamic is False
    assert loaded.state("dynamic_power").state == STATE_OFF
    assert caplog.text.count(REFUSED) == 1


async def test_a_window_that_closed_while_unloaded_is_judged_by_the_setup_read(
    loaded: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """The entry stayed unloaded past the command's 90 s: no further read is owed."""
    hass = loaded.hass
    loaded.sim.sim.apply_delay = 1200.0
    await loaded.call("dynamic_power", SERVICE_TURN_ON)
    await advance(hass, loaded.freezer, timedelta(seconds=10))
    assert await hass.config_entries.async_unload(loaded.entry.entry_id)
    await advance(hass, loaded.freezer, timedelta(minutes=5))
    loaded.sim.sim.clear_log()

    assert await hass.config_entries.async_setup(loaded.entry.entry_id)
    await hass.async_block_till_done()

    assert loaded.state("dynamic_power").state == STATE_OFF
    assert caplog.text.count(REFUSED) == 1
    await run_for(hass, loaded.freezer, 3)
    assert reported_reads(loaded.sim) == 1


async def test_a_restart_reads_a_charger_with_commands_applying_once_more(
    harness: Harness, hass_storage: dict[str, Any]
) -> None:
    """After a restart only the charger's id is known: its settings are read again.

    The value set before the restart is not saved: the switch shows what the
    setup read found until the charger reports the new one.
    """
    hass_storage[f"{DOMAIN}.{harness.entry.entry_id}"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"{DOMAIN}.{harness.entry.entry_id}",
        "data": {"unconfirmed": [harness.sim.device_id]},
    }
    loaded = await harness.load()
    assert loaded.state("dynamic_power").state == STATE_OFF
    # The charger applies the command the last run sent.
    loaded.sim.charger.state.dynamic = True

    await run_for(loaded.hass, loaded.freezer, 3)

    assert reported_reads(loaded.sim) == 2
    assert loaded.state("dynamic_power").state == STATE_ON


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


async def test_a_command_the_setup_read_confirms_costs_no_further_read(
    loaded: Harness,
) -> None:
    """The charger applied the command in 2 s; the entry reloads 5 s later.

    The setup read already shows the new value, so nothing is left pending and
    the settings are next read on their usual rhythm, hours later.
    """
    hass = loaded.hass
    await _reload_while_applying(
        loaded, "dynamic_power", SERVICE_TURN_ON, apply_delay=2.0
    )
    assert loaded.sim.charger.state.dynamic is True
    assert not loaded.coordinator().poller.pending.values
    loaded.sim.sim.clear_log()

    await run_for(hass, loaded.freezer, 3)

    assert loaded.state("dynamic_power").state == STATE_ON
    assert reported_reads(loaded.sim) == 0


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
