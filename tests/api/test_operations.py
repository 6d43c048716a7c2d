"""The operation table covers every documented operation with a client method."""

from __future__ import annotations

import inspect

from custom_components.v2c_cloud.api import OPERATIONS, OPERATIONS_BY_NAME, V2CClient
from tests.seed_api import NEWER_CURRENT_STATE, SEED_OPERATIONS

ID_PARAMETER_OPERATIONS = {
    "/device/ocpp",
    "/device/ocpp_id",
    "/device/ocpp_addr",
    "/device/inverter_ip",
    "/device/wifilist",
}


def test_seed_document_has_46_operations() -> None:
    assert len(SEED_OPERATIONS) == 46


def test_every_seed_operation_is_reachable() -> None:
    reachable = {(op.method, op.path) for op in OPERATIONS} | {
        (op.method, op.fallback_path) for op in OPERATIONS if op.fallback_path
    }
    assert reachable >= SEED_OPERATIONS
    assert reachable - SEED_OPERATIONS == {NEWER_CURRENT_STATE}


def test_every_operation_has_a_client_coroutine() -> None:
    assert len(OPERATIONS_BY_NAME) == len(OPERATIONS)
    for op in OPERATIONS:
        assert inspect.iscoroutinefunction(getattr(V2CClient, op.name)), op.name


def test_retired_operations_are_marked_legacy() -> None:
    legacy = {op.name for op in OPERATIONS if op.legacy}
    assert legacy == {"set_max_power", "set_thirdparty_mode", "set_timer_legacy"}


def test_device_id_parameter_names() -> None:
    for op in OPERATIONS:
        if op.path in ID_PARAMETER_OPERATIONS or op.name == "update_power_profile":
            assert op.id_param == "id", op.name
        elif op.path in {"/pairings/me", "/stadistic/global/me"}:
            assert op.id_param is None, op.name
        else:
            assert op.id_param == "deviceId", op.name
