"""A deterministic site: sun production and house consumption over the day (UTC hours)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
import math

SUNRISE_HOUR = 7.0
SUNSET_HOUR = 19.0


def _bump(hour: float, centre: float, width: float) -> float:
    """Return a bell curve of height 1 around centre."""
    return math.exp(-(((hour - centre) / width) ** 2))


class SolarSite:
    """Sun and house power as pure functions of time, with a per-day sky factor."""

    def __init__(self, peak_kw: float = 4.5) -> None:
        """Create a site with a PV array of the given peak power."""
        self.peak_kw = peak_kw
        self._day_factors: dict[date, float] = {}

    def set_day_factor(self, day: date, factor: float) -> None:
        """Set how clear a day is: 1 sunny, lower values bring passing clouds."""
        self._day_factors[day] = min(max(factor, 0.0), 1.0)

    def day_factor(self, day: date) -> float:
        """Return the sky factor of a day (sunny unless set)."""
        return self._day_factors.get(day, 1.0)

    def sun_kw(self, moment: datetime) -> float:
        """Return the PV production at a moment."""
        hour = _hour(moment)
        if not SUNRISE_HOUR < hour < SUNSET_HOUR:
            return 0.0
        shape = math.sin(math.pi * (hour - SUNRISE_HOUR) / (SUNSET_HOUR - SUNRISE_HOUR))
        seconds = moment.timestamp()
        cloud = max(
            0.0,
            math.sin(
                2 * math.pi * seconds / 1800
                + 2 * math.sin(2 * math.pi * seconds / 6300)
            ),
        )
        clear = 1.0 - (1.0 - self.day_factor(moment.date())) * cloud
        return self.peak_kw * shape * clear

    def house_kw(self, moment: datetime) -> float:
        """Return the household consumption (without the charger) at a moment."""
        hour = _hour(moment)
        seconds = moment.timestamp()
        ripple = 0.1 * (1 + math.sin(2 * math.pi * seconds / 2400))
        return (
            0.3
            + 0.9 * _bump(hour, 7.5, 0.75)
            + 0.5 * _bump(hour, 13.5, 0.6)
            + 1.6 * _bump(hour, 20.0, 1.5)
            + ripple
        )

    def next_daylight(self, moment: datetime) -> datetime:
        """Return the moment itself in daylight, else the next sunrise."""
        hour = _hour(moment)
        if SUNRISE_HOUR < hour < SUNSET_HOUR:
            return moment
        midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        if hour >= SUNSET_HOUR:
            midnight += timedelta(days=1)
        return midnight + timedelta(hours=SUNRISE_HOUR, seconds=1)


def _hour(moment: datetime) -> float:
    """Return the fractional hour of the day."""
    return (
        moment.hour
        + moment.minute / 60
        + moment.second / 3600
        + moment.microsecond / 3.6e9
    )
