"""Tests of the translation files: structure, placeholders and the keys the code uses."""

from __future__ import annotations

import ast
from collections.abc import Iterator
import importlib
import json
from pathlib import Path
import re
from typing import Any

import homeassistant
from homeassistant.helpers.entity import EntityDescription
from homeassistant.util.yaml import load_yaml_dict
import pytest

import custom_components.v2c_cloud as integration
from custom_components.v2c_cloud.const import DOMAIN

PACKAGE = Path(integration.__file__).parent
HA_ROOT = Path(homeassistant.__file__).parent
LANGUAGES = ("es", "it", "ca", "fr", "de", "pt")
# Product names and numbers legitimately read the same in every language.
MAX_UNTRANSLATED_SHARE = 0.1

REFERENCE = re.compile(r"\[%key:([^%]+)%\]")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _leaves(
    node: dict[str, Any], path: tuple[str, ...] = ()
) -> Iterator[tuple[str, Any]]:
    """Yield (dotted path, value) for every non-dict value of a nested dict."""
    for key, value in node.items():
        if isinstance(value, dict):
            yield from _leaves(value, (*path, key))
        else:
            yield ".".join((*path, key)), value


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def _lookup(tree: dict[str, Any], parts: list[str]) -> Any:
    node: Any = tree
    for part in parts:
        node = node[part]
    return node


def _resolve(text: str, strings: dict[str, Any]) -> str:
    """Replace every [%key:...%] reference the way Home Assistant's build does."""

    def replace(match: re.Match[str]) -> str:
        scope, *path = match.group(1).split("::")
        if scope == "common":
            target = _lookup(_load(HA_ROOT / "strings.json")["common"], path)
        elif scope == "component" and path[0] == DOMAIN:
            target = _lookup(strings, path[1:])
        elif scope == "component":
            source = HA_ROOT / "components" / path[0] / "strings.json"
            target = _lookup(_load(source), path[1:])
        else:
            pytest.fail(f"unknown reference scope in {match.group(0)}")
        return _resolve(target, strings)

    return REFERENCE.sub(replace, text)


@pytest.fixture(scope="module")
def strings() -> dict[str, Any]:
    """Return strings.json."""
    return _load(PACKAGE / "strings.json")


@pytest.fixture(scope="module")
def english() -> dict[str, Any]:
    """Return translations/en.json."""
    return _load(PACKAGE / "translations" / "en.json")


def test_english_is_resolved_strings(
    strings: dict[str, Any], english: dict[str, Any]
) -> None:
    """en.json must be strings.json with every reference resolved."""
    expected = dict(_leaves(strings))
    actual = dict(_leaves(english))
    assert actual.keys() == expected.keys()
    for path, value in expected.items():
        assert actual[path] == _resolve(value, strings), path


@pytest.mark.parametrize("language", LANGUAGES)
def test_language_file(language: str, english: dict[str, Any]) -> None:
    """A translation has en.json's keys, placeholders and no empty or raw strings."""
    path = PACKAGE / "translations" / f"{language}.json"
    translated = dict(_leaves(_load(path)))
    source = dict(_leaves(english))
    assert translated.keys() == source.keys()
    for key, text in translated.items():
        assert isinstance(text, str), key
        assert text.strip(), key
        assert "[%key:" not in text, key
        assert _placeholders(text) == _placeholders(source[key]), key
    unchanged = [key for key, text in translated.items() if text == source[key]]
    assert len(unchanged) <= MAX_UNTRANSLATED_SHARE * len(source), unchanged


@pytest.mark.parametrize(
    "path",
    [
        PACKAGE / "strings.json",
        *(PACKAGE / f"translations/{lang}.json" for lang in ("en", *LANGUAGES)),
    ],
)
def test_texts_carry_no_urls(path: Path) -> None:
    """Home Assistant's hassfest wants URLs passed as placeholders.

    A bare scheme ("an http:// URL") names no address and is allowed.
    """
    for key, text in _leaves(_load(path)):
        assert not re.search(r"\b(?:https?|mqtts?)://[^\s/$.?#]", str(text)), (
            f"{path.name}: {key}"
        )


def test_no_empty_or_unresolved_english(english: dict[str, Any]) -> None:
    """en.json holds only real, non-empty strings."""
    for key, text in _leaves(english):
        assert isinstance(text, str), key
        assert text.strip(), key
        assert "[%key:" not in text, key


def _is_description(item: object) -> bool:
    # A description built from HA's own class is a frozen copy, not its subclass.
    return any(cls.__name__ == "EntityDescription" for cls in type(item).__mro__)


