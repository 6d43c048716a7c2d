"""HTTP transport of the V2C Cloud client: requests, errors, quota headers."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import partial
import hashlib
from http import HTTPStatus
import logging
import socket
import time
from types import MappingProxyType
from typing import Protocol

import aiohttp

from .exceptions import (
    V2CAuthenticationError,
    V2CConnectionError,
    V2CRateLimitError,
    V2CResponseError,
    V2CThrottledError,
)
from .headers import quota_from_headers, retry_at
from .models import QuotaSnapshot
from .operations import Operation
from .parsing import body_text, decode_body, error_reason, excerpt, status_in

_LOGGER = logging.getLogger(__package__)

# Kong's key-auth plugin answered an unknown key with 403 and this message
# before it moved to 401; the ACL plugin's 403 for a known key reads otherwise.
KEY_REJECTED_403 = "invalid authentication credentials"
MAX_AUTH_MESSAGE = 512
# V2C sends JSON as text/plain: a server that declares so would answer 406 Not
# Acceptable to a client taking only application/json.
ACCEPT = "application/json, text/plain;q=0.9, */*;q=0.8"
LAST_RESPONSES_SIZE = 16
MAX_BODY_BYTES = 1024 * 1024
_CHUNK_BYTES = 64 * 1024
# Decoding a body this large takes long enough (about 15 ms per 64 KiB) to
# stall the event loop of the program that runs the client.
OFF_LOOP_BYTES = 64 * 1024


def _names_the_key_unknown(raw: bytes) -> bool:
    """Tell whether a 403's body is the gateway's message for an unknown key."""
    return (
        KEY_REJECTED_403
        in raw[:MAX_AUTH_MESSAGE].decode("utf-8", errors="replace").lower()
    )


class CallListener(Protocol):
    """Told of every request the client puts on the wire, and of every 429."""

    def sending(self, operation: str, device_id: str | None) -> None:
        """Note a request about to be sent (a fallback path is a second one)."""

    def not_counted(self, operation: str, device_id: str | None) -> None:
        """Take back a request announced by sending that the server did not count.

        Heard when the connection could not be opened (refused, DNS: no byte
        of the request left), and for a 429 before its quota headers reach
        the quota listener: Kong's rate limiter counts only the calls it lets
        through, and those headers carry its count without the refused one.
        A timeout or a dropped connection may have reached the server, and is
        not taken back.
        """

    def unanswered(self, operation: str, device_id: str | None) -> None:
        """Note a request that ended without an answer after a header overtook it.

        Heard for a timeout or a dropped connection (the server may have
        counted the request) when the quota headers of another answer came
        while it was in flight: they were taken not to count it yet, and no
        answer of its own will tell whether they did.
        """

    def rate_limited(self, err: V2CRateLimitError) -> None:
        """Note that the server refused a request for the quota."""


def mask_device_id(device_id: str | None) -> str:
    """Shorten a device id for logs: distinct per charger, not the id itself.

    The last characters alone clash across models (TRY0001 and POL0001 both end
    in 001), so a short digest of the whole id follows them.
    """
    if not device_id:
        return "-"
    digest = hashlib.blake2s(device_id.encode(), digest_size=2).hexdigest()
    return f"…{device_id[-3:]}~{digest}"


async def _read_capped(response: aiohttp.ClientResponse) -> bytes:
    """Read a body of at most MAX_BODY_BYTES; past it, drop the connection."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(_CHUNK_BYTES):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            # Closing (not releasing) stops the rest from being read at all.
            response.close()
            raise V2CResponseError(
                f"V2C Cloud sent a body larger than {MAX_BODY_BYTES // 1024} KiB",
                status=response.status,
            )
        chunks.append(chunk)
    return b"".join(chunks)


