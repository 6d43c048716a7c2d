"""HTTP helpers for the simulator tests."""

from __future__ import annotations

from dataclasses import dataclass
import json
from typing import Any

from aiohttp import ClientSession
from multidict import CIMultiDictProxy


@dataclass(frozen=True)
class Answer:
    """A response read in full."""

    status: int
    text: str
    headers: CIMultiDictProxy[str]

    @property
    def body(self) -> Any:
        """Return the body parsed as JSON (None when empty)."""
        return json.loads(self.text) if self.text else None

    @property
    def content_type(self) -> str:
        """Return the media type without parameters."""
        return self.headers.get("Content-Type", "").split(";")[0]


async def api(
    client: ClientSession,
    method: str,
    path: str,
    *,
    body: object = None,
    **params: str,
) -> Answer:
    """Send one request (query parameters, optional JSON body) and read the answer."""
    async with client.request(method, path, params=params, json=body) as resp:
        return Answer(resp.status, await resp.text(), resp.headers)
