"""What the user is told about the daily quota, checked against the simulator's count.

The gateway here sends only the documented headers (RateLimit-Limit and
-Remaining on answered calls, Retry-After alone on a 429), as V2C documents.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud.const import DOMAIN
from custom_components.v2c_cloud.diagnostics import async_get_config_entry_diagnostics
from custom_components.v2c_cloud.helpers import utcnow
from tests.sim_fixtures import SimHandle, SimSetup
from v2c_simulator.quota import HeaderProfile

from .helpers import advance, run_for

DOCUMENTED = SimSetup(header_profile=HeaderProfile.DOCUMENTED)
DOCUMENTED_6H = SimSetup(reset_time=time(6, 0), header_profile=HeaderProfile.DOCUMENTED)


def _account_sensor(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        Platform.SENSOR, DOMAIN, f"{entry.entry_id}_{key}"
    )
    assert entity_id is not None
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


def _quota_issue(issue_registry: ir.IssueRegistry, entry: MockConfigEntry) -> object:
    return issue_registry.async_get_issue(DOMAIN, f"quota_exhausted_{entry.entry_id}")


async def _spent_by_another_program(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Let another program spend the whole key, until our next read meets the 429."""
    v2c_sim.spend_quota(leave=0)
    for _ in range(60):
        await advance(hass, freezer, timedelta(seconds=30))
        if _quota_issue(issue_registry, entry) is not None:
            return
    pytest.fail("no read met the 429 within 30 minutes")


@pytest.mark.parametrize("sim_setup", [DOCUMENTED], indirect=False)
async def test_calls_remaining_drops_to_zero_with_the_quota_issue(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Another program spends the key; our next read gets a 429 (Retry-After only).

    'Calls remaining today' shows 0 with the repair issue 'daily quota used
    up': the 429 tells the account's sensors as a quota header does, not the
    account's next tick half an hour later.
    """
    await run_for(hass, freezer, timedelta(minutes=20))
    await _spent_by_another_program(
        hass, v2c_sim, init_integration, freezer, issue_registry
    )
    assert v2c_sim.sim.quota_for(v2c_sim.api_key).remaining == 0
    assert init_integration.runtime_data.planner.remaining == 0
    await advance(hass, freezer, timedelta(seconds=30))

    assert _account_sensor(hass, init_integration, "calls_remaining") == "0"


@pytest.mark.parametrize("sim_setup", [DOCUMENTED_6H], indirect=False)
async def test_calls_remaining_stays_zero_past_midnight_while_calls_are_refused(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """The key's day ends at 06:00 UTC; another program spends it in the evening.

    The 429's Retry-After says calls come back at 06:00, as the repair issue
    does. The planner's clock rolls its assumed window over at midnight UTC,
    but 'Calls remaining today' stays 0 while the refusal lasts.
    """
    await run_for(hass, freezer, timedelta(hours=7, minutes=50))
    await _spent_by_another_program(
        hass, v2c_sim, init_integration, freezer, issue_registry
    )
    await run_for(hass, freezer, datetime(2026, 3, 3, 3, 0, tzinfo=UTC) - utcnow())
    assert v2c_sim.sim.quota_for(v2c_sim.api_key).remaining == 0
    assert _quota_issue(issue_registry, init_integration) is not None

    assert _account_sensor(hass, init_integration, "calls_remaining") == "0"


@pytest.mark.parametrize("sim_setup", [DOCUMENTED_6H], indirect=False)
async def test_quota_reset_names_the_moment_calls_came_back(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Same day: the quota is refused until 06:00 UTC and comes back exactly then.

    The quota back at the refusal's end proves 06:00 the reset, not the
    clock's midnight rollover no call could refute: 'Quota reset' shows the
    next 06:00 UTC.
    """
    await run_for(hass, freezer, timedelta(hours=7, minutes=50))
    await _spent_by_another_program(
        hass, v2c_sim, init_integration, freezer, issue_registry
    )
    await run_for(hass, freezer, datetime(2026, 3, 3, 7, 0, tzinfo=UTC) - utcnow())
    quota = v2c_sim.sim.quota_for(v2c_sim.api_key)
    assert quota.remaining > 900
    assert _quota_issue(issue_registry, init_integration) is None

    shown = dt_util.parse_datetime(
        _account_sensor(hass, init_integration, "quota_reset")
    )
    assert shown == quota.resets_at == datetime(2026, 3, 4, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize("sim_setup", [DOCUMENTED], indirect=False)
async def test_diagnostics_blame_the_spent_day_on_the_other_program(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Another program spends the key; our next read gets a 429 (Retry-After only).

    The refusal lasts until the reset: the day is spent, and the diagnostics'
    split of the day's calls adds up to the key's limit, the gap since the
    last header booked to other programs as a header showing 0 would book it.
    """
    await run_for(hass, freezer, timedelta(minutes=20))
    await _spent_by_another_program(
        hass, v2c_sim, init_integration, freezer, issue_registry
    )
    quota = v2c_sim.sim.quota_for(v2c_sim.api_key)
    assert quota.used == quota.limit

    diagnostics = await async_get_config_entry_diagnostics(hass, init_integration)
    planner = diagnostics["planner"]
    assert planner["remaining"] == 0
    ours = sum(planner["calls_today"].values())
    assert (ours, planner["other_calls_today"]) == (ours, quota.limit - ours)


@pytest.mark.parametrize("sim_setup", [DOCUMENTED_6H], indirect=False)
async def test_quota_reset_does_not_move_every_hour_while_the_reset_is_sought(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The key's day ends at 06:00 UTC and no header names it; no other program.

    Midnight UTC passes without a reset and the planner probes hourly for it:
    'Quota reset' shows the end the planner spreads the calls left until (a
    whole window later), not each probe's hour, and stays put until the
    reset is found.
    """
    await run_for(hass, freezer, datetime(2026, 3, 3, 0, 30, tzinfo=UTC) - utcnow())
    early = _account_sensor(hass, init_integration, "quota_reset")
    await run_for(hass, freezer, timedelta(hours=4))
    assert utcnow() < v2c_sim.sim.quota_for(v2c_sim.api_key).resets_at

    assert _account_sensor(hass, init_integration, "quota_reset") == early
