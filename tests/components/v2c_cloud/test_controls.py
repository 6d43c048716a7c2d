"""The contracts every control entity keeps, end to end through the simulator.

Numbers, selects, texts, switches, locks and buttons differ in their service
and their wire format, not in how a command behaves: it goes out once, shows at
once and stays after the confirmation read; a value the charger already has
costs no call; a bad value is refused before any call; a failed call raises a
translated error and keeps the real state. Each case names its platform, which
is loaded alone. What only one platform does is tested in its own file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import math
from typing import Any

from homeassistant.components.button.const import SERVICE_PRESS
from homeassistant.components.lock.const import LockState
from homeassistant.components.number.const import ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.components.select.const import ATTR_OPTION, SERVICE_SELECT_OPTION
from homeassistant.const import (
    SERVICE_LOCK,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    SERVICE_UNLOCK,
    STATE_OFF,
    STATE_ON,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest

from tests.sim_fixtures import DEFAULT_DEVICE_ID
from v2c_simulator import FaultKind

from .control_helpers import Harness
from .read_helpers import run_for

pytestmark = pytest.mark.usefixtures("all_enabled")


@dataclass(frozen=True)
class Command:
    """A service call on one of the first charger's control entities."""

    platform: Platform
    key: str
    service: str
    data: dict[str, Any] = field(default_factory=dict)

    async def send(self, harness: Harness) -> None:
        """Call the service, blocking until the entity has handled it."""
        await harness.call(self.key, self.service, **self.data)


def set_number(key: str, value: float) -> Command:
    """Set a number."""
    return Command(Platform.NUMBER, key, SERVICE_SET_VALUE, {ATTR_VALUE: value})


def select(key: str, option: str) -> Command:
    """Choose a select's option."""
    return Command(Platform.SELECT, key, SERVICE_SELECT_OPTION, {ATTR_OPTION: option})


def set_text(key: str, value: str) -> Command:
    """Set a text (the text platform's service and field have the number's names)."""
    return Command(Platform.TEXT, key, SERVICE_SET_VALUE, {ATTR_VALUE: value})


def turn(key: str, *, on: bool) -> Command:
    """Turn a switch on or off."""
    return Command(Platform.SWITCH, key, SERVICE_TURN_ON if on else SERVICE_TURN_OFF)


def lock(*, locked: bool) -> Command:
    """Lock or unlock the charging point."""
    return Command(Platform.LOCK, "locked", SERVICE_LOCK if locked else SERVICE_UNLOCK)


def press(key: str) -> Command:
    """Press a button."""
    return Command(Platform.BUTTON, key, SERVICE_PRESS)


def params(value: str | None = None, *, id_param: str = "deviceId") -> dict[str, str]:
    """Return a command's query: the charger, by the name its route wants, and a value."""
    sent = {id_param: DEFAULT_DEVICE_ID}
    if value is not None:
        sent["value"] = value
    return sent


@dataclass(frozen=True, kw_only=True)
class Case:
    """A command on a charger given some settings before the entry is set up."""

    command: Command
    before: dict[str, Any] = field(default_factory=dict)

    def param(self) -> Any:
        """Return the case for a test parametrized by `entity_platform` and `case`."""
        shown = str(next(iter(self.command.data.values()), self.command.service))
        name = f"{self.command.platform}-{self.command.key}-{shown}"
        return pytest.param(self.command.platform, self, id=name)


def cases(*found: Case) -> Any:
    """Parametrize a contract by its cases, each loading its own platform."""
    return pytest.mark.parametrize(
        ("entity_platform", "case"), [case.param() for case in found]
    )


@dataclass(frozen=True, kw_only=True)
class Sent(Case):
    """A command that goes out as `path` and `query` and sets `setting` to `value`."""

    shown_before: str
    path: str
    query: dict[str, str]
    setting: str
    value: Any
    shown: str


