"""The planner's mutable state and its persisted form."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
import math
from typing import Any

from .apply_wait import ApplyWait, apply_wait_from
from .arrivals import habit_from, new_habit
from .commands import even_profile, profile_from
from .models import CallKind, ChargerActivity
from .punctual import Punctual, punctual_from
from .restarts import Restarts, restarts_from
from .timekeeping import as_utc

STATE_VERSION = 1
DEFAULT_COMMANDS = 5.0
DEFAULT_CHARGE_S = 4 * 3600.0


@dataclass
class Window:
    """Calls and charging counted since the quota last reset."""

    start: datetime
    since: datetime
    calls: dict[CallKind, int] = field(default_factory=dict)
    others: int = 0
    others_since: datetime | None = None
    charged_s: dict[str, float] = field(default_factory=dict)
    # Commands and their confirmations per half hour of the day (UTC).
    command_slots: dict[int, int] = field(default_factory=dict)

    @property
    def ours(self) -> int:
        """Return every call this integration made in the window."""
        return sum(self.calls.values())

    def count(self, *kinds: CallKind) -> int:
        """Return the calls of the given kinds."""
        return sum(self.calls.get(kind, 0) for kind in kinds)

    def absorb(self, later: Window) -> None:
        """Add a window that turned out to belong to this one."""
        for kind, calls in later.calls.items():
            self.calls[kind] = self.calls.get(kind, 0) + calls
        for device_id, seconds in later.charged_s.items():
            self.charged_s[device_id] = self.charged_s.get(device_id, 0.0) + seconds
        for slot, calls in later.command_slots.items():
            self.command_slots[slot] = self.command_slots.get(slot, 0) + calls
        self.others += later.others


@dataclass
class ChargerState:
    """What the planner tracks per charger."""

    activity: ChargerActivity
    since: datetime
    charge_ewma_s: float = DEFAULT_CHARGE_S
    # Exponentially weighted variance of the daily charging time.
    charge_var_s2: float = 0.0
    # The same two over the days with a charge only: how long a charge runs
    # once it has started, which days without a car do not shorten.
    length_ewma_s: float = DEFAULT_CHARGE_S
    length_var_s2: float = 0.0
    # Whole windows with a charge the charging time was learned from.
    charge_days: int = 0
    # The longest daily charging time lately; it fades slowly, so a long day
    # is remembered for weeks.
    charge_longest_s: float = 0.0
    # Whole windows in a row without a charge since the last one.
    days_without_charge: int = 0
    arrivals: list[float] = field(default_factory=new_habit)
    # Since when the planner has known the charger: a first car is watched for
    # closely only on the first day (None: not known yet, so still the first).
    watched_since: datetime | None = None
    # Whether the car plugged in now has charged yet (until it has, a timer or
    # the car itself starts its charge; a charge its timer's window cut leaves
    # it waiting again), and whether that charge ended by itself: a restart
    # cannot see either again while the car stays.
    charged_since_plug_in: bool = False
    charge_ended: bool = False
    restarts: Restarts = field(default_factory=Restarts)
    punctual: Punctual = field(default_factory=Punctual)
    # How long the charger lately took to apply a command: kept, so a slow
    # charger is not relearned with a wasted read after every restart.
    apply_wait: ApplyWait = field(default_factory=ApplyWait)
    last_poll_at: datetime | None = None
    confirm_at: datetime | None = None
    # Not persisted: they describe the moment, and a restart re-learns them.
    commanded_at: datetime | None = None
    # No read yet once the last command had time to apply: a charge seen
    # until then may be its doing (a raised energy target), not a restart.
    command_unread: bool = False
    offline_since: datetime | None = None
    # What it was doing when it went silent: a charge goes on unseen, and a
    # car that had not charged yet may start unseen (a timer's charge).
    offline_from: ChargerActivity | None = None
    # Since when the cloud has answered none of the charger's reads.
    unanswered_since: datetime | None = None
    # When the charger's own timer next lets a waiting car start, when a
    # timer's window next closes (the end of a charge it allows), and when
    # one last closed.
    opening_at: datetime | None = None
    closing_at: datetime | None = None
    closed_at: datetime | None = None
    # The last read's moment: a charge seen starting now started after it.
    read_at: datetime | None = None
    # The first read since the planner was made or restored, and the last
    # read that saw a car, its leaving, or the charger silent or back from
    # silence: since then a session may have ended (the cloud lists it then).
    watched_from: datetime | None = None
    busy_at: datetime | None = None


@dataclass
class Maintenance:
    """A periodic slow read and when it last ran."""

    every_s: float
    asked_at: datetime
    done_at: datetime | None = None


@dataclass
class HeldCharger:
    """A charger left out of the plan, with what was learned of it.

    Still paired but not read by this entry for now (its device disabled,
    another entry runs it): it takes no share of the plan and learns nothing
    from days it was not read, and its periodic reads do not stretch the
    others'. Read again, it comes back as after a restart.
    """

    charger: ChargerState
    maintenance: dict[str, Maintenance] = field(default_factory=dict)


@dataclass
class PreRoll:
    """A window closed by the clock, kept until a header proves the reset."""

    window: Window
    header_remaining: int | None
    header_at: datetime | None
    remaining: int
    probe: bool
    learnable: bool
    # Closed at a moment a RateLimit-Reset header announced.
    announced: bool = False
    # Our calls not counted in the last header when the window closed: one of
    # them answered after the reset may have been counted before it.
    uncounted: int = 0


@dataclass
class PlannerState:
    """Everything the planner knows; headers overwrite the estimates."""

    limit: int
    remaining: int
    reset_at: datetime
    reset_offset_s: float
    window: Window
    header_remaining: int | None = None
    header_at: datetime | None = None
    calls_since_header: int = 0
    # Of those, calls a header took as not counted yet that then ended without
    # an answer: the next header's gap settles whether that header counted
    # them after all (rollover.observe_header).
    unanswered: int = 0
    # Calls the last header blamed on other programs. Not saved: an answer
    # counted before that header, arriving after it, shows one was ours.
    header_others: int = 0
    # The last run ended without saving its latest counts (a crash): the next
    # header's gap since the saved count is ours. Saved until a header comes,
    # as a setup that fails before any answer ends cleanly, gap unexplained.
    counts_lost: bool = False
    # At most this many calls of that gap are ours: what the plan at the last
    # save spends while a save may wait (None: no bound known, all of it).
    lost_at_most: int | None = None
    # Our calls per second at the plan when the state was last saved.
    pace_per_s: float | None = None
    # Calls the last header took for ours the crash left uncounted, not saved
    # for the same reason as header_others.
    header_lost: int = 0
    pre_roll: PreRoll | None = None
    probing: bool = False
    # Whether reset_at is a RateLimit-Reset header's, and whether such headers
    # are believed: one whose reset the quota did not confirm is not again.
    reset_announced: bool = False
    reset_header_trusted: bool = True
    # The reset as the quota coming back showed it (00:00 UTC until then):
    # what a discredited header's moments give way to.
    proven_offset_s: float = 0.0
    rate_limited_until: datetime | None = None
    # Every call waits until then after a 429 of a window shorter than the day.
    # Saved: such a window may ask for up to a day (an hourly one, 50 min), and
    # a restart calling into it at once gets another 429.
    throttled_until: datetime | None = None
    # 429s without any header taken as pauses in a row, no header between:
    # kept with the pause, or a restart would start the doubling over.
    bare_pauses: int = 0
    command_ewma: float = DEFAULT_COMMANDS
    # The share of a usual day's commands in each half hour.
    command_profile: list[float] = field(default_factory=even_profile)
    other_ewma: float = 0.0
    chargers: dict[str, ChargerState] = field(default_factory=dict)
    maintenance: dict[str, Maintenance] = field(default_factory=dict)
    # Chargers left out of the plan that keep what was learned (HeldCharger).
    held: dict[str, HeldCharger] = field(default_factory=dict)


# The parts of a saved state that outlive the quota it counted (a new key of
# the account, another server): what the chargers and the user taught the
# planner, and when the chargers' periodic reads last ran. The rest is the
# old key's count: its limit, calls left and window, its headers, reset
# moment and 429 pauses, and other programs' pace on it. A part added later
# is the key's unless listed here.
CARRIED_OVER = (
    "chargers",
    "maintenance",
    "held",
    "command_ewma",
    "command_profile",
)


def carry_over(saved: dict[str, Any], fresh: dict[str, Any]) -> dict[str, Any]:
    """Return the fresh state with the parts of the saved one that outlive its quota.

    Both are as state_to_dict writes them. The saved version comes along: a
    newer layout is refused as a whole, as in any restore.
    """
    kept = {part: saved[part] for part in CARRIED_OVER if part in saved}
    return {**fresh, **kept, "version": saved.get("version")}


def state_to_dict(state: PlannerState) -> dict[str, Any]:
    """Return a JSON-ready copy of the state worth keeping across restarts.

    A rollover still awaiting proof is kept as made: the next header corrects
    the estimate, and a reset that comes later shows up as a jump.
    """
    return {
        "version": STATE_VERSION,
        "limit": state.limit,
        "remaining": state.remaining,
        "reset_at": state.reset_at.isoformat(),
        "reset_offset_s": state.reset_offset_s,
        "window": _window_to_dict(state.window),
        "header_remaining": state.header_remaining,
        "header_at": _iso(state.header_at),
        "calls_since_header": state.calls_since_header,
        "unanswered": state.unanswered,
        "counts_lost": state.counts_lost,
        "lost_at_most": state.lost_at_most,
        "pace_per_s": state.pace_per_s,
        "probing": state.probing,
        "reset_announced": state.reset_announced,
        "reset_header_trusted": state.reset_header_trusted,
        "proven_offset_s": state.proven_offset_s,
        "rate_limited_until": _iso(state.rate_limited_until),
        "throttled_until": _iso(state.throttled_until),
        "bare_pauses": state.bare_pauses,
        "command_ewma": state.command_ewma,
        "command_profile": list(state.command_profile),
        "other_ewma": state.other_ewma,
        "chargers": {
            device_id: charger_to_dict(charger)
            for device_id, charger in state.chargers.items()
        },
        "maintenance": _jobs_to_dict(state.maintenance),
        "held": {
            device_id: {
                "charger": charger_to_dict(held.charger),
                "maintenance": _jobs_to_dict(held.maintenance),
            }
            for device_id, held in state.held.items()
        },
    }


def state_from_dict(data: dict[str, Any], now: datetime) -> PlannerState:
    """Rebuild a state saved by state_to_dict; raise ValueError if unreadable."""
    if data.get("version") != STATE_VERSION:
        raise ValueError(f"unsupported planner state version {data.get('version')}")
    try:
        return PlannerState(
            limit=int(data["limit"]),
            remaining=int(data["remaining"]),
            reset_at=_parse(data["reset_at"]),
            reset_offset_s=float(data["reset_offset_s"]),
            window=_window_from_dict(data["window"]),
            header_remaining=_optional_int(data["header_remaining"]),
            header_at=_parse_optional(data["header_at"]),
            calls_since_header=int(data["calls_since_header"]),
            # Saved before unanswered calls were settled: none to settle.
            unanswered=int(data.get("unanswered", 0)),
            counts_lost=bool(data.get("counts_lost", False)),
            # Saved before the gap was bounded: all of it is ours, as then.
            lost_at_most=_optional_count(data.get("lost_at_most")),
            pace_per_s=_optional_pace(data.get("pace_per_s")),
            probing=bool(data["probing"]),
            reset_announced=bool(data.get("reset_announced", False)),
            reset_header_trusted=bool(data.get("reset_header_trusted", True)),
            # Saved before headers could be discredited: the reset then in use.
            proven_offset_s=float(data.get("proven_offset_s", data["reset_offset_s"])),
            rate_limited_until=_parse_optional(data["rate_limited_until"]),
            # Saved before pauses were kept: none known, as after any restart then.
            throttled_until=_parse_optional(data.get("throttled_until")),
            bare_pauses=int(data.get("bare_pauses", 0)),
            command_ewma=float(data["command_ewma"]),
            command_profile=profile_from(data.get("command_profile")),
            other_ewma=float(data["other_ewma"]),
            chargers={
                str(device_id): charger_from_dict(charger, now)
                for device_id, charger in data["chargers"].items()
            },
            maintenance=_jobs_from_dict(data["maintenance"]),
            # Saved before chargers were held: none was, a held one forgotten.
            held={
                str(device_id): HeldCharger(
                    charger=charger_from_dict(held["charger"], now),
                    maintenance=_jobs_from_dict(held["maintenance"]),
                )
                for device_id, held in data.get("held", {}).items()
            },
        )
    except (KeyError, TypeError, AttributeError, ValueError, OverflowError) as err:
        raise ValueError(f"unreadable planner state: {err!r}") from err


def charger_to_dict(charger: ChargerState) -> dict[str, Any]:
    """Return a JSON-ready copy of what a charger's state keeps across restarts."""
    return {
        "activity": charger.activity.value,
        "charge_ewma_s": charger.charge_ewma_s,
        "charge_var_s2": charger.charge_var_s2,
        "length_ewma_s": charger.length_ewma_s,
        "length_var_s2": charger.length_var_s2,
        "charge_days": charger.charge_days,
        "charge_longest_s": charger.charge_longest_s,
        "days_without_charge": charger.days_without_charge,
        "arrivals": list(charger.arrivals),
        "watched_since": _iso(charger.watched_since),
        "charged_since_plug_in": charger.charged_since_plug_in,
        "charge_ended": charger.charge_ended,
        "restarts": charger.restarts.as_dict(),
        "punctual": charger.punctual.as_dict(),
        "apply_wait": charger.apply_wait.as_dict(),
    }


