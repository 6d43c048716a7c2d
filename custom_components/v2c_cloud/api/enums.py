"""Enumerations of the V2C Cloud API."""

from __future__ import annotations

from enum import IntEnum


class ChargeState(IntEnum):
    """IEC 61851 control-pilot state reported as `charge_state`."""

    NO_VEHICLE = 0
    CONNECTED = 1
    CHARGING = 2
    VENTILATION = 3
    NO_POWER = 4
    FAULT = 5


class PvMode(IntEnum):
    """Photovoltaic charging mode (`/device/chargefvmode`)."""

    PV_PLUS_MIN = 0
    PV_ONLY = 1
    MAX_POWER = 2


class InstallationType(IntEnum):
    """Electrical installation type (`/device/inst_type`)."""

    MONOPHASE = 0
    THREE_PHASE = 1
    PHOTOVOLTAIC = 2


class SlaveType(IntEnum):
    """Energy meter used for load balancing (`/device/slave_type`).

    Only the documented values: sending an undocumented meter type could misconfigure
    load balancing, so the enum is closed and unknown reported values parse to None.
    """

    SHELLY = 0
    V2C_V2 = 1
    HUAWEI = 3
    SOLAX = 4


class Language(IntEnum):
    """Display language (`/device/language`); V2C names only values 0-2."""

    ENGLISH = 0
    SPANISH = 1
    PORTUGUESE = 2
    LANGUAGE_3 = 3
    LANGUAGE_4 = 4
    LANGUAGE_5 = 5
    LANGUAGE_6 = 6
