"""A simulated V2C Cloud third-party API for tests, development and benchmarks."""

from __future__ import annotations

from .accounts import Account, key_hash
from .charger import Charger
from .clock import Clock, SystemClock, VirtualClock
from .faults import FaultKind, FaultRule
from .log import RequestRecord
from .quota import QuotaStatus
from .scenarios import SCENARIOS, Scenario, ScenarioDriver
from .simulator import Simulator
from .state import ChargerState, Model, Wire

__all__ = [
    "SCENARIOS",
    "Account",
    "Charger",
    "ChargerState",
    "Clock",
    "FaultKind",
    "FaultRule",
    "Model",
    "QuotaStatus",
    "RequestRecord",
    "Scenario",
    "ScenarioDriver",
    "Simulator",
    "SystemClock",
    "VirtualClock",
    "Wire",
    "key_hash",
]
