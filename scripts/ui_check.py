"""Browser check: walk through Home Assistant's UI with v2c_cloud as a user would.

Starts the simulator and a throwaway Home Assistant on free 127.0.0.1 ports, onboards
it through its REST API, then drives Debian's Chromium with Playwright: add the
integration (first with a wrong server URL, to see the error), open the charger's
device page, the options and a repair issue, saving a screenshot of each under
docs/screenshots/. Every process is stopped at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
import json
import os
from pathlib import Path
import signal
import socket
import subprocess
import sys
import tempfile
import time
from typing import Any
import urllib.error
import urllib.request

from playwright.sync_api import (
    APIRequestContext,
    Page,
    ViewportSize,
    expect,
    sync_playwright,
)

ROOT = Path(__file__).resolve().parents[1]
PY = ROOT / ".venv" / "bin" / "python"
SHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
HOST = "127.0.0.1"
API_KEY = "ui-check-key"
USERNAME = "admin"
PASSWORD = "ui-check-password"  # noqa: S105  # throwaway user of a throwaway instance
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
STARTUP_TIMEOUT = 300.0
STEP_TIMEOUT_MS = 30_000
SIMULATOR = (
    *(str(PY), "-m", "v2c_simulator", "--api-key", API_KEY),
    *("--chargers", "2", "--models", "trydan,pole", "--scenario", "develop"),
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


class UICheckError(RuntimeError):
    """A step of the UI check failed."""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def apt_install_chromium() -> None:
    """Install Debian's chromium unless it is there."""
    if CHROMIUM.exists():
        return
    if os.geteuid() != 0:
        raise UICheckError("chromium is missing and installing it needs root")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "chromium"], check=True, env=env)


@contextmanager
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Yield a list for started processes; stop each once, then wait for it."""
    started: list[subprocess.Popen[bytes]] = []
    try:
        yield started
    finally:
        for proc in reversed(started):
            if proc.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def start(started: list[subprocess.Popen[bytes]], args: list[str], log: Path) -> None:
    """Start a process in its own session, its output going to log."""
    with log.open("wb") as out:
        started.append(
            subprocess.Popen(
                args,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
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
    """Write a minimal configuration and mark onboarding's location step done.

    That step sets up met and radio_browser, which reach the internet.
    """
    (config / "custom_components").mkdir(parents=True)
    (config / "configuration.yaml").write_text(
        CONFIGURATION.format(host=HOST, port=ha_port)
    )
    (config / "custom_components" / "v2c_cloud").symlink_to(
        ROOT / "custom_components" / "v2c_cloud"
    )
    (config / ".storage").mkdir()
    (config / ".storage" / "onboarding").write_text(
        json.dumps(
            {
                "version": 4,
                "minor_version": 1,
                "key": "onboarding",
                "data": {"done": ["core_config"]},
            }
        )
    )


def onboard(api: APIRequestContext, base_url: str) -> dict[str, Any]:
    """Create the owner, finish onboarding; return the frontend's stored tokens."""
    client_id = f"{base_url}/"
    user = api.post(
        "/api/onboarding/users",
        data={
            "client_id": client_id,
            "name": "UI check",
            "username": USERNAME,
            "password": PASSWORD,
            "language": "en",
        },
    )
    tokens: dict[str, Any] = api.post(
        "/auth/token",
        form={
            "grant_type": "authorization_code",
            "code": user.json()["auth_code"],
            "client_id": client_id,
        },
    ).json()
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    api.post("/api/onboarding/analytics", headers=auth, data={})
    api.post(
        "/api/onboarding/integration",
        headers=auth,
        data={"client_id": client_id, "redirect_uri": f"{client_id}?auth_callback=1"},
    )
    expires = int(time.time() * 1000) + tokens["expires_in"] * 1000
    return {**tokens, "hassUrl": base_url, "clientId": client_id, "expires": expires}


def call_ws(page: Page, message: dict[str, Any]) -> Any:
    """Send a websocket command through the frontend's own connection."""
    return page.evaluate(
        "(message) => document.querySelector('home-assistant').hass.callWS(message)",
        message,
    )


def see(page: Page, text: str, *, exact: bool = False) -> None:
    """Wait until the page shows text (dialogs keep a hidden copy of their title)."""
    expect(
        page.get_by_text(text, exact=exact).filter(visible=True).first
    ).to_be_visible()


def shot(page: Page, name: str) -> None:
    """Save a PNG of the viewport under docs/screenshots, once rendering settled."""
    page.wait_for_timeout(1500)  # icons and animations
    page.screenshot(path=SHOTS / name)
    print("saved", SHOTS / name)


def add_integration(page: Page, sim_url: str) -> None:
    """Add V2C Cloud: a wrong server path first (the form says so), then the right one."""
    page.goto("/config/integrations/dashboard")
    page.get_by_text("Add integration").click()
    page.get_by_label("Search for a brand name").fill("V2C")
    page.get_by_text("V2C Cloud", exact=True).click()
    see(page, "Connect to V2C Cloud")
    page.locator("input[type=password]").fill(API_KEY)
    # The server URL waits in a collapsed section, for every user.
    page.get_by_text("Advanced settings", exact=True).click()
    page.locator("input[type=url]").fill(f"{sim_url}/kong")
    page.get_by_role("button", name="Submit").click()
    see(page, "No V2C Cloud API answers at this URL")
    expect(page.locator("input[type=url]")).to_have_value(f"{sim_url}/kong")
    shot(page, "config-flow-error.png")
    page.locator("input[type=url]").fill(sim_url)
    page.get_by_role("button", name="Submit").click()
    page.get_by_role("button", name="Finish").click()


