"""How a charger's live state is classified for the quota planner."""

from __future__ import annotations

import pytest

from custom_components.v2c_cloud.api import CurrentState
from custom_components.v2c_cloud.budget import ChargerActivity
from custom_components.v2c_cloud.data import ChargerData


@pytest.mark.parametrize(
    ("charge_state", "photovoltaic_on", "sun_power", "expected"),
    [
        ("0", "1", "3.2", ChargerActivity.IDLE),
        ("2", "1", "3.2", ChargerActivity.CHARGING),
        ("1", "1", "3.2", ChargerActivity.WAITING),
        ("1", "1", "0", ChargerActivity.SUNLESS),
        ("1", "0", "3.2", ChargerActivity.PLUGGED),
    ],
)
def test_a_plugged_car_following_the_sun_waits_for_it_by_day_only(
    charge_state: str, photovoltaic_on: str, sun_power: str, expected: ChargerActivity
) -> None:
    state = CurrentState.from_dict(
        {
            "charge_state": charge_state,
            "photovoltaic_on": photovoltaic_on,
            "sun_power": sun_power,
        }
    )
    assert ChargerData(device_id="TRY1", state=state).activity is expected


def test_an_offline_charger_is_offline_whatever_it_last_showed() -> None:
    state = CurrentState.from_dict({"charge_state": "2"})
    data = ChargerData(device_id="TRY1", state=state, connected=False)
    assert data.activity is ChargerActivity.OFFLINE
