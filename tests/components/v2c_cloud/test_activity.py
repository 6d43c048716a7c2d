"""How a charger's live state is classified for the quota planner."""

from __future__ import annotations

import pytest

from custom_components.v2c_cloud.api import CurrentState, ReportedState
from custom_components.v2c_cloud.budget import ChargerActivity
from custom_components.v2c_cloud.data import ChargerData, charged_between
from v2c_simulator.templates import wire_fixture


@pytest.mark.parametrize(
    ("charge_state", "photovoltaic_on", "sun_power", "expected"),
    [
        ("0", "1", "3.2", ChargerActivity.IDLE),
        ("2", "1", "3.2", ChargerActivity.CHARGING),
        ("1", "1", "3.2", ChargerActivity.WAITING),
        # No settings read: in the dark the car may be held by something else.
        ("1", "1", "0", ChargerActivity.PLUGGED),
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


@pytest.mark.parametrize(
    ("fv_mode", "expected"),
    [
        ("1", ChargerActivity.SUNLESS),
        ("0", ChargerActivity.PLUGGED),
        ("2", ChargerActivity.PLUGGED),
        # A mode the settings do not name: awaited like any held car.
        (None, ChargerActivity.PLUGGED),
    ],
)
def test_only_an_exclusive_pv_car_waits_for_the_sun(
    fv_mode: str | None, expected: ChargerActivity
) -> None:
    state = CurrentState.from_dict(
        {"charge_state": "1", "photovoltaic_on": "1", "sun_power": "0.000000"}
    )
    # The real Trydan reports a solar mode on at night; the shadow's mode says
    # whether the grid would charge the car meanwhile.
    reported = ReportedState.from_dict(
        {"device_id": "TRY1", "locked": "0"}
        if fv_mode is None
        else {"fv_mode": fv_mode}
    )
    data = ChargerData(device_id="TRY1", state=state, reported=reported)
    assert data.activity is expected


def test_an_offline_charger_is_offline_whatever_it_last_showed() -> None:
    state = CurrentState.from_dict({"charge_state": "2"})
    data = ChargerData(device_id="TRY1", state=state, connected=False)
    assert data.activity is ChargerActivity.OFFLINE


@pytest.mark.parametrize(
    ("reported", "expected"),
    [
        (None, ChargerActivity.PLUGGED),
        ({"fv_mode": "1"}, ChargerActivity.SUNLESS),
        ({"fv_mode": "0"}, ChargerActivity.PLUGGED),
    ],
)
def test_a_real_trydan_held_at_zero_amps_is_not_charging(
    reported: dict[str, str] | None, expected: ChargerActivity
) -> None:
    """The real sample: pilot C (2), 0 A and 0 kW, a solar mode on, no sun."""
    state = CurrentState.from_dict(wire_fixture("trydan-2.4.6-currentstatecharge"))
    data = ChargerData(
        device_id="TRY1",
        state=state,
        reported=None if reported is None else ReportedState.from_dict(reported),
    )
    assert data.activity is expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"power": "0.000000", "intensity": "0"}, ChargerActivity.PLUGGED),
        ({"power": "7.360000", "intensity": "0"}, ChargerActivity.CHARGING),
        ({"power": "0.000000", "intensity": "16"}, ChargerActivity.CHARGING),
        ({}, ChargerActivity.CHARGING),
    ],
)
def test_a_charging_pilot_counts_when_current_flows_or_is_not_read(
    fields: dict[str, str], expected: ChargerActivity
) -> None:
    state = CurrentState.from_dict({"charge_state": "2", **fields})
    assert ChargerData(device_id="TRY1", state=state).activity is expected


def _live(charge_state: str, energy: str | None, seconds: str | None) -> CurrentState:
    charging = charge_state == "2"
    fields = {
        "charge_state": charge_state,
        "power": "7.360000" if charging else "0.000000",
        "intensity": "32" if charging else "0",
    }
    if energy is not None:
        fields["energy"] = energy
    if seconds is not None:
        fields["seconds"] = seconds
    return CurrentState.from_dict(fields)


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        # A full car whose session energy grew between two reads charged.
        (("1", "4.179506", "26711"), ("1", "4.412000", "27611"), True),
        # A trickle, or a total that lagged the charge's end, is not a charge.
        (("1", "4.179506", "26711"), ("1", "4.270000", "27611"), False),
        # A younger session is another car's, whatever its energy.
        (("1", "4.179506", "26711"), ("1", "6.000000", "600"), False),
        # Gone, or charging now: nothing unseen.
        (("1", "4.179506", "26711"), ("0", "4.412000", "27611"), False),
        (("1", "4.179506", "26711"), ("2", "4.412000", "27611"), False),
        # A field the charger does not send says nothing.
        (("1", None, "26711"), ("1", "4.412000", "27611"), False),
        (("1", "4.179506", "26711"), ("1", "4.412000", None), False),
    ],
)
def test_a_charge_between_two_reads_shows_in_the_session_energy(
    before: tuple[str, str | None, str | None],
    after: tuple[str, str | None, str | None],
    expected: bool,
) -> None:
    assert charged_between(_live(*before), _live(*after)) is expected
    assert charged_between(None, _live(*after)) is False
