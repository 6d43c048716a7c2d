"""Actions aimed at a charger as scripts and automations aim them: with `target:`.

A script's `target: device_id:` reaches the action as a list, even for one id,
and `target: entity_id:` as a list of entity ids or registry ids.
"""

from __future__ import annotations

from typing import Any

from homeassistant.const import Platform
from homeassistant.core import Context, HomeAssistant, ServiceResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.helpers.script import Script
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud import service_schemas
from custom_components.v2c_cloud.const import DOMAIN
from custom_components.v2c_cloud.service_actions import ACTIONS
from tests.sim_fixtures import SimHandle, SimSetup

# The charger's buttons are entities enough to aim at; the rest would only poll.
PLATFORM = Platform.BUTTON
TWO_CHARGERS = SimSetup(
    models=("trydan", "pole"),
    device_ids=("TRY0001", "POLE0001"),
    tags=("Garage", "Driveway"),
)
START_30_MINUTES = ("POST", "/device/startchargeminutes")
POLL_PATHS = frozenset(
    {
        "/device/reported",
        "/thirdparty/device/currentstatecharge",
        "/device/connected",
        "/pairings/me",
    }
)


def _device(hass: HomeAssistant, charger_id: str) -> str:
    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, charger_id)})
    assert device is not None
    return device.id


def _entity(hass: HomeAssistant, device_id: str) -> er.RegistryEntry:
    """Return one of the charger's own entities."""
    return er.async_entries_for_device(er.async_get(hass), device_id)[0]


@pytest.fixture
def charger(
    hass: HomeAssistant, init_integration: MockConfigEntry, v2c_sim: SimHandle
) -> str:
    """Return the registry id of the first charger's device, after a clean log."""
    device_id = _device(hass, v2c_sim.device_id)
    v2c_sim.sim.clear_log()
    return device_id


async def run_script(hass: HomeAssistant, step: dict[str, Any]) -> ServiceResponse:
    """Run one step as a script would, config validation included.

    The step's response, if it keeps one as `result`, is the script's.
    """
    sequence = [step]
    if "response_variable" in step:
        sequence.append({"stop": "done", "response_variable": "result"})
    script = Script(hass, cv.SCRIPT_SCHEMA(sequence), "V2C test", "test")
    result = await script.async_run(context=Context())
    return result.service_response if result is not None else None


def commands(v2c_sim: SimHandle) -> list[tuple[str, str, dict[str, str]]]:
    """Return the requests that were not polls: method, path and query."""
    return [
        (record.method, record.path, record.query)
        for record in v2c_sim.sim.request_log
        if record.path not in POLL_PATHS
    ]


@pytest.mark.parametrize("as_list", [False, True], ids=["scalar", "list_of_one"])
async def test_script_target_device_reaches_the_charger(
    hass: HomeAssistant, charger: str, v2c_sim: SimHandle, *, as_list: bool
) -> None:
    """`target: device_id:` in a script, one id or a list of one, runs the command."""
    await run_script(
        hass,
        {
            "action": f"{DOMAIN}.start_charging_time",
            "target": {"device_id": [charger] if as_list else charger},
            "data": {"minutes": 30},
        },
    )

    assert commands(v2c_sim) == [
        (*START_30_MINUTES, {"deviceId": v2c_sim.device_id, "minutes": "30"})
    ]
    assert v2c_sim.charger.state.session_stop_charging_seconds == 30 * 60


async def test_script_target_keeps_the_response(
    hass: HomeAssistant, charger: str, v2c_sim: SimHandle
) -> None:
    """A read aimed by `target:` still hands its answer to `response_variable`."""
    response = await run_script(
        hass,
        {
            "action": f"{DOMAIN}.get_firmware_version",
            "target": {"device_id": charger},
            "response_variable": "result",
        },
    )

    assert response == {"version": v2c_sim.charger.state.version}
    assert commands(v2c_sim) == [("GET", "/version", {"deviceId": v2c_sim.device_id})]


@pytest.mark.parametrize(
    "target",
    [{"device_id": ["CHARGER"]}, {"entity_id": "ENTITY"}, {"entity_id": "UUID"}],
    ids=["call_target_list", "entity_id", "entity_registry_id"],
)
async def test_call_target_reaches_the_charger(
    hass: HomeAssistant, charger: str, v2c_sim: SimHandle, target: dict[str, Any]
) -> None:
    """A direct call's target: a device list, or one of the charger's entities."""
    entity = _entity(hass, charger)
    names = {"CHARGER": charger, "ENTITY": entity.entity_id, "UUID": entity.id}
    [(key, value)] = target.items()
    resolved = (
        [names[item] for item in value] if isinstance(value, list) else names[value]
    )

    await hass.services.async_call(
        DOMAIN,
        "start_charging_time",
        {"minutes": 30},
        target={key: resolved},
        blocking=True,
    )

    assert commands(v2c_sim) == [
        (*START_30_MINUTES, {"deviceId": v2c_sim.device_id, "minutes": "30"})
    ]


async def test_script_entity_target(
    hass: HomeAssistant, charger: str, v2c_sim: SimHandle
) -> None:
    """`target: entity_id:` of the charger's own entity aims at its charger."""
    await run_script(
        hass,
        {
            "action": f"{DOMAIN}.start_charging_time",
            "target": {"entity_id": _entity(hass, charger).entity_id},
            "data": {"minutes": 30},
        },
    )

    assert commands(v2c_sim)[0][2] == {"deviceId": v2c_sim.device_id, "minutes": "30"}


