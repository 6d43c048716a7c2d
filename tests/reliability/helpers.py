"""Helpers shared by the reliability suites: moving the clock and reading outcomes."""

from __future__ import annotations

from datetime import timedelta
import logging

from aiohttp import web
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.v2c_cloud.coordinator import V2CChargerCoordinator
from tests.sim_fixtures import SimHandle
from v2c_simulator.gateway import Gateway

WATCHED_LOGGERS = (
    "custom_components.v2c_cloud",
    "homeassistant.helpers.update_coordinator",
)


async def advance(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta
) -> None:
    """Move the frozen clock and run whatever became due."""
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def run_for(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    duration: timedelta,
    step: timedelta = timedelta(minutes=2),
) -> None:
    """Let the integration run for a while in small steps, as the real loop would."""
    elapsed = timedelta(0)
    while elapsed < duration:
        delta = min(step, duration - elapsed)
        await advance(hass, freezer, delta)
        elapsed += delta


def charger(entry: MockConfigEntry, device_id: str) -> V2CChargerCoordinator:
    """Return the coordinator of one charger of a loaded entry."""
    coordinator: V2CChargerCoordinator = entry.runtime_data.chargers[device_id]
    return coordinator


def entity_ids(hass: HomeAssistant, entry: MockConfigEntry) -> list[str]:
    """Return the enabled entities of an entry."""
    registry = er.async_get(hass)
    return [
        item.entity_id
        for item in er.async_entries_for_config_entry(registry, entry.entry_id)
        if item.disabled_by is None
    ]


def unavailable(hass: HomeAssistant, entry: MockConfigEntry) -> list[str]:
    """Return the entry's entities whose state is unavailable."""
    return [
        entity_id
        for entity_id in entity_ids(hass, entry)
        if (state := hass.states.get(entity_id)) is None
        or state.state == STATE_UNAVAILABLE
    ]


def entity_of(hass: HomeAssistant, platform: str, device_id: str, key: str) -> str:
    """Return the entity id of one of a charger's entities."""
    entity_id = er.async_get(hass).async_get_entity_id(
        platform, "v2c_cloud", f"{device_id}_{key}"
    )
    assert entity_id is not None, f"no {platform} entity {key}"
    return entity_id


def watched(caplog: pytest.LogCaptureFixture, level: int) -> list[logging.LogRecord]:
    """Return the integration's and coordinator helper's records at exactly level."""
    return [
        record
        for record in caplog.records
        if record.name.startswith(WATCHED_LOGGERS) and record.levelno == level
    ]


def problems(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Return the integration's and coordinator helper's warnings and errors."""
    return [
        record
        for record in caplog.records
        if record.name.startswith(WATCHED_LOGGERS) and record.levelno >= logging.WARNING
    ]


def lines_per_source(records: list[logging.LogRecord]) -> dict[str, int]:
    """Count records per coordinator name (or per logger for other lines)."""
    counts: dict[str, int] = {}
    for record in records:
        source = (
            str(record.args[0])
            if isinstance(record.args, tuple) and record.args
            else record.name
        )
        counts[source] = counts.get(source, 0) + 1
    return counts


def assert_logged_once_each_way(caplog: pytest.LogCaptureFixture) -> None:
    """Each coordinator logs at most one problem line and one recovery line."""
    failed = lines_per_source(problems(caplog))
    recovered = lines_per_source(watched(caplog, logging.INFO))
    assert failed, "the fault was never noticed"
    assert set(failed.values()) == {1}, failed
    assert recovered == failed


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Return every ERROR-or-worse record that carries a traceback."""
    return [
        record
        for record in caplog.records
        if record.levelno >= logging.ERROR and record.exc_info
    ]


def rate_limited_calls(v2c_sim: SimHandle) -> int:
    """Return the 429s the simulator answered for a real lack of quota (not injected)."""
    return sum(
        1
        for record in v2c_sim.sim.request_log
        if record.status == 429 and record.fault is None
    )


def assert_quota_in_step(entry: MockConfigEntry, v2c_sim: SimHandle) -> None:
    """Assert the planner's remaining calls equal the simulator's."""
    planner = entry.runtime_data.planner
    assert planner.remaining == v2c_sim.sim.quota_for(v2c_sim.api_key).remaining


def strip_429_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the gateway's 429s carry no header at all, as no Kong limiter sends them."""

    def bare(_gateway: Gateway, _retry: int, _api_key: str) -> web.Response:
        return web.json_response({"message": "Too Many Requests"}, status=429)

    monkeypatch.setattr(Gateway, "_limited", bare)
