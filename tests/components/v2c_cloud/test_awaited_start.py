"""How often a plugged car that is not charging is read, through Home Assistant."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.v2c_cloud.api import ChargeState, PvMode
from custom_components.v2c_cloud.budget import ChargerActivity
from custom_components.v2c_cloud.const import CONF_QUOTA_SHARE
from custom_components.v2c_cloud.coordinator import V2CChargerCoordinator
from custom_components.v2c_cloud.event import SESSION_STARTED
from custom_components.v2c_cloud.helpers import utcnow
from tests.sim_fixtures import SimHandle
from v2c_simulator.state import Timer

from .answer_gate import gated, until
from .read_helpers import advance, coordinator_of, setup_entry, state_of

# Half an hour into a fresh quota window, with no sun for hours.
NIGHT = "2026-03-03 00:30:00+00:00"
# A sunny June morning: the simulated site makes about 3 kW at 10:00 UTC.
SUNNY_MORNING = "2026-06-03 10:00:00+00:00"
SESSION = "event.garage_charging_session"
# Before it ever saw a car, an empty charger is read every 1.5 baselines when
# that is within two minutes on average (one charger on 1,000 calls).
EMPTY_BASELINES = 1.5


def _next_poll_in(coordinator: V2CChargerCoordinator) -> timedelta:
    due = coordinator.poller.next_refresh_at(utcnow())
    assert due is not None
    return due - utcnow()


@pytest.mark.parametrize(
    ("pv_mode", "fv_named", "dynamic_power_mode", "activity", "versus_baseline"),
    [
        # The grid tops up PV + minimum: the held charge may start any moment,
        # so the car is read at the baseline. `fv_mode`, which the PV-mode
        # select sets, names the mode before `dynamic_power_mode`.
        (PvMode.PV_PLUS_MIN, True, "2", ChargerActivity.PLUGGED, (0.9, 1.1)),
        # Exclusive PV waits for the sun, which the charger will report first:
        # read at a quiet hour's pace, 8 baselines, a little more while the
        # calls kept for a charge as long as the rest of the day (nothing is
        # learned yet) leave the slow reads short.
        (PvMode.PV_ONLY, True, "2", ChargerActivity.SUNLESS, (7.5, 10)),
        # Without `fv_mode`, as a real Trydan's shadow: its `dynamic_power_mode`
        # names exclusive PV ("2"), minimum power ("3") or grid + PV ("4"),
        # which charge from the grid too.
        (PvMode.PV_ONLY, False, "2", ChargerActivity.SUNLESS, (7.5, 10)),
        (PvMode.PV_ONLY, False, "3", ChargerActivity.PLUGGED, (0.9, 1.1)),
        (PvMode.PV_ONLY, False, "4", ChargerActivity.PLUGGED, (0.9, 1.1)),
        # Settings that name no mode: in the dark something else may hold the
        # car, so it is awaited at the baseline.
        (PvMode.PV_ONLY, False, None, ChargerActivity.PLUGGED, (0.9, 1.1)),
    ],
)
async def test_a_plugged_car_is_awaited_unless_it_waits_for_the_sun(
    *,
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    pv_mode: PvMode,
    fv_named: bool,
    dynamic_power_mode: str | None,
    activity: ChargerActivity,
    versus_baseline: tuple[float, float],
) -> None:
    """The settings shadow's PV mode decides whether a held car is awaited."""
    freezer.move_to(NIGHT)
    state = v2c_sim.charger.state
    state.dynamic = True
    state.pv_mode = pv_mode.value
    if not fv_named:
        v2c_sim.sim.override_field("reported", "fv_mode", None)
    v2c_sim.sim.override_field("reported", "dynamic_power_mode", dynamic_power_mode)
    # Held back (as by a timer) so that only the PV mode differs.
    state.paused = True
    await setup_entry(hass, mock_config_entry)
    coordinator = coordinator_of(mock_config_entry, v2c_sim.device_id)
    assert coordinator.data.activity is ChargerActivity.IDLE
    empty = _next_poll_in(coordinator)
    baseline = empty / EMPTY_BASELINES

    v2c_sim.charger.plug_in()
    await advance(hass, freezer, empty + timedelta(seconds=1))

    assert coordinator.data.activity is activity
    low, high = versus_baseline
    assert low * baseline < _next_poll_in(coordinator) < high * baseline


