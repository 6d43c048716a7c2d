"""The simulated V2C Cloud: accounts, chargers, quota, faults and the request log."""

from __future__ import annotations

import asyncio
from datetime import time
import itertools
from typing import Literal

from aiohttp import web

from .accounts import Account, key_hash
from .app import build_app
from .charger import ApplyDelay, Charger, World
from .clock import Clock, SystemClock
from .faults import FaultInjector
from .log import RequestRecord
from .quota import HeaderProfile, KeyQuota, QuotaStatus
from .solar import SolarSite
from .state import Wire
from .templates import Json

type Endpoint = Literal["currentstatecharge", "reported"]

FIRST_STATISTIC_ID = 17307150


class Simulator:
    """A fake V2C Cloud whose time is an injected clock."""

    def __init__(
        self,
        clock: Clock | None = None,
        *,
        daily_limit: int = 1000,
        reset_time: time = time(0, 0),
        apply_delay: ApplyDelay = 0.0,
        pv_peak_kw: float = 4.5,
        wire: Wire | str = Wire.DOCUMENT,
        fb_limits: bool = False,
        minute_limit: int | None = None,
        header_profile: HeaderProfile | str = HeaderProfile.KONG,
    ) -> None:
        """Create an empty cloud; `wire` shapes the Trydans' answers.

        With `fb_limits` a trydan-2.4.6 shadow carries the current limits only as
        `min_car_int_fb` / `max_car_int_fb`, as some firmware does. `minute_limit`
        adds a per-minute window next to the day's, as Kong allows, and
        `header_profile` chooses the rate-limit headers sent.
        """
        self.clock: Clock = clock or SystemClock()
        self.daily_limit = daily_limit
        self.reset_time = reset_time
        self.minute_limit = minute_limit
        self.header_profile = HeaderProfile(header_profile)
        self.site = SolarSite(pv_peak_kw)
        self.world = World(
            self.clock,
            self.site,
            apply_delay,
            itertools.count(FIRST_STATISTIC_ID),
            Wire(wire),
            fb_limits,
        )
        # Both documents say "the last 5 charging statistics ... with optional
        # filtering by date range": True caps the dated answers too.
        self.sessions_capped = False
        self._overrides: dict[Endpoint, dict[str, Json]] = {}
        self.faults = FaultInjector(self.clock)
        self.request_log: list[RequestRecord] = []
        self._accounts: dict[str, Account] = {}
        self._quotas: dict[str, KeyQuota] = {}
        self._devices: dict[str, Charger] = {}
        self._release: asyncio.Event | None = None
        self.app: web.Application = build_app(self)

    @property
    def apply_delay(self) -> ApplyDelay:
        """Return the seconds between a command's acknowledgement and its effect.

        A (shortest, longest) range draws each command's delay from it.
        """
        return self.world.apply_delay

    @apply_delay.setter
    def apply_delay(self, seconds: ApplyDelay) -> None:
        """Change the propagation delay for commands sent from now on."""
        self.world.apply_delay = seconds

    @property
    def wire(self) -> Wire:
        """Return the shape of the Trydans' answers."""
        return self.world.wire

    def override_field(self, endpoint: Endpoint, key: str, value: Json) -> None:
        """Answer `key` with `value` in every body of an endpoint (a broken field)."""
        self._overrides.setdefault(endpoint, {})[key] = value

    def clear_overrides(self) -> None:
        """Answer with the computed values again."""
        self._overrides.clear()

    def apply_overrides(
        self, endpoint: Endpoint, body: dict[str, Json]
    ) -> dict[str, Json]:
        """Return body with the overridden fields replaced."""
        return {**body, **self._overrides.get(endpoint, {})}

    @property
    def accounts(self) -> list[Account]:
        """Return every account."""
        return list(self._accounts.values())

    def add_account(self, api_key: str, *, daily_limit: int | None = None) -> Account:
        """Create an account with its own key, quota and chargers."""
        if not api_key:
            raise ValueError("an API key must not be empty")
        if api_key in self._accounts:
            raise ValueError("an account with this key exists")
        account = Account(api_key=api_key, world=self.world, registry=self._devices)
        self._accounts[api_key] = account
        self._quotas[api_key] = KeyQuota(
            self.daily_limit if daily_limit is None else daily_limit,
            self.reset_time,
            self.clock.now(),
            minute_limit=self.minute_limit,
        )
        return account

    def account(self, api_key: str) -> Account:
        """Return the account of a key (revoked or not)."""
        return self._accounts[api_key]

    def authenticate(self, api_key: str | None) -> Account | None:
        """Return the account a key opens, None for a missing, unknown or revoked key."""
        account = self._accounts.get(api_key or "")
        return None if account is None or account.revoked else account

    def account_by_hash(self, fingerprint: str) -> Account | None:
        """Return the account whose key has this fingerprint."""
        return next(
            (a for a in self._accounts.values() if a.key_hash == fingerprint), None
        )

    def charger(self, device_id: str) -> Charger:
        """Return any charger by device id."""
        return self._devices[device_id]

    def has_device(self, device_id: str) -> bool:
        """Return whether any account owns this device."""
        return device_id in self._devices

    def quota(self, api_key: str) -> KeyQuota:
        """Return the live quota counter of a key."""
        return self._quotas[api_key]

    def quota_for(self, api_key: str) -> QuotaStatus:
        """Return the quota of a key now."""
        return self._quotas[api_key].status(self.clock.now())

    def add_external_consumer(self, api_key: str, calls_per_day: int) -> None:
        """Let another program spend calls on this key, evenly over each day."""
        if calls_per_day < 1:
            raise ValueError("calls_per_day must be at least 1")
        self._quotas[api_key].add_external(calls_per_day)

    def revoke_key(self, api_key: str) -> None:
        """Revoke a key: every call with it answers 401 from now on."""
        self._accounts[api_key].revoked = True

    def clear_log(self) -> None:
        """Forget the logged requests."""
        self.request_log.clear()

    def log_for(self, api_key: str) -> list[RequestRecord]:
        """Return the logged requests made with a key."""
        fingerprint = key_hash(api_key)
        return [record for record in self.request_log if record.key_hash == fingerprint]

    async def hang(self) -> None:
        """Wait until the server stops (a request that never gets an answer)."""
        if self._release is None:
            self._release = asyncio.Event()
        await self._release.wait()

    def release_hangs(self) -> None:
        """Let hanging requests finish, so the server can stop."""
        if self._release is not None:
            self._release.set()
            self._release = None
