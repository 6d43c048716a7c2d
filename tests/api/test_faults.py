"""Each simulated misbehaviour maps to the right exception (or is tolerated)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from custom_components.v2c_cloud.api import (
    ReportedState,
    V2CAuthenticationError,
    V2CClient,
    V2CConnectionError,
    V2CRateLimitError,
    V2CResponseError,
)
from custom_components.v2c_cloud.api.transport import mask_device_id
from tests.sim_fixtures import DEFAULT_DEVICE_ID as D, SimHandle
from v2c_simulator import FaultKind

REPORTED = "/device/reported"


@pytest.mark.parametrize(
    ("kind", "status", "reason"),
    [
        (FaultKind.HTTP_500, 500, "Internal Server Error"),
        (FaultKind.HTTP_502, 502, "Bad Gateway"),
        (FaultKind.HTTP_503, 503, "Service Temporarily Unavailable"),
        (FaultKind.HTTP_504, 504, "Gateway Time-out"),
    ],
)
async def test_gateway_error_pages(
    v2c_sim: SimHandle, client: V2CClient, kind: FaultKind, status: int, reason: str
) -> None:
    v2c_sim.sim.faults.set(kind, route=REPORTED, count=1)
    with pytest.raises(V2CResponseError) as info:
        await client.get_reported(D)
    assert info.value.status == status
    assert info.value.excerpt == f"{status} {reason} {status} {reason} kong"
    assert info.value.reason == ""
    assert "<" not in info.value.excerpt


@pytest.mark.parametrize("kind", [FaultKind.FALSE_401, FaultKind.UNKNOWN_KEY_403])
async def test_rejected_key(
    v2c_sim: SimHandle, client: V2CClient, kind: FaultKind
) -> None:
    """A 401, or an older Kong's 403 for an unknown key, is about the key."""
    v2c_sim.sim.faults.set(kind, route=REPORTED, count=1)
    with pytest.raises(V2CAuthenticationError):
        await client.get_reported(D)
    assert isinstance(await client.get_reported(D), ReportedState)


async def test_forbidden_known_key_is_not_a_rejected_key(
    v2c_sim: SimHandle, client: V2CClient
) -> None:
    """Kong's ACL 403 keeps a known key out: its status, not a reauthentication."""
    v2c_sim.sim.faults.set(FaultKind.FORBIDDEN_403, route=REPORTED, count=1)
    with pytest.raises(V2CResponseError) as info:
        await client.get_reported(D)
    assert not isinstance(info.value, V2CAuthenticationError)
    assert info.value.status == 403
    assert info.value.excerpt == '{"message": "You cannot consume this service"}'
    assert info.value.reason == "You cannot consume this service"


async def test_early_429_carries_reset(v2c_sim: SimHandle, client: V2CClient) -> None:
    v2c_sim.sim.faults.set(FaultKind.EARLY_429, route=REPORTED, count=1)
    before = datetime.now(UTC)
    with pytest.raises(V2CRateLimitError) as info:
        await client.get_reported(D)
    assert info.value.reset_at is not None
    assert (
        before + timedelta(seconds=59)
        <= info.value.reset_at
        <= datetime.now(UTC) + timedelta(seconds=61)
    )


async def test_malformed_json_read_is_response_error(
    v2c_sim: SimHandle, client: V2CClient
) -> None:
    v2c_sim.sim.faults.set(FaultKind.MALFORMED_JSON, route=REPORTED, count=1)
    with pytest.raises(V2CResponseError):
        await client.get_reported(D)


async def test_malformed_json_command_is_acknowledged(
    v2c_sim: SimHandle, client: V2CClient
) -> None:
    v2c_sim.sim.faults.set(FaultKind.MALFORMED_JSON, route="/device/locked", count=1)
    await client.set_locked(D, True)
    assert v2c_sim.charger.state.locked is True


async def test_portal_page_is_no_data_and_no_acknowledgement(
    v2c_sim: SimHandle, client: V2CClient
) -> None:
    """A Wi-Fi login page sent with 200 fails a read and a command alike."""
    v2c_sim.sim.faults.set(FaultKind.PORTAL_PAGE_200, count=2)
    with pytest.raises(V2CResponseError) as read:
        await client.get_reported(D)
    with pytest.raises(V2CResponseError):
        await client.set_locked(D, True)
    assert read.value.status == 200
    assert "Sign in to the network" in read.value.excerpt
    assert "<" not in read.value.excerpt
    assert v2c_sim.charger.state.locked is False


async def test_text_plain_json_is_parsed(v2c_sim: SimHandle, client: V2CClient) -> None:
    v2c_sim.sim.faults.set(FaultKind.TEXT_PLAIN_JSON, route=REPORTED, count=1)
    assert (await client.get_reported(D)).device_id == D


async def test_bare_scalars(v2c_sim: SimHandle, client: V2CClient) -> None:
    v2c_sim.sim.faults.set(FaultKind.BARE_SCALAR, count=3)
    await client.set_dynamic(D, True)
    await client.start_charge(D)
    with pytest.raises(V2CResponseError):
        await client.get_reported(D)
    assert client.last_responses["set_dynamic"] is True
    assert client.last_responses["start_charge"] == "OK"
    assert v2c_sim.charger.state.dynamic is True


async def test_bare_scalar_connected(v2c_sim: SimHandle, client: V2CClient) -> None:
    v2c_sim.sim.faults.set(FaultKind.BARE_SCALAR, route="/device/connected", count=1)
    assert await client.is_connected(D) is True


