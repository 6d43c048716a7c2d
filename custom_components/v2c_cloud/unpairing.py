"""Tell a charger unpaired from the account from one the cloud briefly left out.

Removing a charger removes its device and entities with every customisation
the user made, so one pairings list without it (an empty list from a cloud
having a bad minute, say) is not enough: a second read, some minutes later,
must agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from .api import Pairing

UNPAIRING_CONFIRM_AFTER = timedelta(minutes=10)


@dataclass
class UnpairingCheck:
    """Chargers one pairings read left out, kept until the next read agrees."""

    missing: frozenset[str] = frozenset()
    confirm_at: datetime | None = None

    def due(self, now: datetime) -> bool:
        """Tell whether a second pairings read should confirm an absence now."""
        return self.confirm_at is not None and now >= self.confirm_at

    def suspect(self, device_ids: Iterable[str], now: datetime) -> None:
        """Ask a second read about chargers a first one left out (at setup, say)."""
        if suspects := frozenset(device_ids) - self.missing:
            self.missing |= suspects
            self.confirm_at = self.confirm_at or now + UNPAIRING_CONFIRM_AFTER

    def settle(
        self, known: Mapping[str, Pairing], read: Mapping[str, Pairing], now: datetime
    ) -> dict[str, Pairing]:
        """Return the pairings read, plus the known chargers not yet confirmed gone."""
        absent = (set(known) | self.missing) - set(read)
        confirmed = absent & self.missing if self.due(now) else set()
        pending = absent - confirmed
        self.missing = frozenset(pending)
        self.confirm_at = now + UNPAIRING_CONFIRM_AFTER if pending else None
        return {
            **read,
            **{device_id: known[device_id] for device_id in pending & set(known)},
        }
