"""Tests of the planner-driven coordinators: cadence, auth, persistence, pairings."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.v2c_cloud.api import V2CClient
from custom_components.v2c_cloud.budget import CallKind, ChargerActivity
from custom_components.v2c_cloud.const import CONF_POLL_IDLE, DOMAIN
from custom_components.v2c_cloud.coordinator import V2CChargerCoordinator
from custom_components.v2c_cloud.helpers import utcnow
from tests.sim_fixtures import SimHandle, SimSetup
from v2c_simulator import FaultKind

from .read_helpers import advance, run_for, state_of

STATE_PATHS = {"/thirdparty/device/currentstatecharge", "/device/currentstatecharge"}


async def _advance_to_next_poll(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    coordinator: V2CChargerCoordinator,
) -> None:
    due = coordinator.poller.next_refresh_at(utcnow())
    assert due is not None
    await advance(hass, freezer, due - utcnow() + timedelta(seconds=1))


def _reads_by_path(v2c_sim: SimHandle) -> Counter[str]:
    return Counter(record.path for record in v2c_sim.sim.request_log)


def _state_reads(v2c_sim: SimHandle) -> int:
    reads = _reads_by_path(v2c_sim)
    return sum(reads[path] for path in STATE_PATHS)


async def test_polls_when_the_planner_says_and_faster_while_charging(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    coordinator: V2CChargerCoordinator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Idle chargers are read slowly; a charging car is read far more often."""
    idle_due = coordinator.poller.next_refresh_at(utcnow())
    assert idle_due is not None
    idle_interval = idle_due - utcnow()

    v2c_sim.sim.clear_log()
    await _advance_to_next_poll(hass, freezer, coordinator)
    assert _state_reads(v2c_sim) == 1

    v2c_sim.charger.plug_in(energy_needed_kwh=20.0)
    await _advance_to_next_poll(hass, freezer, coordinator)
    assert coordinator.data.activity is ChargerActivity.CHARGING
    charging_due = coordinator.poller.next_refresh_at(utcnow())
    assert charging_due is not None
    assert charging_due - utcnow() < idle_interval / 2


