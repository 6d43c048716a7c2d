"""Power users' automations driving the charger: what they see and what it costs."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
import logging

from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.setup import async_setup_component
import pytest

from custom_components.v2c_cloud.api import V2CResponseError
from custom_components.v2c_cloud.budget import CallKind
from custom_components.v2c_cloud.helpers import utcnow
from custom_components.v2c_cloud.polling import CONNECTED_CHECK_S
from v2c_simulator import FaultKind

from .control_helpers import START, Harness
from .read_helpers import advance, run_for

pytestmark = pytest.mark.usefixtures("all_enabled")

STATE_PATHS = {"/thirdparty/device/currentstatecharge", "/device/currentstatecharge"}
CHARGING_POWER = "sensor.garage_charging_power"


def _live_reads(loaded: Harness) -> list[str]:
    return [
        record.time.isoformat()
        for record in loaded.sim.sim.request_log
        if record.path in STATE_PATHS
    ]


async def test_an_update_entity_counts_as_the_planned_read(loaded: Harness) -> None:
    """`homeassistant.update_entity` a few seconds before a planned read: one call, not two.

    A dashboard button or an automation asks for a read 10 s before the
    planner's next one. The read asked for counts as the planned read: the
    timer armed before it moves with the planner, instead of reading the
    charger again 10 s later (an automation calling it every minute would
    double a charge's reads).
    """
    hass = loaded.hass
    assert await async_setup_component(hass, "homeassistant", {})
    loaded.sim.charger.plug_in(energy_needed_kwh=60.0)
    await run_for(hass, loaded.freezer, 3)
    coordinator = loaded.coordinator()
    due = coordinator.poller.next_refresh_at(utcnow())
    assert due is not None
    await advance(hass, loaded.freezer, due - utcnow() - timedelta(seconds=10))
    loaded.sim.sim.clear_log()

    await hass.services.async_call(
        "homeassistant",
        "update_entity",
        {ATTR_ENTITY_ID: CHARGING_POWER},
        blocking=True,
    )
    assert len(_live_reads(loaded)) == 1
    planned = coordinator.poller.next_refresh_at(utcnow())
    assert planned is not None
    # The planner knows the read just made is the charger's poll.
    assert planned - utcnow() > timedelta(seconds=15)
    for _ in range(3):
        await advance(hass, loaded.freezer, timedelta(seconds=5))

    reads = _live_reads(loaded)
    assert len(reads) == 1, f"live state read again after the update asked for: {reads}"


async def test_a_command_sent_from_the_reserve_does_not_show_for_hours(
    loaded: Harness,
) -> None:
    """Polling stopped to keep the reserve: a current the charger never applies.

    Another program spent the key down to the command reserve, so polling
    stops until the reset (12 hours away) while the controls stay usable. A
    solar automation sets 10 A; the cloud accepts it but the charger never
    applies it. The command's confirmation is read from the reserve, as the
    command was, so the number shows the charger's 32 A once the command's
    window has ended, not 10 A for the rest of the day.
    """
    hass = loaded.hass
    loaded.sim.charger.plug_in(energy_needed_kwh=60.0)
    await run_for(hass, loaded.freezer, 3)
    loaded.sim.spend_quota(leave=40)
    await run_for(hass, loaded.freezer, 2)
    planner = loaded.entry.runtime_data.planner
    assert planner.blocked_until(utcnow()) is not None
    number = loaded.entity("charge_current", Platform.NUMBER)
    assert hass.states.get(number).state == "32"
    loaded.sim.sim.apply_delay = 1200.0  # accepted, never applied in its window

    await hass.services.async_call(
        "number", "set_value", {ATTR_ENTITY_ID: number, "value": 10}, blocking=True
    )
    assert hass.states.get(number).state == "10"
    await run_for(hass, loaded.freezer, 10)

    assert loaded.sim.charger.state.intensity == 32
    assert hass.states.get(number).state == "32", (
        "10 minutes after a command the charger never applied, the number "
        f"still shows {hass.states.get(number).state} A"
    )


async def test_with_polling_off_a_confirmation_reads_no_due_connectivity(
    harness: Harness,
) -> None:
    """Polling turned off: a new current is confirmed with a settings and a live read.

    README (How the quota is spent): with "Enable polling for changes" off,
    nothing is read on a timer but a command's own confirmation. The
    connectivity check due then (every two hours, and at once after a setup)
    waits for the user's next `homeassistant.update_entity`.
    """
    hass = harness.hass
    harness.sim.charger.plug_in(energy_needed_kwh=60.0)
    harness.freezer.move_to(START)
    harness.entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(harness.entry, pref_disable_polling=True)
    assert await hass.config_entries.async_setup(harness.entry.entry_id)
    await hass.async_block_till_done()
    assert not harness.coordinator().polled
    await run_for(hass, harness.freezer, 3)
    harness.sim.sim.clear_log()
    number = harness.entity("charge_current", Platform.NUMBER)

    await hass.services.async_call(
        "number", "set_value", {ATTR_ENTITY_ID: number, "value": 10}, blocking=True
    )
    await run_for(hass, harness.freezer, 5)

    assert harness.sim.charger.state.intensity == 10
    assert hass.states.get(number).state == "10"
    paths = [record.path for record in harness.sim.sim.request_log]
    assert paths == [
        "/device/intensity",
        "/device/reported",
        "/thirdparty/device/currentstatecharge",
    ]


async def _reserve_only(loaded: Harness, leave: int) -> None:
    """Let another program spend the key down to `leave` calls, under the reserve."""
    loaded.sim.charger.plug_in(energy_needed_kwh=60.0)
    await run_for(loaded.hass, loaded.freezer, 3)
    loaded.sim.spend_quota(leave=leave + 1)
    # The poll that sees the count spends one of them.
    await run_for(loaded.hass, loaded.freezer, 2)
    assert loaded.entry.runtime_data.planner.blocked_until(utcnow()) is not None
    assert loaded.sim.sim.quota_for(loaded.sim.api_key).remaining == leave
    loaded.sim.sim.clear_log()


async def test_a_command_from_the_reserve_pays_for_its_confirmation(
    loaded: Harness,
) -> None:
    """One settings read when the command's window ends, counted as the command's, not a poll."""
    hass = loaded.hass
    await _reserve_only(loaded, leave=40)
    planner = loaded.entry.runtime_data.planner
    before = planner.snapshot(utcnow()).calls_today
    number = loaded.entity("charge_current", Platform.NUMBER)

    await hass.services.async_call(
        "number", "set_value", {ATTR_ENTITY_ID: number, "value": 10}, blocking=True
    )
    await run_for(hass, loaded.freezer, 10)

    assert [record.path for record in loaded.sim.sim.request_log] == [
        "/device/intensity",
        "/device/reported",
    ]
    assert hass.states.get(number).state == "10"
    after = planner.snapshot(utcnow()).calls_today
    assert after[CallKind.COMMAND] - before[CallKind.COMMAND] == 1
    assert after[CallKind.CONFIRM] - before[CallKind.CONFIRM] == 1
    assert after[CallKind.POLL] == before[CallKind.POLL]


async def test_in_the_reserve_s_lower_half_a_command_goes_unconfirmed(
    loaded: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """20 calls left, under half the reserve: they are the commands' own.

    The command goes out, its confirmation does not: the charger does not
    apply it, the new value shows until the command's window ends, then the
    last value read, and the cloud never answers a 429.
    """
    hass = loaded.hass
    await _reserve_only(loaded, leave=20)
    loaded.sim.sim.apply_delay = 1200.0
    number = loaded.entity("charge_current", Platform.NUMBER)
    caplog.set_level(logging.INFO, logger="custom_components.v2c_cloud")

    await hass.services.async_call(
        "number", "set_value", {ATTR_ENTITY_ID: number, "value": 10}, blocking=True
    )
    await advance(hass, loaded.freezer, timedelta(seconds=60))
    assert hass.states.get(number).state == "10"
    await run_for(hass, loaded.freezer, 10)

    assert [(r.path, r.status) for r in loaded.sim.sim.request_log] == [
        ("/device/intensity", 200)
    ]
    assert hass.states.get(number).state == "32"
    assert "No call left to confirm charge_current" in caplog.text


async def test_with_no_call_left_a_confirmation_reads_nothing(loaded: Harness) -> None:
    """The command took the last call: its confirmation makes none.

    So too for the poller alone, as the benchmark drives it.
    """
    hass = loaded.hass
    await _reserve_only(loaded, leave=1)
    number = loaded.entity("charge_current", Platform.NUMBER)
    poller = loaded.coordinator().poller

    await hass.services.async_call(
        "number", "set_value", {ATTR_ENTITY_ID: number, "value": 10}, blocking=True
    )
    due = poller.next_refresh_at(utcnow())
    assert due is not None
    loaded.freezer.move_to(due)
    assert poller.confirmation_due(utcnow())
    await poller.refresh(utcnow())
    assert not poller.confirmation_due(utcnow())
    # Nothing else is due, so nothing is read either.
    await poller.refresh(utcnow(), confirming=True)
    # Nor when the command's window ends.
    late = poller.next_refresh_at(utcnow())
    assert late is not None
    loaded.freezer.move_to(late)
    assert poller.confirmation_due(utcnow())
    await poller.refresh(utcnow())
    assert not poller.confirmation_due(utcnow())
    await run_for(hass, loaded.freezer, 5)

    assert [record.path for record in loaded.sim.sim.request_log] == [
        "/device/intensity"
    ]
    assert loaded.sim.charger.state.intensity == 10
    # Not confirmed: the value read last shows once the window has ended.
    assert hass.states.get(number).state == "32"


async def test_unusable_settings_at_the_reserve_s_one_read_leave_the_last_value(
    loaded: Harness,
) -> None:
    """The command's one read from the reserve answers nothing usable: no more reads.

    Its window is over, so the value read last shows again, as with no call left.
    """
    hass = loaded.hass
    await _reserve_only(loaded, leave=40)
    loaded.sim.sim.apply_delay = 1200.0
    loaded.sim.sim.faults.set(FaultKind.EMPTY_200, route="/device/reported", count=1)
    number = loaded.entity("charge_current", Platform.NUMBER)

    await hass.services.async_call(
        "number", "set_value", {ATTR_ENTITY_ID: number, "value": 10}, blocking=True
    )
    await run_for(hass, loaded.freezer, 10)

    assert [record.path for record in loaded.sim.sim.request_log] == [
        "/device/intensity",
        "/device/reported",
    ]
    assert hass.states.get(number).state == "32"


async def test_a_failed_read_at_the_window_end_from_the_reserve_ends_the_window(
    loaded: Harness,
) -> None:
    """The reserve's one read for a command meets a 502: no read is left for it.

    The poller alone, as the benchmark drives it, drops the value asked for
    as a skipped confirmation would, and plans nothing more for it.
    """
    await _reserve_only(loaded, leave=40)
    loaded.sim.sim.apply_delay = 1200.0
    poller = loaded.coordinator().poller
    number = loaded.entity("charge_current", Platform.NUMBER)
    await loaded.hass.services.async_call(
        "number", "set_value", {ATTR_ENTITY_ID: number, "value": 10}, blocking=True
    )
    loaded.sim.sim.faults.set(FaultKind.HTTP_502, route="/device/reported", count=1)

    # The first confirmation waits for the window's end, where the read fails.
    for fails in (False, True):
        due = poller.next_refresh_at(utcnow())
        assert due is not None
        loaded.freezer.move_to(due)
        try:
            await poller.refresh(utcnow())
        except V2CResponseError:
            assert fails
        else:
            assert not fails

    assert [(r.path, r.status) for r in loaded.sim.sim.request_log] == [
        ("/device/intensity", 200),
        ("/device/reported", 502),
    ]
    assert not poller.pending.values
    assert poller.next_refresh_at(utcnow()) is None


async def test_an_offline_charger_is_checked_from_the_reserve_while_polling_waits(
    loaded: Harness,
) -> None:
    """A charger last seen offline keeps its connectivity check while polling waits.

    Every two hours from its last check, as a command's call, only while the
    count leaves more than half the reserve, and none once it is back: the
    poller alone, as the benchmark drives it.
    """
    await _reserve_only(loaded, leave=40)
    planner = loaded.entry.runtime_data.planner
    poller = loaded.coordinator().poller
    assert poller.next_refresh_at(utcnow()) is None
    loaded.sim.charger.set_online(False)
    poller.data = replace(poller.data, connected=False)
    before = planner.snapshot(utcnow()).calls_today

    checked_at = []
    for online in (False, True):
        due = poller.next_refresh_at(utcnow())
        assert due is not None
        loaded.freezer.move_to(due)
        loaded.sim.charger.set_online(online)
        await poller.refresh(utcnow())
        checked_at.append(due)
        assert poller.data.connected is online

    assert [r.path for r in loaded.sim.sim.request_log] == ["/device/connected"] * 2
    assert checked_at[1] - checked_at[0] == timedelta(seconds=CONNECTED_CHECK_S)
    after = planner.snapshot(utcnow()).calls_today
    assert {kind: after[kind] - before[kind] for kind in CallKind} == {
        CallKind.POLL: 0,
        CallKind.CONFIRM: 0,
        CallKind.COMMAND: 2,
        CallKind.MAINTENANCE: 0,
    }
    assert poller.next_refresh_at(utcnow()) is None

    # In the reserve's lower half, the calls are the commands' own.
    poller.data = replace(poller.data, connected=False)
    planner.observe_quota(limit=1000, remaining=25, now=utcnow())
    loaded.freezer.tick(timedelta(hours=3))
    assert poller.next_refresh_at(utcnow()) is None
    await poller.refresh(utcnow())
    assert len(loaded.sim.sim.request_log) == 2
