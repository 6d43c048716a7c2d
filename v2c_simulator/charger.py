"""A simulated charger: lazy physics, delayed commands and offline behaviour."""

from __future__ import annotations

from collections.abc import Callable, Iterator
import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import hashlib
import heapq
import itertools
import random

from .clock import Clock
from .commands import Action
from .physics import integrate, pad_hours, refresh_live
from .solar import SolarSite
from .state import ChargerState, Model, RfidCard, Session, Wire

FIRMWARE: dict[Model, tuple[str, str]] = {
    Model.TRYDAN: ("2.1.7", "2.2.0"),
    Model.POLE: ("1.4.2", "1.5.0"),
}
# A Trydan answering as firmware 2.4.6 runs it (the next version is made up).
REAL_FIRMWARE = ("2.4.6", "2.4.7")
REBOOT_S = 30.0
UPDATE_S = 120.0

type ApplyDelay = float | tuple[float, float]


def delay_bounds(text: str) -> tuple[float, float]:
    """Read "S" or "LOW-HIGH" seconds as (shortest, longest); ValueError if neither.

    A leading minus is the number's sign, left for the caller to refuse.
    """
    parts = text.split("-", 1) if "-" in text.strip().lstrip("-") else [text]
    return float(parts[0]), float(parts[-1])


def apply_delay_of(shortest: float, longest: float) -> ApplyDelay:
    """Return one delay, or the range to draw each command's from."""
    return shortest if shortest == longest else (shortest, longest)


@dataclass
class World:
    """What all chargers of a simulator share."""

    clock: Clock
    site: SolarSite
    # Seconds, or a (shortest, longest) range each command's delay is drawn from.
    apply_delay: ApplyDelay
    statistic_ids: Iterator[int]
    wire: Wire = Wire.DOCUMENT
    fb_limits: bool = False
    # Seeded, so a run with a range of delays can be repeated exactly.
    delays: random.Random = field(default_factory=lambda: random.Random(0))

    def command_delay(self) -> float:
        """Return how long the command submitted now takes to apply."""
        if isinstance(self.apply_delay, tuple):
            return self.delays.uniform(*self.apply_delay)
        return self.apply_delay


@dataclass(order=True)
class _Pending:
    """A state change waiting for its moment."""

    due: datetime
    seq: int
    droppable: bool
    action: Callable[[datetime], None]


