"""The admin API under /_sim/: never needs a key, never counted or logged."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from aiohttp import ClientSession
import pytest

from tests.sim_fixtures import SimHandle
from v2c_simulator import FaultKind, Simulator, SystemClock, key_hash
from v2c_simulator.server import start_server

from .helpers import api

DEVICE = "/_sim/chargers/TRY0001"


@pytest.fixture
async def admin(v2c_sim: SimHandle) -> AsyncGenerator[ClientSession]:
    """Return a session without an API key."""
    async with ClientSession(v2c_sim.base_url) as session:
        yield session


async def test_state_dump_hides_keys(v2c_sim: SimHandle, admin: ClientSession) -> None:
    """The dump shows accounts by key hash, chargers, quota and faults."""
    v2c_sim.sim.faults.set(FaultKind.HTTP_503, route="/version", count=2)

    body = (await api(admin, "GET", "/_sim/state")).body

    account = body["accounts"][0]
    assert account["key_hash"] == key_hash(v2c_sim.api_key)
    assert account["quota"]["remaining"] == 1000
    assert account["chargers"][0]["device_id"] == "TRY0001"
    assert account["chargers"][0]["connected"] is True
    assert body["faults"][0]["remaining"] == 2
    assert body["now"] == "2026-03-02T18:00:00+00:00"
    assert v2c_sim.api_key not in str(body)
    assert v2c_sim.sim.request_log == []


async def test_plug_unplug_and_connectivity(
    v2c_sim: SimHandle, admin: ClientSession
) -> None:
    """Plug a car, take the charger offline and back, unplug it."""
    plugged = await api(admin, "POST", f"{DEVICE}/plug", body={"energy_needed_kwh": 12})
    assert plugged.body["charge_state"] == 2
    assert plugged.body["car_energy_needed_kwh"] == 12
    assert (await api(admin, "POST", f"{DEVICE}/plug")).status == 409

    assert (await api(admin, "POST", f"{DEVICE}/offline")).body["connected"] is False
    assert (await api(admin, "POST", f"{DEVICE}/online")).body["connected"] is True

    await api(admin, "POST", "/_sim/clock/advance", seconds="3600")
    session = (await api(admin, "POST", f"{DEVICE}/unplug")).body["session"]
    assert session["energy_kwh"] == pytest.approx(7.36)
    assert (await api(admin, "POST", f"{DEVICE}/unplug")).body == {"session": None}
    assert (await api(admin, "POST", "/_sim/chargers/NOPE/plug")).status == 404


async def test_present_card(v2c_sim: SimHandle, admin: ClientSession) -> None:
    """A card presented through the admin API is learned in learning mode."""
    async with ClientSession(
        v2c_sim.base_url, headers={"apikey": v2c_sim.api_key}
    ) as client:
        await api(client, "POST", "/device/rfid", deviceId="TRY0001", tag="Ana")

    accepted = await api(admin, "POST", f"{DEVICE}/rfid", code="cafe01")
    missing = await api(admin, "POST", f"{DEVICE}/rfid")

    assert accepted.body == {"accepted": True}
    assert missing.status == 400
    assert v2c_sim.charger.state.rfid_cards[0].tag == "Ana"


async def test_faults_endpoints(v2c_sim: SimHandle, admin: ClientSession) -> None:
    """Faults can be set, listed and cleared at run time."""
    rule = await api(
        admin,
        "POST",
        "/_sim/faults",
        body={"kind": "http_502", "route": "/pairings/me", "count": 1},
    )
    assert rule.body["kind"] == "http_502"
    await api(
        admin,
        "POST",
        "/_sim/faults",
        body={"kind": "latency", "latency_s": 0.01, "duration_s": 60},
    )
    assert len((await api(admin, "GET", "/_sim/faults")).body) == 2

    async with ClientSession(
        v2c_sim.base_url, headers={"apikey": v2c_sim.api_key}
    ) as client:
        assert (await api(client, "GET", "/pairings/me")).status == 502

    assert (await api(admin, "DELETE", "/_sim/faults")).body == []
    assert v2c_sim.sim.faults.active == []
    bad = [
        await api(admin, "POST", "/_sim/faults", body={"kind": "meteor"}),
        await api(admin, "POST", "/_sim/faults", body={"kind": "hang", "route": 5}),
        await api(admin, "POST", "/_sim/faults", body=["hang"]),
    ]
    assert [(a.status, a.body["parameter"]) for a in bad] == [
        (400, "kind"),
        (400, "route"),
        (400, "body"),
    ]
    async with admin.post("/_sim/faults", data="{not json") as resp:
        assert resp.status == 400


async def test_log_endpoints(v2c_sim: SimHandle, admin: ClientSession) -> None:
    """The log is readable and clearable; admin calls never appear in it."""
    async with ClientSession(
        v2c_sim.base_url, headers={"apikey": v2c_sim.api_key}
    ) as client:
        await api(
            client,
            "POST",
            "/device/wifi",
            deviceId="TRY0001",
            ssid="N",
            password="secret-pw",
        )

    log = (await api(admin, "GET", "/_sim/log")).body
    assert [(r["path"], r["status"], r["counted"]) for r in log] == [
        ("/device/wifi", 200, True)
    ]
    assert log[0]["query"]["password"] == "<redacted:9>"
    assert log[0]["key_hash"] == key_hash(v2c_sim.api_key)
    assert (await api(admin, "DELETE", "/_sim/log")).body == []
    assert (await api(admin, "GET", "/_sim/log")).body == []


async def test_quota_endpoints(v2c_sim: SimHandle, admin: ClientSession) -> None:
    """Quota per key, addressed by key hash."""
    fingerprint = key_hash(v2c_sim.api_key)
    async with ClientSession(
        v2c_sim.base_url, headers={"apikey": v2c_sim.api_key}
    ) as client:
        await api(client, "GET", "/pairings/me")

    listed = (await api(admin, "GET", "/_sim/quota")).body
    one = (await api(admin, "GET", f"/_sim/quota/{fingerprint}")).body

    assert listed == [one]
    assert (one["key_hash"], one["used"], one["limit"]) == (fingerprint, 1, 1000)
    assert (await api(admin, "GET", "/_sim/quota/000000000000")).status == 404


async def test_spend_quota_endpoint(v2c_sim: SimHandle, admin: ClientSession) -> None:
    """Another program spends a key's calls: down to `leave`, then all of them."""
    spend = f"/_sim/quota/{key_hash(v2c_sim.api_key)}/spend"

    left = (await api(admin, "POST", spend, body={"leave": 3})).body
    gone = (await api(admin, "POST", spend)).body

    assert (left["remaining"], left["external_used"]) == (3, 997)
    assert (gone["remaining"], gone["external_used"]) == (0, 1000)
    async with ClientSession(
        v2c_sim.base_url, headers={"apikey": v2c_sim.api_key}
    ) as client:
        refused = await api(client, "GET", "/pairings/me")
    # A 429 whose headers show the day spent: what the integration calls quota used up.
    assert refused.status == 429
    assert refused.headers["X-RateLimit-Remaining-Day"] == "0"
    bad = [
        await api(admin, "POST", spend, body={"leave": -1}),
        await api(admin, "POST", spend, body={"leave": 1001}),
        await api(admin, "POST", "/_sim/quota/000000000000/spend"),
    ]
    assert [a.status for a in bad] == [400, 400, 404]
    assert [r.path for r in v2c_sim.sim.request_log] == ["/pairings/me"]


async def test_advance_clock(v2c_sim: SimHandle, admin: ClientSession) -> None:
    """The virtual clock moves through the admin API; bad values are refused."""
    moved = await api(admin, "POST", "/_sim/clock/advance", body={"seconds": 90})
    assert moved.body == {"now": "2026-03-02T18:01:30+00:00"}
    assert (await api(admin, "POST", "/_sim/clock/advance", seconds="-1")).status == 400


async def test_advance_refused_on_system_clock(socket_enabled: None) -> None:
    """A simulator on the system clock cannot be advanced."""
    sim = Simulator(SystemClock())
    server = await start_server(sim)
    try:
        async with ClientSession(server.base_url) as admin:
            answer = await api(admin, "POST", "/_sim/clock/advance", seconds="5")
    finally:
        await server.stop()
    assert answer.status == 409


async def test_unknown_admin_path(v2c_sim: SimHandle, admin: ClientSession) -> None:
    """Unknown admin paths are a 404 and are not logged."""
    assert (await api(admin, "GET", "/_sim/nothing")).status == 404
    assert v2c_sim.sim.request_log == []
