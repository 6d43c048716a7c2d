"""Binary sensors of V2C chargers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory

from .api import ChargeState, CurrentState, MeterError
from .data import CHARGING_STATES, ChargerData, is_charging
from .entity import V2CEntity, charger_platform
from .helpers import utcnow

PARALLEL_UPDATES = 0

_PLUGGED = frozenset({ChargeState.CONNECTED, *CHARGING_STATES})
_BROKEN = frozenset({ChargeState.NO_POWER, ChargeState.FAULT})
# Meter errors the user can fix (wiring, address, meter choice). Waiting for Wi-Fi
# or for the meter passes by itself, and codes the charger does not name (the API
# document shows 244 while charging normally) are not faults.
_ACTIONABLE = frozenset(
    {
        MeterError.COMMUNICATION,
        MeterError.READING,
        MeterError.SLAVE,
        MeterError.WRONG_IP,
        MeterError.METER_NOT_FOUND,
        MeterError.WRONG_METER,
        MeterError.NO_RESPONSE,
        MeterError.CLAMP_NOT_CONNECTED,
    }
)


@dataclass(frozen=True, kw_only=True)
class V2CBinarySensorEntityDescription(BinarySensorEntityDescription):
    """A charger binary sensor; created when exists_fn holds after the first refresh."""

    is_on_fn: Callable[[ChargerData], bool | None]
    exists_fn: Callable[[ChargerData], bool] = lambda data: data.state is not None
    available_offline: bool = False


def _live(
    read: Callable[[CurrentState], bool | None],
) -> Callable[[ChargerData], bool | None]:
    """Read a live flag from `currentstatecharge`."""
    return lambda data: None if data.state is None else read(data.state)


def _plugged(state: CurrentState) -> bool | None:
    # Pilot states E and F do not tell whether a car is connected.
    if state.charge_state is None or state.charge_state in _BROKEN:
        return None
    return state.charge_state in _PLUGGED


def _problem(state: CurrentState) -> bool | None:
    if state.charge_state in _BROKEN or state.meter_error in _ACTIONABLE:
        return True
    # An unreadable meter error is no known problem; an unknown pilot state is.
    return None if state.charge_state is None else False


def _has_solar(data: ChargerData) -> bool:
    # A charger without a PV meter (Pole) sends photovoltaic_on but no sun power.
    return data.state is not None and "sun_power" in data.state.raw


def _exists(description: V2CBinarySensorEntityDescription, data: ChargerData) -> bool:
    return description.exists_fn(data)


BINARY_SENSORS: tuple[V2CBinarySensorEntityDescription, ...] = (
    V2CBinarySensorEntityDescription(
        key="plugged",
        translation_key="plugged",
        device_class=BinarySensorDeviceClass.PLUG,
        is_on_fn=_live(_plugged),
    ),
    V2CBinarySensorEntityDescription(
        key="charging",
        translation_key="charging",
        device_class=BinarySensorDeviceClass.BATTERY_CHARGING,
        is_on_fn=_live(is_charging),
    ),
    V2CBinarySensorEntityDescription(
        key="solar_active",
        translation_key="solar_active",
        is_on_fn=_live(lambda state: state.photovoltaic_on),
        exists_fn=_has_solar,
    ),
    V2CBinarySensorEntityDescription(
        key="online",
        translation_key="online",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        is_on_fn=lambda data: data.connected is not False,
        exists_fn=lambda data: True,
        available_offline=True,
    ),
    V2CBinarySensorEntityDescription(
        key="problem",
        translation_key="problem",
        device_class=BinarySensorDeviceClass.PROBLEM,
        is_on_fn=_live(_problem),
    ),
)


class V2CBinarySensorEntity(V2CEntity, BinarySensorEntity):
    """A flag a charger reports."""

    entity_description: V2CBinarySensorEntityDescription

    @property
    def available(self) -> bool:
        """Keep connectivity available while the charger is offline, not the cloud."""
        if self.entity_description.available_offline:
            return not self.coordinator.is_unreachable(utcnow())
        return super().available

    @property
    def is_on(self) -> bool | None:
        """Return the flag from the newest data."""
        return self.entity_description.is_on_fn(self.coordinator.data)


async_setup_entry = charger_platform(V2CBinarySensorEntity, BINARY_SENSORS, _exists)