class Transport:
    """Send requests to the V2C Cloud and turn answers into data or exceptions."""

    def __init__(
        self,
        api_key: str,
        *,
        session: aiohttp.ClientSession | None,
        base_url: str,
        request_timeout: float,
        quota_listener: Callable[[QuotaSnapshot], None] | None,
        call_listener: CallListener | None = None,
    ) -> None:
        """Keep the key private; a session is created on first use if none is given."""
        self._api_key = api_key
        self._session = session
        self._own_session = False
        self.base_url = base_url.rstrip("/")
        self.request_timeout = request_timeout
        self._quota_listener = quota_listener
        self._call_listener = call_listener
        # The path that last answered an operation, for any device and for each
        # one: both paths are known to work, not that each works for every charger.
        self._working_paths: dict[str, str] = {}
        self._device_paths: dict[tuple[str, str | None], str] = {}
        self._both_refused: set[tuple[str, str | None]] = set()
        self._last_responses: OrderedDict[str, object] = OrderedDict()
        self.quota: QuotaSnapshot | None = None
        self.calls_made = 0
        # Requests sent and not answered yet: when one answer's quota headers
        # come, the server may not have counted the others.
        self.calls_in_flight = 0
        # Answers whose quota headers were observed: a request in flight when
        # one came was taken as not counted in it yet.
        self._headers_seen = 0

    @property
    def last_responses(self) -> Mapping[str, object]:
        """Return the last parsed body of the most recent operations."""
        return MappingProxyType(self._last_responses)

    async def close(self) -> None:
        """Close the session if this transport created it."""
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None
            self._own_session = False

    async def request(
        self,
        operation: Operation,
        *,
        device_id: str | None = None,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, object] | None = None,
        secrets: tuple[str, ...] = (),
    ) -> object:
        """Run an operation and return its decoded body (None when empty)."""
        query = dict(params or {})
        if operation.id_param is not None and device_id is not None:
            query = {operation.id_param: device_id, **query}
        send = partial(
            self._send,
            operation,
            query=query,
            body=body,
            secrets=secrets,
            device_id=device_id,
        )
        asked = (operation.name, device_id)
        path = self._device_paths.get(asked) or self._working_paths.get(
            operation.name, operation.path
        )
        try:
            result = await send(path)
        except V2CResponseError as err:
            other = _other_path(operation, path)
            if err.status != 404 or other is None or asked in self._both_refused:
                raise
            # The path that worked may have been retired since; a device both
            # paths refuse is asked on one path only until it answers again.
            try:
                result = await send(other)
            except V2CResponseError as second:
                if second.status == 404:
                    self._both_refused.add(asked)
                raise
            path = other
        self._both_refused.discard(asked)
        self._working_paths[operation.name] = path
        if operation.fallback_path is not None:
            self._device_paths[asked] = path
        self._last_responses[operation.name] = result
        self._last_responses.move_to_end(operation.name)
        if len(self._last_responses) > LAST_RESPONSES_SIZE:
            self._last_responses.popitem(last=False)
        return result

    def _client_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
            self._own_session = True
        return self._session

    async def _send(
        self,
        operation: Operation,
        path: str,
        *,
        query: Mapping[str, str],
        body: Mapping[str, object] | None,
        secrets: tuple[str, ...],
        device_id: str | None,
    ) -> object:
        session = self._client_session()
        if self._call_listener is not None:
            self._call_listener.sending(operation.name, device_id)
        started = time.monotonic()
        answered = False
        headers_before = self._headers_seen
        self.calls_in_flight += 1
        try:
            async with (
                asyncio.timeout(self.request_timeout),
                session.request(
                    operation.method,
                    f"{self.base_url}{path}",
                    params=query,
                    json=body,
                    headers={"apikey": self._api_key, "Accept": ACCEPT},
                    # A redirect would carry the apikey header to another host.
                    allow_redirects=False,
                    # The status is ours to read: a caller's session made with
                    # raise_for_status=True would turn a 401 or a 429 into a
                    # connection error and skip the quota headers.
                    raise_for_status=False,
                ) as response,
            ):
                answered = True
                self.calls_made += 1
                if (
                    response.status == HTTPStatus.TOO_MANY_REQUESTS
                    and self._call_listener is not None
                ):
                    self._call_listener.not_counted(operation.name, device_id)
                self._observe_quota(response.headers)
                status, headers = response.status, response.headers
                raw = await _read_capped(response)
        except TimeoutError as err:
            overtaken = self._headers_seen != headers_before
            self._count_unanswered(answered, err, operation, device_id, overtaken)
            self._log_failure(operation, path, device_id, "timeout")
            raise V2CConnectionError(
                f"Timeout after {self.request_timeout:g} s talking to V2C Cloud"
            ) from err
        except (aiohttp.ClientError, OSError) as err:
            overtaken = self._headers_seen != headers_before
            self._count_unanswered(answered, err, operation, device_id, overtaken)
            self._log_failure(operation, path, device_id, type(err).__name__)
            raise V2CConnectionError(
                f"Error talking to V2C Cloud ({type(err).__name__})",
                sent=not _never_left(err),
            ) from err
        finally:
            self.calls_in_flight -= 1
        _LOGGER.debug(
            "%s %s (device %s) -> HTTP %s in %.3f s, quota remaining %s",
            operation.method,
            path,
            mask_device_id(device_id),
            status,
            time.monotonic() - started,
            "?" if self.quota is None else self.quota.remaining,
        )
        result = partial(
            self._result, status, headers, raw, (self._api_key, *secrets), device_id
        )
        try:
            if len(raw) > OFF_LOOP_BYTES:
                return await asyncio.to_thread(result)
            return result()
        except V2CRateLimitError as err:
            if self._call_listener is not None:
                self._call_listener.rate_limited(err)
            raise

    def _count_unanswered(
        self,
        answered: bool,
        err: BaseException,
        operation: Operation,
        device_id: str | None,
        overtaken: bool,
    ) -> None:
        """Count a failed request that may have reached the server.

        One that surely never left (a connect or DNS error) is taken back from
        the listener instead, which counted it when it was about to be sent.
        The listener hears of one that may have reached the server when
        another answer's quota headers came while it was in flight
        (`overtaken`): they took it as not counted yet.
        """
        if answered:
            return
        if _never_left(err):
            if self._call_listener is not None:
                self._call_listener.not_counted(operation.name, device_id)
            return
        self.calls_made += 1
        if overtaken and self._call_listener is not None:
            self._call_listener.unanswered(operation.name, device_id)

    def _observe_quota(self, headers: Mapping[str, str]) -> None:
        """Record the quota headers of a response and tell the listener."""
        snapshot = quota_from_headers(headers, datetime.now(UTC))
        if snapshot is None:
            return
        self._headers_seen += 1
        self.quota = snapshot
        if self._quota_listener is not None:
            self._quota_listener(snapshot)

    @staticmethod
    def _result(
        status: int,
        headers: Mapping[str, str],
        raw: bytes,
        secrets: tuple[str, ...],
        device_id: str | None = None,
    ) -> object:
        content_type = headers.get("Content-Type", "")
        if 200 <= status < 300:
            body = decode_body(raw, content_type, status, secrets)
            if (carried := status_in(body)) is None:
                return body
            raise _response_error(
                f"V2C Cloud answered HTTP {status} carrying error {carried}",
                carried,
                body_text(raw, content_type),
                secrets,
                device_id,
            )
        if status == 401 or (status == 403 and _names_the_key_unknown(raw)):
            raise V2CAuthenticationError(
                f"V2C Cloud rejected the API key (HTTP {status})"
            )
        if status == 429:
            now = datetime.now(UTC)
            quota = quota_from_headers(headers, now)
            remaining = None if quota is None else quota.remaining
            if remaining:
                raise V2CThrottledError(
                    "V2C Cloud refused a burst of calls (HTTP 429); "
                    f"the day's quota has {remaining} left",
                    reset_at=retry_at(headers, now),
                    remaining=remaining,
                )
            raise V2CRateLimitError(
                "V2C Cloud daily call quota exhausted (HTTP 429)"
                if remaining == 0
                # Nothing proves the day spent: a proxy's or the backend's limit.
                else "V2C Cloud refused the call (HTTP 429) without its quota headers",
                reset_at=retry_at(headers, now),
                remaining=remaining,
            )
        raise _response_error(
            f"V2C Cloud answered HTTP {status}",
            status,
            body_text(raw, content_type),
            secrets,
            device_id,
        )

    @staticmethod
    def _log_failure(
        operation: Operation, path: str, device_id: str | None, reason: str
    ) -> None:
        _LOGGER.debug(
            "%s %s (device %s) failed: %s",
            operation.method,
            path,
            mask_device_id(device_id),
            reason,
        )


def _response_error(
    message: str,
    status: int,
    text: str,
    secrets: tuple[str, ...],
    device_id: str | None,
) -> V2CResponseError:
    """Build the error for an answer the cloud refused, its body quoted safely."""
    if device_id:
        # The reason reaches the user's log when an automation's command fails.
        text = text.replace(device_id, mask_device_id(device_id))
    return V2CResponseError(
        message,
        status=status,
        excerpt=excerpt(text, secrets),
        reason=error_reason(text, secrets),
    )


def _other_path(operation: Operation, path: str) -> str | None:
    """Return the operation's other path, if it has two."""
    if operation.fallback_path is None:
        return None
    return operation.fallback_path if path == operation.path else operation.path


def _never_left(err: BaseException) -> bool:
    """Return True when a request failed before any byte of it was sent."""
    return isinstance(err, aiohttp.ClientConnectorError | socket.gaierror)
