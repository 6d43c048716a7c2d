"""Propagation delay, offline chargers and what the cloud shows meanwhile."""

from __future__ import annotations

import math
import random

from aiohttp import ClientSession

from tests.sim_fixtures import SimHandle
from v2c_simulator import VirtualClock

from .helpers import api

DEVICE = {"deviceId": "TRY0001"}


async def test_commands_apply_after_the_delay(
    v2c_sim: SimHandle, client: ClientSession, clock: VirtualClock
) -> None:
    """A command is acknowledged at once and shows up after apply_delay seconds."""
    v2c_sim.sim.apply_delay = 20
    assert v2c_sim.sim.apply_delay == 20

    answer = await api(client, "POST", "/device/intensity", value="8", **DEVICE)
    assert answer.status == 200
    clock.advance(19)
    assert (await api(client, "GET", "/device/reported", **DEVICE)).body[
        "intensity"
    ] == "32"
    clock.advance(1)
    assert (await api(client, "GET", "/device/reported", **DEVICE)).body[
        "intensity"
    ] == "8"
    assert v2c_sim.charger.applied_commands == 1


async def test_delayed_pause_applies_at_its_own_moment(
    v2c_sim: SimHandle, client: ClientSession, clock: VirtualClock
) -> None:
    """Energy integrates up to the moment a delayed pause lands, not to when it is read."""
    v2c_sim.sim.apply_delay = 1800
    v2c_sim.charger.plug_in(50)
    await api(client, "POST", "/device/pausecharge", **DEVICE)

    clock.advance(7200)

    body = (await api(client, "POST", "/device/currentstatecharge", **DEVICE)).body
    assert body["energy"] == "3.680000"
    assert body["charge_state"] == "1"


async def test_offline_charger_drops_commands(
    v2c_sim: SimHandle, client: ClientSession, clock: VirtualClock
) -> None:
    """Commands to an offline charger are acknowledged but lost."""
    v2c_sim.charger.set_online(False)

    answer = await api(client, "POST", "/device/logo_led", value="0", **DEVICE)
    v2c_sim.charger.set_online(True)
    clock.advance(60)

    assert answer.status == 200
    assert v2c_sim.charger.state.logo_led
    assert v2c_sim.charger.dropped_commands == 1


async def test_charger_going_offline_before_apply(
    v2c_sim: SimHandle, client: ClientSession, clock: VirtualClock
) -> None:
    """A queued command is lost if the charger drops off before it lands."""
    v2c_sim.sim.apply_delay = 10
    await api(client, "POST", "/device/logo_led", value="0", **DEVICE)
    clock.advance(5)
    v2c_sim.charger.set_online(False)
    clock.advance(10)
    v2c_sim.charger.set_online(True)

    assert v2c_sim.charger.state.logo_led
    assert v2c_sim.charger.dropped_commands == 1


async def test_offline_reads_show_last_report(
    v2c_sim: SimHandle, client: ClientSession, clock: VirtualClock
) -> None:
    """While offline the cloud repeats the last report; the car keeps charging."""
    charger = v2c_sim.charger
    charger.plug_in(50)
    clock.advance(1800)
    charger.set_online(False)
    clock.advance(1800)

    live = (await api(client, "POST", "/device/currentstatecharge", **DEVICE)).body
    shadow = (await api(client, "GET", "/device/reported", **DEVICE)).body
    assert (live["energy"], live["seconds"]) == ("3.680000", "1800")
    assert shadow["charge_state"] == "2"
    assert charger.state.session_energy_kwh == 7.36

    charger.unplug()
    charger.set_online(True)
    live = (await api(client, "POST", "/device/currentstatecharge", **DEVICE)).body
    assert (live["energy"], live["charge_state"]) == ("7.360000", "0")


async def test_a_range_draws_each_commands_delay_from_it(
    v2c_sim: SimHandle, client: ClientSession, clock: VirtualClock
) -> None:
    """Commands apply at different moments within the range, and the draw repeats."""
    v2c_sim.sim.apply_delay = (5.0, 90.0)
    applied_after = []
    for amps in range(6, 16):
        await api(client, "POST", "/device/intensity", value=str(amps), **DEVICE)
        for waited in range(1, 92):
            clock.advance(1)
            body = (await api(client, "GET", "/device/reported", **DEVICE)).body
            if body["intensity"] == str(amps):
                applied_after.append(waited)
                break
    assert len(applied_after) == 10
    assert all(5 <= waited <= 91 for waited in applied_after)
    assert len(set(applied_after)) > 5
    expected = random.Random(0)
    assert applied_after == [math.ceil(expected.uniform(5, 90)) for _ in range(10)]
