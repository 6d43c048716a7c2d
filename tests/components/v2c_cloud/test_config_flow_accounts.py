"""Which account a key is, through the real flows: keys, shared chargers, new entries."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_API_KEY
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud.config_flow import SECTION_ADVANCED
from custom_components.v2c_cloud.const import CONF_BASE_URL, DOMAIN
from tests.components.v2c_cloud.read_helpers import advance, set_up_office_account
from tests.sim_fixtures import SimHandle
from v2c_simulator.accounts import Account

OFFICE_KEY = "key-of-the-office"
PAIRINGS = "/pairings/me"


async def _start(
    hass: HomeAssistant, source: str, entry: MockConfigEntry
) -> dict[str, object]:
    """Open the user, reauth or reconfigure flow, at its form."""
    if source == SOURCE_USER:
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_USER}
        )
    elif source == "reauth":
        result = await entry.start_reauth_flow(hass)
    else:
        result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    return dict(result)


async def _enter_key(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    source: str,
    entry: MockConfigEntry,
    key: str,
) -> dict[str, object]:
    """Submit a key (and the simulator's URL where the form has it); let reloads run."""
    result = await _start(hass, source, entry)
    user_input: dict[str, object] = {CONF_API_KEY: key}
    if source != "reauth":
        user_input[SECTION_ADVANCED] = {CONF_BASE_URL: v2c_sim.base_url}
    outcome = await hass.config_entries.flow.async_configure(
        str(result["flow_id"]), user_input
    )
    await hass.async_block_till_done()
    return dict(outcome)


async def _until_pairings_read(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, v2c_sim: SimHandle
) -> None:
    """Let time pass in 30-minute ticks until the garage's key reads its pairings."""
    v2c_sim.sim.clear_log()
    for _ in range(16):
        await advance(hass, freezer, timedelta(minutes=30))
        if any(r.path == PAIRINGS for r in v2c_sim.sim.log_for(v2c_sim.api_key)):
            return
    pytest.fail("the pairings were not read again within 8 hours")


def _keys(hass: HomeAssistant) -> list[str]:
    return [
        entry.data[CONF_API_KEY] for entry in hass.config_entries.async_entries(DOMAIN)
    ]


def _charger_reads(v2c_sim: SimHandle, api_key: str) -> set[str]:
    """Return the chargers a key's calls asked for."""
    return {
        record.query["deviceId"]
        for record in v2c_sim.sim.log_for(api_key)
        if "deviceId" in record.query
    }


def _devices_of(hass: HomeAssistant, device_id: str) -> list[dr.DeviceEntry]:
    """Return every device, of any entry, for one charger."""
    registry = dr.async_get(hass)
    return [
        device
        for device in registry.devices.values()
        if (DOMAIN, device_id) in device.identifiers
    ]


@pytest.mark.parametrize("shared", [False, True], ids=["apart", "shared-charger"])
@pytest.mark.parametrize("source", ["reauth", "reconfigure"])
async def test_another_entrys_key_is_refused(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    source: str,
    shared: bool,
) -> None:
    """A key another entry has is refused before any call, naming that entry.

    Shared with the office's account, the garage's charger made the office's
    key look like the garage's: both entries then spent one key's quota.
    """
    office, office_entry = await set_up_office_account(hass, v2c_sim)
    if shared:
        office.chargers.append(v2c_sim.charger)
    v2c_sim.sim.clear_log()

    result = await _enter_key(hass, v2c_sim, source, init_integration, f" {OFFICE_KEY}")

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "key_in_use"
    assert result["description_placeholders"] == {"name": office_entry.title}
    assert _keys(hass) == [v2c_sim.api_key, OFFICE_KEY]
    assert v2c_sim.sim.request_log == []


@pytest.mark.parametrize("source", [SOURCE_USER, "reauth", "reconfigure"])
async def test_own_key_again(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    source: str,
) -> None:
    """The key an entry has: a second entry is refused, the entry itself keeps it."""
    v2c_sim.sim.clear_log()
    result = await _enter_key(hass, v2c_sim, source, init_integration, v2c_sim.api_key)

    assert result["type"] is FlowResultType.ABORT
    if source == SOURCE_USER:
        assert result["reason"] == "already_configured"
        assert v2c_sim.sim.request_log == []
    else:
        assert result["reason"] == f"{source}_successful"
    assert _keys(hass) == [v2c_sim.api_key]


async def _office_with_two_chargers(
    hass: HomeAssistant, v2c_sim: SimHandle
) -> tuple[Account, MockConfigEntry]:
    """Set up the office's account with TRY0002 and TRY0003, both run by its entry."""
    office, office_entry = await set_up_office_account(hass, v2c_sim)
    office.add_charger(device_id="TRY0003", tag="Store")
    assert await hass.config_entries.async_reload(office_entry.entry_id)
    await hass.async_block_till_done()
    assert set(office_entry.runtime_data.chargers) == {"TRY0002", "TRY0003"}
    return office, office_entry


@pytest.mark.parametrize("office_state", ["reauth", "not-loaded"])
@pytest.mark.parametrize("shared", [False, True], ids=["apart", "shared-charger"])
@pytest.mark.parametrize("source", ["reauth", "reconfigure"])
async def test_new_key_of_another_configured_account(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    *,
    source: str,
    shared: bool,
    office_state: str,
) -> None:
    """A new key of the office's account is not the garage's, shared charger or not.

    The office's key was regenerated: its entry asks for a new key, loaded
    (the rejection came while it ran) or not (it came at its setup). The
    office entry knows two of the key's chargers, the garage entry at most
    one. The garage entry, asked first, used to take the key as soon as it
    knew one of them.
    """
    office, office_entry = await _office_with_two_chargers(hass, v2c_sim)
    if shared:
        office.chargers.append(v2c_sim.charger)
    hass.config_entries.async_update_entry(
        office_entry, data={**office_entry.data, CONF_API_KEY: "old-office-key"}
    )
    if office_state == "reauth":
        office_entry.async_start_reauth(hass)
        await hass.async_block_till_done()
        assert office_entry.state is ConfigEntryState.LOADED
    else:
        await hass.config_entries.async_reload(office_entry.entry_id)
        await hass.async_block_till_done()
        assert office_entry.state is ConfigEntryState.SETUP_RETRY

    result = await _enter_key(hass, v2c_sim, source, init_integration, OFFICE_KEY)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert init_integration.data[CONF_API_KEY] == v2c_sim.api_key


@pytest.mark.parametrize("source", ["reauth", "reconfigure"])
async def test_own_new_key_after_sharing_the_offices_chargers(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    source: str,
) -> None:
    """The garage's new key is the garage's though the office knows more of its chargers.

    The garage's account also pairs the office's two chargers, which the
    office entry runs with a key that works. The new key lists the garage's
    TRY0001 and TRY0002/TRY0003: it cannot be the office's, which has not
    lost its key. It was refused as wrong_account, and only deleting the
    garage entry got the user out.
    """
    office, office_entry = await _office_with_two_chargers(hass, v2c_sim)
    v2c_sim.account.chargers.extend(office.chargers)
    new_key = v2c_sim.sim.add_account("new-garage-key")
    # One account, a regenerated key: the same pairings.
    new_key.chargers = v2c_sim.account.chargers

    result = await _enter_key(hass, v2c_sim, source, init_integration, "new-garage-key")

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == f"{source}_successful"
    assert _keys(hass) == ["new-garage-key", OFFICE_KEY]
    assert init_integration.state is ConfigEntryState.LOADED
    # The office's chargers stay with the entry that runs them.
    assert set(init_integration.runtime_data.chargers) == {v2c_sim.device_id}
    assert set(office_entry.runtime_data.chargers) == {"TRY0002", "TRY0003"}


async def test_second_account_sharing_a_charger_is_added(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Another account that shares the garage's charger becomes an entry of its own.

    Its unique id is its lowest charger no entry knows: TRY0001, its lowest,
    is the garage entry's. The shared charger stays the garage entry's: one
    device, read with the garage's key only.
    """
    office = v2c_sim.sim.add_account(OFFICE_KEY)
    office.chargers.append(v2c_sim.charger)
    office.add_charger(device_id="TRY0002", tag="Office")

    result = await _enter_key(hass, v2c_sim, SOURCE_USER, init_integration, OFFICE_KEY)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    office_entry = result["result"]
    assert office_entry.unique_id == "TRY0002"
    assert office_entry.title == "V2C Cloud (2 chargers)"
    assert office_entry.state is ConfigEntryState.LOADED
    assert init_integration.state is ConfigEntryState.LOADED
    assert set(office_entry.runtime_data.chargers) == {"TRY0002"}
    assert set(init_integration.runtime_data.chargers) == {v2c_sim.device_id}

    await _until_pairings_read(hass, freezer, v2c_sim)
    assert _charger_reads(v2c_sim, OFFICE_KEY) == {"TRY0002"}
    assert _charger_reads(v2c_sim, v2c_sim.api_key) == {v2c_sim.device_id}
    [device] = _devices_of(hass, v2c_sim.device_id)
    assert device.config_entries == {init_integration.entry_id}


async def test_same_chargers_with_another_key_are_refused(
    hass: HomeAssistant, v2c_sim: SimHandle, init_integration: MockConfigEntry
) -> None:
    """A second key of the garage's account: its chargers are all the entry's."""
    second = v2c_sim.sim.add_account("second-key-of-the-garage")
    # One account, two keys: the same pairings.
    second.chargers = v2c_sim.account.chargers

    result = await _enter_key(
        hass, v2c_sim, SOURCE_USER, init_integration, "second-key-of-the-garage"
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert _keys(hass) == [v2c_sim.api_key]


async def test_chargers_known_to_several_entries_are_refused(
    hass: HomeAssistant, v2c_sim: SimHandle, init_integration: MockConfigEntry
) -> None:
    """An account of chargers other entries all run would run none: refused."""
    office, _ = await set_up_office_account(hass, v2c_sim)
    both = v2c_sim.sim.add_account("key-of-both")
    both.chargers.extend([v2c_sim.charger, *office.chargers])

    result = await _enter_key(
        hass, v2c_sim, SOURCE_USER, init_integration, "key-of-both"
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert _keys(hass) == [v2c_sim.api_key, OFFICE_KEY]


async def test_new_key_after_the_account_gained_a_charger(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A charger the entry has not seen yet makes a second key look like another account.

    The flow cannot tell it from an account sharing the garage: it becomes a
    second entry, named after the new charger. Each charger is run by one
    entry, each key spends its own quota; the garage entry, reading its
    pairings later, leaves the new charger to the entry that runs it.
    """
    v2c_sim.account.add_charger(device_id="TRY0003", tag="Carport")
    second = v2c_sim.sim.add_account("second-key-of-the-garage")
    second.chargers = v2c_sim.account.chargers

    result = await _enter_key(
        hass, v2c_sim, SOURCE_USER, init_integration, "second-key-of-the-garage"
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    new_entry = result["result"]
    assert new_entry.unique_id == "TRY0003"
    assert set(new_entry.runtime_data.chargers) == {"TRY0003"}

    await _until_pairings_read(hass, freezer, v2c_sim)
    assert set(init_integration.runtime_data.chargers) == {v2c_sim.device_id}
    assert _charger_reads(v2c_sim, v2c_sim.api_key) == {v2c_sim.device_id}
    assert _charger_reads(v2c_sim, "second-key-of-the-garage") == {"TRY0003"}
    for device_id in (v2c_sim.device_id, "TRY0003"):
        assert len(_devices_of(hass, device_id)) == 1
