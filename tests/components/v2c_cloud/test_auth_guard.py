"""Tests for telling a revoked key from an outage's false 401s."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from custom_components.v2c_cloud.auth_guard import AuthGuard

START = datetime(2026, 3, 2, 12, tzinfo=UTC)


def _rejected_at(moments: list[timedelta]) -> AuthGuard:
    guard = AuthGuard()
    for moment in moments:
        guard.failure(START + moment)
    return guard


def test_a_rejection_is_confirmed_by_failures_over_minutes() -> None:
    guard = AuthGuard()
    assert not guard.failure(START)
    assert not guard.failure(START + timedelta(minutes=1))
    assert not guard.failure(START + timedelta(minutes=2))
    assert guard.failure(START + timedelta(minutes=5))


def test_a_rejected_key_is_tried_after_as_long_as_it_was_rejected() -> None:
    """A short incident heals in about its own length, a long one costs a few calls."""
    guard = _rejected_at([timedelta(0), timedelta(minutes=5)])
    probes = []
    moment = START + timedelta(minutes=5)
    while moment < START + timedelta(days=2):
        if guard.probe_due(moment):
            probes.append(moment - START)
        moment += timedelta(minutes=15)
    # Each wait is as long as the key had been rejected at the try before (at
    # least 15 min, at most 6 h), give or take the 15-min step of this loop.
    for earlier, later in pairwise(probes):
        wait = min(max(earlier, timedelta(minutes=15)), timedelta(hours=6))
        assert wait <= later - earlier < wait + timedelta(minutes=15)
    assert probes[:4] == [timedelta(minutes=minutes) for minutes in (5, 20, 50, 110)]
    # Two days of a rejected key: 12 calls, not one every 15 minutes.
    assert len(probes) == 12


def test_a_key_accepted_again_is_tried_at_once_if_rejected_anew() -> None:
    guard = _rejected_at([timedelta(0)])
    assert guard.probe_due(START + timedelta(hours=3))
    guard.success()
    guard.failure(START + timedelta(hours=3, minutes=1))
    assert guard.probe_due(START + timedelta(hours=3, minutes=2))


@pytest.mark.parametrize("probed", [None, START + timedelta(hours=1)])
def test_the_guard_is_saved_and_restored(probed: datetime | None) -> None:
    guard = AuthGuard(first_failure=START, failures=4, probed_at=probed)
    assert AuthGuard.from_dict(guard.to_dict()) == guard


def test_a_guard_saved_before_probes_were_noted_loads() -> None:
    saved = {"first_failure": START.isoformat(), "failures": 3}
    assert AuthGuard.from_dict(saved) == AuthGuard(first_failure=START, failures=3)


def test_a_naive_probe_time_is_refused() -> None:
    with pytest.raises(ValueError, match="probed_at"):
        AuthGuard.from_dict({"probed_at": "2026-03-02T11:00:00"})
