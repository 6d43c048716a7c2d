"""Transport behaviour the simulator cannot show, against small stand-in servers."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
import socket
import threading
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
import pytest

from custom_components.v2c_cloud.api import (
    DEFAULT_BASE_URL,
    Language,
    V2CClient,
    V2CConnectionError,
    V2CRateLimitError,
    V2CResponseError,
    V2CThrottledError,
    transport,
)
from custom_components.v2c_cloud.api.client import OFF_LOOP_ITEMS
from custom_components.v2c_cloud.api.models import QuotaSnapshot, RfidCard
from custom_components.v2c_cloud.api.parsing import decode_body
from custom_components.v2c_cloud.api.transport import (
    LAST_RESPONSES_SIZE,
    OFF_LOOP_BYTES,
)
from tests.api.conftest import Serve
from tests.sim_fixtures import DEFAULT_DEVICE_ID as D, SimHandle
from v2c_simulator import FaultKind

STATE = {"charge_state": "1", "power": "0.000000"}


async def test_state_path_falls_back_and_is_remembered(
    session: aiohttp.ClientSession, serve: Serve
) -> None:
    hits: list[str] = []

    async def seed_path(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.json_response(STATE)

    async def missing(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.json_response({"message": "no Route matched"}, status=404)

    app = web.Application()
    app.router.add_post("/device/currentstatecharge", seed_path)
    app.router.add_post("/thirdparty/device/currentstatecharge", missing)
    client = V2CClient("key", session=session, base_url=await serve(app))

    first = await client.get_current_state(D)
    second = await client.get_current_state(D)

    assert first == second
    assert first.charge_state == 1
    assert hits == [
        "/thirdparty/device/currentstatecharge",
        "/device/currentstatecharge",
        "/device/currentstatecharge",
    ]
    assert client.calls_made == 3


async def test_a_charger_not_read_yet_starts_on_the_path_that_last_worked(
    session: aiohttp.ClientSession, serve: Serve
) -> None:
    """Where every charger answers on one path, only the first read finds it."""
    hits: list[tuple[str, str]] = []

    async def seed_path(request: web.Request) -> web.Response:
        hits.append((request.path, request.query["deviceId"]))
        return web.json_response(STATE)

    async def missing(request: web.Request) -> web.Response:
        hits.append((request.path, request.query["deviceId"]))
        return web.json_response({"message": "no Route matched"}, status=404)

    app = web.Application()
    app.router.add_post("/device/currentstatecharge", seed_path)
    app.router.add_post("/thirdparty/device/currentstatecharge", missing)
    client = V2CClient("key", session=session, base_url=await serve(app))

    await client.get_current_state(D)
    await client.get_current_state("POL0001")

    assert hits == [
        ("/thirdparty/device/currentstatecharge", D),
        ("/device/currentstatecharge", D),
        ("/device/currentstatecharge", "POL0001"),
    ]


async def test_a_retired_state_path_moves_to_the_other(
    session: aiohttp.ClientSession, serve: Serve
) -> None:
    """The path that worked starts answering 404: the other one is tried and kept."""
    hits: list[str] = []
    retired = False

    async def thirdparty(request: web.Request) -> web.Response:
        hits.append(request.path)
        if retired:
            return web.json_response({"message": "no Route matched"}, status=404)
        return web.json_response(STATE)

    async def seed_path(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.json_response(STATE)

    app = web.Application()
    app.router.add_post("/device/currentstatecharge", seed_path)
    app.router.add_post("/thirdparty/device/currentstatecharge", thirdparty)
    client = V2CClient("key", session=session, base_url=await serve(app))

    await client.get_current_state(D)
    retired = True
    await client.get_current_state(D)
    await client.get_current_state(D)

    assert hits == [
        "/thirdparty/device/currentstatecharge",
        "/thirdparty/device/currentstatecharge",
        "/device/currentstatecharge",
        "/device/currentstatecharge",
    ]
    assert client.calls_made == 4


async def test_redirect_is_not_followed(
    session: aiohttp.ClientSession, serve: Serve
) -> None:
    followed: list[str] = []

    async def moved(_request: web.Request) -> web.Response:
        raise web.HTTPFound("/elsewhere")

    async def elsewhere(request: web.Request) -> web.Response:
        followed.append(request.headers.get("apikey", ""))
        return web.json_response([])

    app = web.Application()
    app.router.add_get("/pairings/me", moved)
    app.router.add_get("/elsewhere", elsewhere)
    client = V2CClient("key", session=session, base_url=await serve(app))

    with pytest.raises(V2CResponseError) as info:
        await client.get_pairings()

    assert info.value.status == 302
    assert followed == []


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<html><body><h1>Maintenance</h1></body></html>", "text/html"),
        (b"  <!DOCTYPE html><p>Maintenance</p>", "application/json"),
    ],
)
async def test_html_on_success_is_response_error(
    session: aiohttp.ClientSession, serve: Serve, body: bytes, content_type: str
) -> None:
    async def page(_request: web.Request) -> web.Response:
        return web.Response(body=body, content_type=content_type)

    app = web.Application()
    app.router.add_post("/device/startcharge", page)
    client = V2CClient("key", session=session, base_url=await serve(app))

    with pytest.raises(V2CResponseError) as info:
        await client.start_charge(D)

    assert info.value.status == 200
    assert "Maintenance" in info.value.excerpt
    assert "<" not in info.value.excerpt


async def test_json_sent_as_text_plain_is_acceptable(
    session: aiohttp.ClientSession, serve: Serve
) -> None:
    """A handler that produces text/plain answers 406 to a client refusing it."""

    async def plain(request: web.Request) -> web.Response:
        if not {"text/plain", "*/*"} & {
            media.split(";")[0].strip()
            for media in request.headers["Accept"].split(",")
        }:
            return web.Response(status=406)
        return web.Response(text='{"versionId": "2.4.6"}', content_type="text/plain")

    app = web.Application()
    app.router.add_get("/version", plain)
    client = V2CClient("key", session=session, base_url=await serve(app))

    assert (await client.get_firmware_version(D)).version == "2.4.6"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        # A Spring text/plain String answer is ISO-8859-1 unless told otherwise.
        ("José Núñez".encode("iso-8859-1"), "text/plain;charset=ISO-8859-1"),
        # UTF-8 labelled ISO-8859-1 is as common: the bytes decide.
        ("José Núñez".encode(), "text/plain;charset=ISO-8859-1"),
        ("José Núñez".encode(), "application/json"),
    ],
)
async def test_card_names_keep_their_accents(
    session: aiohttp.ClientSession, serve: Serve, body: bytes, content_type: str
) -> None:
    async def cards(_request: web.Request) -> web.Response:
        payload = b'[{"code": "aa23b601", "tag": "' + body + b'"}]'
        return web.Response(body=payload, headers={"Content-Type": content_type})

    app = web.Application()
    app.router.add_get("/device/rfid", cards)
    client = V2CClient("key", session=session, base_url=await serve(app))

    assert [card.tag for card in await client.list_rfid_cards(D)] == ["José Núñez"]


@pytest.mark.parametrize("charset", ["base64", "rot13", "zlib"])
async def test_a_charset_that_is_no_text_encoding_is_read_as_utf8(
    session: aiohttp.ClientSession, serve: Serve, charset: str
) -> None:
    """Python knows these codecs, but they turn bytes into bytes: no text comes out."""

    async def cards(_request: web.Request) -> web.Response:
        payload = b'[{"code": "aa23b601", "tag": "Jos\xe9"}]'
        return web.Response(
            body=payload, headers={"Content-Type": f"text/plain;charset={charset}"}
        )

    app = web.Application()
    app.router.add_get("/device/rfid", cards)
    client = V2CClient("key", session=session, base_url=await serve(app))

    assert [card.tag for card in await client.list_rfid_cards(D)] == ["Jos\ufffd"]


@pytest.mark.parametrize(
    ("body", "carried"),
    [
        ({"status": 500, "message": f"Device {D} not reachable"}, 500),
        ({"status": "404", "error": "Not Found", "path": "/device/startcharge"}, 404),
        ({"status": 200, "message": "OK"}, None),
        ({"status": 500}, None),
        ({"status": True, "message": "done"}, None),
        ("OK", None),
    ],
)
async def test_an_error_object_on_success_is_a_failure(
    session: aiohttp.ClientSession,
    serve: Serve,
    body: object,
    carried: int | None,
) -> None:
    """A command the backend refused inside an HTTP 200 was not applied."""

    async def wrapped(_request: web.Request) -> web.Response:
        return web.json_response(body)

    app = web.Application()
    app.router.add_post("/device/startcharge", wrapped)
    client = V2CClient("key", session=session, base_url=await serve(app))

    if carried is None:
        await client.start_charge(D)
        return
    with pytest.raises(V2CResponseError) as info:
        await client.start_charge(D)
    assert info.value.status == carried
    assert info.value.reason
    assert D not in str(info.value.reason)
    assert client.calls_made == 1


async def test_non_utf8_and_plain_text_bodies(
    session: aiohttp.ClientSession, serve: Serve
) -> None:
    async def latin1(_request: web.Request) -> web.Response:
        return web.Response(
            body="Versión 2.1".encode("latin-1"), content_type="text/plain"
        )

    app = web.Application()
    app.router.add_get("/version", latin1)
    client = V2CClient("key", session=session, base_url=await serve(app))

    version = await client.get_firmware_version(D)

    assert version.version == "Versi\ufffdn 2.1"


@pytest.mark.parametrize("status", [400, 200])
async def test_an_error_reason_is_read_in_its_declared_charset(
    session: aiohttp.ClientSession, serve: Serve, status: int
) -> None:
    """The reason reaches the user's log; a Latin-1 one must not come out garbled."""

    async def refused(_request: web.Request) -> web.Response:
        body = '{"status": 400, "message": "Parámetro inválido"}'
        return web.Response(
            status=status,
            body=body.encode("iso-8859-1"),
            headers={"Content-Type": "application/json;charset=ISO-8859-1"},
        )

    app = web.Application()
    app.router.add_post("/device/startcharge", refused)
    client = V2CClient("key", session=session, base_url=await serve(app))

    with pytest.raises(V2CResponseError) as info:
        await client.start_charge(D)
    assert info.value.reason == "Parámetro inválido"
    assert "Parámetro inválido" in info.value.excerpt


