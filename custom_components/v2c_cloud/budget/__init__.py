"""Quota planner: when to spend the V2C Cloud's 1,000 calls a day.

Why it works the way it does:

* The RateLimit-* headers are the truth, because other programs may spend the
  same key's quota. Between responses the planner subtracts its own calls and
  what other programs usually spend; it never trusts its own count over a header.
* The window is a fixed day ending at 00:00 UTC until the server shows otherwise:
  a RateLimit-Reset header, a 429's reset, or Remaining jumping up moves the
  learned moment (to the latest round time the jump could have happened at, as
  gateways reset on round times). A rollover made by the clock stays provisional
  until the next header proves it; if the quota did not come back, the rollover
  is undone and the planner probes hourly. Until the moment is learned, each
  probe may cost one call of the reserve; after that, none.
* Polling may only spend what is left above the command reserve and above the
  part of the limit that belongs to other programs (quota_share). Commands may
  also use the reserve, so they are refused only when nothing is left, or after
  a real 429 until the reset.
* Calls are planned over the time left until the reset, and replanned from the
  truth at every decision, so a long charge, a command storm or a busy neighbour
  stretches intervals instead of overspending.
* Idle, plugged and offline chargers get unhurried targets (a plug-in is noticed
  within minutes). What the targets, the expected commands (learned per day,
  or today's pace if busier) and maintenance leave goes to charging, spread over
  the charging time still expected before the reset (learned per charger with
  its day-to-day spread, planned one spread long), not over the whole remaining
  day: fresh data now, without starving the end of a long charge.
* Staleness counts from the moment a charge starts, seen or not, so chargers
  where a charge may start unannounced are watched in step with the charging
  interval: a car waiting for the sun (WAITING, twice the interval) and an empty
  charger around the time a car usually arrives (four times). Away from a known
  arrival routine an empty charger, and a car whose charge ended by itself (a
  full battery, not a paused charge), are watched less.
* When the calls run short, idle polling gives up a quarter of its target first,
  then charging slows down to twice its floor of "four times fresher than a
  naive fixed-interval poller", then everything stretches together.
* Calls that no charge could use before the reset are lost at the reset, so
  they are spent on faster polling as the reset approaches.
* Time is always an argument, never read from the system, so tests and the
  benchmark drive the planner with a virtual clock and get identical results.
"""

from .models import (
    CallKind,
    ChargerActivity,
    ChargerSnapshot,
    PlannerSettings,
    PlannerSnapshot,
    QuotaExhaustedError,
)
from .planner import QuotaPlanner

__all__ = [
    "CallKind",
    "ChargerActivity",
    "ChargerSnapshot",
    "PlannerSettings",
    "PlannerSnapshot",
    "QuotaExhaustedError",
    "QuotaPlanner",
]
