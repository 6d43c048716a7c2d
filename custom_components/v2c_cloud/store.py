"""Persistence of the quota planner and auth state across restarts."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .auth_guard import AuthGuard
from .budget import PlannerSettings, QuotaPlanner
from .const import DOMAIN
from .helpers import utcnow

STORAGE_VERSION = 1
SAVE_DELAY_S = 30


def _store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}", private=True)


class V2CStore:
    """Keeps the day's quota usage, so a restart at noon doesn't believe it is fresh."""

    def __init__(
        self, store: Store[dict[str, Any]], planner: QuotaPlanner, guard: AuthGuard
    ) -> None:
        """Wrap the restored planner and auth guard."""
        self._store = store
        self.planner = planner
        self.guard = guard

    @classmethod
    async def async_load(
        cls, hass: HomeAssistant, entry_id: str, settings: PlannerSettings
    ) -> V2CStore:
        """Restore the entry's planner and auth guard (new ones on first run)."""
        store = _store(hass, entry_id)
        data = await store.async_load() or {}
        now = utcnow()
        planner_data = data.get("planner")
        planner = (
            QuotaPlanner.from_dict(planner_data, settings, now=now)
            if planner_data
            else QuotaPlanner(settings, now=now)
        )
        return cls(store, planner, AuthGuard.from_dict(data.get("auth", {})))

    def schedule_save(self) -> None:
        """Save soon; quota headers arrive with every call, so writes are batched."""
        self._store.async_delay_save(self._data, SAVE_DELAY_S)

    async def async_save(self) -> None:
        """Save now (unload, shutdown)."""
        await self._store.async_save(self._data())

    def _data(self) -> dict[str, Any]:
        return {"planner": self.planner.to_dict(), "auth": self.guard.to_dict()}


async def async_remove_store(hass: HomeAssistant, entry_id: str) -> None:
    """Delete the entry's file when the entry is removed."""
    await _store(hass, entry_id).async_remove()
