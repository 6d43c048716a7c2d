"""Polling strategies the benchmark compares: our planner and two fixed intervals."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
import math
from typing import Any

from custom_components.v2c_cloud.api import (
    CallListener,
    ChargeState,
    PvMode,
    V2CClient,
    V2CError,
    V2CRateLimitError,
)
from custom_components.v2c_cloud.budget import (
    CallKind,
    PlannerSettings,
    QuotaExhaustedError,
    QuotaPlanner,
)
from custom_components.v2c_cloud.data import ChargerData, is_charging
from custom_components.v2c_cloud.history import (
    CHECK_INTERVAL,
    SETTLE,
    async_fetch_sessions,
    history_due,
    import_since,
)
from custom_components.v2c_cloud.history_rows import LastRow, build_rows, floor_hour
from custom_components.v2c_cloud.metering import PlannerMeter, charged_as
from custom_components.v2c_cloud.number import NUMBERS
from custom_components.v2c_cloud.pending import ValueReader
from custom_components.v2c_cloud.polling import (
    ChargerCall,
    ChargerOfflineError,
    ChargerPoller,
)
from custom_components.v2c_cloud.select import SELECTS
from custom_components.v2c_cloud.setting import (
    V2CSettingEntityDescription,
    read_setting,
)
from custom_components.v2c_cloud.switch import SWITCHES
from v2c_simulator.scenarios import Command

PAIRINGS_REFRESH_S = 6 * 3600
START_OF_TIME = datetime(2026, 1, 1, tzinfo=UTC)
ACCOUNT_TICK = timedelta(minutes=30)

type Send = ChargerCall[Any, object]


@dataclass(frozen=True)
class CommandCall:
    """A scenario command turned into what an entity sends, with what it sets."""

    send: Send
    key: str
    value: object
    read: ValueReader
    live: bool = False
    may_start_or_stop: bool = True


_SETTINGS: tuple[V2CSettingEntityDescription[Any], ...] = (
    *NUMBERS,
    *SELECTS,
    *SWITCHES,
)
_DESCRIPTIONS = {description.key: description for description in _SETTINGS}

# The entity behind each scenario command (seed path) and how it reads the
# command's value: the benchmark sends and confirms a command as that entity
# would, so a flag changed on the entity changes what is measured.
_COMMAND_ENTITIES: dict[str, tuple[str, Callable[[str | None], object]]] = {
    "/device/intensity": ("charge_current", lambda value: int(value or 0)),
    "/device/logo_led": ("logo_led", lambda value: value == "1"),
    "/device/min_car_int": ("min_car_current", lambda value: int(value or 0)),
    "/device/dynamic": ("dynamic_power", lambda value: value == "1"),
    "/device/chargefvmode": ("pv_mode", lambda value: PvMode(int(value or 0))),
    "/device/startcharge": ("charging", lambda _value: True),
    "/device/pausecharge": ("charging", lambda _value: False),
}


def command_call(command: Command) -> CommandCall:
    """Map a scenario command (seed path + value) to the entity call behind it."""
    if command.path not in _COMMAND_ENTITIES:
        raise ValueError(f"benchmark has no mapping for {command.path}")
    key, parse = _COMMAND_ENTITIES[command.path]
    description = _DESCRIPTIONS[key]
    return CommandCall(
        description.set_fn,
        key,
        parse(command.value),
        partial(read_setting, description),
        live=description.live,
        may_start_or_stop=description.may_start_or_stop,
    )


class Strategy(ABC):
    """How Home Assistant would spend calls on a scenario's chargers."""

    name: str

    def __init__(self, client: V2CClient, device_ids: list[str]) -> None:
        """Poll these chargers through this client."""
        self.client = client
        self.device_ids = device_ids
        self.rate_limited = 0
        # What charges the client's calls to a budget; fixed intervals keep none.
        self.meter: CallListener | None = None

    @abstractmethod
    async def start(self, now: datetime) -> None:
        """Set up as Home Assistant would at start or restart."""

    @abstractmethod
    def next_poll_at(self, now: datetime) -> datetime | None:
        """Return when the next read is due."""

    @abstractmethod
    async def poll_due(self, now: datetime) -> None:
        """Do every read that is due now."""

    @abstractmethod
    async def command(self, now: datetime, command: Command) -> bool:
        """Send a user command; return False when it had to be refused."""

    @abstractmethod
    def data(self, index: int) -> ChargerData:
        """Return what Home Assistant holds for charger `index`."""

    @abstractmethod
    def observe_quota(
        self, now: datetime, limit: int | None, remaining: int | None
    ) -> None:
        """Take the quota headers of a response."""


