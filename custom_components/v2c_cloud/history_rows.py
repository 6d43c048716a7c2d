"""Turn charging sessions into hourly rows of a cumulative energy statistic."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from homeassistant.components.recorder.models import StatisticData

from .api import ChargingSession, mask_device_id
from .const import LOGGER
from .energy import MAX_SESSION_KWH, PHYSICAL_MAX_KW, STEP_SLACK_KWH

HOUR = timedelta(hours=1)
WINDOW_DAYS = 31
MAX_WINDOWS = 12
# A session's energy is spread over at most a window: a start years back is a
# broken date, and would build millions of hourly rows on the event loop.
MAX_SPAN = timedelta(days=WINDOW_DAYS)
_INSTANT = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class LastRow:
    """The newest imported hour: where the next import continues."""

    start: datetime
    state: float
    sum: float

    @property
    def imported_until(self) -> datetime:
        """Return the moment up to which every session has been imported."""
        return self.start + HOUR


@dataclass(frozen=True, slots=True)
class SessionSpan:
    """A finished session's interval in UTC and its energy."""

    start: datetime
    end: datetime
    session: ChargingSession
    # The longest the session can have lasted, which its energy is judged by:
    # a date in the hour the autumn clock change repeats may be either pass,
    # and a session read an hour short is no glitch.
    longest: timedelta

    @classmethod
    def of(cls, session: ChargingSession, zone: tzinfo) -> SessionSpan | None:
        """Return a finished session's span; None while it runs or lacks dates."""
        if session.finished is False or session.start is None or session.end is None:
            return None
        try:
            start, end = _utc(session.start, zone), _utc(session.end, zone)
            if end < start:
                # The clock went back in between (autumn): a local end in the
                # repeated hour is its second pass.
                end = _utc(session.end.replace(fold=1), zone)
            longest = max(_readings(session.end, zone)) - min(
                _readings(session.start, zone)
            )
        except OverflowError:
            # Year 1 or 9999 with an offset that leaves the calendar.
            return None
        end = max(start, end)
        return cls(max(start, end - MAX_SPAN), end, session, longest)

    def hourly_figures(self) -> list[float]:
        """Return the charger's per-hour energy, a negative hour as nothing."""
        return [max(value, 0.0) for value in self.session.energy_by_hour_kwh]

    def energy_kwh(self) -> float | None:
        """Return the energy to book; None when the charger cannot have delivered it."""
        hourly = self.hourly_figures()
        listed = self.session.energy_kwh
        total = max(sum(hourly) if listed is None else listed, 0.0)
        most = most_kwh(self.longest)
        if total <= most:
            return total
        # The total and the hourly figures are separate fields of the answer:
        # a garbled total says nothing about them. Figures that each fit in
        # an hour's charging and add up to what the session can hold are what
        # the charger measured, and booking them keeps a real session in the
        # Energy dashboard, where dropping it would lose its charging. Figures
        # that do not fit either leave nothing to trust: the session is skipped.
        if 0 < sum(hourly) <= most and max(hourly) <= most_kwh(HOUR):
            return sum(hourly)
        return None

    def hourly_energy(self, total: float) -> dict[datetime, float]:
        """Spread total over the hours: per-hour values if given, else by overlap."""
        # The last hour holds the last instant, so an end on the hour closes the one before.
        last = floor_hour(self.end - _INSTANT)
        first = min(floor_hour(self.start), last)
        hours = {first + index * HOUR: 0.0 for index in range(_hours(first, last))}
        weights = self.hourly_figures()
        weight_sum = sum(weights)
        if weight_sum > 0:
            # The first value is the start hour; extra values belong to the last.
            for index, weight in enumerate(weights):
                hours[min(first + index * HOUR, last)] += total * weight / weight_sum
            return hours
        span = (self.end - self.start).total_seconds()
        if span <= 0:
            hours[first] += total
            return hours
        for hour in hours:
            overlap = min(self.end, hour + HOUR) - max(self.start, hour)
            hours[hour] += total * overlap.total_seconds() / span
        return hours


