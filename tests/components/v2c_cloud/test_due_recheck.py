"""A charger's read when the planner's moment moves earlier while its timer waits."""

from __future__ import annotations

from datetime import datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud.coordinator import V2CChargerCoordinator
from custom_components.v2c_cloud.helpers import utcnow
from custom_components.v2c_cloud.polling import DUE_RECHECK
from tests.sim_fixtures import SimHandle

from .read_helpers import advance, coordinator_of, setup_entry

TICK = timedelta(seconds=1)


def _due(coordinator: V2CChargerCoordinator) -> datetime:
    due = coordinator.poller.next_refresh_at(utcnow())
    assert due is not None
    return due


async def _until_read(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    coordinator: V2CChargerCoordinator,
) -> None:
    read_at = coordinator.last_read_at
    while coordinator.last_read_at == read_at:
        await advance(hass, freezer, TICK)


async def test_a_read_due_sooner_than_the_timer_is_made_within_the_step(
    *,
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The timer armed after a read must not hold a read the planner wants now.

    The benchmark asks the planner every step (benchmark/runner.py): its
    figures hold only if Home Assistant reads as soon, not when a timer armed
    for the old moment fires.
    """
    # Few calls left: the charging car's reads are far apart.
    v2c_sim.spend_quota(leave=120)
    v2c_sim.charger.plug_in(20.0)
    await setup_entry(hass, mock_config_entry)
    coordinator = coordinator_of(mock_config_entry, v2c_sim.device_id)
    await _until_read(hass, freezer, coordinator)
    armed_for = _due(coordinator)
    assert armed_for - utcnow() > timedelta(minutes=5)
    await advance(hass, freezer, timedelta(minutes=1))
    v2c_sim.sim.clear_log()
    moved_at = utcnow()
    # A header of another program's call shows the calls the planner thought
    # spent are there: its pace rises, and the read is due much sooner.
    coordinator.poller.planner.observe_quota(limit=1000, remaining=900, now=utcnow())
    due = _due(coordinator)
    assert due < armed_for - timedelta(minutes=3)
    await _until_read(hass, freezer, coordinator)
    assert utcnow() <= max(due, moved_at) + DUE_RECHECK
    # The read's calls, once.
    assert {record.time for record in v2c_sim.sim.request_log} == {utcnow()}


@pytest.mark.parametrize("car", [False, True], ids=["empty", "charging"])
async def test_looking_again_at_the_planner_costs_no_call(
    *,
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
    car: bool,
) -> None:
    """Between reads the planner is only asked; each read comes when it is due."""
    if car:
        v2c_sim.charger.plug_in(20.0)
    await setup_entry(hass, mock_config_entry)
    coordinator = coordinator_of(mock_config_entry, v2c_sim.device_id)
    asked = 0
    next_refresh_at = coordinator.poller.next_refresh_at

    def counted(now: datetime) -> datetime | None:
        nonlocal asked
        asked += 1
        return next_refresh_at(now)

    monkeypatch.setattr(coordinator.poller, "next_refresh_at", counted)
    v2c_sim.sim.clear_log()
    read_moments: list[datetime] = []
    end = utcnow() + timedelta(minutes=30)
    while utcnow() < end:
        due = next_refresh_at(utcnow())
        read_at = coordinator.last_read_at
        await advance(hass, freezer, TICK)
        if coordinator.last_read_at != read_at:
            read_moments.append(utcnow())
            assert due is not None
            # When the planner named, to the tick: no read in between.
            assert abs(utcnow() - due) < TICK
    assert read_moments
    # Every call is a read's: the looks in between are local.
    assert {record.time for record in v2c_sim.sim.request_log} == set(read_moments)
    assert asked > 30 * 60 / DUE_RECHECK.total_seconds()
