"""Tests for the V2C Cloud sensors."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud.api import (
    ChargeState,
    CurrentState,
    DynamicPowerMode,
    MeterError,
)
from custom_components.v2c_cloud.const import DOMAIN
from custom_components.v2c_cloud.helpers import options_of
from custom_components.v2c_cloud.sensor import (
    ACCOUNT_SENSORS,
    CHARGE_STATES,
    LIFETIME_ENERGY,
    OTHER_METER_ERROR,
    SENSORS,
    _charge_state,
    _meter_error,
)
from tests.sim_fixtures import SimHandle

from .control_helpers import POLE, setup_entry
from .read_helpers import entity_texts, number_of, run_for, state_of

PLATFORM = Platform.SENSOR


@pytest.mark.usefixtures("loaded")
async def test_disabled_by_default(
    mock_config_entry: MockConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    """Unreliable and rarely updated diagnostics start disabled."""
    disabled = {
        entry.entity_id
        for entry in er.async_entries_for_config_entry(
            entity_registry, mock_config_entry.entry_id
        )
        if entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    }
    assert disabled == {
        "sensor.garage_phases",
        "sensor.garage_voltage_signal_raw",
        "sensor.garage_wi_fi_network",
        "sensor.garage_poll_interval",
    }


@pytest.mark.usefixtures("loaded")
async def test_values_follow_the_charger(
    hass: HomeAssistant, v2c_sim: SimHandle, freezer: FrozenDateTimeFactory
) -> None:
    """Power, current and energy follow the car as it charges."""
    assert state_of(hass, "sensor.garage_charge_state").state == "no_vehicle"
    assert number_of(hass, "sensor.garage_charging_power") == 0

    v2c_sim.charger.plug_in()
    await run_for(hass, freezer, 15)
    truth = v2c_sim.charger.state
    assert state_of(hass, "sensor.garage_charge_state").state == "charging"
    assert number_of(hass, "sensor.garage_charging_power") == pytest.approx(
        truth.power_kw * 1000
    )
    assert number_of(hass, "sensor.garage_delivered_current") == truth.current_a
    first = number_of(hass, "sensor.garage_session_energy")
    assert first > 0

    await run_for(hass, freezer, 30)
    second = number_of(hass, "sensor.garage_session_energy")
    assert second > first
    assert second == pytest.approx(v2c_sim.charger.state.session_energy_kwh, abs=0.5)
    assert number_of(hass, "sensor.garage_lifetime_energy") == pytest.approx(second)
    assert number_of(hass, "sensor.garage_session_duration") > 30


@pytest.mark.usefixtures("loaded")
async def test_offline_and_back(
    hass: HomeAssistant, v2c_sim: SimHandle, freezer: FrozenDateTimeFactory
) -> None:
    """Sensors go unavailable while the charger is offline and return with it."""
    v2c_sim.charger.set_online(False)
    await run_for(hass, freezer, 180)
    assert state_of(hass, "sensor.garage_charging_power").state == STATE_UNAVAILABLE
    assert state_of(hass, "sensor.garage_lifetime_energy").state == STATE_UNAVAILABLE

    v2c_sim.charger.set_online(True)
    await run_for(hass, freezer, 60)
    assert number_of(hass, "sensor.garage_charging_power") == 0
    assert number_of(hass, "sensor.garage_lifetime_energy") == 0


@pytest.mark.usefixtures("loaded")
async def test_quota_sensors(
    hass: HomeAssistant, v2c_sim: SimHandle, freezer: FrozenDateTimeFactory
) -> None:
    """The account's sensors show the quota the cloud reports, and follow it."""
    remaining = "sensor.v2c_cloud_account_calls_remaining_today"
    assert (
        number_of(hass, remaining) == v2c_sim.sim.quota_for(v2c_sim.api_key).remaining
    )
    reset = state_of(hass, "sensor.v2c_cloud_account_quota_reset").state
    assert dt_util.parse_datetime(reset) == dt_util.parse_datetime(
        "2026-03-03 00:00:00+00:00"
    )

    await run_for(hass, freezer, 60)
    quota = v2c_sim.sim.quota_for(v2c_sim.api_key)
    assert quota.remaining < 1000 - 3
    assert number_of(hass, remaining) == quota.remaining


