"""Numbers of the V2C Cloud integration: currents, power and charge limits."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import (
    EntityCategory,
    UnitOfElectricCurrent,
    UnitOfEnergy,
    UnitOfPower,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import ReportedState, V2CClient
from .api.validation import MAX_AMPS, MAX_KWH, MAX_MINUTES, MIN_AMPS
from .const import DOMAIN
from .coordinator import V2CChargerCoordinator, V2CConfigEntry
from .entity import V2CEntity
from .polling import ChargerData

PARALLEL_UPDATES = 1

MIN_POWER_W = 1_000
MAX_POWER_W = 50_000

type Bounds = tuple[float, float]


@dataclass(frozen=True, kw_only=True)
class V2CNumberEntityDescription(NumberEntityDescription):
    """Describes a V2C number: how to read and set it, and what bounds it."""

    value_fn: Callable[[ReportedState], float | None]
    set_fn: Callable[[V2CClient, str, float, Bounds], Awaitable[None]]
    whole: bool = True
    min_key: str | None = None
    max_key: str | None = None
    # Whether the value changes whether or how much the car charges, so its
    # confirmation reads the live state too.
    live: bool = False


NUMBERS: tuple[V2CNumberEntityDescription, ...] = (
    V2CNumberEntityDescription(
        key="charge_current",
        translation_key="charge_current",
        live=True,
        device_class=NumberDeviceClass.CURRENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        native_min_value=MIN_AMPS,
        native_max_value=MAX_AMPS,
        native_step=1,
        mode=NumberMode.SLIDER,
        min_key="min_car_current",
        max_key="max_car_current",
        value_fn=lambda reported: reported.intensity_a,
        set_fn=lambda client, device_id, value, bounds: client.set_intensity(
            device_id, int(value), min_amps=int(bounds[0]), max_amps=int(bounds[1])
        ),
    ),
    V2CNumberEntityDescription(
        key="min_car_current",
        translation_key="min_car_current",
        device_class=NumberDeviceClass.CURRENT,
        entity_category=EntityCategory.CONFIG,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        native_min_value=MIN_AMPS,
        native_max_value=MAX_AMPS,
        native_step=1,
        mode=NumberMode.BOX,
        max_key="max_car_current",
        value_fn=lambda reported: reported.min_car_intensity_a,
        set_fn=lambda client, device_id, value, _: client.set_min_car_intensity(
            device_id, int(value)
        ),
    ),
    V2CNumberEntityDescription(
        key="max_car_current",
        translation_key="max_car_current",
        device_class=NumberDeviceClass.CURRENT,
        entity_category=EntityCategory.CONFIG,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        native_min_value=MIN_AMPS,
        native_max_value=MAX_AMPS,
        native_step=1,
        mode=NumberMode.BOX,
        min_key="min_car_current",
        value_fn=lambda reported: reported.max_car_intensity_a,
        set_fn=lambda client, device_id, value, _: client.set_max_car_intensity(
            device_id, int(value)
        ),
    ),
    V2CNumberEntityDescription(
        key="max_power",
        translation_key="max_power",
        live=True,
        device_class=NumberDeviceClass.POWER,
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        native_unit_of_measurement=UnitOfPower.WATT,
        native_min_value=MIN_POWER_W,
        native_max_value=MAX_POWER_W,
        native_step=100,
        mode=NumberMode.BOX,
        value_fn=lambda reported: reported.denka_max_power_w,
        set_fn=lambda client, device_id, value, _: client.set_denka_max_power(
            device_id, int(value)
        ),
    ),
    V2CNumberEntityDescription(
        key="charge_until_energy",
        translation_key="charge_until_energy",
        live=True,
        device_class=NumberDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        native_min_value=0.1,
        native_max_value=MAX_KWH,
        native_step=0.1,
        mode=NumberMode.BOX,
        whole=False,
        value_fn=lambda reported: reported.charge_until_energy_kwh,
        set_fn=lambda client, device_id, value, _: client.set_charge_until_energy(
            device_id, value
        ),
    ),
    V2CNumberEntityDescription(
        key="charge_until_minutes",
        translation_key="charge_until_minutes",
        live=True,
        device_class=NumberDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        native_min_value=1,
        native_max_value=MAX_MINUTES,
        native_step=1,
        mode=NumberMode.BOX,
        value_fn=lambda reported: reported.charge_until_minutes,
        set_fn=lambda client, device_id, value, _: client.set_charge_until_minutes(
            device_id, int(value)
        ),
    ),
)

NUMBERS_BY_KEY = {description.key: description for description in NUMBERS}


def _read(description: V2CNumberEntityDescription, data: ChargerData) -> float | None:
    """Read a number from the charger's settings."""
    return description.value_fn(data.reported) if data.reported else None


async def async_setup_entry(
    hass: HomeAssistant,
    entry: V2CConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the numbers each charger reports."""
    async_add_entities(
        V2CNumberEntity(coordinator, description)
        for coordinator in entry.runtime_data.chargers.values()
        for description in NUMBERS
        if _read(description, coordinator.data) is not None
    )


class V2CNumberEntity(V2CEntity, NumberEntity):
    """A numeric charger setting."""

    entity_description: V2CNumberEntityDescription

    def __init__(
        self,
        coordinator: V2CChargerCoordinator,
        description: V2CNumberEntityDescription,
    ) -> None:
        """Bind the description's reader for optimistic values."""
        super().__init__(coordinator, description)
        self._read = partial(_read, description)

    def _value_of(self, description: V2CNumberEntityDescription) -> float | None:
        """Return a number's pending value, else its reported one."""
        value = self.coordinator.value(description.key, partial(_read, description))
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return int(value) if description.whole else value

    def _bound(self, key: str | None, default: float) -> float:
        """Return the value of the number that bounds this one, else the default."""
        value = None if key is None else self._value_of(NUMBERS_BY_KEY[key])
        return default if value is None else value

    @property
    def native_value(self) -> float | None:
        """Return the pending value of a command, else the reported value."""
        return self._value_of(self.entity_description)

    @property
    def native_min_value(self) -> float:
        """Return the lowest value, raised by a bounding setting."""
        description = self.entity_description
        return self._bound(description.min_key, super().native_min_value)

    @property
    def native_max_value(self) -> float:
        """Return the highest value, lowered by a bounding setting."""
        description = self.entity_description
        return self._bound(description.max_key, super().native_max_value)

    async def async_set_native_value(self, value: float) -> None:
        """Send the new value; Home Assistant has checked the bounds."""
        description = self.entity_description
        if description.whole and not value.is_integer():
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="whole_number",
                translation_placeholders={"value": f"{value:g}"},
            )
        # The client sends energy with three decimals; keep what the charger will echo.
        command = int(value) if description.whole else round(value, 3)
        bounds = (self.native_min_value, self.native_max_value)
        await self.coordinator.async_command(
            lambda client, device_id: description.set_fn(
                client, device_id, command, bounds
            ),
            key=description.key,
            value=command,
            read=self._read,
            live=description.live,
        )
