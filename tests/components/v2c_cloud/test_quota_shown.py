"""What the user is told about the daily quota: the charger's poll interval."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud.helpers import utcnow
from tests.sim_fixtures import SimHandle

from .read_helpers import run_for, state_of

PLATFORM = Platform.SENSOR
POLL_INTERVAL = "sensor.garage_poll_interval"


@pytest.mark.usefixtures("all_enabled", "loaded")
async def test_poll_interval_stays_shown_while_the_charger_is_offline(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
) -> None:
    """The charger loses its connection to the cloud; the integration keeps reading it.

    'Poll interval' describes the planner, not the charger's data: it stays
    available with the charger's live values gone, and shows the interval
    the planner reads the offline charger at.
    """
    v2c_sim.charger.set_online(False)
    await run_for(hass, freezer, 30)
    calls = len(v2c_sim.sim.request_log)
    await run_for(hass, freezer, 30)
    assert len(v2c_sim.sim.request_log) > calls
    planner = mock_config_entry.runtime_data.planner
    interval = planner.poll_interval_s(v2c_sim.device_id, utcnow())
    assert interval is not None

    state = state_of(hass, POLL_INTERVAL).state
    assert state != STATE_UNAVAILABLE
    assert float(state) == pytest.approx(interval)
