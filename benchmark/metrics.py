"""Figures a benchmark run reports, accumulated as the virtual clock moves."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
import math

# Seconds counted for a charging second while HA holds no data at all.
NOTHING_READ_AGE_S = 86_400


@dataclass
class StalenessHistogram:
    """Age of the data HA holds over the simulated seconds of charging.

    The mean is the exact time average; the whole-second histogram serves the
    percentiles only (counting whole seconds from a read moved every mean by up
    to half a second, more of the smaller figures).
    """

    counts: Counter[int] = field(default_factory=Counter)
    age_seconds: float = 0.0
    span_seconds: float = 0.0

    def add_span(
        self, start: datetime, end: datetime, data_at: datetime | None
    ) -> None:
        """Count [start, end) with the age of data describing data_at."""
        duration = (end - start).total_seconds()
        if duration <= 0:
            return
        self.span_seconds += duration
        first = math.ceil(start.timestamp())
        last = math.ceil(end.timestamp())
        if data_at is None:
            # Nothing read yet: count the whole span as a day old, the worst case.
            self.age_seconds += NOTHING_READ_AGE_S * duration
            self.counts[NOTHING_READ_AGE_S] += last - first
            return
        age_at_start = (start - data_at).total_seconds()
        self.age_seconds += duration * (age_at_start + duration / 2)
        read = int(data_at.timestamp())
        for second in range(first, last):
            self.counts[second - read] += 1

    @property
    def samples(self) -> int:
        """Return how many seconds were counted."""
        return sum(self.counts.values())

    def mean(self) -> float:
        """Return the mean age in seconds (0 when nothing was counted)."""
        if not self.span_seconds:
            return 0.0
        return self.age_seconds / self.span_seconds

    def percentile(self, fraction: float) -> float:
        """Return the age below which `fraction` of the samples lie."""
        samples = self.samples
        if not samples:
            return 0.0
        threshold = fraction * samples
        seen = 0
        for age in sorted(self.counts):
            seen += self.counts[age]
            if seen >= threshold:
                return float(age)
        return float(max(self.counts))


@dataclass
class AgeFloor:
    """The true age a poller that knew the future would reach.

    It spends every read a window allows (`reads_per_window`: the limit less the
    reserve, other programs and the commands) on the seconds a car charges, evenly
    spaced over all chargers' charges together, so a window whose chargers charge
    S seconds in all costs S²/2N age-seconds. A charger off the cloud is the
    exception: its data describe the moment it went silent, whoever reads it.
    A strategy paying less than a call per command can land a little below it,
    and so can one whose mean includes seconds after a charge ended that it
    still showed as charging: those count in the true age, not here.
    """

    reads_per_window: float = 1.0
    online_s: dict[datetime, float] = field(default_factory=dict)
    outage_age_s: float = 0.0
    charging_s: float = 0.0

    def add_span(
        self,
        window: datetime,
        start: datetime,
        end: datetime,
        offline_since: datetime | None,
    ) -> None:
        """Count a span of one charger's charge in the quota window ending at `window`."""
        seconds = (end - start).total_seconds()
        if seconds <= 0:
            return
        self.charging_s += seconds
        if offline_since is None:
            self.online_s[window] = self.online_s.get(window, 0.0) + seconds
            return
        middle = start + (end - start) / 2
        self.outage_age_s += seconds * (middle - offline_since).total_seconds()

    def mean(self) -> float:
        """Return the floor of the mean true age (0 when nothing charged)."""
        if not self.charging_s:
            return 0.0
        reads = max(self.reads_per_window, 1.0)
        online = sum(seconds**2 / (2 * reads) for seconds in self.online_s.values())
        return (online + self.outage_age_s) / self.charging_s


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 1) if values else 0.0


@dataclass
class RunMetrics:
    """Everything one strategy's run over one scenario measured."""

    calls_per_day: Counter[date] = field(default_factory=Counter)
    # Keyed by the moment the quota window ends: a window runs reset to reset.
    calls_per_window: Counter[datetime] = field(default_factory=Counter)
    http_429: int = 0
    min_remaining: int | None = None
    # Age since the last read, while the car charges (the older figure).
    staleness: StalenessHistogram = field(default_factory=StalenessHistogram)
    # Age since the moment the data describes, while the car charges or HA
    # shows it charging.
    true_age: StalenessHistogram = field(default_factory=StalenessHistogram)
    # The same age over the seconds the car really charges only: every
    # strategy is averaged over the same seconds, so one that shows an ended
    # charge longer (or shorter) does not move its own denominator.
    car_charging_age: StalenessHistogram = field(default_factory=StalenessHistogram)
    age_floor: AgeFloor = field(default_factory=AgeFloor)
    plugin_delays_s: list[float] = field(default_factory=list)
    plugin_delays_day1_s: list[float] = field(default_factory=list)
    # First-day plug-ins HA never showed: before the car left, before the next
    # car came, or before the run ended (a one-day run's late-evening plug-in).
    plugins_day1_unseen: int = 0
    charge_start_delays_s: list[float] = field(default_factory=list)
    charge_end_delays_s: list[float] = field(default_factory=list)
    frozen_visible_s: list[float] = field(default_factory=list)
    outage_calls: int = 0
    cloud_outages: int = 0
    cloud_outage_calls: int = 0
    commands_sent: int = 0
    commands_refused: int = 0

    def observe_remaining(self, remaining: int) -> None:
        """Track the lowest quota seen."""
        if self.min_remaining is None or remaining < self.min_remaining:
            self.min_remaining = remaining

    def as_dict(self) -> dict[str, float | int]:
        """Return the figures under the JSON keys the issues define."""
        outages = len(self.frozen_visible_s)
        return {
            "calls_total": sum(self.calls_per_day.values()),
            "calls_max_day": max(self.calls_per_day.values(), default=0),
            "calls_max_window": max(self.calls_per_window.values(), default=0),
            "http_429": self.http_429,
            "min_reserve": self.min_remaining if self.min_remaining is not None else 0,
            "staleness_charging_mean_s": round(self.staleness.mean(), 1),
            "staleness_charging_p95_s": round(self.staleness.percentile(0.95), 1),
            "true_age_charging_mean_s": round(self.true_age.mean(), 1),
            "true_age_charging_p95_s": round(self.true_age.percentile(0.95), 1),
            "true_age_car_charging_mean_s": round(self.car_charging_age.mean(), 1),
            "true_age_floor_s": round(self.age_floor.mean(), 1),
            "plugin_detect_mean_s": _mean(self.plugin_delays_s),
            "plugin_detect_day1_mean_s": _mean(self.plugin_delays_day1_s),
            # Day 1 sees one or two plug-ins per charger: a mean of so few
            # samples is weighed by its count.
            "plugins_day1": len(self.plugin_delays_day1_s),
            # A day-1 mean of 0.0 may otherwise hide plug-ins HA never showed.
            "plugins_day1_unseen": self.plugins_day1_unseen,
            "charge_start_detect_mean_s": _mean(self.charge_start_delays_s),
            "charge_end_detect_mean_s": _mean(self.charge_end_delays_s),
            "frozen_visible_mean_s": _mean(self.frozen_visible_s),
            "outages": outages,
            "calls_per_outage": round(self.outage_calls / outages, 1)
            if outages
            else 0.0,
            "cloud_outages": self.cloud_outages,
            "calls_per_cloud_outage": round(
                self.cloud_outage_calls / self.cloud_outages, 1
            )
            if self.cloud_outages
            else 0.0,
            "commands_refused": self.commands_refused,
        }
