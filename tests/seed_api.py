"""The operations of the seed API document, which every layer must serve."""

from __future__ import annotations

# (method, path) of the 46 operations of the seed API document, as it names them.
SEED_OPERATIONS = frozenset(
    {
        ("POST", "/device/startcharge"),
        ("POST", "/device/pausecharge"),
        ("POST", "/device/intensity"),
        ("POST", "/device/locked"),
        ("POST", "/device/dynamic"),
        ("POST", "/device/chargefvmode"),
        ("POST", "/device/maxpower"),
        ("POST", "/device/max_car_int"),
        ("POST", "/device/min_car_int"),
        ("POST", "/device/charger_until_energy"),
        ("POST", "/device/charger_until_minutes"),
        ("POST", "/device/startchargekw"),
        ("POST", "/device/startchargeminutes"),
        ("POST", "/device/timer"),
        ("POST", "/device/thirdparty_mode"),
        ("POST", "/device/inst_type"),
        ("POST", "/device/ocpp"),
        ("POST", "/device/ocpp_id"),
        ("POST", "/device/ocpp_addr"),
        ("POST", "/device/denka/max_power"),
        ("POST", "/device/inverter_ip"),
        ("POST", "/device/wifi"),
        ("POST", "/device/slave_type"),
        ("POST", "/device/language"),
        ("POST", "/device/logo_led"),
        ("POST", "/device/reboot"),
        ("POST", "/device/currentstatecharge"),
        ("GET", "/device/reported"),
        ("GET", "/device/connected"),
        ("GET", "/device/wifilist"),
        ("POST", "/device/rfid"),
        ("DELETE", "/device/rfid"),
        ("GET", "/device/rfid"),
        ("POST", "/device/rfid/tag"),
        ("PUT", "/device/rfid/tag"),
        ("POST", "/device/set_rfid"),
        ("GET", "/stadistic/device"),
        ("GET", "/stadistic/global/me"),
        ("POST", "/device/savepersonalicepower/v2"),
        ("POST", "/device/personalicepower/v2"),
        ("GET", "/device/personalicepower/v2"),
        ("DELETE", "/device/personalicepower/v2"),
        ("GET", "/device/personalicepower/all"),
        ("POST", "/device/update"),
        ("GET", "/version"),
        ("GET", "/pairings/me"),
    }
)
# The path V2C's newer spec gives the seed's POST /device/currentstatecharge.
NEWER_CURRENT_STATE = ("POST", "/thirdparty/device/currentstatecharge")