async def test_a_pv_car_full_under_the_sun_is_read_as_a_full_car(
    *,
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A car that fills up from the sun in the morning is read as a full car all afternoon.

    A Trydan the sun holds keeps the pilot at C ("2", 0 A); a full car drops it
    to B ("1"): it waits for no surplus, and is read at a full car's pace, as
    one on the grid is (up to 16 baselines), not at a waiting car's.
    """
    freezer.move_to(SUNNY_MORNING)
    state = v2c_sim.charger.state
    state.dynamic = True
    state.pv_mode = PvMode.PV_ONLY.value
    await setup_entry(hass, mock_config_entry)
    coordinator = coordinator_of(mock_config_entry, v2c_sim.device_id)
    baseline = _next_poll_in(coordinator) / EMPTY_BASELINES

    v2c_sim.charger.plug_in(energy_needed_kwh=0.5)
    for _ in range(120):
        await advance(hass, freezer, timedelta(seconds=15))
        if coordinator.data.activity is ChargerActivity.CHARGING:
            break
    assert coordinator.data.activity is ChargerActivity.CHARGING
    for _ in range(240):
        await advance(hass, freezer, timedelta(seconds=15))
        if coordinator.data.activity is not ChargerActivity.CHARGING:
            break
    live = coordinator.data.state
    assert live is not None
    assert live.charge_state is ChargeState.CONNECTED
    assert (live.sun_power_w or 0) > 1000
    assert coordinator.data.activity is ChargerActivity.PLUGGED

    # The sun goes on shining: a quarter of an hour later, no faster than the
    # baseline.
    calls_before = v2c_sim.sim.quota(v2c_sim.api_key).status(utcnow()).remaining
    for _ in range(12 * 4):
        await advance(hass, freezer, timedelta(seconds=15))
    calls_after = v2c_sim.sim.quota(v2c_sim.api_key).status(utcnow()).remaining
    interval = _next_poll_in(coordinator)
    assert interval >= baseline, (
        f"full PV car read every {interval}, faster than the baseline {baseline}; "
        f"{calls_before - calls_after} calls in 12 minutes"
    )


async def test_a_car_held_at_zero_amps_by_the_sun_is_not_charging(
    *,
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A real Trydan keeps pilot C while exclusive PV holds the car at 0 A.

    Nothing flows: not shown charging, and read as a car waiting for the sun,
    not at a charge's pace. Once the sun gives current, it is. The session
    follows the pilot: it starts at the plug-in and the sun does not restart it.
    """
    freezer.move_to(NIGHT)
    state = v2c_sim.charger.state
    state.dynamic = True
    state.pv_mode = PvMode.PV_ONLY.value
    await setup_entry(hass, mock_config_entry)
    coordinator = coordinator_of(mock_config_entry, v2c_sim.device_id)
    empty = _next_poll_in(coordinator)
    changes = async_capture_events(hass, "state_changed")

    v2c_sim.charger.plug_in()
    await advance(hass, freezer, empty + timedelta(seconds=1))

    live = coordinator.data.state
    assert live is not None
    assert (live.charge_state, live.power_w, live.intensity_a) == (
        ChargeState.CHARGING,
        0.0,
        0.0,
    )
    assert coordinator.data.activity is ChargerActivity.SUNLESS
    assert state_of(hass, "binary_sensor.garage_vehicle_charging").state == STATE_OFF
    baseline = empty / EMPTY_BASELINES
    assert 7.5 * baseline < _next_poll_in(coordinator) < 10 * baseline
    assert state_of(hass, SESSION).attributes["event_type"] == SESSION_STARTED

    await advance(hass, freezer, datetime(2026, 3, 3, 12, 0, tzinfo=UTC) - utcnow())
    await advance(hass, freezer, _next_poll_in(coordinator) + timedelta(seconds=1))

    assert coordinator.data.activity is ChargerActivity.CHARGING
    assert state_of(hass, "binary_sensor.garage_vehicle_charging").state == STATE_ON
    assert [
        change.data["new_state"].attributes["event_type"]
        for change in changes
        if change.data["entity_id"] == SESSION
    ] == [SESSION_STARTED]


OPENING = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)


async def _set_up_reading_slowly(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    v2c_sim: SimHandle,
    freezer: FrozenDateTimeFactory,
    at: str,
) -> V2CChargerCoordinator:
    """Set the entry up at a UTC moment with a share that reads every half hour."""
    # The simulated charger keeps its timers in UTC, like this Home Assistant.
    await hass.config.async_set_time_zone("UTC")
    freezer.move_to(at)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options={CONF_QUOTA_SHARE: 10})
    await setup_entry(hass, entry)
    return coordinator_of(entry, v2c_sim.device_id)


async def _plug_in(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    freezer: FrozenDateTimeFactory,
    coordinator: V2CChargerCoordinator,
) -> None:
    """Plug a car in and return once a read has seen it."""
    v2c_sim.charger.plug_in()
    while coordinator.data.activity is ChargerActivity.IDLE:
        await advance(hass, freezer, timedelta(seconds=5))


