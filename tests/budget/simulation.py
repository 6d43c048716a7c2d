"""A pure day-long simulation: a fake quota, a fake clock and scripted chargers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from custom_components.v2c_cloud.budget import (
    CallKind,
    ChargerActivity,
    PlannerSettings,
    QuotaExhaustedError,
    QuotaPlanner,
)

START = datetime(2025, 3, 3, tzinfo=UTC)
MAINTENANCE_EVERY_S = 6 * 3600.0
_WAKE_S = 300.0


class RateLimitedError(AssertionError):
    """The planner spent a call the server would have refused with a 429."""


@dataclass
class FakeQuota:
    """The server's fixed daily window."""

    limit: int = 1000
    reset_hour: int = 0
    used: int = 0
    ours: int = 0
    window_end: datetime | None = None

    def remaining(self, now: datetime) -> int:
        """Return the calls left, resetting the window when due."""
        if self.window_end is None or now >= self.window_end:
            end = now.replace(hour=self.reset_hour, minute=0, second=0, microsecond=0)
            while end <= now:
                end += timedelta(days=1)
            if self.window_end is not None:
                self.used = self.ours = 0
            self.window_end = end
        return self.limit - self.used

    def spend(self, now: datetime, *, ours: bool = True) -> int:
        """Count one call and return Remaining, or raise like the server."""
        if self.remaining(now) <= 0:
            raise RateLimitedError(f"429 at {now.isoformat()}")
        self.used += 1
        self.ours += ours
        return self.limit - self.used


type Timeline = Sequence[tuple[timedelta, ChargerActivity]]


def activity_at(timeline: Timeline, offset: timedelta) -> ChargerActivity:
    """Return the scripted activity at an offset into the day (repeating daily)."""
    day_offset = offset % timedelta(days=1)
    current = timeline[-1][1]
    for at, activity in timeline:
        if at <= day_offset:
            current = activity
    return current


@dataclass
class Stats:
    """What the simulation measured."""

    ours: int = 0
    most_ours_in_a_window: int = 0
    polls: dict[str, list[datetime]] = field(default_factory=dict)
    charging_intervals: list[float] = field(default_factory=list)
    min_remaining_after_poll: int = 10**9
    rejected_commands: int = 0
    staleness_sum: float = 0.0
    charging_s: float = 0.0
    detection_delays: list[float] = field(default_factory=list)

    @property
    def mean_staleness_s(self) -> float:
        """Return the mean data age while a car charged."""
        return self.staleness_sum / self.charging_s

    @property
    def mean_charging_interval_s(self) -> float:
        """Return the mean time between two polls of a charging charger."""
        return sum(self.charging_intervals) / len(self.charging_intervals)

    @property
    def mean_detection_s(self) -> float:
        """Return the mean delay before a plug-in was noticed."""
        return sum(self.detection_delays) / len(self.detection_delays)


