"""Finish Home Assistant's onboarding for scripts/develop and name the page to open.

On a fresh configuration it creates the owner (user `dev`, password `dev`) through
HA's own onboarding API, so a newcomer logs in and lands on the charger's device
page; the location step is already marked done by dev_config.py, since it sets up
integrations that reach the internet. On later starts it only logs in to look the
device up. Prints the URL to open; talks to 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

import aiohttp

USERNAME = "dev"
PASSWORD = "dev"  # noqa: S105  # a local development instance, documented in the README
READY_TIMEOUT = 300.0
DEVICES_TIMEOUT = 30.0


class DevOnboarding:
    """The few onboarding, auth and websocket calls needed."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        """Talk to the instance at base_url."""
        self.session = session
        self.base_url = base_url
        self.client_id = f"{base_url}/"

    async def wait_ready(self, deadline: float) -> list[dict[str, Any]]:
        """Wait until HA's HTTP server answers; return the onboarding steps left.

        Once onboarding is complete HA no longer serves its API: a 404.
        """
        while True:
            try:
                async with self.session.get(f"{self.base_url}/api/onboarding") as resp:
                    if resp.status == 404:
                        return []
                    if resp.status == 200:
                        steps: list[dict[str, Any]] = await resp.json()
                        return steps
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("Home Assistant did not answer")
            await asyncio.sleep(1)

    async def token(self, code: str) -> str:
        """Exchange an authorization code for an access token."""
        async with self.session.post(
            f"{self.base_url}/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": self.client_id,
            },
        ) as resp:
            return str((await resp.json())["access_token"])

    async def onboard(self) -> str:
        """Create the owner and finish the remaining steps; return a token."""
        async with self.session.post(
            f"{self.base_url}/api/onboarding/users",
            json={
                "client_id": self.client_id,
                "name": "Developer",
                "username": USERNAME,
                "password": PASSWORD,
                "language": "en",
            },
        ) as resp:
            resp.raise_for_status()
            token = await self.token((await resp.json())["auth_code"])
        headers = {"Authorization": f"Bearer {token}"}
        for step, body in (
            ("analytics", {}),
            (
                "integration",
                {
                    "client_id": self.client_id,
                    "redirect_uri": f"{self.client_id}?auth_callback=1",
                },
            ),
        ):
            async with self.session.post(
                f"{self.base_url}/api/onboarding/{step}", json=body, headers=headers
            ) as resp:
                resp.raise_for_status()
        return token

    async def login(self) -> str | None:
        """Log in as the development user; None if its password was changed."""
        async with self.session.post(
            f"{self.base_url}/auth/login_flow",
            json={
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": f"{self.client_id}?auth_callback=1",
            },
        ) as resp:
            flow_id = (await resp.json())["flow_id"]
        async with self.session.post(
            f"{self.base_url}/auth/login_flow/{flow_id}",
            json={
                "client_id": self.client_id,
                "username": USERNAME,
                "password": PASSWORD,
            },
        ) as resp:
            result = await resp.json()
        if result.get("type") != "create_entry":
            return None
        return await self.token(result["result"])

    async def charger_page(self, token: str) -> str | None:
        """Return the path of the first V2C charger's device page, if any."""
        async with self.session.ws_connect(f"{self.base_url}/api/websocket") as ws:
            await ws.receive_json()
            await ws.send_json({"type": "auth", "access_token": token})
            if (await ws.receive_json())["type"] != "auth_ok":
                return None
            # The skipped location step would have set the country; without
            # it Home Assistant raises a repair about it.
            await ws.send_json({"id": 1, "type": "config/core/update", "country": "ES"})
            await ws.receive_json()
            chargers = await self._chargers(ws, time.monotonic() + DEVICES_TIMEOUT)
        if not chargers:
            return None
        # "Charger 1" is the develop scenario's Trydan, the one charging.
        first = min(chargers, key=lambda device: device["name"] or "")
        return f"/config/devices/device/{first['id']}"

    @staticmethod
    async def _chargers(
        ws: aiohttp.ClientWebSocketResponse, deadline: float
    ) -> list[dict[str, Any]]:
        # On a fresh configuration the entry may still be reading its chargers
        # when onboarding is done; their devices appear a few seconds later.
        message_id = 2
        while True:
            await ws.send_json(
                {"id": message_id, "type": "config/device_registry/list"}
            )
            devices = (await ws.receive_json()).get("result") or []
            chargers = [
                device
                for device in devices
                if any(domain == "v2c_cloud" for domain, _ in device["identifiers"])
            ]
            if chargers or time.monotonic() >= deadline:
                return chargers
            message_id += 1
            await asyncio.sleep(1)


async def run(base_url: str, shown_url: str) -> int:
    """Onboard if needed and print where to go."""
    async with aiohttp.ClientSession() as session:
        dev = DevOnboarding(session, base_url)
        steps = await dev.wait_ready(time.monotonic() + READY_TIMEOUT)
        if not all(step["done"] for step in steps):
            token: str | None = await dev.onboard()
            print(f"develop: created the user {USERNAME!r} with password {PASSWORD!r}")
        else:
            token = await dev.login()
        page = await dev.charger_page(token) if token else None
    page = page or "/config/integrations/integration/v2c_cloud"
    login = f"log in as {USERNAME} / {PASSWORD}" if token else "log in"
    print(f"develop: Home Assistant is up — open {shown_url}{page} and {login}")
    return 0


def main() -> int:
    """Entry point: dev_onboard.py BASE_URL SHOWN_URL."""
    return asyncio.run(run(sys.argv[1], sys.argv[2]))


if __name__ == "__main__":
    sys.exit(main())
