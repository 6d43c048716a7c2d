"""Tests for the V2C Cloud actions, end to end through the simulator."""

from __future__ import annotations

from collections.abc import Callable, Generator
from datetime import UTC, date, datetime, timedelta
from http import HTTPStatus
import json
import logging
from pathlib import Path
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, ServiceResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.service import async_get_all_descriptions
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.v2c_cloud.budget import CallKind
from custom_components.v2c_cloud.const import DOMAIN
from custom_components.v2c_cloud.coordinator import V2CChargerCoordinator
from custom_components.v2c_cloud.service_actions import ACTIONS
from custom_components.v2c_cloud.service_schemas import INVALID_INPUT_KEYS
from tests.sim_fixtures import SimHandle, SimSetup
from v2c_simulator import FaultKind
from v2c_simulator.state import ChargerState, PowerProfile, RfidCard, Timer

PACKAGE = Path(__file__).parents[3] / "custom_components" / "v2c_cloud"
START = "2026-03-02 12:00:00+00:00"
POLE = SimSetup(models=("pole",), device_ids=("POLE0001",), tags=("Driveway",))
TWO_CHARGERS = SimSetup(
    models=("trydan", "pole"),
    device_ids=("TRY0001", "POLE0001"),
    tags=("Garage", "Driveway"),
)
PASSWORD = "s3cret-Passw0rd!"
POLL_PATHS = frozenset(
    {
        "/device/reported",
        "/thirdparty/device/currentstatecharge",
        "/device/connected",
        "/pairings/me",
    }
)
RESPONSES = {action.name: action.response.value for action in ACTIONS}

type Request = tuple[str, str, dict[str, str], object]


@pytest.fixture(autouse=True)
def start_time(freezer: FrozenDateTimeFactory) -> None:
    """Freeze the clock before the simulator is built, so its chargers start now."""
    freezer.move_to(START)


@pytest.fixture(autouse=True)
def only_buttons() -> Generator[None]:
    """Load one light platform: actions need the charger's device, not its entities."""
    with patch("custom_components.v2c_cloud.PLATFORMS", [Platform.BUTTON]):
        yield


@pytest.fixture
def device_id(
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    v2c_sim: SimHandle,
) -> str:
    """Return the registry id of the first charger's device, after a clean log."""
    device = device_registry.async_get_device(identifiers={(DOMAIN, v2c_sim.device_id)})
    assert device is not None
    v2c_sim.sim.clear_log()
    return device.id


async def call(hass: HomeAssistant, action: str, **data: Any) -> ServiceResponse:
    """Call an action, asking for its response when it has one."""
    return await hass.services.async_call(
        DOMAIN,
        action,
        data,
        blocking=True,
        return_response=RESPONSES[action] != "none",
    )


def requests(v2c_sim: SimHandle, *, polls: bool = True) -> list[Request]:
    """Return the requests the simulator received: method, path, query, body."""
    return [
        (record.method, record.path, record.query, record.body)
        for record in v2c_sim.sim.request_log
        if polls or record.path not in POLL_PATHS
    ]


def sim_state(v2c_sim: SimHandle) -> ChargerState:
    """Return the first charger's true state."""
    return v2c_sim.charger.state


def test_every_action_is_described() -> None:
    """services.yaml, strings and icons describe exactly the registered fields."""
    described = load_yaml_dict(str(PACKAGE / "services.yaml"))
    strings = json.loads((PACKAGE / "strings.json").read_text())["services"]
    english = json.loads((PACKAGE / "translations" / "en.json").read_text())
    icons = json.loads((PACKAGE / "icons.json").read_text())["services"]
    names = {action.name for action in ACTIONS}
    assert set(described) == set(strings) == set(icons) == names
    assert english["services"] == strings
    weekdays = english["selector"]["weekday"]["options"]
    assert (
        list(weekdays)
        == described["set_timer"]["fields"]["days"]["selector"]["select"]["options"]
    )
    for action in ACTIONS:
        # An entity is a script's target only: the UI picks the charger's device.
        schema_fields = {
            str(key) for key in action.schema.schema.validators[0].schema
        } - {"entity_id"}
        assert set(described[action.name]["fields"]) == schema_fields, action.name
        assert set(strings[action.name]["fields"]) == schema_fields, action.name


