"""Set-up scripts: scripts/bootstrap, scripts/test, scripts/develop, scripts/bench and .ci/run.

Each test copies the scripts into a temporary checkout and runs them with
stand-ins: a fake `.venv/bin/python` that records how it was called, a fake
`uv` that records which Python it was asked to use, a stubbed bootstrap where
the venv itself does not matter. Nothing is installed, nothing reaches the
network; each run takes a few seconds at most.
"""

from __future__ import annotations

import os
from pathlib import Path
import shutil
import subprocess

import pytest

ROOT = Path(__file__).resolve().parents[1]
# What bootstrap runs besides bash builtins; the fake uv is added by each test.
BOOTSTRAP_TOOLS = (
    "bash",
    "basename",
    "cat",
    "cut",
    "dirname",
    "flock",
    "rm",
    "sha256sum",
    "sort",
)

FAKE_PYTHON = """\
#!/usr/bin/env bash
# Record the working directory and the arguments, one call per line.
printf '%s\\t%s\\n' "$PWD" "$*" >> "$(dirname "$0")/calls"
if [[ -n "${FAIL_ON:-}" && "$*" == *"$FAIL_ON"* ]]; then
  exit 1
fi
# For scripts/develop: Home Assistant stops at once, onboarding waits for it.
if [[ -n "${HASS_EXITS:-}" && "$*" == *run_hass.py* ]]; then
  exit 1
fi
if [[ -n "${HASS_EXITS:-}" && "$*" == *dev_onboard.py* ]]; then
  exec sleep 30
fi
exit 0
"""

FAKE_UV = """\
#!/usr/bin/env bash
printf '%s\\n' "$*" >> "$(dirname "$0")/uv-calls"
exit 3
"""

# The last pytest run's coverage gate, as scripts/test calls it after a full run.
GATE = "scripts/coverage_gate.py /"


def _checkout(tmp_path: Path) -> Path:
    """Copy the scripts into a checkout whose venv is a fake python."""
    root = tmp_path / "checkout"
    (root / "scripts").mkdir(parents=True)
    (root / ".ci").mkdir()
    (root / "tests").mkdir()
    (root / "tests" / "test_sample.py").write_text("def test_sample():\n    pass\n")
    for name in ("test", "bench", "develop"):
        shutil.copy2(ROOT / "scripts" / name, root / "scripts" / name)
    shutil.copy2(ROOT / ".ci" / "run", root / ".ci" / "run")
    bootstrap = root / "scripts" / "bootstrap"
    bootstrap.write_text("#!/usr/bin/env bash\nexit 0\n")
    bootstrap.chmod(0o755)
    python = root / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    return root


def _calls(root: Path) -> list[tuple[Path, str]]:
    """Return each call of the fake python: its working directory and arguments."""
    log = root / ".venv" / "bin" / "calls"
    if not log.exists():
        return []
    return [
        (Path(cwd), args)
        for cwd, args in (
            line.split("\t", 1) for line in log.read_text().splitlines() if line
        )
    ]


def _last_pytest(root: Path) -> tuple[Path, str]:
    """Return the last pytest run of scripts/test: its directory and arguments."""
    return [call for call in _calls(root) if "--numprocesses=auto" in call[1]][-1]


