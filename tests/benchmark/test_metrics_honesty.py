"""The benchmark measures what users get: missed plug-ins count, the planner pays what the integration pays."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from benchmark import runner
from benchmark.runner import run
from benchmark.scenario_file import parse
from v2c_simulator import Simulator

# Two short visits a day on a key whose `fixed` interval is 2.4 h
# (86,400 / (60 - 50)): reads at 00:00, 02:24, 04:48... see neither car.
TWO_SHORT_VISITS = {
    "name": "two_short_visits",
    "daily_limit": 60,
    "chargers": [
        {
            "sessions": [
                {"arrive": "01:00", "charge_hours": 0.1, "stay_hours": 0.25},
                {"arrive": "04:00", "charge_hours": 0.1, "stay_hours": 0.25},
            ]
        }
    ],
}


@pytest.mark.usefixtures("socket_enabled")
async def test_a_plug_in_never_shown_before_the_next_one_is_not_dropped() -> None:
    """A plug-in Home Assistant never showed counts as unseen.

    A visit a strategy misses entirely leaves no delay; counted unseen, it
    cannot make missing short visits look better than seeing them late. Here
    `fixed` never shows either car: both count as unseen.
    """
    metrics = await run(parse(TWO_SHORT_VISITS), "fixed", 1)
    accounted = len(metrics.plugin_delays_day1_s) + metrics.plugins_day1_unseen
    assert accounted == 2, (
        f"2 plug-ins on day 1, but only {accounted} appear in the figures "
        f"(delays {metrics.plugin_delays_day1_s}, unseen "
        f"{metrics.plugins_day1_unseen}); plugin_detect_mean_s = "
        f"{metrics.as_dict()['plugin_detect_mean_s']}"
    )


ONE_CAR = {
    "name": "one_car",
    "chargers": [{"sessions": [{"arrive": "07:00", "charge_hours": 2}]}],
}


@pytest.mark.usefixtures("socket_enabled")
async def test_the_planner_pays_for_the_charging_history_import(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The benchmark's planner pays the calls of the charging-history import.

    With the recorder (a default of Home Assistant) every entry imports each
    charger's charging history at setup and then when due (history.py:
    history_due: every 6 h after a charge, once a day otherwise), one call
    per charger an import at least, charged to the same planner as maintenance.
    """
    sims: list[Simulator] = []

    class Recorded(Simulator):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            sims.append(self)

    monkeypatch.setattr(runner, "Simulator", Recorded)
    await run(parse(ONE_CAR), "planner", 1)
    paths = Counter(record.path for record in sims[0].request_log)
    history = sum(count for path, count in paths.items() if "stadistic" in path)
    assert history >= 1, (
        f"{history} charging-history calls in a day (the integration makes one "
        f"at setup and more when due); calls made: {dict(paths)}"
    )
