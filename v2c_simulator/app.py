"""The aiohttp application: the 46 API operations, the admin API and a JSON 404."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from . import routes_control, routes_data, routes_records
from .admin import admin_routes
from .gateway import Gateway
from .operation import Operation

if TYPE_CHECKING:
    from .simulator import Simulator

OPERATIONS: tuple[Operation, ...] = (
    *routes_control.OPERATIONS,
    *routes_data.OPERATIONS,
    *routes_records.OPERATIONS,
)


def build_app(sim: Simulator) -> web.Application:
    """Return the application serving a simulator."""
    app = web.Application()
    gateway = Gateway(sim, frozenset(operation.path for operation in OPERATIONS))
    for operation in OPERATIONS:
        app.router.add_route(
            operation.method, operation.path, gateway.wrap(operation.handler)
        )
    app.router.add_routes(admin_routes(sim))
    app.router.add_route("*", "/{tail:.*}", gateway.not_found)
    return app