@dataclass
class Simulation:
    """Drive a planner through scripted days, as the coordinator would."""

    timelines: dict[str, Timeline]
    settings: PlannerSettings = field(default_factory=PlannerSettings)
    commands: Callable[[int], Sequence[timedelta]] = lambda _day: ()
    others: Callable[[int], Sequence[timedelta]] = lambda _day: ()
    quota: FakeQuota = field(default_factory=FakeQuota)
    start: datetime = START
    stats: Stats = field(default_factory=Stats)

    def __post_init__(self) -> None:
        """Create the planner at the start."""
        self.planner = QuotaPlanner(self.settings, now=self.start)
        self.now = self.start
        self._last_poll: dict[str, datetime] = {}
        self._plugged_since: dict[str, datetime] = {}
        self._confirm_at: dict[str, datetime] = {}
        self._measuring = False

    def run(self, days: int, *, measure_from_day: int = 0) -> Stats:
        """Run whole days and return the stats of the measured ones."""
        end = self.start + timedelta(days=days)
        measure_from = self.start + timedelta(days=measure_from_day)
        events = self._scheduled_events(days)
        while self.now < end:
            moment = self._next_moment(events, end)
            self._account(moment, measure=moment > measure_from)
            self.now = moment
            self._measuring = moment > measure_from
            while events and events[0][0] <= self.now:
                _, kind = events.pop(0)
                if kind == "command":
                    self._command()
                else:
                    self._other_call()
            for device_id in self.timelines:
                due = self.planner.next_poll_at(device_id, self.now)
                if due is not None and due <= self.now:
                    self._poll(device_id)
            self._maintenance()
        return self.stats

    def _scheduled_events(self, days: int) -> list[tuple[datetime, str]]:
        """Return every command and foreign call, in time order."""
        events: list[tuple[datetime, str]] = []
        for day in range(days):
            base = self.start + timedelta(days=day)
            events += [(base + at, "command") for at in self.commands(day)]
            events += [(base + at, "other") for at in self.others(day)]
        return sorted(events)

    def _next_moment(
        self, events: list[tuple[datetime, str]], end: datetime
    ) -> datetime:
        """Return the next moment anything can happen."""
        candidates = [end, self.now + timedelta(seconds=_WAKE_S)]
        if events:
            candidates.append(events[0][0])
        for device_id in self.timelines:
            due = self.planner.next_poll_at(device_id, self.now)
            if due is not None:
                candidates.append(due)
            candidates.append(self._next_change(device_id))
        return max(min(candidates), self.now + timedelta(microseconds=1))

    def _next_change(self, device_id: str) -> datetime:
        """Return when the scripted activity of a charger next changes."""
        day = self.now.replace(hour=0, minute=0, second=0, microsecond=0)
        for extra_day in (0, 1):
            for at, _ in self.timelines[device_id]:
                moment = day + timedelta(days=extra_day) + at
                if moment > self.now:
                    return moment
        return self.now + timedelta(days=1)

    def truth(self, device_id: str, moment: datetime) -> ChargerActivity:
        """Return what the charger really does at a moment."""
        return activity_at(self.timelines[device_id], moment - self.start)

    def _account(self, until: datetime, *, measure: bool) -> None:
        """Integrate data age while charging and note plug-ins up to `until`."""
        span = (until - self.now).total_seconds()
        for device_id in self.timelines:
            activity = self.truth(device_id, self.now)
            if activity is ChargerActivity.IDLE:
                self._plugged_since.pop(device_id, None)
            elif device_id not in self._plugged_since and activity in (
                ChargerActivity.PLUGGED,
                ChargerActivity.CHARGING,
            ):
                self._plugged_since[device_id] = self.now
            if measure and activity is ChargerActivity.CHARGING:
                last = self._last_poll.get(device_id, self.start)
                age_start = (self.now - last).total_seconds()
                self.stats.staleness_sum += span * (age_start + span / 2)
                self.stats.charging_s += span

    def _spend(self) -> int:
        """Send one of our calls to the fake server."""
        remaining = self.quota.spend(self.now)
        self.stats.ours += 1
        self.stats.most_ours_in_a_window = max(
            self.stats.most_ours_in_a_window, self.quota.ours
        )
        return remaining

    def _observe(self, remaining: int) -> None:
        """Feed the response headers back."""
        self.planner.observe_quota(
            limit=self.quota.limit, remaining=remaining, now=self.now
        )

    def _poll(self, device_id: str) -> None:
        """Poll a charger and tell the planner what it does."""
        if self.planner.next_poll_at(device_id, self.now) is None:
            raise AssertionError("polled while blocked")
        confirm_at = self._confirm_at.get(device_id)
        kind = CallKind.POLL
        if confirm_at is not None and confirm_at <= self.now:
            kind = CallKind.CONFIRM
            del self._confirm_at[device_id]
        self.planner.record_call(kind, self.now, device_id)
        remaining = self._spend()
        self.stats.min_remaining_after_poll = min(
            self.stats.min_remaining_after_poll, remaining
        )
        self.stats.polls.setdefault(device_id, []).append(self.now)
        self._observe(remaining)
        activity = self.truth(device_id, self.now)
        plugged_at = self._plugged_since.get(device_id)
        previous = self._last_poll.get(device_id)
        if (
            self._measuring
            and plugged_at is not None
            and previous is not None
            and previous < plugged_at
        ):
            self.stats.detection_delays.append((self.now - plugged_at).total_seconds())
        if (
            self._measuring
            and previous is not None
            and activity is ChargerActivity.CHARGING
            and self.truth(device_id, previous) is ChargerActivity.CHARGING
        ):
            self.stats.charging_intervals.append((self.now - previous).total_seconds())
        self._last_poll[device_id] = self.now
        self.planner.set_activity(device_id, activity, self.now)

    def _command(self) -> None:
        """Send a user command, as the coordinator would."""
        try:
            self.planner.check_command(self.now)
        except QuotaExhaustedError:
            self.stats.rejected_commands += 1
            return
        device_id = next(iter(self.timelines))
        self.planner.record_call(CallKind.COMMAND, self.now, device_id)
        self._observe(self._spend())
        self._confirm_at[device_id] = self.planner.request_confirmation(
            device_id, self.now
        )

    def _other_call(self) -> None:
        """Another program spends a call of the same key."""
        if self.quota.remaining(self.now) > 0:
            self.quota.spend(self.now, ours=False)

    def _maintenance(self) -> None:
        """Run the slow periodic reads when the planner allows."""
        if self.planner.maintenance_due("pairings", self.now, MAINTENANCE_EVERY_S):
            self.planner.record_call(CallKind.MAINTENANCE, self.now)
            self._observe(self._spend())
        for device_id in self.timelines:
            key = f"reported:{device_id}"
            if self.planner.maintenance_due(key, self.now, MAINTENANCE_EVERY_S):
                self.planner.record_call(CallKind.MAINTENANCE, self.now)
                self._observe(self._spend())
                activity = self.truth(device_id, self.now)
                self.planner.set_activity(device_id, activity, self.now)
