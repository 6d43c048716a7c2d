"""Browser check: Home Assistant's UI with v2c_cloud against the simulator, screenshotted.

Starts the simulator and a fresh Home Assistant on free 127.0.0.1 ports, onboards it
through the REST API, adds the integration with the config flow, toggles charging and
saves screenshots of the config flow dialog and the charger's device page, driving
headless Chromium over the DevTools protocol. Every process is stopped at the end.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from contextlib import contextmanager, suppress
import itertools
import json
import os
from pathlib import Path
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from typing import Any, cast
import urllib.error
import urllib.request

import aiohttp
import homeassistant

ROOT = Path(__file__).resolve().parents[1]
PY = ROOT / ".venv" / "bin" / "python"
SHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
HOST = "127.0.0.1"
API_KEY = "ui-check-key"
USERNAME = "admin"
PASSWORD = "ui-check-password"  # noqa: S105  # throwaway user of a throwaway instance
VIEWPORT = (1280, 900)
STARTUP_TIMEOUT = 180.0
RENDER_TIMEOUT = 60.0
# The venv's Python may be an older 3.13 patch than HA insists on; the tests run
# HA on it all the same, so the check does too rather than refusing to start.
HASS = (
    str(PY),
    "-c",
    (
        "import sys, homeassistant.__main__ as m; "
        "m.validate_python = lambda: None; sys.exit(m.main())"
    ),
)
PIP_INSTALL = (str(PY), "-m", "pip", "install", "--quiet", "--no-deps")
SIMULATOR = (
    *(str(PY), "-m", "v2c_simulator", "--api-key", API_KEY),
    *("--chargers", "2", "--models", "trydan,pole", "--scenario", "develop"),
    *("--delay", "3"),
)

# No default_config: zeroconf, ssdp, dhcp and the alerts feed talk to the network.
CONFIGURATION = """\
frontend:
config:
history:
logbook:
recorder:
http:
  server_host: {host}
  server_port: {port}
logger:
  default: warning
"""

# The deepest text of the page, across shadow roots, for waiting on what is shown.
PAGE_TEXT_JS = """
(() => {
  const parts = [];
  const walk = (node) => {
    if (node.shadowRoot) walk(node.shadowRoot);
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) parts.push(child.textContent);
      else if (!["SCRIPT", "STYLE"].includes(child.nodeName)) walk(child);
    }
  };
  walk(document);
  return parts.join(" ").replace(/\\s+/g, " ");
})()
"""

# Centre of the last visible element, across shadow roots, whose own text is the label.
FIND_JS = """
(() => {
  let found = null;
  const walk = (node) => {
    if (node.shadowRoot) walk(node.shadowRoot);
    for (const child of node.children || []) {
      const own = [...child.childNodes]
        .filter((n) => n.nodeType === Node.TEXT_NODE)
        .map((n) => n.textContent).join("").trim();
      const box = child.getBoundingClientRect();
      if (own === %s && box.width > 0) found = box;
      walk(child);
    }
  };
  walk(document);
  return found && [found.x + found.width / 2, found.y + found.height / 2];
})()
"""


class UICheckError(RuntimeError):
    """A step of the UI check failed."""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def apt_install_chromium() -> None:
    """Install Debian's chromium and chromium-driver unless they are there."""
    if CHROMIUM.exists() and shutil.which("chromedriver"):
        return
    if os.geteuid() != 0:
        raise UICheckError("chromium is missing and installing it needs root")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "chromium", "chromium-driver"],
        check=True,
        env=env,
    )


def frontend_path() -> Path:
    """Install HA's frontend package outside the venv, in a cache, and return it."""
    manifest = json.loads(
        (Path(homeassistant.__file__).parent / "components" / "frontend")
        .joinpath("manifest.json")
        .read_text()
    )
    requirement = next(
        req
        for req in manifest["requirements"]
        if req.startswith("home-assistant-frontend")
    )
    version = requirement.split("==")[1]
    target = (
        Path.home() / ".cache" / "v2c-ui-check" / f"home-assistant-frontend-{version}"
    )
    if not (target / "hass_frontend").is_dir():
        subprocess.run(
            [*PIP_INSTALL, "--target", str(target), requirement],
            check=True,
        )
    return target