@cases(
    *(
        Sent(
            command=set_number(key, value),
            shown_before=default,
            path=path,
            query=params(str(value)),
            setting=setting,
            value=value,
            shown=str(value),
        )
        for key, value, default, path, setting in (
            ("charge_current", 16, "32", "/device/intensity", "intensity"),
            ("min_car_current", 10, "6", "/device/min_car_int", "min_car_int"),
            ("max_car_current", 20, "32", "/device/max_car_int", "max_car_int"),
            ("max_power", 5000, "7400", "/device/denka/max_power", "denka_max_power"),
            (
                "charge_until_energy",
                7.25,
                STATE_UNKNOWN,
                "/device/charger_until_energy",
                "charge_until_energy",
            ),
            (
                "charge_until_minutes",
                90,
                STATE_UNKNOWN,
                "/device/charger_until_minutes",
                "charge_until_minutes",
            ),
        )
    ),
    *(
        Sent(
            command=select(key, option),
            shown_before=default,
            path=path,
            query=params(wire),
            setting=setting,
            value=int(wire),
            shown=option,
        )
        for key, option, default, path, wire, setting in (
            ("pv_mode", "pv_only", "max_power", "/device/chargefvmode", "1", "pv_mode"),
            (
                "pv_mode",
                "pv_plus_min",
                "max_power",
                "/device/chargefvmode",
                "0",
                "pv_mode",
            ),
            (
                "installation_type",
                "three_phase",
                "monophase",
                "/device/inst_type",
                "1",
                "inst_type",
            ),
            (
                "installation_type",
                "photovoltaic",
                "monophase",
                "/device/inst_type",
                "2",
                "inst_type",
            ),
            ("meter_type", "huawei", "shelly", "/device/slave_type", "3", "slave_type"),
            ("meter_type", "solax", "shelly", "/device/slave_type", "4", "slave_type"),
            ("language", "spanish", "english", "/device/language", "1", "language"),
            ("language", "catalan", "english", "/device/language", "9", "language"),
        )
    ),
    *(
        Sent(
            command=set_text(key, value),
            shown_before=STATE_UNKNOWN,
            path=path,
            query=params(value, id_param="id"),
            setting=setting,
            value=value,
            shown=value,
        )
        for key, value, path, setting in (
            ("ocpp_id", "V2C_Charger_001", "/device/ocpp_id", "ocpp_id"),
            (
                "ocpp_address",
                "wss://ocpp.example.com:9000/ocpp/CP-42",
                "/device/ocpp_addr",
                "ocpp_addr",
            ),
            # URL schemes are case-insensitive: shown as sent.
            (
                "ocpp_address",
                "WSS://ocpp.example.com/cp1",
                "/device/ocpp_addr",
                "ocpp_addr",
            ),
            ("inverter_ip", "192.168.1.100", "/device/inverter_ip", "inverter_ip"),
        )
    ),
    # A switch sends its new state; pausing and resuming have routes of their own.
    *(
        Sent(
            command=turn(key, on=on),
            before={setting: before},
            shown_before=STATE_OFF if on else STATE_ON,
            path=path,
            query=sent,
            setting=setting,
            value=not before,
            shown=STATE_ON if on else STATE_OFF,
        )
        for key, on, setting, before, path, sent in (
            ("charging", False, "paused", False, "/device/pausecharge", params()),
            ("charging", True, "paused", True, "/device/startcharge", params()),
            ("dynamic_power", True, "dynamic", False, "/device/dynamic", params("1")),
            ("logo_led", False, "logo_led", True, "/device/logo_led", params("0")),
            (
                "rfid_reader",
                True,
                "rfid_reader",
                False,
                "/device/set_rfid",
                params("1"),
            ),
            ("ocpp", True, "ocpp", False, "/device/ocpp", params("1", id_param="id")),
        )
    ),
    *(
        Sent(
            command=lock(locked=locked),
            before={"locked": not locked},
            shown_before=LockState.UNLOCKED if locked else LockState.LOCKED,
            path="/device/locked",
            query=params("1" if locked else "0"),
            setting="locked",
            value=locked,
            shown=LockState.LOCKED if locked else LockState.UNLOCKED,
        )
        for locked in (True, False)
    ),
)
async def test_command(harness: Harness, case: Sent) -> None:
    """A command goes out once, changes the charger, shows at once and after the read."""
    await harness.load(**case.before)
    assert harness.state(case.command.key).state == case.shown_before
    harness.sim.sim.clear_log()

    await case.command.send(harness)

    assert harness.commands() == [("POST", case.path, case.query)]
    assert harness.sim.sim.request_log[-1].status == 200
    assert getattr(harness.sim.charger.state, case.setting) == case.value
    assert harness.state(case.command.key).state == case.shown

    await harness.await_confirmation()
    assert harness.state(case.command.key).state == case.shown
    assert len(harness.commands()) == 1


