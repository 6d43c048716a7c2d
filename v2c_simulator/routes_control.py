"""Command operations (POST): each is acknowledged at once and applied by the charger later.

Replies, mirroring the mix the real service sends:
- {"message": "Command executed successfully"}: every row of SETTINGS (intensity, locked,
  dynamic, chargefvmode, maxpower, max_car_int, min_car_int, charger_until_energy,
  charger_until_minutes, inst_type, ocpp, ocpp_id, ocpp_addr, denka/max_power, inverter_ip,
  slave_type, language, logo_led, set_rfid), thirdparty_mode and timer.
- empty 200 body: startcharge, pausecharge, startchargekw, startchargeminutes, wifi, reboot, update.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import commands
from .commands import Action
from .operation import EMPTY, MESSAGE, Call, Operation, Reply
from .params import Params, invalid
from .render import signal_of
from .state import Timer
from .timers import parse_hhmm


@dataclass(frozen=True)
class Setting:
    """A command that stores one validated value."""

    path: str
    read: Callable[[Params], object]
    action: Callable[[object], Action]
    device_param: str = "deviceId"

    def handle(self, call: Call) -> Reply:
        """Validate, queue the change and acknowledge."""
        charger = call.charger(self.device_param)
        charger.submit(self.action(self.read(call.query)))
        return MESSAGE


def _field(*names: str) -> Callable[[object], Action]:
    """Return a factory of actions that store a value in state fields."""
    return lambda value: commands.set_fields(names, value)


def _integer(low: int, high: int) -> Callable[[Params], object]:
    """Return a reader of an integer `value`."""
    return lambda params: params.integer("value", low, high)


def _text(max_length: int) -> Callable[[Params], object]:
    """Return a reader of a string `value`."""
    return lambda params: params.text("value", max_length=max_length)


def _flag(params: Params) -> object:
    """Read a 0/1 `value`."""
    return params.flag("value")


SETTINGS: tuple[Setting, ...] = (
    Setting("/device/intensity", _integer(0, 32), _field("intensity")),
    Setting("/device/locked", _flag, _field("locked")),
    Setting("/device/dynamic", _flag, _field("dynamic")),
    Setting("/device/chargefvmode", _integer(0, 2), _field("pv_mode")),
    Setting(
        "/device/maxpower", _integer(0, 100_000), _field("max_power", "contract_power")
    ),
    Setting("/device/max_car_int", _integer(6, 32), _field("max_car_int")),
    Setting("/device/min_car_int", _integer(6, 32), _field("min_car_int")),
    Setting(
        "/device/charger_until_energy",
        lambda params: params.number("value", 0, 200),
        _field("charge_until_energy"),
    ),
    Setting(
        "/device/charger_until_minutes",
        _integer(0, 1440),
        _field("charge_until_minutes"),
    ),
    Setting("/device/inst_type", _integer(0, 2), _field("inst_type")),
    Setting("/device/ocpp", _flag, _field("ocpp"), "id"),
    Setting("/device/ocpp_id", _text(64), _field("ocpp_id"), "id"),
    Setting("/device/ocpp_addr", _text(256), _field("ocpp_addr"), "id"),
    Setting("/device/denka/max_power", _integer(0, 100_000), _field("denka_max_power")),
    Setting(
        "/device/inverter_ip",
        lambda params: params.ip("value"),
        _field("inverter_ip"),
        "id",
    ),
    Setting("/device/slave_type", _integer(0, 20), _field("slave_type")),
    Setting("/device/language", _integer(0, 9), _field("language")),
    Setting("/device/logo_led", _flag, _field("logo_led")),
    Setting("/device/set_rfid", _flag, _field("rfid_reader")),
)


def start_charge(call: Call) -> Reply:
    """Start or resume charging."""
    call.charger().submit(commands.start_charge)
    return EMPTY


def pause_charge(call: Call) -> Reply:
    """Pause charging."""
    call.charger().submit(commands.pause_charge)
    return EMPTY


def start_charge_kw(call: Call) -> Reply:
    """Charge a given energy (kWh), then stop."""
    charger = call.charger()
    charger.submit(commands.start_for_energy(call.query.number("kw", 0.001, 200)))
    return EMPTY


def start_charge_minutes(call: Call) -> Reply:
    """Charge a given number of minutes, then stop."""
    charger = call.charger()
    charger.submit(commands.start_for_minutes(call.query.integer("minutes", 1, 1440)))
    return EMPTY


def _hhmm(params: Params, name: str) -> str:
    """Read a "HH:MM" time and normalise it."""
    value = params.text(name, max_length=8)
    try:
        return parse_hhmm(value).strftime("%H:%M")
    except ValueError:
        raise invalid(name, "a time HH:MM") from None


def _days(params: Params) -> str:
    """Read daysOfWeek: distinct digits 1-7 (empty disables the timer)."""
    value = params.get("daysOfWeek")
    if not isinstance(value, str) or not set(value) <= set("1234567"):
        raise invalid("daysOfWeek", "digits 1-7 (1 = Monday)")
    return "".join(sorted(set(value)))


def program_timer(call: Call) -> Reply:
    """Program a timer: newer body {timeStart, timeEnd, daysOfWeek}, or the seed's."""
    charger = call.charger()
    name = (
        "timer id"
        if call.query.has("timer id") and not call.query.has("timerId")
        else "timerId"
    )
    timer_id = call.query.integer(name, 1, 32)
    body = call.json_body()
    if body.has("timeStart") or not body.has("start_time"):
        timer = Timer(
            timer_id, _hhmm(body, "timeStart"), _hhmm(body, "timeEnd"), _days(body)
        )
    else:
        active = body.get("active")
        if not isinstance(active, bool):
            raise invalid("active", "true or false")
        days = "1234567" if active else ""
        timer = Timer(
            timer_id, _hhmm(body, "start_time"), _hhmm(body, "end_time"), days
        )
    charger.submit(commands.program_timer(timer))
    return MESSAGE


def thirdparty_mode(call: Call) -> Reply:
    """Set the legacy third-party control mode."""
    charger = call.charger()
    # Neither document bounds these: the simulator takes what the client may send.
    mode = call.query.integer("mode", 0, 255)
    value = call.query.integer("value", 0, 1)
    charger.submit(commands.set_thirdparty_mode(mode, value))
    return MESSAGE


def wifi(call: Call) -> Reply:
    """Join another Wi-Fi network."""
    charger = call.charger()
    ssid = call.query.text("ssid", max_length=32)
    # 8-63 characters, or WPA's raw key of 64 hex digits.
    password = call.query.text("password", max_length=64)
    charger.submit(commands.set_wifi(ssid, len(password), signal_of(ssid)))
    return EMPTY


def reboot(call: Call) -> Reply:
    """Reboot the charger."""
    call.charger().reboot()
    return EMPTY


def update(call: Call) -> Reply:
    """Install the latest firmware."""
    call.charger().start_update()
    return EMPTY


OPERATIONS: tuple[Operation, ...] = (
    *(Operation("POST", setting.path, setting.handle) for setting in SETTINGS),
    Operation("POST", "/device/startcharge", start_charge),
    Operation("POST", "/device/pausecharge", pause_charge),
    Operation("POST", "/device/startchargekw", start_charge_kw),
    Operation("POST", "/device/startchargeminutes", start_charge_minutes),
    Operation("POST", "/device/timer", program_timer),
    Operation("POST", "/device/thirdparty_mode", thirdparty_mode),
    Operation("POST", "/device/wifi", wifi),
    Operation("POST", "/device/reboot", reboot),
    Operation("POST", "/device/update", update),
)
