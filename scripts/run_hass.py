"""Start Home Assistant, tolerating Python 3.13.0/3.13.1.

Home Assistant 2026.2 refuses to start below Python 3.13.2, yet runs fine on 3.13.0
(the version pyenv installs on our machines); development only, never shipped.
"""

from __future__ import annotations

import sys

from homeassistant import __main__ as hass_main


def main() -> int:
    """Run `hass` with its Python version gate relaxed to 3.13.0."""
    hass_main.validate_python = lambda: None
    return hass_main.main()


if __name__ == "__main__":
    sys.exit(main())
