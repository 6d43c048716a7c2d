"""Tests of rate-limit header parsing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.v2c_cloud.api import QuotaSnapshot
from custom_components.v2c_cloud.api.headers import quota_from_headers, retry_at

NOW = datetime(2025, 3, 1, 18, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            {"RateLimit-Limit": "1000", "RateLimit-Remaining": "998"},
            QuotaSnapshot(1000, 998, None, NOW),
        ),
        (
            {
                "RateLimit-Limit": "1000, 1000;w=86400",
                "RateLimit-Remaining": "5",
                "RateLimit-Reset": "21600",
            },
            QuotaSnapshot(1000, 5, 21600, NOW),
        ),
        (
            {"X-RateLimit-Limit-Day": "1000", "X-RateLimit-Remaining-Day": "0"},
            QuotaSnapshot(1000, 0, None, NOW),
        ),
        # Kong with a minute window: the generic headers follow the window
        # with the fewest calls left, the day's are named.
        (
            {
                "RateLimit-Limit": "10",
                "RateLimit-Remaining": "4",
                "RateLimit-Reset": "37",
                "X-RateLimit-Limit-Minute": "10",
                "X-RateLimit-Remaining-Minute": "4",
                "X-RateLimit-Limit-Day": "1000",
                "X-RateLimit-Remaining-Day": "612",
            },
            QuotaSnapshot(1000, 612, None, NOW),
        ),
        (
            {
                "RateLimit-Limit": "1000",
                "RateLimit-Remaining": "3",
                "RateLimit-Reset": "3600",
                "X-RateLimit-Limit-Minute": "10",
                "X-RateLimit-Remaining-Minute": "9",
                "X-RateLimit-Limit-Day": "1000",
                "X-RateLimit-Remaining-Day": "3",
            },
            QuotaSnapshot(1000, 3, 3600, NOW),
        ),
        ({"RateLimit-Remaining": "7"}, QuotaSnapshot(None, 7, None, NOW)),
        ({"RateLimit-Remaining": "lots"}, None),
        ({"RateLimit-Remaining": "99999999999"}, None),
        # Not whole numbers: not 0 or 1 call left, which would stop polling.
        ({"RateLimit-Remaining": "0.5"}, None),
        ({"RateLimit-Remaining": "1e9"}, None),
        ({"RateLimit-Remaining": "0x10"}, None),
        ({"RateLimit-Remaining": "12;w=86400"}, QuotaSnapshot(None, 12, None, NOW)),
        ({}, None),
    ],
)
def test_quota_from_headers(
    headers: dict[str, str], expected: QuotaSnapshot | None
) -> None:
    assert quota_from_headers(headers, NOW) == expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "120"}, NOW + timedelta(seconds=120)),
        (
            {"Retry-After": "Sun, 02 Mar 2025 00:00:00 GMT"},
            datetime(2025, 3, 2, tzinfo=UTC),
        ),
        ({"Retry-After": "soon", "RateLimit-Reset": "60"}, NOW + timedelta(seconds=60)),
        ({"RateLimit-Reset": "21600"}, NOW + timedelta(hours=6)),
        ({"Retry-After": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_at(headers: dict[str, str], expected: datetime | None) -> None:
    assert retry_at(headers, NOW) == expected
