"""Hold chosen V2C Cloud answers on their way back, or lose them, to overlap calls."""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from contextlib import contextmanager
from typing import Any
from unittest.mock import patch

from custom_components.v2c_cloud.api import V2CConnectionError
from custom_components.v2c_cloud.api.transport import Transport


class Gate:
    """Hold the answer of chosen operations (the cloud processed them) until opened."""

    def __init__(self) -> None:
        """Hold nothing yet."""
        self.held: dict[str, asyncio.Event] = {}
        self.waiting: dict[str, int] = {}
        self.before: set[str] = set()

    def hold(self, name: str, *, before: bool = False) -> None:
        self.held[name] = asyncio.Event()
        self.waiting[name] = 0
        if before:
            self.before.add(name)

    def release(self, name: str) -> None:
        self.held.pop(name).set()
        self.before.discard(name)


@contextmanager
def gated() -> Generator[Gate]:
    gate = Gate()
    original = Transport._send

    async def _send(self: Transport, operation: Any, path: str, **kwargs: Any) -> Any:
        event = gate.held.get(operation.name)
        if event is not None and operation.name in gate.before:
            gate.waiting[operation.name] += 1
            await event.wait()
            return await original(self, operation, path, **kwargs)
        if event is None:
            return await original(self, operation, path, **kwargs)
        # The cloud has answered (data or error); the answer is slow to arrive.
        try:
            result = await original(self, operation, path, **kwargs)
        except Exception:
            gate.waiting[operation.name] += 1
            await event.wait()
            raise
        gate.waiting[operation.name] += 1
        await event.wait()
        return result

    with patch.object(Transport, "_send", _send):
        yield gate


async def until(condition: Any, attempts: int = 200) -> None:
    for _ in range(attempts):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never held")


@contextmanager
def answer_lost(name: str) -> Generator[None]:
    """Let the cloud run the operation and lose its answer on the way back."""
    original = Transport._send

    async def _send(self: Transport, operation: Any, path: str, **kwargs: Any) -> Any:
        result = await original(self, operation, path, **kwargs)
        if operation.name == name:
            raise V2CConnectionError("Timeout after 15 s talking to V2C Cloud")
        return result

    with patch.object(Transport, "_send", _send):
        yield
