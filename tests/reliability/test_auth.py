"""A key without permission, a rejected key and a false 401: few calls, clear words."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud.const import DOMAIN
from custom_components.v2c_cloud.helpers import utcnow
from tests.sim_fixtures import SimHandle
from v2c_simulator import FaultKind

from .helpers import charger, run_for
from .test_faults import assert_command_fails, set_current


async def test_a_day_of_403_raises_an_issue_and_stops_polling(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Every call answers 403 for a day: a repair issue, and a handful of calls."""
    v2c_sim.sim.faults.set(FaultKind.FORBIDDEN_403)
    calls = len(v2c_sim.sim.request_log)
    await run_for(hass, freezer, timedelta(days=1), step=timedelta(minutes=5))
    # Before: 162 calls that day; now 10 (a few to be sure, then one every 6 hours).
    assert len(v2c_sim.sim.request_log) - calls <= 10
    issue_id = f"key_forbidden_{init_integration.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None

    v2c_sim.sim.faults.clear()
    await run_for(hass, freezer, timedelta(hours=7), step=timedelta(minutes=10))
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    calls = len(v2c_sim.sim.request_log)
    await run_for(hass, freezer, timedelta(hours=2))
    assert len(v2c_sim.sim.request_log) > calls


async def test_an_older_gateways_403_for_an_unknown_key_asks_for_a_new_key(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Kong before 401 answered an unknown key with 403: reauthentication, no issue."""
    v2c_sim.sim.faults.set(FaultKind.UNKNOWN_KEY_403)
    await run_for(hass, freezer, timedelta(hours=2))
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    issue_id = f"key_forbidden_{init_integration.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_no_polling_with_a_rejected_key_once_reauth_started(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Once the user is asked for a new key, the old one is only probed rarely.

    Not polled, nor used by the history import, a command or an action: a
    pairings read now and then (after as long as the key had been rejected, at
    most 6 hours) checks whether V2C accepts it again.
    """
    v2c_sim.sim.revoke_key(v2c_sim.api_key)
    await run_for(hass, freezer, timedelta(hours=2))
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    coordinator = charger(init_integration, v2c_sim.device_id)
    # The timer only wakes to see whether the user answered: no busy loop.
    assert coordinator._next_delay(utcnow(), None) == timedelta(minutes=15)
    calls = len(v2c_sim.sim.request_log)
    await run_for(hass, freezer, timedelta(hours=12), step=timedelta(minutes=10))
    probes = v2c_sim.sim.request_log[calls:]
    # From 2 h to 14 h after the key was revoked: three, the waits doubling.
    assert [record.path for record in probes] == ["/pairings/me"] * 3
    assert [record.status for record in probes] == [401] * 3
    calls = len(v2c_sim.sim.request_log)
    device = dr.async_get(hass).async_get_device(
        identifiers={(DOMAIN, v2c_sim.device_id)}
    )
    assert device is not None
    # Entity services skip the (now unavailable) entities: ask through actions.
    for action, data, response in (
        ("list_rfid_cards", {}, True),
        ("start_charging_energy", {"energy": 5}, False),
    ):
        with pytest.raises(HomeAssistantError) as raised:
            await hass.services.async_call(
                DOMAIN,
                action,
                {"device_id": device.id, **data},
                blocking=True,
                return_response=response,
            )
        assert raised.value.translation_key == "auth_failed"
    assert len(v2c_sim.sim.request_log) == calls


async def test_a_single_false_401_on_a_command_says_try_again(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
) -> None:
    """One 401 during an outage is not a reason to re-authenticate."""
    v2c_sim.sim.faults.set(FaultKind.FALSE_401, count=1)
    await assert_command_fails(hass, v2c_sim.device_id, 12, "auth_unconfirmed_command")
    await set_current(hass, v2c_sim.device_id, 12)
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_an_hour_of_false_401s_heals_about_an_hour_later(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An outage long enough to ask for a new key does not keep the entry dark for hours."""
    v2c_sim.sim.faults.set(FaultKind.FALSE_401, duration_s=3600)
    await run_for(hass, freezer, timedelta(hours=1), step=timedelta(minutes=1))
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN)

    # The key is tried again after as long as it had been rejected: within
    # about the outage's length (6 hours before 2026-12-06).
    await run_for(hass, freezer, timedelta(minutes=70), step=timedelta(minutes=5))
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    await hass.async_block_till_done()
    await run_for(hass, freezer, timedelta(minutes=10))
    assert charger(init_integration, v2c_sim.device_id).last_update_success


async def test_a_key_accepted_again_ends_the_reauthentication(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Valid keys rejected for hours in an outage: the entry heals by itself."""
    v2c_sim.sim.faults.set(FaultKind.FALSE_401, duration_s=timedelta(hours=8).seconds)
    await run_for(hass, freezer, timedelta(hours=1))
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN)

    await run_for(hass, freezer, timedelta(hours=13), step=timedelta(minutes=10))
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    await hass.async_block_till_done()
    await run_for(hass, freezer, timedelta(minutes=30))
    coordinator = charger(init_integration, v2c_sim.device_id)
    assert coordinator.last_update_success
    await set_current(hass, v2c_sim.device_id, 14)


async def test_false_401s_across_a_restart_heal_by_themselves(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Restarted in an outage of false 401s, the entry loads once V2C accepts the key.

    The 401s are confirmed before the restart, so the first one at setup asks
    for a new key; without a running entry nothing tried the key again, and
    the user was left with a failed entry and a needless request for a new key.
    """
    v2c_sim.sim.faults.set(FaultKind.FALSE_401, duration_s=8 * 3600)
    await run_for(hass, freezer, timedelta(hours=1))
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    # Flows do not survive a restart.
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN):
        hass.config_entries.flow.async_abort(flow["flow_id"])
    await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done()
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN)

    await run_for(hass, freezer, timedelta(hours=13), step=timedelta(minutes=10))

    assert init_integration.state is ConfigEntryState.LOADED
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    await set_current(hass, v2c_sim.device_id, 14)


async def test_a_restart_during_a_day_of_403_keeps_the_six_hour_pace(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Setup retries after a 403 the key had for hours wait as long as polling does."""
    v2c_sim.sim.faults.set(FaultKind.FORBIDDEN_403)
    await run_for(hass, freezer, timedelta(hours=2), step=timedelta(minutes=5))
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done()

    calls = len(v2c_sim.sim.request_log)
    await run_for(hass, freezer, timedelta(days=1), step=timedelta(minutes=5))
    # Four retries of the pairings read; with a half-hour cap it was 41.
    assert len(v2c_sim.sim.request_log) - calls <= 5

    v2c_sim.sim.faults.clear()
    await run_for(hass, freezer, timedelta(hours=7), step=timedelta(minutes=10))
    assert init_integration.state is ConfigEntryState.LOADED
