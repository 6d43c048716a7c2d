"""Repair issues: problems a user should know about, each cleared when its cause goes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from homeassistant.components.repairs import ConfirmRepairFlow, RepairsFlow
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .helpers import entry_device, format_reset_time, own_identifiers

OFFLINE_ISSUE_AFTER_S = 24 * 3600


def _raise_issue(
    hass: HomeAssistant,
    issue_id: str,
    translation_key: str,
    severity: ir.IssueSeverity = ir.IssueSeverity.WARNING,
    *,
    is_persistent: bool = False,
    **placeholders: str,
) -> None:
    """Raise a repair issue the user cannot fix from the dialog."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        is_persistent=is_persistent,
        severity=severity,
        translation_key=translation_key,
        translation_placeholders=placeholders or None,
    )


@callback
def async_report_quota_exhausted(
    hass: HomeAssistant, entry_id: str, calls_back_at: datetime | None
) -> None:
    """Raise the issue: another program spent the key's quota (we never cause a 429)."""
    _raise_issue(
        hass,
        f"quota_exhausted_{entry_id}",
        "quota_exhausted",
        time=format_reset_time(calls_back_at),
    )


@callback
def async_clear_quota_exhausted(hass: HomeAssistant, entry_id: str) -> None:
    """Clear the quota issue once calls are answered again."""
    ir.async_delete_issue(hass, DOMAIN, f"quota_exhausted_{entry_id}")


def _offline_issue_id(device: dr.DeviceEntry) -> str:
    # Named by Home Assistant's id of the device, not the charger's: every
    # diagnostics file lists the domain's issue ids, unredacted.
    return f"charger_offline_{device.id}"


@callback
def async_report_charger_offline(
    hass: HomeAssistant, entry_id: str, device_id: str, name: str, since: datetime
) -> None:
    """Raise the issue: the charger has not reached the cloud for over a day."""
    if (device := entry_device(hass, entry_id, device_id)) is None:
        # No device, no entities: nothing in Home Assistant to repair.
        return
    _raise_issue(
        hass,
        _offline_issue_id(device),
        "charger_offline",
        # Home Assistant restores a non-persistent issue hidden after a
        # restart, while the charger may well still be offline: shown until
        # a read finds the charger back.
        is_persistent=True,
        name=name,
        # The date the user lives by, not the UTC one: a day apart far from UTC.
        since=dt_util.as_local(since).date().isoformat(),
    )


@callback
def async_charger_offline_reported(
    hass: HomeAssistant, entry_id: str, device_id: str
) -> bool:
    """Return True while the charger's offline issue is shown."""
    if (device := entry_device(hass, entry_id, device_id)) is None:
        return False
    issue = ir.async_get(hass).async_get_issue(DOMAIN, _offline_issue_id(device))
    return issue is not None and issue.active


@callback
def async_clear_charger_offline(
    hass: HomeAssistant, entry_id: str, device_id: str
) -> None:
    """Clear the offline issue once the charger is back."""
    if device := entry_device(hass, entry_id, device_id):
        _delete_offline_issues(hass, device)


@callback
def async_clear_device_offline(hass: HomeAssistant, device: dr.DeviceEntry) -> None:
    """Clear the offline issue of a charger's device about to be removed."""
    _delete_offline_issues(hass, device)


def _delete_offline_issues(hass: HomeAssistant, device: dr.DeviceEntry) -> None:
    ir.async_delete_issue(hass, DOMAIN, _offline_issue_id(device))
    # Versions up to 0.1.0 named the issue by the charger's id.
    for charger_id in own_identifiers(device):
        ir.async_delete_issue(hass, DOMAIN, f"charger_offline_{charger_id}")


@callback
def async_report_legacy_rejected(hass: HomeAssistant, operation: str) -> None:
    """Raise the issue: V2C retired a legacy endpoint this action still uses."""
    _raise_issue(
        hass,
        f"legacy_rejected_{operation}",
        "legacy_endpoint_rejected",
        operation=operation,
    )


@callback
def async_clear_legacy_rejected(hass: HomeAssistant, operation: str) -> None:
    """Clear the legacy issue once the endpoint answers again."""
    ir.async_delete_issue(hass, DOMAIN, f"legacy_rejected_{operation}")


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """Let the user close the replaced-entities list once automations are updated."""
    return ConfirmRepairFlow()


@callback
def async_report_key_forbidden(hass: HomeAssistant, entry_id: str) -> None:
    """Raise the issue: the key is valid but lacks permission, polling is paused."""
    _raise_issue(
        hass, f"key_forbidden_{entry_id}", "key_forbidden", ir.IssueSeverity.ERROR
    )


@callback
def async_clear_key_forbidden(hass: HomeAssistant, entry_id: str) -> None:
    """Clear the permission issue once a call is answered."""
    ir.async_delete_issue(hass, DOMAIN, f"key_forbidden_{entry_id}")


@callback
def async_delete_domain_issues(hass: HomeAssistant) -> None:
    """Delete the issues no entry owns, once the last entry is gone."""
    registry = ir.async_get(hass)
    for domain, issue_id in list(registry.issues):
        if domain == DOMAIN and issue_id.startswith("legacy_rejected_"):
            ir.async_delete_issue(hass, DOMAIN, issue_id)


@callback
def async_delete_entry_issues(
    hass: HomeAssistant, entry_id: str, devices: Iterable[dr.DeviceEntry]
) -> None:
    """Delete the issues of a removed entry: its key's and its chargers'."""
    ir.async_delete_issue(hass, DOMAIN, f"replaced_entities_{entry_id}")
    async_delete_self_clearing_issues(hass, entry_id, devices)


@callback
def async_delete_self_clearing_issues(
    hass: HomeAssistant, entry_id: str, devices: Iterable[dr.DeviceEntry]
) -> None:
    """Delete the issues only the entry's calls clear: quota, key and offline chargers.

    For an entry the user disabled too: it makes no call, and they would
    stay whatever became of their cause. Enabled again, its calls raise
    again those whose cause remains. The list of replaced entities stays:
    the user closes it once the automations are updated.
    """
    for issue_id in (f"quota_exhausted_{entry_id}", f"key_forbidden_{entry_id}"):
        ir.async_delete_issue(hass, DOMAIN, issue_id)
    for device in devices:
        _delete_offline_issues(hass, device)
