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
    """Chargers a pairings read left out or the cloud refused to read, until confirmed.

    `missing`: left out of the last list, gone once the next list agrees.
    `refused`: reads answered 403/404 since the charger was last read fine; a
    list naming other chargers but not this one confirms it gone (two signs).
    `named`: refused chargers a list still named; they do not bring the list
    forward again until they are read fine, so a charger the cloud keeps
    refusing costs one early list, not one every tick.
    `listed_since`: refused chargers a list has been read since, named or
    not: the key reads the account, so their 403s are no sign against it.
    """

    missing: frozenset[str] = frozenset()
    refused: frozenset[str] = frozenset()
    named: frozenset[str] = frozenset()
    listed_since: frozenset[str] = frozenset()
    confirm_at: datetime | None = None

    def due(self, now: datetime) -> bool:
        """Tell whether a pairings read should confirm an absence now."""
        return self.confirm_at is not None and now >= self.confirm_at

    def suspect(self, device_ids: Iterable[str], now: datetime) -> None:
        """Ask a second read about chargers a first one left out (at setup, say)."""
        if suspects := frozenset(device_ids) - self.missing:
            self.missing |= suspects
            self._ask(now)

    def read_refused(self, device_id: str, now: datetime) -> None:
        """Note a charger the cloud would not read for this key (403/404)."""
        if device_id not in self.refused | self.named:
            self.refused |= {device_id}
            self._ask(now)

    def read_fine(self, device_id: str) -> None:
        """Forget what a refused read suggested: the charger answers."""
        self.refused -= {device_id}
        self.named -= {device_id}
        self.listed_since -= {device_id}
        if not self.missing | self.refused:
            self.confirm_at = None

    def leave_to_the_regular_check(self) -> None:
        """Stop asking for an early list (one failed): keep what was seen."""
        self.confirm_at = None

    def settle(
        self, known: Mapping[str, Pairing], read: Mapping[str, Pairing], now: datetime
    ) -> dict[str, Pairing]:
        """Return the pairings read, plus the known chargers not yet confirmed gone."""
        absent = (set(known) | self.missing) - set(read)
        confirmed: set[str] = set()
        if self.due(now):
            confirmed = absent & self.missing
            # An empty list may be the cloud's bad minute as much as a refusal.
            if read:
                confirmed |= absent & self.refused
        pending = absent - confirmed
        self.named |= self.refused & set(read)
        self.refused -= set(read) | confirmed
        self.listed_since = self.refused | self.named
        self.missing = frozenset(pending)
        self.confirm_at = now + UNPAIRING_CONFIRM_AFTER if pending else None
        return {
            **read,
            **{device_id: known[device_id] for device_id in pending & set(known)},
        }

    def _ask(self, now: datetime) -> None:
        self.confirm_at = self.confirm_at or now + UNPAIRING_CONFIRM_AFTER
