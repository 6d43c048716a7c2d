"""Quota planner: when to spend the V2C Cloud's 1,000 calls a day.

Why it works the way it does:

* The RateLimit-* headers are the truth, because other programs may spend the
  same key's quota. Between responses the planner subtracts its own calls and
  what other programs usually spend; it never trusts its own count over a header.
  Headers are compared on the calls used (limit less Remaining): a limit changed
  mid-day books nothing on other programs and is no reset.
* The window is a fixed day ending at 00:00 UTC until the server shows otherwise:
  a RateLimit-Reset header, a 429's reset, or Remaining jumping back close to the
  limit (not a few dozen calls up: gateway nodes lagging) moves the
  learned moment (to the latest round time the jump could have happened at, as
  gateways reset on round times). A rollover made by the clock stays provisional
  until the next header proves it; if the quota did not come back, the rollover
  is undone and the planner probes hourly. Until the moment is learned, each
  probe may cost one call of the reserve; after that, none. The probe's hour is
  no end to plan to: the calls left are spread as if the reset came a whole
  window after the one expected, as a fixed interval would spread them.
* Polling may only spend what is left above the command reserve and above the
  part of the limit that belongs to other programs (quota_share). Commands may
  also use the reserve, so they are refused only when nothing is left, or after
  a real 429 until the reset.
* Calls are planned over the time left until the reset, and replanned from the
  truth at every decision, so a long charge, a command storm or a busy neighbour
  stretches intervals instead of overspending.
* The yardstick is the baseline: the interval a fixed poller spreading the
  day's calls (after other programs and the reserve) evenly over every charger
  would use. A car plugged in that has not charged yet is read at the
  baseline: its charge will start (by the car or a timer) at a moment nothing
  announces. So is a car whose charge a timer's window cut (its stop seen once
  the window closed): it is not full, the next opening starts it again. An empty charger that has never seen a car is read as one with
  no routine known, but at least every four minutes where the baseline allows
  it. A car in exclusive PV without sun is not awaited so:
  the sun announces its start. Any other charger that is not charging is read
  more slowly than the baseline, by how unlikely a charge start is: 1.5
  baselines when no routine is known (a start is seen after 1.5 times a fixed
  poller's average delay, about 1.9 times when calls run short and the slow
  targets stretch), up to 8 baselines in the quiet hours of a known arrival
  routine (only once the plug-ins are too close together to be chance, as far
  from the traced arrivals as they spread, deepening from 1.5 baselines as a
  fading count of recent plug-ins grows to four), 16 baselines once a charge
  ended by itself (a full car) where full cars stay full (once one charged
  again by itself, full cars are read at the baseline, slower only in the
  quiet hours of a routine of such restarts), more often around a usual
  arrival or restart time (never more slowly than the baseline there) and for a car waiting for the sun (in step with
  the charging interval). An offline
  charger is watched as an empty one: a car may arrive during the outage.
* A charge that starts by itself at the same moment every day (a car's own
  schedule) announces nothing either, but where the last starts all fell
  between two reads says where the next will: once two or three recent ones
  share a stretch of at most 20 minutes, it is read halfway through and at its
  end, halving the stretch each day, down to one read at the moment.
* A read the cloud does not answer (5xx, timeout, 401) still counts against
  the quota and makes nothing fresher, so failed reads in a row back off from
  the planned interval to the baseline, never further: the cloud's return is
  seen as soon as a fixed poller would see it.
* What those targets, the expected commands (learned per day, or today's pace
  if busier, plus two deviations of a random count so a busy hour is not paid
  from the reserve; spread over the hours of the day as they usually come,
  with a tenth of them at any hour) and maintenance (periodic reads, stretched to at most a
  tenth of a day's calls on a small key) leave goes to charging, spread over the
  charging time still expected before the reset: learned per charger as an
  average and a spread over the days with a charge (days without a car only
  lower the daily average that budgets the days ahead), and planned as what a
  day that has lasted this long still has to come (the mean residual of a
  normal spread: the average at first, a shrinking share of the spread once
  overdue). The time a charge might run beyond that stays fundable at the
  baseline rate: until three windows with a charge taught its length, and
  after a week without a charge, any time up to the reset; then up to the longest day lately (a maximum fading over
  weeks, plus a margin) or three spreads, at least half an hour, with a slow
  tail for the rest of the window. A charge longer than anything learned is
  planned to last until the reset: what is left is spread evenly, never spent
  first and missed at the end.
* When the calls run short, slow targets give up a quarter first, then
  charging slows down below the baseline (to twice it), then everything
  stretches together.
* Calls that no charge could use before the reset are lost at the reset, so
  they are spent on faster polling as the reset approaches.
* Time is always an argument, never read from the system, so tests and the
  benchmark drive the planner with a virtual clock and get identical results.
"""

from .models import (
    CAR_HELD,
    CallKind,
    ChargerActivity,
    ChargerSnapshot,
    PlannerSettings,
    PlannerSnapshot,
    QuotaExhaustedError,
    ThrottledError,
)
from .planner import QuotaPlanner

__all__ = [
    "CAR_HELD",
    "CallKind",
    "ChargerActivity",
    "ChargerSnapshot",
    "PlannerSettings",
    "PlannerSnapshot",
    "QuotaExhaustedError",
    "QuotaPlanner",
    "ThrottledError",
]
