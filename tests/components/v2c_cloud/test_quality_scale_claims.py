"""Claims of quality_scale.yaml checked against what the integration does."""

from __future__ import annotations

import ast
from collections.abc import Iterator
import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.v2c_cloud.account import ACCOUNT_TICK
from tests.sim_fixtures import SimHandle
from v2c_simulator import FaultKind

from .read_helpers import PACKAGE, run_for

PAIRINGS_PATH = "/pairings/me"


async def test_log_when_unavailable_no_recovery_logged_while_the_cloud_is_down(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """log-when-unavailable: "back" is logged once the cloud answers, not before.

    The 6-hourly pairings read fails; the account's next 30-minute tick reads
    nothing, and must not report the cloud as recovered while it still fails.
    Once the cloud answers again, the pairings are read once (an hour or more
    after the failed read) and "recovered" follows that read.
    """
    caplog.set_level(logging.INFO, logger="custom_components.v2c_cloud")
    account = init_integration.runtime_data.account
    v2c_sim.sim.faults.set(FaultKind.HTTP_503)
    v2c_sim.sim.clear_log()
    for _ in range(16):
        freezer.tick(ACCOUNT_TICK)
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
        if any(r.path == PAIRINGS_PATH for r in v2c_sim.sim.request_log):
            break
    else:
        pytest.fail("the pairings were not read again within 8 hours")
    assert not account.last_update_success

    for _ in range(2):
        freezer.tick(ACCOUNT_TICK)
        async_fire_time_changed(hass)
        await hass.async_block_till_done()

    # The cloud still answers nothing but 503.
    assert all(r.status == 503 for r in v2c_sim.sim.request_log)
    assert _recovered(caplog) == []
    assert not account.last_update_success

    # Once the chargers' reads are answered, the account's next tick reads
    # the list once, an hour and a half after it failed, and says so once.
    v2c_sim.sim.faults.clear()
    v2c_sim.sim.clear_log()
    await run_for(hass, freezer, 40)
    assert [r.path for r in v2c_sim.sim.request_log].count(PAIRINGS_PATH) == 1
    assert account.last_update_success
    assert _recovered(caplog) == ["Fetching v2c_cloud account data recovered"]


def _recovered(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.getMessage().startswith("Fetching v2c_cloud account")
        and "recovered" in r.getMessage()
    ]


def _typed_entry(annotation: ast.expr | None) -> bool:
    return annotation is not None and "V2CConfigEntry" in ast.unparse(annotation)


def _untyped_runtime_data_reads(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """Yield each `name.runtime_data` read through a name not typed V2CConfigEntry.

    A name counts as typed when annotated so (a parameter or an annotated
    assignment) or assigned from a call to a function of the module whose
    return type is V2CConfigEntry.
    """
    returns_entry = {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and _typed_entry(node.returns)
    }
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        arguments = func.args
        typed = {
            arg.arg
            for arg in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)
            if _typed_entry(arg.annotation)
        }
        for node in ast.walk(func):
            if (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and _typed_entry(node.annotation)
            ):
                typed.add(node.target.id)
            elif (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name)
                and node.value.func.id in returns_entry
            ):
                typed.update(t.id for t in node.targets if isinstance(t, ast.Name))
        for node in ast.walk(func):
            if (
                isinstance(node, ast.Attribute)
                and node.attr == "runtime_data"
                and isinstance(node.value, ast.Name)
                and node.value.id not in typed
            ):
                yield node.lineno, f"{func.name}: {node.value.id}.runtime_data"


def test_strict_typing_runtime_data_is_read_through_the_typed_entry() -> None:
    """strict-typing: with runtime-data, V2CConfigEntry is used throughout.

    A bare ConfigEntry's runtime_data is Any: mypy checks nothing read from it.
    """
    untyped = [
        f"{path.name}:{line} {where}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line, where in _untyped_runtime_data_reads(ast.parse(path.read_text()))
    ]
    assert untyped == []
