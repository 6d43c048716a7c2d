"""Property tests: any body either parses or raises V2CResponseError."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.v2c_cloud.api import (
    ChargingSession,
    CurrentState,
    FirmwareVersion,
    GlobalStatistics,
    Pairing,
    PowerProfile,
    ReportedState,
    RfidCard,
    Timer,
    V2CResponseError,
    WifiNetwork,
)
from custom_components.v2c_cloud.api.models import V2CModel, parse_connected
from custom_components.v2c_cloud.api.parsing import decode_body

DOCUMENTED_KEYS: dict[type[V2CModel], tuple[str, ...]] = {
    CurrentState: (
        "error",
        "battery",
        "voltage",
        "intensity",
        "seconds",
        "photovoltaic_on",
        "house_power",
        "charge_state",
        "power",
        "sun_power",
        "phases",
        "cp_level",
        "energy",
    ),
    ReportedState: (
        "device_id",
        "version",
        "mac",
        "wifi_info",
        "min_car_int",
        "max_car_int",
        "intensity",
        "locked",
        "pause",
        "dynamic",
        "charge_state",
        "light_led",
        "logo_led",
        "rfid",
        "contract_power",
        "inst_type",
        "slave_type",
        "fv_mode",
        "language",
        "ocpp",
        "ocpp_id",
        "ocpp_addr",
        "inverter_ip",
        "denka_max_power",
        "max_power",
        "charge_until_energy",
        "charge_until_minutes",
        "timers",
    ),
    Pairing: ("deviceId", "id", "tag", "name", "model", "pairingId"),
    ChargingSession: (
        "id",
        "deviceId",
        "startChargeDate",
        "endChargeDate",
        "idCharge",
        "energy",
        "cost",
        "coCost",
        "costFv",
        "energyByHour",
        "energyByHourFv",
        "rfidCode",
        "rfidName",
        "message",
        "warning",
        "finished",
        "createdAt",
        "updatedAt",
    ),
    GlobalStatistics: ("totalEnergy", "totalCharges"),
    RfidCard: ("code", "tag"),
    PowerProfile: ("name", "updateAt", "mode", "value"),
    Timer: ("timerId", "timeStart", "timeEnd", "daysOfWeek", "active"),
    WifiNetwork: ("ssid", "rssi", "encryption"),
    FirmwareVersion: ("versionId", "version"),
}

SCALARS = st.one_of(
    st.none(),
    st.just(""),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
    st.floats(allow_nan=False).map(str),
    st.integers().map(str),
    st.sampled_from(
        ["1.380000", "0", "1", "true", "22:00", "135", "2025-10-28T11:44:47", "0.9|3.5"]
    ),
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


def _bodies(keys: tuple[str, ...]) -> st.SearchStrategy[Any]:
    objects = st.fixed_dictionaries({}, optional=dict.fromkeys(keys, JSON_VALUES))
    return st.one_of(
        objects,
        objects.map(json.dumps),
        st.lists(objects, max_size=3),
        JSON_VALUES,
    )


def _parses_or_response_error(model: type[V2CModel], body: object) -> None:
    try:
        parsed = (
            model.list_from_json(body)
            if isinstance(body, list)
            else model.from_json(body)
        )
    except V2CResponseError:
        return
    assert parsed is not None


@pytest.mark.parametrize("model", list(DOCUMENTED_KEYS), ids=lambda m: m.__name__)
@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_documented_bodies_parse_or_raise_response_error(
    model: type[V2CModel], data: st.DataObject
) -> None:
    _parses_or_response_error(model, data.draw(_bodies(DOCUMENTED_KEYS[model])))


@settings(max_examples=100, deadline=None)
@given(
    keys=st.fixed_dictionaries(
        {}, optional=dict.fromkeys(DOCUMENTED_KEYS[CurrentState], SCALARS)
    )
)
def test_current_state_values_never_raise_other_errors(keys: dict[str, object]) -> None:
    _parses_or_response_error(CurrentState, keys)


@settings(max_examples=100, deadline=None)
@given(power=st.floats(min_value=0, max_value=100, allow_nan=False))
def test_power_strings_and_numbers_parse_the_same(power: float) -> None:
    as_text = CurrentState.from_json({"power": f"{power:.6f}"})
    as_number = CurrentState.from_json({"power": float(f"{power:.6f}")})
    assert (
        as_text.power_w == as_number.power_w == round(float(f"{power:.6f}") * 1000, 3)
    )


@settings(max_examples=100, deadline=None)
@given(body=JSON_VALUES)
def test_connected_parses_or_raises_response_error(body: object) -> None:
    with contextlib.suppress(V2CResponseError):
        assert isinstance(parse_connected(body), bool)


@settings(max_examples=150, deadline=None)
@given(
    raw=st.binary(max_size=64) | st.text(max_size=64).map(str.encode),
    html=st.booleans(),
)
def test_decode_body_rejects_only_html(raw: bytes, html: bool) -> None:
    text = raw.decode("utf-8-sig", errors="replace").strip()
    content_type = "text/html" if html else "text/plain"
    try:
        json.loads(text)
    except ValueError:
        is_json = False
    else:
        is_json = True
    if text and not is_json and (html or text.startswith("<")):
        with pytest.raises(V2CResponseError) as info:
            decode_body(raw, content_type, 200)
        assert info.value.status == 200
        assert len(info.value.excerpt) <= 200
    else:
        decoded = decode_body(raw, content_type, 200)
        if not text:
            assert decoded is None
