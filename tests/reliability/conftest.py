"""Fixtures of the reliability suites: the integration's entry against the simulator."""

from __future__ import annotations

from tests.components.v2c_cloud.conftest import (  # noqa: F401
    frozen_start,
    init_integration,
    mock_config_entry,
)
