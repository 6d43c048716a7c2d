"""RFID cards (on the charger, so delayed like commands) and power profiles (in the cloud).

Replies: GET answers a JSON list or object; every change answers a bare "OK".
"""

from __future__ import annotations

from . import commands, render
from .operation import OK, Call, Operation, Reply
from .params import ApiError, Params
from .state import PowerProfile


def learn_card(call: Call) -> Reply:
    """Put the reader in learning mode: the next presented card gets this tag."""
    charger = call.charger()
    charger.submit(commands.learn_rfid(call.query.text("tag", max_length=64)))
    return OK


def delete_card(call: Call) -> Reply:
    """Remove a card from the whitelist."""
    charger = call.charger()
    code = call.query.text("code", max_length=64)
    if charger.state.card(code) is None:
        raise ApiError(404, "RFID card not found", parameter="code")
    charger.submit(commands.delete_rfid(code))
    return OK


def list_cards(call: Call) -> Reply:
    """Return the whitelist."""
    return Reply([render.rfid_card(card) for card in call.charger().state.rfid_cards])


def add_card(call: Call) -> Reply:
    """Whitelist a card by code."""
    charger = call.charger()
    code = call.query.text("code", max_length=64)
    tag = call.query.text("tag", max_length=64)
    if charger.state.card(code) is not None:
        raise ApiError(409, "RFID card already registered", parameter="code")
    charger.submit(commands.add_rfid(code, tag))
    return OK


def rename_card(call: Call) -> Reply:
    """Rename a whitelisted card."""
    charger = call.charger()
    code = call.query.text("code", max_length=64)
    tag = call.query.text("tag", max_length=64)
    if charger.state.card(code) is None:
        raise ApiError(404, "RFID card not found", parameter="code")
    charger.submit(commands.rename_rfid(code, tag))
    return OK


def _profile_body(call: Call) -> tuple[str, int]:
    """Read a profile's mode and value from the JSON body."""
    body: Params = call.json_body()
    # Unbounded in V2C's spec: the simulator takes what the client may send.
    return body.text("mode", max_length=32), body.integer("value", 0, 1_000_000)


def save_profile(call: Call) -> Reply:
    """Create a power profile."""
    state = call.charger().state
    name = call.query.text("name", max_length=64)
    update_at = call.query.timestamp("updateAt")
    mode, value = _profile_body(call)
    if state.profile(name) is not None:
        raise ApiError(409, "A profile with this name exists", parameter="name")
    state.profiles.append(PowerProfile(name, update_at, mode, value))
    return OK


def update_profile(call: Call) -> Reply:
    """Change a power profile's settings and timestamp."""
    state = call.charger("id").state
    name = call.query.text("name", max_length=64)
    update_at = call.query.timestamp("updateAt")
    mode, value = _profile_body(call)
    profile = state.profile(name)
    if profile is None:
        raise ApiError(404, "Profile not found", parameter="name")
    profile.update_at, profile.mode, profile.value = update_at, mode, value
    return OK


def get_profile(call: Call) -> Reply:
    """Return the profile saved with a timestamp."""
    state = call.charger().state
    update_at = call.query.timestamp("updateAt")
    profile = next((p for p in state.profiles if p.update_at == update_at), None)
    if profile is None:
        raise ApiError(404, "Profile not found", parameter="updateAt")
    return Reply(render.profile(profile))


def delete_profile(call: Call) -> Reply:
    """Delete the profile with a name and timestamp."""
    state = call.charger().state
    name = call.query.text("name", max_length=64)
    update_at = call.query.timestamp("updateAt")
    profile = state.profile(name)
    if profile is None or profile.update_at != update_at:
        raise ApiError(404, "Profile not found", parameter="name")
    state.profiles.remove(profile)
    return OK


def list_profiles(call: Call) -> Reply:
    """Return every profile of a charger."""
    return Reply([render.profile(p) for p in call.charger().state.profiles])


OPERATIONS: tuple[Operation, ...] = (
    Operation("POST", "/device/rfid", learn_card),
    Operation("DELETE", "/device/rfid", delete_card),
    Operation("GET", "/device/rfid", list_cards),
    Operation("POST", "/device/rfid/tag", add_card),
    Operation("PUT", "/device/rfid/tag", rename_card),
    Operation("POST", "/device/savepersonalicepower/v2", save_profile),
    Operation("POST", "/device/personalicepower/v2", update_profile),
    Operation("GET", "/device/personalicepower/v2", get_profile),
    Operation("DELETE", "/device/personalicepower/v2", delete_profile),
    Operation("GET", "/device/personalicepower/all", list_profiles),
)
