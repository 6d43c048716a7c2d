"""Write the development Home Assistant configuration used by scripts/develop.

Creates configuration.yaml and, unless one exists already, a v2c_cloud config entry
pointing at the given base URL, so a newcomer sees live entities after logging in,
and marks onboarding's location step done.
"""

from __future__ import annotations

from datetime import UTC, datetime
import json
import os
from pathlib import Path
import sys
import uuid

# Not default_config: it starts discovery and cloud feeds (alerts, analytics) that
# reach beyond this machine; development needs only the UI and the history views.
CONFIGURATION = """\
frontend:
config:
history:
logbook:
energy:
recorder:
system_log:

http:
  server_host: 127.0.0.1
  server_port: {port}

logger:
  default: warning
  logs:
    custom_components.v2c_cloud: debug
"""


def write_configuration(config_dir: Path, port: str) -> None:
    """Write configuration.yaml (always, so a changed port takes effect)."""
    (config_dir / "configuration.yaml").write_text(CONFIGURATION.format(port=port))


def ensure_entry(config_dir: Path, api_key: str, base_url: str) -> None:
    """Add or update the v2c_cloud config entry in HA's entry store."""
    store = config_dir / ".storage" / "core.config_entries"
    store.parent.mkdir(parents=True, exist_ok=True)
    if store.exists():
        content = json.loads(store.read_text())
    else:
        content = {
            "version": 1,
            "minor_version": 5,
            "key": "core.config_entries",
            "data": {"entries": []},
        }
    entries = content["data"]["entries"]
    data: dict[str, str] = {"api_key": api_key}
    if base_url:
        data["base_url"] = base_url
    for entry in entries:
        if entry["domain"] == "v2c_cloud":
            entry["data"] = data
            break
    else:
        now = datetime.now(UTC).isoformat()
        entries.append(
            {
                "created_at": now,
                "data": data,
                "disabled_by": None,
                "discovery_keys": {},
                "domain": "v2c_cloud",
                "entry_id": uuid.uuid4().hex,
                "minor_version": 1,
                "modified_at": now,
                "options": {},
                "pref_disable_new_entities": False,
                "pref_disable_polling": False,
                "source": "user",
                "subentries": [],
                "title": "V2C Cloud (development)",
                "unique_id": None,
                "version": 1,
            }
        )
    store.write_text(json.dumps(content, indent=2))


def skip_location_step(config_dir: Path) -> None:
    """Mark onboarding's location step done on a fresh configuration.

    That step sets up weather and radio integrations that reach the internet;
    dev_onboard.py finishes the other steps through HA's onboarding API.
    """
    store = config_dir / ".storage" / "onboarding"
    if store.exists():
        return
    store.parent.mkdir(parents=True, exist_ok=True)
    store.write_text(
        json.dumps(
            {
                "version": 4,
                "minor_version": 1,
                "key": "onboarding",
                "data": {"done": ["core_config"]},
            }
        )
    )


def main() -> None:
    """Entry point: dev_config.py CONFIG_DIR BASE_URL PORT (key in V2C_DEV_API_KEY)."""
    config_dir, base_url, port = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    write_configuration(config_dir, port)
    skip_location_step(config_dir)
    ensure_entry(config_dir, os.environ["V2C_DEV_API_KEY"], base_url)


if __name__ == "__main__":
    main()