async def test_long_error_excerpt_is_cut(
    session: aiohttp.ClientSession, serve: Serve
) -> None:
    async def noisy(_request: web.Request) -> web.Response:
        return web.Response(status=500, text="<b>oops</b> " * 100)

    app = web.Application()
    app.router.add_get("/pairings/me", noisy)
    client = V2CClient("key", session=session, base_url=await serve(app))

    with pytest.raises(V2CResponseError) as info:
        await client.get_pairings()

    assert len(info.value.excerpt) == 200
    assert info.value.excerpt.startswith("oops oops")


@pytest.mark.parametrize(
    "status",
    ["²", "①", "5" * 5000, "500.0"],
    ids=["superscript", "circled", "5000-digits", "decimal"],
)
async def test_an_odd_status_in_an_error_object_is_not_a_crash(
    session: aiohttp.ClientSession, serve: Serve, status: str
) -> None:
    """Digits int() refuses are no status: the object is still no list of chargers."""

    async def odd(_request: web.Request) -> web.Response:
        return web.json_response({"status": status, "message": "boom"})

    app = web.Application()
    app.router.add_get("/pairings/me", odd)
    client = V2CClient("key", session=session, base_url=await serve(app))

    with pytest.raises(V2CResponseError):
        await client.get_pairings()


