"""Sensors of V2C chargers and of the account's daily call quota."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    ATTR_UNIT_OF_MEASUREMENT,
    PERCENTAGE,
    SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    EntityCategory,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfPower,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity
from homeassistant.helpers.typing import StateType
from homeassistant.helpers.update_coordinator import CoordinatorEntity
from homeassistant.util.unit_conversion import EnergyConverter

from .account import V2CAccountCoordinator
from .api import (
    ChargeState,
    CurrentState,
    DynamicPowerMode,
    MeterError,
    ReportedState,
    V2CResponseError,
)
from .api.parsing import as_mapping
from .budget import PlannerSnapshot
from .const import DOMAIN
from .coordinator import V2CChargerCoordinator, V2CConfigEntry
from .energy import LifetimeEnergy, charger_max_kw
from .entity import V2CEntity, async_add_charger_entities
from .helpers import option_of, options_of, utcnow

PARALLEL_UPDATES = 0

CHARGE_STATES: dict[ChargeState, str] = {
    ChargeState.NO_VEHICLE: "no_vehicle",
    ChargeState.CONNECTED: "connected",
    ChargeState.CHARGING: "charging",
    ChargeState.VENTILATION: "ventilation_required",
    ChargeState.NO_POWER: "no_power",
    ChargeState.FAULT: "fault",
}

# A code the charger does not name: its number is the Meter error code sensor.
OTHER_METER_ERROR = "other"

type ChargerReader = Callable[[V2CChargerCoordinator], StateType]


@dataclass(frozen=True, kw_only=True)
class V2CSensorEntityDescription(SensorEntityDescription):
    """A charger sensor; created when the charger sends its field (else its value).

    One that describes the planner rather than the charger's data stays
    available whatever the charger's data: the planner keeps reading the
    charger while it is offline or its data too old to show.
    """

    value_fn: ChargerReader
    exists_fn: Callable[[V2CChargerCoordinator], bool] | None = None
    describes_planner: bool = False


@dataclass(frozen=True, kw_only=True)
class V2CAccountSensorEntityDescription(SensorEntityDescription):
    """A sensor of the account's quota, read from the planner."""

    value_fn: Callable[[PlannerSnapshot], StateType | datetime]


def _live(read: Callable[[CurrentState], StateType]) -> ChargerReader:
    """Read a live value from `currentstatecharge`."""

    def value(coordinator: V2CChargerCoordinator) -> StateType:
        state = coordinator.data.state
        return None if state is None else read(state)

    return value


def _shadow(read: Callable[[ReportedState], StateType]) -> ChargerReader:
    """Read a value from the settings shadow."""

    def value(coordinator: V2CChargerCoordinator) -> StateType:
        reported = coordinator.data.reported
        return None if reported is None else read(reported)

    return value


def _charge_state(state: CurrentState) -> str | None:
    charge_state = state.charge_state
    return None if charge_state is None else CHARGE_STATES[charge_state]


def _meter_error(state: CurrentState) -> str | None:
    if state.error_code is None:
        return None
    error = state.meter_error
    return OTHER_METER_ERROR if error is None else option_of(error)


def _poll_interval(coordinator: V2CChargerCoordinator) -> float | None:
    if not coordinator.polled:
        # Read when the user asks: the planner's interval is not followed.
        return None
    planner = coordinator.config_entry.runtime_data.planner
    charger = planner.snapshot(utcnow()).chargers.get(coordinator.device_id)
    return None if charger is None else charger.interval_s


def _in_live(*keys: str) -> Callable[[V2CChargerCoordinator], bool]:
    """Exist when the live state carries a key, even while its value is unusable."""

    def exists(coordinator: V2CChargerCoordinator) -> bool:
        state = coordinator.data.state
        return state is not None and any(key in state.raw for key in keys)

    return exists


def _in_shadow(*keys: str) -> Callable[[V2CChargerCoordinator], bool]:
    """Exist when the settings carry a key, even while its value is unusable."""

    def exists(coordinator: V2CChargerCoordinator) -> bool:
        reported = coordinator.data.reported
        return reported is not None and any(key in reported.raw for key in keys)

    return exists


