"""The V2C Cloud actions: what each one sends, how it is paid and what it returns."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any, Final

from homeassistant.const import ATTR_CODE, ATTR_MODE, ATTR_NAME
from homeassistant.core import ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util.json import JsonObjectType, JsonValueType

from . import service_schemas as schemas
from .account import V2CAccountCoordinator
from .api import ChargingSession, GlobalStatistics, PowerProfile, Timer, V2CClient
from .const import DOMAIN
from .coordinator import V2CChargerCoordinator
from .data import ChargerData
from .helpers import iso_or_none, utcnow
from .pending import ValueReader
from .service_schemas import (
    ATTR_DAYS,
    ATTR_ENABLED,
    ATTR_END,
    ATTR_END_DATE,
    ATTR_ENERGY,
    ATTR_MINUTES,
    ATTR_POWER,
    ATTR_START,
    ATTR_START_DATE,
    ATTR_TIMER_ID,
    ATTR_UPDATED_AT,
    ATTR_VALUE,
    TranslatedSchema,
)

type ServiceData = dict[str, Any]
type Runner = Callable[[V2CChargerCoordinator, ServiceData], Awaitable[ServiceResponse]]
type AccountRunner = Callable[
    [V2CAccountCoordinator, ServiceData], Awaitable[ServiceResponse]
]
type Send = Callable[[V2CClient, str, ServiceData], Awaitable[None]]
type ProfileWriter = Callable[
    [V2CClient, str, str, datetime, str, int], Awaitable[None]
]


@dataclass(frozen=True, kw_only=True)
class V2CAction:
    """One action: its fields, what it runs on the charger and what it returns."""

    name: str
    schema: TranslatedSchema
    run: Runner
    response: SupportsResponse = SupportsResponse.NONE


@dataclass(frozen=True, kw_only=True)
class V2CAccountAction:
    """An action on the key's account, not on a charger.

    Its target is the account, its device, or a charger standing for the
    account of the entry that runs it.
    """

    name: str
    schema: TranslatedSchema
    run: AccountRunner
    response: SupportsResponse = SupportsResponse.NONE


def _command(
    send: Send,
    *,
    legacy: str | None = None,
    live: bool = False,
    confirmed: bool = True,
) -> Runner:
    """Return a runner that sends a charger command through the coordinator.

    `live` commands can change whether or how much the car charges: their
    confirmation reads the live state too. Commands not `confirmed` change
    nothing the charger's settings show (its cards, a firmware update): a
    read after them would be a call that tells nothing.
    """

    async def run(charger: V2CChargerCoordinator, data: ServiceData) -> None:
        await charger.async_command(
            send, data, legacy=legacy, live=live, confirmed=confirmed
        )

    return run


def _cloud_command(send: Send) -> Runner:
    """Return a runner that changes a record kept in the cloud, not on the charger.

    Such a change needs no online charger and leaves nothing in the charger's
    shadow to confirm, so it is paid like a read instead of a command.
    """

    async def run(charger: V2CChargerCoordinator, data: ServiceData) -> None:
        await charger.async_read(send, data)

    return run


def _read[T](
    fetch: Callable[[V2CClient, str, ServiceData], Awaitable[T]],
    render: Callable[[T], JsonObjectType],
    *,
    of_charger: bool = False,
) -> Runner:
    """Return a runner that reads on demand from the command budget.

    `of_charger` reads need the charger online, not just the cloud's records.
    """

    async def run(charger: V2CChargerCoordinator, data: ServiceData) -> JsonObjectType:
        result = await charger.async_read(fetch, data, of_charger=of_charger)
        return render(result)

    return run


def _account_read[T](
    fetch: Callable[[V2CClient, ServiceData], Awaitable[T]],
    render: Callable[[T], JsonObjectType],
) -> AccountRunner:
    """Return a runner that reads the key's account on demand, paid like a charger read."""

    async def run(account: V2CAccountCoordinator, data: ServiceData) -> JsonObjectType:
        result = await account.async_read(lambda client: fetch(client, data))
        return render(result)

    return run