class Charger:
    """One charger; its state is brought up to date whenever it is looked at."""

    def __init__(self, world: World, *, model: Model, device_id: str, tag: str) -> None:
        """Create an idle, online charger with factory settings."""
        digest = hashlib.sha256(device_id.encode()).hexdigest()
        self._world = world
        self._state = ChargerState(
            device_id=device_id,
            model=model,
            tag=tag,
            pairing_id=digest[:24],
            mac=":".join(
                ["24", "0A", "C4", *(digest[i : i + 2].upper() for i in (0, 2, 4))]
            ),
            version=self._firmware(model, world)[0],
        )
        self._evaluated_at = world.clock.now()
        self._pending: list[_Pending] = []
        self._seq = itertools.count()
        self._snapshot: ChargerState | None = None
        self.applied_commands = 0
        self.dropped_commands = 0
        refresh_live(self._state, world.site, self._evaluated_at)

    @staticmethod
    def _firmware(model: Model, world: World) -> tuple[str, str]:
        """Return the installed and the latest firmware of a new charger."""
        if model is Model.TRYDAN and world.wire is Wire.TRYDAN_2_4_6:
            return REAL_FIRMWARE
        return FIRMWARE[model]

    @property
    def device_id(self) -> str:
        """Return the device id."""
        return self._state.device_id

    @property
    def model(self) -> Model:
        """Return the charger family."""
        return self._state.model

    @property
    def tag(self) -> str:
        """Return the user-given name."""
        return self._state.tag

    @property
    def plugged(self) -> bool:
        """Return whether a car is connected (only plug_in and unplug change it)."""
        return self._state.plugged

    @property
    def state(self) -> ChargerState:
        """Return the true state now (what the hardware does, online or not)."""
        self._advance(self._world.clock.now())
        return self._state

    def visible_state(self) -> ChargerState:
        """Return what the cloud knows now: the last report while offline."""
        now = self._world.clock.now()
        self._advance(now)
        if self._connected(now):
            self._snapshot = None
            return self._state
        return self._snapshot or self._state

    def connected(self) -> bool:
        """Return whether the cloud can reach the charger now."""
        now = self._world.clock.now()
        self._advance(now)
        return self._connected(now)

    def submit(self, action: Action) -> bool:
        """Queue a command; it applies after the delay unless the charger is offline."""
        now = self._world.clock.now()
        self._advance(now)
        if not self._connected(now):
            self.dropped_commands += 1
            return False
        due = now + timedelta(seconds=self._world.command_delay())
        self._push(due, lambda moment: action(self._state, moment), droppable=True)
        self._advance(now)
        return True

    def reboot(self) -> bool:
        """Queue a reboot: the charger drops off the cloud for a while."""
        return self.submit(self._reboot)

    def start_update(self) -> bool:
        """Queue a firmware update: the version changes once it has installed."""
        return self.submit(self._update)

    def plug_in(
        self, energy_needed_kwh: float = 20.0, *, at: datetime | None = None
    ) -> None:
        """Connect a car that needs this much energy; a new session starts."""
        moment = self._moment(at)
        self._advance(moment)
        state = self._state
        if state.plugged:
            raise RuntimeError(f"{self.device_id} already has a car plugged in")
        state.plugged = True
        state.car_energy_needed_kwh = energy_needed_kwh
        state.session_start = moment
        state.session_energy_kwh = 0.0
        state.session_seconds = 0.0
        state.charging_seconds = 0.0
        state.session_stopped = False
        state.session_stop_energy_kwh = None
        state.session_stop_charging_seconds = None
        state.session_rfid = None
        state.session_energy_by_hour = []
        state.session_energy_by_hour_fv = None
        refresh_live(state, self._world.site, moment)

    def want_more(self, energy_kwh: float, *, at: datetime | None = None) -> None:
        """Let the car plugged in ask for more energy; an empty charger ignores it."""
        moment = self._moment(at)
        self._advance(moment)
        state = self._state
        if state.plugged:
            state.car_energy_needed_kwh += energy_kwh
            refresh_live(state, self._world.site, moment)

    def unplug(self, *, at: datetime | None = None) -> Session | None:
        """Disconnect the car and record the session for the statistics."""
        moment = self._moment(at)
        self._advance(moment)
        state = self._state
        if not state.plugged or state.session_start is None:
            return None
        pad_hours(state, moment)
        fv = state.session_energy_by_hour_fv
        session = Session(
            statistic_id=next(self._world.statistic_ids),
            device_id=self.device_id,
            start=state.session_start,
            end=moment,
            energy_kwh=state.session_energy_kwh,
            energy_by_hour=list(state.session_energy_by_hour),
            energy_by_hour_fv=None if fv is None else list(fv),
            rfid=state.session_rfid,
        )
        state.sessions.append(session)
        state.plugged = False
        state.car_energy_needed_kwh = 0.0
        state.session_stopped = False
        state.session_stop_energy_kwh = None
        state.session_stop_charging_seconds = None
        refresh_live(state, self._world.site, moment)
        return session

    def set_online(self, online: bool, *, at: datetime | None = None) -> None:
        """Connect the charger to the cloud or cut it off."""
        moment = self._moment(at)
        self._advance(moment)
        if not online and self._connected(moment):
            self._snapshot = copy.deepcopy(self._state)
        self._state.online = online

    def present_rfid_card(self, code: str, *, at: datetime | None = None) -> bool:
        """Hold a card to the reader; return whether the charger took it."""
        moment = self._moment(at)
        self._advance(moment)
        state = self._state
        if state.rfid_learning_tag is not None:
            if state.card(code) is None:
                state.rfid_cards.append(RfidCard(code, state.rfid_learning_tag))
            state.rfid_learning_tag = None
            return True
        card = state.card(code)
        if not state.rfid_reader or card is None or not state.plugged:
            return False
        state.session_rfid = card
        return True

    def set_pilot_state(self, pilot: int | None) -> None:
        """Force an IEC pilot state 3, 4 or 5 (None returns to normal)."""
        if pilot not in (None, 3, 4, 5):
            raise ValueError("only states 3, 4 and 5 can be forced")
        self._advance(self._world.clock.now())
        self._state.pilot_override = pilot
        refresh_live(self._state, self._world.site, self._evaluated_at)

    def set_error_code(self, code: int) -> None:
        """Set the error code the charger reports (0 = none)."""
        self._state.error_code = code

    def _reboot(self, state: ChargerState, moment: datetime) -> None:
        """Go offline for the reboot time."""
        self._snapshot = copy.deepcopy(state)
        state.rebooting_until = moment + timedelta(seconds=REBOOT_S)

    def _update(self, state: ChargerState, moment: datetime) -> None:
        """Install the latest firmware after a while."""
        latest = self._firmware(state.model, self._world)[1]
        if state.version == latest or state.update_ready_at is not None:
            return
        state.update_ready_at = moment + timedelta(seconds=UPDATE_S)

        def finish(_moment: datetime) -> None:
            state.version = latest
            state.update_ready_at = None

        self._push(state.update_ready_at, finish, droppable=False)

    def _connected(self, moment: datetime) -> bool:
        """Return whether the charger is reachable at a moment."""
        until = self._state.rebooting_until
        return self._state.online and (until is None or moment >= until)

    def _moment(self, at: datetime | None) -> datetime:
        """Return when a physical event happens: now, or a given moment not in the past."""
        return max(at or self._world.clock.now(), self._evaluated_at)

    def _push(
        self, due: datetime, action: Callable[[datetime], None], *, droppable: bool
    ) -> None:
        """Queue a state change."""
        heapq.heappush(self._pending, _Pending(due, next(self._seq), droppable, action))

    def _advance(self, until: datetime) -> None:
        """Integrate up to a moment, applying queued changes at their own moments."""
        site = self._world.site
        while self._pending and self._pending[0].due <= until:
            pending = heapq.heappop(self._pending)
            due = max(pending.due, self._evaluated_at)
            integrate(self._state, site, self._evaluated_at, due)
            self._evaluated_at = due
            if pending.droppable and not self._connected(due):
                self.dropped_commands += 1
                continue
            pending.action(due)
            if pending.droppable:
                self.applied_commands += 1
        if until > self._evaluated_at:
            integrate(self._state, site, self._evaluated_at, until)
            self._evaluated_at = until
        refresh_live(self._state, site, self._evaluated_at)
