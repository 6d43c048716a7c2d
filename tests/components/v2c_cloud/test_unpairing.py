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


def test_a_refused_charger_a_list_leaves_out_is_gone_at_once() -> None:
    """Two signs: its reads refused, and a list naming the other charger only."""
    check = UnpairingCheck()
    check.read_refused("TRY2", NOW)
    assert check.due(NOW + UNPAIRING_CONFIRM_AFTER)
    assert check.settle(BOTH, {"TRY1": A}, NOW + UNPAIRING_CONFIRM_AFTER) == {"TRY1": A}
    assert (check.missing, check.refused, check.confirm_at) == (
        frozenset(),
        frozenset(),
        None,
    )


def test_an_empty_list_is_not_a_second_sign() -> None:
    """The cloud refusing reads and sending an empty list may be one bad minute."""
    check = UnpairingCheck()
    check.read_refused("TRY2", NOW)
    later = NOW + UNPAIRING_CONFIRM_AFTER
    assert check.settle(BOTH, {}, later) == BOTH
    assert check.settle(BOTH, {}, later + UNPAIRING_CONFIRM_AFTER) == {}


def test_a_charger_read_fine_again_is_no_longer_suspected() -> None:
    """A refused read, then good ones: a later bad list alone removes nothing."""
    check = UnpairingCheck()
    check.read_refused("TRY2", NOW)
    check.read_fine("TRY2")
    assert check.confirm_at is None
    later = NOW + timedelta(hours=2)
    assert check.settle(BOTH, {"TRY1": A}, later) == BOTH
    assert check.missing == frozenset({"TRY2"})


def test_a_listed_charger_the_cloud_keeps_refusing_costs_one_early_list() -> None:
    check = UnpairingCheck()
    check.read_refused("TRY2", NOW)
    assert check.settle(BOTH, BOTH, NOW + UNPAIRING_CONFIRM_AFTER) == BOTH
    check.read_refused("TRY2", NOW + timedelta(hours=1))
    assert check.confirm_at is None
    check.read_fine("TRY2")
    check.read_refused("TRY2", NOW + timedelta(hours=2))
    assert check.confirm_at == NOW + timedelta(hours=2) + UNPAIRING_CONFIRM_AFTER


def test_a_failed_early_list_leaves_the_rest_to_the_regular_check() -> None:
    check = UnpairingCheck()
    check.read_refused("TRY2", NOW)
    check.leave_to_the_regular_check()
    assert check.confirm_at is None
    check.read_refused("TRY2", NOW + timedelta(minutes=30))
    assert check.confirm_at is None
    # The regular check's list still counts the refusal as a sign.
    assert check.settle(BOTH, {"TRY1": A}, NOW + timedelta(hours=6)) == BOTH
    assert check.missing == frozenset({"TRY2"})


def test_a_refused_charger_a_list_was_read_since_is_no_sign_against_the_key() -> None:
    """The key read the account after the refusal: the charger's 403s are its own.

    Until the charger reads fine again, named by that list or not.
    """
    check = UnpairingCheck()
    check.read_refused("TRY1", NOW)
    check.read_refused("TRY2", NOW)
    assert check.listed_since == frozenset()
    check.settle(BOTH, {"TRY1": A}, NOW + timedelta(minutes=5))
    assert check.listed_since == frozenset({"TRY1", "TRY2"})
    check.read_fine("TRY1")
    assert check.listed_since == frozenset({"TRY2"})
    later = NOW + timedelta(minutes=5) + UNPAIRING_CONFIRM_AFTER
    assert check.settle(BOTH, {"TRY1": A}, later) == {"TRY1": A}
    assert check.listed_since == frozenset()
