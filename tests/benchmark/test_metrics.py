"""The benchmark's figures: data age from what it describes, detection delays, windows."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
from typing import Any, cast

import pytest

from benchmark import runner
from benchmark.__main__ import (
    COLUMNS,
    FILE_STRATEGIES,
    RATIO_KEY,
    case_of,
    render,
    strategies_for,
)
from benchmark.metrics import (
    NOTHING_READ_AGE_S,
    AgeFloor,
    RunMetrics,
    StalenessHistogram,
)
from benchmark.runner import (
    FIXED_LEFT,
    TRUTH_STEP,
    _follow_charge,
    _Watch,
    make_strategy,
    run,
)
from benchmark.scenario_file import parse
from benchmark.strategies import FixedStrategy
from custom_components.v2c_cloud.api import ChargeState, CurrentState, V2CClient
from custom_components.v2c_cloud.data import ChargerData
from v2c_simulator import Simulator

T0 = datetime(2026, 3, 2, 18, tzinfo=UTC)


def data(
    state: ChargeState | None, read_at: datetime | None, **extra: object
) -> ChargerData:
    current = (
        None
        if state is None
        else CurrentState.from_dict({"charge_state": str(int(state))})
    )
    return ChargerData(device_id="d", state=current, state_at=read_at, **extra)  # type: ignore[arg-type]


def test_age_counts_from_the_moment_the_data_describes() -> None:
    histogram = StalenessHistogram()
    histogram.add_span(T0, T0 + timedelta(seconds=4), T0 - timedelta(seconds=10))
    assert histogram.mean() == 12.0
    # A read between whole seconds is aged from that moment, not its second.
    histogram.add_span(
        T0 + timedelta(seconds=4),
        T0 + timedelta(seconds=6),
        T0 + timedelta(seconds=3.75),
    )
    assert histogram.mean() == pytest.approx((4 * 12.0 + 2 * 1.25) / 6)
    histogram.add_span(T0, T0 + timedelta(seconds=2), None)
    assert histogram.percentile(1.0) == NOTHING_READ_AGE_S
    assert StalenessHistogram().mean() == StalenessHistogram().percentile(0.5) == 0.0


def test_the_age_floor_spreads_a_window_s_reads_over_every_charge_in_it() -> None:
    floor = AgeFloor(reads_per_window=100)
    assert floor.mean() == 0.0
    window = T0 + timedelta(days=1)
    # One charger charging an hour on 100 reads: one every 36 s, 18 s old on average.
    floor.add_span(window, T0, T0 + timedelta(hours=1), None)
    assert floor.mean() == pytest.approx(18.0)
    # A second charger's hour in the same window shares the reads: twice the age.
    floor.add_span(window, T0, T0 + timedelta(hours=1), None)
    assert floor.mean() == pytest.approx(36.0)
    # The next window brings its own reads.
    next_window = window + timedelta(days=1)
    floor.add_span(next_window, window, window + timedelta(hours=2), None)
    assert floor.mean() == pytest.approx(36.0)


def test_the_age_floor_ages_an_outage_from_its_start_whoever_reads() -> None:
    floor = AgeFloor(reads_per_window=100)
    silent = T0 - timedelta(seconds=100)
    floor.add_span(T0, T0, T0 + timedelta(seconds=200), silent)
    # Ages 100..300 s across the span: 200 on average, no read helps.
    assert floor.mean() == pytest.approx(200.0)
    floor.add_span(T0, T0, T0, None)
    assert floor.charging_s == 200


def test_a_charge_start_counts_until_ha_shows_it_from_a_later_read() -> None:
    metrics = RunMetrics()
    watch = _Watch()
    idle = data(ChargeState.CONNECTED, T0)
    _follow_charge(watch, True, idle, metrics, T0)
    # A read from before the start that happened to say charging does not count.
    early = data(ChargeState.CHARGING, T0 - timedelta(seconds=5))
    _follow_charge(watch, True, early, metrics, T0 + timedelta(seconds=20))
    assert metrics.charge_start_delays_s == []
    seen = data(ChargeState.CHARGING, T0 + timedelta(seconds=45))
    _follow_charge(watch, True, seen, metrics, T0 + timedelta(seconds=45))
    assert metrics.charge_start_delays_s == [45.0]


def test_a_charge_end_counts_until_ha_shows_it_or_marks_the_charger_offline() -> None:
    metrics = RunMetrics()
    watch = _Watch(charging=True)
    charging = data(ChargeState.CHARGING, T0)
    _follow_charge(watch, False, charging, metrics, T0)
    ended = data(ChargeState.CONNECTED, T0 + timedelta(seconds=30))
    _follow_charge(watch, False, ended, metrics, T0 + timedelta(seconds=30))
    assert metrics.charge_end_delays_s == [30.0]
    _follow_charge(watch, True, ended, metrics, T0 + timedelta(seconds=40))
    _follow_charge(watch, False, ended, metrics, T0 + timedelta(seconds=60))
    offline = data(ChargeState.CHARGING, T0, connected=False)
    _follow_charge(watch, False, offline, metrics, T0 + timedelta(seconds=70))
    # The short charge was never shown: it counts as missed for its length.
    assert metrics.charge_start_delays_s == [20.0]
    assert metrics.charge_end_delays_s == [30.0, 10.0]


def test_figures_are_reported_under_the_documented_keys() -> None:
    metrics = RunMetrics()
    metrics.calls_per_window[T0] = 900
    metrics.calls_per_window[T0 + timedelta(days=1)] = 950
    metrics.frozen_visible_s += [100.0, 200.0]
    metrics.outage_calls = 9
    figures = metrics.as_dict()
    assert figures["calls_max_window"] == 950
    assert figures["frozen_visible_mean_s"] == 150.0
    assert figures["calls_per_outage"] == 4.5
    assert figures["plugins_day1"] == 0
    for key in (
        "true_age_charging_mean_s",
        "true_age_charging_p95_s",
        "true_age_car_charging_mean_s",
        "true_age_floor_s",
        "charge_start_detect_mean_s",
        "charge_end_detect_mean_s",
        "plugin_detect_day1_mean_s",
    ):
        assert figures[key] == 0.0


OUTAGE_DAY = {
    "name": "outage_day",
    "seed": 1,
    "commands_per_day": 0,
    "chargers": [
        {
            "model": "trydan",
            "sessions": [{"arrive": "06:00", "charge_hours": 4}],
            "outages": [{"at": "07:00", "minutes": 30}],
        }
    ],
}


@pytest.mark.parametrize("strategy", ["planner", "fixed"])
@pytest.mark.usefixtures("socket_enabled")
async def test_an_outage_mid_charge_ages_the_data_for_every_strategy(
    strategy: str,
) -> None:
    figures = (await run(parse(OUTAGE_DAY), strategy, 1)).as_dict()
    # Frozen data served during the outage ages from its start: the true age
    # is far above the age since the last read for a poller that keeps reading.
    assert figures["true_age_charging_mean_s"] > 100
    # 3.5 h online on 950 reads and 30 min frozen from the outage's start:
    # (12,600²/1,900 + 1,800 * 900) / 14,400 s. Neither strategy beats it.
    assert figures["true_age_floor_s"] == pytest.approx(118.3, abs=1.5)
    assert figures["true_age_floor_s"] < figures["true_age_charging_mean_s"]
    assert figures["outages"] == 1
    assert figures["calls_max_window"] <= 1000
    assert figures["http_429"] == 0
    if strategy == "fixed":
        assert figures["frozen_visible_mean_s"] == pytest.approx(1800, abs=10)
        assert figures["staleness_charging_mean_s"] < 60
    else:
        # The planner notices the silent charger within a few reads.
        assert figures["frozen_visible_mean_s"] <= 300
        assert figures["calls_per_outage"] <= 15
    assert figures["charge_start_detect_mean_s"] > 0
    assert figures["charge_end_detect_mean_s"] >= 0
    # The one plug-in of the day, at 06:00, is a first-day plug-in.
    assert figures["plugins_day1"] == 1
    assert figures["plugin_detect_day1_mean_s"] == figures["plugin_detect_mean_s"]


@pytest.mark.usefixtures("socket_enabled")
async def test_the_car_charging_age_averages_every_strategy_over_the_same_seconds() -> (
    None
):
    measured = {
        strategy: await run(parse(OUTAGE_DAY), strategy, 1)
        for strategy in ("planner", "fixed")
    }
    planner, fixed = measured["planner"], measured["fixed"]
    # The 4-hour charge, whatever HA showed after it ended (the truth is
    # sampled every 10 s at most).
    assert planner.car_charging_age.samples == pytest.approx(
        fixed.car_charging_age.samples, abs=TRUTH_STEP.total_seconds()
    )
    assert planner.car_charging_age.samples == pytest.approx(4 * 3600, abs=60)
    for metrics in measured.values():
        assert metrics.true_age.samples > metrics.car_charging_age.samples
        figures = metrics.as_dict()
        assert figures["true_age_car_charging_mean_s"] == pytest.approx(
            metrics.car_charging_age.mean(), abs=0.05
        )
    assert planner.true_age.samples != fixed.true_age.samples


CLOUD_OUTAGE_DAY = {
    **OUTAGE_DAY,
    "name": "cloud_outage_day",
    "chargers": [
        {"model": "trydan", "sessions": [{"arrive": "06:00", "charge_hours": 4}]}
    ],
    "cloud_outages": [{"at": "07:00", "minutes": 30}],
}


@pytest.mark.usefixtures("socket_enabled")
async def test_a_cloud_outage_mid_charge_costs_the_planner_no_more_than_fixed() -> None:
    # From the second day on, the planner reads the learned charge far faster
    # than fixed: a cloud that fails must not turn that pace into failed calls.
    figures = {
        strategy: (await run(parse(CLOUD_OUTAGE_DAY), strategy, 4)).as_dict()
        for strategy in ("planner", "fixed")
    }
    for strategy_figures in figures.values():
        assert strategy_figures["cloud_outages"] == 4
        assert strategy_figures["outages"] == 0
        # Nobody reads during the 30 min: the floor ages them from the start.
        assert strategy_figures["true_age_floor_s"] == pytest.approx(118.3, abs=1.5)
        assert strategy_figures["http_429"] == 0
    # Fixed reads every 91 s, 20 failed reads; the planner backs off to that
    # (without backing off it spends twice as many).
    assert figures["fixed"]["calls_per_cloud_outage"] == pytest.approx(20, abs=1)
    assert (
        figures["planner"]["calls_per_cloud_outage"]
        <= figures["fixed"]["calls_per_cloud_outage"] + 5
    )
    assert (
        figures["planner"]["true_age_charging_mean_s"]
        < figures["fixed"]["true_age_charging_mean_s"]
    )


SHARED_KEY_DAY = {
    **CLOUD_OUTAGE_DAY,
    "name": "shared_key_day",
    "daily_limit": 300,
    "external_calls_per_day": 150,
    "cloud_outages": [],
}


@pytest.mark.usefixtures("socket_enabled")
async def test_the_fixed_yardstick_that_leaves_the_other_programs_calls(
    tmp_path: Path,
) -> None:
    shared, alone = tmp_path / "shared.json", tmp_path / "alone.json"
    shared.write_text(json.dumps(SHARED_KEY_DAY))
    alone.write_text(json.dumps({**SHARED_KEY_DAY, "external_calls_per_day": 0}))
    for path, expected in (
        (shared, (*FILE_STRATEGIES, FIXED_LEFT)),
        (alone, FILE_STRATEGIES),
    ):
        source = ("file", str(path))
        assert strategies_for(source, case_of(source)) == expected
    case = parse(SHARED_KEY_DAY)
    figures = {
        strategy: (await run(case, strategy, 2)).as_dict()
        for strategy in ("fixed", FIXED_LEFT)
    }
    # `fixed` spreads 250 calls over the day as if the key were its own; with
    # the other program's 150 the key runs out and is refused from then on.
    assert figures["fixed"]["http_429"] > 0
    # Over the 100 calls left (after the reserve) it reads every 864 s: no 429.
    assert figures[FIXED_LEFT]["http_429"] == 0
    assert figures[FIXED_LEFT]["calls_max_window"] <= 300 - 150
    assert figures[FIXED_LEFT]["min_reserve"] >= 50


def test_many_commands_get_the_fixed_yardstick_that_leaves_their_calls() -> None:
    """305 commands a day run `fixed` out of calls as another program would."""
    storm = ("classic", "command_storm")
    assert FIXED_LEFT in strategies_for(storm, case_of(storm))
    commuter = ("classic", "commuter")
    assert FIXED_LEFT not in strategies_for(commuter, case_of(commuter))
    case = case_of(storm)
    strategy = make_strategy(FIXED_LEFT, cast("V2CClient", None), ["TRY0001"], case)
    assert isinstance(strategy, FixedStrategy)
    # 1,000 less the reserve and 305 commands: 645 reads a day.
    assert strategy.interval.total_seconds() == pytest.approx(86400 / 645)


def test_the_ratio_is_also_given_against_the_fixed_interval_within_the_quota() -> None:
    def figures(age: float) -> dict[str, float | int]:
        return {key: 0 for key, _ in COLUMNS} | {RATIO_KEY: age}

    table = render(
        {
            "alone": {"planner": figures(10.0), "fixed": figures(40.0)},
            "shared": {
                "planner": figures(30.0),
                "fixed": figures(3000.0),
                FIXED_LEFT: figures(60.0),
            },
        }
    )
    assert " 0.50 of fixed_left" in table
    # sqrt(0.25 * 0.01) and sqrt(0.25 * 0.5).
    assert "geometric mean of planner/fixed true age: 0.050" in table
    assert "within the quota (fixed_left where it ran): 0.354" in table


@pytest.mark.usefixtures("socket_enabled")
async def test_the_simulator_applies_commands_as_late_as_the_case_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[Simulator] = []

    def simulator(**options: Any) -> Simulator:
        built.append(Simulator(**options))
        return built[-1]

    monkeypatch.setattr(runner, "Simulator", simulator)
    await run(replace(parse(OUTAGE_DAY), apply_delay_s=75.0), "fixed", 1)
    assert [sim.apply_delay for sim in built] == [75.0]


@pytest.mark.usefixtures("socket_enabled")
async def test_the_planner_sends_no_command_to_a_charger_it_knows_is_offline() -> None:
    # As Home Assistant refuses it: an offline charger would accept nothing.
    day = {
        **OUTAGE_DAY,
        "commands_per_day": 60,
        "chargers": [
            {
                "model": "trydan",
                "sessions": [{"arrive": "06:00", "charge_hours": 4}],
                "outages": [{"at": "01:00", "minutes": 600}],
            }
        ],
    }
    figures = (await run(parse(day), "planner", 1)).as_dict()
    assert figures["commands_refused"] > 0
