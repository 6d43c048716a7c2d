"""Timers set from Home Assistant, read back, and their windows fed to the planner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud.budget import ChargerActivity
from custom_components.v2c_cloud.const import CONF_QUOTA_SHARE, DOMAIN
from custom_components.v2c_cloud.data import CONFIRM_WINDOW_S
from custom_components.v2c_cloud.helpers import utcnow
from tests.sim_fixtures import SimHandle
from v2c_simulator.state import Timer as SimTimer

from .read_helpers import advance, coordinator_of, setup_entry

NIGHTLY = {
    "timer_id": 1,
    "start": "02:00",
    "end": "06:00",
    "days": ["monday", "tuesday"],
}


async def _device_id(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    v2c_sim: SimHandle,
) -> str:
    """Set the entry up; return the charger's device id in Home Assistant."""
    await setup_entry(hass, mock_config_entry)
    device = device_registry.async_get_device(identifiers={(DOMAIN, v2c_sim.device_id)})
    assert device is not None
    return device.id


def _settings_reads(v2c_sim: SimHandle) -> list[datetime]:
    return [
        record.time
        for record in v2c_sim.sim.request_log
        if record.path == "/device/reported"
    ]


async def test_a_timer_the_charger_applies_late_is_read_back_at_its_windows_end(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    v2c_sim: SimHandle,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A timer the charger shows 40 s after set_timer is read back 90 s after it.

    The timer asked for is followed like any setting: the confirmation 15 s
    on shows the old timers, so the settings are read once more when the
    command's window (CONFIRM_WINDOW_S) ends. That read shows the timer, the
    planner learns the charger's wait, and disable_timer finds the timer.
    """
    freezer.move_to("2026-03-02 12:00:00+00:00")
    device_id = await _device_id(hass, mock_config_entry, device_registry, v2c_sim)
    v2c_sim.sim.apply_delay = 40.0
    v2c_sim.sim.clear_log()
    sent_at = utcnow()

    await hass.services.async_call(
        DOMAIN, "set_timer", {"device_id": device_id, **NIGHTLY}, blocking=True
    )
    for _ in range(36):  # three minutes: well past the command's window
        await advance(hass, freezer, timedelta(seconds=5))
    assert v2c_sim.charger.state.timers[1].active

    coordinator = coordinator_of(mock_config_entry, v2c_sim.device_id)
    assert coordinator.data.reported is not None
    assert [timer.timer_id for timer in coordinator.data.reported.timers] == [1]
    late = sent_at + timedelta(seconds=CONFIRM_WINDOW_S)
    assert [read - sent_at for read in _settings_reads(v2c_sim)] == [
        timedelta(seconds=15),
        late - sent_at,
    ]
    assert not coordinator.poller.pending.values
    planner = coordinator.poller.planner
    assert planner.apply_wait_s(v2c_sim.device_id, utcnow()) == CONFIRM_WINDOW_S

    await hass.services.async_call(
        DOMAIN, "disable_timer", {"device_id": device_id, "timer_id": 1}, blocking=True
    )


async def test_a_timer_set_and_not_shown_yet_can_be_switched_off(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    v2c_sim: SimHandle,
    freezer: FrozenDateTimeFactory,
) -> None:
    """disable_timer takes the times of a timer just set, before the charger shows it.

    A timer neither set from here nor shown by the settings is refused.
    """
    freezer.move_to("2026-03-02 12:00:00+00:00")
    device_id = await _device_id(hass, mock_config_entry, device_registry, v2c_sim)
    v2c_sim.sim.apply_delay = 40.0

    await hass.services.async_call(
        DOMAIN, "set_timer", {"device_id": device_id, **NIGHTLY}, blocking=True
    )
    await hass.services.async_call(
        DOMAIN, "disable_timer", {"device_id": device_id, "timer_id": 1}, blocking=True
    )
    with pytest.raises(ServiceValidationError) as unknown:
        await hass.services.async_call(
            DOMAIN,
            "disable_timer",
            {"device_id": device_id, "timer_id": 2},
            blocking=True,
        )
    assert unknown.value.translation_key == "timer_not_found"
    legacy = [
        record.body
        for record in v2c_sim.sim.request_log
        if record.path == "/device/timer" and "timer id" in record.query
    ]
    assert legacy == [{"start_time": "02:00", "end_time": "06:00", "active": False}]
    for _ in range(36):
        await advance(hass, freezer, timedelta(seconds=5))
    assert not v2c_sim.charger.state.timers[1].active
    coordinator = coordinator_of(mock_config_entry, v2c_sim.device_id)
    assert not coordinator.poller.pending.values


async def test_a_timer_shown_switched_off_is_not_switched_off_again(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    v2c_sim: SimHandle,
) -> None:
    """Settings read within the hour that show the timer off: no call, as for any setting."""
    v2c_sim.charger.state.timers = {3: SimTimer(3, "22:00", "06:00", "")}
    device_id = await _device_id(hass, mock_config_entry, device_registry, v2c_sim)
    v2c_sim.sim.clear_log()

    await hass.services.async_call(
        DOMAIN, "disable_timer", {"device_id": device_id, "timer_id": 3}, blocking=True
    )
    assert v2c_sim.sim.request_log == []


async def test_a_charge_its_timer_cut_is_read_at_the_next_opening(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    v2c_sim: SimHandle,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A charge the window's end stops, the car not full, is read at the next opening.

    Off-peak 01:00-02:00, a car that needs 60 kWh plugged in at 00:10: it is
    read at the first opening (01:00:15) and charges until 02:00, when the
    timer stops it. The stop is the timer's, not a full car's: the car waits
    for the next night's opening, and its start is seen at 01:00:15 again.
    """
    state = v2c_sim.charger.state
    state.timers = {1: SimTimer(1, "01:00", "02:00", "1234567")}
    await hass.config.async_set_time_zone("UTC")
    freezer.move_to("2026-03-03 00:10:00+00:00")
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, options={CONF_QUOTA_SHARE: 10}
    )
    await setup_entry(hass, mock_config_entry)
    coordinator = coordinator_of(mock_config_entry, v2c_sim.device_id)
    v2c_sim.charger.plug_in(energy_needed_kwh=60.0)
    while coordinator.data.activity is ChargerActivity.IDLE:
        await advance(hass, freezer, timedelta(seconds=5))
    assert coordinator.data.activity is ChargerActivity.PLUGGED

    first = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)
    while utcnow() < first + timedelta(seconds=20):
        await advance(hass, freezer, timedelta(seconds=5))
    assert coordinator.data.activity is ChargerActivity.CHARGING
    assert coordinator.data.state_at == first + timedelta(seconds=15)

    # The window closes at 02:00: the charge stops, the car still needs energy.
    while coordinator.data.activity is ChargerActivity.CHARGING:
        await advance(hass, freezer, timedelta(seconds=30))
    assert coordinator.data.activity is ChargerActivity.PLUGGED
    assert state.car_energy_needed_kwh > 1

    second = datetime(2026, 3, 4, 1, 0, tzinfo=UTC)
    while utcnow() < second - timedelta(minutes=5):
        await advance(hass, freezer, timedelta(minutes=1))
    while (
        coordinator.data.activity is not ChargerActivity.CHARGING
        and utcnow() < second + timedelta(hours=3)
    ):
        await advance(hass, freezer, timedelta(seconds=5))
    assert coordinator.data.activity is ChargerActivity.CHARGING
    assert coordinator.data.state_at == second + timedelta(seconds=15)


