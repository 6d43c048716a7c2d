"""Tests for the V2C Cloud switches, end to end through the simulator.

What every control does is in test_controls.py; here what only switches do.
"""

from __future__ import annotations

from datetime import timedelta

from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    Platform,
)
from homeassistant.setup import async_setup_component
import pytest

from custom_components.v2c_cloud.budget import ChargerActivity
from custom_components.v2c_cloud.budget.apply_wait import TRUST_AFTER
from custom_components.v2c_cloud.polling import CONFIRM_READS, CONNECTED_CHECK_S
from v2c_simulator import FaultKind
from v2c_simulator.commands import pause_charge, start_charge

from .control_helpers import Harness, reported_reads
from .read_helpers import advance, run_for

PLATFORM = Platform.SWITCH
REPORTED = "/device/reported"
pytestmark = pytest.mark.usefixtures("all_enabled")


async def test_switch_keeps_pending_value_until_charger_applies(
    loaded: Harness,
) -> None:
    """A read before a slow charger applies the command does not flip the switch back."""
    loaded.sim.sim.apply_delay = 600.0

    await loaded.call("dynamic_power", SERVICE_TURN_ON)
    await loaded.await_confirmation()

    assert loaded.sim.charger.state.dynamic is False
    assert loaded.state("dynamic_power").state == STATE_ON


@pytest.mark.parametrize(
    ("apply_delay", "settings_reads", "shown", "warned"),
    [
        # Applied before the first confirmation read: nothing more to read.
        (5.0, 1, STATE_ON, False),
        # Applied after it: one more read when the window ends finds it.
        (75.0, 2, STATE_ON, False),
        # Never within the window: the switch shows what the charger reports.
        (1200.0, 2, STATE_OFF, True),
    ],
)
async def test_a_command_is_read_again_before_it_is_called_refused(
    loaded: Harness,
    caplog: pytest.LogCaptureFixture,
    *,
    apply_delay: float,
    settings_reads: int,
    shown: str,
    warned: bool,
) -> None:
    """A command not seen at the first confirmation read gets one more, at 90 s."""
    loaded.sim.sim.apply_delay = apply_delay
    loaded.sim.sim.clear_log()
    await loaded.call("dynamic_power", SERVICE_TURN_ON)

    await run_for(loaded.hass, loaded.freezer, 15)
    assert _reads_of(loaded, REPORTED) == settings_reads
    assert loaded.state("dynamic_power").state == shown
    assert ("did not apply dynamic_power within 90 s" in caplog.text) is warned


@pytest.mark.parametrize(
    ("offline_after_s", "settings_reads", "shown", "warning"),
    [
        # Online but slower than its window: the real state, once checked.
        (None, 2, STATE_OFF, "did not apply dynamic_power within 90 s; showing"),
        # Gone offline after the first read: the late read checks, and tells.
        (20, 2, STATE_UNAVAILABLE, "is offline and did not apply dynamic_power"),
        # Known offline at the first read: nothing more to read.
        (0, 1, STATE_UNAVAILABLE, "is offline and did not apply dynamic_power"),
    ],
)
async def test_a_command_lost_in_its_window_checks_whether_the_charger_is_offline(
    loaded: Harness,
    caplog: pytest.LogCaptureFixture,
    *,
    offline_after_s: int | None,
    settings_reads: int,
    shown: str,
    warning: str,
) -> None:
    """An offline charger accepts nothing: a lost command says whether that is why."""
    loaded.sim.sim.apply_delay = 60.0 if offline_after_s is not None else 1200.0
    loaded.sim.sim.clear_log()
    await loaded.call("dynamic_power", SERVICE_TURN_ON)
    for step in range(0, 600, 5):
        if step == offline_after_s:
            loaded.sim.charger.set_online(False)
        await advance(loaded.hass, loaded.freezer, timedelta(seconds=5))

    log = loaded.sim.sim.request_log
    settings_read_at = [record.time for record in log if record.path.endswith(REPORTED)]
    checked_at = [record.time for record in log if record.path.endswith("/connected")]
    assert len(settings_read_at) == settings_reads
    if settings_reads == 2:
        assert settings_read_at[-1] in checked_at
    assert loaded.state("dynamic_power").state == shown
    assert warning in caplog.text


