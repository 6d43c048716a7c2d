"""A charger paired with two configured accounts: one entry runs it, also at a start."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryDisabler, ConfigEntryState
from homeassistant.const import CONF_API_KEY, STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

import custom_components.v2c_cloud as integration
from custom_components.v2c_cloud import planner_settings
from custom_components.v2c_cloud.account import ACCOUNT_TICK, V2CAccountCoordinator
from custom_components.v2c_cloud.budget import CallKind, QuotaPlanner
from custom_components.v2c_cloud.const import CONF_BASE_URL, DOMAIN
from custom_components.v2c_cloud.diagnostics import async_get_config_entry_diagnostics
from custom_components.v2c_cloud.event import SESSION_FINISHED, SESSION_STARTED
from custom_components.v2c_cloud.helpers import utcnow
from tests.components.v2c_cloud.read_helpers import (
    advance,
    fired_events,
    run_for,
    setup_entry,
)
from tests.sim_fixtures import SimHandle

OFFICE_KEY = "key-of-the-office"
SHARED_SESSION = "event.garage_charging_session"
CARPORT = "TRY0003"
LIFETIME = "sensor.garage_lifetime_energy"


@pytest.fixture
def office(v2c_sim: SimHandle) -> MockConfigEntry:
    """Add the office's account, sharing the garage's charger; return its entry, not added."""
    account = v2c_sim.sim.add_account(OFFICE_KEY)
    account.add_charger(device_id="TRY0002", tag="Office")
    account.chargers.append(v2c_sim.charger)
    return MockConfigEntry(
        domain=DOMAIN,
        title="V2C Cloud (2 chargers)",
        unique_id="TRY0002",
        data={CONF_API_KEY: OFFICE_KEY, CONF_BASE_URL: v2c_sim.base_url},
    )


def _readers(v2c_sim: SimHandle, device_id: str) -> set[str]:
    """Return the keys, as hashes, whose calls read a charger."""
    return {
        str(record.key_hash)
        for record in v2c_sim.sim.request_log
        if record.query.get("deviceId") == device_id
    }


async def _office_takes_over_while_disabled(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    garage: MockConfigEntry,
    office: MockConfigEntry,
    device_id: str,
) -> None:
    """Disable the garage until the office runs the shared charger; enable it again."""
    assert await hass.config_entries.async_set_disabled_by(
        garage.entry_id, ConfigEntryDisabler.USER
    )
    await hass.async_block_till_done()
    await advance(hass, freezer, ACCOUNT_TICK)
    assert device_id in office.runtime_data.chargers
    assert await hass.config_entries.async_set_disabled_by(garage.entry_id, None)
    await hass.async_block_till_done()


def _devices_of(hass: HomeAssistant, device_id: str) -> list[dr.DeviceEntry]:
    """Return every device, of any entry, for one charger."""
    return [
        device
        for device in dr.async_get(hass).devices.values()
        if (DOMAIN, device_id) in device.identifiers
    ]


def _garage_has_the_device(
    hass: HomeAssistant,
    garage: MockConfigEntry,
    office: MockConfigEntry,
    device_id: str,
) -> None:
    """Add both entries, the garage with the shared charger's device from a past run."""
    garage.add_to_hass(hass)
    office.add_to_hass(hass)
    dr.async_get(hass).async_get_or_create(
        config_entry_id=garage.entry_id, identifiers={(DOMAIN, device_id)}
    )


def _office_first(
    office: MockConfigEntry,
) -> Callable[[V2CAccountCoordinator], Coroutine[Any, Any, Any]]:
    """Return first reads in which every other entry waits for the office's to end."""
    first_reads = integration._async_first_reads
    office_done = asyncio.Event()

    async def ordered(account: V2CAccountCoordinator) -> Any:
        if account.config_entry is not office:
            await office_done.wait()
            return await first_reads(account)
        try:
            return await first_reads(account)
        finally:
            office_done.set()

    return ordered


