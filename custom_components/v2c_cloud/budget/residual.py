"""How much longer a day of charging likely lasts, given how long it has lasted.

A day's charging time is learned as an average and a spread. Planning every
charge for the average plus a spread wastes the calls of every short day; for
the average alone starves every long one at its end. The mean residual life of
a normal spread does neither: at first it is the average minus what has been
charged, and once the day is overdue it shrinks slowly, never to nothing.
"""

from __future__ import annotations

import math

# Past this many spreads the rest is computed from its asymptotic series: the
# exact form loses its digits to cancellation, and erfc underflows further out.
_FAR_TAIL_Z = 8.0


def mean_residual(mean: float, spread: float, elapsed: float) -> float:
    """Return the expected rest of a normally spread duration that lasted elapsed."""
    if spread <= 0:
        return max(mean - elapsed, 0.0)
    z = (elapsed - mean) / spread
    if z > _FAR_TAIL_Z:
        return spread * (1 / z - 2 / z**3 + 10 / z**5)
    survival = 0.5 * math.erfc(z / math.sqrt(2))
    density = math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    return spread * (density / survival - z)