@pytest.fixture
async def held_by_timer(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> V2CChargerCoordinator:
    """Plug a car into a charger whose timer opens at 01:00; return once it is seen."""
    v2c_sim.charger.state.timers = {1: Timer(1, "01:00", "06:00", "1234567")}
    # Read every half hour: only the opening is read at 01:00:15.
    coordinator = await _set_up_reading_slowly(
        hass, mock_config_entry, v2c_sim, freezer, "2026-03-03 00:10:00+00:00"
    )
    await _plug_in(hass, v2c_sim, freezer, coordinator)
    assert coordinator.data.activity is ChargerActivity.PLUGGED
    return coordinator


async def test_a_car_held_by_its_timer_is_seen_starting_at_the_opening(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    held_by_timer: V2CChargerCoordinator,
) -> None:
    """The settings read at the plug-in name the timer; its opening is read at once."""
    coordinator = held_by_timer
    assert coordinator.data.reported_at == coordinator.data.state_at

    while utcnow() < OPENING + timedelta(seconds=20):
        await advance(hass, freezer, timedelta(seconds=5))
    assert coordinator.data.activity is ChargerActivity.CHARGING
    assert coordinator.data.state_at == OPENING + timedelta(seconds=15)


async def test_a_read_just_after_the_opening_keeps_the_opening_read(
    v2c_sim: SimHandle,
    freezer: FrozenDateTimeFactory,
    held_by_timer: V2CChargerCoordinator,
) -> None:
    """A charger slow to start is still read at the opening plus the delay."""
    coordinator = held_by_timer
    # Paused, the car stays held in the window: as a charger a few seconds late.
    v2c_sim.charger.state.paused = True
    freezer.move_to(OPENING + timedelta(seconds=5))
    await coordinator.async_refresh()
    assert coordinator.data.activity is ChargerActivity.PLUGGED
    assert coordinator.poller.next_refresh_at(utcnow()) == OPENING + timedelta(
        seconds=15
    )


async def test_a_slow_read_asked_for_before_the_opening_keeps_the_opening_read(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    freezer: FrozenDateTimeFactory,
    held_by_timer: V2CChargerCoordinator,
) -> None:
    """A read asked for 2 s before the opening read, answered after it, is not it.

    The timer fires for the opening read while that read awaits its answer;
    its refresh, once the read answered, still finds the opening read due
    (the read asked for was sent before it) and reads the charger.
    """
    coordinator = held_by_timer
    v2c_sim.charger.state.paused = True
    opening_read = OPENING + timedelta(seconds=15)
    assert coordinator.poller.next_refresh_at(utcnow()) == opening_read
    freezer.move_to(opening_read - timedelta(seconds=2))
    v2c_sim.sim.clear_log()
    with gated() as gate:
        gate.hold("get_current_state")
        asked = asyncio.ensure_future(coordinator.async_refresh())
        await until(lambda: gate.waiting["get_current_state"] == 1, 2000)
        freezer.move_to(opening_read + timedelta(seconds=1))
        async_fire_time_changed(hass)
        await until(lambda: coordinator._on_timer, 2000)
        gate.release("get_current_state")
        await asked
        await hass.async_block_till_done()

    reads = [
        record.time
        for record in v2c_sim.sim.request_log
        if record.path.endswith("/currentstatecharge")
    ]
    assert reads == [
        opening_read - timedelta(seconds=2),
        opening_read + timedelta(seconds=1),
    ]


async def test_a_pv_car_held_by_its_timer_under_the_sun_is_read_at_the_opening(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A PV car plugged in under the sun has its settings read, naming its timer.

    Its timer holds it (pilot B in the simulator, the car asks for no charge
    yet): it is awaited as any held car, not as one the sun holds.
    """
    state = v2c_sim.charger.state
    state.dynamic = True
    state.pv_mode = PvMode.PV_ONLY.value
    state.timers = {1: Timer(1, "11:00", "16:00", "1234567")}
    coordinator = await _set_up_reading_slowly(
        hass, mock_config_entry, v2c_sim, freezer, "2026-06-03 08:30:00+00:00"
    )
    # A first poll after setup, so that the periodic settings read is not due.
    set_up_at = coordinator.data.state_at
    while coordinator.data.state_at == set_up_at:
        await advance(hass, freezer, timedelta(seconds=30))
    await _plug_in(hass, v2c_sim, freezer, coordinator)
    assert coordinator.data.activity is ChargerActivity.PLUGGED
    assert coordinator.data.reported_at == coordinator.data.state_at

    opening = datetime(2026, 6, 3, 11, 0, tzinfo=UTC)
    while utcnow() < opening + timedelta(seconds=20):
        await advance(hass, freezer, timedelta(seconds=5))
    assert coordinator.data.state_at == opening + timedelta(seconds=15)


async def test_the_opening_follows_a_time_zone_changed_while_running(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Set to Madrid after setup, the 01:00 timer opens at 00:00 UTC and is read then."""
    v2c_sim.charger.state.timers = {1: Timer(1, "01:00", "06:00", "1234567")}
    coordinator = await _set_up_reading_slowly(
        hass, mock_config_entry, v2c_sim, freezer, "2026-03-02 22:10:00+00:00"
    )
    await hass.config.async_update(time_zone="Europe/Madrid")
    v2c_sim.charger.state.paused = True
    await _plug_in(hass, v2c_sim, freezer, coordinator)
    assert coordinator.data.activity is ChargerActivity.PLUGGED

    opening = datetime(2026, 3, 3, 0, 0, tzinfo=UTC)
    while utcnow() < opening + timedelta(seconds=20):
        await advance(hass, freezer, timedelta(seconds=5))
    assert coordinator.data.state_at == opening + timedelta(seconds=15)
