"""Every entity of each platform, for a Trydan and a Pole, against the snapshots.

Each platform is loaded alone.
"""

from __future__ import annotations

from typing import Any

from homeassistant.const import Platform
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.v2c_cloud.const import DOMAIN

from .control_helpers import POLE, TRYDAN, Harness

MODELS = {"trydan": TRYDAN, "pole": POLE}


@pytest.fixture
def mock_config_entry(mock_config_entry: MockConfigEntry) -> MockConfigEntry:
    """Fix the entry id: the account sensors' unique ids contain it."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=mock_config_entry.title,
        unique_id=mock_config_entry.unique_id,
        data=mock_config_entry.data,
        entry_id="01JV2CACCOUNTENTRY00000000",
    )


def _platform(
    platform: Platform,
    *,
    models: tuple[str, ...] = ("trydan", "pole"),
    enable_all: bool = False,
    **charger_state: Any,
) -> list[Any]:
    return [
        pytest.param(
            platform,
            MODELS[model],
            enable_all,
            charger_state,
            id=f"{platform}-{model}",
        )
        for model in models
    ]


@pytest.mark.parametrize(
    ("entity_platform", "sim_setup", "enable_all", "charger_state"),
    [
        # A Trydan has every number; a Pole lacks the maximum power.
        *_platform(Platform.NUMBER, enable_all=True),
        # A Trydan has every select; a Pole lacks the PV mode and the meter type.
        *_platform(Platform.SELECT, enable_all=True),
        # A Trydan has every text; a Pole lacks the inverter address.
        *_platform(Platform.TEXT, enable_all=True, ocpp_id="CP-1"),
        # A Trydan has every switch; a Pole lacks dynamic power control.
        *_platform(Platform.SWITCH, enable_all=True),
        # Trydan and Pole both have the charging point lock, enabled by default.
        *_platform(Platform.LOCK),
        # Trydan and Pole both have the reboot and firmware update buttons.
        *_platform(Platform.BUTTON),
        # Every binary sensor of a Trydan and of a Pole, enabled by default.
        *_platform(Platform.BINARY_SENSOR),
        # Every sensor of a Trydan and of a Pole, with the account's quota sensors.
        *_platform(Platform.SENSOR, enable_all=True),
        # One session event entity per charger.
        *_platform(Platform.EVENT, models=("trydan",)),
    ],
)
async def test_entities(
    *,
    request: pytest.FixtureRequest,
    harness: Harness,
    snapshot: SnapshotAssertion,
    enable_all: bool,
    charger_state: dict[str, Any],
) -> None:
    """Every entity of the platform and its state match the snapshot.

    Without `enable_all` the snapshot also shows that every entity is enabled
    by default: snapshot_platform fails on a disabled one.
    """
    if enable_all:
        request.getfixturevalue("all_enabled")
    await harness.load(**charger_state)
    await harness.snapshot(snapshot)
