"""Bad input: entity and action inputs are refused before any call, never crash."""

from __future__ import annotations

import math
from typing import Any

from homeassistant.components.number.const import ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.components.select import ATTR_OPTION, SERVICE_SELECT_OPTION
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import ATTR_ENTITY_ID, CONF_API_KEY, Platform
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from hypothesis import HealthCheck, given, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from custom_components.v2c_cloud.config_flow import SECTION_ADVANCED
from custom_components.v2c_cloud.const import CONF_BASE_URL, DOMAIN
from tests.sim_fixtures import SimHandle

from .helpers import entity_of

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
REFUSALS = (HomeAssistantError, vol.Invalid, ValueError)
OUT_OF_RANGE = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).filter(
        lambda value: math.isnan(value) or not 6 <= value <= 32
    ),
    st.integers(min_value=10**6, max_value=10**30),
    st.integers(max_value=5),
)


def _not_a_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return True
    return False


# Nothing here is a number in any numeric field's range.
JUNK = st.one_of(
    st.none(),
    st.text(max_size=300).filter(_not_a_number),
    st.just(math.nan),
    st.integers(max_value=-1),
    st.integers(min_value=10**7),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
ACTION_FIELDS = {
    "start_charging_energy": "energy",
    "start_charging_time": "minutes",
    "set_timer": "timer_id",
    "set_max_power": "power",
    "set_third_party_mode": "mode",
    "save_power_profile": "value",
}


def examples[T](strategy: st.SearchStrategy[T]) -> list[T]:
    """Draw the values hypothesis generates (the checks themselves need the event loop)."""
    drawn: list[T] = []

    @FUZZ
    @given(value=strategy)
    def collect(value: T) -> None:
        drawn.append(value)

    collect()
    assert drawn
    return drawn


async def refused_without_a_call(
    hass: HomeAssistant, v2c_sim: SimHandle, domain: str, service: str, data: Any
) -> None:
    """Assert a bad input is refused before it reaches the server."""
    before = len(v2c_sim.sim.request_log)
    with pytest.raises(REFUSALS):
        await hass.services.async_call(domain, service, data, blocking=True)
    assert len(v2c_sim.sim.request_log) == before


async def test_number_out_of_range(
    hass: HomeAssistant, v2c_sim: SimHandle, init_integration: MockConfigEntry
) -> None:
    """Out-of-range, NaN and huge currents are refused."""
    entity = entity_of(hass, Platform.NUMBER, v2c_sim.device_id, "charge_current")

    for value in examples(OUT_OF_RANGE):
        data = {ATTR_ENTITY_ID: entity, ATTR_VALUE: value}
        await refused_without_a_call(
            hass, v2c_sim, Platform.NUMBER, SERVICE_SET_VALUE, data
        )


@pytest.mark.usefixtures("all_enabled")
async def test_text_values(
    hass: HomeAssistant, v2c_sim: SimHandle, init_integration: MockConfigEntry
) -> None:
    """Empty, over-long or blank-containing OCPP ids (any unicode) are refused."""
    entity = entity_of(hass, Platform.TEXT, v2c_sim.device_id, "ocpp_id")

    bad = st.one_of(
        st.just(""),
        st.text(min_size=300, max_size=2000),
        st.builds(lambda head, tail: f"{head} {tail}", st.text(), st.text()),
    )
    for value in examples(bad):
        data = {ATTR_ENTITY_ID: entity, "value": value}
        await refused_without_a_call(hass, v2c_sim, Platform.TEXT, "set_value", data)


async def test_select_unknown_option(
    hass: HomeAssistant, v2c_sim: SimHandle, init_integration: MockConfigEntry
) -> None:
    """Options a select does not offer are refused."""
    entity = entity_of(hass, Platform.SELECT, v2c_sim.device_id, "pv_mode")
    state = hass.states.get(entity)
    assert state is not None
    known = set(state.attributes["options"])

    unknown = st.text(max_size=50).filter(lambda option: option not in known)
    for option in examples(unknown):
        data = {ATTR_ENTITY_ID: entity, ATTR_OPTION: option}
        await refused_without_a_call(
            hass, v2c_sim, Platform.SELECT, SERVICE_SELECT_OPTION, data
        )


async def test_actions_with_wrong_types(
    hass: HomeAssistant, v2c_sim: SimHandle, init_integration: MockConfigEntry
) -> None:
    """Actions given junk in a required field refuse it before any call."""
    device = dr.async_get(hass).async_get_device(
        identifiers={(DOMAIN, v2c_sim.device_id)}
    )
    assert device is not None

    cases = st.tuples(st.sampled_from(sorted(ACTION_FIELDS)), JUNK)
    for action, junk in examples(cases):
        data = {"device_id": device.id, ACTION_FIELDS[action]: junk}
        await refused_without_a_call(hass, v2c_sim, DOMAIN, action, data)


async def test_config_flow_api_key(hass: HomeAssistant, v2c_sim: SimHandle) -> None:
    """Empty, blank, long or unicode keys give a form error, never a crash."""

    keys = st.one_of(
        st.just(""),
        st.text(alphabet=" \t\n", max_size=5),
        st.text(min_size=500, max_size=5000),
        st.text(alphabet=st.characters(min_codepoint=0x80), max_size=40),
    )
    for key in examples(keys):
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_USER}
        )
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {CONF_API_KEY: key, SECTION_ADVANCED: {CONF_BASE_URL: v2c_sim.base_url}},
        )
        assert result["type"] is FlowResultType.FORM
        assert result["errors"]
