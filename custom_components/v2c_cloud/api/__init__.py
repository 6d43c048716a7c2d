"""Async client for the V2C Cloud third-party API (no Home Assistant imports)."""

from .client import DEFAULT_BASE_URL, V2CClient
from .enums import (
    ChargeState,
    DynamicPowerMode,
    InstallationType,
    Language,
    MeterError,
    PvMode,
    SlaveType,
)
from .exceptions import (
    V2CAuthenticationError,
    V2CConnectionError,
    V2CError,
    V2CRateLimitError,
    V2CResponseError,
    V2CThrottledError,
    V2CValidationError,
)
from .models import (
    ChargingSession,
    CurrentState,
    FirmwareVersion,
    GlobalStatistics,
    Pairing,
    PowerProfile,
    QuotaSnapshot,
    ReportedState,
    RfidCard,
    Timer,
    WifiNetwork,
)
from .operations import OPERATIONS, OPERATIONS_BY_NAME, Operation
from .transport import CallListener, mask_device_id

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_BASE_URL",
    "OPERATIONS",
    "OPERATIONS_BY_NAME",
    "CallListener",
    "ChargeState",
    "ChargingSession",
    "CurrentState",
    "DynamicPowerMode",
    "FirmwareVersion",
    "GlobalStatistics",
    "InstallationType",
    "Language",
    "MeterError",
    "Operation",
    "Pairing",
    "PowerProfile",
    "PvMode",
    "QuotaSnapshot",
    "ReportedState",
    "RfidCard",
    "SlaveType",
    "Timer",
    "V2CAuthenticationError",
    "V2CClient",
    "V2CConnectionError",
    "V2CError",
    "V2CRateLimitError",
    "V2CResponseError",
    "V2CThrottledError",
    "V2CValidationError",
    "WifiNetwork",
    "mask_device_id",
]
