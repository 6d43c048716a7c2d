"""Entries with little or nothing to run: disabled devices, no charger, a moved one.

What holds: a charger whose device is disabled leaves the plan but keeps
what the planner learned of it (held, saved over a restart) and comes back
read at its learned pace; the account's quota sensors follow the planner
through the reset while the account's refresh keeps failing; and a unique
id naming a charger the account no longer lists follows the chargers the
entry runs, whether or not a device is left for it.
"""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_API_KEY
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.v2c_cloud import async_remove_config_entry_device
from custom_components.v2c_cloud.config_flow import SECTION_ADVANCED
from custom_components.v2c_cloud.const import CONF_BASE_URL, DOMAIN
from custom_components.v2c_cloud.helpers import utcnow
from tests.components.v2c_cloud.read_helpers import setup_entry, state_of
from tests.sim_fixtures import SimHandle
from v2c_simulator import FaultKind


async def _step(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta
) -> None:
    """Move the clock on and let every read started (background tasks) answer."""
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def _evenings_for(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    freezer: FrozenDateTimeFactory,
    days: int,
) -> None:
    """Let a car come at 18:00 and leave at 22:00 every day, for `days` days."""
    charger = v2c_sim.charger
    if charger.plugged:
        charger.unplug()
    for _ in range(days * 12 * 24):
        await _step(hass, freezer, timedelta(minutes=5))
        now = utcnow()
        if now.hour == 18 and now.minute < 5 and not charger.plugged:
            charger.plug_in()
        if now.hour == 22 and now.minute < 5 and charger.plugged:
            charger.unplug()