async def test_a_charger_that_applied_late_is_confirmed_later_in_one_read(
    loaded: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """After one late apply, the next command's single read waits for the charger."""
    loaded.sim.sim.apply_delay = 75.0
    reads = []
    for service in (SERVICE_TURN_ON, SERVICE_TURN_OFF, SERVICE_TURN_ON):
        loaded.sim.sim.clear_log()
        await loaded.call("dynamic_power", service)
        await run_for(loaded.hass, loaded.freezer, 3)
        reads.append(_reads_of(loaded, REPORTED))
    # The first command is read twice: at 15 s, too early, then at 90 s.
    assert reads == [2, 1, 1]
    assert loaded.state("dynamic_power").state == STATE_ON
    assert "did not apply" not in caplog.text

    # A charger fast again is confirmed a tenth sooner after each command
    # (a poll due up to 15 s before a confirmation may take its place).
    loaded.sim.sim.apply_delay = 0.0
    waits = []
    for turn in range(10):
        loaded.sim.sim.clear_log()
        await loaded.call(
            "dynamic_power", SERVICE_TURN_OFF if turn % 2 == 0 else SERVICE_TURN_ON
        )
        for _ in range(36):
            await advance(loaded.hass, loaded.freezer, timedelta(seconds=5))
        log = loaded.sim.sim.request_log
        sent = next(record.time for record in log if record.path.endswith("/dynamic"))
        read = next(record.time for record in log if record.path.endswith(REPORTED))
        waits.append((read - sent).total_seconds())
    assert max(waits) <= 90
    assert waits == sorted(waits, reverse=True)
    # 90 s times 0.9 twelve times over is 25 s (read at the next 5-s step).
    assert waits[-1] <= 30


async def test_a_charger_as_slow_as_the_window_is_not_read_twice_every_other_time(
    loaded: Harness,
) -> None:
    """A wait that came too early is not tried again after the next on-time find."""
    loaded.sim.sim.apply_delay = 88.0
    reads = []
    for turn in range(TRUST_AFTER + 3):
        loaded.sim.sim.clear_log()
        await loaded.call(
            "dynamic_power", SERVICE_TURN_ON if turn % 2 == 0 else SERVICE_TURN_OFF
        )
        for _ in range(36):
            await advance(loaded.hass, loaded.freezer, timedelta(seconds=5))
        reads.append(_reads_of(loaded, REPORTED))
    # Too early at 15 s, then on time at 90 s, too early at 81 s: from then
    # on 90 s until enough commands were found applied in time.
    assert reads == [2, 1, 2] + [1] * TRUST_AFTER
    assert loaded.state("dynamic_power").state == STATE_ON


async def test_a_slow_charger_is_still_known_after_a_restart(loaded: Harness) -> None:
    """A restart does not cost a slow charger's next command a second read."""
    loaded.sim.sim.apply_delay = 75.0
    await loaded.call("dynamic_power", SERVICE_TURN_ON)
    await run_for(loaded.hass, loaded.freezer, 3)

    assert await loaded.hass.config_entries.async_reload(loaded.entry.entry_id)
    await loaded.hass.async_block_till_done()
    loaded.sim.sim.clear_log()
    await loaded.call("dynamic_power", SERVICE_TURN_OFF)
    await run_for(loaded.hass, loaded.freezer, 3)

    assert _reads_of(loaded, REPORTED) == 1
    assert loaded.state("dynamic_power").state == STATE_OFF


@pytest.mark.parametrize(
    ("switch", "service", "late_live_read"),
    [
        # Dynamic power changes how much the car charges: the live state too.
        ("dynamic_power", SERVICE_TURN_ON, True),
        ("logo_led", SERVICE_TURN_OFF, False),
    ],
)
async def test_a_late_confirmation_reads_the_live_state_for_a_live_command(
    loaded: Harness, *, switch: str, service: str, late_live_read: bool
) -> None:
    """The late read of a command that changes the charge also reads its live state."""
    loaded.sim.sim.apply_delay = 75.0
    await loaded.call(switch, service)
    loaded.sim.sim.clear_log()

    await run_for(loaded.hass, loaded.freezer, 2)
    log = loaded.sim.sim.request_log
    late = [index for index, record in enumerate(log) if record.path.endswith(REPORTED)]
    assert len(late) == 2
    late_at = log[late[-1]].time
    live_reads = [
        record
        for record in log[late[-1] :]
        if record.time == late_at and record.path.endswith("/currentstatecharge")
    ]
    assert len(live_reads) == int(late_live_read)


@pytest.mark.parametrize(
    ("empty_answers", "settings_reads", "shown", "warned"),
    [
        # An empty answer is no proof: a later read confirms the command.
        (1, 2, STATE_ON, False),
        # Settings that never read cost a few reads, not one every poll, and
        # the last settings read are shown.
        (1000, CONFIRM_READS, STATE_OFF, True),
    ],
)
async def test_a_confirmation_answered_without_settings_is_read_again(
    loaded: Harness,
    caplog: pytest.LogCaptureFixture,
    *,
    empty_answers: int,
    settings_reads: int,
    shown: str,
    warned: bool,
) -> None:
    """Settings answered emptily judge nothing; a few later reads may."""
    loaded.sim.sim.faults.set(FaultKind.EMPTY_200, route=REPORTED, count=empty_answers)
    loaded.sim.sim.clear_log()
    await loaded.call("dynamic_power", SERVICE_TURN_ON)

    await run_for(loaded.hass, loaded.freezer, 60)
    assert loaded.sim.charger.state.dynamic is True
    assert _reads_of(loaded, REPORTED) == settings_reads
    assert _reads_of(loaded, "/currentstatecharge") > 2 * CONFIRM_READS
    assert loaded.state("dynamic_power").state == shown
    assert ("did not apply dynamic_power" in caplog.text) is warned


def _reads_of(harness: Harness, path: str) -> int:
    return sum(record.path.endswith(path) for record in harness.sim.sim.request_log)


async def test_a_confirmation_counts_as_the_periodic_settings_read(
    loaded: Harness,
) -> None:
    """Settings read to confirm a command are not read again for the periodic read."""
    await advance(loaded.hass, loaded.freezer, timedelta(hours=3))
    await loaded.call("logo_led", SERVICE_TURN_OFF)
    await loaded.await_confirmation()
    loaded.sim.sim.clear_log()

    # The periodic read after setup's would run 6 h after it, at 18:00.
    await run_for(loaded.hass, loaded.freezer, 4 * 60)
    assert _reads_of(loaded, REPORTED) == 0
    await run_for(loaded.hass, loaded.freezer, 2 * 60 + 10)
    assert _reads_of(loaded, REPORTED) == 1


async def test_a_lost_commands_check_counts_as_the_periodic_connectivity_check(
    loaded: Harness,
) -> None:
    """The charger's connectivity, checked for a command, is not checked again soon."""
    loaded.sim.sim.apply_delay = 1200.0
    await run_for(loaded.hass, loaded.freezer, 60)
    await loaded.call("dynamic_power", SERVICE_TURN_ON)
    await run_for(loaded.hass, loaded.freezer, 4 * 60)

    checked_at = [
        record.time
        for record in loaded.sim.sim.request_log
        if record.path.endswith("/connected")
    ]
    # The periodic check after the first poll's, then the lost command's.
    periodic, lost, following = checked_at[:3]
    assert lost - periodic < timedelta(seconds=CONNECTED_CHECK_S)
    assert following - lost >= timedelta(seconds=CONNECTED_CHECK_S)


async def test_a_car_held_at_a_confirmation_costs_no_second_settings_read(
    loaded: Harness,
) -> None:
    """The settings a confirmation reads also say what holds a car plugged in meanwhile."""
    loaded.sim.charger.state.paused = True
    await loaded.call("dynamic_power", SERVICE_TURN_ON)
    loaded.sim.charger.plug_in()
    loaded.sim.sim.clear_log()

    await loaded.await_confirmation()
    await advance(loaded.hass, loaded.freezer, timedelta(seconds=5))

    log = loaded.sim.sim.request_log
    confirmed_at = next(record.time for record in log if record.path.endswith(REPORTED))
    at_confirmation = [record.path for record in log if record.time == confirmed_at]
    assert any(path.endswith("/currentstatecharge") for path in at_confirmation)
    assert sum(path.endswith(REPORTED) for path in at_confirmation) == 1
    assert loaded.coordinator().data.activity is ChargerActivity.PLUGGED


async def test_a_pause_sent_from_the_v2c_app_shows_and_can_be_undone(
    harness: Harness,
) -> None:
    """The charge stops with the car plugged in: the settings are read, and say paused.

    Shown on, turning Charging on would have passed for a command that changes nothing.
    """
    await harness.load()
    harness.sim.charger.plug_in(energy_needed_kwh=40)
    await run_for(harness.hass, harness.freezer, 10)
    assert harness.state("charging").state == STATE_ON

    harness.sim.charger.submit(pause_charge)
    await run_for(harness.hass, harness.freezer, 30)
    assert harness.state("charging").state == STATE_OFF

    harness.sim.sim.clear_log()
    await harness.call("charging", SERVICE_TURN_ON)
    await run_for(harness.hass, harness.freezer, 5)
    assert [path for _, path, _ in harness.commands()] == ["/device/startcharge"]
    assert harness.sim.charger.state.paused is False
    assert harness.state("charging").state == STATE_ON


async def test_a_stopped_charge_reads_no_settings_from_the_reserve(
    harness: Harness,
) -> None:
    """The poll that sees the stop spent the last call above the reserve: no more."""
    await harness.load()
    harness.sim.charger.plug_in(energy_needed_kwh=40)
    await run_for(harness.hass, harness.freezer, 10)
    assert harness.state("charging").state == STATE_ON

    # Another program leaves one call above the 50 kept for commands.
    harness.sim.spend_quota(leave=51)
    harness.sim.charger.submit(pause_charge)
    harness.sim.sim.clear_log()
    await run_for(harness.hass, harness.freezer, 30)

    assert [record.path for record in harness.sim.sim.request_log] == [
        "/thirdparty/device/currentstatecharge"
    ]
    assert harness.sim.sim.quota_for(harness.sim.api_key).remaining == 50


async def test_a_resume_sent_from_the_v2c_app_shows_charging_on_and_can_be_undone(
    harness: Harness,
) -> None:
    """A charge resumed from V2C's app turns Charging on, for no call, and can be paused.

    A paused charger does not charge: a live read showing the charge, a
    command's window or more after the settings said paused, lifts the pause
    they show. Turning Charging off then sends the pause (it is no command
    that changes nothing) and shows off at once, though the car charges until
    the charger applies it.
    """
    await harness.load(paused=True)
    harness.sim.charger.plug_in(energy_needed_kwh=40)
    await run_for(harness.hass, harness.freezer, 5)
    assert harness.state("charging").state == STATE_OFF
    settings_reads = reported_reads(harness.sim)

    harness.sim.charger.submit(start_charge)
    await run_for(harness.hass, harness.freezer, 10)
    assert harness.coordinator().data.activity is ChargerActivity.CHARGING
    assert harness.state("charging").state == STATE_ON
    assert reported_reads(harness.sim) == settings_reads

    harness.sim.sim.clear_log()
    await harness.call("charging", SERVICE_TURN_OFF)
    assert harness.state("charging").state == STATE_OFF
    await run_for(harness.hass, harness.freezer, 3)
    assert [path for _, path, _ in harness.commands()] == ["/device/pausecharge"]
    assert harness.sim.charger.state.paused is True
    assert harness.state("charging").state == STATE_OFF


async def test_a_charge_seen_just_after_the_settings_said_paused_is_checked_first(
    harness: Harness,
) -> None:
    """A pause asked for while a charge shows seconds after the settings said paused.

    Too soon after the settings to lift their pause (ours may still be
    applying), the charge still puts it in doubt: the settings are read
    before the command, and they say the charge was resumed, so the pause
    goes out.
    """
    harness.sim.charger.plug_in(energy_needed_kwh=40)
    await harness.load(paused=True)
    assert harness.state("charging").state == STATE_OFF
    harness.sim.charger.submit(start_charge)
    await advance(harness.hass, harness.freezer, timedelta(seconds=30))
    assert await async_setup_component(harness.hass, "homeassistant", {})
    await harness.hass.services.async_call(
        "homeassistant",
        "update_entity",
        {ATTR_ENTITY_ID: harness.entity("charging")},
        blocking=True,
    )
    assert harness.coordinator().data.activity is ChargerActivity.CHARGING
    assert harness.state("charging").state == STATE_OFF

    harness.sim.sim.clear_log()
    await harness.call("charging", SERVICE_TURN_OFF)
    assert [record.path for record in harness.sim.sim.request_log][:2] == [
        REPORTED,
        "/device/pausecharge",
    ]


async def test_charging_resumed_from_the_app_stays_on_once_the_car_leaves(
    harness: Harness,
) -> None:
    """The pause a charge lifted stays lifted until the settings are read again.

    Charging turns on when the charge resumed in V2C's app is seen a
    command's window or more after settings that said paused
    (ChargerData.settings), and stays on once the car is unplugged: no
    charge in the live state says nothing of the pause.
    """
    await harness.load(paused=True)
    harness.sim.charger.plug_in(energy_needed_kwh=40)
    await run_for(harness.hass, harness.freezer, 5)
    harness.sim.charger.submit(start_charge)
    await run_for(harness.hass, harness.freezer, 10)
    assert harness.coordinator().data.activity is ChargerActivity.CHARGING
    assert harness.state("charging").state == STATE_ON
    assert harness.sim.charger.state.paused is False
    reads = reported_reads(harness.sim)

    harness.sim.charger.unplug()
    await run_for(harness.hass, harness.freezer, 10)
    assert harness.coordinator().data.activity is ChargerActivity.IDLE
    assert harness.sim.charger.state.paused is False
    assert harness.state("charging").state == STATE_ON, (
        f"Charging flipped back off after the car left "
        f"({reported_reads(harness.sim) - reads} settings reads since)"
    )