async def test_actions_registered_without_entries(hass: HomeAssistant) -> None:
    """The actions exist as soon as the integration is set up, entry or not."""
    assert await async_setup_component(hass, DOMAIN, {})
    assert set(hass.services.async_services_for_domain(DOMAIN)) == set(RESPONSES)
    descriptions = (await async_get_all_descriptions(hass))[DOMAIN]
    assert set(descriptions) == set(RESPONSES)
    # Wi-Fi changes moved to the options flow: action data is recorded.
    assert "set_wifi" not in descriptions


COMMANDS: list[tuple[str, dict[str, Any], Request, Callable[[ChargerState], bool]]] = [
    (
        "start_charging_energy",
        {"energy": 10.5},
        ("POST", "/device/startchargekw", {"kw": "10.5"}, None),
        lambda state: state.session_stop_energy_kwh == 10.5 and not state.paused,
    ),
    (
        "start_charging_time",
        {"minutes": 90},
        ("POST", "/device/startchargeminutes", {"minutes": "90"}, None),
        lambda state: state.session_stop_charging_seconds == 90 * 60,
    ),
    (
        "learn_rfid_card",
        {"name": "Anna"},
        ("POST", "/device/rfid", {"tag": "Anna"}, None),
        lambda state: state.rfid_learning_tag == "Anna",
    ),
    (
        "add_rfid_card",
        {"code": "04A1B2C3", "name": "Anna"},
        ("POST", "/device/rfid/tag", {"code": "04A1B2C3", "tag": "Anna"}, None),
        lambda state: state.rfid_cards == [RfidCard("04A1B2C3", "Anna")],
    ),
    (
        "set_timer",
        {
            "timer_id": 2,
            "start": "22:00:00",
            "end": "06:00",
            "days": ["friday", "monday", "wednesday"],
        },
        (
            "POST",
            "/device/timer",
            {"timerId": "2"},
            {"timeStart": "22:00", "timeEnd": "06:00", "daysOfWeek": "135"},
        ),
        lambda state: state.timers == {2: Timer(2, "22:00", "06:00", "135")},
    ),
    (
        "update_firmware",
        {},
        ("POST", "/device/update", {}, None),
        lambda state: state.update_ready_at is not None,
    ),
    (
        "set_max_power",
        {"power": 5750},
        ("POST", "/device/maxpower", {"value": "5750"}, None),
        lambda state: state.max_power == 5750,
    ),
    (
        "set_third_party_mode",
        {"mode": 1, "enabled": True},
        ("POST", "/device/thirdparty_mode", {"mode": "1", "value": "1"}, None),
        lambda state: state.thirdparty_mode_kind == 1 and state.thirdparty_mode == 1,
    ),
    (
        "set_third_party_mode",
        {"mode": 255, "enabled": True},
        ("POST", "/device/thirdparty_mode", {"mode": "255", "value": "1"}, None),
        lambda state: state.thirdparty_mode_kind == 255 and state.thirdparty_mode == 1,
    ),
]


@pytest.mark.parametrize(
    ("action", "data", "request_", "applied"),
    COMMANDS,
    ids=[command[0] for command in COMMANDS],
)
async def test_command(
    hass: HomeAssistant,
    *,
    device_id: str,
    v2c_sim: SimHandle,
    action: str,
    data: dict[str, Any],
    request_: Request,
    applied: Callable[[ChargerState], bool],
) -> None:
    """A command sends exactly its request and the charger applies it."""
    assert not applied(sim_state(v2c_sim))

    assert await call(hass, action, device_id=device_id, **data) is None

    method, path, query, body = request_
    assert requests(v2c_sim) == [
        (method, path, {"deviceId": v2c_sim.device_id, **query}, body)
    ]
    assert applied(sim_state(v2c_sim))


async def test_learned_card_is_registered(
    hass: HomeAssistant, device_id: str, v2c_sim: SimHandle
) -> None:
    """After learning, the next card held to the reader is listed under the name."""
    await call(hass, "learn_rfid_card", device_id=device_id, name="Anna")
    assert v2c_sim.charger.present_rfid_card("04A1B2C3")

    response = await call(hass, "list_rfid_cards", device_id=device_id)

    assert response == {"cards": [{"code": "04A1B2C3", "name": "Anna"}]}


