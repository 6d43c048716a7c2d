"""Commands whose connection never opened: nothing sent, nothing to confirm."""

from __future__ import annotations

from collections.abc import Generator
from contextlib import contextmanager
import socket

from homeassistant.const import SERVICE_TURN_ON, STATE_OFF, Platform
from homeassistant.exceptions import HomeAssistantError
import pytest

from custom_components.v2c_cloud.budget import CallKind
from custom_components.v2c_cloud.helpers import utcnow

from .control_helpers import Harness
from .read_helpers import run_for

PLATFORM = Platform.SWITCH
pytestmark = pytest.mark.usefixtures("all_enabled")

EXTRA_READS = {"/device/reported", "/device/connected"}


def _closed_port() -> int:
    """Return a loopback port nothing listens on: connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _cloud_unreachable(loaded: Harness) -> Generator[None]:
    """Make the entry's client fail to open any connection (refused, as DNS would)."""
    transport = loaded.entry.runtime_data.account.client._transport
    base_url = transport.base_url
    transport.base_url = f"http://127.0.0.1:{_closed_port()}"
    try:
        yield
    finally:
        transport.base_url = base_url


def _commands_today(loaded: Harness) -> int:
    snapshot = loaded.entry.runtime_data.planner.snapshot(utcnow())
    return snapshot.calls_today.get(CallKind.COMMAND, 0)


async def test_a_command_that_never_left_is_not_followed_by_confirmation_reads(
    loaded: Harness,
) -> None:
    """A command whose connection could not be opened costs no confirmation reads.

    The user turns a switch on while the cloud cannot be reached (DNS
    failing, connection refused, a TLS certificate error): no byte left, the
    transport takes the call back, the user gets "Could not communicate with
    the V2C Cloud". It used to be followed like a lost answer: a pending
    value, then two settings reads, a connectivity check and a live-state
    read once the cloud was back. Nothing beyond the regular poll is read.
    """
    hass = loaded.hass
    await run_for(hass, loaded.freezer, 30)
    loaded.sim.sim.clear_log()
    commands = _commands_today(loaded)

    with _cloud_unreachable(loaded), pytest.raises(HomeAssistantError) as err:
        await loaded.call("dynamic_power", SERVICE_TURN_ON)
    assert err.value.translation_key == "communication_error"
    # The transport knew the request never left: the call was taken back.
    assert _commands_today(loaded) == commands

    await run_for(hass, loaded.freezer, 3)

    assert loaded.state("dynamic_power").state == STATE_OFF
    extra = [
        (record.time.strftime("%H:%M:%S"), record.path)
        for record in loaded.sim.sim.request_log
        if record.path in EXTRA_READS
    ]
    assert extra == [], "reads spent confirming a command that was never sent"