def _descriptions(platform: str) -> list[EntityDescription]:
    """Return every entity description in a platform module's description tables."""
    module = importlib.import_module(f"{integration.__name__}.{platform}")
    return [
        item
        for table in vars(module).values()
        if isinstance(table, tuple | list)
        for item in table
        if _is_description(item)
    ]


@pytest.mark.parametrize(
    "platform", [str(platform) for platform in integration.PLATFORMS]
)
def test_entity_translation_keys(platform: str, english: dict[str, Any]) -> None:
    """Every entity description names an entity, and its states, that en.json has."""
    descriptions = _descriptions(platform)
    assert descriptions, f"{platform} has no description table"
    entities = english["entity"][platform]
    for description in descriptions:
        key = description.translation_key
        assert key is not None, description.key
        assert key in entities, f"entity.{platform}.{key}"
        states: list[str] = list(getattr(description, "options", None) or [])
        states += [member.name.lower() for member in getattr(description, "enum", ())]
        assert set(states) <= set(entities[key].get("state", {})), key
        if event_types := getattr(description, "event_types", None):
            translated = entities[key]["state_attributes"]["event_type"]["state"]
            assert set(event_types) <= set(translated), key


def test_services_are_translated(strings: dict[str, Any]) -> None:
    """Every action and field in services.yaml has a name and a description."""
    services = load_yaml_dict(str(PACKAGE / "services.yaml"))
    assert services.keys() == strings["services"].keys()
    for service, spec in services.items():
        texts = strings["services"][service]
        assert texts["name"].strip(), service
        assert texts["description"].strip(), service
        for field, field_spec in (spec or {}).get("fields", {}).items():
            if "fields" in field_spec:
                assert texts["sections"][field]["name"].strip(), f"{service}.{field}"
                inner = field_spec["fields"].items()
            else:
                inner = [(field, field_spec)]
            for name, _ in inner:
                assert texts["fields"][name]["name"].strip(), f"{service}.{name}"
                assert texts["fields"][name]["description"].strip(), f"{service}.{name}"
            selector = field_spec.get("selector", {}).get("select", {})
            if key := selector.get("translation_key"):
                options = strings["selector"][key]["options"]
                assert set(selector["options"]) <= set(options), f"{service}.{field}"


def test_icons_match_strings(strings: dict[str, Any]) -> None:
    """Every entity with an icon has strings; every action with an icon exists."""
    icons = _load(PACKAGE / "icons.json")
    for platform, entities in icons.get("entity", {}).items():
        for key, spec in entities.items():
            assert key in strings["entity"][platform], f"entity.{platform}.{key}"
            attributes = strings["entity"][platform][key].get("state_attributes", {})
            for attribute in spec.get("state_attributes", {}):
                assert attribute in attributes, f"entity.{platform}.{key}.{attribute}"
    services = load_yaml_dict(str(PACKAGE / "services.yaml"))
    assert set(icons.get("services", {})) <= set(services)


def _translated_calls() -> Iterator[tuple[str, ast.Call, str]]:
    """Yield (file, call, key) for every call passing a literal translation_key."""
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                if keyword.arg == "translation_key" and isinstance(
                    keyword.value, ast.Constant
                ):
                    yield path.name, node, str(keyword.value.value)


def _literal_placeholders(call: ast.Call) -> set[str] | None:
    """Return the keys of a literal translation_placeholders dict, else None."""
    for keyword in call.keywords:
        if keyword.arg == "translation_placeholders":
            value = keyword.value
            if isinstance(value, ast.Dict) and all(
                isinstance(key, ast.Constant) for key in value.keys
            ):
                return {
                    str(key.value)
                    for key in value.keys
                    if isinstance(key, ast.Constant)
                }
            return None
    return set()


def test_exception_and_issue_keys(english: dict[str, Any]) -> None:
    """Raised errors and repair issues use keys and placeholders that en.json has."""
    for file, call, key in _translated_calls():
        name = ast.unparse(call.func)
        if name.endswith("async_create_issue"):
            issue = english["issues"][key]
            # A fixable issue explains itself in its flow's confirm step.
            explained = (
                issue.get("description")
                or issue["fix_flow"]["step"]["confirm"]["description"]
            )
            texts = [issue["title"], explained]
        elif any(keyword.arg == "translation_domain" for keyword in call.keywords):
            texts = [english["exceptions"][key]["message"]]
        else:
            continue
        given = _literal_placeholders(call)
        if given is not None:
            needed = set().union(*(_placeholders(text) for text in texts))
            assert needed == given, f"{file}: {name}({key})"