@contextmanager
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Yield a list for started processes; stop every one of them on exit."""
    started: list[subprocess.Popen[bytes]] = []
    try:
        yield started
    finally:
        for proc in reversed(started):
            if proc.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in reversed(started):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def start(
    started: list[subprocess.Popen[bytes]],
    args: list[str],
    log: Path,
    env: dict[str, str] | None = None,
) -> None:
    """Start a process in its own session, its output going to log."""
    with log.open("wb") as out:
        started.append(
            subprocess.Popen(
                args,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
                env=env,
                start_new_session=True,
            )
        )


def wait_http(url: str, started: list[subprocess.Popen[bytes]]) -> None:
    """Wait until url answers with any HTTP status, or a process died."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if any(proc.poll() is not None for proc in started):
            raise UICheckError(f"a process exited while waiting for {url}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310  # 127.0.0.1 only
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.5)
    raise UICheckError(f"{url} did not answer within {STARTUP_TIMEOUT:.0f} s")


def write_config(config: Path, ha_port: int) -> None:
    """Write a minimal configuration and mark the onboarding step we skip as done.

    The core_config step sets up met and radio_browser, which reach the internet.
    """
    config.mkdir(parents=True)
    (config / "configuration.yaml").write_text(
        CONFIGURATION.format(host=HOST, port=ha_port)
    )
    (config / "custom_components").mkdir()
    (config / "custom_components" / "v2c_cloud").symlink_to(
        ROOT / "custom_components" / "v2c_cloud"
    )
    storage = config / ".storage"
    storage.mkdir()
    (storage / "onboarding").write_text(
        json.dumps(
            {
                "version": 4,
                "minor_version": 1,
                "key": "onboarding",
                "data": {"done": ["core_config"]},
            }
        )
    )