async def test_data_field_list_of_one(
    hass: HomeAssistant, charger: str, v2c_sim: SimHandle
) -> None:
    """The data field takes a list of one id too, as a template may render it."""
    await hass.services.async_call(
        DOMAIN,
        "start_charging_time",
        {"device_id": [charger], "minutes": 30},
        blocking=True,
    )

    assert commands(v2c_sim)[0][2] == {"deviceId": v2c_sim.device_id, "minutes": "30"}


@pytest.mark.parametrize("sim_setup", [TWO_CHARGERS])
@pytest.mark.parametrize(
    ("where", "targets"),
    [
        ("target", ["TRY0001", "POLE0001"]),
        ("data", ["TRY0001", "POLE0001"]),
        ("target", ["TRY0001", "POLE0001-entity"]),
        ("target", ["TRY0001", "TRY0001-entity", "POLE0001"]),
    ],
    ids=[
        "target_two_devices",
        "data_two_devices",
        "device_and_entity",
        "one_named_twice_and_another",
    ],
)
async def test_two_chargers_are_refused(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    v2c_sim: SimHandle,
    where: str,
    targets: list[str],
) -> None:
    """Two chargers at once are refused, translated and before any call."""
    aimed: dict[str, list[str]] = {}
    for target in targets:
        device_id = _device(hass, target.removesuffix("-entity"))
        if target.endswith("-entity"):
            aimed.setdefault("entity_id", []).append(_entity(hass, device_id).entity_id)
        else:
            aimed.setdefault("device_id", []).append(device_id)
    v2c_sim.sim.clear_log()
    step: dict[str, Any] = {"action": f"{DOMAIN}.start_charging_time"}
    if where == "target":
        step |= {"target": aimed, "data": {"minutes": 30}}
    else:
        step["data"] = {**aimed, "minutes": 30}

    with pytest.raises(ServiceValidationError) as err:
        await run_script(hass, step)

    assert err.value.translation_key == "one_charger"
    assert err.value.translation_placeholders == {"count": "2"}
    assert str(err.value) == (
        "A V2C Cloud action acts on one charger at a time, but it was given 2; "
        "call it once for each charger"
    )
    assert v2c_sim.sim.request_log == []


@pytest.mark.parametrize("shape", ["device_and_own_entity", "two_own_entities"])
async def test_one_charger_named_twice_is_one_charger(
    hass: HomeAssistant, charger: str, v2c_sim: SimHandle, shape: str
) -> None:
    """A target picked in the UI names the charger by its device and an entity, or two."""
    entities = er.async_entries_for_device(er.async_get(hass), charger)
    if shape == "device_and_own_entity":
        target = {"device_id": [charger], "entity_id": [entities[0].entity_id]}
    else:
        target = {"entity_id": [entities[0].entity_id, entities[1].id]}

    await run_script(
        hass,
        {
            "action": f"{DOMAIN}.start_charging_time",
            "target": target,
            "data": {"minutes": 30},
        },
    )

    assert commands(v2c_sim) == [
        (*START_30_MINUTES, {"deviceId": v2c_sim.device_id, "minutes": "30"})
    ]


@pytest.mark.parametrize(
    "data",
    [{"device_id": []}, {"entity_id": []}, {}],
    ids=["empty_device_list", "empty_entity_list", "none"],
)
async def test_no_charger_is_refused(
    hass: HomeAssistant, charger: str, v2c_sim: SimHandle, data: dict[str, Any]
) -> None:
    """An empty target names no charger: refused, translated, before any call."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "start_charging_time", {"minutes": 30, **data}, blocking=True
        )

    assert err.value.translation_key == "no_charger"
    assert str(err.value) == (
        "No charger was given: choose a V2C charger's device or one of its entities"
    )
    assert v2c_sim.sim.request_log == []


async def test_foreign_entity_is_refused(
    hass: HomeAssistant, charger: str, v2c_sim: SimHandle
) -> None:
    """An entity that is not one of our chargers' is refused by its id."""
    other = er.async_get(hass).async_get_or_create("switch", "other", "1")

    for entity_id in (other.entity_id, "switch.missing"):
        with pytest.raises(ServiceValidationError) as err:
            await hass.services.async_call(
                DOMAIN,
                "start_charging_time",
                {"minutes": 30},
                target={"entity_id": entity_id},
                blocking=True,
            )
        assert err.value.translation_key == "entity_not_found"
        assert err.value.translation_placeholders == {"entity_id": entity_id}
    assert v2c_sim.sim.request_log == []


async def test_account_statistics_by_target(
    hass: HomeAssistant, charger: str, v2c_sim: SimHandle
) -> None:
    """The account-wide read is aimed the same way, by a charger's device or entity."""
    by_device = await hass.services.async_call(
        DOMAIN,
        "get_account_statistics",
        target={"device_id": [charger]},
        blocking=True,
        return_response=True,
    )
    by_entity = await hass.services.async_call(
        DOMAIN,
        "get_account_statistics",
        target={"entity_id": [_entity(hass, charger).entity_id]},
        blocking=True,
        return_response=True,
    )

    assert by_device == by_entity == {"total_energy_kwh": 0.0, "total_charges": 0}
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "get_account_statistics",
            {"config_entry_id": "x"},
            target={"device_id": [charger]},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "invalid_account_target"


def test_every_charger_action_shares_the_target() -> None:
    """Each action takes its charger through the one shared piece of schema."""
    for action in ACTIONS:
        fields = action.schema.schema.validators[0].schema
        for key, validator in service_schemas.CHARGER_TARGET.items():
            assert fields[key] is validator, action.name
