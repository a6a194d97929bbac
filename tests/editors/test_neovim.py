"""The Neovim plugin (editors/nvim) end to end, in a real headless Neovim (0.7.2 from Debian in CI).

Neovim starts the real language server (found by the plugin on PATH), which talks HTTP to the Coder
simulator. Nothing is mocked; the Lua script (nvim/e2e.lua) stands in for the user only: it answers
``vim.ui.select`` and records the pages the plugin would open in a browser.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import MISSING_TOOL

from coder_catalog.simulator.server import SimulatorServer

# CODER_CATALOG_TEST_NVIM runs the same tests with another Neovim (e.g. 0.11) locally.
NVIM = os.environ.get("CODER_CATALOG_TEST_NVIM") or shutil.which("nvim")
HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parents[1]
PLUGIN = REPOSITORY / "editors" / "nvim"
SCRIPT = HERE / "nvim" / "e2e.lua"
SERVER_BIN = Path(sys.executable).parent
SKIPPED = 77

pytestmark = pytest.mark.skipif(
    NVIM is None,
    reason=f"{MISSING_TOOL}nvim is not installed (.ci/run installs Debian's neovim: apt-get install neovim)",
)

ENTITY = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: {name}
  annotations:
    backstage.io/source-location: url:https://github.com/acme/{name}/tree/main/
spec:
  type: service
  lifecycle: production
  owner: team-a
  coder:
{coder}"""


def entity(name: str, coder: str) -> str:
    return ENTITY.format(name=name, coder=coder)


def nvim_version() -> str:
    assert NVIM is not None
    first = subprocess.run(
        [NVIM, "--version"], capture_output=True, text=True, check=True
    ).stdout.splitlines()[0]
    return first.removeprefix("NVIM ").strip()


def run_nvim(
    tmp_path: Path, scenario: str, session_token: str | None, **config: Any
) -> tuple[int, dict[str, Any], str]:
    """Run one scenario of e2e.lua; the exit status, its report and Neovim's output."""
    assert NVIM is not None
    results = tmp_path / f"{scenario}-results.json"
    config_file = tmp_path / f"{scenario}-config.json"
    config_file.write_text(
        json.dumps({"scenario": scenario, "plugin": str(PLUGIN), "results": str(results), **config}),
        encoding="utf-8",
    )
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CODER_", "NVIM", "XDG_", "VIRTUAL_ENV"))}
    env.update(
        {
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_STATE_HOME": str(home / ".local" / "state"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            # The plugin finds `coder-catalog` on PATH, as it would for a user who pip-installed it.
            "PATH": f"{SERVER_BIN}{os.pathsep}{env.get('PATH', '')}",
            "CODER_CONFIG_DIR": str(tmp_path / "no-coder-cli"),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            "CODER_CATALOG_E2E": str(config_file),
        }
    )
    if session_token is not None:
        env["CODER_SESSION_TOKEN"] = session_token
    try:
        done = subprocess.run(
            [NVIM, "--headless", "--clean", "-n", "-c", f"luafile {SCRIPT}"],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=150,
        )
    except subprocess.TimeoutExpired as exc:
        report = results.read_text(encoding="utf-8") if results.exists() else "(no report)"
        pytest.fail(
            f"nvim did not finish the {scenario} scenario in time: {report}\n{exc.stdout!r}\n{exc.stderr!r}"
        )
    output = done.stdout + done.stderr
    report = json.loads(results.read_text(encoding="utf-8")) if results.exists() else {}
    return done.returncode, report, output


def explain(code: int, report: dict[str, Any], output: str) -> str:
    """A short account of a failed scenario: the error, the steps done, the last pickers and messages."""
    selections = report.get("selections") or []
    last = "\n".join(f"  {s.get('prompt')}: {s.get('items')}" for s in selections[-3:])
    messages = report.get("messages") or []
    shown = "\n".join(f"  [{m.get('type')}] {str(m.get('message'))[:300]}" for m in messages[-5:])
    steps = [s.get("name") for s in report.get("steps") or []]
    return (
        f"nvim exited {code}\nerror: {str(report.get('error'))[:2000]}\nsteps done: {steps}\n"
        f"pickers shown: {len(selections)}, the last ones:\n{last}\n"
        f"messages shown: {len(messages)}, the last ones:\n{shown}\n"
        f"opened: {report.get('opened')}\noutput (last 2,000 characters):\n{output[-2000:]}"
    )


