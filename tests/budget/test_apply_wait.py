"""Tests for learning how long a charger takes to apply a command."""

from __future__ import annotations

import pytest

from custom_components.v2c_cloud.budget.apply_wait import (
    DECAY,
    TRUST_AFTER,
    ApplyWait,
    apply_wait_from,
)

WINDOW_S = 90.0


def confirmations(apply_s: float, commands: int) -> list[int]:
    """Return the reads each command needs on a charger taking apply_s to apply it."""
    learned = ApplyWait()
    reads = []
    for _ in range(commands):
        # As the poller does: never sooner than the usual 15 s.
        if max(learned.wait_s, 15.0) >= apply_s:
            learned.found_on_time()
            reads.append(1)
        else:
            learned.found_late(WINDOW_S)
            reads.append(2)
    return reads


def test_a_charger_as_slow_as_the_window_is_read_twice_rarely() -> None:
    # Once to learn it is slow, once more when a tenth sooner is too early;
    # then that wait is avoided for a while, and tried again.
    reads = confirmations(85.0, 2 * TRUST_AFTER + 6)
    assert reads[:3] == [2, 1, 2]
    assert reads[3 : 3 + TRUST_AFTER] == [1] * TRUST_AFTER
    assert reads[3 + TRUST_AFTER] == 2
    assert sum(reads) <= len(reads) * 1.2


@pytest.mark.parametrize("apply_s", [0.0, 10.0, 30.0, 60.0, 75.0])
def test_a_charger_keeps_one_delay_costs_few_second_reads(apply_s: float) -> None:
    reads = confirmations(apply_s, 100)
    assert sum(reads) - len(reads) <= 12


def test_a_wait_that_came_too_early_is_tried_again_after_enough_finds() -> None:
    learned = ApplyWait(wait_s=81.0)
    learned.found_late(WINDOW_S)
    for _ in range(TRUST_AFTER - 1):
        learned.found_on_time()
    assert learned.wait_s == WINDOW_S
    learned.found_on_time()
    assert learned.wait_s == pytest.approx(WINDOW_S * DECAY)
    assert learned.too_early_s is None
    # A charger fast again from then on: a tenth sooner each time.
    learned.found_on_time()
    assert learned.wait_s == pytest.approx(WINDOW_S * DECAY**2)


def test_waits_longer_than_one_that_came_too_early_still_shorten() -> None:
    learned = ApplyWait(wait_s=40.0)
    learned.found_late(WINDOW_S)
    learned.found_on_time()
    learned.found_on_time()
    assert learned.wait_s == pytest.approx(WINDOW_S * DECAY**2)


@pytest.mark.parametrize(
    ("saved", "restored"),
    [
        (ApplyWait(81.0, 72.9, 3).as_dict(), ApplyWait(81.0, 72.9, 3)),
        (ApplyWait(81.0).as_dict(), ApplyWait(81.0)),
        # Saved as the wait alone, before too-early waits were kept.
        (81.0, ApplyWait(81.0)),
        # Damaged: learned again.
        ({"wait_s": "x", "too_early_s": -1, "on_time": -2}, ApplyWait(0.0, 0.0, 0)),
        ({"on_time": 2.5}, ApplyWait()),
        # JSON true is not a count.
        ({"wait_s": 81.0, "on_time": True}, ApplyWait(81.0)),
        ([], ApplyWait()),
        (True, ApplyWait()),
    ],
)
def test_a_saved_wait_is_read_back(saved: object, restored: ApplyWait) -> None:
    assert apply_wait_from(saved) == restored