def _run(
    args: list[str],
    cwd: Path,
    env: dict[str, str] | None = None,
    *,
    drop: frozenset[str] = frozenset(),
) -> subprocess.CompletedProcess[str]:
    """Run args with this environment, changed by env, without the names in drop."""
    base = {key: value for key, value in os.environ.items() if key not in drop}
    return subprocess.run(  # noqa: S603  # our own scripts, in a temporary copy
        args,
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _bootstrap_checkout(tmp_path: Path) -> tuple[Path, Path]:
    """Copy scripts/bootstrap and the requirements; return it and a PATH dir.

    The PATH dir holds only the tools bootstrap needs and a fake uv, so no
    python3.13 or python3.14 of this machine is found on it.
    """
    root = tmp_path / "checkout"
    (root / "scripts").mkdir(parents=True)
    shutil.copy2(ROOT / "scripts" / "bootstrap", root / "scripts" / "bootstrap")
    for name in ("requirements_test.txt", "requirements_overrides.txt"):
        shutil.copy2(ROOT / name, root / name)
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in BOOTSTRAP_TOOLS:
        found = shutil.which(tool)
        assert found is not None, tool
        (tools / tool).symlink_to(found)
    uv = tools / "uv"
    uv.write_text(FAKE_UV)
    uv.chmod(0o755)
    return root, tools


def _fake_python3(path: Path) -> Path:
    """Make a python3 that passes bootstrap's `>= 3.13` probe."""
    path.parent.mkdir(parents=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


def _uv_python(tools: Path) -> str:
    """Return the Python the fake uv was first asked to make .venv with."""
    # `venv --quiet --python PYTHON VENV`: the Python's path may hold spaces.
    first = (tools / "uv-calls").read_text().splitlines()[0]
    return first.split(" --python ", 1)[1].rsplit(" ", 1)[0]


def test_test_paths_are_taken_from_the_callers_directory(tmp_path: Path) -> None:
    """`../scripts/test test_sample.py` from tests/ runs tests/test_sample.py.

    scripts/test runs pytest from the checkout's root (where setup.cfg holds
    the coverage settings); a path or node id that exists from the caller's
    directory reaches it relative to the root, as scripts/bench takes its
    paths from the caller's directory. Option values stay as they are.
    """
    root = _checkout(tmp_path)

    result = _run(
        [
            "bash",
            "../scripts/test",
            "test_sample.py::test_sample",
            "-k",
            "test_sample.py",
            "-n",
            "0",
            "-p",
            "no:randomly",
        ],
        cwd=root / "tests",
    )

    assert result.returncode == 0, result.stderr
    cwd, args = _last_pytest(root)
    assert cwd == root
    assert args.endswith(
        " tests/test_sample.py::test_sample -k test_sample.py -n 0 -p no:randomly"
    ), args


def test_a_path_outside_the_checkout_reaches_pytest_absolute(tmp_path: Path) -> None:
    """A test path outside the checkout is given to pytest as an absolute path."""
    root = _checkout(tmp_path)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "test_other.py").write_text("")

    result = _run(
        ["bash", "../checkout/scripts/test", "test_other.py"], cwd=tmp_path / "other"
    )

    assert result.returncode == 0, result.stderr
    _, args = _last_pytest(root)
    assert args.endswith(f" {tmp_path / 'other' / 'test_other.py'}"), args


@pytest.mark.parametrize(
    "options",
    [["-n", "0"], ["-x", "-q"], ["-v", "-p", "no:randomly"], ["--maxfail", "3"]],
    ids=" ".join,
)
def test_options_keep_the_full_runs_coverage_gates(
    tmp_path: Path, options: list[str]
) -> None:
    """`scripts/test -n 0` (README's one-process run) and other options run the gates.

    Only arguments that select tests make a partial run; a full run with any
    other option fails when scripts/coverage_gate.py fails.
    """
    root = _checkout(tmp_path)

    result = _run(["bash", "scripts/test", *options], cwd=root, env={"FAIL_ON": GATE})

    gate_runs = [args for _, args in _calls(root) if GATE in args]
    assert gate_runs, "the full run never ran scripts/coverage_gate.py"
    assert "--cov-fail-under=0" not in _last_pytest(root)[1]
    assert result.returncode != 0


@pytest.mark.parametrize(
    "selection",
    [
        ["tests/test_sample.py"],
        ["tests/test_sample.py::test_sample"],
        ["-k", "quota"],
        ["-kquota"],
        ["-m", "slow"],
        ["--deselect", "tests/test_sample.py::test_sample"],
        ["--ignore=tests/test_sample.py"],
        ["--no-cov"],
        ["--help"],
        ["--collect-only"],
    ],
    ids=" ".join,
)
def test_a_selection_skips_the_coverage_gates(
    tmp_path: Path, selection: list[str]
) -> None:
    """A path, node id, -k, -m, --deselect or --ignore skips the gates.

    So do --no-cov and the options that run no test: nothing to judge.
    """
    root = _checkout(tmp_path)

    result = _run(["bash", "scripts/test", "-n", "0", *selection], cwd=root)

    assert result.returncode == 0, result.stderr
    assert not [args for _, args in _calls(root) if GATE in args]
    assert "--cov-fail-under=0" in _last_pytest(root)[1]


@pytest.mark.parametrize(
    ("script", "expected"),
    [("scripts/test", GATE), (".ci/run", GATE), ("scripts/bench", "-m benchmark")],
)
def test_scripts_run_through_a_symlink(
    tmp_path: Path, script: str, expected: str
) -> None:
    """A symlink to a script (e.g. in ~/bin) runs the checkout's steps."""
    root = _checkout(tmp_path)
    link = tmp_path / "bin" / "v2c-script"
    link.parent.mkdir()
    link.symlink_to(root / script)

    result = _run([str(link)], cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert [args for _, args in _calls(root) if expected in args], _calls(root)


def test_develop_says_when_home_assistant_stopped_before_onboarding(
    tmp_path: Path,
) -> None:
    """If Home Assistant ends before onboarding is done, develop points at its log.

    There is no page to open then: the message says Home Assistant stopped.
    """
    root = _checkout(tmp_path)

    result = _run(
        ["bash", "scripts/develop"],
        cwd=root,
        env={"HASS_EXITS": "1", "V2C_HA_PORT": "18723", "V2C_SIM_PORT": "18721"},
        drop=frozenset({"V2C_API_KEY"}),
    )

    assert "Home Assistant stopped before onboarding finished" in result.stderr, (
        result.stderr
    )
    assert f"{root}/.dev/config/home-assistant.log" in result.stderr
    assert "open http://localhost" not in result.stderr


def test_pyenv_fallback_takes_the_newest_final_release(tmp_path: Path) -> None:
    """From pyenv's versions, .venv gets the newest final release >= 3.13.

    Pre-releases (3.15.0a3, 3.14.0rc1, 3.15-dev), which Home Assistant's
    compiled dependencies have no wheels for, and free-threaded builds
    (3.14.1t) are passed over (README: "python3.14/python3.13 on PATH, then
    pyenv's versions").
    """
    root, tools = _bootstrap_checkout(tmp_path)
    pyenv_root = tmp_path / "py env"
    for version in (
        "3.12.9",
        "3.13.1",
        "3.13.10",
        "3.13.9",
        "3.14.1t",
        "3.14.0rc1",
        "3.15.0a3",
        "3.15-dev",
    ):
        _fake_python3(pyenv_root / "versions" / version / "bin" / "python3")

    result = _run(
        ["bash", str(root / "scripts" / "bootstrap")],
        cwd=root,
        env={
            "PATH": str(tools),
            "HOME": str(tmp_path / "home"),
            "PYENV_ROOT": str(pyenv_root),
            "V2C_PYTHON": "",
        },
    )

    assert (tools / "uv-calls").exists(), result.stderr
    assert _uv_python(tools) == f"{pyenv_root}/versions/3.13.10/bin/python3"


def test_no_pyenv_version_gives_no_candidate(tmp_path: Path) -> None:
    """With pyenv but none of its versions fit, no Python is probed at all."""
    root, tools = _bootstrap_checkout(tmp_path)
    pyenv_root = tmp_path / "pyenv"
    (pyenv_root / "versions").mkdir(parents=True)

    result = _run(
        ["bash", "-x", str(root / "scripts" / "bootstrap")],
        cwd=root,
        env={"PATH": str(tools), "PYENV_ROOT": str(pyenv_root), "V2C_PYTHON": ""},
    )

    assert result.returncode != 0
    assert "no Python >= 3.13 found" in result.stderr, result.stderr
    probes = [line for line in result.stderr.splitlines() if "python_ok " in line]
    assert not probes, probes


def test_no_python_without_home_is_explained(tmp_path: Path) -> None:
    """With no Python >= 3.13 and HOME unset, bootstrap says what is missing.

    A CI job or container started with a bare environment gets the "error: no
    Python >= 3.13 found" message, with what was looked for and how to fix it.
    """
    root, tools = _bootstrap_checkout(tmp_path)
    result = _run(
        ["bash", str(root / "scripts" / "bootstrap")],
        cwd=root,
        env={"PATH": str(tools)},
        drop=frozenset({"HOME", "PYENV_ROOT", "V2C_PYTHON"}),
    )

    assert result.returncode != 0
    assert "no Python >= 3.13 found" in result.stderr, result.stderr


def test_relative_v2c_python_is_taken_from_the_callers_directory(
    tmp_path: Path,
) -> None:
    """`V2C_PYTHON=../py/python3 ../checkout/scripts/test` uses that Python.

    scripts/test moves to the checkout's root only after bootstrap, which
    reads a relative V2C_PYTHON from the caller's directory.
    """
    root, tools = _bootstrap_checkout(tmp_path)
    shutil.copy2(ROOT / "scripts" / "test", root / "scripts" / "test")
    python = _fake_python3(tmp_path / "py" / "python3")
    caller = tmp_path / "elsewhere"
    caller.mkdir()

    result = _run(
        ["bash", "../checkout/scripts/test"],
        cwd=caller,
        env={"PATH": str(tools), "V2C_PYTHON": "../py/python3"},
    )

    assert (tools / "uv-calls").exists(), result.stderr
    assert Path(_uv_python(tools)).resolve() == python.resolve()
