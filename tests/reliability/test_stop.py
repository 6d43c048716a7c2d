"""Home Assistant stopping: entries are not unloaded, so the read timer must stand down."""

from __future__ import annotations

import asyncio
from datetime import timedelta
import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CoreState, Event, HomeAssistant, callback
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from tests.sim_fixtures import SimHandle
from v2c_simulator import FaultKind


async def test_no_read_is_armed_or_sent_once_home_assistant_stops(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A read due while Home Assistant stops would spend a call for nothing."""
    coordinator = init_integration.runtime_data.chargers[v2c_sim.device_id]
    v2c_sim.sim.clear_log()
    hass.set_state(CoreState.stopping)
    try:
        freezer.tick(timedelta(hours=1))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
        assert v2c_sim.sim.request_log == []
    finally:
        hass.set_state(CoreState.running)
    await hass.async_stop()
    assert coordinator._unsub_timer is None
    assert coordinator._unsub_recheck is None


@pytest.mark.parametrize("read_due", ["before", "during"])
async def test_a_read_the_cloud_does_not_answer_never_holds_the_stop_up(
    *,
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    read_due: str,
) -> None:
    """Sent before the stop or due as it begins: the stop does not wait up to 15 s."""
    v2c_sim.sim.faults.set(FaultKind.HANG)

    @callback
    def read_comes_due(_: Event) -> None:
        freezer.tick(timedelta(hours=1))
        async_fire_time_changed(hass)

    if read_due == "before":
        read_comes_due(Event(EVENT_HOMEASSISTANT_STOP))
        for _ in range(20):
            await asyncio.sleep(0)
        assert init_integration.runtime_data.client.calls_in_flight == 1
    else:
        hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, read_comes_due)
    caplog.set_level(logging.WARNING)
    stop = asyncio.ensure_future(hass.async_stop())
    for _ in range(200):
        await asyncio.sleep(0)
    stopped = stop.done()
    v2c_sim.sim.release_hangs()
    await stop
    assert stopped
    assert "still running" not in caplog.text
