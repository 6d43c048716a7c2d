"""Lifetime energy of a charger: sessions banked, implausible readings ignored.

The total feeds long-term statistics as a meter, where any decrease counts as
a meter reset. So a reading only moves it when the charger could physically
have delivered that energy in the time since the last accepted reading.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
import math
from typing import Any, Self

from homeassistant.helpers.restore_state import ExtraStoredData

# Three phases at 32 A on mains at the top of the EU tolerance (253 V) deliver
# 24.3 kW, and a real Trydan reports 248 V. A limit below what the charger
# delivers would refuse every reading after a gap for as long as it charges.
PHYSICAL_MAX_KW = 27.0
# The slowest a charger is assumed able to charge when it reports less.
MIN_CHARGER_KW = 7.4
# Readings are rounded to a few decimals.
STEP_SLACK_KWH = 0.05
# No car battery takes more in one session; a larger first reading is a glitch.
MAX_SESSION_KWH = 250.0
# Pole rounds session energy to 1 Wh; a smaller drop is noise, not a new session.
SESSION_RESET_MIN_DROP_KWH = 0.01
# A session clock this much behind the last one read has started again.
SESSION_CLOCK_SLACK_S = 120


def new_session(before_kwh: float | None, after_kwh: float | None) -> bool:
    """Return True when the session energy fell: the charger began a new session."""
    if before_kwh is None or after_kwh is None:
        return False
    return before_kwh - after_kwh >= SESSION_RESET_MIN_DROP_KWH


def clock_went_back(before_s: int | None, after_s: int | None) -> bool:
    """Return True when the session clock is well behind the last one read."""
    if before_s is None or after_s is None:
        return False
    return after_s + SESSION_CLOCK_SLACK_S < before_s


def clock_restarted(
    before_kwh: float | None,
    before_s: int | None,
    after_kwh: float | None,
    after_s: int | None,
    max_kw: float = PHYSICAL_MAX_KW,
) -> bool:
    """Return True when the session clock went back and the energy fits it.

    The clock never goes back within a session (it stops when the car
    leaves). The energy must also fit in the new clock: a clock reset
    alone, with the session's energy going on, is not a new session. Read
    only once the new session passed the old one's energy (reads far apart,
    a restart), no drop shows it: its clock does.
    """
    if before_kwh is None or after_kwh is None or after_s is None:
        return False
    if not clock_went_back(before_s, after_s):
        return False
    return before_kwh <= after_kwh <= _deliverable_in(after_s, max_kw)


@dataclass
class LifetimeEnergy(ExtraStoredData):
    """Energy of the finished sessions plus the last accepted session reading."""

    banked_kwh: float = 0.0
    session_kwh: float | None = None
    read_at: datetime | None = None
    # The session clock of the last accepted reading, when the charger sends one.
    session_s: int | None = None
    # The session just banked, until the new one grows: a reading that drops to
    # zero and comes back was a glitch, and the old session goes on.
    _banked_last: tuple[float, datetime | None] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def total_kwh(self) -> float | None:
        """Return the energy ever charged, once a session reading is known."""
        if self.session_kwh is None:
            return None
        return self.banked_kwh + self.session_kwh

    def observe(
        self,
        session_kwh: float,
        at: datetime,
        max_kw: float = PHYSICAL_MAX_KW,
        session_s: int | None = None,
    ) -> bool:
        """Fold a reading in; return True when a finished session was banked.

        A negative, non-finite or too large step is ignored and the next
        reading is judged against the last accepted one, so a glitch neither
        inflates the total nor stalls it for long.
        """
        if not math.isfinite(session_kwh) or not 0 <= session_kwh <= MAX_SESSION_KWH:
            return False
        last = self.session_kwh
        if last is not None and self._clock_restarted(session_kwh, session_s, max_kw):
            # Read only once the new session had passed the old one's energy
            # (reads far apart, a restart): no drop shows it, its clock does.
            self._banked_last = None
            self.banked_kwh += last
            self._take(session_kwh, at, session_s)
            return True
        allowance = self._allowance(at, max_kw, session_s)
        if last is None or session_kwh >= last:
            if last is not None and session_kwh - last > allowance:
                self._resume_banked(session_kwh, at, max_kw, session_s)
                return False
            if last is not None and session_kwh > last:
                self._banked_last = None
            self._take(session_kwh, at, session_s)
            return False
        if not new_session(last, session_kwh) or session_kwh > allowance:
            return False
        self._banked_last = (last, self.read_at)
        self.banked_kwh += last
        self._take(session_kwh, at, session_s)
        return True

    def _take(self, session_kwh: float, at: datetime, session_s: int | None) -> None:
        """Accept a reading as the session's latest."""
        self.session_kwh, self.read_at, self.session_s = session_kwh, at, session_s

    def _clock_restarted(
        self, session_kwh: float, session_s: int | None, max_kw: float
    ) -> bool:
        """Return True when the session clock went back and the energy fits it."""
        return clock_restarted(
            self.session_kwh, self.session_s, session_kwh, session_s, max_kw
        )

    def _resume_banked(
        self, session_kwh: float, at: datetime, max_kw: float, session_s: int | None
    ) -> None:
        """Take back a session banked by a dip when its reading comes back."""
        if self._banked_last is None:
            return
        banked, banked_at = self._banked_last
        since = _deliverable_kwh(banked_at, at, max_kw)
        # Never below the total already shown: the Energy dashboard reads a meter.
        if banked + (self.session_kwh or 0.0) <= session_kwh <= banked + since:
            self.banked_kwh -= banked
            self._take(session_kwh, at, session_s)
            self._banked_last = None

    def raise_to(self, total_kwh: float) -> None:
        """Never show less than a total already shown (an older save was restored)."""
        current = self.banked_kwh + (self.session_kwh or 0.0)
        if math.isfinite(total_kwh) and total_kwh > current:
            self.banked_kwh += total_kwh - current

    def _allowance(self, at: datetime, max_kw: float, session_s: int | None) -> float:
        """Return the most energy the charger can have delivered since read_at.

        By the wall clock, unless the host's clock went back since (NTP
        setting right a clock that ran ahead): the last reading then looks
        later than this one and nothing would be allowed for as long as the
        step, a new session's energy refused and lost. The session's own
        clock tells then, all of it for a session begun since.
        """
        if self.read_at is None or at >= self.read_at or session_s is None:
            return _deliverable_kwh(self.read_at, at, max_kw)
        elapsed_s = session_s
        if self.session_s is not None and not clock_went_back(
            self.session_s, session_s
        ):
            elapsed_s = max(session_s - self.session_s, 0)
        return _deliverable_in(elapsed_s, max_kw)

    def as_dict(self) -> dict[str, Any]:
        """Return the data to store across restarts."""
        return {
            "banked_kwh": self.banked_kwh,
            "session_kwh": self.session_kwh,
            "read_at": _isoformat(self.read_at),
            "session_s": self.session_s,
            # A dip is written at once, as a session banked: a reload, restart
            # or crash before the session's reading comes back must still undo it.
            "banked_last": None
            if self._banked_last is None
            else {
                "session_kwh": self._banked_last[0],
                "read_at": _isoformat(self._banked_last[1]),
            },
        }

    @classmethod
    def from_dict(cls, restored: dict[str, Any]) -> Self | None:
        """Rebuild the stored data; None when it is unusable."""
        try:
            banked = float(restored["banked_kwh"])
            session = restored["session_kwh"]
            read_at = restored.get("read_at")
            clock = restored.get("session_s")
            energy = cls(
                banked,
                None if session is None else float(session),
                None if read_at is None else datetime.fromisoformat(read_at),
                # An unusable clock only costs the clock rule, not the total.
                clock if isinstance(clock, int) and clock >= 0 else None,
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        values = [energy.banked_kwh, energy.session_kwh or 0.0]
        if any(not math.isfinite(value) or value < 0 for value in values) or (
            energy.read_at is not None and energy.read_at.tzinfo is None
        ):
            return None
        # Older saves have none; an unusable one only costs the undo of a dip.
        energy._banked_last = _banked_last_from(
            restored.get("banked_last"), energy.banked_kwh
        )
        return energy


def _isoformat(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


def _banked_last_from(
    saved: Any, banked_kwh: float
) -> tuple[float, datetime | None] | None:
    """Return the saved session a dip banked, None when it cannot be undone."""
    if not isinstance(saved, dict):
        return None
    try:
        kwh = float(saved["session_kwh"])
        read_at = saved.get("read_at")
        at = None if read_at is None else datetime.fromisoformat(read_at)
    except (KeyError, TypeError, ValueError):
        return None
    # A dip banks the session it undoes: more than the banked total is damage.
    if not math.isfinite(kwh) or not 0 <= kwh <= banked_kwh:
        return None
    if at is not None and at.tzinfo is None:
        return None
    return kwh, at


def _deliverable_kwh(since: datetime | None, at: datetime, max_kw: float) -> float:
    """Return the most energy a charger can deliver between two readings."""
    if since is None:
        return MAX_SESSION_KWH
    return _deliverable_in(max((at - since).total_seconds(), 0.0), max_kw)


def _deliverable_in(seconds: float, max_kw: float) -> float:
    """Return the most energy a charger can deliver in this many seconds, and a step's slack."""
    return max_kw * seconds / 3600 + STEP_SLACK_KWH


def charger_max_kw(power_w: float | None, max_power_w: float | None) -> float:
    """Return the most power a charger may deliver, from what it reports."""
    reported = max(power_w or 0.0, max_power_w or 0.0) / 1000 * 1.25
    return min(max(reported, MIN_CHARGER_KW), PHYSICAL_MAX_KW)
