"""How a charger's live state is classified, and what it says of its settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.v2c_cloud.api import CurrentState, PvMode, ReportedState
from custom_components.v2c_cloud.budget import ChargerActivity
from custom_components.v2c_cloud.data import (
    CONFIRM_WINDOW_S,
    ChargerData,
    charged_between,
)
from v2c_simulator.templates import wire_fixture

# Pilot C at 0 A and 0 kW: a real Trydan the sun holds (a car charging shows
# current or power).
HELD_AT_C = {"charge_state": "2", "power": "0.000000", "intensity": "0"}
# Pilot B: the car is connected and does not ask for a charge.
NOT_ASKING = {"charge_state": "1", "power": "0.000000", "intensity": "0"}


@pytest.mark.parametrize(
    ("live", "photovoltaic_on", "sun_power", "expected"),
    [
        ({"charge_state": "0"}, "1", "3.2", ChargerActivity.IDLE),
        ({"charge_state": "2"}, "1", "3.2", ChargerActivity.CHARGING),
        (HELD_AT_C, "1", "3.2", ChargerActivity.WAITING),
        # A full car (or one its own settings hold) asks for no charge: it is
        # not waiting for the sun, and is held as outside a solar mode.
        (NOT_ASKING, "1", "3.2", ChargerActivity.PLUGGED),
        # No settings read: in the dark the car may be held by something else.
        (HELD_AT_C, "1", "0", ChargerActivity.PLUGGED),
        (HELD_AT_C, "0", "3.2", ChargerActivity.PLUGGED),
    ],
)
def test_a_plugged_car_following_the_sun_waits_for_it_by_day_only(
    live: dict[str, str],
    photovoltaic_on: str,
    sun_power: str,
    expected: ChargerActivity,
) -> None:
    state = CurrentState.from_dict(
        {**live, "photovoltaic_on": photovoltaic_on, "sun_power": sun_power}
    )
    assert ChargerData(device_id="TRY1", state=state).activity is expected


@pytest.mark.parametrize(
    ("live", "settings", "expected"),
    [
        (HELD_AT_C, {"fv_mode": "1"}, ChargerActivity.WAITING),
        # Paused or locked, the car waits for the owner, not for surplus.
        (HELD_AT_C, {"fv_mode": "1", "pause": "1"}, ChargerActivity.PLUGGED),
        (HELD_AT_C, {"fv_mode": "1", "locked": "1"}, ChargerActivity.PLUGGED),
        (
            HELD_AT_C,
            {"fv_mode": "1", "pause": "0", "locked": "0"},
            ChargerActivity.WAITING,
        ),
        (NOT_ASKING, {"fv_mode": "1"}, ChargerActivity.PLUGGED),
        # Charging again under the sun after it was full.
        (
            {"charge_state": "2", "power": "1.500000", "intensity": "6"},
            {"fv_mode": "1"},
            ChargerActivity.CHARGING,
        ),
    ],
)
def test_under_the_sun_only_a_car_asking_for_a_charge_it_may_take_waits(
    live: dict[str, str], settings: dict[str, str], expected: ChargerActivity
) -> None:
    """Exclusive PV at 3 kW of sun: WAITING is a car only the surplus holds."""
    state = CurrentState.from_dict(
        {**live, "photovoltaic_on": "1", "sun_power": "3.000000"}
    )
    reported = ReportedState.from_dict(settings)
    data = ChargerData(device_id="TRY1", state=state, reported=reported)
    assert data.activity is expected


@pytest.mark.parametrize(
    ("live", "settings"),
    [
        (NOT_ASKING, {"fv_mode": "1"}),
        (HELD_AT_C, {"fv_mode": "1", "pause": "1"}),
        (HELD_AT_C, {"dynamic_power_mode": "2", "locked": "1"}),
    ],
)
def test_in_the_dark_exclusive_pv_holds_a_car_whatever_else_does(
    live: dict[str, str], settings: dict[str, str]
) -> None:
    """A full, paused or locked car cannot charge before the sun rises either."""
    state = CurrentState.from_dict(
        {**live, "photovoltaic_on": "1", "sun_power": "0.000000"}
    )
    reported = ReportedState.from_dict(settings)
    data = ChargerData(device_id="TRY1", state=state, reported=reported)
    assert data.activity is ChargerActivity.SUNLESS


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


@pytest.mark.parametrize(
    ("dynamic_power_mode", "expected"),
    [
        # Exclusive PV, as a real Trydan names it: the car is awaited all night
        # at a quiet hour's pace.
        ("2", ChargerActivity.SUNLESS),
        # Minimum power and grid + PV charge from the grid too.
        ("3", ChargerActivity.PLUGGED),
        ("4", ChargerActivity.PLUGGED),
        # Timed power and stop do not follow the sun.
        ("0", ChargerActivity.PLUGGED),
        ("1", ChargerActivity.PLUGGED),
        ("5", ChargerActivity.PLUGGED),
        # Unusable or absent: the mode is not named.
        ("9", ChargerActivity.PLUGGED),
        (None, ChargerActivity.PLUGGED),
    ],
)
def test_a_real_trydan_names_its_solar_mode_in_dynamic_power_mode(
    dynamic_power_mode: str | None, expected: ChargerActivity
) -> None:
    """Without `fv_mode` (inferred), the real shadow's `dynamic_power_mode` names the mode.

    The real live sample: pilot C, 0 A, 0 kW, a solar mode on, no sun.
    """
    shadow = wire_fixture("trydan-2.4.6-reported")
    shadow.pop("fv_mode")
    if dynamic_power_mode is None:
        shadow.pop("dynamic_power_mode")
    else:
        shadow["dynamic_power_mode"] = dynamic_power_mode
    data = ChargerData(
        device_id="TRY1",
        state=CurrentState.from_dict(wire_fixture("trydan-2.4.6-currentstatecharge")),
        reported=ReportedState.from_dict(shadow),
    )
    assert data.activity is expected


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        # `fv_mode` is what the PV-mode select sets: it wins over the other key.
        ({"fv_mode": "0", "dynamic_power_mode": "2"}, ChargerActivity.PLUGGED),
        ({"fv_mode": "1", "dynamic_power_mode": "4"}, ChargerActivity.SUNLESS),
        # An unusable `fv_mode` names nothing: the other key does.
        ({"fv_mode": "x", "dynamic_power_mode": "2"}, ChargerActivity.SUNLESS),
        ({"fv_mode": "", "dynamic_power_mode": "2"}, ChargerActivity.SUNLESS),
    ],
)
def test_fv_mode_names_the_solar_mode_before_dynamic_power_mode(
    settings: dict[str, str], expected: ChargerActivity
) -> None:
    state = CurrentState.from_dict(wire_fixture("trydan-2.4.6-currentstatecharge"))
    data = ChargerData(
        device_id="TRY1", state=state, reported=ReportedState.from_dict(settings)
    )
    assert data.activity is expected


@pytest.mark.parametrize("fv_mode", ["1", None])
def test_a_car_whose_sun_reading_is_unusable_may_start_at_any_moment(
    fv_mode: str | None,
) -> None:
    """An unusable `sun_power` (None) is no darkness: the hold cannot be told."""
    state = CurrentState.from_dict(
        {
            "charge_state": "2",
            "photovoltaic_on": "1",
            "power": "0.000000",
            "intensity": "0",
            "sun_power": "",
            "house_power": "0.212000",
        }
    )
    assert state.sun_power_w is None
    data = ChargerData(
        device_id="TRY1",
        state=state,
        reported=None
        if fv_mode is None
        else ReportedState.from_dict({"fv_mode": fv_mode}),
    )
    assert data.activity is ChargerActivity.PLUGGED


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


SETTINGS_AT = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
HELD = {"pause": "1", "locked": "1", "fv_mode": "1", "dynamic": "1"}


def _read_after(
    seconds: float, charge_state: str = "2", connected: bool | None = True
) -> ChargerData:
    """Return settings that say paused and locked, and a live read seconds after them."""
    return ChargerData(
        device_id="TRY1",
        state=_live(charge_state, "4.179506", "600"),
        reported=ReportedState.from_dict(HELD),
        connected=connected,
        state_at=SETTINGS_AT + timedelta(seconds=seconds),
        reported_at=SETTINGS_AT,
    )


@pytest.mark.parametrize(
    ("seconds", "charge_state", "connected", "lifted", "in_doubt"),
    [
        # A charge a command's window after the settings: lifted, for no call.
        (CONFIRM_WINDOW_S, "2", True, True, True),
        (3600.0, "2", None, True, True),
        # Sooner, a pause or lock may still be applying: only in doubt.
        (CONFIRM_WINDOW_S - 1, "2", True, False, True),
        # Read with the settings, or before them: they are the newer word.
        (0.0, "2", True, False, False),
        (-600.0, "2", True, False, False),
        # A car that does not charge, or a charger offline: nothing lifted.
        (3600.0, "1", True, False, False),
        (3600.0, "2", False, False, False),
    ],
)
def test_a_charge_read_well_after_the_settings_lifts_their_pause_and_lock(
    seconds: float,
    charge_state: str,
    connected: bool | None,
    lifted: bool,
    in_doubt: bool,
) -> None:
    """A paused or locked charger offers no current: a later charge says they were lifted."""
    data = _read_after(seconds, charge_state, connected)
    settings = data.settings
    assert settings is not None
    assert (settings.paused, settings.locked) == (not lifted, not lifted)
    assert data.charge_after_settings is in_doubt
    # A solar mode and the other settings are no hold: a charge says nothing of them.
    assert (settings.pv_mode, settings.dynamic) == (PvMode.PV_ONLY, True)
    assert data.reported == ReportedState.from_dict(HELD)


def test_settings_lifted_keep_what_they_did_not_say() -> None:
    """A pause or lock the settings never named stays unknown; one off stays off."""
    data = ChargerData(
        device_id="TRY1",
        state=_live("2", "4.179506", "600"),
        reported=ReportedState.from_dict({"pause": "0"}),
        state_at=SETTINGS_AT + timedelta(hours=1),
        reported_at=SETTINGS_AT,
    )
    settings = data.settings
    assert settings is not None
    assert (settings.paused, settings.locked) == (False, None)
    assert data.holds_lifted() == data
    assert ChargerData(device_id="TRY1").settings is None