async def test_last_responses_is_bounded(v2c_sim: SimHandle, client: V2CClient) -> None:
    calls = [
        client.set_intensity(D, 10),
        client.set_locked(D, True),
        client.set_dynamic(D, True),
        client.set_logo_led(D, True),
        client.set_ocpp(D, True),
        client.set_rfid_reader(D, True),
        client.set_max_power(D, 4000),
        client.set_denka_max_power(D, 4000),
        client.set_language(D, Language.SPANISH),
        client.set_max_car_intensity(D, 30),
        client.set_min_car_intensity(D, 7),
        client.set_charge_until_minutes(D, 30),
        client.start_charge(D),
        client.pause_charge(D),
        client.list_rfid_cards(D),
        client.list_power_profiles(D),
    ]
    assert len(calls) == LAST_RESPONSES_SIZE
    await client.get_pairings()
    for call in calls:
        await call

    assert len(client.last_responses) == LAST_RESPONSES_SIZE
    assert "get_pairings" not in client.last_responses
    assert next(iter(client.last_responses)) == "set_intensity"
    assert client.last_responses["set_locked"] == {
        "message": "Command executed successfully"
    }
    assert client.last_responses["list_power_profiles"] == []


async def test_own_session_is_closed(v2c_sim: SimHandle) -> None:
    async with V2CClient(v2c_sim.api_key, base_url=v2c_sim.base_url + "/") as client:
        assert [p.device_id for p in await client.get_pairings()] == [D]
        own = client._transport._session
        assert own is not None
        assert not own.closed
    assert own.closed
    await client.close()


