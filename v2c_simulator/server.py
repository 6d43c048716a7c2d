"""Serve a simulator over HTTP on a local port."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from .simulator import Simulator


@dataclass
class RunningServer:
    """A simulator listening on a socket."""

    sim: Simulator
    host: str
    port: int
    _runner: web.AppRunner

    @property
    def base_url(self) -> str:
        """Return the URL to give a client (no trailing slash)."""
        return f"http://{self.host}:{self.port}"

    async def stop(self) -> None:
        """Answer hanging requests, close connections and free the port."""
        self.sim.release_hangs()
        await self._runner.cleanup()


async def start_server(
    sim: Simulator, host: str = "127.0.0.1", port: int = 0
) -> RunningServer:
    """Start serving a simulator; port 0 picks a free port."""
    runner = web.AppRunner(sim.app, handler_cancellation=True, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError:
        await runner.cleanup()
        raise
    bound_port = runner.addresses[0][1]
    return RunningServer(sim, host, int(bound_port), runner)
