"""The charger device's model name."""

from __future__ import annotations

import pytest

from custom_components.v2c_cloud.chargers import model_name


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("trydan", "Trydan"),
        ("TRYDAN", "Trydan"),
        ("eMobility Pro", "eMobility Pro"),
        (None, None),
    ],
)
def test_model_is_spelled_as_v2c_does(sent: str | None, shown: str | None) -> None:
    """All-lower or all-upper names are capitalised; a mixed-case name is V2C's own."""
    assert model_name(sent) == shown