@pytest.mark.usefixtures("all_enabled", "loaded")
async def test_poll_interval(
    hass: HomeAssistant, v2c_sim: SimHandle, freezer: FrozenDateTimeFactory
) -> None:
    """The planner polls a charging charger more often than an idle one."""
    idle = number_of(hass, "sensor.garage_poll_interval")
    v2c_sim.charger.plug_in()
    await run_for(hass, freezer, 15)
    assert 0 < number_of(hass, "sensor.garage_poll_interval") < idle


@pytest.mark.usefixtures("all_enabled")
@pytest.mark.parametrize("sim_setup", [POLE])
async def test_a_pole_keeps_its_wifi_signal_after_a_malformed_wifi_info_at_setup(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
) -> None:
    """A Wi-Fi sensor exists when `wifi_info` carries its part, or could not be read.

    The notes say `wifi_info` can be malformed: a Pole's signal sensor is there
    from setup, unknown, and shows the signal once a settings read parses it.
    """
    v2c_sim.sim.override_field("reported", "wifi_info", '{"ssid": "Home", "rssi": ')
    await setup_entry(hass, mock_config_entry, freezer)
    assert entity_registry.async_get_entity_id(
        Platform.SENSOR, DOMAIN, "POLE0001_ip_address"
    )
    signal = entity_registry.async_get_entity_id(
        Platform.SENSOR, DOMAIN, "POLE0001_wifi_signal"
    )
    assert signal is not None
    assert state_of(hass, signal).state == STATE_UNKNOWN

    v2c_sim.sim.clear_overrides()
    # The settings are read again within 6 hours.
    await run_for(hass, freezer, 7 * 60)

    coordinator = mock_config_entry.runtime_data.chargers["POLE0001"]
    assert coordinator.data.reported is not None
    assert coordinator.data.reported.wifi_rssi_dbm == v2c_sim.charger.state.wifi_rssi
    assert entity_registry.async_get_entity_id(
        Platform.SENSOR, DOMAIN, "POLE0001_wifi_signal"
    ), "no Wi-Fi signal entity although the Pole reports its signal"
    assert number_of(hass, signal) == v2c_sim.charger.state.wifi_rssi


@pytest.mark.parametrize(
    ("charge_state", "expected"), [(None, None), *CHARGE_STATES.items()]
)
def test_charge_state_options(
    charge_state: ChargeState | None, expected: str | None
) -> None:
    """Every pilot state has an option, including state A (0)."""
    fields = (
        {"power": "0.000000"}
        if charge_state is None
        else {"charge_state": str(int(charge_state))}
    )
    assert _charge_state(CurrentState.from_dict(fields)) == expected


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        ("", "none"),
        ("0", "none"),
        ("7", "meter_not_found"),
        ("10", "clamp_not_connected"),
        ("244", OTHER_METER_ERROR),
        ("overheat", None),
        ("x" * 10_000, None),
    ],
)
def test_meter_error(error: str, expected: str | None) -> None:
    """Named codes show their name, others "other" (the number is error_code)."""
    state = CurrentState.from_dict({"charge_state": "2", "error": error})
    assert _meter_error(state) == expected


def test_texts() -> None:
    """Every sensor and charge state has an English name; the states have icons."""
    strings, english, icons = entity_texts(Platform.SENSOR)
    keys = {
        description.translation_key
        for description in (*SENSORS, LIFETIME_ENERGY, *ACCOUNT_SENSORS)
    }
    assert all(strings[key]["name"] == english[key]["name"] for key in keys)
    options = set(CHARGE_STATES.values())
    assert set(strings["charge_state"]["state"]) == options
    assert english["charge_state"] == strings["charge_state"]
    assert set(icons["charge_state"]["state"]) == options
    meter_errors = {*options_of(MeterError), OTHER_METER_ERROR}
    assert set(strings["meter_error"]["state"]) == meter_errors
    assert english["meter_error"] == strings["meter_error"]
    modes = set(options_of(DynamicPowerMode))
    assert set(strings["dynamic_power_mode"]["state"]) == modes
    assert english["dynamic_power_mode"] == strings["dynamic_power_mode"]
