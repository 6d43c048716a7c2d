"""Bodies captured from real chargers, shared with the tests as JSON fixtures."""

from __future__ import annotations

from functools import cache
import json
from pathlib import Path
from typing import cast

FIXTURES = Path(__file__).parents[1] / "tests" / "fixtures"

type Json = bool | int | float | str | list[Json] | dict[str, Json] | None


@cache
def _load(name: str) -> str:
    return (FIXTURES / f"{name}.json").read_text(encoding="utf-8")


def wire_fixture(name: str) -> dict[str, Json]:
    """Return a fresh copy of a fixture body, e.g. "trydan-2.4.6-reported"."""
    return cast("dict[str, Json]", json.loads(_load(name)))
