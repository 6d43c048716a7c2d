"""Exceptions raised by the V2C Cloud client."""

from __future__ import annotations

from datetime import datetime


class V2CError(Exception):
    """Base error of the V2C Cloud client."""


class V2CConnectionError(V2CError):
    """The V2C Cloud could not be reached (network, DNS, timeout, dropped connection).

    `sent` is False when the request surely never left (the connection or its
    DNS lookup failed): neither the cloud nor the charger saw it, so sending it
    again applies nothing twice. A timeout or a dropped connection leaves it
    True, as the request may have been taken.
    """

    def __init__(self, message: str, *, sent: bool = True) -> None:
        """Store whether the request may have reached the cloud."""
        super().__init__(message)
        self.sent = sent


class V2CAuthenticationError(V2CError):
    """The V2C Cloud rejected the API key (HTTP 401, or an older gateway's 403)."""


class V2CRateLimitError(V2CError):
    """HTTP 429: the day's quota is used up, or the answer carried no quota headers.

    `remaining` is 0 in the first case, None in the second, which proves
    nothing about the day (a proxy's or the backend's own limit).
    """

    def __init__(
        self,
        message: str,
        *,
        reset_at: datetime | None = None,
        remaining: int | None = None,
    ) -> None:
        """Store when calls may resume and the day's calls left, if the server said."""
        super().__init__(message)
        self.reset_at = reset_at
        self.remaining = remaining


class V2CThrottledError(V2CRateLimitError):
    """HTTP 429 although the day's quota has calls left: a shorter window is full.

    `reset_at` is then when that window ends, not when the day's quota resets.
    """


class V2CResponseError(V2CError):
    """The V2C Cloud answered with an error status or a body that cannot be parsed."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        excerpt: str = "",
        reason: str = "",
    ) -> None:
        """Store the HTTP status, a short excerpt of the body and the server's reason.

        `reason` is the message of a JSON error body (`message` or `error`), when
        the server sent one.
        """
        super().__init__(message)
        self.status = status
        self.excerpt = excerpt
        self.reason = reason


class V2CValidationError(V2CError, ValueError):
    """An argument was rejected before any request was sent."""

    def __init__(self, parameter: str, message: str) -> None:
        """Store the name of the rejected parameter."""
        super().__init__(message)
        self.parameter = parameter
