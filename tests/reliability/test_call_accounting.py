"""Calls without a usable answer are counted as the cloud counts them.

Only this integration uses the key here: the planner's count of its own calls
equals what the simulated cloud counted, and it blames no call on other
programs (`other_calls_today` in the diagnostics, learned into their usual
pace, which slows polling for days).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud.helpers import utcnow
from tests.sim_fixtures import SimHandle, SimSetup
from v2c_simulator import FaultKind

from .helpers import advance, assert_quota_in_step, charger
from .test_faults import set_current

SHORT_TIMEOUT_S = 0.5


def _counted(v2c_sim: SimHandle) -> int:
    """Return the requests the simulated cloud counted against the key."""
    return sum(record.counted for record in v2c_sim.sim.request_log)


class TestRealClock:
    """A hang only times out on a moving event-loop clock."""

    @pytest.fixture
    def frozen_start(self) -> None:
        """Let time run."""

    async def test_a_command_whose_answer_never_came_is_ours_alone(
        self,
        hass: HomeAssistant,
        v2c_sim: SimHandle,
        init_integration: MockConfigEntry,
    ) -> None:
        """A command times out after a poll's header counted it: it stays ours alone.

        The cloud took the command (it counts it) but its answer never comes.
        A poll's answer arrives while the command is still in flight: its
        header includes the command, which the planner takes as not counted
        yet, so its gap blames it on other programs. The command then times
        out and the client says so; the next header, showing the quota fell
        by one call less than ours, takes that blame back.
        """
        runtime = init_integration.runtime_data
        runtime.client._transport.request_timeout = SHORT_TIMEOUT_S
        coordinator = charger(init_integration, v2c_sim.device_id)
        before = v2c_sim.sim.quota_for(v2c_sim.api_key).remaining
        v2c_sim.sim.faults.set(FaultKind.HANG, route="/device/intensity", count=1)
        command = asyncio.ensure_future(set_current(hass, v2c_sim.device_id, 12))
        for _ in range(200):
            await asyncio.sleep(0.005)
            if v2c_sim.sim.quota_for(v2c_sim.api_key).remaining < before:
                break
        assert runtime.client.calls_in_flight == 1

        await coordinator.async_refresh()
        with pytest.raises(HomeAssistantError):
            await command
        v2c_sim.sim.release_hangs()
        await coordinator.async_refresh()

        assert_quota_in_step(init_integration, v2c_sim)
        snapshot = runtime.planner.snapshot(utcnow())
        assert snapshot.other_calls_today == 0


@pytest.mark.parametrize("sim_setup", [SimSetup(minute_limit=6)], indirect=False)
async def test_a_command_refused_by_a_429_is_not_counted_as_spent(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A burst of commands fills the key's minute window; the next gets a 429.

    Kong's limiter counts only the calls it lets through (the simulator
    too): the meter takes the refused one back before the 429's headers,
    which carry the cloud's count, are compared with ours. Today's commands
    are those carried out, and the planner's count of our calls equals the
    cloud's, with no call blamed on other programs.
    """
    planner = init_integration.runtime_data.planner
    refused = None
    for amps in range(10, 17):
        try:
            await set_current(hass, v2c_sim.device_id, amps)
        except HomeAssistantError as err:
            refused = err
            break
    assert refused is not None
    assert refused.translation_key == "throttled"
    await advance(hass, freezer, timedelta(seconds=61))

    snapshot = planner.snapshot(utcnow())
    assert sum(snapshot.calls_today.values()) == _counted(v2c_sim)
    assert snapshot.other_calls_today == 0


async def test_a_command_refused_for_the_spent_day_is_not_counted_as_spent(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
) -> None:
    """Another program spends the day's calls; the next command gets the day's 429.

    The refused command is taken back before the 429's headers (the day at 0,
    the cloud's count) are compared with ours: their gap is the other
    program's calls, every one of them, and ours equal what the cloud counted.
    """
    planner = init_integration.runtime_data.planner
    left = v2c_sim.sim.quota_for(v2c_sim.api_key).remaining
    v2c_sim.spend_quota()

    with pytest.raises(HomeAssistantError) as info:
        await set_current(hass, v2c_sim.device_id, 12)

    assert info.value.translation_key == "quota_exhausted"
    assert v2c_sim.sim.request_log[-1].status == 429
    snapshot = planner.snapshot(utcnow())
    assert snapshot.other_calls_today == left
    assert sum(snapshot.calls_today.values()) == _counted(v2c_sim)
    assert planner.remaining == 0
