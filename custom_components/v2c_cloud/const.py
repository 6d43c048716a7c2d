"""Constants for the V2C Cloud integration."""

from __future__ import annotations

import logging
from typing import Final

DOMAIN: Final = "v2c_cloud"
LOGGER = logging.getLogger(__package__)

CONF_BASE_URL: Final = "base_url"
CONF_QUOTA_SHARE: Final = "quota_share"
CONF_COMMAND_RESERVE: Final = "command_reserve"
CONF_POLL_IDLE: Final = "poll_idle"

DEFAULT_QUOTA_SHARE: Final = 100
DEFAULT_COMMAND_RESERVE: Final = 50
DEFAULT_POLL_IDLE: Final = True
