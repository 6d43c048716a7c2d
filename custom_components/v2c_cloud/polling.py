"""Refresh and command logic for one charger, free of Home Assistant.

The coordinator and the benchmark both run this code, so the budget behaviour the
benchmark measures is the behaviour users get. Every request is announced to the
planner before it is sent; the client reports the quota headers afterwards.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from .api import ChargeState, CurrentState, ReportedState, V2CClient
from .budget import CallKind, ChargerActivity, QuotaPlanner

REPORTED_REFRESH_S = 6 * 3600
CONNECTED_CHECK_S = 2 * 3600
CONFIRM_WINDOW_S = 90.0
# The cloud keeps serving an offline charger's last report. A charge whose
# report did not change between two reads has likely gone silent: one
# connectivity check tells, at most this often.
FROZEN_CHECK_S = 600.0

_CHARGING_STATES = frozenset({ChargeState.CHARGING, ChargeState.VENTILATION})
_NO_CAR_STATES = frozenset({ChargeState.NO_VEHICLE})


@dataclass(frozen=True, kw_only=True)
class ChargerData:
    """Everything known about one charger, with when each part was read."""

    device_id: str
    state: CurrentState | None = None
    reported: ReportedState | None = None
    connected: bool | None = None
    state_at: datetime | None = None
    reported_at: datetime | None = None

    @property
    def activity(self) -> ChargerActivity:
        """Classify the charger for the planner."""
        if self.connected is False:
            return ChargerActivity.OFFLINE
        charge_state = self.state.charge_state if self.state else None
        if charge_state in _CHARGING_STATES:
            return ChargerActivity.CHARGING
        if charge_state is None or charge_state in _NO_CAR_STATES:
            return ChargerActivity.IDLE
        if (
            self.state
            and self.state.photovoltaic_on
            and (self.state.sun_power_w or 0) > 0
        ):
            return ChargerActivity.WAITING
        return ChargerActivity.PLUGGED


type ValueReader = Callable[[ChargerData], object]


@dataclass(frozen=True)
class PendingValue:
    """A value a command asked for, shown until the charger reports it or time runs out."""

    value: object
    read: ValueReader
    deadline: datetime


@dataclass
class PendingCommands:
    """Optimistic values of commands the charger has not confirmed yet."""

    values: dict[str, PendingValue] = field(default_factory=dict)

    def add(self, key: str, value: object, read: ValueReader, now: datetime) -> None:
        """Remember what a command asked for."""
        deadline = now + timedelta(seconds=CONFIRM_WINDOW_S)
        self.values[key] = PendingValue(value, read, deadline)

    def get(self, key: str) -> PendingValue | None:
        """Return the pending value of key, if any."""
        return self.values.get(key)

    def settle(self, data: ChargerData, now: datetime) -> list[str]:
        """Drop confirmed values; return the keys that expired unconfirmed."""
        expired: list[str] = []
        for key, pending in list(self.values.items()):
            if pending.read(data) == pending.value:
                del self.values[key]
            elif now >= pending.deadline:
                del self.values[key]
                expired.append(key)
        return expired


class ChargerPoller:
    """Read one charger when the planner says so and send its commands."""

    def __init__(
        self, client: V2CClient, planner: QuotaPlanner, device_id: str
    ) -> None:
        """Start with nothing known about the charger."""
        self.client = client
        self.planner = planner
        self.device_id = device_id
        self.data = ChargerData(device_id=device_id)
        self.pending = PendingCommands()
        self._confirm_due = False
        self._confirm_live = False
        self._command_locks: dict[str, asyncio.Lock] = {}
        self._command_tokens: dict[str, int] = {}
        self._frozen_checked_at: datetime | None = None

    async def first_refresh(self, now: datetime) -> ChargerData:
        """Read live state and settings: the two calls setup may spend per charger."""
        await self._read_state(now, CallKind.POLL)
        await self._read_reported(now, CallKind.MAINTENANCE)
        return self._publish(now)

    async def refresh(self, now: datetime) -> ChargerData:
        """Do the reads that are due now and return the new snapshot."""
        if self.data.connected is False:
            # While offline this check is the charger's poll: it must move the
            # next poll on, or an outage would be checked again at once.
            await self._read_connected(now, CallKind.POLL)
            if self.data.connected is False:
                return self._publish(now)
        if self._confirm_due:
            self._confirm_due = False
            await self._read_reported(now, CallKind.CONFIRM)
            # Only start/pause and the PV settings change whether the car
            # charges: a resumed charge must not wait for the next slow poll
            # of a plugged car.
            # Other confirmations stay one call, so a command storm can't
            # double its cost.
            if not self._confirm_live:
                return self._publish(now)
            self._confirm_live = False
        before = self.data.state
        await self._read_state(now, CallKind.POLL)
        if self._looks_frozen(before, now):
            self._frozen_checked_at = now
            if not await self._read_connected(now, CallKind.POLL):
                return self._publish(now)
        if self.planner.maintenance_due(
            f"reported:{self.device_id}", now, REPORTED_REFRESH_S
        ):
            await self._read_reported(now, CallKind.MAINTENANCE)
        if self.planner.maintenance_due(
            f"connected:{self.device_id}", now, CONNECTED_CHECK_S
        ):
            await self._read_connected(now, CallKind.MAINTENANCE)
        return self._publish(now)

    def value(self, key: str, read: ValueReader) -> object:
        """Return a command's optimistic value while pending, else what was read."""
        pending = self.pending.get(key)
        return pending.value if pending is not None else read(self.data)

    async def command(
        self,
        now: datetime,
        send: Callable[[], Awaitable[object]],
        *,
        key: str | None = None,
        value: object = None,
        read: ValueReader | None = None,
        live: bool = False,
    ) -> datetime | None:
        """Send a command unless it changes nothing; return when to confirm it.

        Commands for the same key are serialised and a burst collapses into the
        call in flight plus the newest value: a dragged slider costs two calls.
        `live` commands (start, pause, PV settings) are confirmed with the live
        state as well.
        """
        self._confirm_live = self._confirm_live or live
        if key is None or read is None:
            return await self._send(now, send)
        token = self._command_tokens.get(key, 0) + 1
        self._command_tokens[key] = token
        async with self._command_locks.setdefault(key, asyncio.Lock()):
            if self._command_tokens[key] != token or self.value(key, read) == value:
                return None
            confirm_at = await self._send(now, send)
            self.pending.add(key, value, read, now)
            return confirm_at

    async def _send(
        self, now: datetime, send: Callable[[], Awaitable[object]]
    ) -> datetime:
        self.planner.check_command(now)
        self.planner.record_call(CallKind.COMMAND, now, self.device_id)
        await send()
        self._confirm_due = True
        return self.planner.request_confirmation(self.device_id, now)

    def next_refresh_at(self, now: datetime) -> datetime | None:
        """Return when the planner wants this charger read next."""
        return self.planner.next_poll_at(self.device_id, now)

    def _looks_frozen(self, before: CurrentState | None, now: datetime) -> bool:
        """Return True when a running charge reported exactly the same twice."""
        checked = self._frozen_checked_at
        return (
            before is not None
            and before.charge_state in _CHARGING_STATES
            and self.data.state == before
            and (checked is None or (now - checked).total_seconds() >= FROZEN_CHECK_S)
        )

    def _publish(self, now: datetime) -> ChargerData:
        self.planner.set_activity(self.device_id, self.data.activity, now)
        return self.data

    async def _read_state(self, now: datetime, kind: CallKind) -> None:
        self.planner.record_call(kind, now, self.device_id)
        state = await self.client.get_current_state(self.device_id)
        self.data = replace(self.data, state=state, state_at=now)

    async def _read_reported(self, now: datetime, kind: CallKind) -> None:
        self.planner.record_call(kind, now, self.device_id)
        reported = await self.client.get_reported(self.device_id)
        self.data = replace(self.data, reported=reported, reported_at=now)

    async def _read_connected(self, now: datetime, kind: CallKind) -> bool:
        self.planner.record_call(kind, now, self.device_id)
        connected = await self.client.is_connected(self.device_id)
        self.data = replace(self.data, connected=connected)
        return connected