async def test_injected_session_stays_open(
    v2c_sim: SimHandle, session: aiohttp.ClientSession
) -> None:
    async with V2CClient(
        v2c_sim.api_key, session=session, base_url=v2c_sim.base_url
    ) as client:
        await client.get_pairings()
    assert not session.closed


def test_repr_and_defaults_hide_key() -> None:
    client = V2CClient("super-secret-key")
    assert repr(client) == f"V2CClient(base_url={DEFAULT_BASE_URL!r})"
    assert "super-secret-key" not in repr(vars(client))
    assert client.quota is None
    assert client.calls_made == 0
    assert dict(client.last_responses) == {}


def test_default_base_url_is_v2c_production_gateway() -> None:
    assert DEFAULT_BASE_URL == "https://v2c.cloud/kong/v2c_service"
    assert repr(V2CClient("key")) == (
        "V2CClient(base_url='https://v2c.cloud/kong/v2c_service')"
    )


class RecordingListener:
    """A call listener that writes down what it hears."""

    def __init__(self) -> None:
        """Start having heard nothing."""
        self.sent: list[tuple[str, str | None]] = []
        self.not_left: list[tuple[str, str | None]] = []
        self.unheard: list[tuple[str, str | None]] = []
        self.refused: list[V2CRateLimitError] = []
        # Every event in order, the quota listener's too when it is `quota`.
        self.events: list[str] = []

    def sending(self, operation: str, device_id: str | None) -> None:
        self.sent.append((operation, device_id))
        self.events.append(f"sending {operation}")

    def not_counted(self, operation: str, device_id: str | None) -> None:
        self.not_left.append((operation, device_id))
        self.events.append(f"not_counted {operation}")

    def unanswered(self, operation: str, device_id: str | None) -> None:
        self.unheard.append((operation, device_id))
        self.events.append(f"unanswered {operation}")

    def rate_limited(self, err: V2CRateLimitError) -> None:
        self.refused.append(err)
        self.events.append("rate_limited")

    def quota(self, snapshot: QuotaSnapshot) -> None:
        self.events.append(f"quota {snapshot.remaining}")


async def test_call_listener_hears_every_request_and_each_429(
    session: aiohttp.ClientSession, serve: Serve
) -> None:
    """A fallback path is a second request on the wire; a 429 is reported once.

    The refused request reached the gateway but is not counted: it is taken
    back.
    """

    async def seed_path(_request: web.Request) -> web.Response:
        return web.json_response(STATE)

    async def missing(_request: web.Request) -> web.Response:
        return web.json_response({"message": "no Route matched"}, status=404)

    async def refused(_request: web.Request) -> web.Response:
        return web.json_response(
            {"message": "API rate limit exceeded"},
            status=429,
            headers={"Retry-After": "60"},
        )

    app = web.Application()
    app.router.add_post("/device/currentstatecharge", seed_path)
    app.router.add_post("/thirdparty/device/currentstatecharge", missing)
    app.router.add_get("/pairings/me", refused)
    listener = RecordingListener()
    client = V2CClient(
        "key", session=session, base_url=await serve(app), call_listener=listener
    )

    await client.get_current_state(D)
    with pytest.raises(V2CRateLimitError) as info:
        await client.get_pairings()

    assert listener.sent == [
        ("get_current_state", D),
        ("get_current_state", D),
        ("get_pairings", None),
    ]
    assert listener.refused == [info.value]
    assert listener.not_left == [("get_pairings", None)]
    assert client.calls_made == len(listener.sent)


