"""Edge cases of the value parsers and argument checks."""

from __future__ import annotations

from datetime import time

import pytest

from custom_components.v2c_cloud.api import (
    ChargingSession,
    CurrentState,
    Timer,
    V2CResponseError,
    V2CValidationError,
)
from custom_components.v2c_cloud.api.parsing import (
    decode_body,
    error_reason,
    excerpt,
    to_bool,
    to_int,
)
from custom_components.v2c_cloud.api.validation import ocpp_address


def test_excerpt_ignores_empty_secrets() -> None:
    assert excerpt("<b>key  abc</b>", ("", "abc")) == "key ***"


def test_excerpt_of_a_megabyte_of_unclosed_tags() -> None:
    """No ">" after many "<": kept as text, in linear time (it runs on the event loop)."""
    assert excerpt("<" * 1_048_576) == "<" * 200
    assert excerpt("<a<b>c>") == "<a c>"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            '{"status": 409, "message": "RFID card already registered"}',
            "RFID card already registered",
        ),
        ('{"error": "Device offline", "message": ""}', "Device offline"),
        ('{"message": "key abc rejected"}', "key *** rejected"),
        ('{"message": 3}', ""),
        ('["message"]', ""),
        ("<html>Bad Gateway</html>", ""),
        ("", ""),
    ],
)
def test_error_reason_is_the_json_message(body: str, reason: str) -> None:
    assert error_reason(body, ("abc",)) == reason


def test_int_with_too_many_digits_is_response_error() -> None:
    with pytest.raises(V2CResponseError):
        to_int("9" * 5000, "seconds")


def test_energy_by_hour_as_list() -> None:
    session = ChargingSession.from_json({"energyByHour": [0.5, "1.5", ""]})
    assert session.energy_by_hour_kwh == (0.5, 1.5)


def test_unparseable_ocpp_url() -> None:
    with pytest.raises(V2CValidationError):
        ocpp_address("ws://[::1")


def test_bad_timer_time_is_none() -> None:
    timer = Timer.from_json({"timeStart": "25:00", "timeEnd": "06:00"})
    assert (timer.start, timer.end) == (None, time(6))


def test_int_with_a_digit_int_cannot_read_is_response_error() -> None:
    # "²" is a digit to str.isdigit but not to int().
    with pytest.raises(V2CResponseError):
        to_int("²", "seconds")


def test_byte_order_mark_before_json() -> None:
    body = b'\xef\xbb\xbf{"charge_state": "2", "power": "1.380000"}'
    state = CurrentState.from_json(
        decode_body(body, "application/json; charset=utf-8", 200)
    )
    assert (state.charge_state, state.power_w) == (2, 1380.0)


@pytest.mark.parametrize(("body", "decoded"), [(b'"OK"', "OK"), (b"true", True)])
def test_json_labelled_html_is_data(body: bytes, decoded: object) -> None:
    assert decode_body(body, "text/html; charset=utf-8", 200) == decoded


@pytest.mark.parametrize(
    ("value", "flag"), [("1.000000", True), ("0.000000", False), (" 1.0 ", True)]
)
def test_flag_with_six_decimals(value: str, flag: bool) -> None:
    assert to_bool(value, "locked") is flag


@pytest.mark.parametrize("value", ["0.500000", "2.000000", "nan"])
def test_flag_that_is_no_flag_is_rejected(value: str) -> None:
    with pytest.raises(V2CResponseError):
        to_bool(value, "locked")
