"""Pytest plugin: run the client's tests as they would run in its own package.

Home Assistant is made unimportable, and the integration's package is entered
without running its ``__init__`` (which needs Home Assistant), so only ``api/``
and what it imports are loaded. scripts/test runs tests/api this way.
"""

from __future__ import annotations

from pathlib import Path
import sys
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]

sys.modules["homeassistant"] = None  # type: ignore[assignment]
for name, path in (
    ("custom_components", ROOT / "custom_components"),
    ("custom_components.v2c_cloud", ROOT / "custom_components" / "v2c_cloud"),
):
    package = ModuleType(name)
    package.__path__ = [str(path)]
    sys.modules[name] = package
