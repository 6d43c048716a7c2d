"""When commands usually come: the share of a day's commands in each half hour.

Calls kept for commands a window will not see are spent only at its very end,
when no charge can use them any more. Commands follow the user's day (a car
started in the evening, automations at fixed hours), so the calls kept for
them follow it too: little through hours that never saw one, all of a day's
count once its usual hours are still to come.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
import math

from .arrivals import SLOT_S, SLOTS, slot_of, slot_weights_from
from .timekeeping import DAY_S, offset_of, seconds_between

# Each learned window moves the profile this far towards its own hours: a
# changed routine is followed within a week.
_WEIGHT = 0.3
# Commands come at random moments, some at hours none came before: this share
# of a day's count is always expected spread evenly over the day.
_EVEN_SHARE = 0.1


def even_profile() -> list[float]:
    """Return the profile of commands spread evenly over the day."""
    return [1 / SLOTS] * SLOTS


def learn(profile: list[float], slots: Mapping[int, int]) -> None:
    """Move the profile towards the hours of one finished window's commands."""
    total = sum(slots.values())
    if total <= 0:
        # A day without commands says nothing about their hours.
        return
    for slot in range(SLOTS):
        profile[slot] += _WEIGHT * (slots.get(slot, 0) / total - profile[slot])


def record(slots: dict[int, int], moment: datetime) -> None:
    """Count one command call in its half hour."""
    slot = slot_of(moment)
    slots[slot] = slots.get(slot, 0) + 1


def unrecord(slots: dict[int, int], moment: datetime) -> None:
    """Take back one command call counted in its half hour."""
    slot = slot_of(moment)
    if slots.get(slot, 0) > 1:
        slots[slot] -= 1
    else:
        slots.pop(slot, None)


def share_between(profile: list[float], start: datetime, end: datetime) -> float:
    """Return the share of a usual day's commands that come from start to end."""
    span_s = seconds_between(start, end)
    if span_s <= 0:
        return 0.0
    days, rest_s = divmod(span_s, DAY_S)
    learned = days + _share_of_part(profile, start, rest_s)
    return (1 - _EVEN_SHARE) * learned + _EVEN_SHARE * span_s / DAY_S


def _share_of_part(profile: list[float], start: datetime, span_s: float) -> float:
    """Return the profile's share over less than a day from start."""
    share = 0.0
    slot = slot_of(start)
    into_slot_s = offset_of(start) % SLOT_S
    while span_s > 0:
        covered_s = min(SLOT_S - into_slot_s, span_s)
        share += profile[slot] * covered_s / SLOT_S
        span_s -= covered_s
        slot = (slot + 1) % SLOTS
        into_slot_s = 0.0
    return share


def profile_from(data: object) -> list[float]:
    """Rebuild a saved profile; anything unreadable is spread evenly."""
    profile = slot_weights_from(data)
    total = 0.0 if profile is None else sum(profile)
    if profile is None or not 0 < total < math.inf:
        return even_profile()
    return [share / total for share in profile]