class _VirtualClockMeter(PlannerMeter):
    """The integration's meter, but a 429's reset comes from the planner.

    The transport dates Retry-After by the wall clock, which means nothing on the
    benchmark's virtual clock.
    """

    def calls_back_at(self, err: V2CRateLimitError) -> datetime | None:
        """Wait for the reset the planner knows, or a minute for a pause."""
        return None


@dataclass
class _History:
    """What the recorder and the store keep of one charger's history import."""

    last: LastRow | None = None
    asked: date | None = None
    # A failed or postponed import is tried again at the shorter pace.
    retrying: bool = False


class PlannerStrategy(Strategy):
    """The integration's own logic: QuotaPlanner plus ChargerPoller."""

    name = "planner"

    def __init__(self, client: V2CClient, device_ids: list[str]) -> None:
        """Start with a fresh planner, as a new installation would."""
        super().__init__(client, device_ids)
        self.settings = PlannerSettings()
        self.planner = QuotaPlanner(self.settings, now=START_OF_TIME)
        self.planner_meter = _VirtualClockMeter(self.planner)
        self.meter = self.planner_meter
        self.started = False
        self.pollers: list[ChargerPoller] = []
        self._next_account_tick: datetime | None = None
        # Kept by the recorder and the store: a restart continues from them.
        self._histories = {device_id: _History() for device_id in device_ids}
        self._next_history_check: datetime | None = None

    async def start(self, now: datetime) -> None:
        """Restore the planner like the Store does, then spend 1 + 2·N calls."""
        self.planner = (
            QuotaPlanner.from_dict(self.planner.to_dict(), self.settings, now=now)
            if self.started
            else QuotaPlanner(self.settings, now=now)
        )
        self.started = True
        self.planner_meter.planner = self.planner
        await self._pairings(now)
        self.pollers = [
            ChargerPoller(self.client, self.planner, device_id)
            for device_id in self.device_ids
        ]
        for poller in self.pollers:
            await self._guard(poller.first_refresh(now))
        self._next_account_tick = now + ACCOUNT_TICK
        await self._import_histories(now)

    def observe_quota(
        self, now: datetime, limit: int | None, remaining: int | None
    ) -> None:
        """Feed the header truth to the planner, as the client listener does."""
        if self.started:
            self.planner.observe_quota(limit=limit, remaining=remaining, now=now)

    def next_poll_at(self, now: datetime) -> datetime | None:
        """Return the earliest read any poller or the account tick wants."""
        moments = [poller.next_refresh_at(now) for poller in self.pollers]
        moments += (self._next_account_tick, self._next_history_check)
        present = [moment for moment in moments if moment is not None]
        return min(present) if present else None

    async def poll_due(self, now: datetime) -> None:
        """Refresh due chargers and the pairings maintenance."""
        if self._next_account_tick and now >= self._next_account_tick:
            self._next_account_tick = now + ACCOUNT_TICK
            if self.planner.maintenance_due("pairings", now, PAIRINGS_REFRESH_S):
                await self._pairings(now)
        if self._next_history_check and now >= self._next_history_check:
            await self._import_histories(now)
        for poller in self.pollers:
            due = poller.next_refresh_at(now)
            if due is not None and due <= now:
                await self._guard(poller.refresh(now))

    async def command(self, now: datetime, command: Command) -> bool:
        """Send through the poller: no-ops skipped, quota checked, one confirmation."""
        poller = self.pollers[self.device_ids.index(command.device_id)]
        call = command_call(command)
        try:
            await poller.command(
                now,
                call.send,
                call.value,
                key=call.key,
                read=call.read,
                live=call.live,
                may_start_or_stop=call.may_start_or_stop,
            )
        except (QuotaExhaustedError, ChargerOfflineError):
            return False
        except V2CRateLimitError:
            self.rate_limited += 1
            return False
        except V2CError:
            return True
        return True

    def data(self, index: int) -> ChargerData:
        """Return the poller's snapshot."""
        return self.pollers[index].data

    async def _pairings(self, now: datetime) -> None:
        with charged_as(CallKind.MAINTENANCE, now):
            await self._guard(self.client.get_pairings())

    async def _import_histories(self, now: datetime) -> None:
        """Run the charging-history import as history.py does, for its calls.

        At setup, then every CHECK_INTERVAL, each charger on the planner's
        gate; the rows are built only to know where the next import continues.
        """
        self._next_history_check = now + CHECK_INTERVAL
        for device_id, history in self._histories.items():
            if not history_due(self.planner, device_id, now, retrying=history.retrying):
                continue
            history.retrying = True
            try:
                today = now.date()
                since = import_since(history.last, UTC, history.asked, today)
                sessions = await async_fetch_sessions(
                    self.client,
                    self.planner,
                    device_id,
                    now=now,
                    today=today,
                    since=since,
                )
            except V2CRateLimitError:
                self.rate_limited += 1
                continue
            except V2CError:
                continue
            history.retrying = sessions is None
            if sessions is None:
                continue
            rows = build_rows(sessions, UTC, history.last, floor_hour(now - SETTLE))
            if rows:
                newest = rows[-1]
                history.last = LastRow(
                    start=newest["start"],
                    state=newest.get("state") or 0.0,
                    sum=newest.get("sum") or 0.0,
                )
            history.asked = now.date()

    async def _guard(self, call: Awaitable[object]) -> None:
        try:
            await call
        except V2CRateLimitError:
            self.rate_limited += 1
        except V2CError:
            pass