def _profile_writer(write: ProfileWriter) -> Runner:
    """Return a runner that stores a power profile (a cloud record) stamped now."""

    async def run(charger: V2CChargerCoordinator, data: ServiceData) -> JsonObjectType:
        updated_at = utcnow().replace(microsecond=0)
        await charger.async_read(
            lambda client, device_id, fields: write(
                client,
                device_id,
                fields[ATTR_NAME],
                updated_at,
                fields[ATTR_MODE],
                fields[ATTR_VALUE],
            ),
            data,
        )
        return {ATTR_UPDATED_AT: updated_at.isoformat()}

    return run


@dataclass(frozen=True)
class _TimerShown:
    """A timer as the charger's settings show it, in the terms its commands set.

    What a timer command asks for is followed as a pending value until the
    settings show it (`PendingCommands`), like any setting: the charger may
    apply it up to a command's window later, and the read at the window's end
    shows it. The settings show the times, maybe with seconds or an offset
    the commands never send, and the days of an active timer; a timer
    switched off shows no days, whatever it kept (the legacy body names none).
    """

    start: time
    end: time
    days: tuple[int, ...]
    active: bool | None

    @classmethod
    def of(cls, timer: Timer) -> _TimerShown | None:
        """Return what the settings show of a timer; None without both its times."""
        if timer.start is None or timer.end is None:
            return None
        start, end = (
            moment.replace(second=0, microsecond=0, tzinfo=None)
            for moment in (timer.start, timer.end)
        )
        days = timer.days if timer.active else ()
        return cls(start, end, days, active=timer.active)


def _timer_key(timer_id: int) -> str:
    """Return the pending key of a timer's commands: one timer, one value asked for."""
    return f"timer_{timer_id}"


def _timer_shown(timer_id: int) -> ValueReader:
    """Return the reader of a timer as the settings show it (None if not at all)."""

    def read(data: ChargerData) -> _TimerShown | None:
        reported = data.reported
        timer = next(
            (
                timer
                for timer in (reported.timers if reported is not None else ())
                if timer.timer_id == timer_id
            ),
            None,
        )
        return None if timer is None else _TimerShown.of(timer)

    return read


async def _command_timer(
    charger: V2CChargerCoordinator,
    timer_id: int,
    asked: _TimerShown,
    send: Callable[[V2CClient, str, _TimerShown], Awaitable[None]],
    *,
    legacy: str | None = None,
) -> None:
    """Send a timer command, followed until the settings show the timer asked for."""
    await charger.async_command(
        send,
        asked,
        key=_timer_key(timer_id),
        read=_timer_shown(timer_id),
        legacy=legacy,
        # A timer's window can let a car it held start, or stop a charge.
        live=True,
    )


async def _set_timer(charger: V2CChargerCoordinator, data: ServiceData) -> None:
    """Program a timer (newer body): active on the days given."""
    timer_id = data[ATTR_TIMER_ID]
    await _command_timer(
        charger,
        timer_id,
        _TimerShown(
            data[ATTR_START], data[ATTR_END], tuple(data[ATTR_DAYS]), active=True
        ),
        lambda client, device_id, timer: client.set_timer(
            device_id, timer_id, timer.start, timer.end, timer.days
        ),
    )


async def _disable_timer(charger: V2CChargerCoordinator, data: ServiceData) -> None:
    """Switch a programmed timer off with the legacy body, the only one with a flag.

    That body also needs the times, so they are taken from the charger's
    settings, or from a timer set from here the charger does not show yet: a
    timer neither knows cannot be switched off. The legacy body takes a
    wall-clock hour and minute; a charger may report seconds or an offset,
    which would refuse the switch-off itself.
    """
    timer_id = data[ATTR_TIMER_ID]
    shown = charger.value(_timer_key(timer_id), _timer_shown(timer_id))
    if not isinstance(shown, _TimerShown):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="timer_not_found",
            translation_placeholders={
                "timer_id": str(timer_id),
                "name": charger.pairing.tag or charger.device_id,
            },
        )
    await _command_timer(
        charger,
        timer_id,
        _TimerShown(shown.start, shown.end, (), active=False),
        lambda client, device_id, timer: client.set_timer_legacy(
            device_id, timer_id, timer.start, timer.end, active=False
        ),
        legacy="disable_timer",
    )


