"""The host's wall clock set back by days, then corrected by NTP: the pace holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.sim_fixtures import SimHandle, SimSetup
from v2c_simulator.quota import HeaderProfile

from .helpers import rate_limited_calls
from .test_quota_windows import shown_reset
from .test_schedule import SkewedWallClock, requests


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
    # Reads due every few seconds happen: two-minute steps would hide a burst.
    clock = SkewedWallClock(monkeypatch, step=timedelta(seconds=10))
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
