"""The enum tables against what a real Trydan (firmware 2.4.6) was seen to send."""

from __future__ import annotations

from enum import IntEnum

import pytest

from custom_components.v2c_cloud.api import Language, MeterError, SlaveType

OBSERVED: dict[type[IntEnum], dict[int, str]] = {
    SlaveType: {
        0: "SHELLY",
        1: "V2C_V2",
        2: "V2C_LEGACY",
        3: "HUAWEI",
        4: "SOLAX",
        5: "CARLO_GAVAZZI",
        6: "GROWATT",
        11: "MQTT",
    },
    Language: {
        0: "ENGLISH",
        1: "SPANISH",
        2: "PORTUGUESE",
        3: "FRENCH",
        4: "ITALIAN",
        5: "GERMAN",
        6: "ROMANIAN",
        7: "DUTCH",
        8: "DANISH",
        9: "CATALAN",
    },
    MeterError: {
        0: "NONE",
        1: "COMMUNICATION",
        2: "READING",
        3: "SLAVE",
        4: "WAITING_WIFI",
        5: "WAITING_COMMUNICATION",
        6: "WRONG_IP",
        7: "METER_NOT_FOUND",
        8: "WRONG_METER",
        9: "NO_RESPONSE",
        10: "CLAMP_NOT_CONNECTED",
    },
}
PAIRS = [
    pytest.param(enum, number, name, id=f"{enum.__name__}-{number}-{name}")
    for enum, table in OBSERVED.items()
    for number, name in table.items()
]


@pytest.mark.parametrize(("enum", "number", "name"), PAIRS)
def test_each_observed_code_has_the_observed_name(
    enum: type[IntEnum], number: int, name: str
) -> None:
    """The number a real Trydan sends reads as the name it gives, and back."""
    assert enum(number).name == name
    assert enum[name] == number


@pytest.mark.parametrize("enum", list(OBSERVED), ids=lambda enum: enum.__name__)
def test_enums_name_exactly_the_observed_codes(enum: type[IntEnum]) -> None:
    """No code is missing and none is invented beside the observed ones."""
    assert {member.value: member.name for member in enum} == OBSERVED[enum]