async def test_a_burst_of_false_401s_does_not_start_reauth(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    coordinator: V2CChargerCoordinator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The cloud's outage 401s leave the entry loaded; success clears them."""
    v2c_sim.sim.faults.set(FaultKind.FALSE_401, count=2)
    await _advance_to_next_poll(hass, freezer, coordinator)
    await _advance_to_next_poll(hass, freezer, coordinator)
    assert not coordinator.last_update_success

    await _advance_to_next_poll(hass, freezer, coordinator)
    assert coordinator.last_update_success
    assert init_integration.state is ConfigEntryState.LOADED
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_a_revoked_key_starts_reauth_once_confirmed(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    coordinator: V2CChargerCoordinator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """401s that persist over minutes prove the key bad and start reauth."""
    v2c_sim.sim.revoke_key(v2c_sim.api_key)
    for _ in range(6):
        if hass.config_entries.flow.async_progress_by_handler(DOMAIN):
            break
        await advance(hass, freezer, timedelta(minutes=3))
        await coordinator.async_refresh()
        await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_quota_usage_survives_a_restart(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
) -> None:
    """Reloading restores the day's usage instead of believing the quota fresh."""
    planner = init_integration.runtime_data.planner
    used_before = planner.limit - planner.remaining
    assert used_before >= 3

    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()

    restored = init_integration.runtime_data.planner
    assert restored is not planner
    assert restored.limit - restored.remaining >= used_before
    assert restored.remaining == v2c_sim.sim.quota_for(v2c_sim.api_key).remaining


async def test_paired_charger_appears_without_restart(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A charger paired later shows up after the next pairings refresh."""
    v2c_sim.account.add_charger("pole", device_id="POL0002", tag="Drive")
    for _ in range(14):
        await advance(hass, freezer, timedelta(minutes=30))
    await hass.async_block_till_done()

    assert "POL0002" in init_integration.runtime_data.chargers
    registry = dr.async_get(hass)
    assert registry.async_get_device(identifiers={(DOMAIN, "POL0002")}) is not None


async def test_unpaired_charger_device_is_removed(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A device of a charger no longer on the account goes once a second read agrees."""
    mock_config_entry.add_to_hass(hass)
    registry = dr.async_get(hass)
    registry.async_get_or_create(
        config_entry_id=mock_config_entry.entry_id, identifiers={(DOMAIN, "GONE999")}
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    # The setup's read alone could be the cloud's bad minute.
    assert registry.async_get_device(identifiers={(DOMAIN, "GONE999")})

    v2c_sim.sim.clear_log()
    await run_for(hass, freezer, 30)
    assert [r.path for r in v2c_sim.sim.request_log].count("/pairings/me") == 1
    assert registry.async_get_device(identifiers={(DOMAIN, "GONE999")}) is None
    assert registry.async_get_device(identifiers={(DOMAIN, v2c_sim.device_id)})


async def test_commands_skip_no_ops_and_coalesce_bursts(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    coordinator: V2CChargerCoordinator,
) -> None:
    """A value already set costs nothing; a burst costs the call in flight plus one."""

    def read(data: object) -> object:
        return (
            coordinator.data.reported.intensity_a if coordinator.data.reported else None
        )

    current = read(coordinator.data)
    v2c_sim.sim.clear_log()
    await coordinator.async_command(
        V2CClient.set_intensity, current, key="intensity", read=read
    )
    assert v2c_sim.sim.request_log == []

    await asyncio.gather(
        *(
            coordinator.async_command(
                V2CClient.set_intensity, amps, key="intensity", read=read
            )
            for amps in (10, 11, 12, 13, 14)
        )
    )
    sent = [
        r.query["value"]
        for r in v2c_sim.sim.request_log
        if r.path == "/device/intensity"
    ]
    assert sent == ["10", "14"]
    assert coordinator.value("intensity", read) == 14


async def test_a_long_outage_costs_no_more_than_an_empty_charger(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    coordinator: V2CChargerCoordinator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An offline charger is checked as an empty one is read, and seen again when back."""
    v2c_sim.sim.clear_log()
    await run_for(hass, freezer, 4 * 60)
    empty = len(v2c_sim.sim.request_log)
    v2c_sim.charger.set_online(False)
    v2c_sim.sim.clear_log()
    await run_for(hass, freezer, 4 * 60)
    assert coordinator.data.connected is False
    # A car may arrive during the outage: the charger is watched as an empty
    # one would be (the checks start fast, a minute after it was found), and
    # the outage costs no more calls than four empty hours.
    assert len(v2c_sim.sim.request_log) <= empty + 5

    v2c_sim.charger.set_online(True)
    await run_for(hass, freezer, 35)
    assert coordinator.data.connected is True


async def test_a_charger_silent_mid_charge_is_shown_offline_within_minutes(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    coordinator: V2CChargerCoordinator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A charge whose report stops changing gets one connectivity check, not 2 h of frozen values."""
    v2c_sim.charger.plug_in(30.0)
    await run_for(hass, freezer, 10)
    assert coordinator.data.activity is ChargerActivity.CHARGING
    v2c_sim.charger.set_online(False)
    v2c_sim.sim.clear_log()

    await run_for(hass, freezer, 5)
    assert coordinator.data.connected is False
    checks = [r for r in v2c_sim.sim.request_log if r.path == "/device/connected"]
    # One check found the silence, then the outage is re-checked each minute at first.
    assert len(checks) <= 5

    v2c_sim.charger.set_online(True)
    # A silent charge is checked again at least every five minutes.
    await run_for(hass, freezer, 6)
    assert coordinator.data.connected is True
    assert coordinator.data.activity is ChargerActivity.CHARGING


async def _read_a_charge(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    coordinator: V2CChargerCoordinator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Plug a car in and let a read see it charge; half a minute passes."""
    v2c_sim.charger.plug_in(40.0)
    await _advance_to_next_poll(hass, freezer, coordinator)
    assert coordinator.data.activity is ChargerActivity.CHARGING
    await advance(hass, freezer, timedelta(seconds=30))


async def _until_the_next_state_read(
    hass: HomeAssistant, v2c_sim: SimHandle, freezer: FrozenDateTimeFactory
) -> timedelta:
    """Return how long the next read took to come; the log then holds its cost."""
    v2c_sim.sim.clear_log()
    started = utcnow()
    for _ in range(2 * 60):
        await advance(hass, freezer, timedelta(minutes=1))
        if _state_reads(v2c_sim):
            break
    assert _state_reads(v2c_sim) == 1
    return utcnow() - started


@pytest.mark.parametrize("sim_setup", [SimSetup(daily_limit=100)])
@pytest.mark.parametrize("filled_up", [False, True], ids=["charging", "charge_ended"])
async def test_an_old_copy_of_a_slowly_read_charge_is_found_at_the_first_read(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    coordinator: V2CChargerCoordinator,
    freezer: FrozenDateTimeFactory,
    filled_up: bool,
) -> None:
    """On a small key a charge is read minutes apart: one read must be enough.

    The copy the cloud serves after the charger went silent differs from the
    read before (it was made later), but its session clock grew by far less
    than the minutes between the two reads. That holds as well when the car
    filled up just before the silence, so the copy no longer shows a charge.
    """
    charger = v2c_sim.charger
    await _read_a_charge(hass, v2c_sim, coordinator, freezer)
    if filled_up:
        # The car needs a few more seconds of charge only.
        charger.want_more(0.01 - charger.state.car_energy_needed_kwh)
        await advance(hass, freezer, timedelta(seconds=30))
    charger.set_online(False)
    waited = await _until_the_next_state_read(hass, v2c_sim, freezer)
    assert waited > timedelta(minutes=3)
    assert _reads_by_path(v2c_sim)["/device/connected"] == 1
    assert coordinator.data.connected is False


@pytest.mark.parametrize("sim_setup", [SimSetup(daily_limit=100)])
async def test_a_car_that_left_between_two_slow_reads_costs_no_check(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    coordinator: V2CChargerCoordinator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The session clock stops when the car leaves: that report is live."""
    await _read_a_charge(hass, v2c_sim, coordinator, freezer)
    v2c_sim.charger.unplug()
    await _until_the_next_state_read(hass, v2c_sim, freezer)
    assert _reads_by_path(v2c_sim)["/device/connected"] == 0
    assert coordinator.data.activity is ChargerActivity.IDLE


async def test_a_cloud_that_stops_answering_is_read_no_faster_than_a_fixed_poller(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    coordinator: V2CChargerCoordinator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Every 503 costs a call: a charge's fast pace waits for the cloud's return."""
    v2c_sim.charger.plug_in(energy_needed_kwh=40.0)
    await _advance_to_next_poll(hass, freezer, coordinator)
    charging_due = coordinator.poller.next_refresh_at(utcnow())
    assert charging_due is not None
    charging_interval = charging_due - utcnow()

    v2c_sim.sim.faults.set(FaultKind.HTTP_503, duration_s=30 * 60)
    v2c_sim.sim.clear_log()
    for _ in range(29 * 6):
        await advance(hass, freezer, timedelta(seconds=10))
    assert not coordinator.last_update_success
    failed = _state_reads(v2c_sim)
    # A fixed poller spreading 1,000 calls reads every 91 s: about 20 reads.
    assert failed <= 26
    assert failed >= (29 * 60) / (4 * 91)

    await advance(hass, freezer, timedelta(minutes=3))
    assert coordinator.last_update_success
    due = coordinator.poller.next_refresh_at(utcnow())
    assert due is not None
    assert due - utcnow() <= charging_interval * 1.5


async def _periodic_reads_in_a_day(
    hass: HomeAssistant, v2c_sim: SimHandle, freezer: FrozenDateTimeFactory
) -> dict[str, int]:
    v2c_sim.sim.clear_log()
    for _ in range(24 * 6):
        await advance(hass, freezer, timedelta(minutes=10))
    reads = _reads_by_path(v2c_sim)
    periodic = ("/device/connected", "/device/reported", "/pairings/me")
    return {path: reads[path] for path in periodic}


@pytest.mark.usefixtures("coordinator")
async def test_periodic_reads_keep_their_pace_on_a_full_key(
    hass: HomeAssistant, v2c_sim: SimHandle, freezer: FrozenDateTimeFactory
) -> None:
    """On 1,000 calls connectivity is checked every two hours."""
    reads = await _periodic_reads_in_a_day(hass, v2c_sim, freezer)
    assert reads["/device/connected"] >= 11


@pytest.mark.parametrize("sim_setup", [SimSetup(daily_limit=100)])
@pytest.mark.usefixtures("coordinator")
async def test_periodic_reads_take_a_tenth_of_a_small_key(
    hass: HomeAssistant, v2c_sim: SimHandle, freezer: FrozenDateTimeFactory
) -> None:
    """A fixed poller spends nothing on them: on 50 usable calls they get about 5."""
    reads = await _periodic_reads_in_a_day(hass, v2c_sim, freezer)
    assert sum(reads.values()) <= 6
    assert 2 <= reads["/device/connected"] <= 4


async def test_without_idle_polling_an_empty_charger_is_read_every_two_hours(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """'Poll idle chargers' off: no live read of an empty charger between checks.

    Its entities stay available all the while, and a car plugged in is seen at
    the next check.
    """
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, options={CONF_POLL_IDLE: False}
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    coordinator = mock_config_entry.runtime_data.chargers[v2c_sim.device_id]
    assert coordinator.data.activity is ChargerActivity.IDLE
    live = "/thirdparty/device/currentstatecharge"
    before = _reads_by_path(v2c_sim)[live]

    for _ in range(6 * 12):
        await advance(hass, freezer, timedelta(minutes=5))
        state = hass.states.get("binary_sensor.garage_vehicle_plugged_in")
        assert state is not None
        assert state.state == "off"
    assert _reads_by_path(v2c_sim)[live] - before == 3

    v2c_sim.charger.plug_in()
    await run_for(hass, freezer, 125)
    assert coordinator.data.activity is not ChargerActivity.IDLE


async def test_the_timer_never_fires_back_to_back(
    init_integration: MockConfigEntry, v2c_sim: SimHandle
) -> None:
    """A read left overdue (a fire that sent nothing) waits a second, not zero."""
    coordinator = init_integration.runtime_data.chargers[v2c_sim.device_id]
    now = utcnow()
    with patch.object(
        coordinator.poller, "next_refresh_at", return_value=now - timedelta(minutes=5)
    ):
        assert coordinator._next_delay(now, None) == timedelta(seconds=1)


LIVE = "sensor.garage_charging_power"
PLUGGED_IN = "binary_sensor.garage_vehicle_plugged_in"
LOGO_LED = "switch.garage_logo_led"
POLL_INTERVAL = "sensor.garage_poll_interval"


async def _turn_polling_off(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, entry: MockConfigEntry
) -> None:
    """Turn the entry's "Enable polling for changes" off as the UI does."""
    assert await async_setup_component(hass, "config", {})
    websocket = await hass_ws_client(hass)
    await websocket.send_json_auto_id(
        {
            "type": "config_entries/update",
            "entry_id": entry.entry_id,
            "pref_disable_polling": True,
        }
    )
    answer = await websocket.receive_json()
    assert answer["success"], answer
    await hass.async_block_till_done()


async def _update_entity(hass: HomeAssistant, entity_id: str) -> None:
    """Ask for an update as a user's automation does."""
    assert await async_setup_component(hass, "homeassistant", {})
    await hass.services.async_call(
        "homeassistant", "update_entity", {"entity_id": entity_id}, blocking=True
    )
    await hass.async_block_till_done()


async def _set_up_without_polling(
    hass: HomeAssistant, entry: MockConfigEntry
) -> MockConfigEntry:
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, pref_disable_polling=True)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


@pytest.mark.usefixtures("all_enabled")
async def test_polling_turned_off_leaves_the_reads_to_update_entity(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """System option "Enable polling for changes" off: no call until one is asked for.

    Home Assistant reloads the entry when the option changes. The pairings,
    settings and connectivity, due on timers within the 7 hours, wait too; the
    values stay available (nothing failed) and the read asked for brings what
    is due and counts against the quota like any call.
    """
    await _turn_polling_off(hass, hass_ws_client, init_integration)
    coordinator = init_integration.runtime_data.chargers[v2c_sim.device_id]
    assert not coordinator.polled
    v2c_sim.sim.clear_log()

    for _ in range(7 * 6):
        await advance(hass, freezer, timedelta(minutes=10))
    assert v2c_sim.sim.request_log == []
    assert state_of(hass, LIVE).state != "unavailable"
    # The planner's interval is not followed: shown as unknown, not a lie.
    assert state_of(hass, POLL_INTERVAL).state == "unknown"

    planner = init_integration.runtime_data.planner
    polls = planner.snapshot(utcnow()).calls_today[CallKind.POLL]
    v2c_sim.charger.plug_in(energy_needed_kwh=20.0)
    await _update_entity(hass, LIVE)
    assert state_of(hass, PLUGGED_IN).state == "on"
    assert _reads_by_path(v2c_sim) == {
        "/thirdparty/device/currentstatecharge": 1,
        "/device/reported": 1,
        "/device/connected": 1,
    }
    assert planner.snapshot(utcnow()).calls_today[CallKind.POLL] == polls + 1

    # Not even a charging car is read on a timer.
    v2c_sim.sim.clear_log()
    for _ in range(6):
        await advance(hass, freezer, timedelta(minutes=10))
    assert v2c_sim.sim.request_log == []

    # Hours later the test's websocket is gone: what its update does.
    hass.config_entries.async_update_entry(init_integration, pref_disable_polling=False)
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    v2c_sim.sim.clear_log()
    await run_for(hass, freezer, 5)
    assert _state_reads(v2c_sim) >= 1
    assert float(state_of(hass, POLL_INTERVAL).state) > 0


async def test_with_polling_off_an_update_asked_for_waits_for_the_quota(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Reads asked for stop with polling when the quota is down to the reserve.

    The headers of the first read show another program spent the day's calls:
    the next updates make no call and never meet a 429. The values read stay
    available, the controls too (the reserve is the commands').
    """
    await _set_up_without_polling(hass, mock_config_entry)
    v2c_sim.spend_quota(leave=20)
    v2c_sim.sim.clear_log()

    for _ in range(3):
        await _update_entity(hass, LIVE)
        await advance(hass, freezer, timedelta(minutes=1))

    assert [record.status for record in v2c_sim.sim.request_log] == [200]
    planner = mock_config_entry.runtime_data.planner
    assert planner.polling_blocked_until is not None
    assert state_of(hass, LIVE).state != "unavailable"
    assert state_of(hass, LOGO_LED).state != "unavailable"


async def test_with_polling_off_commands_are_still_confirmed(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A command's confirmation is part of the command: one settings read each.

    A charger slower than the first confirmation gets its late one when the
    command's window ends; then nothing more is read on a timer.
    """
    await _set_up_without_polling(hass, mock_config_entry)
    v2c_sim.sim.apply_delay = 60.0
    v2c_sim.sim.clear_log()

    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": LOGO_LED}, blocking=True
    )
    for _ in range(3 * 6):
        await advance(hass, freezer, timedelta(seconds=10))
    assert state_of(hass, LOGO_LED).state == "off"
    assert not v2c_sim.charger.state.logo_led
    paths = [record.path for record in v2c_sim.sim.request_log]
    assert paths[1:] == ["/device/reported", "/device/reported"]

    v2c_sim.sim.clear_log()
    for _ in range(6):
        await advance(hass, freezer, timedelta(minutes=10))
    assert v2c_sim.sim.request_log == []
    assert state_of(hass, LOGO_LED).state == "off"


async def test_with_polling_off_a_rejected_key_is_tried_when_an_update_is_asked_for(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """No probe on a timer: the update asked for tries the key, and heals the entry."""
    await _set_up_without_polling(hass, mock_config_entry)
    v2c_sim.sim.faults.set(FaultKind.FALSE_401, duration_s=2 * 3600)
    for _ in range(4):
        await _update_entity(hass, LIVE)
        await advance(hass, freezer, timedelta(minutes=3))
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert state_of(hass, LIVE).state == "unavailable"

    v2c_sim.sim.clear_log()
    for _ in range(3 * 6):
        await advance(hass, freezer, timedelta(minutes=10))
    assert v2c_sim.sim.request_log == []

    await _update_entity(hass, LIVE)
    # The probe; the reload it brings reads the account again.
    assert v2c_sim.sim.request_log[0].path == "/pairings/me"
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert state_of(hass, LIVE).state != "unavailable"
