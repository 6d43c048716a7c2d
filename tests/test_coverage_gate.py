"""Tests for the per-module coverage gate that scripts/test runs after pytest."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "coverage_gate.py"


@pytest.fixture(scope="module")
def gate() -> ModuleType:
    """Load the script as a module: scripts/ is not a package."""
    spec = importlib.util.spec_from_file_location("coverage_gate", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _report(percents: dict[str, float]) -> dict[str, Any]:
    """Return a coverage JSON report with these percentages, by path."""
    return {
        "files": {
            path: {"summary": {"percent_covered": percent}}
            for path, percent in percents.items()
        }
    }


def _write(tmp_path: Path, report: dict[str, Any]) -> str:
    path = tmp_path / "coverage.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    return str(path)


def test_one_module_under_the_gate_fails_despite_a_high_total(
    gate: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = _report(
        {
            "custom_components/v2c_cloud/sensor.py": 100.0,
            "custom_components/v2c_cloud/store.py": 94.9,
        }
    )

    assert gate.main([_write(tmp_path, report)]) == 1
    assert (
        "custom_components/v2c_cloud/store.py is at 94.90 %" in capsys.readouterr().out
    )


def test_every_module_at_the_gate_passes(gate: ModuleType, tmp_path: Path) -> None:
    report = _report(
        {
            "custom_components/v2c_cloud/sensor.py": 95.0,
            "custom_components/v2c_cloud/api/client.py": 99.0,
        }
    )

    assert gate.main([_write(tmp_path, report)]) == 0


def test_only_the_integration_counts(gate: ModuleType, tmp_path: Path) -> None:
    """The simulator and test helpers neither hide nor fail an integration module."""
    report = _report(
        {"custom_components/v2c_cloud/sensor.py": 96.0, "v2c_simulator/app.py": 10.0}
    )

    assert gate.modules_below(report, 95.0) == {}
    assert gate.main([_write(tmp_path, report), "--min", "97"]) == 1


def test_a_report_without_the_integration_fails(
    gate: ModuleType, tmp_path: Path
) -> None:
    report = _report({"v2c_simulator/app.py": 100})

    assert gate.main([_write(tmp_path, report)]) == 2


def test_a_flow_module_needs_every_line(
    gate: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """config-flow-test-coverage asks for all of the flows, not 95 %."""
    report = _report(
        {
            "custom_components/v2c_cloud/config_flow.py": 99.5,
            "custom_components/v2c_cloud/wifi_flow.py": 100.0,
        }
    )

    assert gate.main([_write(tmp_path, report)]) == 1
    assert (
        "custom_components/v2c_cloud/config_flow.py is at 99.50 %, under 100 %"
        in capsys.readouterr().out
    )
