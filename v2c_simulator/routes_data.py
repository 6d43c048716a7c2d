"""Read operations: live state, shadow, connectivity, firmware, pairings and statistics.

currentstatecharge answers POST on /device/currentstatecharge and
/thirdparty/device/currentstatecharge (newer spec) and GET on the former (the seed's
"GET queries" form). While a charger is offline, currentstatecharge and reported return
its last report and the Wi-Fi scan returns an empty list.
"""

from __future__ import annotations

from datetime import date

from . import render
from .operation import Call, Operation, Reply
from .params import ApiError
from .state import Model, Session
from .templates import Json

LAST_SESSIONS = 5


def current_state(call: Call) -> Reply:
    """Return the live charging data."""
    body = render.current_state(call.charger().visible_state(), call.sim.wire)
    return Reply(call.sim.apply_overrides("currentstatecharge", body))


def reported(call: Call) -> Reply:
    """Return the device shadow."""
    world = call.sim.world
    body = render.reported(
        call.charger().visible_state(), world.wire, fb_limits=world.fb_limits
    )
    return Reply(call.sim.apply_overrides("reported", body))


def connected(call: Call) -> Reply:
    """Return a bare true/false."""
    return Reply(call.charger().connected())


def wifi_list(call: Call) -> Reply:
    """Return the networks the charger can see."""
    charger = call.charger("id")
    if not charger.connected():
        return Reply([])
    return Reply(render.wifi_list(charger.state))


def version(call: Call) -> Reply:
    """Return the firmware version: an object on Trydan, a bare string on Pole."""
    charger = call.charger()
    state = charger.state
    if charger.model is Model.POLE:
        return Reply(state.version)
    return Reply({"versionId": state.version})


def pairings(call: Call) -> Reply:
    """Return the account's chargers, and pairings left behind by gone ones."""
    listed: list[Json] = [
        {
            "id": charger.state.pairing_id,
            "deviceId": charger.device_id,
            "tag": charger.tag,
            "model": charger.model.value,
        }
        for charger in call.account.chargers
    ]
    listed += [
        {"id": f"stale-{device_id}", "deviceId": device_id, "tag": tag}
        for device_id, tag in call.account.stale_pairings.items()
    ]
    return Reply(listed)


def _between(day: date, start: date | None, end: date | None) -> bool:
    """Return whether a day falls in an optional inclusive range."""
    return (start is None or day >= start) and (end is None or day <= end)


def _newest_first(sessions: list[Session]) -> list[Session]:
    """Return sessions sorted from the most recent."""
    return sorted(sessions, key=lambda session: session.start, reverse=True)


def device_statistics(call: Call) -> Reply:
    """Return a charger's last five sessions, or those started in a date range.

    With `sessions_capped` a date range gets the last five of its sessions.
    """
    charger = call.charger()
    start = call.query.optional_date("chargeDateStart")
    end = call.query.optional_date("chargeDateEnd")
    sessions = _newest_first(charger.state.sessions)
    dated = start is not None or end is not None
    if dated:
        sessions = [s for s in sessions if _between(s.start.date(), start, end)]
    if not dated or call.sim.sessions_capped:
        sessions = sessions[:LAST_SESSIONS]
    return Reply([render.statistic(session) for session in sessions])


def global_statistics(call: Call) -> Reply:
    """Return the account's totals for sessions that ended in a date range."""
    start = call.query.optional_date("endChargeDateStart")
    end = call.query.optional_date("endChargeDateEnd")
    if start is not None and end is not None and start > end:
        raise ApiError(
            400,
            "endChargeDateStart is after endChargeDateEnd",
            parameter="endChargeDateStart",
        )
    sessions = [
        session
        for charger in call.account.chargers
        for session in charger.state.sessions
        if _between(session.end.date(), start, end)
    ]
    return Reply(render.global_statistic(sessions))


OPERATIONS: tuple[Operation, ...] = (
    Operation("POST", "/device/currentstatecharge", current_state),
    Operation("POST", "/thirdparty/device/currentstatecharge", current_state),
    Operation("GET", "/device/currentstatecharge", current_state),
    Operation("GET", "/device/reported", reported),
    Operation("GET", "/device/connected", connected),
    Operation("GET", "/device/wifilist", wifi_list),
    Operation("GET", "/version", version),
    Operation("GET", "/pairings/me", pairings),
    Operation("GET", "/stadistic/device", device_statistics),
    Operation("GET", "/stadistic/global/me", global_statistics),
)
