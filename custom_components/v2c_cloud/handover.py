"""Commands still applying when an entry unloads, carried over to its next setup.

A reload (options saved, the entry re-enabled) must go on showing the values
just set, not the old ones until the next settings read. The pollers are kept
in memory only: after a restart the chargers saved as `unconfirmed` are read
once more and show their old values until then, as their optimistic values
(readers of any setting) cannot be saved.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN
from .coordinator import V2CConfigEntry
from .helpers import utcnow
from .polling import ChargerPoller

_HANDOVER: HassKey[dict[str, dict[str, ChargerPoller]]] = HassKey(f"{DOMAIN}_handover")


@callback
def async_carry_over_commands(hass: HomeAssistant, entry: V2CConfigEntry) -> None:
    """Take over the commands the entry's last run left applying; hand on its own."""
    runtime = entry.runtime_data
    replaced = hass.data.get(_HANDOVER, {}).pop(entry.entry_id, {})
    now = utcnow()
    for device_id, coordinator in runtime.chargers.items():
        if device_id in replaced:
            coordinator.poller.take_over(replaced[device_id], now)
        elif device_id in runtime.store.unconfirmed:
            coordinator.poller.recheck(now)
    entry.async_on_unload(lambda: _hand_over(hass, entry))
    runtime.store.follow_pending(lambda: _awaiting_confirmation(entry))


@callback
def async_forget_handover(hass: HomeAssistant, entry_id: str) -> None:
    """Drop the commands a removed entry handed over."""
    hass.data.get(_HANDOVER, {}).pop(entry_id, None)


@callback
def _hand_over(hass: HomeAssistant, entry: V2CConfigEntry) -> None:
    """Keep the pollers whose commands still apply for the entry's next setup."""
    if pollers := _awaiting_confirmation(entry):
        hass.data.setdefault(_HANDOVER, {})[entry.entry_id] = pollers


def _awaiting_confirmation(entry: V2CConfigEntry) -> dict[str, ChargerPoller]:
    return {
        device_id: coordinator.poller
        for device_id, coordinator in entry.runtime_data.chargers.items()
        if coordinator.poller.awaiting_confirmation
    }
