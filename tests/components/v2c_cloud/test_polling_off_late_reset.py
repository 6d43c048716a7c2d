"""Polling off: the quota's reset timer follows a 429 that moved the reset."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest

from custom_components.v2c_cloud.const import DOMAIN
from tests.sim_fixtures import SimSetup
from v2c_simulator.quota import HeaderProfile

from .control_helpers import Harness
from .read_helpers import advance, state_of

CALLS = "sensor.v2c_cloud_account_calls_remaining_today"
RESET = "sensor.v2c_cloud_account_quota_reset"


@pytest.fixture
def sim_setup() -> SimSetup:
    """V2C's documented headers only; the key's quota resets at 02:00 UTC."""
    return SimSetup(header_profile=HeaderProfile.DOCUMENTED, reset_time=time(2, 0))


async def test_polling_off_a_late_reset_found_by_a_429_still_shows_when_it_passes(
    harness: Harness,
) -> None:
    """Polling off: a refusal found by a 429 after the reset shows ending as it passes.

    The user turned polling off; the key's quota resets at 02:00 UTC and
    V2C's documented headers name no reset. At the expected reset (00:00
    UTC) the new timer showed the day's calls back and armed itself for the
    next day. Another program has spent the day: the user's read at 00:30
    gets a 429 that refuses calls until 02:00; 'Quota reset' shows 02:00,
    'Calls remaining today' 0, and the quota issue is raised. The timer did
    not follow the new moment: at 05:00 the user still saw 'Quota reset'
    at 02:00 (in the past), 0 calls left and the quota issue, until their
    next read or the next day's reset. Each header or 429 now re-arms it,
    for the reset or a refusal's end, whichever comes first.
    """
    hass = harness.hass
    await harness.load_unpolled()
    issue_id = f"quota_exhausted_{harness.entry.entry_id}"
    issues = ir.async_get(hass)

    # To 00:30 the next morning, past the reset the planner expects.
    for _ in range(25):
        await advance(hass, harness.freezer, timedelta(minutes=30))
    harness.sim.spend_quota()
    await harness.coordinator().async_refresh()
    await hass.async_block_till_done()
    assert issues.async_get_issue(DOMAIN, issue_id) is not None
    refused_reset = dt_util.parse_datetime(state_of(hass, RESET).state)
    assert refused_reset is not None

    # To 05:00, no read asked for.
    for _ in range(9):
        await advance(hass, harness.freezer, timedelta(minutes=30))
    now = dt_util.utcnow()
    shown_reset = dt_util.parse_datetime(state_of(hass, RESET).state)
    assert isinstance(shown_reset, datetime)
    snapshot = harness.entry.runtime_data.planner.snapshot(now)
    blocked = harness.entry.runtime_data.planner.blocked_until(now)
    assert shown_reset > now, (
        f"at {now.isoformat()} 'Quota reset' still shows {shown_reset.isoformat()}"
        f" (set by the 429 at 00:30; the planner now says"
        f" {snapshot.reset_at.isoformat()}, blocked until {blocked})"
    )
    assert float(state_of(hass, CALLS).state) == snapshot.remaining, (
        f"'Calls remaining today' shows {state_of(hass, CALLS).state}; the planner"
        f" has {snapshot.remaining}"
    )
    assert issues.async_get_issue(DOMAIN, issue_id) is None, (
        "the quota issue of the 429 at 00:30 is still shown at 05:00"
    )
