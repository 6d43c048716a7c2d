"""Soak: days of random faults, commands and cars on a frozen clock, nothing grows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
import logging
import os
import random
import tracemalloc

from _pytest.logging import LogCaptureHandler
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.number.const import ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud.const import DEFAULT_COMMAND_RESERVE
from tests.sim_fixtures import SimHandle, SimSetup
from v2c_simulator import FaultKind

from .helpers import advance, entity_of, tracebacks

SEED = 20260302
STEP = timedelta(minutes=5)
COMMAND_EVERY = 4
# Both wait on the event-loop clock, which the frozen clock never moves.
RANDOM_FAULTS = tuple(
    kind for kind in FaultKind if kind not in (FaultKind.HANG, FaultKind.LATENCY)
)
MEMORY_BOUND_BYTES = 4 * 1024 * 1024
DAYS = int(os.environ.get("V2C_SOAK_DAYS", "1"))
FAULT_RATE = float(os.environ.get("V2C_SOAK_FAULT_RATE", "0.05"))


@dataclass
class SoakFigures:
    """What a soak run measured."""

    calls: int = 0
    commands: int = 0
    refused: int = 0
    faults: int = 0
    rate_limited: int = 0
    min_remaining: int = 1000
    growth_bytes: int = 0
    tracebacks: int = 0


@pytest.fixture
def sim_setup() -> SimSetup:
    """Three chargers on one key."""
    return SimSetup(
        models=("trydan", "trydan", "pole"),
        device_ids=("TRY0001", "TRY0002", "POL0003"),
        tags=("Garage", "Street", "Driveway"),
    )


def structure_sizes(entry: MockConfigEntry) -> dict[str, int]:
    """Return the sizes of the planner's and pollers' internal collections."""
    runtime = entry.runtime_data
    state = runtime.planner._state
    sizes = {
        "chargers": len(state.chargers),
        "maintenance": len(state.maintenance),
        "charged_s": len(state.window.charged_s),
    }
    for device_id, coordinator in runtime.chargers.items():
        poller = coordinator.poller
        sizes[f"{device_id}.locks"] = len(poller._command_locks)
        sizes[f"{device_id}.tokens"] = len(poller._command_tokens)
    return sizes


def forget_log_records() -> int:
    """Drop the log records pytest keeps; return how many carried a traceback.

    Each failed update's error record holds its exception, and with it the
    frames and data of that moment: kept all day, they would read as a leak
    of the integration. Home Assistant itself keeps a bounded few.
    """
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler, LogCaptureHandler)
    ]
    failed = {
        id(record)
        for handler in handlers
        for record in handler.records
        if record.levelno >= logging.ERROR and record.exc_info
    }
    for handler in handlers:
        handler.clear()
    return len(failed)


async def soak(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    days: int,
) -> SoakFigures:
    """Run the entry for days with random faults, commands and cars."""
    rng = random.Random(SEED)
    figures = SoakFigures()
    sim = v2c_sim.sim
    numbers = [
        entity_of(hass, Platform.NUMBER, charger.device_id, "charge_current")
        for charger in v2c_sim.chargers
    ]
    steps_per_hour = timedelta(hours=1) // STEP
    sizes_at_6h: dict[str, int] = {}
    tracemalloc.start()
    try:
        for step in range(days * 24 * steps_per_hour):
            if rng.random() < FAULT_RATE:
                figures.faults += 1
                sim.faults.set(rng.choice(RANDOM_FAULTS), count=rng.randint(1, 3))
            for charger in v2c_sim.chargers:
                if rng.random() < 0.02:
                    if charger.plugged:
                        charger.unplug()
                    else:
                        charger.plug_in(energy_needed_kwh=rng.uniform(5, 30))
            if step % COMMAND_EVERY == 0:
                figures.commands += 1
                try:
                    await hass.services.async_call(
                        Platform.NUMBER,
                        SERVICE_SET_VALUE,
                        {
                            ATTR_ENTITY_ID: rng.choice(numbers),
                            ATTR_VALUE: rng.randint(6, 16),
                        },
                        blocking=True,
                    )
                except HomeAssistantError:
                    figures.refused += 1
            await advance(hass, freezer, STEP)
            status = sim.quota_for(v2c_sim.api_key)
            figures.min_remaining = min(figures.min_remaining, status.remaining)
            if (step + 1) % steps_per_hour == 0:
                figures.calls += sum(1 for record in sim.request_log if record.counted)
                figures.rate_limited += sum(
                    1
                    for record in sim.request_log
                    if record.status == 429 and record.fault is None
                )
                sim.clear_log()
                # The test harness's mocked storage records every write it is
                # given; a real store keeps only the last.
                Store._async_write_data.reset_mock()  # type: ignore[attr-defined]
                figures.tracebacks += forget_log_records()
            if step + 1 == 6 * steps_per_hour:
                sizes_at_6h = structure_sizes(entry)
                baseline = tracemalloc.get_traced_memory()[0]
                tracemalloc.reset_peak()
        figures.growth_bytes = tracemalloc.get_traced_memory()[1] - baseline
    finally:
        tracemalloc.stop()
        sim.faults.clear()
    # A key accepted again reloads the entry, whose setup may have met a fault:
    # it retries on its own once the cloud behaves.
    for _ in range(12):
        if entry.state is ConfigEntryState.LOADED:
            break
        await advance(hass, freezer, STEP)
    assert entry.state is ConfigEntryState.LOADED
    chargers = len(v2c_sim.chargers)
    bounds = {
        "chargers": chargers,
        "charged_s": chargers,
        # Pairings, the probe of a rejected key, a settings and a connectivity
        # check per charger.
        "maintenance": 2 + 2 * chargers,
    }
    for key, size in structure_sizes(entry).items():
        assert size <= bounds.get(key, sizes_at_6h[key]), key
    return figures


def check(figures: SoakFigures, caplog: pytest.LogCaptureFixture) -> None:
    """Assert the soak's promises and print its figures."""
    print(f"\nsoak days={DAYS} fault_rate={FAULT_RATE}: {figures}")  # noqa: T201
    assert tracebacks(caplog) == []
    assert figures.tracebacks == 0
    assert figures.rate_limited == 0
    assert figures.min_remaining >= DEFAULT_COMMAND_RESERVE
    assert figures.growth_bytes < MEMORY_BOUND_BYTES
    assert figures.commands - figures.refused > figures.commands // 2


async def test_soak_one_day(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A simulated day with three chargers, random faults and an automation."""
    caplog.set_level(logging.WARNING)
    check(await soak(hass, v2c_sim, init_integration, freezer, 1), caplog)


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("V2C_SOAK_DAYS") is None, reason="set V2C_SOAK_DAYS to soak longer"
)
async def test_soak_many_days(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The same soak over V2C_SOAK_DAYS days (e.g. 30), run with -m slow."""
    caplog.set_level(logging.WARNING)
    check(await soak(hass, v2c_sim, init_integration, freezer, DAYS), caplog)