def project(root: Path, files: dict[str, str]) -> Path:
    (root / ".git").mkdir(parents=True)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_neovim_diagnostics_completion_and_quick_fix(simulator: SimulatorServer, tmp_path: Path) -> None:
    root = project(
        tmp_path / "repo",
        {
            "catalog-info.yaml": entity("python-project", "    templateName: dokker\n    mode: Auto\n"),
            "services/api/catalog-info.yaml": entity("api", "    templateName: docker\n"),
            "docker-compose.yaml": "services:\n  web:\n    image: nginx\n",
        },
    )
    other = project(tmp_path / "other", {"catalog-info.yaml": entity("other", "    templateName: docker\n")})
    code, report, output = run_nvim(
        tmp_path,
        "edit",
        simulator.token,
        file=str(root / "catalog-info.yaml"),
        root=str(root),
        second_file=str(root / "services/api/catalog-info.yaml"),
        other_root=str(other),
        other_root_file=str(other / "catalog-info.yaml"),
        plain_yaml=str(root / "docker-compose.yaml"),
        url=simulator.url,
        settings={"deployment": {"accessUrl": simulator.url}},
    )
    assert code == 0 and report.get("ok"), explain(code, report, output)
    steps = {s["name"]: s["detail"] for s in report["steps"]}
    assert steps["attached"]["version"] == nvim_version().split("-")[0].removeprefix("v")
    assert {"CC105", "CC201"} <= set(steps["diagnostics"]["codes"])
    assert steps["quickfix"]["line"] == "    mode: auto"
    assert steps["completion"]["line"] == "    templateName: docker"
    assert "devcontainers" in steps["completion"]["shown"]
    assert steps["clients"]["clients"] == 2
    # The server really asked the simulator: templates over HTTP with the session token.
    assert any(r["path"].startswith("/api/v2/") and r["status"] == 200 for r in simulator.requests())


@pytest.fixture
def own_simulator() -> Iterator[SimulatorServer]:
    """A simulator of its own: this test starts a workspace, which the shared one must not see."""
    with SimulatorServer() as server:
        yield server


def test_neovim_workspaces_open_start_create_and_checkhealth(
    own_simulator: SimulatorServer, tmp_path: Path
) -> None:
    root = project(
        tmp_path / "repo",
        {"catalog-info.yaml": entity("python-project", "    templateName: devcontainers\n")},
    )
    code, report, output = run_nvim(
        tmp_path,
        "workspaces",
        own_simulator.token,
        file=str(root / "catalog-info.yaml"),
        root=str(root),
        url=own_simulator.url,
        settings={
            "deployment": {"accessUrl": own_simulator.url},
            "workspaces": {"repoUrlParamKeys": ["repo_url"]},
        },
    )
    if code == SKIPPED:
        pytest.skip(f"Neovim workspace commands: {report.get('skipped')}")
    assert code == 0 and report.get("ok"), explain(code, report, output)
    steps = {s["name"]: s["detail"] for s in report["steps"]}
    assert steps["start"]["status"] == "running"
    assert report["opened"][0] == f"{own_simulator.url}/@alice/python-api"
    builds = [r for r in own_simulator.requests() if r["method"] == "POST" and r["path"].endswith("/builds")]
    assert len(builds) == 1 and builds[0]["status"] in (200, 201), own_simulator.requests()


def test_neovim_links_and_unlinks_an_account(simulator: SimulatorServer, tmp_path: Path) -> None:
    """No CODER_SESSION_TOKEN: :CoderLink takes the token (inputsecret), the server checks and keeps it
    (in the 0600 file store, after the plugin asked, as this box has no keyring), and the template
    checks start; :CoderUnlink forgets it."""
    root = project(
        tmp_path / "repo",
        {"catalog-info.yaml": entity("python-project", "    templateName: dokker\n    mode: Auto\n")},
    )
    code, report, output = run_nvim(
        tmp_path,
        "accounts",
        None,
        file=str(root / "catalog-info.yaml"),
        root=str(root),
        url=simulator.url,
        token=simulator.token,
        credentials_file=str(tmp_path / "home" / ".config" / "coder-catalog" / "credentials.json"),
        settings={"deployment": {"accessUrl": simulator.url}},
    )
    if code == SKIPPED:
        pytest.skip(f"Neovim account commands: {report.get('skipped')}")
    assert code == 0 and report.get("ok"), explain(code, report, output)
    assert simulator.token not in output
    steps = {s["name"]: s["detail"] for s in report["steps"]}
    assert steps["linked"]["status"]["user"] == "alice"
    assert steps["unlinked"]["status"]["signedIn"] is False
