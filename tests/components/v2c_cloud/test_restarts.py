"""A full car that charges again by itself, through Home Assistant and the simulator."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.number.const import ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_TOGGLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud.budget import ChargerActivity
from custom_components.v2c_cloud.coordinator import V2CChargerCoordinator
from custom_components.v2c_cloud.helpers import utcnow
from tests.sim_fixtures import SimHandle

from .control_helpers import entity_id
from .read_helpers import advance, coordinator_of, setup_entry

NIGHT = "2026-03-03 00:30:00+00:00"


def _next_poll_in(coordinator: V2CChargerCoordinator) -> timedelta:
    due = coordinator.poller.next_refresh_at(utcnow())
    assert due is not None
    return due - utcnow()


async def _until(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    coordinator: V2CChargerCoordinator,
    activity: ChargerActivity,
) -> None:
    """Let time pass until a read shows the charger doing this."""
    for _ in range(2000):
        if coordinator.data.activity is activity:
            return
        await advance(hass, freezer, timedelta(seconds=5))
    raise AssertionError(f"never saw {activity}")


async def _charging_car(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry: MockConfigEntry,
    v2c_sim: SimHandle,
    energy_kwh: float,
) -> tuple[V2CChargerCoordinator, timedelta]:
    """Plug in a car needing this much; return its coordinator and the baseline interval."""
    freezer.move_to(NIGHT)
    await setup_entry(hass, entry)
    coordinator = coordinator_of(entry, v2c_sim.device_id)
    baseline = _next_poll_in(coordinator)
    v2c_sim.charger.plug_in(energy_kwh)
    await _until(hass, freezer, coordinator, ChargerActivity.CHARGING)
    return coordinator, baseline


async def _command(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    v2c_sim: SimHandle,
    target: tuple[Platform, str],
    *,
    service: str,
    data: dict[str, object],
) -> None:
    """Call a service on one of the charger's entities, as a user or automation would."""
    platform, key = target
    await hass.services.async_call(
        platform,
        service,
        {
            ATTR_ENTITY_ID: entity_id(
                entity_registry, platform, v2c_sim.device_id, key
            ),
            **data,
        },
        blocking=True,
    )


async def _full_car(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry: MockConfigEntry,
    v2c_sim: SimHandle,
) -> tuple[V2CChargerCoordinator, timedelta]:
    """Charge a car until full; return its coordinator and the baseline interval.

    A charger that never saw a full car charge again reads it 16 times slower.
    """
    coordinator, baseline = await _charging_car(hass, freezer, entry, v2c_sim, 0.5)
    await _until(hass, freezer, coordinator, ChargerActivity.PLUGGED)
    assert _next_poll_in(coordinator) > 12 * baseline
    return coordinator, baseline


async def test_a_top_up_between_two_reads_is_learned_from_the_energy(
    *,
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The session's energy grew while both reads showed a full car: it charged again.

    A full car is read 16 times slower than the baseline until its charger has
    shown such a restart; then at the baseline, as a fixed poller would.
    """
    coordinator, baseline = await _full_car(hass, freezer, mock_config_entry, v2c_sim)
    full = _next_poll_in(coordinator)

    # Two minutes of charge that start and end well before the next read.
    v2c_sim.charger.want_more(0.25)
    state = coordinator.data.state
    assert state is not None
    energy_before = state.energy_kwh
    assert energy_before is not None
    await advance(hass, freezer, full + timedelta(seconds=1))
    state = coordinator.data.state
    assert state is not None
    assert state.energy_kwh == pytest.approx(energy_before + 0.25)
    assert coordinator.data.activity is ChargerActivity.PLUGGED

    assert _next_poll_in(coordinator) < 1.5 * baseline


@pytest.mark.parametrize(
    ("platform", "key", "service", "data"),
    [
        (Platform.NUMBER, "charge_current", SERVICE_SET_VALUE, {ATTR_VALUE: 16}),
        (Platform.SWITCH, "logo_led", SERVICE_TOGGLE, {}),
    ],
)
async def test_a_restart_first_seen_after_a_command_that_cannot_start_is_learned(
    *,
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    platform: Platform,
    key: str,
    service: str,
    data: dict[str, object],
) -> None:
    """A new current or logo LED cannot start a charge: the full car charging again did.

    An automation that follows the sun changes the current all day, so the
    reads after it are often the first to see the car charging again.
    """
    coordinator, baseline = await _full_car(hass, freezer, mock_config_entry, v2c_sim)
    v2c_sim.charger.want_more(10.0)
    await _command(
        hass, entity_registry, v2c_sim, (platform, key), service=service, data=data
    )
    await _until(hass, freezer, coordinator, ChargerActivity.CHARGING)
    await _until(hass, freezer, coordinator, ChargerActivity.PLUGGED)

    assert _next_poll_in(coordinator) < 1.5 * baseline


async def test_a_charge_ending_just_after_a_new_current_is_a_full_car(
    *,
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
) -> None:
    """A new current cannot stop a charge: the car that stopped right after it is full.

    An automation that follows the sun changes the current every minute or
    so, so a car's own end of charge often comes just after one.
    """
    coordinator, baseline = await _charging_car(
        hass, freezer, mock_config_entry, v2c_sim, 10.0
    )
    await _command(
        hass,
        entity_registry,
        v2c_sim,
        (Platform.NUMBER, "charge_current"),
        service=SERVICE_SET_VALUE,
        data={ATTR_VALUE: 10},
    )
    v2c_sim.charger.want_more(-v2c_sim.charger.state.car_energy_needed_kwh)
    await _until(hass, freezer, coordinator, ChargerActivity.PLUGGED)

    assert _next_poll_in(coordinator) > 12 * baseline