def _profile(profile: PowerProfile) -> JsonObjectType:
    return {
        "name": profile.name,
        "mode": profile.mode,
        "value": profile.value,
        "updated_at": iso_or_none(profile.updated_at),
    }


def _session(session: ChargingSession) -> JsonObjectType:
    return {
        "start": iso_or_none(session.start),
        "end": iso_or_none(session.end),
        "energy_kwh": session.energy_kwh,
        "cost": session.cost,
        "rfid_name": session.rfid_name,
        "energy_by_hour": list[JsonValueType](session.energy_by_hour_kwh),
    }


def _totals(statistics: Iterable[GlobalStatistics]) -> JsonObjectType:
    """Add up the account totals (the API answers a list, usually of one)."""
    items = list(statistics)
    return {
        "total_energy_kwh": round(sum(s.total_energy_kwh or 0.0 for s in items), 3),
        "total_charges": sum(s.total_charges or 0 for s in items),
    }


def _listed[T](
    key: str, render: Callable[[T], JsonObjectType]
) -> Callable[[list[T]], JsonObjectType]:
    """Return a renderer of a list of models under one key."""
    return lambda items: {key: [render(item) for item in items]}


ACTIONS: Final[tuple[V2CAction | V2CAccountAction, ...]] = (
    V2CAction(
        name="start_charging_energy",
        schema=schemas.START_CHARGING_ENERGY,
        run=_command(
            lambda client, device_id, data: client.start_charge_energy(
                device_id, data[ATTR_ENERGY]
            ),
            live=True,
        ),
    ),
    V2CAction(
        name="start_charging_time",
        schema=schemas.START_CHARGING_TIME,
        run=_command(
            lambda client, device_id, data: client.start_charge_minutes(
                device_id, data[ATTR_MINUTES]
            ),
            live=True,
        ),
    ),
    V2CAction(
        name="learn_rfid_card",
        schema=schemas.RFID_NEW,
        run=_command(
            lambda client, device_id, data: client.learn_rfid_card(
                device_id, data[ATTR_NAME]
            ),
            confirmed=False,
        ),
    ),
    V2CAction(
        name="add_rfid_card",
        schema=schemas.RFID_NAMED_CARD,
        run=_command(
            lambda client, device_id, data: client.add_rfid_card(
                device_id, data[ATTR_CODE], data[ATTR_NAME]
            ),
            confirmed=False,
        ),
    ),
    V2CAction(
        name="rename_rfid_card",
        schema=schemas.RFID_NAMED_CARD,
        run=_command(
            lambda client, device_id, data: client.rename_rfid_card(
                device_id, data[ATTR_CODE], data[ATTR_NAME]
            ),
            confirmed=False,
        ),
    ),
    V2CAction(
        name="delete_rfid_card",
        schema=schemas.RFID_CARD,
        run=_command(
            lambda client, device_id, data: client.delete_rfid_card(
                device_id, data[ATTR_CODE]
            ),
            confirmed=False,
        ),
    ),
    V2CAction(
        name="list_rfid_cards",
        schema=schemas.CHARGER_ONLY,
        run=_read(
            lambda client, device_id, _: client.list_rfid_cards(device_id),
            _listed("cards", lambda card: {"code": card.code, "name": card.tag}),
        ),
        response=SupportsResponse.ONLY,
    ),
    V2CAction(name="set_timer", schema=schemas.SET_TIMER, run=_set_timer),
    V2CAction(name="disable_timer", schema=schemas.TIMER, run=_disable_timer),
    V2CAction(
        name="scan_wifi_networks",
        schema=schemas.CHARGER_ONLY,
        run=_read(
            lambda client, device_id, _: client.scan_wifi_networks(device_id),
            _listed(
                "networks",
                lambda network: {
                    "ssid": network.ssid,
                    "rssi": network.rssi_dbm,
                    "security": network.security,
                },
            ),
            of_charger=True,
        ),
        response=SupportsResponse.ONLY,
    ),
    V2CAction(
        name="save_power_profile",
        schema=schemas.POWER_PROFILE,
        run=_profile_writer(V2CClient.save_power_profile),
        response=SupportsResponse.OPTIONAL,
    ),
    V2CAction(
        name="update_power_profile",
        schema=schemas.POWER_PROFILE,
        run=_profile_writer(V2CClient.update_power_profile),
        response=SupportsResponse.OPTIONAL,
    ),
    V2CAction(
        name="get_power_profile",
        schema=schemas.POWER_PROFILE_VERSION,
        run=_read(
            lambda client, device_id, data: client.get_power_profile(
                device_id, data[ATTR_UPDATED_AT]
            ),
            _profile,
        ),
        response=SupportsResponse.ONLY,
    ),
    V2CAction(
        name="delete_power_profile",
        schema=schemas.NAMED_POWER_PROFILE_VERSION,
        run=_cloud_command(
            lambda client, device_id, data: client.delete_power_profile(
                device_id, data[ATTR_NAME], data[ATTR_UPDATED_AT]
            )
        ),
    ),
    V2CAction(
        name="list_power_profiles",
        schema=schemas.CHARGER_ONLY,
        run=_read(
            lambda client, device_id, _: client.list_power_profiles(device_id),
            _listed("profiles", _profile),
        ),
        response=SupportsResponse.ONLY,
    ),
    V2CAction(
        name="get_charging_sessions",
        schema=schemas.CHARGING_SESSIONS,
        run=_read(
            lambda client, device_id, data: client.get_charging_sessions(
                device_id, data.get(ATTR_START_DATE), data.get(ATTR_END_DATE)
            ),
            _listed("sessions", _session),
        ),
        response=SupportsResponse.ONLY,
    ),
    V2CAccountAction(
        name="get_account_statistics",
        schema=schemas.ACCOUNT_STATISTICS,
        run=_account_read(
            lambda client, data: client.get_global_statistics(
                data.get(ATTR_START_DATE), data.get(ATTR_END_DATE)
            ),
            _totals,
        ),
        response=SupportsResponse.ONLY,
    ),
    V2CAction(
        name="get_firmware_version",
        schema=schemas.CHARGER_ONLY,
        run=_read(
            lambda client, device_id, _: client.get_firmware_version(device_id),
            lambda firmware: {"version": firmware.version},
        ),
        response=SupportsResponse.ONLY,
    ),
    V2CAction(
        name="update_firmware",
        schema=schemas.CHARGER_ONLY,
        run=_command(
            lambda client, device_id, _: client.update_firmware(device_id),
            # The settings show the new version only once it has installed,
            # minutes after any confirmation; the next settings read shows it.
            confirmed=False,
        ),
    ),
    V2CAction(
        name="set_max_power",
        schema=schemas.SET_MAX_POWER,
        run=_command(
            lambda client, device_id, data: client.set_max_power(
                device_id, data[ATTR_POWER]
            ),
            legacy="set_max_power",
            live=True,
        ),
    ),
    V2CAction(
        name="set_third_party_mode",
        schema=schemas.SET_THIRD_PARTY_MODE,
        run=_command(
            lambda client, device_id, data: client.set_thirdparty_mode(
                device_id, data[ATTR_MODE], data[ATTR_ENABLED]
            ),
            legacy="set_third_party_mode",
        ),
    ),
)
