"""RFID cards and advanced power profiles."""

from __future__ import annotations

from aiohttp import ClientSession

from tests.sim_fixtures import SimHandle
from v2c_simulator import VirtualClock

from .helpers import api

DEVICE = {"deviceId": "TRY0001"}


async def test_learning_mode_registers_next_card(
    v2c_sim: SimHandle, client: ClientSession, clock: VirtualClock
) -> None:
    """POST /device/rfid arms learning; the next presented card joins under the tag."""
    charger = v2c_sim.charger
    assert not charger.present_rfid_card("aa23b601")

    answer = await api(client, "POST", "/device/rfid", tag="Vicente", **DEVICE)
    assert (answer.status, answer.body) == (200, "OK")
    assert charger.present_rfid_card("aa23b601")
    assert not charger.present_rfid_card("bb00bb00")

    cards = (await api(client, "GET", "/device/rfid", **DEVICE)).body
    assert cards == [{"code": "aa23b601", "tag": "Vicente"}]


async def test_card_used_in_a_session_shows_in_statistics(
    v2c_sim: SimHandle, client: ClientSession, clock: VirtualClock
) -> None:
    """With the reader on, a known card presented during a session is recorded."""
    charger = v2c_sim.charger
    await api(
        client, "POST", "/device/rfid/tag", code="aa23b601", tag="Vicente", **DEVICE
    )
    assert not charger.present_rfid_card("aa23b601")
    await api(client, "POST", "/device/set_rfid", value="1", **DEVICE)
    charger.plug_in(5)
    assert charger.present_rfid_card("aa23b601")
    assert not charger.present_rfid_card("unknown")
    clock.advance(3600)
    charger.unplug()

    stats = (await api(client, "GET", "/stadistic/device", **DEVICE)).body
    assert (stats[0]["rfidCode"], stats[0]["rfidName"]) == ("aa23b601", "Vicente")


async def test_add_rename_delete_cards(
    v2c_sim: SimHandle, client: ClientSession
) -> None:
    """Cards can be added by code, renamed and removed; each change answers "OK"."""
    added = await api(
        client, "POST", "/device/rfid/tag", code="c1", tag="One", **DEVICE
    )
    await api(client, "POST", "/device/rfid/tag", code="c2", tag="Two", **DEVICE)
    renamed = await api(
        client, "PUT", "/device/rfid/tag", code="c1", tag="Uno", **DEVICE
    )
    deleted = await api(client, "DELETE", "/device/rfid", code="c2", **DEVICE)

    assert [a.body for a in (added, renamed, deleted)] == ["OK", "OK", "OK"]
    cards = (await api(client, "GET", "/device/rfid", **DEVICE)).body
    assert cards == [{"code": "c1", "tag": "Uno"}]


async def test_card_errors(v2c_sim: SimHandle, client: ClientSession) -> None:
    """Duplicates conflict, unknown codes are not found, and nothing changes."""
    await api(client, "POST", "/device/rfid/tag", code="c1", tag="One", **DEVICE)

    duplicate = await api(
        client, "POST", "/device/rfid/tag", code="c1", tag="Again", **DEVICE
    )
    rename = await api(client, "PUT", "/device/rfid/tag", code="zz", tag="X", **DEVICE)
    delete = await api(client, "DELETE", "/device/rfid", code="zz", **DEVICE)
    no_tag = await api(client, "POST", "/device/rfid", **DEVICE)

    assert [a.status for a in (duplicate, rename, delete, no_tag)] == [
        409,
        404,
        404,
        400,
    ]
    assert no_tag.body["parameter"] == "tag"
    assert v2c_sim.charger.state.rfid_cards[0].tag == "One"


async def test_power_profiles_lifecycle(
    v2c_sim: SimHandle, client: ClientSession
) -> None:
    """Save, read by timestamp, update (with `id`), list and delete a profile."""
    saved = await api(
        client,
        "POST",
        "/device/savepersonalicepower/v2",
        name="SolarMode",
        updateAt="2023-10-27T10:00:00Z",
        body={"mode": "solar", "value": 32},
        **DEVICE,
    )
    assert (saved.status, saved.body) == (200, "OK")
    got = await api(
        client,
        "GET",
        "/device/personalicepower/v2",
        updateAt="2023-10-27T10:00:00Z",
        **DEVICE,
    )
    assert got.body == {
        "name": "SolarMode",
        "updateAt": "2023-10-27T10:00:00Z",
        "mode": "solar",
        "value": 32,
    }

    updated = await api(
        client,
        "POST",
        "/device/personalicepower/v2",
        id="TRY0001",
        name="SolarMode",
        updateAt="2023-10-27T10:01:00Z",
        body={"mode": "solar_updated", "value": 30},
    )
    assert updated.body == "OK"
    listed = (await api(client, "GET", "/device/personalicepower/all", **DEVICE)).body
    assert listed == [
        {
            "name": "SolarMode",
            "updateAt": "2023-10-27T10:01:00Z",
            "mode": "solar_updated",
            "value": 30,
        }
    ]

    stale = await api(
        client,
        "DELETE",
        "/device/personalicepower/v2",
        name="SolarMode",
        updateAt="2023-10-27T10:00:00Z",
        **DEVICE,
    )
    assert stale.status == 404
    deleted = await api(
        client,
        "DELETE",
        "/device/personalicepower/v2",
        name="SolarMode",
        updateAt="2023-10-27T10:01:00Z",
        **DEVICE,
    )
    assert deleted.body == "OK"
    assert (
        await api(client, "GET", "/device/personalicepower/all", **DEVICE)
    ).body == []


async def test_power_profile_errors(v2c_sim: SimHandle, client: ClientSession) -> None:
    """Bad bodies and timestamps are 400; duplicates 409; unknown profiles 404."""
    stamp = "2023-10-27T10:00:00Z"
    path = "/device/savepersonalicepower/v2"
    good = {"mode": "solar", "value": 32}
    await api(client, "POST", path, name="P", updateAt=stamp, body=good, **DEVICE)

    answers = [
        await api(client, "POST", path, name="P", updateAt=stamp, body=good, **DEVICE),
        await api(
            client, "POST", path, name="Q", updateAt="yesterday", body=good, **DEVICE
        ),
        await api(
            client,
            "POST",
            path,
            name="Q",
            updateAt=stamp,
            body={"mode": "solar", "value": "x"},
            **DEVICE,
        ),
        await api(
            client, "POST", path, name="Q", updateAt=stamp, body={"value": 3}, **DEVICE
        ),
        await api(
            client,
            "POST",
            path,
            name="Q",
            updateAt=stamp,
            body={"mode": "s", "value": True},
            **DEVICE,
        ),
        await api(
            client,
            "POST",
            "/device/personalicepower/v2",
            id="TRY0001",
            name="Z",
            updateAt=stamp,
            body=good,
        ),
        await api(
            client,
            "GET",
            "/device/personalicepower/v2",
            updateAt="2024-01-01T00:00:00Z",
            **DEVICE,
        ),
        await api(
            client,
            "DELETE",
            "/device/personalicepower/v2",
            name="Z",
            updateAt=stamp,
            **DEVICE,
        ),
        await api(
            client,
            "POST",
            "/device/personalicepower/v2",
            name="P",
            updateAt=stamp,
            body=good,
            **DEVICE,
        ),
    ]

    assert [a.status for a in answers] == [409, 400, 400, 400, 400, 404, 404, 404, 400]
    assert [a.body.get("parameter") for a in answers] == [
        "name",
        "updateAt",
        "value",
        "mode",
        "value",
        "name",
        "updateAt",
        "name",
        "id",
    ]