async def test_a_device_disabled_for_a_while_keeps_what_the_planner_learned(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The user disables the Garage charger's device for half an hour, then enables it.

    The bug: after three evenings of learning (a car from 18:00 to 22:00) the
    idle charger was read every ~420 s; once its device was enabled again it
    was read every ~136 s, the pace of a charger never seen before, and its
    learned evening routine, charge lengths, punctual starts and command
    apply times were gone (`QuotaPlanner.remove_charger` dropped the whole
    record when the device was disabled): weeks of habits relearned, with
    the extra reads that cost. Its periodic reads' schedule went too, so a
    connectivity check came at its second read whether due or not.

    Now the disabled charger is held out of the plan with its habits, and
    comes back with them, read at its learned pace.
    """
    entry = init_integration
    device_id = v2c_sim.device_id
    await _evenings_for(hass, v2c_sim, freezer, days=3)
    planner = entry.runtime_data.planner
    learned = planner._state.chargers[device_id]
    learned_days = learned.charge_days
    learned_arrivals = sum(learned.arrivals)
    interval_before = planner.snapshot(utcnow()).chargers[device_id].interval_s
    assert learned_days >= 2
    assert learned_arrivals > 1
    assert interval_before is not None

    registry = dr.async_get(hass)
    device = registry.async_get_device(identifiers={(DOMAIN, device_id)})
    assert device is not None
    registry.async_update_device(device.id, disabled_by=dr.DeviceEntryDisabler.USER)
    await hass.async_block_till_done()
    await _step(hass, freezer, timedelta(minutes=30))
    registry.async_update_device(device.id, disabled_by=None)
    await hass.async_block_till_done()
    # Home Assistant reloads the entry 30 s after entities are enabled again.
    for _ in range(3):
        await _step(hass, freezer, timedelta(minutes=1))
    entry = hass.config_entries.async_get_entry(entry.entry_id)
    assert entry is not None
    assert entry.state is ConfigEntryState.LOADED
    assert device_id in entry.runtime_data.chargers

    planner = entry.runtime_data.planner
    back = planner._state.chargers[device_id]
    interval_after = planner.snapshot(utcnow()).chargers[device_id].interval_s
    assert (back.charge_days, round(sum(back.arrivals), 3)) == (
        learned_days,
        round(learned_arrivals, 3),
    ), "the planner forgot the charger's learned charges and arrival routine"
    assert interval_after is not None
    assert interval_after >= 0.9 * interval_before, (
        f"idle charger read every {interval_after:.0f} s after re-enabling, "
        f"{interval_before:.0f} s before"
    )


async def test_a_device_disabled_over_a_restart_keeps_its_habits_and_schedule(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The Garage charger's device is disabled, Home Assistant restarts, then it is enabled.

    The habits held for the disabled device are saved and restored, out of
    the plan; enabled again, the charger's setup costs its two calls and
    its next reads the live state alone: the connectivity check it had just
    had before is not due again (README: two calls per charger at setup).
    """
    entry = init_integration
    device_id = v2c_sim.device_id
    await _evenings_for(hass, v2c_sim, freezer, days=2)
    log = v2c_sim.sim.request_log
    while not any(record.path == "/device/connected" for record in log[-2:]):
        await _step(hass, freezer, timedelta(minutes=1))
    learned = entry.runtime_data.planner._state.chargers[device_id]
    habits = (learned.charge_days, round(sum(learned.arrivals), 3))
    assert habits[0] >= 1

    registry = dr.async_get(hass)
    device = registry.async_get_device(identifiers={(DOMAIN, device_id)})
    assert device is not None
    registry.async_update_device(device.id, disabled_by=dr.DeviceEntryDisabler.USER)
    await _step(hass, freezer, timedelta(minutes=1))
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    planner = entry.runtime_data.planner
    assert device_id not in planner.snapshot(utcnow()).chargers
    held = planner._state.held[device_id].charger
    assert (held.charge_days, round(sum(held.arrivals), 3)) == habits

    registry.async_update_device(device.id, disabled_by=None)
    await hass.async_block_till_done()
    since = len(log)
    for _ in range(30):
        await _step(hass, freezer, timedelta(minutes=1))
    assert entry.state is ConfigEntryState.LOADED
    assert device_id in entry.runtime_data.chargers
    back = entry.runtime_data.planner._state.chargers[device_id]
    assert (back.charge_days, round(sum(back.arrivals), 3)) == habits
    paths = [record.path for record in log[since:]]
    assert paths[:3] == [
        "/pairings/me",
        "/thirdparty/device/currentstatecharge",
        "/device/reported",
    ]
    assert set(paths[3:]) == {"/thirdparty/device/currentstatecharge"}, paths


async def test_quota_sensors_of_an_entry_with_nothing_to_read_follow_the_reset(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An entry whose only charger's device is disabled: one pairings read fails.

    The bug: the account's pairings read at 20:00 met a 502 (one bad answer).
    The failure is held until a pairings read answers, hours later with
    nothing else answering, and every 30-minute tick repeated it, which Home
    Assistant tells no entity of. After
    midnight *Quota reset* still showed today 00:00, a time already past,
    and *Calls remaining today* yesterday's count, until 02:00, though the
    planner already showed the new day.

    Now the quota sensors are rewritten at every tick, failed ones too, and
    show the planner's view: the next reset and the new day's calls.
    """
    entry = mock_config_entry
    # Set up at 14:00: the pairings are read again at 20:00, then at 02:00.
    freezer.tick(timedelta(hours=2))
    await setup_entry(hass, entry)
    registry = dr.async_get(hass)
    device = registry.async_get_device(identifiers={(DOMAIN, v2c_sim.device_id)})
    assert device is not None
    registry.async_update_device(device.id, disabled_by=dr.DeviceEntryDisabler.USER)
    await hass.async_block_till_done()
    await _step(hass, freezer, timedelta(minutes=1))
    assert not entry.runtime_data.chargers
    v2c_sim.sim.faults.set(FaultKind.HTTP_502, route="/pairings/me", count=1)
    for _ in range(2 * 11 + 1):
        await _step(hass, freezer, timedelta(minutes=30))
    assert utcnow().day == 3
    assert utcnow().hour == 1
    assert any(
        record.path == "/pairings/me" and record.status == 502
        for record in v2c_sim.sim.request_log
    )

    planner_view = entry.runtime_data.planner.snapshot(utcnow())
    shown_reset = state_of(hass, "sensor.v2c_cloud_account_quota_reset").state
    shown_calls = state_of(hass, "sensor.v2c_cloud_account_calls_remaining_today")
    assert dt_util.parse_datetime(shown_reset) == planner_view.reset_at, (
        f"at {utcnow()} Quota reset still shows {shown_reset}"
    )
    assert int(shown_calls.state) == planner_view.remaining


async def test_a_unique_id_naming_a_charger_without_device_follows_the_chargers(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The garage's only charger moved to a new home's account while Home Assistant was off.

    The garage entry retries its setup (no charger), and, as README invites,
    the user deletes the left-over Garage device. Later a new charger is
    paired with the garage account; the entry loads and runs it for hours.

    The bug: adding the new home's account (whose only charger is the old
    Garage charger) was refused with "already configured": the garage
    entry's unique id kept naming the charger it no longer had, since only a
    charger with a device could be "confirmed gone".

    Now the charger the unique id names is a suspect at setup, device or
    not; once a second pairings read confirms it gone, the unique id moves
    to the charger the garage runs, and the new home is added.
    """
    garage = mock_config_entry
    moved = v2c_sim.device_id
    await setup_entry(hass, garage)
    assert await hass.config_entries.async_unload(garage.entry_id)
    await hass.async_block_till_done()
    new_home = v2c_sim.sim.add_account("key-of-the-new-home")
    v2c_sim.account.remove_charger(moved)
    new_home.chargers.append(v2c_sim.charger)
    await hass.config_entries.async_setup(garage.entry_id)
    await hass.async_block_till_done()
    assert garage.state is ConfigEntryState.SETUP_RETRY

    registry = dr.async_get(hass)
    device = registry.async_get_device(identifiers={(DOMAIN, moved)})
    assert device is not None
    assert await async_remove_config_entry_device(hass, garage, device)
    registry.async_update_device(device.id, remove_config_entry_id=garage.entry_id)
    await hass.async_block_till_done()

    v2c_sim.account.add_charger(device_id="TRY0005", tag="Carport")
    for _ in range(3 * 60):
        await _step(hass, freezer, timedelta(minutes=1))
    assert garage.state is ConfigEntryState.LOADED
    assert set(garage.runtime_data.chargers) == {"TRY0005"}

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_API_KEY: "key-of-the-new-home",
            SECTION_ADVANCED: {CONF_BASE_URL: v2c_sim.base_url},
        },
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY, (
        f"adding the new home: {result.get('reason')}; "
        f"the garage entry's unique id is {garage.unique_id}"
    )
