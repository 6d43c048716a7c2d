"""Input edges: booleans, far dates, reversed charger limits, odd addresses and ports."""

from __future__ import annotations

from typing import Any

from homeassistant.components.number import ATTR_MAX, ATTR_MIN
from homeassistant.components.text import (
    ATTR_VALUE as TEXT_VALUE,
    DOMAIN as TEXT_DOMAIN,
    SERVICE_SET_VALUE as TEXT_SET_VALUE,
)
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud.const import DOMAIN
from tests.sim_fixtures import SimHandle

from .helpers import entity_of
from .test_faults import set_current


def commands(v2c_sim: SimHandle) -> list[str]:
    """Return the paths of the commands the simulator received."""
    return [r.path for r in v2c_sim.sim.request_log if r.method == "POST"]


async def call(
    hass: HomeAssistant, v2c_sim: SimHandle, action: str, **data: Any
) -> None:
    """Call one of the integration's actions on the simulated charger."""
    device = dr.async_get(hass).async_get_device(
        identifiers={(DOMAIN, v2c_sim.device_id)}
    )
    assert device is not None
    await hass.services.async_call(
        DOMAIN,
        action,
        {"device_id": device.id, **data},
        blocking=True,
        return_response=action.startswith("get_"),
    )


@pytest.mark.parametrize(
    ("action", "data", "key"),
    [
        ("start_charging_energy", {"energy": True}, "invalid_number"),
        ("start_charging_time", {"minutes": True}, "invalid_number"),
        ("set_max_power", {"power": True}, "invalid_number"),
        ("get_power_profile", {"updated_at": "0001-01-01T00:00:00"}, "invalid_year"),
        (
            "get_power_profile",
            {"updated_at": "0001-01-01T00:30:00+14:00"},
            "invalid_year",
        ),
        (
            "get_power_profile",
            {"updated_at": "9999-12-31T23:59:59-12:00"},
            "invalid_year",
        ),
        # Home Assistant's own parser refuses it: its English reason stays.
        (
            "get_power_profile",
            {"updated_at": "2026-03-02T12:00:00+25:00"},
            "invalid_value",
        ),
        ("get_charging_sessions", {"start_date": "0001-01-01"}, "invalid_year"),
        ("get_charging_sessions", {"end_date": "9999-12-31"}, "invalid_year"),
    ],
)
async def test_odd_action_input_gets_a_translated_error(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    *,
    action: str,
    data: dict[str, Any],
    key: str,
) -> None:
    """True is no number and year 1 no date: refused before any call, translated."""
    v2c_sim.sim.clear_log()
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, v2c_sim, action, **data)
    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == key
    assert v2c_sim.sim.request_log == []


@pytest.fixture
def reversed_limits(v2c_sim: SimHandle) -> None:
    """Make the charger report its car limits the wrong way round."""
    v2c_sim.charger.state.min_car_int = 40
    v2c_sim.charger.state.max_car_int = 5


@pytest.mark.usefixtures("reversed_limits")
async def test_reversed_charger_limits_give_a_usable_slider(
    hass: HomeAssistant, v2c_sim: SimHandle, init_integration: MockConfigEntry
) -> None:
    """Minimum 40 A above maximum 5 A: the slider keeps a range and works."""
    for key in ("charge_current", "min_car_current", "max_car_current"):
        state = hass.states.get(
            entity_of(hass, Platform.NUMBER, v2c_sim.device_id, key)
        )
        assert state is not None
        assert state.attributes[ATTR_MIN] < state.attributes[ATTR_MAX], key
    v2c_sim.sim.clear_log()
    await set_current(hass, v2c_sim.device_id, 10)
    assert commands(v2c_sim) == ["/device/intensity"]


@pytest.mark.usefixtures("all_enabled")
@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("inverter_ip", "0.0.0.0"),  # noqa: S104 - refused, never bound
        ("inverter_ip", "255.255.255.255"),
        ("ocpp_address", "ws://ocpp.example.com:70000/path"),
        ("ocpp_address", "wss://ocpp.example.com:0"),
    ],
)
async def test_unusable_addresses_and_ports_are_refused(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    *,
    key: str,
    value: str,
) -> None:
    """No charger can reach 0.0.0.0, a broadcast, or port 70000: refused, no call."""
    v2c_sim.sim.clear_log()
    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            TEXT_DOMAIN,
            TEXT_SET_VALUE,
            {
                ATTR_ENTITY_ID: entity_of(hass, Platform.TEXT, v2c_sim.device_id, key),
                TEXT_VALUE: value,
            },
            blocking=True,
        )
    assert raised.value.translation_key == f"invalid_{key}"
    assert v2c_sim.sim.request_log == []
