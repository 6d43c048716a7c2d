"""Space out setup attempts, so Home Assistant's retries do not spend the quota.

Home Assistant retries a setup that raised ConfigEntryNotReady every 80 s at
most: with the cloud down, or an account whose chargers were all unpaired, that
is over a thousand calls a day. An attempt is only let through once the server
no longer refuses calls, the last count of the quota leaves a call for a
command, and the wait after the last failed attempt is over; the wait doubles
with each failure in a row.

A setup is let through as long as a command could go out: within the share, or
past a spent share while the commands' reserve has calls, since the entry must
be loaded for its controls to send them (a reload after the share was lowered,
a restart). Its reads then come on top of the share, as the reserve's commands
do. Once the reserve is spent too it waits for the reset: polling has stopped
and every command would be refused, so its calls would buy nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.util.hass_dict import HassKey

from .budget import QuotaPlanner
from .const import DOMAIN
from .helpers import format_reset_time

FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(minutes=30)
# Doublings past the longest wait only grow the number: about 40 overflow a
# timedelta, which a day of failures reaches.
_MOST_DOUBLINGS = (LONGEST_WAIT // FIRST_WAIT).bit_length()


@dataclass
class _Failures:
    count: int
    retry_at: datetime


_FAILURES: HassKey[dict[str, _Failures]] = HassKey(f"{DOMAIN}_setup_failures")
# A pause a short window asked for is saved with the planner, but a reload that
# starts the planner afresh (another key or server, a damaged file) must honour
# it too: kept here as well, from the unload to the setup.
_PAUSES: HassKey[dict[str, datetime]] = HassKey(f"{DOMAIN}_setup_pauses")


class SetupGate:
    """Let a setup attempt of one entry call the cloud, or make it wait."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Share the failures of earlier attempts of this entry."""
        self._failures = hass.data.setdefault(_FAILURES, {})
        self._pauses = hass.data.setdefault(_PAUSES, {})
        self._entry_id = entry_id

    def check(self, planner: QuotaPlanner, now: datetime) -> None:
        """Raise ConfigEntryNotReady, without a call, while an attempt must wait."""
        refused_until = planner.refused_until(now) or planner.spent_until(now)
        if refused_until is not None:
            # A short window's pause, saved with the planner, is no spent day,
            # even while polling also waits for the reset to keep the reserve.
            paused = refused_until == planner.paused_until(now)
            raise ConfigEntryNotReady(
                translation_domain=DOMAIN,
                translation_key="throttled" if paused else "quota_exhausted",
                translation_placeholders={"time": format_reset_time(refused_until)},
            )
        paused_until = self._pauses.pop(self._entry_id, None)
        if paused_until is not None and now < paused_until:
            self._pauses[self._entry_id] = paused_until
            raise ConfigEntryNotReady(
                translation_domain=DOMAIN,
                translation_key="throttled",
                translation_placeholders={"time": format_reset_time(paused_until)},
            )
        failures = self._failures.get(self._entry_id)
        if failures is not None and now < failures.retry_at:
            raise ConfigEntryNotReady(
                translation_domain=DOMAIN,
                translation_key="setup_waits",
                translation_placeholders={"time": format_reset_time(failures.retry_at)},
            )

    def failed(self, now: datetime, *, at_least: timedelta | None = None) -> None:
        """Make the next attempt wait twice as long as the last one did, or at_least."""
        previous = self._failures.get(self._entry_id)
        count = 1 if previous is None else previous.count + 1
        wait = min(FIRST_WAIT * 2 ** min(count - 1, _MOST_DOUBLINGS), LONGEST_WAIT)
        if at_least is not None:
            wait = max(wait, at_least)
        self._failures[self._entry_id] = _Failures(count, now + wait)

    def leaving(self, planner: QuotaPlanner, now: datetime) -> None:
        """Keep, for the next setup of this entry, a short pause the server asked for.

        A day's 429 is saved with the planner, for the key it came with.
        """
        if until := planner.paused_until(now):
            self._pauses[self._entry_id] = until

    def succeeded(self) -> None:
        """Forget the failures: the next setup (a reload, a restart) goes ahead."""
        self._failures.pop(self._entry_id, None)


def async_forget_failures(hass: HomeAssistant, entry_id: str) -> None:
    """Let the next setup of an entry go ahead, whatever its earlier attempts did.

    For a key or server a flow has just checked: the wait earned by the old
    one's failures is not the new one's. A pause the server asked for stays.
    """
    hass.data.get(_FAILURES, {}).pop(entry_id, None)


def async_forget_entry(hass: HomeAssistant, entry_id: str) -> None:
    """Drop what the gate keeps for an entry that was removed.

    Kept over an unload on purpose, for the reload that follows, it would
    otherwise stay until Home Assistant stops: no setup of that entry comes.
    """
    for key in (_FAILURES, _PAUSES):
        hass.data.get(key, {}).pop(entry_id, None)
