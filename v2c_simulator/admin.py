"""Admin API under /_sim/: no key, never counted or logged, never shows a key."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import dataclasses
from datetime import datetime
import json
from typing import TYPE_CHECKING

from aiohttp import web

from .charger import Charger
from .clock import VirtualClock
from .faults import FaultKind
from .params import ApiError, Params
from .quota import QuotaStatus

if TYPE_CHECKING:
    from .simulator import Simulator

type AdminHandler = Callable[[web.Request], Awaitable[object]]


def _encode(value: object) -> object:
    """Encode what json cannot: datetimes."""
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _json(data: object, status: int = 200) -> web.Response:
    """Return an admin JSON response."""
    return web.Response(
        status=status,
        text=json.dumps(data, default=_encode),
        content_type="application/json",
    )


def _quota(fingerprint: str, status: QuotaStatus) -> dict[str, object]:
    """Return a key's quota, identified by its fingerprint."""
    return {"key_hash": fingerprint, **dataclasses.asdict(status)}


def _charger(charger: Charger) -> dict[str, object]:
    """Return a charger's full state."""
    return {"connected": charger.connected(), **dataclasses.asdict(charger.state)}


def admin_routes(sim: Simulator) -> list[web.RouteDef]:
    """Return the admin routes of a simulator."""

    def endpoint(
        handler: AdminHandler,
    ) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def serve(request: web.Request) -> web.Response:
            try:
                return _json(await handler(request))
            except ApiError as err:
                return _json(err.body(), err.status)

        return serve

    async def _params(request: web.Request) -> Params:
        try:
            body = await request.json() if request.can_read_body else {}
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ApiError(400, "Request body must be a JSON object", parameter="body")
        return Params({**request.query, **body})

    def _device(request: web.Request) -> Charger:
        try:
            return sim.charger(request.match_info["device_id"])
        except KeyError:
            raise ApiError(404, "Device not found") from None

    async def state(_request: web.Request) -> object:
        return {
            "now": sim.clock.now(),
            "apply_delay": sim.apply_delay,
            "accounts": [
                {
                    "key_hash": account.key_hash,
                    "revoked": account.revoked,
                    "quota": _quota(account.key_hash, sim.quota_for(account.api_key)),
                    "chargers": [_charger(charger) for charger in account.chargers],
                }
                for account in sim.accounts
            ],
            "faults": [rule.as_dict() for rule in sim.faults.active],
        }

    async def plug(request: web.Request) -> object:
        params = await _params(request)
        energy = (
            params.number("energy_needed_kwh", 0, 500)
            if params.has("energy_needed_kwh")
            else 20.0
        )
        charger = _device(request)
        try:
            charger.plug_in(energy)
        except RuntimeError as err:
            raise ApiError(409, str(err)) from None
        return _charger(charger)

    async def unplug(request: web.Request) -> object:
        charger = _device(request)
        session = charger.unplug()
        return {"session": None if session is None else dataclasses.asdict(session)}

    async def online(request: web.Request) -> object:
        charger = _device(request)
        charger.set_online(True)
        return _charger(charger)

    async def offline(request: web.Request) -> object:
        charger = _device(request)
        charger.set_online(False)
        return _charger(charger)

    async def rfid(request: web.Request) -> object:
        params = await _params(request)
        charger = _device(request)
        return {
            "accepted": charger.present_rfid_card(params.text("code", max_length=64))
        }

    async def faults(_request: web.Request) -> object:
        return [rule.as_dict() for rule in sim.faults.active]

    async def set_fault(request: web.Request) -> object:
        params = await _params(request)
        kind = params.text("kind", max_length=32)
        if kind not in FaultKind:
            raise ApiError(400, f"Unknown fault kind {kind}", parameter="kind")
        route = params.get("route")
        if route is not None and not isinstance(route, str):
            raise ApiError(400, "route must be a path", parameter="route")
        rule = sim.faults.set(
            kind,
            route=route,
            count=params.integer("count", 1, 1_000_000)
            if params.has("count")
            else None,
            duration_s=params.number("duration_s", 0.001, 1e9)
            if params.has("duration_s")
            else None,
            latency_s=params.number("latency_s", 0, 3600)
            if params.has("latency_s")
            else None,
        )
        return rule.as_dict()

    async def clear_faults(_request: web.Request) -> object:
        sim.faults.clear()
        return []

    async def log(_request: web.Request) -> object:
        return [record.as_dict() for record in sim.request_log]

    async def clear_log(_request: web.Request) -> object:
        sim.clear_log()
        return []

    async def advance(request: web.Request) -> object:
        params = await _params(request)
        seconds = params.number("seconds", 0, 400 * 86400)
        if not isinstance(sim.clock, VirtualClock):
            raise ApiError(409, "The simulator runs on the system clock")
        return {"now": sim.clock.advance(seconds)}

    async def quotas(_request: web.Request) -> object:
        return [_quota(a.key_hash, sim.quota_for(a.api_key)) for a in sim.accounts]

    async def quota(request: web.Request) -> object:
        account = sim.account_by_hash(request.match_info["key_hash"])
        if account is None:
            raise ApiError(404, "Unknown key hash")
        return _quota(account.key_hash, sim.quota_for(account.api_key))

    async def spend(request: web.Request) -> object:
        params = await _params(request)
        account = sim.account_by_hash(request.match_info["key_hash"])
        if account is None:
            raise ApiError(404, "Unknown key hash")
        quota = sim.quota(account.api_key)
        leave = params.integer("leave", 0, quota.limit) if params.has("leave") else 0
        quota.spend_external(sim.clock.now(), leave)
        return _quota(account.key_hash, sim.quota_for(account.api_key))

    async def unknown(_request: web.Request) -> object:
        raise ApiError(404, "Unknown admin endpoint")

    device = "/_sim/chargers/{device_id}"
    return [
        web.get("/_sim/state", endpoint(state)),
        web.post(f"{device}/plug", endpoint(plug)),
        web.post(f"{device}/unplug", endpoint(unplug)),
        web.post(f"{device}/online", endpoint(online)),
        web.post(f"{device}/offline", endpoint(offline)),
        web.post(f"{device}/rfid", endpoint(rfid)),
        web.get("/_sim/faults", endpoint(faults)),
        web.post("/_sim/faults", endpoint(set_fault)),
        web.delete("/_sim/faults", endpoint(clear_faults)),
        web.get("/_sim/log", endpoint(log)),
        web.delete("/_sim/log", endpoint(clear_log)),
        web.post("/_sim/clock/advance", endpoint(advance)),
        web.get("/_sim/quota", endpoint(quotas)),
        web.get("/_sim/quota/{key_hash}", endpoint(quota)),
        web.post("/_sim/quota/{key_hash}/spend", endpoint(spend)),
        web.route("*", "/_sim/{tail:.*}", endpoint(unknown)),
    ]