@dataclass(frozen=True, kw_only=True)
class Unchanged(Case):
    """A command asking for what the entity already shows as `shown`."""

    shown: str


@cases(
    Unchanged(command=set_number("charge_current", 32), shown="32"),
    Unchanged(command=select("pv_mode", "max_power"), shown="max_power"),
    Unchanged(
        command=set_text("ocpp_id", "CP-1"), before={"ocpp_id": "CP-1"}, shown="CP-1"
    ),
    Unchanged(command=turn("logo_led", on=True), shown=STATE_ON),
    Unchanged(command=lock(locked=False), shown=LockState.UNLOCKED),
)
async def test_current_value_sends_nothing(harness: Harness, case: Unchanged) -> None:
    """Asking for the value the charger already has costs no call."""
    await harness.load(**case.before)
    assert harness.state(case.command.key).state == case.shown
    harness.sim.sim.clear_log()

    await case.command.send(harness)

    assert harness.sim.sim.request_log == []
    assert harness.state(case.command.key).state == case.shown


@pytest.mark.parametrize("entity_platform", [Platform.NUMBER])
@pytest.mark.parametrize(
    ("changed_outside", "requests"),
    [
        (
            10,
            [
                "/device/reported",
                "/device/intensity",
                "/device/reported",
                "/thirdparty/device/currentstatecharge",
            ],
        ),
        (None, ["/device/reported"]),
    ],
)
async def test_a_value_shown_from_old_settings_is_read_before_it_is_dropped(
    harness: Harness, *, changed_outside: int | None, requests: list[str]
) -> None:
    """An hour on, the V2C app may have changed what is shown: read, then decide.

    Dropped unread, an automation's 32 A would leave the charger at the 10 A set
    in the app while Home Assistant shows 32 A: read, sent and confirmed. Unchanged,
    the read is the only call (sending and confirming would be two).
    """
    await harness.load()
    await run_for(harness.hass, harness.freezer, 61)
    if changed_outside is not None:
        harness.sim.charger.state.intensity = changed_outside
    assert harness.state("charge_current").state == "32"
    harness.sim.sim.clear_log()

    await set_number("charge_current", 32).send(harness)
    if changed_outside is not None:
        await harness.await_confirmation()

    assert [record.path for record in harness.sim.sim.request_log] == requests
    assert harness.sim.charger.state.intensity == 32
    assert harness.state("charge_current").state == "32"


@dataclass(frozen=True, kw_only=True)
class Refused(Case):
    """A command refused with `error` before any call."""

    error: type[Exception] = ServiceValidationError
    translation_key: str | None = None
    shown: str | None = None
    message_has: str | None = None


# The car's limits bound the current and each other: 10 A to 16 A here.
CAR_LIMITS = {"min_car_int": 10, "max_car_int": 16}


@cases(
    *(
        Refused(command=set_number(key, value), before=CAR_LIMITS)
        for key, value in (
            ("charge_current", 17),
            ("charge_current", 9),
            ("min_car_current", 17),
            ("max_car_current", 9),
            ("max_car_current", 33),
            ("max_power", 60_000),
            # 0 removes a stop-after target (test_stop_after_targets.py); above the maximum is refused.
            ("charge_until_energy", -1),
            ("charge_until_energy", 250),
            ("charge_until_minutes", -1),
            ("charge_until_minutes", 1441),
        )
    ),
    # Amps are whole numbers.
    Refused(command=set_number("charge_current", 16.5), translation_key="whole_number"),
    # The message names the value as given, not rounded to the whole number it is not.
    Refused(
        command=set_number("charge_current", 15.9999999999),
        translation_key="whole_number",
        message_has="15.9999999999 is not one",
    ),
    # NaN passes Home Assistant's range check.
    *(
        Refused(command=set_number(key, math.nan), translation_key="invalid_number")
        for key in ("charge_current", "charge_until_energy")
    ),
    Refused(command=select("meter_type", "fronius")),
    # Texts have no pattern nor length limits for Home Assistant to refuse
    # first with a plain ValueError: every typo gets the translated message.
    *(
        Refused(
            command=set_text(key, value),
            translation_key=f"invalid_{key}",
            shown=STATE_UNKNOWN,
        )
        for key, value in (
            ("ocpp_id", "two words"),
            ("ocpp_id", "x" * 49),
            ("ocpp_id", ""),
            ("ocpp_address", "http://ocpp.example.com"),
            ("ocpp_address", "ws://ocpp.example.com/a b"),
            ("ocpp_address", "ws:///no-host"),
            ("inverter_ip", "192.168.1"),
            ("inverter_ip", "300.168.1.1"),
        )
    ),
)
async def test_invalid_value_is_refused(harness: Harness, case: Refused) -> None:
    """Values out of bounds or malformed are refused before any call; nothing changes."""
    await harness.load(**case.before)
    before = harness.state(case.command.key).state
    harness.sim.sim.clear_log()

    with pytest.raises(case.error) as err:
        await case.command.send(harness)

    if case.translation_key is not None:
        assert isinstance(err.value, ServiceValidationError)
        assert err.value.translation_key == case.translation_key
    if case.message_has is not None:
        assert case.message_has in str(err.value)
    assert harness.sim.sim.request_log == []
    assert harness.state(case.command.key).state == before
    if case.shown is not None:
        assert before == case.shown