async def test_a_charge_its_timer_cut_during_a_restart_awaits_the_next_opening(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    v2c_sim: SimHandle,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A charge its timer's window cut while Home Assistant restarted is no full car.

    Off-peak 01:00-02:00, a car that needs 60 kWh charges from 01:00; Home
    Assistant stops at 01:58 and is back at 02:03. The settings the setup
    reads name the window that closed at 02:00, and reach the planner
    before the stop it sees (ChargerPoller._publish): as without the
    restart, the car awaits the next opening and its start is read at
    01:00:15.
    """
    state = v2c_sim.charger.state
    state.timers = {1: SimTimer(1, "01:00", "02:00", "1234567")}
    await hass.config.async_set_time_zone("UTC")
    freezer.move_to("2026-03-03 00:10:00+00:00")
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, options={CONF_QUOTA_SHARE: 10}
    )
    await setup_entry(hass, mock_config_entry)
    v2c_sim.charger.plug_in(energy_needed_kwh=60.0)
    first = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)
    while utcnow() < first + timedelta(minutes=58):
        await advance(hass, freezer, timedelta(seconds=30))
    coordinator = coordinator_of(mock_config_entry, v2c_sim.device_id)
    assert coordinator.data.activity is ChargerActivity.CHARGING

    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    freezer.tick(timedelta(minutes=5))
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    coordinator = coordinator_of(mock_config_entry, v2c_sim.device_id)
    assert coordinator.data.activity is ChargerActivity.PLUGGED
    assert state.car_energy_needed_kwh > 1
    after = coordinator.poller.planner.to_dict()["chargers"][v2c_sim.device_id]

    second = datetime(2026, 3, 4, 1, 0, tzinfo=UTC)
    while utcnow() < second - timedelta(minutes=5):
        await advance(hass, freezer, timedelta(minutes=1))
    while (
        coordinator.data.activity is not ChargerActivity.CHARGING
        and utcnow() < second + timedelta(hours=3)
    ):
        await advance(hass, freezer, timedelta(seconds=5))
    assert coordinator.data.activity is ChargerActivity.CHARGING
    assert coordinator.data.state_at == second + timedelta(seconds=15), (
        f"start seen {coordinator.data.state_at - second} after the opening"
        f" (after the restart: charge_ended={after['charge_ended']})"
    )