class HomeAssistantAPI:
    """The few REST and websocket calls the check needs."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        """Talk to the instance at base_url."""
        self.session = session
        self.base_url = base_url
        self.client_id = f"{base_url}/"
        self.tokens: dict[str, Any] = {}
        self._ids = itertools.count(1)
        self._ws: aiohttp.ClientWebSocketResponse | None = None

    @property
    def headers(self) -> dict[str, str]:
        """Return the authorization header."""
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}

    async def request(self, method: str, path: str, body: object = None) -> Any:
        """Send an authenticated REST request and return its JSON answer."""
        async with self.session.request(
            method, f"{self.base_url}{path}", json=body, headers=self.headers
        ) as resp:
            if resp.status >= 400:
                raise UICheckError(f"{method} {path}: HTTP {resp.status}")
            return await resp.json()

    async def onboard(self) -> None:
        """Create the owner, log in and finish the remaining onboarding steps."""
        async with self.session.post(
            f"{self.base_url}/api/onboarding/users",
            json={
                "client_id": self.client_id,
                "name": "UI check",
                "username": USERNAME,
                "password": PASSWORD,
                "language": "en",
            },
        ) as resp:
            code = (await resp.json())["auth_code"]
        async with self.session.post(
            f"{self.base_url}/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": self.client_id,
            },
        ) as resp:
            self.tokens = await resp.json()
        await self.request("POST", "/api/onboarding/analytics")
        await self.request(
            "POST",
            "/api/onboarding/integration",
            {
                "client_id": self.client_id,
                "redirect_uri": f"{self.client_id}?auth_callback=1",
            },
        )

    async def ws(self, message: dict[str, Any]) -> Any:
        """Send a websocket command and return its result."""
        if self._ws is None:
            self._ws = await self.session.ws_connect(f"{self.base_url}/api/websocket")
            await self._ws.receive_json()
            await self._ws.send_json(
                {"type": "auth", "access_token": self.tokens["access_token"]}
            )
            if (await self._ws.receive_json())["type"] != "auth_ok":
                raise UICheckError("websocket authentication failed")
        msg_id = next(self._ids)
        await self._ws.send_json({"id": msg_id, **message})
        while (answer := await self._ws.receive_json())["id"] != msg_id:
            pass
        if not answer["success"]:
            raise UICheckError(f"{message['type']}: {answer['error']}")
        return answer["result"]

    async def close(self) -> None:
        """Close the websocket."""
        if self._ws is not None:
            await self._ws.close()

    def local_storage_tokens(self) -> str:
        """Return the hassTokens value the frontend keeps in localStorage."""
        return json.dumps(
            {
                **self.tokens,
                "hassUrl": self.base_url,
                "clientId": self.client_id,
                "expires": int(time.time() * 1000) + self.tokens["expires_in"] * 1000,
            }
        )


class Browser:
    """One Chromium page driven over the DevTools protocol."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Drive the page behind ws."""
        self._ws = ws
        self._ids = itertools.count(1)

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Send a command and return its result, skipping events."""
        msg_id = next(self._ids)
        await self._ws.send_json({"id": msg_id, "method": method, "params": params})
        while True:
            answer = await self._ws.receive_json()
            if answer.get("id") == msg_id:
                if "error" in answer:
                    raise UICheckError(f"{method}: {answer['error']}")
                return cast("dict[str, Any]", answer["result"])

    async def text(self) -> str:
        """Return the page's visible text across shadow roots."""
        result = await self.send(
            "Runtime.evaluate", expression=PAGE_TEXT_JS, returnByValue=True
        )
        return str(result["result"].get("value", ""))

    async def open(self, url: str, *expected: str) -> None:
        """Load url and wait until every expected text is on the page."""
        await self.send("Page.navigate", url=url)
        await self.wait_for(*expected)

    async def click(self, label: str) -> None:
        """Click the element showing label, as a person would."""
        quoted = json.dumps(label)
        result = await self.send(
            "Runtime.evaluate",
            expression=FIND_JS % quoted,
            returnByValue=True,
        )
        point = result["result"].get("value")
        if not point:
            raise UICheckError(f"nothing to click shows {label!r}")
        for kind in ("mousePressed", "mouseReleased"):
            await self.send(
                "Input.dispatchMouseEvent",
                type=kind,
                x=point[0],
                y=point[1],
                button="left",
                clickCount=1,
            )

    async def wait_for(self, *expected: str) -> None:
        """Wait until every expected text is on the page."""
        deadline = time.monotonic() + RENDER_TIMEOUT
        text = ""
        while time.monotonic() < deadline:
            text = await self.text()
            if all(item in text for item in expected):
                await asyncio.sleep(1.5)  # let animations and icons settle
                return
            await asyncio.sleep(0.5)
        failed = Path(tempfile.gettempdir()) / "v2c-ui-check-failure.png"
        result = await self.send("Page.captureScreenshot", format="png")
        failed.write_bytes(base64.b64decode(result["data"]))
        raise UICheckError(
            f"the page never showed {expected} (page: {failed}, text: {text[-300:]!r})"
        )

    async def screenshot(self, name: str) -> Path:
        """Save a PNG of the viewport under docs/screenshots."""
        result = await self.send("Page.captureScreenshot", format="png")
        path = SHOTS / name
        path.write_bytes(base64.b64decode(result["data"]))
        return path


