"""Restarts, reloads and stored state of a charger two accounts share."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryDisabler
from homeassistant.const import CONF_API_KEY
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud import planner_settings
from custom_components.v2c_cloud.budget import QuotaPlanner
from custom_components.v2c_cloud.const import CONF_BASE_URL, DOMAIN
from custom_components.v2c_cloud.coordinator import ACCOUNT_TICK
from custom_components.v2c_cloud.helpers import utcnow
from tests.components.v2c_cloud.read_helpers import advance, run_for, setup_entry
from tests.sim_fixtures import SimHandle

OFFICE_KEY = "key-of-the-office"
CARPORT = "TRY0003"
LIFETIME = "sensor.garage_lifetime_energy"


@pytest.fixture
def office(v2c_sim: SimHandle) -> MockConfigEntry:
    """Add the office's account, sharing the garage's charger; return its entry, not added."""
    account = v2c_sim.sim.add_account(OFFICE_KEY)
    account.add_charger(device_id="TRY0002", tag="Office")
    account.chargers.append(v2c_sim.charger)
    return MockConfigEntry(
        domain=DOMAIN,
        title="V2C Cloud (2 chargers)",
        unique_id="TRY0002",
        data={CONF_API_KEY: OFFICE_KEY, CONF_BASE_URL: v2c_sim.base_url},
    )


async def test_a_shared_charger_the_other_entry_runs_takes_no_share_of_the_plan(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    office: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The garage ran the shared charger mid-charge, was disabled, the office took it.

    Enabled again, the garage runs only its own charger (the carport), but
    its restored planner still holds the shared one, saved as charging: the
    pairings check keeps every charger the garage's key lists, run here or
    not, and nothing reads it to end its charge. The garage plans polls for
    a charger it never reads, and its own charging carport is read every
    42 s instead of every 21 s, for as long as the office runs the charger.
    The carport should be planned as the garage's only charger.
    """
    garage = mock_config_entry
    carport = v2c_sim.account.add_charger(device_id=CARPORT, tag="Carport")
    await setup_entry(hass, garage)
    await setup_entry(hass, office)
    v2c_sim.charger.plug_in(energy_needed_kwh=60.0)
    await run_for(hass, freezer, 10)
    assert set(garage.runtime_data.chargers) == {v2c_sim.device_id, CARPORT}

    assert await hass.config_entries.async_set_disabled_by(
        garage.entry_id, ConfigEntryDisabler.USER
    )
    await hass.async_block_till_done()
    await advance(hass, freezer, ACCOUNT_TICK)
    assert v2c_sim.device_id in office.runtime_data.chargers
    assert await hass.config_entries.async_set_disabled_by(garage.entry_id, None)
    await hass.async_block_till_done()
    assert set(garage.runtime_data.chargers) == {CARPORT}
    carport.plug_in(energy_needed_kwh=60.0)
    await run_for(hass, freezer, 30)

    planner = garage.runtime_data.planner
    now = utcnow()
    alone = QuotaPlanner.from_dict(planner.to_dict(), planner_settings(garage), now=now)
    alone.remove_charger(v2c_sim.device_id)
    assert planner.poll_interval_s(CARPORT, now) == pytest.approx(
        alone.poll_interval_s(CARPORT, now)
    )
    assert set(planner.snapshot(now).chargers) == {CARPORT}


async def test_a_shared_charger_given_back_does_not_count_a_session_twice(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    office: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The garage runs the charger mid-charge, the office takes it, then gives it back.

    The office finishes that session (19.0 kWh) and counts the next one up to
    7.4 kWh; *Lifetime energy* shows 26.4. Back with the garage, the total is
    first raised to the 26.4 last shown, but the garage's Store still holds
    its own last reading of the first session (14.7 kWh, taken at the
    disable): the second session's reading, lower, is taken for a new
    session after that one, which is banked again. *Lifetime energy* shows
    38.0 kWh for 30.7 kWh charged (7.4 kWh counted twice, for good, in the
    Energy dashboard). The session marks of a charger run elsewhere are
    forgotten for this reason (V2CPairingsTracker._forget_sessions); its
    energy reading is not.
    """
    garage = mock_config_entry
    await setup_entry(hass, garage)
    await setup_entry(hass, office)
    charger = v2c_sim.charger
    charger.plug_in(energy_needed_kwh=60)
    await run_for(hass, freezer, 120)

    assert await hass.config_entries.async_set_disabled_by(
        garage.entry_id, ConfigEntryDisabler.USER
    )
    await hass.async_block_till_done()
    await advance(hass, freezer, ACCOUNT_TICK)
    assert v2c_sim.device_id in office.runtime_data.chargers
    assert await hass.config_entries.async_set_disabled_by(garage.entry_id, None)
    await hass.async_block_till_done()

    await run_for(hass, freezer, 5)
    charger.unplug()
    first = charger.state.sessions[-1].energy_kwh
    await run_for(hass, freezer, 5)
    charger.plug_in(energy_needed_kwh=60)
    await run_for(hass, freezer, 60)

    assert await hass.config_entries.async_remove(office.entry_id)
    await hass.async_block_till_done()
    for _ in range(24):
        await advance(hass, freezer, ACCOUNT_TICK)
        if v2c_sim.device_id in garage.runtime_data.chargers:
            break
    assert v2c_sim.device_id in garage.runtime_data.chargers
    await run_for(hass, freezer, 5)
    second = charger.state.session_energy_kwh
    assert float(hass.states.get(LIFETIME).state) == pytest.approx(
        first + second, abs=0.05
    )
