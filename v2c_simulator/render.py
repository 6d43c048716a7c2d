"""Wire shapes of the V2C Cloud: Trydan sends strings, Pole sends numbers."""

from __future__ import annotations

from datetime import datetime, timedelta
import json

from .state import ChargerState, Model, PowerProfile, RfidCard, Session, Wire
from .templates import Json, wire_fixture

PRICE_PER_KWH = 0.15
CO2_PER_KWH = 0.31
POLE_LACKS = frozenset(
    {
        "fv_mode",
        "inverter_ip",
        "slave_type",
        "dynamic",
        "contract_power",
        "denka_max_power",
    }
)
NEIGHBOUR_NETWORKS = (
    ("Vodafone-8F21", -71, "WPA2_PSK"),
    ("MOVISTAR_4C1A", -79, "WPA_WPA2_PSK"),
    ("Guest", -86, "OPEN"),
)


def _fixed(value: float) -> str:
    """Format a float the way Trydan does."""
    return f"{value:.6f}"


def current_state(state: ChargerState, wire: Wire = Wire.DOCUMENT) -> dict[str, Json]:
    """Return the body of currentstatecharge."""
    if state.model is Model.POLE:
        return {
            "seconds": int(state.session_seconds),
            "photovoltaic_on": 0,
            "charge_state": str(state.charge_state),
            "power": round(state.power_kw, 3),
            "error": "" if state.error_code == 0 else str(state.error_code),
            "energy": round(state.session_energy_kwh, 3),
        }
    if wire is Wire.TRYDAN_2_4_6:
        return _real_current_state(state)
    return {
        "error": str(state.error_code),
        "battery": _fixed(0.0),
        "voltage": f"{state.voltage:.2f}",
        "intensity": str(state.current_a),
        "seconds": str(int(state.session_seconds)),
        "photovoltaic_on": str(int(state.photovoltaic_on)),
        "house_power": _fixed(state.house_power_kw),
        "charge_state": str(state.charge_state),
        "power": _fixed(state.power_kw),
        "sun_power": _fixed(state.sun_power_kw),
        "phases": str(state.phases),
        "cp_level": _fixed(state.mains_voltage),
        "energy": _fixed(state.session_energy_kwh),
    }


def _real_current_state(state: ChargerState) -> dict[str, Json]:
    """Answer as firmware 2.4.6 does: keys the template has, live values filled in.

    `cp_level` is the mains voltage, `voltage` a small pilot signal, and `phases`
    is "0" while no current flows (the charger does not know them then).
    """
    body = wire_fixture("trydan-2.4.6-currentstatecharge")
    body.update(
        {
            "seconds": str(int(state.session_seconds)),
            "error": str(state.error_code),
            "voltage": _fixed(state.pilot_signal),
            "phases": str(state.phases) if state.current_a else "0",
            "battery": _fixed(0.0),
            "intensity": str(state.current_a),
            "energy": _fixed(state.session_energy_kwh),
            "power": _fixed(state.power_kw),
            "house_power": _fixed(state.house_power_kw),
            "sun_power": _fixed(state.sun_power_kw),
            "grid_power": _fixed(state.house_power_kw - state.sun_power_kw),
            "photovoltaic_on": str(int(state.photovoltaic_on)),
            "cp_level": _fixed(state.mains_voltage),
            "charge_state": str(state.charge_state),
        }
    )
    return body


def timers_document(state: ChargerState) -> str:
    """Return the timers as the JSON document `reported` carries in a string."""
    return json.dumps(
        [
            {
                "timerId": timer.timer_id,
                "timeStart": timer.time_start,
                "timeEnd": timer.time_end,
                "daysOfWeek": timer.days_of_week,
            }
            for timer in sorted(state.timers.values(), key=lambda timer: timer.timer_id)
        ]
    )


def reported(
    state: ChargerState, wire: Wire = Wire.DOCUMENT, *, fb_limits: bool = False
) -> dict[str, Json]:
    """Return the device shadow: strings on Trydan, numbers where numeric on Pole.

    `light_led` is a brightness fraction and `contract_power` counts 100 W units on
    every shape: the document shows neither, a real charger sends them so.
    """
    numbers: dict[str, int | float] = {
        "min_car_int": state.min_car_int,
        "max_car_int": state.max_car_int,
        "intensity": state.intensity,
        "locked": int(state.locked),
        "pause": int(state.paused),
        "dynamic": int(state.dynamic),
        "charge_state": state.charge_state,
        "light_led": state.led_brightness,
        "logo_led": int(state.logo_led),
        "rfid": int(state.rfid_reader),
        "contract_power": state.contract_power / 100,
        "inst_type": state.inst_type,
        "slave_type": state.slave_type,
        "fv_mode": state.pv_mode,
        "language": state.language,
        "ocpp": int(state.ocpp),
        "denka_max_power": state.denka_max_power,
        "max_power": state.max_power,
        "charge_until_energy": state.charge_until_energy,
        "charge_until_minutes": state.charge_until_minutes,
        "thirdparty_mode": state.thirdparty_mode,
        "sleep_mode": 0,
    }
    texts: dict[str, str] = {
        "device_id": state.device_id,
        "version": state.version,
        "mac": state.mac,
        "wifi_info": json.dumps(
            {"ssid": state.wifi_ssid, "rssi": state.wifi_rssi, "ip": state.ip}
        ),
        "ocpp_id": state.ocpp_id,
        "ocpp_addr": state.ocpp_addr,
        "inverter_ip": state.inverter_ip,
        "timers": timers_document(state),
        "hw_revision": "C",
    }
    body: dict[str, Json] = {}
    if state.model is Model.POLE:
        body.update(texts)
        body.update(numbers)
        body["light_led"] = int(state.led_brightness > 0)
        return {key: value for key, value in body.items() if key not in POLE_LACKS}
    if wire is Wire.TRYDAN_2_4_6:
        return _real_reported(state, texts, numbers, fb_limits=fb_limits)
    body.update(texts)
    body.update({key: _trydan_number(value) for key, value in numbers.items()})
    return body


