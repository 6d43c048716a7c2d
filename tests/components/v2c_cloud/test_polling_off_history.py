"""The quota's reset timer with Home Assistant's polling off costs no call."""

from __future__ import annotations

from collections.abc import Generator
from datetime import timedelta
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud.const import DOMAIN
from tests.sim_fixtures import SimHandle

from .test_history import (
    FEBRUARY,
    HISTORY_START,
    a_month_of_sessions,
    advance,
    history_requests,
    set_up,
)


@pytest.fixture(autouse=True)
def frozen_start(freezer: FrozenDateTimeFactory) -> FrozenDateTimeFactory:
    """Build the simulator months ago, so its charger can have a past."""
    freezer.move_to(HISTORY_START)
    return freezer


@pytest.fixture
def mock_recorder_before_hass(async_test_recorder: object) -> None:
    """Prepare the recorder's database before hass."""


@pytest.fixture(autouse=True)
def no_platforms() -> Generator[None]:
    """Set the entry up without entity platforms: only the importer matters here."""
    with patch("custom_components.v2c_cloud.PLATFORMS", []):
        yield


@pytest.mark.usefixtures("recorder_mock")
async def test_with_polling_off_the_reset_timer_imports_no_history(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    v2c_sim: SimHandle,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Polling off: the quota's reset timer sends no charging-history call.

    The user turned off *Enable polling for changes*; README: "nothing is
    then read on a timer, neither the chargers nor the pairings, settings,
    connectivity or charging history". The reset timer added for polling off
    (V2CAccountCoordinator.async_follow_resets) told the account's
    listeners at each reset, and with polling off the history import listens
    to the account (it was meant to follow the calls the user's reads
    cause): at 00:00 UTC, with no read asked for, the import due since 18:00
    ran and called /stadistic/device: calls spent on a timer every night.
    It tells only the quota sensors now: no call until the user's next read.
    """
    charger = v2c_sim.charger
    a_month_of_sessions(charger, FEBRUARY)
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=mock_config_entry.unique_id,
        data=mock_config_entry.data,
        pref_disable_polling=True,
    )
    await set_up(hass, freezer, entry)
    assert len(history_requests(v2c_sim)) == 2

    charger.plug_in(15.0)
    await advance(hass, freezer, timedelta(hours=4))
    charger.unplug()
    v2c_sim.sim.clear_log()
    # 16:00 to 00:30 the next day, an hour at a time, no read asked for.
    for _ in range(8):
        await advance(hass, freezer, timedelta(hours=1))
    assert v2c_sim.sim.request_log == []
    await advance(hass, freezer, timedelta(minutes=30))

    sent = [(record.method, record.path) for record in v2c_sim.sim.request_log]
    assert sent == [], f"with polling off, calls sent at the reset on a timer: {sent}"
