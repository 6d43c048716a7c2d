"""The shipped blueprints, run as a user would import them, against the simulator."""

from __future__ import annotations

from pathlib import Path
import shutil

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import automation
from homeassistant.const import STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import async_mock_service

from tests.sim_fixtures import SimHandle

from .control_helpers import Harness
from .read_helpers import run_for, state_of

PLATFORM = Platform.EVENT
BLUEPRINTS = Path(__file__).resolve().parents[3] / "blueprints"
SESSION = "event.garage_charging_session"


@pytest.fixture
def blueprint_folder(hass: HomeAssistant, tmp_path: Path) -> None:
    """Put the repository's blueprints where Home Assistant imports them to."""
    shutil.copytree(BLUEPRINTS, tmp_path / "blueprints")
    hass.config.config_dir = str(tmp_path)


async def notify_when_charging_finished(hass: HomeAssistant) -> list[ServiceCall]:
    """Set up the blueprint as a user would; return the notifications it sends."""
    notified = async_mock_service(hass, "test", "notify")
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: {
                "alias": "Car charged",
                "use_blueprint": {
                    "path": "v2c_cloud/charging_finished.yaml",
                    "input": {
                        "session_event": SESSION,
                        "actions": [
                            {
                                "action": "test.notify",
                                "data": {
                                    "message": "{{ energy_kwh }} kWh, "
                                    "{{ duration_min }} min"
                                },
                            }
                        ],
                    },
                },
            }
        },
    )
    assert hass.states.get("automation.car_charged")
    return notified


@pytest.mark.usefixtures("blueprint_folder")
async def test_charging_finished_blueprint_reports_the_session(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    freezer: FrozenDateTimeFactory,
    loaded: Harness,
) -> None:
    """A session started, then finished: the actions run once, with its figures.

    Not at the start, and not again when a reload brings the last event back.
    """
    notified = await notify_when_charging_finished(hass)

    v2c_sim.charger.plug_in()
    await run_for(hass, freezer, 15)
    assert notified == []

    await run_for(hass, freezer, 30)
    v2c_sim.charger.unplug()
    truth = v2c_sim.charger.state
    await run_for(hass, freezer, 15)

    assert len(notified) == 1
    energy, minutes = notified[0].data["message"].split(" kWh, ")
    assert float(energy) == pytest.approx(truth.session_energy_kwh, abs=0.01)
    assert minutes == f"{round(truth.session_seconds / 60)} min"

    # The event entity comes back with its last event after a reload.
    assert await hass.config_entries.async_reload(loaded.entry.entry_id)
    await run_for(hass, freezer, 5)
    assert state_of(hass, SESSION).attributes["event_type"] == "session_finished"
    assert len(notified) == 1


@pytest.mark.usefixtures("blueprint_folder")
async def test_charging_finished_blueprint_reports_a_session_that_ended_offline(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    freezer: FrozenDateTimeFactory,
    loaded: Harness,
) -> None:
    """The charger drops offline mid-charge and the car leaves meanwhile.

    The session is reported once the charger is back, although its event comes
    in the very update that makes the event entity available again.
    """
    notified = await notify_when_charging_finished(hass)
    v2c_sim.charger.plug_in()
    await run_for(hass, freezer, 15)
    v2c_sim.charger.set_online(False)
    await run_for(hass, freezer, 30)
    assert state_of(hass, SESSION).state == STATE_UNAVAILABLE

    v2c_sim.charger.unplug()
    truth = v2c_sim.charger.state
    await run_for(hass, freezer, 5)
    v2c_sim.charger.set_online(True)
    await run_for(hass, freezer, 60)

    assert state_of(hass, SESSION).attributes["event_type"] == "session_finished"
    assert len(notified) == 1
    energy = notified[0].data["message"].split(" kWh, ")[0]
    assert float(energy) == pytest.approx(truth.session_energy_kwh, abs=0.01)