async def test_rename_and_delete_card(
    hass: HomeAssistant, device_id: str, v2c_sim: SimHandle
) -> None:
    """Renaming and deleting a card change the charger's whitelist."""
    sim_state(v2c_sim).rfid_cards.append(RfidCard("04A1B2C3", "Anna"))

    await call(
        hass, "rename_rfid_card", device_id=device_id, code="04A1B2C3", name="Ben"
    )
    assert sim_state(v2c_sim).rfid_cards == [RfidCard("04A1B2C3", "Ben")]
    await call(hass, "delete_rfid_card", device_id=device_id, code="04A1B2C3")
    assert sim_state(v2c_sim).rfid_cards == []

    query = {"deviceId": v2c_sim.device_id, "code": "04A1B2C3"}
    assert requests(v2c_sim) == [
        ("PUT", "/device/rfid/tag", {**query, "tag": "Ben"}, None),
        ("DELETE", "/device/rfid", query, None),
    ]


async def test_reads(
    hass: HomeAssistant,
    device_id: str,
    v2c_sim: SimHandle,
    snapshot: SnapshotAssertion,
) -> None:
    """Read actions return the charger's cards, networks and firmware."""
    sim_state(v2c_sim).rfid_cards.extend(
        [RfidCard("04A1B2C3", "Anna"), RfidCard("0B5D6E7F", "Ben")]
    )

    responses = {
        action: await call(hass, action, device_id=device_id)
        for action in ("list_rfid_cards", "scan_wifi_networks", "get_firmware_version")
    }

    assert responses == snapshot
    query = {"deviceId": v2c_sim.device_id}
    assert requests(v2c_sim) == [
        ("GET", "/device/rfid", query, None),
        ("GET", "/device/wifilist", {"id": v2c_sim.device_id}, None),
        ("GET", "/version", query, None),
    ]


@pytest.mark.parametrize(
    ("sim_setup", "version"),
    [(SimSetup(), "2.4.6"), (POLE, "1.4.2")],
    ids=["trydan", "pole"],
)
async def test_firmware_version(
    hass: HomeAssistant, device_id: str, v2c_sim: SimHandle, version: str
) -> None:
    """Trydan's object and Pole's bare string both give the version."""
    response = await call(hass, "get_firmware_version", device_id=device_id)

    assert response == {"version": version}
    assert sim_state(v2c_sim).version == version


async def test_a_profile_at_the_largest_value_the_action_takes_is_saved(
    hass: HomeAssistant, device_id: str, v2c_sim: SimHandle
) -> None:
    """The action's bound is the client's: nothing it accepts is refused after a call."""
    await call(
        hass,
        "save_power_profile",
        device_id=device_id,
        name="Solar",
        mode="solar",
        value=1_000_000,
    )
    assert [profile.value for profile in sim_state(v2c_sim).profiles] == [1_000_000]


async def test_power_profiles(
    hass: HomeAssistant,
    device_id: str,
    v2c_sim: SimHandle,
    freezer: FrozenDateTimeFactory,
    snapshot: SnapshotAssertion,
) -> None:
    """Profiles are saved, updated, read, listed and deleted by name and timestamp."""
    saved = await call(
        hass,
        "save_power_profile",
        device_id=device_id,
        name="Solar",
        mode="solar",
        value=32,
    )
    assert saved == {"updated_at": "2026-03-02T12:00:00+00:00"}
    assert sim_state(v2c_sim).profiles == [
        PowerProfile("Solar", "2026-03-02T12:00:00Z", "solar", 32)
    ]

    freezer.tick(timedelta(minutes=1, seconds=0.5))
    updated = await call(
        hass,
        "update_power_profile",
        device_id=device_id,
        name="Solar",
        mode="max",
        value=16,
    )
    assert updated == {"updated_at": "2026-03-02T12:01:00+00:00"}
    got = await call(
        hass, "get_power_profile", device_id=device_id, updated_at=updated["updated_at"]
    )
    listed = await call(hass, "list_power_profiles", device_id=device_id)
    assert {"get": got, "list": listed} == snapshot
    await call(
        hass,
        "delete_power_profile",
        device_id=device_id,
        name="Solar",
        updated_at="2026-03-02T12:01:00Z",
    )
    assert sim_state(v2c_sim).profiles == []

    device = {"deviceId": v2c_sim.device_id}
    assert requests(v2c_sim) == [
        (
            "POST",
            "/device/savepersonalicepower/v2",
            {**device, "name": "Solar", "updateAt": "2026-03-02T12:00:00Z"},
            {"mode": "solar", "value": 32},
        ),
        (
            "POST",
            "/device/personalicepower/v2",
            {
                "id": v2c_sim.device_id,
                "name": "Solar",
                "updateAt": "2026-03-02T12:01:00Z",
            },
            {"mode": "max", "value": 16},
        ),
        (
            "GET",
            "/device/personalicepower/v2",
            {**device, "updateAt": "2026-03-02T12:01:00Z"},
            None,
        ),
        ("GET", "/device/personalicepower/all", device, None),
        (
            "DELETE",
            "/device/personalicepower/v2",
            {**device, "name": "Solar", "updateAt": "2026-03-02T12:01:00Z"},
            None,
        ),
    ]