def check_device_page(page: Page) -> None:
    """Open the Trydan's device page from the integration, toggle charging, see it."""
    page.goto("/config/integrations/integration/v2c_cloud")
    page.get_by_text("Charger 1", exact=True).first.click()
    see(page, "Charging", exact=True)
    see(page, "Stop after energy")
    shot(page, "device-page.png")


def check_options(page: Page) -> None:
    """Open the entry's quota options from the Configure menu, keep fewer calls for commands, save."""
    page.goto("/config/integrations/integration/v2c_cloud")
    page.get_by_role("button", name="Configure").first.click()
    # Configure is a menu: the quota options, or a charger's Wi-Fi network.
    see(page, "Change a charger's Wi-Fi network")
    page.get_by_text("Quota options", exact=True).click()
    # The README's option names (the slider's label is not in the page's text).
    for label in ("Command reserve", "Poll idle chargers"):
        see(page, label)
    shot(page, "options.png")
    page.locator("input[type=number]").last.fill("40")
    page.get_by_role("button", name="Submit").click()
    see(page, "Options successfully saved")
    page.get_by_role("button", name="Finish").click()
    # A fresh page: a click while the saved flow's dialog still closes opens nothing.
    page.goto("/config/integrations/integration/v2c_cloud")
    page.get_by_role("button", name="Configure").first.click()
    page.get_by_text("Quota options", exact=True).click()
    expect(page.locator("input[type=number]").last).to_have_value("40")
    page.keyboard.press("Escape")


def check_repair(page: Page, sim_url: str, api: APIRequestContext) -> None:
    """Another program spends the key's quota: a command meets a 429, a repair appears.

    The 429 must show the day's calls gone: one with calls left (the early_429
    fault) is a short throttle, which raises no repair.
    """
    key_hash = api.get(f"{sim_url}/_sim/quota").json()[0]["key_hash"]
    api.post(f"{sim_url}/_sim/quota/{key_hash}/spend")
    switch = next(
        entity["entity_id"]
        for entity in call_ws(page, {"type": "config/entity_registry/list"})
        if entity["platform"] == "v2c_cloud"
        and entity["entity_id"].startswith("switch.")
        and entity["unique_id"].endswith("_charging")
    )
    with suppress(Exception):  # the command fails: that is the point
        call_ws(
            page,
            {
                "type": "call_service",
                "domain": "switch",
                "service": "toggle",
                "target": {"entity_id": switch},
            },
        )
    page.goto("/config/repairs")
    page.get_by_text("V2C Cloud daily quota used up by another program").click()
    see(page, "Polling is paused")
    shot(page, "repair-issue.png")


def drive(base_url: str, sim_url: str) -> None:
    """Onboard, then the user's steps in the browser."""
    with sync_playwright() as playwright:
        api = playwright.request.new_context(base_url=base_url)
        tokens = onboard(api, base_url)
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                f"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE {HOST}",
            ],
        )
        context = browser.new_context(base_url=base_url, viewport=VIEWPORT)
        context.set_default_timeout(STEP_TIMEOUT_MS)
        expect.set_options(timeout=STEP_TIMEOUT_MS)
        context.add_init_script(
            f"localStorage.setItem('hassTokens', {json.dumps(json.dumps(tokens))});"
        )
        page = context.new_page()
        try:
            page.goto("/config/integrations/dashboard")
            see(page, "Add integration")
            # Like onboarding's location step, which is skipped: no repair about it.
            call_ws(page, {"type": "config/core/update", "country": "ES"})
            add_integration(page, sim_url)
            check_device_page(page)
            check_options(page)
            check_repair(page, sim_url, api)
        except Exception:
            failed = Path(tempfile.gettempdir()) / "v2c-ui-check-failure.png"
            page.screenshot(path=failed)
            print(f"failed on {page.url}; page saved to {failed}", file=sys.stderr)
            raise
        finally:
            browser.close()
            api.dispose()


def main() -> None:
    """Run the check and print how long it took."""
    began = time.monotonic()
    # A TERM or HUP must unwind like Ctrl-C, so the children are stopped.
    for stop in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop, lambda number, _frame: sys.exit(128 + number))
    apt_install_chromium()
    SHOTS.mkdir(parents=True, exist_ok=True)
    sim_port, ha_port = free_port(), free_port()
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
            [
                str(PY),
                str(ROOT / "scripts" / "run_hass.py"),
                "-c",
                str(work / "config"),
                "--skip-pip",
            ],
            work / "homeassistant.log",
        )
        try:
            wait_http(f"{sim_url}/", started)
            wait_http(f"{base_url}/api/onboarding", started)
            drive(base_url, sim_url)
        except Exception:
            log = (work / "homeassistant.log").read_text(errors="replace")
            print(log[-3000:], file=sys.stderr)
            raise
    print(f"ui-check passed in {time.monotonic() - began:.1f} s")


if __name__ == "__main__":
    main()
