"""Accounts: one API key each, owning chargers."""

from __future__ import annotations

from dataclasses import dataclass, field
import hashlib
import itertools

from .charger import Charger, World
from .state import Model

DEVICE_PREFIX = {Model.TRYDAN: "TRY", Model.POLE: "POL"}


def key_hash(api_key: str) -> str:
    """Return a short, stable fingerprint of a key (never the key itself)."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:12]


@dataclass(eq=False)
class Account:
    """A V2C Cloud user with an API key and paired chargers."""

    api_key: str = field(repr=False)
    world: World = field(repr=False)
    registry: dict[str, Charger] = field(repr=False)
    chargers: list[Charger] = field(default_factory=list)
    revoked: bool = False
    # Pairings still listed for chargers that exist nowhere any more (replaced,
    # scrapped), by device id with their tag: reading one answers 404.
    stale_pairings: dict[str, str] = field(default_factory=dict)

    @property
    def key_hash(self) -> str:
        """Return the fingerprint of this account's key."""
        return key_hash(self.api_key)

    def add_charger(
        self,
        model: Model | str = Model.TRYDAN,
        *,
        device_id: str | None = None,
        tag: str | None = None,
    ) -> Charger:
        """Pair a new charger; the device id is generated unless given."""
        family = Model(model)
        if device_id is None:
            device_id = next(
                candidate
                for number in itertools.count(1)
                if (candidate := f"{DEVICE_PREFIX[family]}{number:04d}")
                not in self.registry
            )
        if device_id in self.registry:
            raise ValueError(f"device {device_id} already exists")
        charger = Charger(
            self.world,
            model=family,
            device_id=device_id,
            tag=tag or f"Charger {len(self.chargers) + 1}",
        )
        self.registry[device_id] = charger
        self.chargers.append(charger)
        return charger

    def remove_charger(self, device_id: str) -> Charger:
        """Unpair a charger: it leaves the account's pairings but still exists."""
        charger = self.charger(device_id)
        if charger is None:
            raise KeyError(device_id)
        self.chargers.remove(charger)
        return charger

    def charger(self, device_id: str) -> Charger | None:
        """Return this account's charger with a device id."""
        return next((c for c in self.chargers if c.device_id == device_id), None)
