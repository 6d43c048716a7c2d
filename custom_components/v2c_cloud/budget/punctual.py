"""Charges that start at the same moment every day: a schedule nobody announced.

A car's own departure schedule, or a timer set in the car's app, starts the
charge at the same second each day, and neither the charger nor the cloud
names it in advance. Each start seen is known only to lie between the last
read that did not show it and the read that showed it. When recent starts
fall in one short stretch of the day, the next one is awaited there: one read
halfway through it and one at its end. Each day the stretch halves, down to
the precision of one read, so the start shows within seconds for two calls a
day. A day may have several such moments (a night schedule and a lunch
top-up); starts at other hours leave them alone. A newer start within the
hour around a moment but outside it shows the moment was chance (arrivals
spread over an hour overlap by chance when reads are minutes apart) or the
schedule stopped: the moment is dropped until newer starts agree again.

The moments are seconds of the UTC day: a schedule kept in local time moves by
an hour at a clock change and is learned again in a few days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .timekeeping import DAY, DAY_S, offset_of, seconds_between

# The newest starts that narrow one stretch (two make one).
KEPT = 3
# The starts remembered, over every moment of the day: a few days of visits.
REMEMBERED = 12
# Starts spread wider than this are habits, not a schedule: the arrival
# routine watches them.
MAX_STRETCH_S = 20 * 60.0
# A newer start this close to a moment but outside it shows the moment was
# chance (starts spread over an hour overlap by chance when reads are minutes
# apart): the schedule it stood for did not hold.
NEAR_S = 3 * MAX_STRETCH_S
# A start seen after a longer gap tells too little about its moment.
_LONGEST_SPAN_S = 6 * 3600.0
# Narrower than this, one read at the end sees the start as soon as two would.
_ONE_READ_S = 10.0
# A read missed by longer than this (Home Assistant was not running) waits for
# the next day.
_GRACE = timedelta(minutes=10)


@dataclass
class Punctual:
    """Where the last charge starts of a charger fell, as spans of the UTC day."""

    # (second of the UTC day of the last read before the start, seconds from
    # it to the read that showed the start); newest last.
    spans: list[tuple[float, float]] = field(default_factory=list)
    # Asked at every plan, changed only by a start: found once per start.
    _found: list[tuple[float, float]] = field(
        init=False, repr=False, compare=False, default_factory=list
    )

    def __post_init__(self) -> None:
        """Find the moments of the starts given."""
        self._found = _stretches(self.spans)

    def started(self, not_yet_at: datetime, seen_at: datetime) -> None:
        """Note a start that came after the read at not_yet_at, seen at seen_at."""
        length = seconds_between(not_yet_at, seen_at)
        if 0 < length <= _LONGEST_SPAN_S:
            self.spans = [*self.spans, (offset_of(not_yet_at), length)][-REMEMBERED:]
            self._found = _stretches(self.spans)

    def stretches(self) -> list[tuple[float, float]]:
        """Return (second of the UTC day, length) of each moment starts come at."""
        return list(self._found)

    def next_read(
        self, last_read_at: datetime | None, now: datetime
    ) -> datetime | None:
        """Return when to read next to see a scheduled start soonest, or None."""
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        due = [
            read_at
            for start_s, length_s in self.stretches()
            for offset in (
                (length_s,) if length_s <= _ONE_READ_S else (length_s / 2, length_s)
            )
            for day in (midnight - DAY, midnight, midnight + DAY)
            if (read_at := day + timedelta(seconds=start_s + offset)) >= now - _GRACE
            and (last_read_at is None or last_read_at < read_at)
        ]
        return min(due, default=None)

    def as_dict(self) -> list[list[float]]:
        """Return a JSON-ready copy."""
        return [[start, length] for start, length in self.spans]


def punctual_from(data: Any) -> Punctual:
    """Rebuild saved starts; anything unreadable starts afresh."""
    if not isinstance(data, list):
        return Punctual()
    spans = [
        (float(item[0]), float(item[1]))
        for item in data
        if isinstance(item, list)
        and len(item) == 2
        and all(type(value) in (int, float) for value in item)
        and 0 <= item[0] < DAY_S
        and 0 < item[1] <= _LONGEST_SPAN_S
    ]
    return Punctual(spans=spans[-REMEMBERED:])


def _stretches(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Return (second of the UTC day, length) of each moment starts come at.

    Each is where the newest starts that share part of the day all fell (at
    most KEPT, at least two), if that is short enough for a schedule.
    """
    found = []
    newest_first = list(reversed(spans))
    unused = list(newest_first)
    while unused:
        group = [unused.pop(0)]
        common = group[0]
        for span in list(unused):
            if len(group) == KEPT:
                break
            if (narrowed := _common([common, span])) is not None:
                group.append(span)
                unused.remove(span)
                common = narrowed
        # Older starts of the same moment add nothing the newest did not.
        unused = [span for span in unused if _common([common, span]) is None]
        newer = newest_first[: newest_first.index(group[0])]
        if (
            len(group) > 1
            and common[1] <= MAX_STRETCH_S
            and not any(_missed(common, span) for span in newer)
        ):
            found.append(common)
    return found


def _missed(stretch: tuple[float, float], span: tuple[float, float]) -> bool:
    """Return whether a start fell near the stretch but outside it."""
    if _common([stretch, span]) is not None:
        return False
    start, length = stretch
    other_start, other_length = span
    apart = abs((other_start + other_length / 2) - (start + length / 2)) % DAY_S
    gap = min(apart, DAY_S - apart) - (length + other_length) / 2
    return gap <= NEAR_S


def _common(spans: list[tuple[float, float]]) -> tuple[float, float] | None:
    """Return the part of the day every span covers, or None if there is none."""
    first_start, first_length = spans[0]
    low, high = first_start, first_start + first_length
    for start, length in spans[1:]:
        # Spans are shorter than half a day: at most one day's shift overlaps.
        shifted = min(
            (start + shift for shift in (-DAY_S, 0.0, DAY_S)),
            key=lambda moved: abs(moved + length / 2 - (low + high) / 2),
        )
        low, high = max(low, shifted), min(high, shifted + length)
        if low > high:
            return None
    return low % DAY_S, high - low
