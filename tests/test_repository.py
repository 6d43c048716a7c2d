"""Release checks of the repository, offline: what hassfest and HACS would reject."""

from __future__ import annotations

import ast
from collections.abc import Iterator
import json
from pathlib import Path
import re
import struct
import tomllib
from typing import Any

from homeassistant.data_entry_flow import section
import pytest
import voluptuous as vol
import yaml

from custom_components.v2c_cloud import api, config_flow

ROOT = Path(__file__).resolve().parents[1]
INTEGRATION = ROOT / "custom_components" / "v2c_cloud"

RULES = {
    "bronze": (
        "action-setup appropriate-polling brands common-modules "
        "config-flow-test-coverage config-flow dependency-transparency docs-actions "
        "docs-conditions docs-high-level-description docs-installation-instructions "
        "docs-removal-instructions docs-triggers entity-event-setup entity-unique-id "
        "has-entity-name "
        "runtime-data test-before-configure test-before-setup unique-config-entry"
    ),
    "silver": (
        "action-exceptions config-entry-unloading docs-configuration-parameters "
        "docs-installation-parameters entity-unavailable integration-owner "
        "log-when-unavailable parallel-updates reauthentication-flow test-coverage"
    ),
    "gold": (
        "devices diagnostics discovery-update-info discovery docs-data-update "
        "docs-examples docs-known-limitations docs-supported-devices "
        "docs-supported-functions docs-troubleshooting docs-use-cases dynamic-devices "
        "entity-category entity-device-class entity-disabled-by-default "
        "entity-translations exception-translations icon-translations "
        "reconfiguration-flow repair-issues stale-devices"
    ),
    "platinum": "async-dependency inject-websession strict-typing",
}
ALL_RULES = {rule for names in RULES.values() for rule in names.split()}
STATUSES = {"done", "exempt", "todo"}

HACS_KEYS = {
    "name",
    "content_in_root",
    "zip_release",
    "filename",
    "hide_default_branch",
    "country",
    "homeassistant",
    "persistent_directory",
    "render_readme",
    "hacs",
}
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$"
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_RGBA = 6


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _quality_scale() -> dict[str, Any]:
    rules: dict[str, Any] = yaml.safe_load(
        (INTEGRATION / "quality_scale.yaml").read_text(encoding="utf-8")
    )["rules"]
    return rules


def _status(value: Any) -> tuple[str, str | None]:
    """Return a rule's status and comment, whichever form it is written in."""
    if isinstance(value, str):
        return value, None
    return value["status"], value.get("comment")


def test_quality_scale_names_every_rule_once() -> None:
    text = (INTEGRATION / "quality_scale.yaml").read_text(encoding="utf-8")
    keys = re.findall(r"^  ([a-z-]+):", text, flags=re.MULTILINE)
    assert sorted(keys) == sorted(ALL_RULES)


def test_quality_scale_statuses_are_valid() -> None:
    for rule, value in _quality_scale().items():
        status, comment = _status(value)
        assert status in STATUSES, rule
        if status != "done":
            assert comment, f"{rule} is {status} without a reason"


def test_manifest() -> None:
    manifest = _json(INTEGRATION / "manifest.json")
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert manifest["domain"] == "v2c_cloud"
    assert manifest["config_flow"] is True
    assert manifest["iot_class"] == "cloud_polling"
    assert manifest["integration_type"] == "hub"
    assert SEMVER.match(manifest["version"])
    assert manifest["requirements"] == []
    assert manifest["codeowners"]
    assert all(owner.startswith("@") for owner in manifest["codeowners"])
    assert manifest["documentation"].startswith("https://")
    assert manifest["issue_tracker"].startswith("https://")
    assert manifest["loggers"]


def test_hacs_json() -> None:
    hacs = _json(ROOT / "hacs.json")
    assert set(hacs) <= HACS_KEYS
    assert hacs["name"]
    assert re.match(r"^\d{4}\.\d{1,2}\.\d+$", hacs["homeassistant"])


def test_license_is_mit() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "Permission is hereby granted, free of charge" in text


def _png_header(path: Path) -> tuple[int, int, int]:
    """Return width, height and colour type from a PNG's IHDR chunk."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path.name} is not a PNG"
    assert data[12:16] == b"IHDR"
    width, height, _, colour = struct.unpack(">IIBB", data[16:26])
    return width, height, colour


@pytest.mark.parametrize(("name", "size"), [("icon.png", 256), ("icon@2x.png", 512)])
def test_brand_icons(name: str, size: int) -> None:
    assert _png_header(INTEGRATION / "brand" / name) == (size, size, PNG_RGBA)


def test_brand_logo() -> None:
    width, height, colour = _png_header(INTEGRATION / "brand" / "logo.png")
    assert colour == PNG_RGBA
    assert 128 <= min(width, height) <= 256
    assert width >= height


def _services() -> dict[str, Any]:
    services: dict[str, Any] = yaml.safe_load(
        (INTEGRATION / "services.yaml").read_text(encoding="utf-8")
    )
    return services


def _fields(service: dict[str, Any] | None) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield a service's fields, also those inside collapsible sections."""
    for name, field in ((service or {}).get("fields") or {}).items():
        if "fields" in field:
            yield from _fields(field)
        else:
            yield name, field


