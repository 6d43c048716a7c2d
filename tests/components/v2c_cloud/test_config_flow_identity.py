"""Tests of how the flows recognise an account: by its chargers, not one device id."""

from __future__ import annotations

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_API_KEY
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud.config_flow import SECTION_ADVANCED
from custom_components.v2c_cloud.const import CONF_BASE_URL, DOMAIN
from tests.components.v2c_cloud.read_helpers import set_up_office_account
from tests.sim_fixtures import SimHandle, SimSetup

TWO_CHARGERS = SimSetup(
    models=("trydan", "pole"),
    device_ids=("TRY0001", "POL0001"),
    tags=("Garage", "Drive"),
)
pytestmark = pytest.mark.parametrize("sim_setup", [TWO_CHARGERS])


@pytest.mark.parametrize("source", ["reauth", "reconfigure"])
async def test_key_accepted_after_the_unique_id_charger_was_unpaired(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    source: str,
) -> None:
    """The charger the unique id came from is gone; the account is still known."""
    assert init_integration.unique_id == "TRY0001"
    v2c_sim.account.remove_charger("TRY0001")

    if source == "reauth":
        result = await init_integration.start_reauth_flow(hass)
    else:
        result = await init_integration.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: v2c_sim.api_key}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == f"{source}_successful"
    assert init_integration.unique_id == "TRY0001"
    assert set(init_integration.runtime_data.chargers) == {"POL0001"}


async def test_another_account_is_still_refused(
    hass: HomeAssistant, v2c_sim: SimHandle, init_integration: MockConfigEntry
) -> None:
    """A key whose chargers the entry has never known is another account."""
    v2c_sim.sim.add_account("other-account").add_charger(device_id="TRY0999")

    result = await init_integration.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: "other-account"}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert init_integration.data[CONF_API_KEY] == v2c_sim.api_key


async def test_own_key_accepted_when_a_charger_is_shared_with_another_entry(
    hass: HomeAssistant, v2c_sim: SimHandle, init_integration: MockConfigEntry
) -> None:
    """A charger shared with a configured account does not make the key that account's."""
    other, entry = await set_up_office_account(hass, v2c_sim)
    # The garage's owner shares it with the office's account, listed first.
    other.chargers.insert(0, v2c_sim.charger)
    assert [charger.device_id for charger in other.chargers] == ["TRY0001", "TRY0002"]

    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: "key-of-the-office"}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"


async def test_account_not_added_twice_after_unpairing(
    hass: HomeAssistant, v2c_sim: SimHandle, init_integration: MockConfigEntry
) -> None:
    """A new key of a configured account aborts even without the unique id charger."""
    hass.config_entries.async_update_entry(
        init_integration,
        data={CONF_API_KEY: "an-older-key", CONF_BASE_URL: v2c_sim.base_url},
    )
    v2c_sim.account.remove_charger("TRY0001")

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_API_KEY: v2c_sim.api_key,
            SECTION_ADVANCED: {CONF_BASE_URL: v2c_sim.base_url},
        },
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_an_entry_not_loaded_without_a_unique_id_knows_no_charger(
    hass: HomeAssistant, v2c_sim: SimHandle
) -> None:
    """An entry that gave up its unique id (its last charger left) and is not loaded.

    It has no device and names no charger: the account its chargers moved to
    is added.
    """
    emptied = MockConfigEntry(
        domain=DOMAIN,
        title="V2C Cloud Old",
        unique_id=None,
        data={CONF_API_KEY: "an-emptied-key", CONF_BASE_URL: v2c_sim.base_url},
    )
    emptied.add_to_hass(hass)

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_API_KEY: v2c_sim.api_key,
            SECTION_ADVANCED: {CONF_BASE_URL: v2c_sim.base_url},
        },
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == "POL0001"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 2