@dataclass(frozen=True, kw_only=True)
class Failed(Case):
    """A command whose `route` answers 503: `setting` keeps `value`, the entity `shown`.

    A button has no state to keep: HA shows the press before the call is made.
    """

    route: str
    setting: str
    value: Any
    shown: str | None


@cases(
    Failed(
        command=set_number("charge_current", 16),
        route="/device/intensity",
        setting="intensity",
        value=32,
        shown="32",
    ),
    Failed(
        command=select("pv_mode", "pv_only"),
        route="/device/chargefvmode",
        setting="pv_mode",
        value=2,
        shown="max_power",
    ),
    Failed(
        command=set_text("inverter_ip", "192.168.1.100"),
        route="/device/inverter_ip",
        setting="inverter_ip",
        value="",
        shown=STATE_UNKNOWN,
    ),
    Failed(
        command=turn("charging", on=False),
        route="/device/pausecharge",
        setting="paused",
        value=False,
        shown=STATE_ON,
    ),
    Failed(
        command=lock(locked=True),
        route="/device/locked",
        setting="locked",
        value=False,
        shown=LockState.UNLOCKED,
    ),
    Failed(
        command=press("reboot"),
        route="/device/reboot",
        setting="rebooting_until",
        value=None,
        shown=None,
    ),
)
async def test_unavailable_cloud(harness: Harness, case: Failed) -> None:
    """A 503 from the cloud raises a translated error; charger and entity keep their state."""
    await harness.load(**case.before)
    harness.sim.sim.faults.set(FaultKind.HTTP_503, route=case.route)

    with pytest.raises(HomeAssistantError) as err:
        await case.command.send(harness)

    assert err.value.translation_key == "communication_error"
    kept = getattr(harness.sim.charger.state, case.setting)
    assert kept == case.value
    assert type(kept) is type(case.value)
    if case.shown is not None:
        assert harness.state(case.command.key).state == case.shown


@dataclass(frozen=True, kw_only=True)
class Confirmed(Case):
    """A command whose confirmation reads the live state too when `live`."""

    live: bool


@cases(
    # The current or a stop-after target changes the charge; the car's minimum does not.
    Confirmed(command=set_number("charge_current", 20), live=True),
    Confirmed(command=set_number("charge_until_minutes", 90), live=True),
    Confirmed(command=set_number("min_car_current", 8), live=False),
    # A PV mode change may start or stop the charge; the installation type does not.
    Confirmed(command=select("pv_mode", "pv_plus_min"), live=True),
    Confirmed(command=select("installation_type", "three_phase"), live=False),
    # A lock stops the charge, an unlock may start one.
    Confirmed(command=lock(locked=True), live=True),
    Confirmed(command=lock(locked=False), before={"locked": True}, live=True),
)
async def test_confirmation_reads_the_live_state_when_charging_may_change(
    harness: Harness, case: Confirmed
) -> None:
    """Settings that may start or stop the charge are confirmed with a live read."""
    await harness.load(**case.before)
    harness.sim.sim.clear_log()

    await case.command.send(harness)
    await harness.await_confirmation()

    log = harness.sim.sim.request_log
    confirm = next(i for i, r in enumerate(log) if r.path == "/device/reported")
    same_moment = [r.path for r in log[confirm:] if r.time == log[confirm].time]
    assert (
        any(path.endswith("/currentstatecharge") for path in same_moment) is case.live
    )