def test_services_have_selectors() -> None:
    for service_name, service in _services().items():
        for name, field in _fields(service):
            assert field.get("selector"), f"{service_name}.{name} has no selector"


def test_services_are_translated() -> None:
    strings = _json(INTEGRATION / "strings.json")["services"]
    assert set(strings) == set(_services())
    for service_name, service in _services().items():
        translated = strings[service_name]
        assert translated["name"]
        assert translated["description"]
        for name, _ in _fields(service):
            field = translated["fields"][name]
            assert field["name"], f"{service_name}.{name}"
            assert field["description"], f"{service_name}.{name}"


def test_fixable_issues_explain_in_their_flow() -> None:
    """Home Assistant's hassfest allows an issue a description or a fix flow, not both."""
    for name, issue in _json(INTEGRATION / "strings.json")["issues"].items():
        assert ("description" in issue) != ("fix_flow" in issue), name


def test_services_have_icons() -> None:
    icons = _json(INTEGRATION / "icons.json")
    assert set(icons["services"]) == set(_services())
    for name, icon in icons["services"].items():
        assert icon["service"].startswith("mdi:"), name


def test_entity_icons_are_mdi() -> None:
    icons = _json(INTEGRATION / "icons.json")
    for platform, entities in icons["entity"].items():
        for key, entity in entities.items():
            values = [entity.get("default"), *entity.get("state", {}).values()]
            for icon in filter(None, values):
                assert icon.startswith("mdi:"), f"{platform}.{key}"


def _schema_keys(schema: vol.Schema) -> set[str]:
    return {str(key) for key in schema.schema}


def _form_keys(schema: vol.Schema) -> tuple[set[str], dict[str, set[str]]]:
    """Return a form's own field names and each of its sections' field names."""
    fields = {str(key) for key, value in schema.schema.items()}
    sections = {
        str(key): _schema_keys(value.schema)
        for key, value in schema.schema.items()
        if isinstance(value, section)
    }
    return fields - set(sections), sections


# The user and reconfigure steps' form, as the flow builds it before any input.
KEY_FORM = _form_keys(
    config_flow.V2CCloudConfigFlow()._key_schema(None, api.DEFAULT_BASE_URL, {})
)


@pytest.mark.parametrize(
    ("flow", "step", "form"),
    [
        ("config", "user", KEY_FORM),
        ("config", "reconfigure", KEY_FORM),
        ("config", "reauth_confirm", _form_keys(config_flow.REAUTH_SCHEMA)),
        ("options", "quota", _form_keys(config_flow.OPTIONS_SCHEMA)),
        ("options", "wifi", ({"device", "ssid", "password"}, {})),
    ],
)
def test_flow_fields_are_translated(
    flow: str, step: str, form: tuple[set[str], dict[str, set[str]]]
) -> None:
    keys, sections = form
    translated = _json(INTEGRATION / "strings.json")[flow]["step"][step]
    assert set(translated["data"]) == keys
    assert set(translated["data_description"]) == keys
    assert all(translated["data"].values())
    assert all(translated["data_description"].values())
    assert set(translated.get("sections", {})) == set(sections)
    for name, fields in sections.items():
        texts = translated["sections"][name]
        assert texts["name"], name
        assert texts["description"], name
        assert set(texts["data"]) == fields == set(texts["data_description"]), name
        assert all(texts["data"].values()), name
        assert all(texts["data_description"].values()), name


def _imports(path: Path) -> Iterator[tuple[str, int]]:
    """Yield every module a file imports, with the relative level."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((alias.name, 0) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield node.module or "", node.level


@pytest.mark.parametrize("package", ["api", "budget"])
def test_core_packages_are_free_of_home_assistant(package: str) -> None:
    files = sorted((INTEGRATION / package).rglob("*.py"))
    assert files
    for path in files:
        for module, level in _imports(path):
            assert level < 2, f"{path.name} imports outside {package}/"
            assert module.split(".")[0] != "homeassistant", path.name


def test_client_tests_need_no_home_assistant() -> None:
    """tests/api must run where only the client and its package are installed."""
    files = sorted((ROOT / "tests" / "api").rglob("*.py"))
    assert files
    for path in files:
        for module, _ in _imports(path):
            top = module.split(".")[0]
            assert top not in {"homeassistant", "pytest_homeassistant_custom_component"}
            if top == "custom_components":
                assert module.startswith("custom_components.v2c_cloud.api"), path.name


def test_client_package_version_matches_its_code() -> None:
    pyproject = tomllib.loads(
        (INTEGRATION / "api" / "pyproject.toml").read_text(encoding="utf-8")
    )
    assert pyproject["project"]["version"] == api.__version__
    assert pyproject["project"]["dependencies"] == ["aiohttp>=3.9"]
    assert (INTEGRATION / "api" / "README.md").is_file()
    assert (INTEGRATION / "api" / "py.typed").is_file()


def test_integration_never_imports_the_simulator() -> None:
    for path in sorted(INTEGRATION.rglob("*.py")):
        for module, _ in _imports(path):
            assert module.split(".")[0] != "v2c_simulator", path.name
