"""The API key and WiFi password never reach logs, messages or reprs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
import logging

import aiohttp
from aiohttp import web
import pytest

from custom_components.v2c_cloud.api import (
    Language,
    PvMode,
    V2CClient,
    V2CError,
    V2CResponseError,
)
from custom_components.v2c_cloud.api.transport import mask_device_id
from tests.api.conftest import Serve
from tests.sim_fixtures import DEFAULT_DEVICE_ID as D, SimHandle
from v2c_simulator import FaultKind

PASSWORD = "Wifi-Secret-Pass-42"


async def _full_run(client: V2CClient, v2c_sim: SimHandle) -> list[V2CError]:
    errors: list[V2CError] = []
    stamp = datetime(2024, 5, 1, 8, tzinfo=UTC)
    await client.get_pairings()
    await client.get_current_state(D)
    await client.get_reported(D)
    await client.is_connected(D)
    await client.set_intensity(D, 12)
    await client.set_pv_mode(D, PvMode.PV_ONLY)
    await client.set_language(D, Language.ENGLISH)
    await client.set_timer(D, 1, time(1), time(2), [1, 2])
    await client.set_wifi(D, "Home", PASSWORD)
    await client.add_rfid_card(D, "aa23b601", "Vicente")
    await client.save_power_profile(D, "P1", stamp, "solar", 10)
    await client.get_charging_sessions(D, date(2024, 1, 1), date(2024, 12, 31))
    await client.get_firmware_version(D)
    for kind in (FaultKind.HTTP_502, FaultKind.FALSE_401, FaultKind.EARLY_429):
        v2c_sim.sim.faults.set(kind, count=1)
        try:
            await client.get_reported(D)
        except V2CError as err:
            errors.append(err)
    v2c_sim.sim.faults.set(FaultKind.DROP_CONNECTION, route="/device/wifi", count=1)
    try:
        await client.set_wifi(D, "Home", PASSWORD)
    except V2CError as err:
        errors.append(err)
    for bad in ("x" * 80 + PASSWORD, PASSWORD + "\n"):
        try:
            await client.set_wifi(D, "Home", bad)
        except V2CError as err:
            errors.append(err)
    return errors


async def test_full_run_never_shows_secrets(
    v2c_sim: SimHandle, client: V2CClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    errors = await _full_run(client, v2c_sim)

    assert len(errors) == 6
    api_records = [
        r for r in caplog.records if r.name == "custom_components.v2c_cloud.api"
    ]
    assert len(api_records) >= 17
    texts = [caplog.text, repr(client), *map(str, errors), *map(repr, errors)]
    texts += [getattr(err, "excerpt", "") for err in errors]
    texts += [str(client.last_responses)]
    for text in texts:
        assert v2c_sim.api_key not in text
        assert PASSWORD not in text
    for record in api_records:
        assert D not in record.getMessage()
    masked = mask_device_id(D)
    assert masked.startswith("…001~")
    assert masked != mask_device_id("POL0001")
    assert f"GET /device/reported (device {masked}) -> HTTP 200" in caplog.text
    assert "failed: ServerDisconnectedError" in caplog.text


async def test_echoed_key_is_redacted_from_excerpt(
    session: aiohttp.ClientSession, serve: Serve
) -> None:
    key = "echoed-api-key-123456"

    async def echo(request: web.Request) -> web.Response:
        return web.Response(
            status=400, text=f"<p>bad key {request.headers['apikey']}</p>"
        )

    app = web.Application()
    app.router.add_get("/pairings/me", echo)
    client = V2CClient(key, session=session, base_url=await serve(app))
    with pytest.raises(V2CResponseError) as info:
        await client.get_pairings()
    assert info.value.excerpt == "bad key ***"
