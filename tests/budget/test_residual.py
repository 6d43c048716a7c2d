"""Tests for the expected rest of a charging day that has lasted a while."""

from __future__ import annotations

import math

import pytest

from custom_components.v2c_cloud.budget.residual import mean_residual

HOUR = 3600.0


def test_a_fresh_day_is_planned_for_its_average() -> None:
    assert mean_residual(4 * HOUR, 0.5 * HOUR, 0.0) == pytest.approx(4 * HOUR)
    assert mean_residual(4 * HOUR, 0.5 * HOUR, HOUR) == pytest.approx(3 * HOUR)


def test_an_overdue_day_keeps_a_shrinking_share_of_its_spread() -> None:
    spread = 0.5 * HOUR
    at_mean = mean_residual(4 * HOUR, spread, 4 * HOUR)
    # The mean residual life of a normal law at its mean: sqrt(2 / pi) spreads.
    assert at_mean == pytest.approx(spread * math.sqrt(2 / math.pi))
    later = [mean_residual(4 * HOUR, spread, 4 * HOUR + k * spread) for k in (1, 2, 4)]
    assert at_mean > later[0] > later[1] > later[2] > 0


def test_far_in_the_tail_the_rest_stays_positive_and_continuous() -> None:
    spread = 600.0
    just_inside = mean_residual(0.0, spread, 7.999 * spread)
    just_outside = mean_residual(0.0, spread, 8.001 * spread)
    assert just_outside == pytest.approx(just_inside, rel=1e-2)
    assert mean_residual(0.0, spread, 1e9) > 0


def test_a_day_without_spread_ends_at_its_average() -> None:
    assert mean_residual(2 * HOUR, 0.0, HOUR) == HOUR
    assert mean_residual(2 * HOUR, 0.0, 3 * HOUR) == 0.0