def _real_reported(
    state: ChargerState,
    texts: dict[str, str],
    numbers: dict[str, int | float],
    *,
    fb_limits: bool,
) -> dict[str, Json]:
    """Answer as firmware 2.4.6 does, on the template's undocumented keys."""
    body = wire_fixture("trydan-2.4.6-reported")
    for key in ("min_car_int", "max_car_int", "min_car_int_fb", "max_car_int_fb"):
        body.pop(key, None)
    template_wifi = json.loads(str(body.get("wifi_info", "{}")))
    body.update(texts)
    body.update({key: _trydan_number(value) for key, value in numbers.items()})
    body["deviceId"] = state.device_id
    body["light_led"] = _fixed(state.led_brightness)
    body["wifi_info"] = json.dumps(
        {
            "ssid": state.wifi_ssid,
            "ip": state.ip,
            "static_mode": template_wifi.get("static_mode", "0"),
            "status": template_wifi.get("status", "3"),
        }
    )
    if fb_limits:
        body["min_car_int_fb"] = body.pop("min_car_int")
        body["max_car_int_fb"] = body.pop("max_car_int")
    return body


def _trydan_number(value: float) -> str:
    """Format a number as Trydan's shadow does (no trailing .0 for integers)."""
    return str(int(value)) if float(value).is_integer() else str(value)


def wifi_list(state: ChargerState) -> list[Json]:
    """Return the networks the charger sees, strongest first."""
    networks = [(state.wifi_ssid, state.wifi_rssi, "WPA2_PSK")]
    networks += [net for net in NEIGHBOUR_NETWORKS if net[0] != state.wifi_ssid]
    return [
        {"ssid": ssid, "rssi": rssi, "encryption": encryption}
        for ssid, rssi, encryption in sorted(networks, key=lambda net: -net[1])
    ]


def signal_of(ssid: str) -> int:
    """Return the signal the charger would have on a network it can see."""
    return next((rssi for name, rssi, _ in NEIGHBOUR_NETWORKS if name == ssid), -65)


def rfid_card(card: RfidCard) -> dict[str, Json]:
    """Return one whitelisted card."""
    return {"code": card.code, "tag": card.tag}


def profile(item: PowerProfile) -> dict[str, Json]:
    """Return one advanced power profile."""
    return {
        "name": item.name,
        "updateAt": item.update_at,
        "mode": item.mode,
        "value": item.value,
    }


def _cloud_time(moment: datetime) -> str:
    """Format a record timestamp as the cloud does."""
    return (
        moment.strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{moment.microsecond // 1000:03d}+00:00"
    )


def _hours(values: list[float]) -> str:
    """Format hourly energies as a pipe-separated string."""
    return "|".join(f"{value:.2f}" for value in values)


def statistic(session: Session) -> dict[str, Json]:
    """Return one Statistic object of /stadistic/device."""
    fv = session.energy_by_hour_fv
    fv_kwh = sum(fv) if fv is not None else 0.0
    return {
        "id": session.statistic_id,
        "deviceId": session.device_id,
        "startChargeDate": session.start.strftime("%Y-%m-%dT%H:%M:%S"),
        "endChargeDate": session.end.strftime("%Y-%m-%dT%H:%M:%S"),
        "idCharge": session.start.strftime("%Y-%m-%d %H:%M:%S"),
        "energy": round(session.energy_kwh, 2),
        "cost": round((session.energy_kwh - fv_kwh) * PRICE_PER_KWH, 2),
        "coCost": round(session.energy_kwh * CO2_PER_KWH, 3),
        "costFv": round(fv_kwh * PRICE_PER_KWH, 2),
        "energyByHour": _hours(session.energy_by_hour),
        "energyByHourFv": None if fv is None else _hours(fv),
        "rfidCode": session.rfid.code if session.rfid else "",
        "rfidName": session.rfid.tag if session.rfid else "",
        "message": None,
        "warning": False,
        "finished": True,
        "createdAt": _cloud_time(session.start + timedelta(seconds=5)),
        "updatedAt": _cloud_time(session.end + timedelta(seconds=2)),
    }


def global_statistic(sessions: list[Session]) -> list[Json]:
    """Return the account totals of /stadistic/global/me."""
    total = sum(session.energy_kwh for session in sessions)
    return [{"totalEnergy": round(total, 2), "totalCharges": len(sessions)}]