def _in_wifi_info(*keys: str) -> Callable[[V2CChargerCoordinator], bool]:
    """Exist when the charger's `wifi_info` carries a key, or could not be read.

    One malformed at setup must not keep the sensor away until Home Assistant
    restarts; one read in full tells which parts the charger sends (a real
    Trydan's names the network and address, no signal).
    """

    def exists(coordinator: V2CChargerCoordinator) -> bool:
        reported = coordinator.data.reported
        if reported is None or "wifi_info" not in reported.raw:
            return False
        try:
            info = as_mapping(reported.raw["wifi_info"], "wifi_info")
        except V2CResponseError:
            return True
        return any(key in info for key in keys)

    return exists


def _always(_: V2CChargerCoordinator) -> bool:
    return True


def _has_value(
    description: V2CSensorEntityDescription,
) -> Callable[[V2CChargerCoordinator], bool]:
    return lambda coordinator: description.value_fn(coordinator) is not None


SENSORS: tuple[V2CSensorEntityDescription, ...] = (
    V2CSensorEntityDescription(
        key="charge_state",
        translation_key="charge_state",
        device_class=SensorDeviceClass.ENUM,
        options=list(CHARGE_STATES.values()),
        value_fn=_live(_charge_state),
        exists_fn=_always,
    ),
    V2CSensorEntityDescription(
        key="charging_power",
        translation_key="charging_power",
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        suggested_display_precision=0,
        value_fn=_live(lambda state: state.power_w),
        exists_fn=_in_live("power"),
    ),
    V2CSensorEntityDescription(
        key="house_power",
        translation_key="house_power",
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        suggested_display_precision=0,
        value_fn=_live(lambda state: state.house_power_w),
        exists_fn=_in_live("house_power"),
    ),
    V2CSensorEntityDescription(
        key="solar_power",
        translation_key="solar_power",
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        suggested_display_precision=0,
        value_fn=_live(lambda state: state.sun_power_w),
        exists_fn=_in_live("sun_power"),
    ),
    V2CSensorEntityDescription(
        key="battery_power",
        translation_key="battery_power",
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        suggested_display_precision=0,
        value_fn=_live(lambda state: state.battery_power_w),
        exists_fn=_in_live("battery"),
    ),
    V2CSensorEntityDescription(
        key="grid_power",
        translation_key="grid_power",
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        suggested_display_precision=0,
        value_fn=_live(lambda state: state.grid_power_w),
        exists_fn=_in_live("grid_power"),
    ),
    V2CSensorEntityDescription(
        key="charging_current",
        translation_key="charging_current",
        device_class=SensorDeviceClass.CURRENT,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        suggested_display_precision=0,
        value_fn=_live(lambda state: state.intensity_a),
        exists_fn=_in_live("intensity"),
    ),
    # No state class: the value falls at every new session and the charger gives
    # no reliable session start for last_reset; lifetime_energy feeds statistics.
    V2CSensorEntityDescription(
        key="session_energy",
        translation_key="session_energy",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        value_fn=_live(lambda state: state.energy_kwh),
        exists_fn=_in_live("energy"),
    ),
    V2CSensorEntityDescription(
        key="session_duration",
        translation_key="session_duration",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_unit_of_measurement=UnitOfTime.MINUTES,
        suggested_display_precision=0,
        value_fn=_live(lambda state: state.session_seconds),
        exists_fn=_in_live("seconds"),
    ),
    V2CSensorEntityDescription(
        key="meter_error",
        translation_key="meter_error",
        device_class=SensorDeviceClass.ENUM,
        options=[*options_of(MeterError), OTHER_METER_ERROR],
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_live(_meter_error),
        # A Pole has no energy meter: its shadow carries no meter type.
        exists_fn=_in_shadow("slave_type"),
    ),
    # Read-only: no endpoint of the cloud API sets it.
    V2CSensorEntityDescription(
        key="dynamic_power_mode",
        translation_key="dynamic_power_mode",
        device_class=SensorDeviceClass.ENUM,
        options=options_of(DynamicPowerMode),
        value_fn=_shadow(
            lambda reported: (
                None
                if reported.dynamic_power_mode is None
                else option_of(reported.dynamic_power_mode)
            )
        ),
        exists_fn=_in_shadow("dynamic_power_mode"),
    ),
    V2CSensorEntityDescription(
        key="error_code",
        translation_key="error_code",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_live(lambda state: state.error_code),
        exists_fn=_always,
    ),
    V2CSensorEntityDescription(
        key="phases",
        translation_key="phases",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=_live(lambda state: state.phases),
        exists_fn=_in_live("phases"),
    ),
    # A real Trydan sends the mains voltage as `cp_level`; the key stays, so the
    # entity keeps its unique id.
    V2CSensorEntityDescription(
        key="cp_level",
        translation_key="installation_voltage",
        device_class=SensorDeviceClass.VOLTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricPotential.VOLT,
        suggested_display_precision=0,
        value_fn=_live(lambda state: state.installation_voltage_v),
        exists_fn=_in_live("cp_level"),
    ),
    # `voltage` is a small internal signal (0.07 on a real Trydan), not a voltage.
    V2CSensorEntityDescription(
        key="voltage",
        translation_key="voltage",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=_live(lambda state: state.voltage_signal),
        exists_fn=_in_live("voltage"),
    ),
    V2CSensorEntityDescription(
        key="firmware_version",
        translation_key="firmware_version",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_shadow(lambda reported: reported.firmware_version),
        exists_fn=_in_shadow("version", "firmware_version", "versionId"),
    ),
    # The shadow is read every few hours, so Wi-Fi details are rarely current.
    V2CSensorEntityDescription(
        key="wifi_ssid",
        translation_key="wifi_ssid",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=_shadow(lambda reported: reported.wifi_ssid),
        exists_fn=_in_wifi_info("ssid", "SSID"),
    ),
    V2CSensorEntityDescription(
        key="wifi_signal",
        translation_key="wifi_signal",
        device_class=SensorDeviceClass.SIGNAL_STRENGTH,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=_shadow(lambda reported: reported.wifi_rssi_dbm),
        exists_fn=_in_wifi_info("rssi", "RSSI"),
    ),
    V2CSensorEntityDescription(
        key="ip_address",
        translation_key="ip_address",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_shadow(lambda reported: reported.wifi_ip),
        exists_fn=_in_wifi_info("ip", "IP"),
    ),
    V2CSensorEntityDescription(
        key="contract_power",
        translation_key="contract_power",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_shadow(lambda reported: reported.contract_power_w),
        exists_fn=_in_shadow("contract_power"),
    ),
    # Read-only: the API has no command for the LED brightness.
    V2CSensorEntityDescription(
        key="led_brightness",
        translation_key="led_brightness",
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_shadow(lambda reported: reported.led_brightness_pct),
        exists_fn=_in_shadow("light_led"),
    ),
    V2CSensorEntityDescription(
        key="poll_interval",
        translation_key="poll_interval",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=_poll_interval,
        exists_fn=_always,
        describes_planner=True,
    ),
)