async def test_a_429_without_any_header_leaves_the_verdict_to_the_listener(
    session: aiohttp.ClientSession, serve: Serve
) -> None:
    """No Retry-After, no quota header: the client cannot tell a pause from the day's end."""

    async def counted(_request: web.Request) -> web.Response:
        return web.json_response(
            [], headers={"RateLimit-Limit": "1000", "RateLimit-Remaining": "997"}
        )

    async def bare(_request: web.Request) -> web.Response:
        return web.json_response({"message": "Too Many Requests"}, status=429)

    app = web.Application()
    app.router.add_get("/pairings/me", counted)
    app.router.add_get("/device/reported", bare)
    listener = RecordingListener()
    client = V2CClient(
        "key", session=session, base_url=await serve(app), call_listener=listener
    )
    await client.get_pairings()
    with pytest.raises(V2CRateLimitError) as info:
        await client.get_reported(D)

    assert listener.refused == [info.value]
    assert not isinstance(info.value, V2CThrottledError)
    assert (info.value.reset_at, info.value.remaining) == (None, None)
    assert client.quota is not None
    assert client.quota.remaining == 997


async def test_an_answer_cut_off_mid_body_is_counted_once(
    session: aiohttp.ClientSession, serve: Serve
) -> None:
    """The cloud answered, so it counted the call: nothing is taken back."""

    async def cut_off(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": "100"})
        await response.prepare(request)
        await response.write(b'{"charge_state": ')
        assert request.transport is not None
        request.transport.close()
        return response

    app = web.Application()
    app.router.add_get("/pairings/me", cut_off)
    listener = RecordingListener()
    client = V2CClient(
        "key", session=session, base_url=await serve(app), call_listener=listener
    )
    with pytest.raises(V2CConnectionError):
        await client.get_pairings()

    assert listener.sent == [("get_pairings", None)]
    assert listener.not_left == []
    assert client.calls_made == 1


class NoSuchHost(AbstractResolver):
    """A resolver for which no name exists, as during a DNS outage."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    async def close(self) -> None:
        """Hold nothing to close."""


@pytest.mark.parametrize(
    ("base_url", "resolver"),
    [("http://127.0.0.1:9", None), ("http://cloud.invalid", NoSuchHost)],
    ids=["refused", "dns"],
)
async def test_a_request_that_could_not_connect_is_taken_back(
    socket_enabled: None, base_url: str, resolver: type[AbstractResolver] | None
) -> None:
    """No byte left: the listener takes back the call it heard about.

    The error says so (`sent` False): sending the command again is safe.
    """
    listener = RecordingListener()
    connector = aiohttp.TCPConnector(resolver=None if resolver is None else resolver())
    async with aiohttp.ClientSession(connector=connector) as session:
        client = V2CClient(
            "key", session=session, base_url=base_url, call_listener=listener
        )
        with pytest.raises(V2CConnectionError) as info:
            await client.start_charge(D)

    assert info.value.sent is False
    assert listener.sent == listener.not_left == [("start_charge", D)]
    assert client.calls_made == 0


@pytest.mark.parametrize(
    "fault", [FaultKind.HANG, FaultKind.DROP_CONNECTION], ids=["timeout", "dropped"]
)
async def test_a_request_that_may_have_reached_the_cloud_stays_counted(
    v2c_sim: SimHandle, session: aiohttp.ClientSession, fault: FaultKind
) -> None:
    """A timeout or a dropped connection may come after the cloud took the call."""
    listener = RecordingListener()
    client = V2CClient(
        v2c_sim.api_key,
        session=session,
        base_url=v2c_sim.base_url,
        request_timeout=0.2,
        call_listener=listener,
    )
    v2c_sim.sim.faults.set(fault, route="/device/startcharge", count=1)
    with pytest.raises(V2CConnectionError) as info:
        await client.start_charge(D)
    v2c_sim.sim.release_hangs()

    assert info.value.sent is True
    assert listener.sent == [("start_charge", D)]
    assert listener.not_left == listener.unheard == []
    assert client.calls_made == 1


async def test_an_unanswered_request_a_header_overtook_is_reported(
    v2c_sim: SimHandle, session: aiohttp.ClientSession
) -> None:
    """A header came while it was in flight: the listener hears it ended unanswered.

    That header took it as not counted yet; no answer of its own will say
    whether it was.
    """
    listener = RecordingListener()
    client = V2CClient(
        v2c_sim.api_key,
        session=session,
        base_url=v2c_sim.base_url,
        request_timeout=0.5,
        call_listener=listener,
    )
    before = v2c_sim.sim.quota_for(v2c_sim.api_key).remaining
    v2c_sim.sim.faults.set(FaultKind.HANG, route="/device/startcharge", count=1)
    command = asyncio.ensure_future(client.start_charge(D))
    for _ in range(50):
        await asyncio.sleep(0.005)
        if v2c_sim.sim.quota_for(v2c_sim.api_key).remaining < before:
            break
    await client.get_pairings()
    with pytest.raises(V2CConnectionError):
        await command
    v2c_sim.sim.release_hangs()

    assert listener.unheard == [("start_charge", D)]
    assert listener.not_left == []
    assert client.calls_made == 2


@pytest.mark.parametrize(
    ("window", "day_left"), [("Day", 0), ("Minute", 500)], ids=["day", "minute"]
)
async def test_a_429_is_taken_back_before_its_headers_are_read(
    session: aiohttp.ClientSession, serve: Serve, window: str, day_left: int
) -> None:
    """Kong's limiter counts only the calls it lets through, also on a spent minute.

    The refused request is taken back before the quota listener compares
    the 429's headers, which carry the count without it, with ours.
    """

    async def refused(_request: web.Request) -> web.Response:
        return web.json_response(
            {"message": "API rate limit exceeded"},
            status=429,
            headers={
                "Retry-After": "30",
                "RateLimit-Limit": "1000" if window == "Day" else "10",
                "RateLimit-Remaining": "0",
                "X-RateLimit-Limit-Day": "1000",
                "X-RateLimit-Remaining-Day": str(day_left),
                f"X-RateLimit-Limit-{window}": "1000" if window == "Day" else "10",
                f"X-RateLimit-Remaining-{window}": "0",
            },
        )

    app = web.Application()
    app.router.add_get("/pairings/me", refused)
    listener = RecordingListener()
    client = V2CClient(
        "key",
        session=session,
        base_url=await serve(app),
        quota_listener=listener.quota,
        call_listener=listener,
    )
    with pytest.raises(V2CRateLimitError):
        await client.get_pairings()

    assert listener.events == [
        "sending get_pairings",
        "not_counted get_pairings",
        f"quota {day_left}",
        "rate_limited",
    ]


@pytest.mark.parametrize(
    ("cards", "off_loop"),
    [(3, False), (OFF_LOOP_ITEMS + 1, True)],
    ids=["short_list", "long_list"],
)
async def test_a_long_list_is_built_off_the_event_loop(
    session: aiohttp.ClientSession,
    serve: Serve,
    monkeypatch: pytest.MonkeyPatch,
    cards: int,
    off_loop: bool,
) -> None:
    """Thousands of models would stall the loop; a handful costs less than a thread."""
    body = [{"code": f"C{index:05d}", "tag": "Card"} for index in range(cards)]
    threads: set[threading.Thread] = set()
    build = RfidCard.from_dict

    def from_dict(data: Mapping[str, object]) -> RfidCard:
        threads.add(threading.current_thread())
        return build(data)

    monkeypatch.setattr(RfidCard, "from_dict", from_dict)

    async def listing(_request: web.Request) -> web.Response:
        return web.json_response(body)

    app = web.Application()
    app.router.add_get("/device/rfid", listing)
    client = V2CClient("key", session=session, base_url=await serve(app))

    read = await client.list_rfid_cards(D)

    assert [card.code for card in read] == [item["code"] for item in body]
    assert (threading.current_thread() not in threads) is off_loop
    assert len(threads) == 1


@pytest.mark.parametrize(
    ("padding", "off_loop"),
    [(0, False), (OFF_LOOP_BYTES, True)],
    ids=["small_body", "large_body"],
)
async def test_a_large_body_is_decoded_off_the_event_loop(
    session: aiohttp.ClientSession,
    serve: Serve,
    monkeypatch: pytest.MonkeyPatch,
    padding: int,
    off_loop: bool,
) -> None:
    """Decoding up to 1 MiB of JSON takes a quarter of a second: not on the loop."""
    threads: list[threading.Thread] = []

    def decode(*args: Any) -> object:
        threads.append(threading.current_thread())
        return decode_body(*args)

    monkeypatch.setattr(transport, "decode_body", decode)

    async def reported(_request: web.Request) -> web.Response:
        return web.Response(text='{"version": "2.4.6"}' + " " * padding)

    app = web.Application()
    app.router.add_get("/device/reported", reported)
    client = V2CClient("key", session=session, base_url=await serve(app))

    assert (await client.get_reported(D)).firmware_version == "2.4.6"
    assert len(threads) == 1
    assert (threads[0] is not threading.current_thread()) is off_loop
