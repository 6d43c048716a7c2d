"""A charge that starts at the same second every day, through Home Assistant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud.budget import ChargerActivity
from custom_components.v2c_cloud.coordinator import V2CChargerCoordinator
from custom_components.v2c_cloud.helpers import utcnow
from tests.sim_fixtures import SimHandle

from .read_helpers import advance, coordinator_of, setup_entry

DAY0 = datetime(2026, 3, 3, tzinfo=UTC)
# The car's own schedule: it is plugged in and starts charging at this moment.
STARTS_AFTER_MIDNIGHT = timedelta(minutes=15, seconds=7)


def _next_poll_in(coordinator: V2CChargerCoordinator) -> timedelta:
    due = coordinator.poller.next_refresh_at(utcnow())
    assert due is not None
    return max(due - utcnow(), timedelta(0))


async def _poll_until(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    coordinator: V2CChargerCoordinator,
    moment: datetime,
) -> None:
    """Let every planned read up to `moment` run, then stop the clock there."""
    while utcnow() < moment:
        await advance(hass, freezer, min(_next_poll_in(coordinator), moment - utcnow()))


async def test_a_car_charging_at_the_same_second_daily_is_seen_within_seconds(
    *,
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Nothing announces the start; the planner learns its moment and reads there."""
    freezer.move_to(DAY0)
    await setup_entry(hass, mock_config_entry)
    coordinator = coordinator_of(mock_config_entry, v2c_sim.device_id)
    delays = []
    for day in range(7):
        start = DAY0 + timedelta(days=day) + STARTS_AFTER_MIDNIGHT
        # The empty charger's day passes in one step (one read), up to the
        # reads just before the start.
        await advance(hass, freezer, start - timedelta(minutes=3) - utcnow())
        await _poll_until(hass, freezer, coordinator, start)
        v2c_sim.charger.plug_in(1.0)
        while coordinator.data.activity is not ChargerActivity.CHARGING:
            await advance(hass, freezer, _next_poll_in(coordinator))
        delays.append((utcnow() - start).total_seconds())
        v2c_sim.charger.unplug()
        await advance(hass, freezer, _next_poll_in(coordinator))
    # A fixed poller's delay is half its interval on average, every day.
    assert max(delays[-2:]) <= 10.0, delays
