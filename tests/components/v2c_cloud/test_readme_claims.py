"""README claims checked against the integration: examples run as a user would copy them.

Each test quotes the README section it checks. A failing test is a README claim
the code does not keep (or a code path that breaks what README promises).
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
import re
import sys
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.util.yaml import parse_yaml
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.v2c_cloud.const import DOMAIN
from custom_components.v2c_cloud.service_actions import ACTIONS
from tests.sim_fixtures import SimHandle

ROOT = Path(__file__).resolve().parents[3]
README = (ROOT / "README.md").read_text(encoding="utf-8")
ACTION_NAMES = {action.name for action in ACTIONS}


def section(title: str) -> str:
    """Return a README section (from its heading to the next heading of its level)."""
    start = README.index(f"\n{title}\n")
    level = title.split(" ", maxsplit=1)[0]
    end = README.find(f"\n{level} ", start + len(title) + 2)
    return README[start : end if end != -1 else None]


def code_blocks(text: str, language: str) -> list[str]:
    """Return the fenced code blocks of one language."""
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def yaml_documents(block: str) -> list[dict[str, Any]]:
    """Split a README YAML block into its examples (separated by blank lines)."""
    return [
        parse_yaml(part)
        for part in re.split(r"\n\s*\n", block)
        if any(line and not line.startswith("#") for line in part.splitlines())
    ]


# ---------------------------------------------------------------- Actions


def test_actions_named_in_readme_exist() -> None:
    """Every `v2c_cloud.<action>` in Actions / the migration table's "Ours" column exists."""
    named = set(re.findall(r"`v2c_cloud\.([a-z_]+)`", section("## Actions")))
    switching = section("## Switching from the other V2C Cloud integration")
    for row in switching.splitlines():
        if row.startswith("| `") and "|" in row[2:]:
            ours = row.split("|")[2]
            named |= set(re.findall(r"`(?:v2c_cloud\.)?([a-z_]+)`", ours))
    # The "Ours" column also names entity actions and option values.
    named = {
        name
        for name in named
        if "." not in name
        and name not in {"pv_plus_min", "pv_only", "max_power", "energy", "start"}
        and name not in {"end", "days", "name"}
    }
    assert named - ACTION_NAMES == set()


async def test_readme_action_examples_run(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    v2c_sim: SimHandle,
) -> None:
    """## Actions: the YAML examples, with the charger's device id, are accepted."""
    device = device_registry.async_get_device(identifiers={(DOMAIN, v2c_sim.device_id)})
    assert device is not None
    [block] = code_blocks(section("## Actions"), "yaml")
    block = block.replace("0123456789abcdef0123456789abcdef", device.id)
    examples = yaml_documents(block)
    assert len(examples) == 4
    for example in examples:
        domain, name = example["action"].split(".")
        data = dict(example.get("data", {}))
        target = example.get("target", {})
        response = example.get("response_variable") is not None
        await hass.services.async_call(
            domain,
            name,
            data,
            target=target or None,
            blocking=True,
            return_response=response,
        )


# ---------------------------------------------------------------- Automations


async def test_readme_automation_examples_use_real_entities(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """## Automation examples: a charger tagged "Garage" has every entity they name.

    The simulator's first charger is tagged "Garage", as in the examples.
    """
    [block] = code_blocks(section("## Automation examples"), "yaml")
    automations = parse_yaml(block)["automation"]
    assert len(automations) == 2
    entity_ids = set(re.findall(r"\b(?:sensor|switch|select)\.garage_[a-z_]+", block))
    assert entity_ids
    for entity_id in entity_ids:
        assert hass.states.get(entity_id) is not None, entity_id
    option = automations[1]["actions"][0]["data"]["option"]
    select = hass.states.get("select.garage_photovoltaic_mode")
    assert select is not None
    assert option in select.attributes["options"]
    # The blueprint section's event entity and the Energy dashboard's sensor.
    assert hass.states.get("event.garage_charging_session") is not None
    assert hass.states.get("sensor.garage_lifetime_energy") is not None


# ---------------------------------------------------------------- Client


@pytest.fixture
def built_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make importable what `api/pyproject.toml` builds: `api/` as `v2c_cloud_api`."""
    (tmp_path / "v2c_cloud_api").symlink_to(
        Path(__file__).resolve().parents[3] / "custom_components/v2c_cloud/api"
    )
    monkeypatch.syspath_prepend(str(tmp_path))


@pytest.mark.usefixtures("built_client")
async def test_readme_client_example_runs(v2c_sim: SimHandle) -> None:
    """## Using the client on its own: the example runs and prints each charger."""
    [block] = code_blocks(section("## Using the client on its own"), "python")
    code = block.replace(
        'V2CClient("YOUR_API_KEY", session=session)',
        f'V2CClient("{v2c_sim.api_key}", session=session, base_url="{v2c_sim.base_url}")',
    ).replace("asyncio.run(main())", "")
    assert "base_url" in code
    namespace: dict[str, Any] = {}
    try:
        exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            await namespace["main"]()
    finally:
        for name in [name for name in sys.modules if name.startswith("v2c_cloud_api")]:
            del sys.modules[name]
    printed = out.getvalue().splitlines()
    assert printed[0].startswith("Garage ")
    assert printed[0].endswith(" W")
    assert printed[-1].startswith("calls left today: ")
    assert printed[-1] != "calls left today: ?"
