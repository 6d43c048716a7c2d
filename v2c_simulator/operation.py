"""What an API operation sees (Call) and answers (Reply), free of HTTP details."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .accounts import Account
from .charger import Charger
from .params import ApiError, Params
from .templates import Json

if TYPE_CHECKING:
    from .simulator import Simulator


@dataclass(frozen=True)
class Reply:
    """A response body (None with empty=True means no body at all)."""

    body: Json = None
    status: int = 200
    empty: bool = False


EMPTY = Reply(empty=True)
MESSAGE = Reply({"message": "Command executed successfully"})
OK = Reply("OK")


@dataclass(frozen=True)
class Call:
    """An authenticated request to an operation."""

    sim: Simulator
    account: Account
    query: Params
    body: object

    def charger(self, parameter: str = "deviceId") -> Charger:
        """Return the charger named by a parameter; 403/404 unless it is the caller's."""
        device_id = self.query.text(parameter, max_length=64)
        charger = self.account.charger(device_id)
        if charger is not None:
            return charger
        if self.sim.has_device(device_id):
            raise ApiError(403, "Device does not belong to this user")
        raise ApiError(404, f"Device {device_id} not found")

    def json_body(self) -> Params:
        """Return the JSON object body as parameters; 400 unless there is one."""
        if not isinstance(self.body, dict):
            raise ApiError(400, "Request body must be a JSON object", parameter="body")
        return Params(self.body)


type Handler = Callable[[Call], Reply]


@dataclass(frozen=True)
class Operation:
    """One method and path of the API."""

    method: str
    path: str
    handler: Handler
