"""A migrated entity keeps the history the other integration recorded under its entity id."""

from __future__ import annotations

from datetime import timedelta
import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder.history import state_changes_during_period
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance
import pytest
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.v2c_cloud.helpers import utcnow
from tests.sim_fixtures import SimHandle

from .read_helpers import run_for
from .test_migration import cloud_at_simulator, their_entry

__all__ = ["cloud_at_simulator"]

POWER = "sensor.garage_charge_power"


@pytest.fixture
def mock_recorder_before_hass(async_test_recorder: object) -> None:
    """Prepare the recorder's database before hass, which every test here creates."""


@pytest.mark.usefixtures("recorder_mock", "cloud_at_simulator")
async def test_history_before_and_after(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Their recorded power and our live power are one history of one entity id."""
    start = utcnow()
    entry = their_entry(hass, v2c_sim)
    hass.states.async_set(POWER, "2250.0", {"unit_of_measurement": "W"})
    await async_wait_recording_done(hass)
    # A restart: the recorded state stays, the state machine starts empty.
    hass.states.async_remove(POWER)
    freezer.tick(timedelta(minutes=1))

    v2c_sim.charger.plug_in()
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await run_for(hass, freezer, 5)
    await async_wait_recording_done(hass)

    changes = await get_instance(hass).async_add_executor_job(
        state_changes_during_period, hass, start - timedelta(seconds=1), None, POWER
    )
    values = [state.state for state in changes[POWER]]
    assert values[0] == "2250.0"
    assert float(values[-1]) > 1000
    state = hass.states.get(POWER)
    assert state is not None
    assert values[-1] == state.state
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
