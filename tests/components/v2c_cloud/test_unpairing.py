"""A charger leaves the entry only when two pairings reads agree it is gone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from custom_components.v2c_cloud.api import Pairing
from custom_components.v2c_cloud.unpairing import (
    UNPAIRING_CONFIRM_AFTER,
    UnpairingCheck,
)

NOW = datetime(2026, 3, 2, 18, tzinfo=UTC)
A = Pairing.from_json({"deviceId": "TRY1", "tag": "Garage"})
B = Pairing.from_json({"deviceId": "TRY2", "tag": "Street"})
BOTH = {"TRY1": A, "TRY2": B}


def test_one_read_without_a_charger_keeps_it_and_asks_again() -> None:
    check = UnpairingCheck()
    assert check.settle(BOTH, {"TRY1": A}, NOW) == BOTH
    assert not check.due(NOW + UNPAIRING_CONFIRM_AFTER - timedelta(seconds=1))
    assert check.due(NOW + UNPAIRING_CONFIRM_AFTER)


def test_a_second_read_without_it_confirms() -> None:
    check = UnpairingCheck()
    check.settle(BOTH, {"TRY1": A}, NOW)
    later = NOW + UNPAIRING_CONFIRM_AFTER
    assert check.settle(BOTH, {"TRY1": A}, later) == {"TRY1": A}
    assert not check.due(later + timedelta(days=1))


def test_a_read_too_soon_confirms_nothing() -> None:
    check = UnpairingCheck()
    check.settle(BOTH, {"TRY1": A}, NOW)
    soon = NOW + timedelta(minutes=1)
    assert check.settle(BOTH, {"TRY1": A}, soon) == BOTH
    assert check.confirm_at == soon + UNPAIRING_CONFIRM_AFTER


def test_a_charger_back_in_the_list_is_forgotten_as_missing() -> None:
    check = UnpairingCheck()
    check.settle(BOTH, {}, NOW)
    assert check.settle(BOTH, BOTH, NOW + UNPAIRING_CONFIRM_AFTER) == BOTH
    assert check.missing == frozenset()
    assert check.confirm_at is None


def test_only_chargers_missing_twice_go() -> None:
    """One missing from both reads goes; one missing only from the second waits."""
    check = UnpairingCheck()
    check.settle(BOTH, {"TRY2": B}, NOW)
    later = NOW + UNPAIRING_CONFIRM_AFTER
    assert check.settle(BOTH, {}, later) == {"TRY2": B}
    assert check.missing == frozenset({"TRY2"})


def test_a_device_the_setup_read_left_out_is_confirmed_by_the_next() -> None:
    """A charger known only from its device: kept as missing, then confirmed."""
    check = UnpairingCheck()
    check.suspect({"TRY2"}, NOW)
    check.suspect({"TRY2"}, NOW + timedelta(minutes=5))
    assert check.confirm_at == NOW + UNPAIRING_CONFIRM_AFTER
    assert check.settle({"TRY1": A}, {"TRY1": A}, NOW + timedelta(minutes=1)) == {
        "TRY1": A
    }
    assert check.missing == frozenset({"TRY2"})
    later = NOW + timedelta(minutes=1) + UNPAIRING_CONFIRM_AFTER
    assert check.settle({"TRY1": A}, {"TRY1": A}, later) == {"TRY1": A}
    assert check.missing == frozenset()


def test_a_suspect_back_in_the_list_is_simply_paired() -> None:
    check = UnpairingCheck()
    check.suspect({"TRY2"}, NOW)
    assert check.settle({"TRY1": A}, BOTH, NOW + UNPAIRING_CONFIRM_AFTER) == BOTH
    assert check.missing == frozenset()
