"""What the Home Assistant log tells a user about their chargers over hours and days.

log-when-unavailable (quality_scale.yaml) holds over a day of one failing
endpoint: a connectivity check or settings read failing after a good live
state read fails no refresh, a pairings read failing while other calls answer
is logged once and "recovered" only once the pairings are read, a charger
offline is logged as offline and not as unread, and the integration's lines
name a charger as Home Assistant's do: its tag with its masked id.
"""

from __future__ import annotations

from datetime import timedelta
import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.sim_fixtures import SimHandle, SimSetup
from v2c_simulator import FaultKind

from .read_helpers import advance

LOGGERS = ("custom_components.v2c_cloud", "homeassistant.helpers.update_coordinator")
GARAGE_MASKED = "…001~094b"


@pytest.fixture
def sim_setup() -> SimSetup:
    """Two chargers, "Garage" and "Drive", as a user with two of them has."""
    return SimSetup(
        models=("trydan", "trydan"),
        device_ids=("TRY0001", "TRY0002"),
        tags=("Garage", "Drive"),
    )


async def _run(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, duration: timedelta
) -> None:
    step = timedelta(minutes=5)
    for _ in range(int(duration / step)):
        await advance(hass, freezer, step)


def _lines(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith(LOGGERS) and record.levelno >= level
    ]


async def test_a_connectivity_check_failing_for_a_day_is_logged_once(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One endpoint (/device/connected) answering 503 all day used to log twelve ERRORs.

    The live state and settings read fine all day; only the 2-hourly
    connectivity check failed, and its error failed the whole refresh: per
    charger an ERROR "Error fetching v2c_cloud charger Garage … data: Could
    not communicate with the V2C Cloud (HTTP 503)" followed five minutes
    later by "Fetching … data recovered", every two hours. The refresh now
    stands with the live state it read, and the check is tried at its next
    turn, as before.
    """
    await _run(hass, freezer, timedelta(hours=1))
    caplog.set_level(logging.INFO)
    caplog.clear()
    v2c_sim.sim.clear_log()
    v2c_sim.sim.faults.set(
        FaultKind.HTTP_503, route="/device/connected", duration_s=24 * 3600
    )
    await _run(hass, freezer, timedelta(hours=24))

    garage_errors = [
        line
        for line in _lines(caplog, logging.WARNING)
        if "Garage" in line or GARAGE_MASKED in line
    ]
    assert len(garage_errors) <= 1, garage_errors
    # Still tried every two hours by each charger, no more often.
    checks = [r for r in v2c_sim.sim.request_log if r.path == "/device/connected"]
    assert len(checks) == 2 * 12, len(checks)


async def test_an_offline_charger_is_not_logged_as_not_read(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A charger offline all day used to be logged as not read, at the wrong time too.

    The user unplugged the Garage charger's Wi-Fi. The log said "Charger
    …001~094b is offline from the V2C Cloud", then 15 minutes later "Charger
    …001~094b has not been read since 2026-03-02T14:20:00+00:00; its values
    are unavailable", logged at 14:20 itself: the charger was read at that
    very moment (the cloud answered it is offline). A reader hunting for why
    was sent to look for a failing cloud that was not failing. Only the
    offline line is logged now (and "back" once it returns).
    """
    await _run(hass, freezer, timedelta(hours=1))
    caplog.set_level(logging.INFO)
    caplog.clear()
    v2c_sim.charger.set_online(False)
    await _run(hass, freezer, timedelta(hours=24))

    garage = [line for line in _lines(caplog, logging.INFO) if GARAGE_MASKED in line]
    assert [line for line in garage if "has not been read since" in line] == []
    assert [line for line in garage if "offline from the V2C Cloud" in line] == [
        f"Charger Garage {GARAGE_MASKED} is offline from the V2C Cloud"
    ]


async def test_the_offline_line_names_the_charger_the_user_knows(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With two chargers, the log used to hide which one went offline.

    The log said "Charger …001~094b is offline from the V2C Cloud": a masked
    device id the user has never seen, while the same integration's other
    lines ("Error fetching v2c_cloud charger Garage …001~094b data") and the
    offline repair issue name it "Garage". It names it "Garage" too now.
    """
    await _run(hass, freezer, timedelta(hours=1))
    caplog.set_level(logging.INFO)
    caplog.clear()
    v2c_sim.charger.set_online(False)
    await _run(hass, freezer, timedelta(hours=4))

    offline = [
        line
        for line in _lines(caplog, logging.INFO)
        if "offline from the V2C Cloud" in line
    ]
    assert len(offline) == 1, offline
    assert "Garage" in offline[0]


async def test_a_pairings_read_failing_for_a_day_is_logged_once(
    hass: HomeAssistant,
    v2c_sim: SimHandle,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The account's list of chargers (/pairings/me) failing all day used to log 4 ERRORs.

    Every read of the pairings failed, each one the same lasting outage. The
    log showed "Error fetching v2c_cloud account data: Could not communicate
    with the V2C Cloud (HTTP 503)" at every 6-hourly read, each followed half
    an hour later by "Fetching v2c_cloud account data recovered" because a
    charger's read (another endpoint) was answered meanwhile, although the
    pairings were never read again: 4 ERROR and 4 "recovered" lines a day.
    The failure is logged once now, "recovered" only once the pairings are
    read, and the retries that look for that cost two calls more that day.
    """
    await _run(hass, freezer, timedelta(hours=1))
    caplog.set_level(logging.INFO)
    caplog.clear()
    v2c_sim.sim.clear_log()
    v2c_sim.sim.faults.set(FaultKind.HTTP_503, route="/pairings/me", duration_s=86400)
    await _run(hass, freezer, timedelta(hours=24))

    account = [line for line in _lines(caplog, logging.INFO) if "account" in line]
    assert [line for line in account if "Error fetching" in line][1:] == [], account
    reads = [r for r in v2c_sim.sim.request_log if r.path == "/pairings/me"]
    assert len(reads) <= 6, len(reads)

    v2c_sim.sim.faults.clear()
    await _run(hass, freezer, timedelta(hours=6))
    account = [line for line in _lines(caplog, logging.INFO) if "account" in line]
    assert [line for line in account if "recovered" in line] == [
        "Fetching v2c_cloud account data recovered"
    ]
