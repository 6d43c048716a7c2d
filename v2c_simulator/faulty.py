"""Responses that faults produce: gateway error pages and odd bodies."""

from __future__ import annotations

import json

from aiohttp import web

from .faults import FaultKind, FaultRule
from .operation import Reply

HTML_PAGE = (
    "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {reason}</h1></center>\r\n<hr><center>kong</center>\r\n"
    "</body>\r\n</html>\r\n"
)
ERROR_PAGES = {
    FaultKind.HTTP_500: (500, "Internal Server Error"),
    FaultKind.HTTP_502: (502, "Bad Gateway"),
    FaultKind.HTTP_503: (503, "Service Temporarily Unavailable"),
    FaultKind.HTTP_504: (504, "Gateway Time-out"),
}
PORTAL_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>Sign in to the network</title></head>\n"
    '<body><form method="post" action="/login"><h1>Welcome</h1>'
    "<p>Accept the terms to browse.</p><button>Connect</button></form></body></html>\n"
)
GATEWAY_REFUSALS = {
    FaultKind.FALSE_401: (401, "Unauthorized"),
    FaultKind.UNKNOWN_KEY_403: (403, "Invalid authentication credentials"),
    FaultKind.FORBIDDEN_403: (403, "You cannot consume this service"),
    FaultKind.BAD_REQUEST_400: (400, "Bad request"),
}
BARE_SCALARS = ("true", '"OK"', "1")
ERROR_OBJECT = {"status": 500, "message": "Internal server error"}
JSON_TYPE = "application/json"


def html_error(status: int, reason: str) -> web.Response:
    """Return a gateway HTML error page."""
    text = HTML_PAGE.format(status=status, reason=reason)
    return web.Response(status=status, text=text, content_type="text/html")


def json_response(reply: Reply) -> web.Response:
    """Return a reply as the service normally sends it."""
    if reply.empty:
        return web.Response(status=reply.status, body=b"", content_type=JSON_TYPE)
    return web.Response(
        status=reply.status, text=json.dumps(reply.body), content_type=JSON_TYPE
    )


def replacement(rule: FaultRule) -> web.Response | None:
    """Return the response a fault sends instead of running the operation, if any."""
    if rule.kind in ERROR_PAGES:
        return html_error(*ERROR_PAGES[rule.kind])
    if rule.kind is FaultKind.PORTAL_PAGE_200:
        return web.Response(status=200, text=PORTAL_PAGE, content_type="text/html")
    if rule.kind is FaultKind.REDIRECT:
        return web.Response(
            status=301, headers={"Location": "https://v2c.cloud/kong/v2c_service"}
        )
    if rule.kind in GATEWAY_REFUSALS:
        status, message = GATEWAY_REFUSALS[rule.kind]
        return web.json_response({"message": message}, status=status)
    return None


def distort(reply: Reply, rule: FaultRule) -> web.Response:
    """Return the operation's reply in the odd shape a fault asks for."""
    text = "" if reply.empty else json.dumps(reply.body)
    if rule.kind is FaultKind.MALFORMED_JSON:
        broken = text[: max(1, len(text) // 2)] if len(text) > 1 else '{"message": '
        return web.Response(status=reply.status, text=broken, content_type=JSON_TYPE)
    if rule.kind is FaultKind.ERROR_OBJECT:
        return web.json_response(ERROR_OBJECT)
    if rule.kind is FaultKind.EMPTY_LIST:
        return web.json_response([])
    if rule.kind is FaultKind.TEXT_PLAIN_JSON:
        return web.Response(status=reply.status, text=text, content_type="text/plain")
    if rule.kind is FaultKind.BARE_SCALAR:
        scalar = BARE_SCALARS[(rule.hits - 1) % len(BARE_SCALARS)]
        return web.Response(status=reply.status, text=scalar, content_type=JSON_TYPE)
    if rule.kind is FaultKind.EMPTY_204:
        return web.Response(status=204)
    return web.Response(status=200, body=b"", content_type=JSON_TYPE)