async def test_profiles_while_charger_offline(
    hass: HomeAssistant,
    device_id: str,
    coordinator: V2CChargerCoordinator,
    v2c_sim: SimHandle,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Profiles live in the cloud: they are saved while the charger is offline.

    A command, or a Wi-Fi scan the charger itself must run, gets no call.
    """
    v2c_sim.charger.set_online(False)
    deadline = dt_util.utcnow() + timedelta(hours=4)
    while coordinator.data.connected is not False:
        assert dt_util.utcnow() < deadline, "the charger was never seen offline"
        freezer.tick(timedelta(minutes=10))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    v2c_sim.sim.clear_log()

    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "start_charging_time", device_id=device_id, minutes=30)
    with pytest.raises(HomeAssistantError) as scan:
        await call(hass, "scan_wifi_networks", device_id=device_id)
    await hass.services.async_call(
        DOMAIN,
        "save_power_profile",
        {"device_id": device_id, "name": "Night", "mode": "solar", "value": 10},
        blocking=True,
    )

    assert err.value.translation_key == "charger_offline"
    assert scan.value.translation_key == "charger_offline"
    assert [profile.name for profile in sim_state(v2c_sim).profiles] == ["Night"]
    assert [path for _, path, _, _ in requests(v2c_sim)] == [
        "/device/savepersonalicepower/v2"
    ]


async def _charge(
    v2c_sim: SimHandle, freezer: FrozenDateTimeFactory, hours: float
) -> None:
    v2c_sim.charger.plug_in(energy_needed_kwh=5.0)
    freezer.tick(timedelta(hours=hours))
    v2c_sim.charger.unplug()
    freezer.tick(timedelta(days=1))


async def test_charging_sessions_and_statistics(
    hass: HomeAssistant,
    *,
    device_id: str,
    init_integration: MockConfigEntry,
    v2c_sim: SimHandle,
    freezer: FrozenDateTimeFactory,
    snapshot: SnapshotAssertion,
) -> None:
    """Sessions of a date range and the account totals come from the statistics."""
    await _charge(v2c_sim, freezer, 1)
    await _charge(v2c_sim, freezer, 2)

    sessions = await call(
        hass,
        "get_charging_sessions",
        device_id=device_id,
        start_date="2026-03-03",
        end_date="2026-03-03",
    )
    latest = await call(hass, "get_charging_sessions", device_id=device_id)
    by_entry = await call(
        hass,
        "get_account_statistics",
        config_entry_id=init_integration.entry_id,
        start_date="2026-03-02",
    )
    by_device = await call(hass, "get_account_statistics", device_id=device_id)
    # The account's device, as its quota sensors create it (a platform not loaded here).
    account = dr.async_get(hass).async_get_or_create(
        config_entry_id=init_integration.entry_id,
        identifiers={(DOMAIN, init_integration.entry_id)},
    )
    by_account = await call(hass, "get_account_statistics", device_id=account.id)

    assert sessions is not None
    assert latest is not None
    assert len(sessions["sessions"]) == 1  # type: ignore[arg-type]
    assert len(latest["sessions"]) == 2  # type: ignore[arg-type]
    assert by_device == {"total_energy_kwh": 10.0, "total_charges": 2}
    assert by_account == by_device
    assert {"sessions": sessions, "totals": by_entry} == snapshot
    device = {"deviceId": v2c_sim.device_id}
    # A day passes between the charges, so the coordinator polls meanwhile.
    assert requests(v2c_sim, polls=False) == [
        (
            "GET",
            "/stadistic/device",
            {**device, "chargeDateStart": "2026-03-03", "chargeDateEnd": "2026-03-03"},
            None,
        ),
        ("GET", "/stadistic/device", device, None),
        ("GET", "/stadistic/global/me", {"endChargeDateStart": "2026-03-02"}, None),
        ("GET", "/stadistic/global/me", {}, None),
        ("GET", "/stadistic/global/me", {}, None),
    ]


INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("start_charging_energy", {"energy": 0.05}, "energy"),
    ("start_charging_energy", {"energy": 200.5}, "energy"),
    ("start_charging_energy", {}, "energy"),
    ("start_charging_time", {"minutes": 0}, "minutes"),
    ("start_charging_time", {"minutes": 1441}, "minutes"),
    ("start_charging_time", {"minutes": 30.5}, "minutes"),
    ("learn_rfid_card", {"name": "   "}, "name"),
    ("learn_rfid_card", {"name": "x" * 33}, "name"),
    ("add_rfid_card", {"code": "04 A1", "name": "Anna"}, "code"),
    ("delete_rfid_card", {"code": ""}, "code"),
    (
        "set_timer",
        {"timer_id": 0, "start": "22:00", "end": "06:00", "days": ["monday"]},
        "timer_id",
    ),
    (
        "set_timer",
        {"timer_id": 33, "start": "22:00", "end": "06:00", "days": ["monday"]},
        "timer_id",
    ),
    (
        "set_timer",
        {"timer_id": 1, "start": "22:00:30", "end": "06:00", "days": ["monday"]},
        "start",
    ),
    (
        "set_timer",
        {"timer_id": 1, "start": "22:00", "end": "25:00", "days": ["monday"]},
        "end",
    ),
    (
        "set_timer",
        {"timer_id": 1, "start": "22:00", "end": "06:00", "days": []},
        "days",
    ),
    (
        "set_timer",
        {"timer_id": 1, "start": "22:00", "end": "06:00", "days": ["funday"]},
        "days.0",
    ),
    (
        "set_timer",
        {"timer_id": 1, "start": "07:30", "end": "07:30:00", "days": ["monday"]},
        "end",
    ),
    ("disable_timer", {"timer_id": 33}, "timer_id"),
    ("save_power_profile", {"name": "Solar", "mode": "so lar", "value": 1}, "mode"),
    ("save_power_profile", {"name": "Solar", "mode": "solar", "value": -1}, "value"),
    ("get_power_profile", {"updated_at": "yesterday"}, "updated_at"),
    # In 2100 where it was written, in 2101 in UTC: the year V2C would be sent.
    ("get_power_profile", {"updated_at": "2100-12-31T23:59:00-12:00"}, "updated_at"),
    (
        "get_charging_sessions",
        {"start_date": "2026-03-05", "end_date": "2026-03-01"},
        "start_date",
    ),
    ("set_max_power", {"power": 0}, "power"),
    ("set_third_party_mode", {"mode": 256, "enabled": True}, "mode"),
    # A script's template can hand over a whole number no float can hold.
    ("start_charging_time", {"minutes": 10**400}, "minutes"),
    (
        "set_timer",
        {"timer_id": 10**400, "start": "22:00", "end": "06:00", "days": ["monday"]},
        "timer_id",
    ),
]


@pytest.mark.parametrize(
    ("action", "data", "field"),
    INVALID,
    ids=[
        f"{action}-{field}-{index}" for index, (action, _, field) in enumerate(INVALID)
    ],
)
async def test_invalid_input(
    hass: HomeAssistant,
    *,
    device_id: str,
    v2c_sim: SimHandle,
    action: str,
    data: dict[str, Any],
    field: str,
) -> None:
    """Invalid input is refused with a translated error naming the field, before any call.

    A reason of the integration's own has a key of its own, so that the whole
    message is translated; voluptuous' reasons stay English in invalid_value.
    """
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, action, device_id=device_id, **data)

    assert err.value.translation_key in INVALID_INPUT_KEYS
    assert err.value.translation_placeholders is not None
    assert err.value.translation_placeholders["parameter"] == field
    assert str(err.value).startswith(f"Invalid value for {field}: ")
    assert PASSWORD not in str(err.value.translation_placeholders)
    assert requests(v2c_sim) == []


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"start_date": "2026-03-01"}, "invalid_value"),
        ({"config_entry_id": "x", "device_id": "y"}, "invalid_account_target"),
    ],
    ids=["no_target", "two_targets"],
)
async def test_account_statistics_target(
    hass: HomeAssistant,
    device_id: str,
    v2c_sim: SimHandle,
    data: dict[str, Any],
    key: str,
) -> None:
    """Account statistics need exactly one of an account or a charger."""
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "get_account_statistics", **data)

    assert err.value.translation_key == key
    assert requests(v2c_sim) == []


@pytest.mark.parametrize("sim_setup", [SimSetup(daily_limit=3)])
async def test_quota_exhausted(
    hass: HomeAssistant, device_id: str, v2c_sim: SimHandle
) -> None:
    """With the day's calls spent, commands and reads are refused without a request."""
    assert v2c_sim.sim.quota_for(v2c_sim.api_key).remaining == 0

    for action, data in (
        ("start_charging_time", {"minutes": 30}),
        ("list_rfid_cards", {}),
        ("save_power_profile", {"name": "Solar", "mode": "solar", "value": 1}),
        ("get_account_statistics", {}),
    ):
        with pytest.raises(HomeAssistantError) as err:
            await call(hass, action, device_id=device_id, **data)
        assert err.value.translation_key == "quota_exhausted", action

    assert requests(v2c_sim) == []


async def test_cloud_errors_are_translated(
    hass: HomeAssistant, device_id: str, v2c_sim: SimHandle
) -> None:
    """A failing read and a refused command raise translated errors."""
    v2c_sim.sim.faults.set(FaultKind.HTTP_503, route="/device/rfid", count=1)
    with pytest.raises(HomeAssistantError) as read_failed:
        await call(hass, "list_rfid_cards", device_id=device_id)
    with pytest.raises(HomeAssistantError) as unknown_card:
        await call(hass, "delete_rfid_card", device_id=device_id, code="FFFF")

    assert read_failed.value.translation_key == "communication_error"
    assert read_failed.value.translation_placeholders == {"error": "HTTP 503"}
    # The cloud answered and said no: its reason, not "could not communicate".
    assert unknown_card.value.translation_key == "cloud_refused"
    assert unknown_card.value.translation_placeholders == {
        "status": "404",
        "reason": "RFID card not found",
    }
    assert str(unknown_card.value) == (
        "The V2C Cloud refused the request (HTTP 404): RFID card not found"
    )


@pytest.mark.parametrize("sim_setup", [TWO_CHARGERS])
async def test_targets_the_chosen_charger(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    v2c_sim: SimHandle,
) -> None:
    """Each device maps to its own charger."""
    pole = device_registry.async_get_device(identifiers={(DOMAIN, "POLE0001")})
    assert pole is not None
    v2c_sim.sim.clear_log()

    await call(hass, "start_charging_time", device_id=pole.id, minutes=15)

    assert requests(v2c_sim)[0][2] == {"deviceId": "POLE0001", "minutes": "15"}
    assert v2c_sim.chargers[1].state.session_stop_charging_seconds == 15 * 60


async def test_unknown_targets(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    v2c_sim: SimHandle,
) -> None:
    """Devices and entries that are not loaded V2C chargers are refused."""
    other_entry = MockConfigEntry(domain="other")
    other_entry.add_to_hass(hass)
    other = device_registry.async_get_or_create(
        config_entry_id=other_entry.entry_id, identifiers={("other", "1")}
    )
    unpaired = device_registry.async_get_or_create(
        config_entry_id=init_integration.entry_id, identifiers={(DOMAIN, "GONE01")}
    )
    account = device_registry.async_get_or_create(
        config_entry_id=init_integration.entry_id,
        identifiers={(DOMAIN, init_integration.entry_id)},
    )
    v2c_sim.sim.clear_log()

    for action, data, key in (
        ("get_firmware_version", {"device_id": "missing"}, "device_not_found"),
        ("get_firmware_version", {"device_id": other.id}, "device_not_found"),
        ("get_firmware_version", {"device_id": unpaired.id}, "device_not_found"),
        # The account's device stands for the account only in account-wide reads.
        ("get_firmware_version", {"device_id": account.id}, "device_not_found"),
        ("get_account_statistics", {"device_id": other.id}, "device_not_found"),
        ("get_account_statistics", {"config_entry_id": "missing"}, "entry_not_found"),
        (
            "get_account_statistics",
            {"config_entry_id": other_entry.entry_id},
            "entry_not_found",
        ),
    ):
        with pytest.raises(ServiceValidationError) as err:
            await call(hass, action, **data)
        assert err.value.translation_key == key, data
    assert requests(v2c_sim) == []


async def test_unloaded_entry(
    hass: HomeAssistant,
    device_id: str,
    init_integration: MockConfigEntry,
    v2c_sim: SimHandle,
) -> None:
    """A charger of an unloaded entry is refused, and so is the account."""
    await hass.config_entries.async_unload(init_integration.entry_id)
    assert init_integration.state is ConfigEntryState.NOT_LOADED

    for action, data in (
        ("update_firmware", {"device_id": device_id}),
        ("get_account_statistics", {"config_entry_id": init_integration.entry_id}),
    ):
        with pytest.raises(ServiceValidationError) as err:
            await call(hass, action, **data)
        assert err.value.translation_key == "entry_not_loaded"
        assert str(err.value).startswith("The V2C Cloud account V2C Cloud is not")
    assert requests(v2c_sim) == []


async def test_invalid_input_is_a_bad_request(
    hass: HomeAssistant,
    *,
    device_id: str,
    v2c_sim: SimHandle,
    hass_client: ClientSessionGenerator,
    hass_ws_client: WebSocketGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """REST and websocket callers get a 400 and the reason, not a 500 and a trace."""
    assert await async_setup_component(hass, "api", {})
    client = await hass_client()
    websocket = await hass_ws_client(hass)
    data = {"timer_id": 1, "start": "07:30", "end": "07:30", "days": ["monday"]}

    response = await client.post(
        f"/api/services/{DOMAIN}/set_timer", json={"device_id": device_id, **data}
    )
    await websocket.send_json_auto_id(
        {
            "type": "call_service",
            "domain": DOMAIN,
            "service": "set_timer",
            "service_data": {"device_id": device_id, **data},
        }
    )
    answer = await websocket.receive_json()

    assert response.status == HTTPStatus.BAD_REQUEST
    assert answer["success"] is False
    assert answer["error"]["code"] == "invalid_format"
    assert answer["error"]["message"] == (
        "Invalid value for end: a timer's end must differ from its start"
    )
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert requests(v2c_sim) == []


@pytest.mark.parametrize(
    ("start", "end"),
    [("22:00", "06:00"), ("22:00:30", "06:00+02:00")],
    ids=["as-set", "seconds-and-offset"],
)
async def test_disable_timer(
    hass: HomeAssistant,
    *,
    mock_config_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    v2c_sim: SimHandle,
    freezer: FrozenDateTimeFactory,
    start: str,
    end: str,
) -> None:
    """A programmed timer is switched off with the legacy body and its own times.

    Switching it off may let a held car start: it is confirmed with the live state.
    Times reported with seconds or an offset are sent as the hour and minute.
    """
    sim_state(v2c_sim).timers[2] = Timer(2, start, end, "135")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    device = device_registry.async_get_device(identifiers={(DOMAIN, v2c_sim.device_id)})
    assert device is not None
    v2c_sim.sim.clear_log()

    assert await call(hass, "disable_timer", device_id=device.id, timer_id=2) is None
    with pytest.raises(ServiceValidationError) as unknown:
        await call(hass, "disable_timer", device_id=device.id, timer_id=3)

    assert requests(v2c_sim) == [
        (
            "POST",
            "/device/timer",
            {"deviceId": v2c_sim.device_id, "timer id": "2"},
            {"start_time": "22:00", "end_time": "06:00", "active": False},
        )
    ]
    assert not sim_state(v2c_sim).timers[2].active
    assert unknown.value.translation_key == "timer_not_found"
    assert str(unknown.value) == "Timer 3 is not programmed on Garage"
    freezer.tick(timedelta(seconds=20))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    confirmation = [r.path for r in v2c_sim.sim.request_log[1:3]]
    assert confirmation == ["/device/reported", "/thirdparty/device/currentstatecharge"]


@pytest.mark.parametrize(
    ("action", "data", "live"),
    [
        ("start_charging_energy", {"energy": 5.0}, True),
        ("start_charging_time", {"minutes": 30}, True),
        (
            "set_timer",
            {"timer_id": 1, "start": "02:00", "end": "06:00", "days": ["monday"]},
            True,
        ),
        ("set_third_party_mode", {"mode": 1, "enabled": True}, False),
    ],
)
async def test_commands_that_change_the_charge_are_confirmed_live(
    *,
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_id: str,
    v2c_sim: SimHandle,
    action: str,
    data: dict[str, Any],
    live: bool,
) -> None:
    """Energy/time starts and timers change whether the car charges: confirm live."""
    await call(hass, action, device_id=device_id, **data)
    for _ in range(12):
        freezer.tick(timedelta(seconds=5))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    log = v2c_sim.sim.request_log
    confirm = next(i for i, r in enumerate(log) if r.path == "/device/reported")
    same_moment = [r.path for r in log[confirm:] if r.time == log[confirm].time]
    assert any(path.endswith("/currentstatecharge") for path in same_moment) is live


UNCONFIRMED: list[tuple[str, dict[str, Any], str, bool]] = [
    ("learn_rfid_card", {"name": "Ben"}, "/device/rfid", False),
    ("add_rfid_card", {"code": "0B5D6E7F", "name": "Ben"}, "/device/rfid/tag", False),
    (
        "rename_rfid_card",
        {"code": "04A1B2C3", "name": "Ben"},
        "/device/rfid/tag",
        False,
    ),
    ("delete_rfid_card", {"code": "04A1B2C3"}, "/device/rfid", False),
    ("update_firmware", {}, "/device/update", False),
    # Third-party control can take the charge over: still confirmed.
    (
        "set_third_party_mode",
        {"mode": 1, "enabled": True},
        "/device/thirdparty_mode",
        True,
    ),
]


@pytest.mark.parametrize(
    ("action", "data", "path", "confirmed"),
    UNCONFIRMED,
    ids=[command[0] for command in UNCONFIRMED],
)
async def test_cards_and_firmware_updates_are_commands_no_read_confirms(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    device_id: str,
    v2c_sim: SimHandle,
    freezer: FrozenDateTimeFactory,
    action: str,
    data: dict[str, Any],
    path: str,
    confirmed: bool,
) -> None:
    """A card or a firmware update costs its one command call and no settings read.

    The charger's settings show neither its cards nor an update under way, so
    a read after one would show nothing of it; a command that can change the
    charge is still confirmed by a settings read.
    """
    sim_state(v2c_sim).rfid_cards.append(RfidCard("04A1B2C3", "Anna"))
    planner = init_integration.runtime_data.planner
    before = planner.snapshot(dt_util.utcnow()).calls_today

    await call(hass, action, device_id=device_id, **data)
    # Past the confirmation window and the read that ends it.
    for _ in range(36):
        freezer.tick(timedelta(seconds=5))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()

    after = planner.snapshot(dt_util.utcnow()).calls_today
    assert [sent for _, sent, _, _ in requests(v2c_sim, polls=False)] == [path]
    reads = [r.path for r in v2c_sim.sim.request_log].count("/device/reported")
    assert reads == (1 if confirmed else 0)
    assert after[CallKind.COMMAND] - before[CallKind.COMMAND] == 1
    assert after[CallKind.CONFIRM] - before[CallKind.CONFIRM] == reads


MORNING = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
DATETIME_FOR_A_DATE: list[tuple[str, dict[str, Any], str]] = [
    (
        "get_charging_sessions",
        {"start_date": date(2026, 3, 1), "end_date": MORNING},
        "end_date",
    ),
    ("get_charging_sessions", {"start_date": MORNING}, "start_date"),
    (
        "get_account_statistics",
        {"start_date": MORNING, "end_date": date(2026, 3, 3)},
        "start_date",
    ),
    ("get_account_statistics", {"end_date": MORNING}, "end_date"),
]


@pytest.mark.parametrize(
    ("action", "data", "field"),
    DATETIME_FOR_A_DATE,
    ids=[
        f"{action}-{field}-{len(data)}" for action, data, field in DATETIME_FOR_A_DATE
    ],
)
async def test_a_python_caller_giving_a_datetime_for_a_date_gets_a_translated_error(
    hass: HomeAssistant,
    *,
    device_id: str,
    v2c_sim: SimHandle,
    action: str,
    data: dict[str, Any],
    field: str,
) -> None:
    """A date field given a datetime is refused, naming the field, before any call.

    A Python caller (pyscript, another integration) may pass one, alone or
    beside a date: the range check never compares the two.
    """
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, action, device_id=device_id, **data)

    assert err.value.translation_key == "invalid_date"
    assert err.value.translation_placeholders is not None
    assert err.value.translation_placeholders["parameter"] == field
    assert requests(v2c_sim) == []
