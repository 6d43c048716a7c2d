"""Rate-limit headers of the V2C Cloud (Kong) gateway."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
import re

from .models import QuotaSnapshot

# Whole numbers only: "0.5", "1e9" or "0x10" are not 0 or 1 calls left.
_LEADING_INT_RE = re.compile(r"\s*([0-9]{1,9})(?![0-9.eExX])")
# The quota window is a day: anything later than a day plus some clock skew is
# a broken or hostile header, and believing it would silence an entry for years.
MAX_WAIT = timedelta(hours=24, minutes=5)


def _header_int(headers: Mapping[str, str], *names: str) -> int | None:
    """Return the first sane integer among the named headers (ignoring `;w=` suffixes)."""
    for name in names:
        value = headers.get(name)
        if value is not None and (match := _LEADING_INT_RE.match(value)):
            return int(match.group(1))
    return None


def quota_from_headers(
    headers: Mapping[str, str], observed_at: datetime
) -> QuotaSnapshot | None:
    """Build a snapshot of the day's quota from the rate-limit headers.

    Kong's `X-RateLimit-*-Day` name the day window. Its `RateLimit-*` describe
    whichever of the configured windows has the fewest calls left, so once a
    minute or hour limit sits next to the day's they speak of that window: they
    stand for the day only when no day header is sent, or when they agree with it.
    """
    day_limit = _header_int(headers, "X-RateLimit-Limit-Day")
    day_remaining = _header_int(headers, "X-RateLimit-Remaining-Day")
    limit = _header_int(headers, "RateLimit-Limit")
    remaining = _header_int(headers, "RateLimit-Remaining")
    reset_after = _plausible_seconds(_header_int(headers, "RateLimit-Reset"))
    if day_limit is not None or day_remaining is not None:
        if (limit, remaining) != (day_limit, day_remaining):
            reset_after = None
        limit, remaining = day_limit, day_remaining
    if limit is None and remaining is None:
        return None
    return QuotaSnapshot(
        limit=limit,
        remaining=remaining,
        reset_after=reset_after,
        observed_at=observed_at,
    )


def retry_at(headers: Mapping[str, str], now: datetime) -> datetime | None:
    """Return when a 429 may be retried, from `Retry-After` or `RateLimit-Reset`.

    Any moment is clamped to at most MAX_WAIT ahead; one in the past means
    nothing and is ignored.
    """
    retry_after = headers.get("Retry-After", "").strip()
    seconds = _header_int(headers, "Retry-After")
    if seconds is not None and retry_after.isdigit():
        return _clamped(now, now + timedelta(seconds=min(seconds, _MAX_WAIT_S)))
    if retry_after:
        try:
            when = parsedate_to_datetime(retry_after)
        except (TypeError, ValueError, OverflowError):
            when = None
        if when is not None:
            return _clamped(now, when if when.tzinfo else when.replace(tzinfo=UTC))
    reset = _header_int(headers, "RateLimit-Reset")
    if reset is None:
        return None
    return _clamped(now, now + timedelta(seconds=min(reset, _MAX_WAIT_S)))


_MAX_WAIT_S = int(MAX_WAIT.total_seconds())


def _plausible_seconds(seconds: int | None) -> int | None:
    """Return a reset delay no longer than MAX_WAIT, dropping longer ones."""
    return seconds if seconds is not None and seconds <= _MAX_WAIT_S else None


def _clamped(now: datetime, when: datetime) -> datetime | None:
    """Return when, at most MAX_WAIT ahead; None when it is not ahead at all."""
    if when <= now:
        return None
    return min(when, now + MAX_WAIT)