def charger_from_dict(charger: dict[str, Any], now: datetime) -> ChargerState:
    """Rebuild a charger's state saved by charger_to_dict, as met again now."""
    return ChargerState(
        activity=_activity(charger["activity"]),
        since=now,
        charge_ewma_s=float(charger["charge_ewma_s"]),
        charge_var_s2=float(charger.get("charge_var_s2", 0.0)),
        # Saved before charge lengths were kept apart: the daily figures are
        # the closest estimate.
        length_ewma_s=float(charger.get("length_ewma_s", charger["charge_ewma_s"])),
        length_var_s2=float(
            charger.get("length_var_s2", charger.get("charge_var_s2", 0.0))
        ),
        charge_days=int(charger.get("charge_days", 0)),
        charge_longest_s=float(charger.get("charge_longest_s", 0.0)),
        days_without_charge=int(charger.get("days_without_charge", 0)),
        arrivals=habit_from(charger.get("arrivals")),
        # Saved before it was kept: a first day from now.
        watched_since=_parse_optional(charger.get("watched_since")) or now,
        # A state saved before these were kept: as before, a car already there
        # is taken to have charged, not to be full.
        charged_since_plug_in=bool(charger.get("charged_since_plug_in", True)),
        charge_ended=bool(charger.get("charge_ended", False)),
        restarts=restarts_from(charger.get("restarts")),
        punctual=punctual_from(charger.get("punctual")),
        # Saved before too-early waits were kept: the wait alone.
        apply_wait=apply_wait_from(
            charger.get("apply_wait", charger.get("apply_wait_s"))
        ),
    )