@pytest.mark.parametrize("kind", [FaultKind.EMPTY_200, FaultKind.EMPTY_204])
async def test_empty_bodies(
    v2c_sim: SimHandle, client: V2CClient, kind: FaultKind
) -> None:
    v2c_sim.sim.faults.set(kind, count=3)
    await client.set_logo_led(D, False)
    # An empty answer is no account without chargers (that would remove them all).
    with pytest.raises(V2CResponseError):
        await client.get_pairings()
    with pytest.raises(V2CResponseError):
        await client.get_reported(D)
    assert v2c_sim.charger.state.logo_led is False


async def test_dropped_connection_on_command(
    v2c_sim: SimHandle, client: V2CClient
) -> None:
    v2c_sim.sim.faults.set(FaultKind.DROP_CONNECTION, route="/device/reboot", count=1)
    with pytest.raises(V2CConnectionError):
        await client.reboot(D)
    assert client.calls_made == 1
    assert len(v2c_sim.sim.request_log) == 1


async def test_dropped_read_is_retried_by_aiohttp_and_headers_tell(
    v2c_sim: SimHandle, client: V2CClient
) -> None:
    v2c_sim.sim.faults.set(FaultKind.DROP_CONNECTION, route=REPORTED, count=1)
    assert (await client.get_reported(D)).device_id == D
    assert [r.status for r in v2c_sim.sim.request_log] == [0, 200]
    assert client.calls_made == 1
    assert client.quota is not None
    assert client.quota.remaining == v2c_sim.sim.quota_for(v2c_sim.api_key).remaining
    assert client.quota.remaining == 998


async def test_hang_times_out(
    v2c_sim: SimHandle, session: aiohttp.ClientSession
) -> None:
    client = V2CClient(
        v2c_sim.api_key, session=session, base_url=v2c_sim.base_url, request_timeout=0.2
    )
    v2c_sim.sim.faults.set(FaultKind.HANG, route=REPORTED, count=1)
    with pytest.raises(V2CConnectionError, match=r"Timeout after 0\.2 s"):
        await client.get_reported(D)
    v2c_sim.sim.release_hangs()


async def test_latency_below_and_above_timeout(
    v2c_sim: SimHandle, session: aiohttp.ClientSession
) -> None:
    client = V2CClient(
        v2c_sim.api_key, session=session, base_url=v2c_sim.base_url, request_timeout=1.0
    )
    v2c_sim.sim.faults.set(FaultKind.LATENCY, route=REPORTED, count=1, latency_s=0.05)
    assert (await client.get_reported(D)).device_id == D
    v2c_sim.sim.faults.set(FaultKind.LATENCY, route=REPORTED, count=1, latency_s=2.0)
    with pytest.raises(V2CConnectionError):
        await client.get_reported(D)


async def test_refused_connection_is_not_counted(
    session: aiohttp.ClientSession,
) -> None:
    client = V2CClient("key", session=session, base_url="http://127.0.0.1:9")
    with pytest.raises(V2CConnectionError, match="ClientConnectorError"):
        await client.get_pairings()
    assert client.calls_made == 0


async def test_wrong_and_revoked_keys(
    v2c_sim: SimHandle, client: V2CClient, session: aiohttp.ClientSession
) -> None:
    stranger = V2CClient("wrong-key", session=session, base_url=v2c_sim.base_url)
    with pytest.raises(V2CAuthenticationError):
        await stranger.get_pairings()
    v2c_sim.sim.revoke_key(v2c_sim.api_key)
    with pytest.raises(V2CAuthenticationError):
        await client.get_pairings()


async def test_unknown_device_tries_both_state_paths(
    v2c_sim: SimHandle, client: V2CClient
) -> None:
    with pytest.raises(V2CResponseError) as info:
        await client.get_current_state("NOPE001")
    assert info.value.status == 404
    # The cloud's reason reaches the user's log: the id is masked as in ours.
    assert info.value.reason == f"Device {mask_device_id('NOPE001')} not found"
    assert "NOPE001" not in info.value.excerpt
    assert [r.path for r in v2c_sim.sim.request_log] == [
        "/thirdparty/device/currentstatecharge",
        "/device/currentstatecharge",
    ]


async def test_a_device_both_paths_refuse_costs_one_call_a_read(
    v2c_sim: SimHandle, client: V2CClient
) -> None:
    await client.get_current_state(D)
    v2c_sim.sim.clear_log()
    for _ in range(3):
        with pytest.raises(V2CResponseError):
            await client.get_current_state("NOPE001")
    assert [r.path for r in v2c_sim.sim.request_log] == [
        "/thirdparty/device/currentstatecharge",
        "/device/currentstatecharge",
        "/thirdparty/device/currentstatecharge",
        "/thirdparty/device/currentstatecharge",
    ]
    assert client.calls_made == 5


async def test_other_accounts_device_is_403(
    v2c_sim: SimHandle, client: V2CClient
) -> None:
    other = v2c_sim.sim.add_account("other-key")
    other.add_charger("trydan", device_id="TRY0099")
    with pytest.raises(V2CResponseError) as info:
        await client.reboot("TRY0099")
    assert info.value.status == 403


async def test_server_side_rejection_is_response_error(
    v2c_sim: SimHandle, client: V2CClient
) -> None:
    v2c_sim.sim.faults.set(
        FaultKind.BAD_REQUEST_400, route="/device/thirdparty_mode", count=1
    )
    with pytest.raises(V2CResponseError) as info:
        await client.set_thirdparty_mode(D, 50, True)
    assert info.value.status == 400
    assert "Bad request" in info.value.excerpt
