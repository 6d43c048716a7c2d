"""Plain data held by a simulated charger: settings, live values and records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Model(StrEnum):
    """Charger families with different wire shapes."""

    TRYDAN = "trydan"
    POLE = "pole"


class Wire(StrEnum):
    """How a Trydan's answers look: as the API document shows, or as firmware 2.4.6."""

    DOCUMENT = "document"
    TRYDAN_2_4_6 = "trydan-2.4.6"


@dataclass
class RfidCard:
    """A card on the charger's whitelist."""

    code: str
    tag: str


@dataclass
class Timer:
    """A charging window; charging is only allowed inside active windows."""

    timer_id: int
    time_start: str
    time_end: str
    days_of_week: str

    @property
    def active(self) -> bool:
        """Return whether the timer applies on at least one day."""
        return bool(self.days_of_week)


@dataclass
class PowerProfile:
    """An advanced power profile stored in the cloud."""

    name: str
    update_at: str
    mode: str
    value: int


@dataclass
class Session:
    """A finished charging session, as the statistics endpoint reports it."""

    statistic_id: int
    device_id: str
    start: datetime
    end: datetime
    energy_kwh: float
    energy_by_hour: list[float]
    energy_by_hour_fv: list[float] | None
    rfid: RfidCard | None


@dataclass
class ChargerState:
    """Everything a charger knows; live values are as of the last evaluation."""

    device_id: str
    model: Model
    tag: str
    pairing_id: str
    mac: str
    version: str
    online: bool = True
    rebooting_until: datetime | None = None
    update_ready_at: datetime | None = None
    wifi_ssid: str = "HomeNetwork"
    wifi_password_length: int = 12
    wifi_rssi: int = -58
    ip: str = "192.168.1.50"
    intensity: int = 32
    min_car_int: int = 6
    max_car_int: int = 32
    locked: bool = False
    paused: bool = False
    dynamic: bool = False
    pv_mode: int = 2
    logo_led: bool = True
    led_brightness: float = 1.0
    rfid_reader: bool = False
    contract_power: int = 5700
    max_power: int = 7400
    denka_max_power: int = 7400
    inst_type: int = 0
    slave_type: int = 0
    language: int = 0
    ocpp: bool = False
    ocpp_id: str = ""
    ocpp_addr: str = ""
    inverter_ip: str = ""
    charge_until_energy: float = 0.0
    charge_until_minutes: int = 0
    thirdparty_mode: int = 0
    thirdparty_mode_kind: int = 0
    voltage: float = 230.0
    mains_voltage: float = 248.0
    pilot_signal: float = 0.0728
    error_code: int = 0
    pilot_override: int | None = None
    plugged: bool = False
    charge_state: int = 0
    current_a: int = 0
    power_kw: float = 0.0
    sun_power_kw: float = 0.0
    house_power_kw: float = 0.0
    car_energy_needed_kwh: float = 0.0
    session_start: datetime | None = None
    session_energy_kwh: float = 0.0
    session_seconds: float = 0.0
    charging_seconds: float = 0.0
    session_stopped: bool = False
    session_stop_energy_kwh: float | None = None
    session_stop_charging_seconds: float | None = None
    session_rfid: RfidCard | None = None
    session_energy_by_hour: list[float] = field(default_factory=list)
    session_energy_by_hour_fv: list[float] | None = None
    rfid_cards: list[RfidCard] = field(default_factory=list)
    rfid_learning_tag: str | None = None
    timers: dict[int, Timer] = field(default_factory=dict)
    profiles: list[PowerProfile] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)

    @property
    def phases(self) -> int:
        """Return the phases in use: three on a three-phase installation."""
        return 3 if self.inst_type == 1 else 1

    @property
    def photovoltaic_on(self) -> bool:
        """Return whether charging follows the sun (dynamic with a PV mode)."""
        return self.model is Model.TRYDAN and self.dynamic and self.pv_mode in (0, 1)

    def card(self, code: str) -> RfidCard | None:
        """Return the whitelisted card with this code."""
        return next((card for card in self.rfid_cards if card.code == code), None)

    def profile(self, name: str) -> PowerProfile | None:
        """Return the power profile with this name."""
        return next((p for p in self.profiles if p.name == name), None)