def _jobs_to_dict(jobs: dict[str, Maintenance]) -> dict[str, Any]:
    """Return a JSON-ready copy of periodic reads."""
    return {
        key: {
            "every_s": job.every_s,
            "asked_at": job.asked_at.isoformat(),
            "done_at": _iso(job.done_at),
        }
        for key, job in jobs.items()
    }


def _jobs_from_dict(data: dict[str, Any]) -> dict[str, Maintenance]:
    """Rebuild periodic reads saved by _jobs_to_dict."""
    return {
        str(key): Maintenance(
            every_s=_period(job["every_s"]),
            asked_at=_parse(job["asked_at"]),
            done_at=_parse_optional(job["done_at"]),
        )
        for key, job in data.items()
    }


def _window_to_dict(window: Window) -> dict[str, Any]:
    """Return a JSON-ready copy of a window."""
    return {
        "start": window.start.isoformat(),
        "since": window.since.isoformat(),
        "calls": {kind.value: calls for kind, calls in window.calls.items()},
        "others": window.others,
        "others_since": _iso(window.others_since),
        "charged_s": dict(window.charged_s),
        "command_slots": {
            str(slot): calls for slot, calls in window.command_slots.items()
        },
    }


def _window_from_dict(data: dict[str, Any]) -> Window:
    """Rebuild a window saved by _window_to_dict."""
    return Window(
        start=_parse(data["start"]),
        since=_parse(data["since"]),
        calls=_calls(data["calls"]),
        others=int(data["others"]),
        others_since=_parse_optional(data["others_since"]),
        charged_s={
            str(device_id): float(seconds)
            for device_id, seconds in data["charged_s"].items()
        },
        # Saved before commands were counted by the hour: the window's hours
        # are unknown, and it teaches nothing about them.
        command_slots={
            int(slot): int(calls)
            for slot, calls in data.get("command_slots", {}).items()
        },
    )


