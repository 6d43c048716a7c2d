"""Buttons of the V2C Cloud integration: reboot and firmware update."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from homeassistant.components.button import (
    ButtonDeviceClass,
    ButtonEntity,
    ButtonEntityDescription,
)
from homeassistant.const import EntityCategory

from .api import V2CClient
from .entity import V2CControlEntity, charger_platform

PARALLEL_UPDATES = 1


type PressFn = Callable[[V2CClient, str], Awaitable[None]]


@dataclass(frozen=True, kw_only=True)
class V2CButtonEntityDescription(ButtonEntityDescription):
    """Describes a V2C button: the command it sends."""

    press_fn: PressFn
    # False for a command the charger's settings never show: no read after it.
    confirmed: bool = True


async def _press(client: V2CClient, device_id: str, press_fn: PressFn) -> None:
    """Send a button's command with the client and charger the poller passes."""
    await press_fn(client, device_id)


BUTTONS: tuple[V2CButtonEntityDescription, ...] = (
    V2CButtonEntityDescription(
        key="reboot",
        translation_key="reboot",
        device_class=ButtonDeviceClass.RESTART,
        entity_category=EntityCategory.CONFIG,
        press_fn=V2CClient.reboot,
    ),
    # A button, not an update entity: the API can install the latest firmware but
    # cannot tell whether one newer than the installed version exists.
    V2CButtonEntityDescription(
        key="update_firmware",
        translation_key="update_firmware",
        device_class=ButtonDeviceClass.UPDATE,
        entity_category=EntityCategory.CONFIG,
        press_fn=V2CClient.update_firmware,
        # The new version shows in the settings once installed, minutes after
        # any confirmation would read them; the device page follows it then.
        confirmed=False,
    ),
)


class V2CButtonEntity(V2CControlEntity, ButtonEntity):
    """A one-shot charger command."""

    entity_description: V2CButtonEntityDescription

    async def async_press(self) -> None:
        """Send the command."""
        description = self.entity_description
        await self.coordinator.async_command(
            _press, description.press_fn, confirmed=description.confirmed
        )


async_setup_entry = charger_platform(V2CButtonEntity, BUTTONS)
