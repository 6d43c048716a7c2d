"""Hassfest's rules for every string and key, re-stated offline (no network here)."""

from __future__ import annotations

from collections.abc import Iterator
import json
from pathlib import Path
import re
import string
from typing import Any

import homeassistant.helpers.config_validation as cv
import pytest
import voluptuous as vol

INTEGRATION = Path(__file__).resolve().parents[1] / "custom_components" / "v2c_cloud"
FILES = [
    "strings.json",
    *(
        f"translations/{path.name}"
        for path in sorted((INTEGRATION / "translations").glob("*.json"))
    ),
]

RE_TRANSLATION_KEY = re.compile(r"^(?!.+[_-]{2})(?![_-])[a-z0-9-_]+(?<![_-])$")
RE_COMBINED_REFERENCE = re.compile(r"(.+\[%)|(%\].+)")
RE_SINGLE_QUOTED = re.compile(r"'{\w+}'")
RE_URL = re.compile(
    r"(((ftp|ftps|scp|http|https|mqtt|mqtts|socket|socks5):\/\/|www\.)"
    r"[a-z0-9]+([\-\.]{1}[a-z0-9]+)*\.[a-z]{2,5}(:[0-9]{1,5})?(\/.*)?)",
    re.IGNORECASE,
)


def _leaves(
    node: dict[str, Any], path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Any]]:
    for key, value in node.items():
        if isinstance(value, dict):
            yield from _leaves(value, (*path, key))
        else:
            yield (*path, key), value


@pytest.mark.parametrize("name", FILES)
def test_strings_keep_hassfests_rules(name: str) -> None:
    """Rules hassfest applies to every value and key, re-stated offline."""
    strings = json.loads((INTEGRATION / name).read_text(encoding="utf-8"))
    problems = []
    for path, value in _leaves(strings):
        where = ".".join(path)
        no_placeholders = path[0] == "entity" and (
            "state" in path[3:]
            or path[-1] == "unit_of_measurement"
            or (len(path) > 4 and path[3] == "state_attributes" and path[-1] == "name")
        )
        try:
            cv.string_with_no_html(value)
        except vol.Invalid:
            problems.append(f"{where}: HTML")
        if RE_SINGLE_QUOTED.search(value):
            problems.append(f"{where}: single-quoted placeholder")
        for _, field, _, _ in string.Formatter().parse(value):
            if field and (no_placeholders or not field.isidentifier()):
                problems.append(f"{where}: placeholder {field}")
        if RE_COMBINED_REFERENCE.search(value):
            problems.append(f"{where}: combined reference")
        if value != value.strip():
            problems.append(f"{where}: surrounding spaces")
        if RE_URL.search(value):
            problems.append(f"{where}: URL")
        keyed = (path[0] == "entity" and len(path) > 2) or path[0] in (
            "device",
            "services",
            "selector",
        )
        if keyed and not all(RE_TRANSLATION_KEY.match(p) for p in path[1:-1]):
            problems.append(f"{where}: key")
    for flow in ("config", "options"):
        for step_id, step in strings.get(flow, {}).get("step", {}).items():
            forms = {f"{flow}.step.{step_id}": step} | {
                f"{flow}.step.{step_id}.sections.{name}": texts
                for name, texts in step.get("sections", {}).items()
            }
            problems.extend(
                f"{where}.data_description.{key}"
                for where, form in forms.items()
                for key in form.get("data_description", {})
                if key not in form.get("data", {})
            )
    assert problems == []