async def drive(base_url: str, sim_url: str, debug_port: int) -> None:
    """Onboard, configure, toggle and screenshot."""
    async with aiohttp.ClientSession() as session:
        hass = HomeAssistantAPI(session, base_url)
        await hass.onboard()
        await hass.ws(
            {
                "type": "frontend/set_user_data",
                "key": "core",
                "value": {"showAdvanced": True},
            }
        )
        async with session.get(f"http://{HOST}:{debug_port}/json/list") as resp:
            targets = await resp.json()
        page_ws = next(t for t in targets if t["type"] == "page")[
            "webSocketDebuggerUrl"
        ]
        async with session.ws_connect(page_ws, max_msg_size=0) as ws:
            browser = Browser(ws)
            await browser.send("Page.enable")
            await browser.send(
                "Emulation.setDeviceMetricsOverride",
                width=VIEWPORT[0],
                height=VIEWPORT[1],
                deviceScaleFactor=1,
                mobile=False,
            )
            await browser.send(
                "Page.addScriptToEvaluateOnNewDocument",
                source=(
                    "localStorage.setItem('hassTokens', "
                    f"{json.dumps(hass.local_storage_tokens())});"
                ),
            )
            await browser.open(
                f"{base_url}/config/integrations/dashboard", "Add integration"
            )
            await browser.click("Add integration")
            await browser.wait_for("Select brand")
            await browser.send("Input.insertText", text="V2C")
            await browser.wait_for("V2C Cloud")
            await browser.click("V2C Cloud")
            await browser.wait_for("Connect to V2C Cloud", "Server URL")
            print("saved", await browser.screenshot("config-flow.png"))
            flow = await hass.request(
                "POST",
                "/api/config/config_entries/flow",
                {"handler": "v2c_cloud", "show_advanced_options": True},
            )
            result = await hass.request(
                "POST",
                f"/api/config/config_entries/flow/{flow['flow_id']}",
                {"api_key": API_KEY, "base_url": sim_url},
            )
            if result["type"] != "create_entry":
                raise UICheckError(f"config flow ended with {result['type']}")
            entry_id = result["result"]["entry_id"]
            device, switch = await charger_and_switch(hass, entry_id)
            before = await hass.request("GET", f"/api/states/{switch}")
            await hass.request(
                "POST", "/api/services/switch/toggle", {"entity_id": switch}
            )
            after = await hass.request("GET", f"/api/states/{switch}")
            print(f"{switch}: {before['state']} -> {after['state']}")
            if after["state"] == before["state"]:
                raise UICheckError("toggling charging did not change the switch")
            await browser.open(
                f"{base_url}/config/devices/device/{device['id']}",
                device["name_by_user"] or device["name"],
                "Charging",
            )
            print("saved", await browser.screenshot("device-page.png"))
        await hass.close()


async def charger_and_switch(
    hass: HomeAssistantAPI, entry_id: str
) -> tuple[dict[str, Any], str]:
    """Return the entry's first charger device and its charging switch."""
    devices = await hass.ws({"type": "config/device_registry/list"})
    device = next(
        d
        for d in sorted(devices, key=lambda d: d["name"] or "")
        if entry_id in d["config_entries"]
    )
    entities = await hass.ws({"type": "config/entity_registry/list"})
    switch = next(
        e["entity_id"]
        for e in entities
        if e["device_id"] == device["id"]
        and e["entity_id"].startswith("switch.")
        and e["unique_id"].endswith("_charging")
    )
    return device, switch


def main() -> None:
    """Run the check and print how long it took."""
    began = time.monotonic()
    apt_install_chromium()
    frontend = frontend_path()
    SHOTS.mkdir(parents=True, exist_ok=True)
    sim_port, ha_port, debug_port = free_port(), free_port(), free_port()
    sim_url, base_url = f"http://{HOST}:{sim_port}", f"http://{HOST}:{ha_port}"
    with (
        tempfile.TemporaryDirectory(prefix="v2c-ui-check-") as tmp,
        processes() as started,
    ):
        work = Path(tmp)
        write_config(work / "config", ha_port)
        start(
            started,
            [*SIMULATOR, "--host", HOST, "--port", str(sim_port)],
            work / "simulator.log",
        )
        start(
            started,
            [*HASS, "-c", str(work / "config"), "--skip-pip"],
            work / "homeassistant.log",
            env={**os.environ, "PYTHONPATH": str(frontend)},
        )
        start(
            started,
            [
                str(CHROMIUM),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                f"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE {HOST}",
                f"--window-size={VIEWPORT[0]},{VIEWPORT[1]}",
                f"--user-data-dir={work / 'chromium'}",
                f"--remote-debugging-address={HOST}",
                f"--remote-debugging-port={debug_port}",
                "about:blank",
            ],
            work / "chromium.log",
        )
        try:
            wait_http(f"{sim_url}/", started)
            wait_http(f"http://{HOST}:{debug_port}/json/version", started)
            wait_http(f"{base_url}/api/onboarding", started)
            asyncio.run(drive(base_url, sim_url, debug_port))
        except Exception:
            log = (work / "homeassistant.log").read_text(errors="replace")
            print(log[-3000:], file=sys.stderr)
            raise
    print(f"ui-check passed in {time.monotonic() - began:.1f} s")


if __name__ == "__main__":
    main()