async def _set_up_garage_first(
    hass: HomeAssistant, garage: MockConfigEntry, office: MockConfigEntry
) -> None:
    """Set up the garage, which runs the shared charger, then the office, left its own."""
    await setup_entry(hass, garage)
    await setup_entry(hass, office)
    assert set(office.runtime_data.chargers) == {"TRY0002"}


async def _until_it_runs(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry: MockConfigEntry,
    device_id: str,
) -> None:
    """Let account ticks pass, up to a day's worth, until the entry runs the charger."""
    for _ in range(24):
        await advance(hass, freezer, ACCOUNT_TICK)
        if device_id in entry.runtime_data.chargers:
            return


async def test_entries_started_together_run_a_shared_charger_once(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    office: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Set up at once, each entry found the other not loaded yet: both ran it."""
    mock_config_entry.add_to_hass(hass)
    office.add_to_hass(hass)

    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert office.state is ConfigEntryState.LOADED
    runners = [
        entry
        for entry in (mock_config_entry, office)
        if v2c_sim.device_id in entry.runtime_data.chargers
    ]
    assert len(runners) == 1
    assert len(_readers(v2c_sim, v2c_sim.device_id)) == 1
    [device] = _devices_of(hass, v2c_sim.device_id)
    assert device.config_entries == {runners[0].entry_id}
    assert "does not generate unique IDs" not in caplog.text


async def test_the_entry_with_the_device_keeps_it_at_a_start(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    office: MockConfigEntry,
) -> None:
    """The office reads first, but the garage, still being set up, has the device."""
    _garage_has_the_device(hass, mock_config_entry, office, v2c_sim.device_id)

    with patch.object(integration, "_async_first_reads", _office_first(office)):
        assert await async_setup_component(hass, DOMAIN, {})
        await hass.async_block_till_done()

    assert set(office.runtime_data.chargers) == {"TRY0002"}
    assert set(mock_config_entry.runtime_data.chargers) == {v2c_sim.device_id}
    garage_key = v2c_sim.account.key_hash
    assert _readers(v2c_sim, v2c_sim.device_id) == {garage_key}
    [device] = _devices_of(hass, v2c_sim.device_id)
    assert device.config_entries == {mock_config_entry.entry_id}


async def test_a_charger_left_to_a_failed_entry_is_taken_later(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    office: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The garage, which had the device, fails its setup: the office runs the charger."""
    _garage_has_the_device(hass, mock_config_entry, office, v2c_sim.device_id)
    v2c_sim.sim.revoke_key(v2c_sim.api_key)

    with patch.object(integration, "_async_first_reads", _office_first(office)):
        assert await async_setup_component(hass, DOMAIN, {})
        await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert set(office.runtime_data.chargers) == {"TRY0002"}

    await advance(hass, freezer, ACCOUNT_TICK)

    assert set(office.runtime_data.chargers) == {"TRY0002", v2c_sim.device_id}
    assert _readers(v2c_sim, v2c_sim.device_id) == {
        v2c_sim.sim.account(OFFICE_KEY).key_hash
    }


async def test_a_charger_an_entry_stops_running_goes_to_the_other(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    office: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The garage's account unpairs the shared charger: the office takes it over."""
    await _set_up_garage_first(hass, mock_config_entry, office)
    v2c_sim.account.remove_charger(v2c_sim.device_id)

    await _until_it_runs(hass, freezer, office, v2c_sim.device_id)
    assert mock_config_entry.runtime_data.chargers == {}
    assert set(office.runtime_data.chargers) == {"TRY0002", v2c_sim.device_id}


async def test_an_entry_whose_chargers_another_runs_loads_without_any(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    office: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The garage's only charger went to the office while the garage was disabled.

    Enabled again, the garage loads with its account device and quota
    sensors and reads nothing but its pairings. Its setup used to fail with
    "No chargers are paired" (they are) and retry every 30 minutes, a
    pairings call each, for as long as the office ran the charger. Once the
    office entry is gone, the garage takes the charger over.
    """
    await setup_entry(hass, mock_config_entry)
    await setup_entry(hass, office)
    assert await hass.config_entries.async_set_disabled_by(
        mock_config_entry.entry_id, ConfigEntryDisabler.USER
    )
    await hass.async_block_till_done()
    await advance(hass, freezer, ACCOUNT_TICK)
    assert set(office.runtime_data.chargers) == {"TRY0002", v2c_sim.device_id}

    v2c_sim.sim.clear_log()
    assert await hass.config_entries.async_set_disabled_by(
        mock_config_entry.entry_id, None
    )
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert mock_config_entry.runtime_data.chargers == {}
    planner = mock_config_entry.runtime_data.planner
    assert planner.snapshot(utcnow()).chargers == {}
    for _ in range(48):
        await advance(hass, freezer, ACCOUNT_TICK)

    assert mock_config_entry.state is ConfigEntryState.LOADED
    garage_calls = v2c_sim.sim.log_for(v2c_sim.api_key)
    # The setup's read and the 6-hourly checks: a retrying setup made 49.
    assert {record.path for record in garage_calls} == {"/pairings/me"}
    assert len(garage_calls) <= 6
    assert _readers(v2c_sim, v2c_sim.device_id) == {
        v2c_sim.sim.account(OFFICE_KEY).key_hash
    }
    quota = [
        entity
        for entity in er.async_entries_for_config_entry(
            er.async_get(hass), mock_config_entry.entry_id
        )
        if entity.domain == "sensor"
    ]
    assert quota
    account_device = dr.async_get(hass).async_get_device(
        identifiers={(DOMAIN, mock_config_entry.entry_id)}
    )
    assert account_device is not None
    for entity in quota:
        assert entity.device_id == account_device.id
        assert hass.states.get(entity.entity_id).state != STATE_UNAVAILABLE
    # Called directly: a day on, the test client's access token has expired.
    diagnostics = await async_get_config_entry_diagnostics(hass, mock_config_entry)
    assert diagnostics["chargers"] == []
    # Its key still reads its own account.
    totals = await hass.services.async_call(
        DOMAIN,
        "get_account_statistics",
        {"config_entry_id": mock_config_entry.entry_id},
        blocking=True,
        return_response=True,
    )
    assert totals == {"total_energy_kwh": 0.0, "total_charges": 0}

    assert await hass.config_entries.async_remove(office.entry_id)
    await hass.async_block_till_done()
    await advance(hass, freezer, ACCOUNT_TICK)

    assert set(mock_config_entry.runtime_data.chargers) == {v2c_sim.device_id}
    # Planned again as a charger newly paired.
    assert set(planner.snapshot(utcnow()).chargers) == {v2c_sim.device_id}
    assert planner.poll_interval_s(v2c_sim.device_id, utcnow()) is not None
    assert _readers(v2c_sim, v2c_sim.device_id) >= {v2c_sim.account.key_hash}
    [device] = _devices_of(hass, v2c_sim.device_id)
    assert device.config_entries == {mock_config_entry.entry_id}
    assert er.async_entries_for_device(er.async_get(hass), device.id)


@pytest.mark.parametrize("garage_after", ["disabled", "enabled_again"])
async def test_an_action_on_a_shared_charger_reaches_the_entry_running_it(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    office: MockConfigEntry,
    *,
    freezer: FrozenDateTimeFactory,
    garage_after: str,
) -> None:
    """An action on the shared charger's device goes to the entry that runs it.

    The garage ran the charger; disabled, it left it to the office, which
    joined the charger's one device (before Home Assistant 2026.8). The
    device lists the garage first, disabled or enabled again without the
    charger: the office answers, with the office's key.
    """
    await setup_entry(hass, mock_config_entry)
    await setup_entry(hass, office)
    assert await hass.config_entries.async_set_disabled_by(
        mock_config_entry.entry_id, ConfigEntryDisabler.USER
    )
    await hass.async_block_till_done()
    await advance(hass, freezer, ACCOUNT_TICK)
    assert v2c_sim.device_id in office.runtime_data.chargers
    if garage_after == "enabled_again":
        assert await hass.config_entries.async_set_disabled_by(
            mock_config_entry.entry_id, None
        )
        await hass.async_block_till_done()
        assert mock_config_entry.runtime_data.chargers == {}
    [device] = _devices_of(hass, v2c_sim.device_id)
    assert office.entry_id in device.config_entries
    v2c_sim.sim.clear_log()

    response = await hass.services.async_call(
        DOMAIN,
        "get_firmware_version",
        {"device_id": device.id},
        blocking=True,
        return_response=True,
    )

    assert response == {"version": "2.4.6"}
    assert [(record.path, record.key_hash) for record in v2c_sim.sim.request_log] == [
        ("/version", v2c_sim.sim.account(OFFICE_KEY).key_hash)
    ]


async def test_an_entry_whose_charger_another_runs_reads_its_own_account(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    office: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Account statistics of an entry running no charger are its own key's account.

    `/stadistic/global/me` names no charger: the garage's key reads the
    garage account's totals (5 kWh, one charge), not the office's, which
    count the office's own charger too. One call, paid by the garage's planner.
    """
    v2c_sim.charger.plug_in(energy_needed_kwh=5.0)
    freezer.tick(timedelta(hours=1))
    v2c_sim.charger.unplug()
    office_charger = v2c_sim.sim.account(OFFICE_KEY).chargers[0]
    office_charger.plug_in(energy_needed_kwh=1.0)
    freezer.tick(timedelta(hours=1))
    office_charger.unplug()
    await setup_entry(hass, mock_config_entry)
    await setup_entry(hass, office)
    await _office_takes_over_while_disabled(
        hass, freezer, mock_config_entry, office, v2c_sim.device_id
    )
    assert mock_config_entry.runtime_data.chargers == {}
    planner = mock_config_entry.runtime_data.planner
    before = planner.snapshot(utcnow()).calls_today[CallKind.COMMAND]
    v2c_sim.sim.clear_log()

    response = await hass.services.async_call(
        DOMAIN,
        "get_account_statistics",
        {"config_entry_id": mock_config_entry.entry_id},
        blocking=True,
        return_response=True,
    )

    assert response == {"total_energy_kwh": 5.0, "total_charges": 1}
    assert [(record.path, record.key_hash) for record in v2c_sim.sim.request_log] == [
        ("/stadistic/global/me", v2c_sim.account.key_hash)
    ]
    assert planner.snapshot(utcnow()).calls_today[CallKind.COMMAND] == before + 1


@pytest.mark.parametrize("how", ["remove", "disable"])
async def test_the_runner_gone_the_other_entry_takes_the_charger(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    office: MockConfigEntry,
    *,
    freezer: FrozenDateTimeFactory,
    how: str,
) -> None:
    """The garage entry, running the shared charger, is deleted or disabled."""
    await _set_up_garage_first(hass, mock_config_entry, office)

    if how == "remove":
        assert await hass.config_entries.async_remove(mock_config_entry.entry_id)
    else:
        assert await hass.config_entries.async_set_disabled_by(
            mock_config_entry.entry_id, ConfigEntryDisabler.USER
        )
    await hass.async_block_till_done()
    await advance(hass, freezer, ACCOUNT_TICK)

    assert set(office.runtime_data.chargers) == {"TRY0002", v2c_sim.device_id}


def _session_events(changes: list[Event[Any]]) -> list[tuple[str, Any]]:
    """Return the shared charger's session events, with their energy."""
    return [
        (event, attributes.get("energy_kwh"))
        for event, attributes in fired_events(changes, SHARED_SESSION)
    ]


async def test_sessions_the_other_entry_reported_are_not_reported_again(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    office: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The garage runs the charger mid-charge, the office takes it, then gives it back.

    The office reports the session ending and the next one starting. The
    garage used to keep the reading of its last run and compare its first
    reading with it once it ran the charger again: it finished the session
    the office had finished, with the energy of the garage's last read, and
    started the one the office had started.
    """
    await setup_entry(hass, mock_config_entry)
    await setup_entry(hass, office)
    changes = async_capture_events(hass, "state_changed")
    charger = v2c_sim.charger
    charger.plug_in(energy_needed_kwh=60)
    await run_for(hass, freezer, 120)
    assert [event for event, _ in _session_events(changes)] == [SESSION_STARTED]

    await _office_takes_over_while_disabled(
        hass, freezer, mock_config_entry, office, v2c_sim.device_id
    )
    assert mock_config_entry.runtime_data.chargers == {}

    await run_for(hass, freezer, 5)
    charger.unplug()
    finished = charger.state.session_energy_kwh
    await run_for(hass, freezer, 5)
    charger.plug_in(energy_needed_kwh=60)
    await run_for(hass, freezer, 5)
    by_the_office = _session_events(changes)
    assert by_the_office == [
        (SESSION_STARTED, None),
        (SESSION_FINISHED, pytest.approx(finished)),
        (SESSION_STARTED, None),
    ]

    assert await hass.config_entries.async_remove(office.entry_id)
    await hass.async_block_till_done()
    await _until_it_runs(hass, freezer, mock_config_entry, v2c_sim.device_id)
    assert v2c_sim.device_id in mock_config_entry.runtime_data.chargers
    await run_for(hass, freezer, 5)

    assert _session_events(changes) == by_the_office


async def test_a_shared_charger_the_other_entry_runs_takes_no_share_of_the_plan(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    office: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The garage ran the shared charger mid-charge, was disabled, the office took it.

    Enabled again, the garage runs only its own charger (the carport): the
    shared one, last read charging and now read by the office, leaves the
    garage's planner, which plans the carport as its only charger.
    """
    garage = mock_config_entry
    carport = v2c_sim.account.add_charger(device_id=CARPORT, tag="Carport")
    await setup_entry(hass, garage)
    await setup_entry(hass, office)
    v2c_sim.charger.plug_in(energy_needed_kwh=60.0)
    await run_for(hass, freezer, 10)
    assert set(garage.runtime_data.chargers) == {v2c_sim.device_id, CARPORT}

    await _office_takes_over_while_disabled(
        hass, freezer, garage, office, v2c_sim.device_id
    )
    assert set(garage.runtime_data.chargers) == {CARPORT}
    carport.plug_in(energy_needed_kwh=60.0)
    await run_for(hass, freezer, 30)

    planner = garage.runtime_data.planner
    now = utcnow()
    alone = QuotaPlanner.from_dict(planner.to_dict(), planner_settings(garage), now=now)
    alone.remove_charger(v2c_sim.device_id)
    assert planner.poll_interval_s(CARPORT, now) == pytest.approx(
        alone.poll_interval_s(CARPORT, now)
    )
    assert set(planner.snapshot(now).chargers) == {CARPORT}


async def test_a_shared_charger_given_back_does_not_count_a_session_twice(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
    office: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The garage runs the charger mid-charge, the office takes it, then gives it back.

    The office finishes that session and counts the next one. Back with the
    garage, *Lifetime energy* goes on from the office's total: the garage
    dropped its own stale reading of the first session when the office took
    the charger, so neither session is counted twice.
    """
    garage = mock_config_entry
    await setup_entry(hass, garage)
    await setup_entry(hass, office)
    charger = v2c_sim.charger
    charger.plug_in(energy_needed_kwh=60)
    await run_for(hass, freezer, 120)

    await _office_takes_over_while_disabled(
        hass, freezer, garage, office, v2c_sim.device_id
    )

    await run_for(hass, freezer, 5)
    charger.unplug()
    first = charger.state.sessions[-1].energy_kwh
    await run_for(hass, freezer, 5)
    charger.plug_in(energy_needed_kwh=60)
    await run_for(hass, freezer, 60)

    assert await hass.config_entries.async_remove(office.entry_id)
    await hass.async_block_till_done()
    for _ in range(24):
        await advance(hass, freezer, ACCOUNT_TICK)
        if v2c_sim.device_id in garage.runtime_data.chargers:
            break
    assert v2c_sim.device_id in garage.runtime_data.chargers
    await run_for(hass, freezer, 5)
    second = charger.state.session_energy_kwh
    assert float(hass.states.get(LIFETIME).state) == pytest.approx(
        first + second, abs=0.05
    )
