"""State changes that commands cause once they reach the charger."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import datetime

from .state import ChargerState, RfidCard, Timer

type Action = Callable[[ChargerState, datetime], None]

SETTABLE = frozenset(field.name for field in fields(ChargerState))


def set_fields(names: tuple[str, ...], value: object) -> Action:
    """Return an action that stores a setting in one or more state fields."""
    if unknown := set(names) - SETTABLE:
        raise AttributeError(", ".join(sorted(unknown)))

    def apply(state: ChargerState, _moment: datetime) -> None:
        for name in names:
            setattr(state, name, value)

    return apply


def start_charge(state: ChargerState, _moment: datetime) -> None:
    """Resume charging: clear the pause and any reached one-off target."""
    state.paused = False
    state.session_stopped = False
    state.session_stop_energy_kwh = None
    state.session_stop_charging_seconds = None


def pause_charge(state: ChargerState, _moment: datetime) -> None:
    """Pause charging."""
    state.paused = True


def start_for_energy(kwh: float) -> Action:
    """Return an action that charges this much more energy, then stops."""

    def apply(state: ChargerState, moment: datetime) -> None:
        start_charge(state, moment)
        state.session_stop_energy_kwh = state.session_energy_kwh + kwh

    return apply


def start_for_minutes(minutes: int) -> Action:
    """Return an action that charges this many more minutes, then stops."""

    def apply(state: ChargerState, moment: datetime) -> None:
        start_charge(state, moment)
        state.session_stop_charging_seconds = state.charging_seconds + minutes * 60

    return apply


def program_timer(timer: Timer) -> Action:
    """Return an action that creates or replaces a timer."""

    def apply(state: ChargerState, _moment: datetime) -> None:
        state.timers[timer.timer_id] = timer

    return apply


def set_thirdparty_mode(mode: int, value: int) -> Action:
    """Return an action for the legacy third-party control mode."""

    def apply(state: ChargerState, _moment: datetime) -> None:
        state.thirdparty_mode_kind = mode
        state.thirdparty_mode = value

    return apply


def set_wifi(ssid: str, password_length: int, rssi: int) -> Action:
    """Return an action that joins another network (only the password length is kept)."""

    def apply(state: ChargerState, _moment: datetime) -> None:
        state.wifi_ssid = ssid
        state.wifi_password_length = password_length
        state.wifi_rssi = rssi

    return apply


def learn_rfid(tag: str) -> Action:
    """Return an action that registers the next presented card under a tag."""

    def apply(state: ChargerState, _moment: datetime) -> None:
        state.rfid_learning_tag = tag

    return apply


def add_rfid(code: str, tag: str) -> Action:
    """Return an action that whitelists a card."""

    def apply(state: ChargerState, _moment: datetime) -> None:
        if state.card(code) is None:
            state.rfid_cards.append(RfidCard(code, tag))

    return apply


def rename_rfid(code: str, tag: str) -> Action:
    """Return an action that renames a whitelisted card."""

    def apply(state: ChargerState, _moment: datetime) -> None:
        if (card := state.card(code)) is not None:
            card.tag = tag

    return apply


def delete_rfid(code: str) -> Action:
    """Return an action that removes a card from the whitelist."""

    def apply(state: ChargerState, _moment: datetime) -> None:
        state.rfid_cards = [card for card in state.rfid_cards if card.code != code]

    return apply
