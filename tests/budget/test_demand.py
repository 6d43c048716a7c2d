"""What each charger likely, and possibly, needs read before the reset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.v2c_cloud.budget.demand import demand_of
from custom_components.v2c_cloud.budget.models import ChargerActivity
from custom_components.v2c_cloud.budget.state import ChargerState, Window

RESET = datetime(2026, 3, 3, tzinfo=UTC)
NOW = RESET - timedelta(hours=12)
HORIZON_S = 12 * 3600.0
HOUR_S = 3600.0


def _charging(
    since: datetime, length_s: float = 4 * HOUR_S, days: int = 0, longest_s: float = 0.0
) -> ChargerState:
    return ChargerState(
        activity=ChargerActivity.CHARGING,
        since=since,
        length_ewma_s=length_s,
        charge_days=days,
        charge_longest_s=longest_s,
    )


def _window() -> Window:
    return Window(start=RESET - timedelta(days=1), since=RESET - timedelta(days=1))


def test_until_charges_are_learned_a_running_one_may_last_until_the_reset() -> None:
    charger = _charging(NOW - timedelta(hours=1))
    demand = demand_of("d", charger, _window(), NOW, HORIZON_S)
    # The default four-hour charge has three hours left; the rest of the
    # window stays fundable at the baseline, none of it as the slow tail.
    assert demand.expected_charge_s == pytest.approx(3 * HOUR_S)
    assert demand.guard_s == pytest.approx(9 * HOUR_S)
    assert demand.tail_s == 0.0
    assert demand.quietness_after


def _learned_charge_running_for(hours: float) -> ChargerState:
    """Return a charger that learned 2-hour charges, the longest lately 3 hours."""
    return _charging(
        NOW - timedelta(hours=hours), length_s=2 * HOUR_S, days=5, longest_s=3 * HOUR_S
    )


def test_a_learned_charge_keeps_its_longest_day_fundable_and_the_rest_slow() -> None:
    demand = demand_of("d", _learned_charge_running_for(1), _window(), NOW, HORIZON_S)
    assert demand.expected_charge_s == pytest.approx(1 * HOUR_S)
    # The longest day plus 10 %, 3.3 h, less the hour charged and the hour
    # expected; the rest of the window is the tail.
    assert demand.guard_s == pytest.approx(1.3 * HOUR_S)
    assert demand.tail_s == pytest.approx(HORIZON_S - 2.3 * HOUR_S)


def test_a_charge_after_a_week_away_is_priced_as_one_not_learned() -> None:
    """A car back from a holiday may need far more than its usual charge.

    Held-out set #46: a commuter charging 1.5-4 h came back after three weeks
    with a 10-h charge; priced at its longest day, the rest read at the slow
    tail, it was at 1.29x a fixed interval. After a week without a charge
    the whole rest of the window stays fundable at the baseline.
    """
    charger = _learned_charge_running_for(1)
    charger.days_without_charge = 7
    demand = demand_of("d", charger, _window(), NOW, HORIZON_S)
    assert demand.expected_charge_s == pytest.approx(1 * HOUR_S)
    assert demand.guard_s == pytest.approx(HORIZON_S - 1 * HOUR_S)
    assert demand.tail_s == 0.0
    # Six days away is a weekly habit: the learned length holds.
    charger.days_without_charge = 6
    assert demand_of("d", charger, _window(), NOW, HORIZON_S).tail_s > 0


def test_a_charge_past_anything_learned_is_planned_until_the_reset() -> None:
    demand = demand_of("d", _learned_charge_running_for(5), _window(), NOW, HORIZON_S)
    assert demand.expected_charge_s == HORIZON_S
    assert demand.guard_s == demand.tail_s == 0.0


def test_an_empty_charger_is_watched_for_arrivals_not_priced_as_a_charge() -> None:
    charger = ChargerState(activity=ChargerActivity.OFFLINE, since=NOW, charge_days=0)
    charger.offline_since = NOW - timedelta(minutes=10)
    demand = demand_of("d", charger, _window(), NOW, HORIZON_S)
    assert demand.first_car_awaited
    assert demand.offline_s == pytest.approx(600.0)
    assert demand.quietness_after == ()
    # Its day's average may still come: a charge can start once a car arrives.
    assert demand.possible_charge_s >= 2 * HOUR_S


@pytest.mark.parametrize(
    ("watched_for", "arrived", "awaited"),
    [
        (None, False, True),
        (timedelta(hours=23), False, True),
        (timedelta(hours=24), False, False),
        (timedelta(hours=1), True, False),
    ],
)
def test_a_first_car_is_awaited_closely_only_on_the_chargers_first_day(
    *, watched_for: timedelta | None, arrived: bool, awaited: bool
) -> None:
    """After a whole day without a car, nothing sets the charger apart any more."""
    charger = ChargerState(
        activity=ChargerActivity.IDLE,
        since=NOW,
        watched_since=None if watched_for is None else NOW - watched_for,
    )
    if arrived:
        charger.arrivals[3] = 1.0
    demand = demand_of("d", charger, _window(), NOW, HORIZON_S)
    assert demand.first_car_awaited is awaited
