"""Small parts: clocks, quota counter, accounts, commands, timers, server start-up."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from v2c_simulator import (
    SCENARIOS,
    ScenarioDriver,
    Simulator,
    SystemClock,
    VirtualClock,
)
from v2c_simulator.commands import add_rfid, rename_rfid, set_fields
from v2c_simulator.quota import KeyQuota
from v2c_simulator.server import start_server
from v2c_simulator.state import Timer
from v2c_simulator.timers import in_window, next_boundary

MONDAY = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_virtual_clock() -> None:
    """The virtual clock moves forward only and needs aware datetimes."""
    clock = VirtualClock(MONDAY)
    assert clock.advance(90) == MONDAY + timedelta(seconds=90)
    assert clock.set(MONDAY + timedelta(hours=1)) == MONDAY + timedelta(hours=1)
    with pytest.raises(ValueError, match="never goes back"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="never goes back"):
        clock.set(MONDAY)
    with pytest.raises(ValueError, match="timezone-aware"):
        VirtualClock(datetime(2026, 3, 2))  # noqa: DTZ001


def test_system_clock_follows_freezer(freezer: object) -> None:
    """The system clock reads datetime.now(UTC), so freezegun moves it."""
    assert SystemClock().now() == datetime.now(UTC)
    assert SystemClock().now().tzinfo is UTC


def test_quota_counter() -> None:
    """A key's counter refuses calls beyond the limit until the window rolls."""
    quota = KeyQuota(2, time(0, 0), MONDAY)
    assert [quota.try_consume(MONDAY) for _ in range(3)] == [True, True, False]
    assert quota.try_consume(MONDAY + timedelta(hours=12)) is True
    status = quota.status(MONDAY + timedelta(hours=12))
    assert (status.used, status.remaining) == (1, 1)


def test_account_errors(clock: VirtualClock) -> None:
    """Keys and device ids are unique; keys are never empty."""
    sim = Simulator(clock)
    account = sim.add_account("one")
    account.add_charger("trydan", device_id="X1")
    with pytest.raises(ValueError, match="exists"):
        sim.add_account("one")
    with pytest.raises(ValueError, match="empty"):
        sim.add_account("")
    with pytest.raises(ValueError, match="X1"):
        sim.add_account("two").add_charger("pole", device_id="X1")
    assert sim.account("one") is account
    assert "one" not in repr(account)


def test_commands_are_safe_to_apply_late(clock: VirtualClock) -> None:
    """A card added twice stays once; renaming a vanished card does nothing."""
    charger = Simulator(clock).add_account("k").add_charger()
    charger.submit(add_rfid("c1", "One"))
    charger.submit(add_rfid("c1", "Again"))
    charger.submit(rename_rfid("gone", "Name"))
    assert [(c.code, c.tag) for c in charger.state.rfid_cards] == [("c1", "One")]
    with pytest.raises(AttributeError, match="colour"):
        set_fields(("colour",), "red")


def test_learning_an_existing_card(clock: VirtualClock) -> None:
    """Learning a card already on the list keeps the list as it was."""
    charger = Simulator(clock).add_account("k").add_charger()
    charger.submit(add_rfid("c1", "One"))
    charger.submit(set_fields(("rfid_learning_tag",), "New"))
    assert charger.present_rfid_card("c1")
    assert [(c.code, c.tag) for c in charger.state.rfid_cards] == [("c1", "One")]
    assert charger.state.rfid_learning_tag is None


def test_timer_windows() -> None:
    """Daytime and overnight windows, by weekday; inactive timers are ignored."""
    day = Timer(1, "09:00", "17:00", "1")
    idle = Timer(2, "00:00", "23:59", "")
    assert in_window([day, idle], MONDAY)
    assert not in_window([day], MONDAY + timedelta(days=1))
    assert next_boundary([day], MONDAY) == MONDAY.replace(hour=17)
    assert next_boundary([idle], MONDAY) is None
    overnight = Timer(3, "22:00", "06:00", "7")
    assert in_window([overnight], MONDAY.replace(hour=5))


def test_scenario_started_mid_day() -> None:
    """Events before the start are skipped; a car already plugged in stays."""
    start = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    clock = VirtualClock(start)
    sim = Simulator(clock)
    driver = ScenarioDriver(sim, SCENARIOS["commuter"], start)
    driver.chargers[0].plug_in(5)
    first = driver.next_event_at()
    assert first is not None
    assert first.hour == 18
    clock.set(first)
    driver.apply_until(first)
    assert driver.chargers[0].state.sessions == []


async def test_port_in_use(socket_enabled: None, clock: VirtualClock) -> None:
    """Starting on a taken port fails cleanly."""
    first = await start_server(Simulator(clock))
    try:
        with pytest.raises(OSError, match="address"):
            await start_server(Simulator(clock), port=first.port)
    finally:
        await first.stop()
