"""The client used as a library: a session the caller brings, the README's import."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from pathlib import Path
import subprocess
import sys
import tomllib

import aiohttp
import pytest

from custom_components.v2c_cloud.api import (
    V2CAuthenticationError,
    V2CClient,
    V2CRateLimitError,
)
from tests.sim_fixtures import SimHandle, SimSetup

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def strict_session(
    socket_enabled: None,
) -> AsyncGenerator[aiohttp.ClientSession]:
    """Return a session made the common aiohttp way, raising for error statuses."""
    async with aiohttp.ClientSession(raise_for_status=True) as http:
        yield http


async def test_a_rejected_key_on_a_raise_for_status_session_is_an_auth_error(
    v2c_sim: SimHandle, strict_session: aiohttp.ClientSession
) -> None:
    """A wrong key raises V2CAuthenticationError whatever session is brought.

    With a caller's session made as `aiohttp.ClientSession(raise_for_status=True)`
    a 401 was a V2CConnectionError, so a program retried a key the cloud
    refuses; each request now asks not to raise, as the client reads the status.
    """
    client = V2CClient(
        "not-the-right-key", session=strict_session, base_url=v2c_sim.base_url
    )
    with pytest.raises(V2CAuthenticationError):
        await client.get_pairings()


@pytest.mark.parametrize("sim_setup", [SimSetup(daily_limit=1)])
async def test_a_spent_quota_on_a_raise_for_status_session_is_a_rate_limit_error(
    v2c_sim: SimHandle, strict_session: aiohttp.ClientSession
) -> None:
    """A 429 raises V2CRateLimitError with reset_at, and its headers are read.

    With a caller's `raise_for_status=True` session the 429 was a
    V2CConnectionError without `reset_at`, and the answers' quota headers were
    never read (`client.quota` stayed None).
    """
    client = V2CClient(
        v2c_sim.api_key, session=strict_session, base_url=v2c_sim.base_url
    )
    await client.get_pairings()
    with pytest.raises(V2CRateLimitError) as info:
        await client.get_pairings()
    assert info.value.reset_at is not None
    assert client.quota is not None
    assert client.quota.remaining == 0


def _readme_client_import() -> str:
    """Return the import line of the README's "Using the client on its own" example."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Using the client on its own", 1)[1].split("\n## ", 1)[0]
    return next(
        line
        for line in section.splitlines()
        if line.startswith("from ") and "V2CClient" in line
    )


def test_the_readme_import_works_without_home_assistant(tmp_path: Path) -> None:
    """The README's own import of the client works where HA is not installed.

    README "Using the client on its own" used to give
    `from custom_components.v2c_cloud.api import V2CClient`, which first runs
    the integration's `__init__` and so failed with ModuleNotFoundError
    ('homeassistant') for a developer without Home Assistant. Its import must
    work in the package `api/pyproject.toml` builds: the `api/` directory
    under the import name the project file maps it to.
    """
    project = tomllib.loads(
        (ROOT / "custom_components/v2c_cloud/api/pyproject.toml").read_text("utf-8")
    )
    (name,) = project["tool"]["setuptools"]["package-dir"]
    (tmp_path / name).symlink_to(ROOT / "custom_components/v2c_cloud/api")
    line = _readme_client_import()
    code = (
        "import sys\n"
        "sys.modules['homeassistant'] = None  # not installed\n"
        f"sys.path[:0] = [{str(tmp_path)!r}]\n"
        f"{line}\n"
        "print(type(V2CClient('key')).__name__)\n"
    )
    result = subprocess.run(  # noqa: S603  # our interpreter, our own code
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr.strip().splitlines()[-1]
    assert result.stdout.strip() == "V2CClient"