def _activity(value: Any) -> ChargerActivity:
    """Return a saved activity; one a newer revision added (or unreadable) is IDLE.

    Why IDLE: a restored activity lasts until the charger's first read, due
    at once (the last poll is not saved), which is compared with it. From
    IDLE, a car found there counts as an arrival at the restart, one sample
    of a fading routine, as for a charger met for the first time. From
    CHARGING, a car found plugged in would pass for a charge that stopped by
    itself: a full car, read up to 16 baselines apart, its next start (a
    timer's) missed for hours.
    """
    try:
        return ChargerActivity(value)
    except ValueError:
        return ChargerActivity.IDLE


def _calls(data: dict[str, Any]) -> dict[CallKind, int]:
    """Return a window's calls by kind; kinds a newer revision added count as polls.

    Only the split by kind is lost: every call still counts against the share
    (Window.ours), as the calls left did, so the two stay consistent. A poll is
    what the planner books calls it cannot tell apart as (a crash's gap), and
    teaches nothing: commands would raise the daily commands learned.
    """
    calls: dict[CallKind, int] = {}
    for value, count in data.items():
        try:
            kind = CallKind(value)
        except ValueError:
            kind = CallKind.POLL
        calls[kind] = calls.get(kind, 0) + int(count)
    return calls


def _iso(moment: datetime | None) -> str | None:
    """Return an ISO 8601 string, or None."""
    return None if moment is None else moment.isoformat()


def _period(value: Any) -> float:
    """Return a periodic read's period; a hand-edited 0 would divide every plan."""
    seconds = float(value)
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"period of {seconds} s")
    return seconds


def _parse(text: str) -> datetime:
    """Return the UTC moment an ISO 8601 string names."""
    return as_utc(datetime.fromisoformat(text))


def _parse_optional(text: str | None) -> datetime | None:
    """Return the UTC moment an optional ISO 8601 string names."""
    return None if text is None else _parse(text)


def _optional_int(value: Any) -> int | None:
    """Return an int, or None."""
    return None if value is None else int(value)


def _optional_pace(value: object) -> float | None:
    """Read a saved pace; None, as if not saved, when it is not a usable one."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    return float(value) if math.isfinite(value) and value >= 0 else None


def _optional_count(value: object) -> int | None:
    """Read a saved bound on calls; None, as if not saved, when it is not one."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return None
    return value
