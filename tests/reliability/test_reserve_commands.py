"""Commands near the end of the quota, when the cloud or the charger misbehaves.

Each test drives the simulator on 127.0.0.1 and checks what the user sees.
"""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.lock import LockState
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_LOCK,
    SERVICE_UNLOCK,
    STATE_UNAVAILABLE,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud.budget.models import PlannerSettings
from tests.sim_fixtures import SimHandle
from v2c_simulator import FaultKind

from .helpers import entity_of, run_for

REPORTED_PATH = "/device/reported"


async def test_a_failed_window_end_read_in_the_reserve_leaves_the_asked_value_shown(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A lock from the reserve the charger ignores shows unlocked once its window ends.

    Polling waits for the quota, and the one settings read at the end of the
    command's window (its confirmation from the reserve) meets a 502: the
    asked value shows until the window ends, then the last value read
    (unlocked), as when no call is left for the confirmation.
    """
    reserve = PlannerSettings().command_reserve
    v2c_sim.spend_quota(leave=reserve)
    planner = init_integration.runtime_data.planner
    await run_for(hass, freezer, timedelta(minutes=10))
    assert planner.polling_blocked_until is not None
    lock = entity_of(hass, Platform.LOCK, v2c_sim.device_id, "locked")
    assert hass.states.get(lock).state == LockState.UNLOCKED

    # The cloud acknowledges the command; the charger never applies it.
    v2c_sim.charger.submit = lambda _action: True  # type: ignore[method-assign]
    await hass.services.async_call(
        Platform.LOCK, SERVICE_LOCK, {ATTR_ENTITY_ID: lock}, blocking=True
    )
    assert hass.states.get(lock).state == LockState.LOCKED
    v2c_sim.sim.faults.set(FaultKind.HTTP_502, route=REPORTED_PATH, count=1)
    start = len(v2c_sim.sim.request_log)

    await run_for(hass, freezer, timedelta(hours=2), step=timedelta(seconds=30))
    assert [
        (record.path, record.status) for record in v2c_sim.sim.request_log[start:]
    ] == [(REPORTED_PATH, 502)]
    assert v2c_sim.charger.state.locked is False
    assert planner.polling_blocked_until is not None
    assert hass.states.get(lock).state == LockState.UNLOCKED, (
        "the lock the charger never applied is still shown two hours on"
    )


async def test_the_last_call_is_not_spent_on_a_read_that_leaves_no_call_for_the_command(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """With one call left, a command is sent without the settings read before it.

    The V2C app locked the charger over an hour ago and Home Assistant still
    shows it unlocked. Pressing unlock would normally read the settings first
    (the shown value is over an hour old); that read would leave no call for
    the unlock, so the unlock itself goes out.
    """
    v2c_sim.spend_quota(leave=2)
    planner = init_integration.runtime_data.planner
    for _ in range(60):
        await run_for(hass, freezer, timedelta(seconds=30), step=timedelta(seconds=30))
        if planner.remaining <= 1:
            break
    assert planner.remaining == 1
    assert v2c_sim.sim.quota_for(v2c_sim.api_key).remaining == 1
    # Over an hour since the settings were read; the app locks the charger.
    await run_for(hass, freezer, timedelta(minutes=70))
    v2c_sim.charger.state.locked = True
    lock = entity_of(hass, Platform.LOCK, v2c_sim.device_id, "locked")
    assert hass.states.get(lock).state == LockState.UNLOCKED
    start = len(v2c_sim.sim.request_log)

    try:
        await hass.services.async_call(
            Platform.LOCK, SERVICE_UNLOCK, {ATTR_ENTITY_ID: lock}, blocking=True
        )
    except HomeAssistantError as err:
        refused = err.translation_key
    else:
        refused = None
    sent = [record.path for record in v2c_sim.sim.request_log[start:]]
    assert (sent, refused, v2c_sim.charger.state.locked) == (
        ["/device/locked"],
        None,
        False,
    ), "the last call went on a settings read and the unlock was refused"


async def test_a_charger_back_online_while_reads_wait_for_the_quota_takes_commands(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A charger offline when polling stopped for the reserve gets its controls back.

    It drops off Wi-Fi just as polling stops to keep the command reserve and
    is back a few minutes later: its connectivity check keeps its pace from
    the reserve, so its controls are available again before the reset.
    """
    coordinator = init_integration.runtime_data.chargers[v2c_sim.device_id]
    lock = entity_of(hass, Platform.LOCK, v2c_sim.device_id, "locked")
    v2c_sim.charger.set_online(False)
    # A lock the offline charger drops: its window end finds the charger offline.
    await hass.services.async_call(
        Platform.LOCK, SERVICE_LOCK, {ATTR_ENTITY_ID: lock}, blocking=True
    )
    await run_for(hass, freezer, timedelta(minutes=3), step=timedelta(seconds=15))
    assert coordinator.data.connected is False
    reserve = PlannerSettings().command_reserve
    v2c_sim.spend_quota(leave=reserve)
    planner = init_integration.runtime_data.planner
    await run_for(hass, freezer, timedelta(minutes=30))
    assert planner.polling_blocked_until is not None
    assert v2c_sim.sim.quota_for(v2c_sim.api_key).remaining > reserve / 2

    v2c_sim.charger.set_online(True)
    await run_for(hass, freezer, timedelta(hours=2))
    assert planner.polling_blocked_until is not None
    assert hass.states.get(lock).state != STATE_UNAVAILABLE, (
        "the charger has been back online for two hours, calls are kept for "
        "commands, and its controls are still unavailable"
    )
