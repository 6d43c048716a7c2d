"""Polling off (the entry's system options): the quota's reset still shows when it passes."""

from __future__ import annotations

from datetime import datetime, timedelta

from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from custom_components.v2c_cloud.const import DOMAIN

from .control_helpers import Harness
from .read_helpers import advance, state_of

CALLS = "sensor.v2c_cloud_account_calls_remaining_today"
RESET = "sensor.v2c_cloud_account_quota_reset"


async def test_with_polling_off_the_quota_sensors_roll_over_at_the_reset(
    harness: Harness,
) -> None:
    """Polling off: the quota sensors go on showing yesterday's window.

    The user turned off *Enable polling for changes* and reads the charger
    with `homeassistant.update_entity` (README: "To read on your own
    schedule ..."). *Quota reset* and *Calls remaining today* need no call:
    they show the planner's view, which rolls over at 00:00 UTC by the clock.
    The user saw, hours after the reset, *Quota reset* at a time in the past
    and yesterday's remaining calls, until their next read; an automation
    that reads only while *Calls remaining today* is above a threshold never
    read again. A timer at the reset now shows the new window (the next
    reset, the day's calls back), as with polling on.
    """
    hass = harness.hass
    await harness.load_unpolled()
    before_reset = dt_util.parse_datetime(state_of(hass, RESET).state)
    assert before_reset is not None
    calls_before = float(state_of(hass, CALLS).state)

    # Half past one the next morning, 12 h 30 min on, without any read asked for.
    for _ in range(25):
        await advance(hass, harness.freezer, timedelta(minutes=30))
    now = dt_util.utcnow()
    assert now > before_reset

    shown_reset = dt_util.parse_datetime(state_of(hass, RESET).state)
    assert isinstance(shown_reset, datetime)
    snapshot = harness.entry.runtime_data.planner.snapshot(now)
    assert shown_reset > now, (
        f"at {now.isoformat()} 'Quota reset' still shows {shown_reset.isoformat()}"
        f" (the planner says {snapshot.reset_at.isoformat()})"
    )
    assert float(state_of(hass, CALLS).state) == snapshot.remaining, (
        f"'Calls remaining today' shows {state_of(hass, CALLS).state} after the"
        f" reset (was {calls_before}); the planner has {snapshot.remaining}"
    )


async def test_with_polling_off_the_quota_issue_goes_at_the_reset(
    harness: Harness,
) -> None:
    """Another program spent the day; the issue it raised goes at the reset, without a call."""
    hass = harness.hass
    await harness.load_unpolled()
    issue_id = f"quota_exhausted_{harness.entry.entry_id}"
    harness.sim.spend_quota()
    await harness.coordinator().async_refresh()
    issues = ir.async_get(hass)
    assert issues.async_get_issue(DOMAIN, issue_id) is not None
    calls = len(harness.sim.sim.request_log)

    for _ in range(25):
        await advance(hass, harness.freezer, timedelta(minutes=30))

    assert issues.async_get_issue(DOMAIN, issue_id) is None
    assert len(harness.sim.sim.request_log) == calls
