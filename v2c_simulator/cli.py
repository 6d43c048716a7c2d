"""Command line: run the simulator standalone on the system clock."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, time
import ipaddress
import signal
import sys
from typing import TextIO

from .charger import ApplyDelay, apply_delay_of, delay_bounds
from .quota import HeaderProfile
from .scenarios import SCENARIOS, ScenarioDriver
from .server import start_server
from .simulator import Simulator
from .state import Model, Wire

MAX_IDLE_S = 30.0


def _models(text: str) -> list[Model]:
    """Parse a comma-separated list of charger models."""
    try:
        return [Model(name.strip().lower()) for name in text.split(",") if name.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"models are {', '.join(Model)}") from None


def _reset_time(text: str) -> time:
    """Parse HH:MM."""
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected HH:MM") from None


def _delay(text: str) -> ApplyDelay:
    """Parse seconds, or LOW-HIGH to draw each command's delay from that range."""
    try:
        shortest, longest = delay_bounds(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected seconds or LOW-HIGH") from None
    if not 0 <= shortest <= longest:
        raise argparse.ArgumentTypeError("must not be negative, the shorter first")
    return apply_delay_of(shortest, longest)


def _positive(text: str) -> int:
    """Parse a positive integer."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _loopback(host: str) -> bool:
    """Return whether a host only listens locally."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser."""
    parser = argparse.ArgumentParser(
        prog="python -m v2c_simulator",
        description="Run a simulated V2C Cloud third-party API (system clock).",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=8321,
        help="port to listen on, 0 = any free port (default 8321)",
    )
    parser.add_argument(
        "--api-key",
        default="dev-simulator-key",
        help="API key of the simulated account",
    )
    parser.add_argument(
        "--chargers",
        type=_positive,
        default=1,
        help="number of chargers on the account (default 1)",
    )
    parser.add_argument(
        "--models",
        type=_models,
        default=[Model.TRYDAN],
        help="comma-separated models for the chargers, cycled (trydan, pole; default trydan)",
    )
    parser.add_argument(
        "--wire",
        type=Wire,
        choices=list(Wire),
        default=Wire.TRYDAN_2_4_6,
        help="how Trydans answer: as a real charger on firmware 2.4.6 (default) "
        "or as the API document shows",
    )
    parser.add_argument(
        "--fb-limits",
        action="store_true",
        help="send the current limits only as min_car_int_fb/max_car_int_fb",
    )
    parser.add_argument(
        "--daily-limit",
        type=_positive,
        default=1000,
        help="calls per key per day (default 1000)",
    )
    parser.add_argument(
        "--reset-time",
        type=_reset_time,
        default=time(0, 0),
        help="daily quota reset, HH:MM UTC (default 00:00)",
    )
    parser.add_argument(
        "--minute-limit",
        type=_positive,
        default=None,
        help="also limit calls per key per minute, as Kong can (default: no limit)",
    )
    parser.add_argument(
        "--quota-headers",
        choices=[profile.value for profile in HeaderProfile],
        default=HeaderProfile.KONG.value,
        help="rate-limit headers sent: Kong's full set, or only the documented two",
    )
    parser.add_argument(
        "--delay",
        type=_delay,
        default=0.0,
        help="seconds before a command takes effect, or LOW-HIGH to draw each "
        "command's from that range (default 0)",
    )
    parser.add_argument(
        "--scenario",
        choices=sorted(SCENARIOS),
        help="apply a scenario's timeline in real time (plug-ins, unplugs, outages)",
    )
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host other than a loopback address",
    )
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse and check the command line."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not _loopback(args.host) and not args.allow_remote:
        parser.error(
            f"refusing to listen on {args.host}: add --allow-remote to expose the simulator"
        )
    if not args.models:
        parser.error("--models needs at least one model")
    return args


def build(args: argparse.Namespace) -> tuple[Simulator, ScenarioDriver | None]:
    """Create the simulator, the account, its chargers and the scenario driver."""
    sim = Simulator(
        daily_limit=args.daily_limit,
        reset_time=args.reset_time,
        apply_delay=args.delay,
        wire=args.wire,
        fb_limits=args.fb_limits,
        minute_limit=args.minute_limit,
        header_profile=args.quota_headers,
    )
    account = sim.add_account(args.api_key)
    models: list[Model] = args.models
    for index in range(args.chargers):
        account.add_charger(models[index % len(models)], tag=f"Charger {index + 1}")
    driver = None
    if args.scenario:
        driver = ScenarioDriver(
            sim, SCENARIOS[args.scenario], sim.clock.now(), account=account
        )
    return sim, driver


async def _follow(sim: Simulator, driver: ScenarioDriver) -> None:
    """Apply the scenario timeline as real time passes."""
    while True:
        now = sim.clock.now()
        driver.apply_until(now)
        due = driver.next_event_at()
        wait = MAX_IDLE_S if due is None else (due - now).total_seconds()
        await asyncio.sleep(min(max(wait, 0.05), MAX_IDLE_S))


async def serve(
    args: argparse.Namespace, stop: asyncio.Event, out: TextIO = sys.stdout
) -> None:
    """Run until stop is set, printing where to connect."""
    sim, driver = build(args)
    server = await start_server(sim, args.host, args.port)
    account = sim.account(args.api_key)
    out.write(f"V2C Cloud simulator on {server.base_url}\n")
    out.write(f"API key: {args.api_key}\n")
    for charger in account.chargers:
        out.write(
            f"charger {charger.device_id} ({charger.model.value}, {charger.tag})\n"
        )
    if driver is not None:
        out.write(
            f"scenario {driver.scenario.name} from {datetime.now(UTC).isoformat()}\n"
        )
    out.flush()
    follower = asyncio.create_task(_follow(sim, driver)) if driver else None
    try:
        await stop.wait()
    finally:
        if follower is not None:
            follower.cancel()
            await asyncio.gather(follower, return_exceptions=True)
        await server.stop()


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of python -m v2c_simulator."""
    args = parse_args(argv)

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await serve(args, stop)

    asyncio.run(run())