LIFETIME_ENERGY = SensorEntityDescription(
    key="lifetime_energy",
    translation_key="lifetime_energy",
    device_class=SensorDeviceClass.ENERGY,
    state_class=SensorStateClass.TOTAL_INCREASING,
    native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
    suggested_display_precision=2,
)

ACCOUNT_SENSORS: tuple[V2CAccountSensorEntityDescription, ...] = (
    V2CAccountSensorEntityDescription(
        key="calls_remaining",
        translation_key="calls_remaining",
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement="calls",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda snapshot: snapshot.remaining,
    ),
    V2CAccountSensorEntityDescription(
        key="quota_reset",
        translation_key="quota_reset",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda snapshot: snapshot.reset_at,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: V2CConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the sensors of every charger and of the account."""
    async_add_entities(
        V2CAccountSensorEntity(entry, description) for description in ACCOUNT_SENSORS
    )

    def charger_sensors(coordinator: V2CChargerCoordinator) -> list[SensorEntity]:
        entities: list[SensorEntity] = [
            V2CSensorEntity(coordinator, description)
            for description in SENSORS
            if (description.exists_fn or _has_value(description))(coordinator)
        ]
        entities.append(V2CLifetimeEnergySensor(coordinator, LIFETIME_ENERGY))
        return entities

    async_add_charger_entities(hass, entry, async_add_entities, charger_sensors)


class V2CSensorEntity(V2CEntity, SensorEntity):
    """A value a charger reports."""

    entity_description: V2CSensorEntityDescription

    async def async_added_to_hass(self) -> None:
        """Follow the planner too when describing it: the quota moves its figures.

        An offline charger's reads bring no new data, so its coordinator
        tells nobody; every quota header or 429 tells the account's listeners.
        """
        await super().async_added_to_hass()
        if self.entity_description.describes_planner:
            self.async_on_remove(
                self.coordinator.account.async_add_listener(
                    self._handle_coordinator_update
                )
            )

    @property
    def available(self) -> bool:
        """Keep the planner's figures available while the entry runs the charger."""
        return self.entity_description.describes_planner or super().available

    @property
    def native_value(self) -> StateType:
        """Return the value from the newest data."""
        return self.entity_description.value_fn(self.coordinator)


class V2CLifetimeEnergySensor(V2CEntity, SensorEntity, RestoreEntity):
    """Energy charged over all sessions, for the Energy dashboard; never decreases.

    The total lives in the integration's Store, written within 5 minutes of a
    change and at once when a session ends: Home Assistant's restore state is
    only written every 15 minutes, so an unclean stop made it go back.
    """

    def __init__(
        self, coordinator: V2CChargerCoordinator, description: SensorEntityDescription
    ) -> None:
        """Start empty until the saved total is loaded."""
        super().__init__(coordinator, description)
        self._store = coordinator.config_entry.runtime_data.store
        self._energy = LifetimeEnergy()

    async def async_added_to_hass(self) -> None:
        """Load the saved total, then add the newest reading."""
        await super().async_added_to_hass()
        device_id = self.coordinator.device_id
        energy = self._store.energy.get(device_id)
        if energy is None:
            # Before the Store kept it, the total lived in restore state.
            restored = await self.async_get_last_extra_data()
            energy = (
                LifetimeEnergy.from_dict(restored.as_dict()) if restored else None
            ) or LifetimeEnergy()
        # Never below the last state shown, whichever save is newer. It is in
        # the unit the user chose to display: 3,680 Wh is 3.68 kWh, not 3,680.
        if (last := await self.async_get_last_state()) is not None:
            with suppress(ValueError, HomeAssistantError):
                energy.raise_to(
                    EnergyConverter.convert(
                        float(last.state),
                        last.attributes.get(
                            ATTR_UNIT_OF_MEASUREMENT, UnitOfEnergy.KILO_WATT_HOUR
                        ),
                        UnitOfEnergy.KILO_WATT_HOUR,
                    )
                )
        self._energy = self._store.energy[device_id] = energy
        self._observe()

    @callback
    def _handle_coordinator_update(self) -> None:
        """Fold the new session energy into the total."""
        self._observe()
        super()._handle_coordinator_update()

    def _observe(self) -> None:
        data = self.coordinator.data
        state = data.state
        if state is None or state.energy_kwh is None or data.state_at is None:
            return
        reported = data.reported
        max_kw = charger_max_kw(
            state.power_w, reported.max_power_w if reported else None
        )
        before = self._energy.as_dict()
        if self._energy.observe(
            state.energy_kwh, data.state_at, max_kw, state.session_seconds
        ):
            self.hass.async_create_task(self._store.async_save())
        elif self._energy.as_dict() != before:
            self._store.schedule_save()

    @property
    def native_value(self) -> float | None:
        """Return the total energy charged."""
        return self._energy.total_kwh

    @property
    def extra_restore_state_data(self) -> LifetimeEnergy:
        """Return the total as well, for installs going back to an older version."""
        return self._energy


class V2CAccountSensorEntity(CoordinatorEntity[V2CAccountCoordinator], SensorEntity):
    """The account's daily call quota, as the planner knows it."""

    _attr_has_entity_name = True
    entity_description: V2CAccountSensorEntityDescription

    def __init__(
        self, entry: V2CConfigEntry, description: V2CAccountSensorEntityDescription
    ) -> None:
        """Attach the sensor to the account's service device."""
        super().__init__(entry.runtime_data.account)
        self.entity_description = description
        self._planner = entry.runtime_data.planner
        self._attr_unique_id = f"{entry.entry_id}_{description.key}"
        # Named in Home Assistant's language; a device set up under the English
        # name takes the translation at the next start, its entity ids stay.
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            entry_type=DeviceEntryType.SERVICE,
            manufacturer="V2C",
            translation_key="account",
        )

    async def async_added_to_hass(self) -> None:
        """Follow the account's ticks, failed ones too, and each reset: the quota moves on.

        A failure the account repeats tick after tick (a pairings read held
        failed) tells its listeners once; the window still rolls over at the
        reset, and the planner's view with it.
        """
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.async_add_quota_listener(self._handle_coordinator_update)
        )

    @property
    def available(self) -> bool:
        """Stay available: the planner counts calls even while the cloud fails."""
        return True

    @property
    def native_value(self) -> StateType | datetime:
        """Return the value from the planner's current view."""
        return self.entity_description.value_fn(self._planner.snapshot(utcnow()))
