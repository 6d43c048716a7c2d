"""Table of V2C Cloud operations: one row per client method."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

DEVICE_ID: Final = "deviceId"
ID: Final = "id"


@dataclass(frozen=True, slots=True)
class Operation:
    """One HTTP operation of the API and the query parameter carrying the device id."""

    name: str
    method: str
    path: str
    id_param: str | None
    legacy: bool = False
    fallback_path: str | None = None


OPERATIONS: Final[tuple[Operation, ...]] = (
    Operation("start_charge", "POST", "/device/startcharge", DEVICE_ID),
    Operation("pause_charge", "POST", "/device/pausecharge", DEVICE_ID),
    Operation("set_intensity", "POST", "/device/intensity", DEVICE_ID),
    Operation("set_locked", "POST", "/device/locked", DEVICE_ID),
    Operation("set_dynamic", "POST", "/device/dynamic", DEVICE_ID),
    Operation("set_pv_mode", "POST", "/device/chargefvmode", DEVICE_ID),
    Operation("set_max_power", "POST", "/device/maxpower", DEVICE_ID, legacy=True),
    Operation("set_max_car_intensity", "POST", "/device/max_car_int", DEVICE_ID),
    Operation("set_min_car_intensity", "POST", "/device/min_car_int", DEVICE_ID),
    Operation(
        "set_charge_until_energy", "POST", "/device/charger_until_energy", DEVICE_ID
    ),
    Operation(
        "set_charge_until_minutes", "POST", "/device/charger_until_minutes", DEVICE_ID
    ),
    Operation("start_charge_energy", "POST", "/device/startchargekw", DEVICE_ID),
    Operation("start_charge_minutes", "POST", "/device/startchargeminutes", DEVICE_ID),
    Operation("set_timer", "POST", "/device/timer", DEVICE_ID),
    Operation("set_timer_legacy", "POST", "/device/timer", DEVICE_ID, legacy=True),
    Operation(
        "set_thirdparty_mode", "POST", "/device/thirdparty_mode", DEVICE_ID, legacy=True
    ),
    Operation("set_installation_type", "POST", "/device/inst_type", DEVICE_ID),
    Operation("set_ocpp", "POST", "/device/ocpp", ID),
    Operation("set_ocpp_id", "POST", "/device/ocpp_id", ID),
    Operation("set_ocpp_address", "POST", "/device/ocpp_addr", ID),
    Operation("set_denka_max_power", "POST", "/device/denka/max_power", DEVICE_ID),
    Operation("set_inverter_ip", "POST", "/device/inverter_ip", ID),
    Operation("set_wifi", "POST", "/device/wifi", DEVICE_ID),
    Operation("set_slave_type", "POST", "/device/slave_type", DEVICE_ID),
    Operation("set_language", "POST", "/device/language", DEVICE_ID),
    Operation("set_logo_led", "POST", "/device/logo_led", DEVICE_ID),
    Operation("reboot", "POST", "/device/reboot", DEVICE_ID),
    Operation(
        "get_current_state",
        "POST",
        "/thirdparty/device/currentstatecharge",
        DEVICE_ID,
        fallback_path="/device/currentstatecharge",
    ),
    Operation("get_reported", "GET", "/device/reported", DEVICE_ID),
    Operation("is_connected", "GET", "/device/connected", DEVICE_ID),
    Operation("scan_wifi_networks", "GET", "/device/wifilist", ID),
    Operation("learn_rfid_card", "POST", "/device/rfid", DEVICE_ID),
    Operation("delete_rfid_card", "DELETE", "/device/rfid", DEVICE_ID),
    Operation("list_rfid_cards", "GET", "/device/rfid", DEVICE_ID),
    Operation("add_rfid_card", "POST", "/device/rfid/tag", DEVICE_ID),
    Operation("rename_rfid_card", "PUT", "/device/rfid/tag", DEVICE_ID),
    Operation("set_rfid_reader", "POST", "/device/set_rfid", DEVICE_ID),
    Operation("get_charging_sessions", "GET", "/stadistic/device", DEVICE_ID),
    Operation("get_global_statistics", "GET", "/stadistic/global/me", None),
    Operation(
        "save_power_profile", "POST", "/device/savepersonalicepower/v2", DEVICE_ID
    ),
    Operation("update_power_profile", "POST", "/device/personalicepower/v2", ID),
    Operation("get_power_profile", "GET", "/device/personalicepower/v2", DEVICE_ID),
    Operation(
        "delete_power_profile", "DELETE", "/device/personalicepower/v2", DEVICE_ID
    ),
    Operation("list_power_profiles", "GET", "/device/personalicepower/all", DEVICE_ID),
    Operation("update_firmware", "POST", "/device/update", DEVICE_ID),
    Operation("get_firmware_version", "GET", "/version", DEVICE_ID),
    Operation("get_pairings", "GET", "/pairings/me", None),
)

OPERATIONS_BY_NAME: Final = MappingProxyType({op.name: op for op in OPERATIONS})
