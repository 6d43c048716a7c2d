"""A hanging V2C Cloud: requests time out, the entry carries on (real event-loop clock)."""

from __future__ import annotations

import logging

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.sim_fixtures import SimHandle
from v2c_simulator import FaultKind

from .helpers import assert_quota_in_step, charger, tracebacks, unavailable
from .test_faults import assert_command_fails, set_current

SHORT_TIMEOUT_S = 0.2


@pytest.fixture
def frozen_start() -> None:
    """Let time run: a hang only times out on a moving event-loop clock."""


async def test_hanging_requests_time_out_and_recover(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A request that never gets an answer fails fast; the next one works."""
    caplog.set_level(logging.INFO)
    client = init_integration.runtime_data.client
    client._transport.request_timeout = SHORT_TIMEOUT_S
    coordinator = charger(init_integration, v2c_sim.device_id)

    v2c_sim.sim.faults.set(FaultKind.HANG, count=2)
    await coordinator.async_refresh()
    assert not coordinator.last_update_success
    await assert_command_fails(hass, v2c_sim.device_id, 12, "communication_error")
    assert unavailable(hass, init_integration) == []

    await coordinator.async_refresh()
    assert coordinator.last_update_success
    await set_current(hass, v2c_sim.device_id, 13)
    assert_quota_in_step(init_integration, v2c_sim)
    assert tracebacks(caplog) == []
    v2c_sim.sim.release_hangs()
