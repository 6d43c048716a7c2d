"""Lock of the V2C Cloud integration: locks the charging point."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.lock import LockEntity, LockEntityDescription

from .api import V2CClient
from .setting import V2CSettingEntityDescription, flag_platform, sends

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class V2CLockEntityDescription(
    LockEntityDescription, V2CSettingEntityDescription[bool]
):
    """Describes a V2C lock: how to read and set its state (locked, nobody can charge)."""


LOCKS: tuple[V2CLockEntityDescription, ...] = (
    V2CLockEntityDescription(
        key="locked",
        translation_key="locked",
        exists_fn=sends("locked"),
        value_fn=lambda reported: reported.locked,
        set_fn=V2CClient.set_locked,
        live=True,
    ),
)


async_setup_entry = flag_platform(LockEntity, LOCKS)