class FixedStrategy(Strategy):
    """Poll every charger on a fixed interval; commands go straight out."""

    def __init__(
        self,
        client: V2CClient,
        device_ids: list[str],
        *,
        name: str,
        interval_s: float,
        reads_per_poll: int,
    ) -> None:
        """Poll each charger every interval_s with one or two reads."""
        if not (math.isfinite(interval_s) and interval_s > 0):
            # The next poll would always be due: the run would never advance.
            raise ValueError(f"{name}: the interval must be positive, not {interval_s}")
        super().__init__(client, device_ids)
        self.name = name
        self.interval = timedelta(seconds=interval_s)
        self.reads_per_poll = reads_per_poll
        self._data = [ChargerData(device_id=device_id) for device_id in device_ids]
        self._next: datetime | None = None

    async def start(self, now: datetime) -> None:
        """Read every charger once, then keep the fixed rhythm."""
        await self._read_all(now)
        self._next = now + self.interval

    def next_poll_at(self, now: datetime) -> datetime | None:
        """Return the next tick of the fixed interval."""
        return self._next

    async def poll_due(self, now: datetime) -> None:
        """Read every charger when the interval has elapsed."""
        if self._next is not None and now >= self._next:
            self._next = now + self.interval
            await self._read_all(now)

    async def command(self, now: datetime, command: Command) -> bool:
        """Send the command as is; a 429 means it was refused."""
        try:
            call = command_call(command)
            await call.send(self.client, command.device_id, call.value)
        except V2CRateLimitError:
            self.rate_limited += 1
            return False
        except V2CError:
            return True
        return True

    def observe_quota(
        self, now: datetime, limit: int | None, remaining: int | None
    ) -> None:
        """Ignore the headers: a fixed interval does not adapt."""

    def data(self, index: int) -> ChargerData:
        """Return the last data read for the charger."""
        return self._data[index]

    async def _read_all(self, now: datetime) -> None:
        for index, device_id in enumerate(self.device_ids):
            try:
                state = await self.client.get_current_state(device_id)
                self._data[index] = ChargerData(
                    device_id=device_id,
                    state=state,
                    reported=self._data[index].reported,
                    state_at=now,
                )
                if self.reads_per_poll > 1:
                    await self.client.get_reported(device_id)
            except V2CRateLimitError:
                self.rate_limited += 1
            except V2CError:
                pass


def fixed_interval_s(chargers: int, limit: int, reserve: int) -> float:
    """Best fixed interval: spread the whole budget evenly over the day.

    A budget of nothing has no interval: a zero or negative one would put
    every poll in the past and hold the virtual clock still.
    """
    if limit - reserve <= 0 or chargers < 1:
        raise ValueError(
            f"a limit of {limit} calls leaves none above the {reserve}-call reserve "
            f"for {chargers} chargers: no fixed interval"
        )
    return 86_400 * chargers / (limit - reserve)


def anchor_interval_s(chargers: int) -> float:
    """Interval formula of the existing V2C cloud integration."""
    return float(max(90, math.ceil(chargers * 2 * 86_400 / 850)))


def sees_car(data: ChargerData) -> bool:
    """Return True when the data HA holds shows a vehicle at the charger."""
    state = data.state.charge_state if data.state else None
    return state is not None and state is not ChargeState.NO_VEHICLE


def shows_live(data: ChargerData) -> bool:
    """Return True when HA shows the charger's values as current."""
    return data.state is not None and data.connected is not False


def shows_charging(data: ChargerData) -> bool:
    """Return True when HA shows the car charging."""
    return shows_live(data) and data.state is not None and bool(is_charging(data.state))
