"""The command line: flags, safety checks and a real start/stop."""

from __future__ import annotations

import asyncio
from datetime import time
import io
import signal
import subprocess
import sys

from aiohttp import ClientSession
import pytest

from v2c_simulator import cli
from v2c_simulator.quota import HeaderProfile
from v2c_simulator.state import Model, Wire

from .helpers import api

FLAGS = (
    "--host",
    "--port",
    "--api-key",
    "--chargers",
    "--models",
    "--daily-limit",
    "--reset-time",
    "--minute-limit",
    "--quota-headers",
    "--delay",
    "--scenario",
    "--allow-remote",
)


def test_help_documents_every_flag(capsys: pytest.CaptureFixture[str]) -> None:
    """--help lists every flag and exits cleanly."""
    with pytest.raises(SystemExit) as exit_info:
        cli.parse_args(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for flag in FLAGS:
        assert flag in text
    assert "commuter" in text


def test_module_entry_point_help() -> None:
    """Python -m v2c_simulator --help works from a shell."""
    result = subprocess.run(
        [sys.executable, "-m", "v2c_simulator", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "--allow-remote" in result.stdout


def test_parse_arguments() -> None:
    """Every flag is parsed into its type."""
    args = cli.parse_args(
        [
            "--host",
            "127.0.0.1",
            "--port",
            "8321",
            "--api-key",
            "KEY",
            "--chargers",
            "2",
            "--daily-limit",
            "500",
            "--scenario",
            "develop",
            "--delay",
            "3",
            "--models",
            "trydan,Pole",
            "--reset-time",
            "02:30",
            "--wire",
            "document",
            "--fb-limits",
            "--minute-limit",
            "30",
            "--quota-headers",
            "documented",
        ]
    )
    assert (args.host, args.port, args.api_key, args.chargers) == (
        "127.0.0.1",
        8321,
        "KEY",
        2,
    )
    assert (args.daily_limit, args.scenario, args.delay) == (500, "develop", 3.0)
    assert args.models == [Model.TRYDAN, Model.POLE]
    assert args.reset_time == time(2, 30)
    assert (args.wire, args.fb_limits) == (Wire.DOCUMENT, True)
    sim = cli.build(args)[0]
    assert sim.wire is Wire.DOCUMENT
    assert (sim.minute_limit, sim.header_profile) == (30, HeaderProfile.DOCUMENTED)
    defaults = cli.parse_args([])
    assert (defaults.minute_limit, defaults.quota_headers) == (None, "kong")
    assert (defaults.wire, defaults.fb_limits) == (Wire.TRYDAN_2_4_6, False)
    assert (defaults.host, defaults.chargers, defaults.models, defaults.scenario) == (
        "127.0.0.1",
        1,
        [Model.TRYDAN],
        None,
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["--host", "192.0.2.10"],
        ["--host", "example.org"],
        ["--chargers", "0"],
        ["--models", "trydan,wallbox"],
        ["--models", ","],
        ["--delay", "-1"],
        ["--delay", "90-5"],
        ["--delay", "soon"],
        ["--reset-time", "25:00"],
        ["--scenario", "nope"],
        ["--minute-limit", "0"],
        ["--quota-headers", "draft"],
    ],
)
def test_bad_arguments_are_refused(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Nonsense and non-loopback hosts end with a usage error."""
    with pytest.raises(SystemExit) as exit_info:
        cli.parse_args(argv)
    assert exit_info.value.code == 2
    assert "error" in capsys.readouterr().err


def test_remote_host_needs_allow_remote() -> None:
    """--allow-remote unlocks other hosts; localhost and ::1 are loopback."""
    assert (
        cli.parse_args(["--host", "192.0.2.10", "--allow-remote"]).host == "192.0.2.10"
    )
    assert cli.parse_args(["--host", "localhost"]).host == "localhost"
    assert cli.parse_args(["--host", "::1"]).host == "::1"


def test_build_chargers_cycle_models() -> None:
    """--chargers 3 --models trydan,pole makes Trydan, Pole, Trydan."""
    sim, driver = cli.build(
        cli.parse_args(["--chargers", "3", "--models", "trydan,pole"])
    )
    models = [c.model for c in sim.account("dev-simulator-key").chargers]
    assert models == [Model.TRYDAN, Model.POLE, Model.TRYDAN]
    assert driver is None


async def test_serve_prints_and_answers(socket_enabled: None) -> None:
    """The server starts, prints where to connect, follows the scenario and stops."""
    args = cli.parse_args(
        [
            "--port",
            "0",
            "--api-key",
            "cli-key",
            "--chargers",
            "2",
            "--models",
            "trydan,pole",
            "--scenario",
            "develop",
        ]
    )
    stop = asyncio.Event()
    out = io.StringIO()
    task = asyncio.create_task(cli.serve(args, stop, out))
    for _ in range(100):
        if "scenario" in out.getvalue():
            break
        await asyncio.sleep(0.02)

    lines = out.getvalue().splitlines()
    base_url = lines[0].split(" on ")[1]
    assert base_url.startswith("http://127.0.0.1:")
    assert lines[1] == "API key: cli-key"
    assert lines[2].startswith("charger TRY0001 (trydan")
    assert lines[3].startswith("charger POL0001 (pole")
    async with ClientSession(base_url, headers={"apikey": "cli-key"}) as client:
        pairings = (await api(client, "GET", "/pairings/me")).body
    assert [p["deviceId"] for p in pairings] == ["TRY0001", "POL0001"]

    stop.set()
    await asyncio.wait_for(task, 5)


def test_main_runs_until_interrupted() -> None:
    """Python -m v2c_simulator serves until SIGINT, then exits cleanly."""
    process = subprocess.Popen(
        [sys.executable, "-m", "v2c_simulator", "--port", "0", "--api-key", "main-key"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        assert first_line.startswith("V2C Cloud simulator on http://127.0.0.1:")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
        process.wait()


@pytest.mark.parametrize(
    ("given", "delay"), [("3", 3.0), ("5-90", (5.0, 90.0)), ("45-45", 45.0)]
)
def test_a_delay_or_a_range_of_delays_is_read(given: str, delay: object) -> None:
    """A real charger takes from a few seconds up to about 90 s: a range plays that."""
    args = cli.parse_args(["--delay", given])
    assert args.delay == delay
    assert cli.build(args)[0].apply_delay == delay
