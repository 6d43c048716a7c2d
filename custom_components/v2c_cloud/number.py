"""Numbers of the V2C Cloud integration: currents, power and charge limits."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
import math

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
from homeassistant.exceptions import ServiceValidationError

from .api.validation import MAX_AMPS, MAX_KWH, MAX_MINUTES, MIN_AMPS
from .const import DOMAIN
from .entity import charger_platform
from .setting import (
    V2CSettingEntity,
    V2CSettingEntityDescription,
    has_setting,
    read_setting,
    sends,
)

PARALLEL_UPDATES = 1

MIN_POWER_W = 1_000
MAX_POWER_W = 50_000


@dataclass(frozen=True, kw_only=True)
class V2CNumberEntityDescription(
    NumberEntityDescription, V2CSettingEntityDescription[float]
):
    """Describes a V2C number: its step kind and the settings that bound it."""

    whole: bool = True
    # Stop-after targets read 0 when none is set, and 0 removes one: unknown, not 0.
    unset_at_zero: bool = False
    min_key: str | None = None
    max_key: str | None = None


NUMBERS: tuple[V2CNumberEntityDescription, ...] = (
    V2CNumberEntityDescription(
        key="charge_current",
        translation_key="charge_current",
        exists_fn=sends("intensity"),
        live=True,
        # 6 A at least: it sets how fast the car charges, never whether.
        may_start_or_stop=False,
        device_class=NumberDeviceClass.CURRENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        native_min_value=MIN_AMPS,
        native_max_value=MAX_AMPS,
        native_step=1,
        mode=NumberMode.SLIDER,
        min_key="min_car_current",
        max_key="max_car_current",
        value_fn=lambda reported: reported.intensity_a,
        # Home Assistant has held the value within the car's limits already.
        set_fn=lambda client, device_id, value: client.set_intensity(
            device_id, int(value)
        ),
    ),
    V2CNumberEntityDescription(
        key="min_car_current",
        translation_key="min_car_current",
        exists_fn=sends("min_car_int", "min_car_int_fb"),
        device_class=NumberDeviceClass.CURRENT,
        entity_category=EntityCategory.CONFIG,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        native_min_value=MIN_AMPS,
        native_max_value=MAX_AMPS,
        native_step=1,
        mode=NumberMode.BOX,
        max_key="max_car_current",
        value_fn=lambda reported: reported.min_car_intensity_a,
        set_fn=lambda client, device_id, value: client.set_min_car_intensity(
            device_id, int(value)
        ),
    ),
    V2CNumberEntityDescription(
        key="max_car_current",
        translation_key="max_car_current",
        exists_fn=sends("max_car_int", "max_car_int_fb"),
        device_class=NumberDeviceClass.CURRENT,
        entity_category=EntityCategory.CONFIG,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        native_min_value=MIN_AMPS,
        native_max_value=MAX_AMPS,
        native_step=1,
        mode=NumberMode.BOX,
        min_key="min_car_current",
        value_fn=lambda reported: reported.max_car_intensity_a,
        set_fn=lambda client, device_id, value: client.set_max_car_intensity(
            device_id, int(value)
        ),
    ),
    V2CNumberEntityDescription(
        key="max_power",
        translation_key="max_power",
        exists_fn=sends("denka_max_power"),
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
        set_fn=lambda client, device_id, value: client.set_denka_max_power(
            device_id, int(value)
        ),
    ),
    V2CNumberEntityDescription(
        key="charge_until_energy",
        translation_key="charge_until_energy",
        exists_fn=sends("charge_until_energy", "charger_until_energy"),
        live=True,
        device_class=NumberDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        native_min_value=0,
        native_max_value=MAX_KWH,
        native_step=0.1,
        mode=NumberMode.BOX,
        whole=False,
        unset_at_zero=True,
        value_fn=lambda reported: reported.charge_until_energy_kwh,
        set_fn=lambda client, device_id, value: client.set_charge_until_energy(
            device_id, value
        ),
    ),
    V2CNumberEntityDescription(
        key="charge_until_minutes",
        translation_key="charge_until_minutes",
        exists_fn=sends("charge_until_minutes", "charger_until_minutes"),
        live=True,
        device_class=NumberDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        native_min_value=0,
        native_max_value=MAX_MINUTES,
        native_step=1,
        mode=NumberMode.BOX,
        unset_at_zero=True,
        value_fn=lambda reported: reported.charge_until_minutes,
        set_fn=lambda client, device_id, value: client.set_charge_until_minutes(
            device_id, int(value)
        ),
    ),
)

NUMBERS_BY_KEY = {description.key: description for description in NUMBERS}


class V2CNumberEntity(V2CSettingEntity[float], NumberEntity):
    """A numeric charger setting."""

    entity_description: V2CNumberEntityDescription

    def _value_of(self, description: V2CNumberEntityDescription) -> float | None:
        """Return a number's pending value, else its reported one."""
        read = partial(read_setting, description)
        value = self.coordinator.value(description.key, read)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return int(value) if description.whole else value

    def _bound(self, key: str | None, default: float) -> float:
        """Return the value of the number that bounds this one, else the default."""
        value = None if key is None else self._value_of(NUMBERS_BY_KEY[key])
        return default if value is None else value

    @property
    def native_value(self) -> float | None:
        """Return the pending value of a command, else the reported value.

        A stop-after target of 0, reported or asked for, is no target: unknown.
        The pending 0 itself is kept as 0, so the charger reporting 0 confirms it.
        """
        description = self.entity_description
        value = self._value_of(description)
        if description.unset_at_zero and value == 0:
            return None
        return value

    @property
    def native_min_value(self) -> float:
        """Return the lowest value, raised by a bounding setting."""
        return self._limits()[0]

    @property
    def native_max_value(self) -> float:
        """Return the highest value, lowered by a bounding setting."""
        return self._limits()[1]

    def _limits(self) -> tuple[float, float]:
        """Return the slider's range: the own range narrowed by the bounding settings.

        A charger reporting its limits reversed (minimum 40 A, maximum 5 A)
        would give an empty range no value fits; the own range is used then.
        """
        description = self.entity_description
        low, high = super().native_min_value, super().native_max_value
        lower = self._bound(description.min_key, low)
        upper = self._bound(description.max_key, high)
        if not low <= lower <= upper <= high:
            return low, high
        return lower, upper

    async def async_set_native_value(self, value: float) -> None:
        """Send the new value; Home Assistant has checked the bounds."""
        description = self.entity_description
        if not math.isfinite(value):
            # NaN passes Home Assistant's bounds: every comparison with it is false.
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="invalid_number",
                translation_placeholders={"parameter": "value"},
            )
        if description.whole and not value.is_integer():
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="whole_number",
                translation_placeholders={"value": repr(value)},
            )
        # The client sends energy with three decimals; keep what the charger will echo.
        await self._async_send(
            value=int(value) if description.whole else round(value, 3)
        )


async_setup_entry = charger_platform(V2CNumberEntity, NUMBERS, has_setting)
