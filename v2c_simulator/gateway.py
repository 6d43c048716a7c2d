"""The gateway in front of the operations: auth, quota, faults and the request log."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import formatdate
from typing import TYPE_CHECKING

from aiohttp import web

from .accounts import key_hash
from .faults import FaultKind, Selection
from .faulty import distort, html_error, json_response, replacement
from .log import RequestRecord, parse_body, redact_query
from .operation import Call, Handler, Reply
from .params import ApiError, Params
from .quota import HeaderProfile

if TYPE_CHECKING:
    from .simulator import Simulator

type WebHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]

NO_ROUTE = Reply({"message": "no Route matched with those values"}, status=404)
NO_KEY = Reply({"message": "No API key found in request"}, status=401)
BAD_KEY = Reply({"message": "Invalid authentication credentials"}, status=401)
NOT_ALLOWED = Reply({"message": "Method Not Allowed"}, status=405)
RATE_LIMITED = Reply({"message": "API rate limit exceeded"}, status=429)
EARLY_RETRY_S = 60


@dataclass
class _Outcome:
    """What happened to a request, for the log."""

    status: int = 0
    counted: bool = False
    fault: FaultKind | None = None


class Gateway:
    """Turns operations into aiohttp handlers behind Kong-like behaviour."""

    def __init__(self, sim: Simulator, paths: frozenset[str]) -> None:
        """Serve a simulator whose operations live on these paths."""
        self._sim = sim
        self._paths = paths

    def wrap(self, handler: Handler) -> WebHandler:
        """Return an aiohttp handler running an operation behind the gateway."""

        async def serve(request: web.Request) -> web.StreamResponse:
            return await self._serve(request, handler)

        return serve

    async def not_found(self, request: web.Request) -> web.StreamResponse:
        """Answer a path no route matches (or a method a known path lacks)."""
        return await self._serve(request, None)

    async def _serve(
        self, request: web.Request, handler: Handler | None
    ) -> web.StreamResponse:
        """Run one request through auth, quota and faults, and log it."""
        sim = self._sim
        received = sim.clock.now()
        body = parse_body(await request.read())
        api_key = request.headers.get("apikey")
        outcome = _Outcome()
        try:
            response = await self._respond(request, handler, api_key, body, outcome)
            dropped = outcome.fault is FaultKind.DROP_CONNECTION
            outcome.status = 0 if dropped else response.status
            response.headers["Date"] = formatdate(
                sim.clock.now().timestamp(), usegmt=True
            )
            return response
        finally:
            sim.request_log.append(
                RequestRecord(
                    method=request.method,
                    path=request.path,
                    query=redact_query(dict(request.query)),
                    body=body,
                    key_hash=key_hash(api_key) if api_key else None,
                    status=outcome.status,
                    time=received,
                    counted=outcome.counted,
                    fault=outcome.fault,
                )
            )

    async def _respond(
        self,
        request: web.Request,
        handler: Handler | None,
        api_key: str | None,
        body: object,
        outcome: _Outcome,
    ) -> web.StreamResponse:
        """Return the response; the call counts once authenticated and within quota."""
        sim = self._sim
        if handler is None and request.path not in self._paths:
            return json_response(NO_ROUTE)
        account = sim.authenticate(api_key)
        if api_key is None or account is None:
            return json_response(NO_KEY if not api_key else BAD_KEY)
        quota = sim.quota(account.api_key)
        now = sim.clock.now()
        status = quota.status(now)
        if status.remaining == 0:
            return self._limited(status.seconds_to_reset(now), account.api_key)
        if status.minute_full():
            return self._limited(status.seconds_to_next_minute(now), account.api_key)
        selection = sim.faults.select(request.path)
        outcome.fault = selection.rule.kind if selection.rule else None
        if outcome.fault is FaultKind.EARLY_429:
            return self._limited(EARLY_RETRY_S, account.api_key)
        quota.try_consume(now)
        outcome.counted = True
        if selection.latency_s:
            await asyncio.sleep(selection.latency_s)
        response = await self._faulted(request, selection)
        if response is None:
            reply = NOT_ALLOWED
            if handler is not None:
                reply = self._run(
                    handler, Call(sim, account, Params(request.query), body)
                )
            response = (
                distort(reply, selection.rule)
                if selection.rule
                else json_response(reply)
            )
        now = sim.clock.now()
        response.headers.update(quota.status(now).headers(now, sim.header_profile))
        return response

    def _limited(self, retry_after: int, api_key: str) -> web.Response:
        """Return a 429 with the quota headers and Retry-After."""
        now = self._sim.clock.now()
        response = json_response(RATE_LIMITED)
        if self._sim.header_profile is HeaderProfile.KONG:
            response.headers.update(self._sim.quota(api_key).status(now).headers(now))
        response.headers["Retry-After"] = str(retry_after)
        return response

    async def _faulted(
        self, request: web.Request, selection: Selection
    ) -> web.StreamResponse | None:
        """Return what a fault answers instead of the operation, if it does."""
        rule = selection.rule
        if rule is None:
            return None
        if rule.kind is FaultKind.HANG:
            await self._sim.hang()
            return html_error(504, "Gateway Time-out")
        if rule.kind is FaultKind.DROP_CONNECTION:
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=499)
        return replacement(rule)

    @staticmethod
    def _run(handler: Handler, call: Call) -> Reply:
        """Run an operation, turning its validation errors into replies."""
        try:
            return handler(call)
        except ApiError as err:
            return Reply(err.body(), status=err.status)
