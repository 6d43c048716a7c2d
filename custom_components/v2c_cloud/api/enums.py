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


class DynamicPowerMode(IntEnum):
    """How the charger sets its power (`dynamic_power_mode`), as a real Trydan numbers them."""

    TIMED_POWER_ON = 0
    TIMED_POWER_OFF = 1
    EXCLUSIVE_PV = 2
    MINIMUM_POWER = 3
    GRID_PV = 4
    STOP = 5


class InstallationType(IntEnum):
    """Electrical installation type (`/device/inst_type`)."""

    MONOPHASE = 0
    THREE_PHASE = 1
    PHOTOVOLTAIC = 2


class SlaveType(IntEnum):
    """Energy meter used for load balancing (`slave_type`), as a real Trydan names them."""

    SHELLY = 0
    V2C_V2 = 1
    V2C_LEGACY = 2
    HUAWEI = 3
    SOLAX = 4
    CARLO_GAVAZZI = 5
    GROWATT = 6
    MQTT = 11


class Language(IntEnum):
    """Display language (`language`), as a real Trydan numbers them."""

    ENGLISH = 0
    SPANISH = 1
    PORTUGUESE = 2
    FRENCH = 3
    ITALIAN = 4
    GERMAN = 5
    ROMANIAN = 6
    DUTCH = 7
    DANISH = 8
    CATALAN = 9


class MeterError(IntEnum):
    """Error of the energy ("slave") meter, the `error` of `currentstatecharge`."""

    NONE = 0
    COMMUNICATION = 1
    READING = 2
    SLAVE = 3
    WAITING_WIFI = 4
    WAITING_COMMUNICATION = 5
    WRONG_IP = 6
    METER_NOT_FOUND = 7
    WRONG_METER = 8
    NO_RESPONSE = 9
    CLAMP_NOT_CONNECTED = 10
