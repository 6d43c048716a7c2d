"""The host's wall clock set back by days, then corrected by NTP: the pace holds."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import event as ha_event
from homeassistant.util import dt as dt_util
from homeassistant.util.async_ import get_scheduled_timer_handles
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.sim_fixtures import SimHandle, SimSetup
from v2c_simulator.quota import HeaderProfile

from .helpers import rate_limited_calls
from .test_quota_windows import shown_reset
from .test_schedule import SkewedWallClock, requests


class FineSkewedWallClock(SkewedWallClock):
    """SkewedWallClock run in 10 s steps, so reads due every few seconds happen."""

    async def run_for(
        self, hass: HomeAssistant, freezer: FrozenDateTimeFactory, duration: timedelta
    ) -> None:
        """Run the loop's due timers as a host whose wall clock is skewed would."""
        step = timedelta(seconds=10)
        for _ in range(int(duration / step)):
            freezer.tick(step)
            skewed = dt_util.utcnow()
            for handle in list(get_scheduled_timer_handles(hass.loop)):
                if not isinstance(handle, asyncio.TimerHandle) or handle.cancelled():
                    continue
                if handle.when() > hass.loop.time() + 1:
                    continue
                with (
                    patch.object(ha_event, "time_tracker_utcnow", return_value=skewed),
                    patch.object(
                        ha_event,
                        "time_tracker_timestamp",
                        return_value=skewed.timestamp(),
                    ),
                ):
                    handle._run()
                    handle.cancel()
            await hass.async_block_till_done(wait_background_tasks=True)


@pytest.mark.parametrize(
    "sim_setup", [SimSetup(header_profile=HeaderProfile.DOCUMENTED)], indirect=False
)
async def test_a_clock_two_days_early_for_minutes_does_not_burn_the_quota(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The host clock reads two days early for a few minutes, then NTP corrects it.

    With the two documented quota headers only (no RateLimit-Reset), what
    the user saw: once the clock is right the planner probes hourly for a
    reset that is not late at all and plans every call left to last until
    the next hour: the idle charger is read every 10 s, hundreds of calls
    an hour, and the 'Quota reset' sensor shows the next whole hour instead
    of midnight UTC. They now see the usual pace and midnight.
    """
    clock = FineSkewedWallClock(monkeypatch)
    await clock.run_for(hass, freezer, timedelta(minutes=30))
    calls = requests(v2c_sim)
    await clock.run_for(hass, freezer, timedelta(hours=1))
    usual = requests(v2c_sim) - calls

    clock.offset = timedelta(days=-2)
    await clock.run_for(hass, freezer, timedelta(minutes=6))
    clock.offset = timedelta(0)
    calls = requests(v2c_sim)
    await clock.run_for(hass, freezer, timedelta(hours=1))
    spent = requests(v2c_sim) - calls

    assert rate_limited_calls(v2c_sim) == 0
    shown = shown_reset(hass, init_integration)
    assert spent <= 2 * usual + 5, (usual, spent, shown)
    assert shown == datetime(2026, 3, 3, tzinfo=UTC)
