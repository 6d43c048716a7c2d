"""Request parameters: required, typed and validated, with errors that name them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
import ipaddress
import math

from .templates import Json


class ApiError(Exception):
    """An error answered as a JSON body with a status."""

    def __init__(
        self, status: int, message: str, *, parameter: str | None = None
    ) -> None:
        """Describe the error."""
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter

    def body(self) -> dict[str, Json]:
        """Return the JSON body."""
        body: dict[str, Json] = {"status": self.status, "message": self.message}
        if self.parameter is not None:
            body["parameter"] = self.parameter
        return body


def invalid(name: str, expected: str) -> ApiError:
    """Return a 400 for a parameter with a bad value."""
    return ApiError(
        400,
        f"Invalid value for parameter '{name}': expected {expected}",
        parameter=name,
    )


class Params:
    """Typed access to a mapping of request parameters (query or JSON body)."""

    def __init__(self, values: Mapping[str, object]) -> None:
        """Wrap the parameters."""
        self._values = values

    def has(self, name: str) -> bool:
        """Return whether a parameter is present."""
        return name in self._values

    def get(self, name: str) -> object:
        """Return an optional parameter as sent (None when absent)."""
        return self._values.get(name)

    def raw(self, name: str) -> object:
        """Return a required parameter as sent."""
        value = self._values.get(name)
        if value is None or value == "":
            raise ApiError(400, f"Missing required parameter '{name}'", parameter=name)
        return value

    def text(self, name: str, *, max_length: int = 256) -> str:
        """Return a required non-empty string."""
        value = self.raw(name)
        if not isinstance(value, str) or len(value) > max_length:
            raise invalid(name, f"a string of at most {max_length} characters")
        return value

    def integer(self, name: str, low: int, high: int) -> int:
        """Return a required integer within bounds ("16" or 16)."""
        value = self.raw(name)
        if isinstance(value, bool):
            raise invalid(name, f"an integer from {low} to {high}")
        try:
            number = int(value) if isinstance(value, (int, str)) else None
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            raise invalid(name, f"an integer from {low} to {high}")
        return number

    def number(self, name: str, low: float, high: float) -> float:
        """Return a required finite number within bounds."""
        value = self.raw(name)
        try:
            number = float(value) if isinstance(value, (int, float, str)) else math.nan
        except ValueError:
            number = math.nan
        if isinstance(value, bool) or not low <= number <= high:
            raise invalid(name, f"a number from {low:g} to {high:g}")
        return number

    def flag(self, name: str) -> bool:
        """Return a required 0/1 switch."""
        return bool(self.integer(name, 0, 1))

    def ip(self, name: str) -> str:
        """Return a required IPv4 address."""
        value = self.text(name, max_length=15)
        try:
            ipaddress.IPv4Address(value)
        except ValueError:
            raise invalid(name, "an IPv4 address") from None
        return value

    def timestamp(self, name: str) -> str:
        """Return a required ISO 8601 timestamp, as sent."""
        value = self.text(name, max_length=40)
        try:
            datetime.fromisoformat(value)
        except ValueError:
            raise invalid(name, "an ISO 8601 timestamp") from None
        return value

    def optional_date(self, name: str) -> date | None:
        """Return an optional YYYY-MM-DD date."""
        if self._values.get(name) in (None, ""):
            return None
        value = self.text(name, max_length=10)
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise invalid(name, "a date YYYY-MM-DD") from None