def most_kwh(lasted: timedelta) -> float:
    """Return the most energy a session that lasted this long can hold.

    The bounds the lifetime-energy sensor judges readings by: the most any
    charger delivers, readings rounded, no car taking more in one session.
    """
    hours = max(lasted.total_seconds(), 0.0) / 3600
    return min(PHYSICAL_MAX_KW * hours + STEP_SLACK_KWH, MAX_SESSION_KWH)


def floor_hour(moment: datetime) -> datetime:
    """Return the start of the hour holding a moment."""
    return moment.replace(minute=0, second=0, microsecond=0)


def _hours(first: datetime, last: datetime) -> int:
    """Return how many hours run from first to last, both included."""
    return int((last - first) / HOUR) + 1


def _utc(moment: datetime, zone: tzinfo) -> datetime:
    """Read a charger timestamp (naive means the charger's local time) as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def _readings(moment: datetime, zone: tzinfo) -> tuple[datetime, datetime]:
    """Return a charger timestamp in UTC read as either pass of a repeated hour."""
    return _utc(moment.replace(fold=0), zone), _utc(moment.replace(fold=1), zone)


def build_rows(
    sessions: Iterable[ChargingSession],
    zone: tzinfo,
    last: LastRow | None,
    horizon: datetime,
    *,
    imported_in: tzinfo | None = None,
) -> list[StatisticData]:
    """Return the rows for sessions ending after the last import and by horizon.

    Sessions are spread over the hours read in zone. Whether one is already
    imported is read in imported_in, the zone the last import's rows were
    built in (zone if None): the same session read in another zone may end
    an hour either side of the last imported hour.
    """
    after = last.imported_until if last is not None else None
    seen_in = zone if imported_in is None else imported_in
    spans: dict[object, SessionSpan] = {}
    for session in sessions:
        span = SessionSpan.of(session, zone)
        seen = span if seen_in is zone else SessionSpan.of(session, seen_in)
        if (
            span is not None
            and seen is not None
            and span.end <= horizon
            and (after is None or seen.end > after)
        ):
            # A session across a window edge may be listed twice: count it once.
            key = session.session_id
            spans[key if key is not None else (span.start, span.end)] = span
    energy: dict[datetime, float] = {}
    for span in spans.values():
        if (total := span.energy_kwh()) is None:
            LOGGER.debug(
                "Charging session of %s from %s not imported: more energy"
                " (%s kWh, %s kWh by the hour) than a charger delivers in %s",
                mask_device_id(span.session.device_id),
                span.session.start,
                span.session.energy_kwh,
                round(sum(span.hourly_figures()), 3),
                span.longest,
            )
            continue
        for moment, kwh in span.hourly_energy(total).items():
            # Never rewrite hours before the last import: its sum stays monotonic.
            hour = max(moment, last.start) if last is not None else moment
            energy[hour] = energy.get(hour, 0.0) + kwh
    total = last.sum if last is not None else 0.0
    rows: list[StatisticData] = []
    for hour in sorted(energy):
        kwh = round(energy[hour], 3)
        total = round(total + kwh, 3)
        if last is not None and hour == last.start:
            kwh = round(kwh + last.state, 3)
        rows.append(StatisticData(start=hour, state=kwh, sum=total))
    return rows


def fetch_windows(today: date, since: date | None) -> list[tuple[date, date]]:
    """Return date windows to ask for, newest first, back to since or a year."""
    windows: list[tuple[date, date]] = []
    since = min(since, today) if since is not None else None
    for index in range(MAX_WINDOWS):
        last = today - timedelta(days=index * WINDOW_DAYS)
        first = last - timedelta(days=WINDOW_DAYS - 1)
        if since is not None and first <= since:
            windows.append((since, last))
            break
        windows.append((first, last))
    return windows
