"""The VS Code extension (editors/vscode) end to end, in a real VS Code: code-server from npm (VS Code
served to a browser) with the extension installed from its .vsix, driven through Debian's Chromium
with playwright-core (tests/editors/vscode_e2e/e2e.mjs).

The extension starts the real language server of this virtual environment, which talks HTTP to the
Coder simulator. Nothing is mocked: the script types and clicks as a person would and reads the page
(status bar, Problems panel, suggestion list, hover, light bulb, code lens, quick picks). A screenshot
of every step goes to tests/editors/artifacts/vscode/ (git-ignored).

Needs ``chromium`` (Debian's) and the packages of tests/editors/vscode_e2e (its install.sh); without
them the test skips with a ``missing tool:`` reason, a failure when CI=true.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import MISSING_TOOL

from coder_catalog.simulator.server import SimulatorServer

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parents[1]
E2E = HERE / "vscode_e2e"
NODE = E2E / "node_modules" / "node" / "bin" / "node"
CODE_SERVER = E2E / "node_modules" / "code-server" / "out" / "node" / "entry.js"
INSTALLED = E2E / "node_modules" / ".installed"
VSIX = REPOSITORY / "editors" / "vscode" / "coder-catalog.vsix"
ARTIFACTS = HERE / "artifacts" / "vscode"
SERVER = Path(sys.executable).parent / "coder-catalog"
CHROMIUM = os.environ.get("CODER_CATALOG_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def missing() -> str | None:
    if not os.access(CHROMIUM, os.X_OK):
        return "chromium is not installed (.ci/run installs Debian's chromium: apt-get install chromium)"
    if not (INSTALLED.exists() and NODE.exists() and CODE_SERVER.exists()):
        return "the packages of tests/editors/vscode_e2e are not installed (run tests/editors/vscode_e2e/install.sh)"
    if not VSIX.exists():
        return "editors/vscode/coder-catalog.vsix is not built (make vscode-build)"
    return None


pytestmark = pytest.mark.skipif(missing() is not None, reason=f"{MISSING_TOOL}{missing()}")

CATALOG_FILE = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: python-project
  description: The Python API.
  annotations:
    backstage.io/source-location: url:https://github.com/acme/python-project/tree/main/
spec:
  type: service
  lifecycle: production
  owner: team-a
  coder:
    templateName: devcontainers
    mode: Auto
    params:
      region: mars-1
"""

# A Location and the Group it leads to (not a catalog-info.yaml: found through the Location only)
ORG_LOCATION = """apiVersion: backstage.io/v1alpha1
kind: Location
metadata:
  name: org
spec:
  targets: [./team-a.yaml]
"""
TEAM_A = """apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
  title: Team A
spec:
  type: team
  children: []
"""

# Settings that keep VS Code quiet and offline: no welcome page, no trust prompt, no recommendations.
WORKBENCH_SETTINGS: dict[str, Any] = {
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": False,
    "workbench.enableExperiments": False,
    "security.workspace.trust.enabled": False,
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "extensions.autoCheckUpdates": False,
    "extensions.autoUpdate": False,
    "extensions.ignoreRecommendations": True,
    "chat.disableAIFeatures": True,
    "workbench.secondarySideBar.defaultVisibility": "hidden",
    "git.enabled": False,
    "remote.autoForwardPorts": False,
    "editor.minimap.enabled": False,
    "editor.codeLens": True,
    "editor.lightbulb.enabled": "on",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop(process: subprocess.Popen[bytes]) -> None:
    """Ends a process started in a session of its own, with everything it started."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # children left behind (extension host, server, chromium)
    process.wait()


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"code-server exited {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}"
            )
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    pytest.fail(f"code-server did not answer on {url}:\n{log.read_text(errors='replace')[-3000:]}")


def environment(tmp_path: Path) -> dict[str, str]:
    """code-server's environment: a home of its own, no Coder credential, a plaintext keyring in it."""
    home = tmp_path / "home"
    home.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CODER_", "XDG_", "VIRTUAL_ENV", "VSCODE_", "ELECTRON_", "NODE_", "npm_"))
    }
    env.update(
        {
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_STATE_HOME": str(home / ".local" / "state"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "CODER_CONFIG_DIR": str(tmp_path / "no-coder-cli"),
            # The linked token goes to a file under the temporary home, never to a real secret store.
            "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
        }
    )
    return env


@pytest.fixture
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


def set_up(
    tmp_path: Path, simulator: SimulatorServer, env: dict[str, str], machine: dict[str, Any]
) -> dict[str, Any]:
    """The extension installed into a code-server of its own, set up for the simulator (``machine``:
    the remote settings), and a folder with a catalog file."""
    user_data = tmp_path / "user-data"
    extensions = tmp_path / "extensions"
    base = [
        str(NODE),
        str(CODE_SERVER),
        "--user-data-dir",
        str(user_data),
        "--extensions-dir",
        str(extensions),
    ]
    base += ["--config", str(tmp_path / "code-server.yaml")]
    install_extension(base, env)

    settings: dict[str, Any] = {
        **WORKBENCH_SETTINGS,
        "coderCatalog.deployment.accessUrl": simulator.url,
        "coderCatalog.workspaces.repoUrlParamKeys": ["repo_url"],
    }
    (user_data / "User").mkdir(parents=True, exist_ok=True)
    settings_file = user_data / "User" / "settings.json"
    settings_file.write_text(json.dumps(settings, indent=2), encoding="utf-8")
    # coderCatalog.server.path is machine-scoped: VS Code reads it from the remote (machine) settings
    # when the extension runs on a server, as in code-server.
    (user_data / "Machine").mkdir(parents=True, exist_ok=True)
    (user_data / "Machine" / "settings.json").write_text(json.dumps(machine), encoding="utf-8")

    folder = tmp_path / "repo"
    folder.mkdir()
    (folder / "catalog-info.yaml").write_text(CATALOG_FILE, encoding="utf-8")
    (folder / "org").mkdir()
    (folder / "org" / "catalog-info.yaml").write_text(ORG_LOCATION, encoding="utf-8")
    (folder / "org" / "team-a.yaml").write_text(TEAM_A, encoding="utf-8")
    # The driver writes coderCatalog.rules here (code-server does not see the user settings file change
    # on disk; it watches the workspace's).
    (folder / ".vscode").mkdir()
    workspace_settings = folder / ".vscode" / "settings.json"
    workspace_settings.write_text("{}", encoding="utf-8")
    return {
        "base": base,
        "env": env,
        "folder": folder,
        "settings_file": workspace_settings,
        "user_data": user_data,
    }


@pytest.fixture
def code_server(tmp_path: Path, simulator: SimulatorServer) -> Iterator[dict[str, Any]]:
    """code-server with the extension installed and set up for the simulator, serving a catalog folder,
    the server being the one of this virtual environment (coderCatalog.server.path)."""
    setup = set_up(tmp_path, simulator, environment(tmp_path), {"coderCatalog.server.path": str(SERVER)})
    log = tmp_path / "code-server.log"
    with running_code_server(setup["base"], setup["env"], setup["folder"], log) as url:
        yield {**setup, "url": f"{url}/?folder={setup['folder']}", "log": log}


def install_extension(base: list[str], env: dict[str, str]) -> None:
    installed = subprocess.run(
        [*base, "--install-extension", str(VSIX)], env=env, capture_output=True, text=True, timeout=120
    )
    assert installed.returncode == 0 and "successfully installed" in installed.stdout, (
        installed.stdout + installed.stderr
    )


@contextlib.contextmanager
def running_code_server(base: list[str], env: dict[str, str], folder: Path, log: Path) -> Iterator[str]:
    """code-server serving ``folder`` (its output in ``log``) until the block ends; yields its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    flags = [
        "--bind-addr",
        f"127.0.0.1:{port}",
        "--auth",
        "none",
        "--disable-telemetry",
        "--disable-update-check",
    ]
    flags += [
        "--disable-workspace-trust",
        "--disable-getting-started-override",
        "--disable-proxy",
        str(folder),
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*base, *flags],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        wait_until_up(url, process, log)
        yield url
    finally:
        stop(process)


def run_driver(
    tmp_path: Path, config: dict[str, Any], env: dict[str, str]
) -> tuple[int, dict[str, Any], str]:
    config_file = tmp_path / "driver.json"
    results = tmp_path / "results.json"
    config_file.write_text(json.dumps({**config, "results": str(results)}), encoding="utf-8")
    driver = subprocess.Popen(
        [str(NODE), str(E2E / "e2e.mjs"), str(config_file)],
        cwd=E2E,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # chromium is in its session: stop() ends it too
    )
    try:
        output, _ = driver.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        output = b"(the driver timed out)"
    finally:
        stop(driver)
    report = json.loads(results.read_text(encoding="utf-8")) if results.exists() else {}
    return driver.returncode, report, output.decode(errors="replace")


def explain(code: int, report: dict[str, Any], output: str, log: Path) -> str:
    steps = [(s["name"], s["done"], s["seconds"]) for s in report.get("steps") or []]
    console = "\n".join(f"  {line}" for line in (report.get("console") or [])[-10:])
    return (
        f"driver exited {code}\nerror: {report.get('error')}\nsteps (name, done, seconds): {steps}\n"
        f"screenshots: {ARTIFACTS}\nbrowser console errors (last 10):\n{console}\n"
        f"driver output (last 2,000 characters):\n{output[-2000:]}\n"
        f"code-server log (last 2,000 characters):\n{log.read_text(errors='replace')[-2000:]}"
    )


@pytest.mark.timeout(420)  # code-server's start, the driver (at most 300 s) and the stops
def test_vscode_extension_in_code_server(
    simulator: SimulatorServer, code_server: dict[str, Any], tmp_path: Path, artifacts: Path
) -> None:
    config = {
        "url": code_server["url"],
        "chromium": CHROMIUM,
        "browserProfile": str(tmp_path / "chromium-profile"),
        "artifacts": str(artifacts),
        "settingsFile": str(code_server["settings_file"]),
        "token": simulator.token,
        "file": "catalog-info.yaml",
        "expectProblems": ["CC105", "CC303"],
        "expectTemplates": ["docker", "devcontainers", "data-science"],
        "expectParams": ["branch", "disk_size", "ide_extensions"],
        "expectHover": "Build a workspace from the repository",
        "expectWorkspaces": ["python-api", "python-api-eu"],
        "toggleRule": "CC303",
        "timeoutMs": 60000,
    }
    code, report, output = run_driver(tmp_path, config, code_server["env"])
    log: Path = code_server["log"]
    assert code == 0 and report.get("ok"), explain(code, report, output, log)
    steps = {s["name"]: s["detail"] for s in report["steps"]}

    # The extension activated and started `coder-catalog serve` (no account linked yet).
    assert "Link Coder account" in steps["activated"]["status"]
    # Coder: Link Account took the token; the server checked it against the simulator.
    host = simulator.url.removeprefix("http://")
    assert steps["linked"]["status"].endswith(f"alice @ {host}"), steps["linked"]
    # The Problems panel: the findings on their lines, with their codes.
    listed = {(p["code"], p["line"], p["column"], p["severity"]) for p in steps["problems"]["problems"]}
    assert {("CC105", 14, 11, "error"), ("CC303", 16, 15, "error")} <= listed, listed
    # Completion of the simulator's templates and of the template's parameters; hover.
    assert {"docker", "devcontainers", "data-science"} <= set(steps["completion-template"]["shown"])
    # repo_url is not offered: the plugin fills it from the repository (repoUrlParamKeys).
    assert {"branch", "disk_size", "ide_extensions"} <= set(steps["completion-params"]["shown"])
    assert "repo_url" not in steps["completion-params"]["shown"]
    assert "devcontainer.json" in steps["hover"]["hover"]
    # The light bulb's quick fix changed the text.
    assert steps["quickfix"]["line"].strip() == "mode: auto"
    # The workspace lens over spec.coder and the quick pick of Coder: Show Workspaces.
    assert "workspace" in steps["lens"]["lens"]
    rows = "\n".join(steps["workspaces"]["rows"])
    assert "python-api" in rows and "python-api-eu" in rows, rows
    # A coderCatalog.rules change re-validated the open file: CC303 left, then came back as a warning.
    assert all(p["code"] != "CC303" for p in steps["setting-off"]["problems"])
    assert any(
        p["code"] == "CC303" and p["severity"] == "warning" for p in steps["setting-warning"]["problems"]
    )
    # F12 on `owner: team-a` opened the Group's file, which only the org Location names; from there,
    # Shift+F12 peeked its references, back in catalog-info.yaml.
    assert "team-a.yaml" in steps["definition"]["tab"], steps["definition"]
    assert "name: team-a" in steps["definition"]["line"]
    assert "team-a.yaml" in steps["references"]["from"], steps["references"]
    assert "catalog-info.yaml" in steps["references"]["peek"], steps["references"]
    assert "References (2)" in steps["references"]["title"], steps["references"]  # the owner and the name

    timings = extension_timings(code_server["user_data"], set())
    print(f"\nVS Code, pip-installed server (coderCatalog.server.path): {timings}")

    # The server really asked the simulator, with the linked token.
    assert any(r["path"] == "/api/v2/users/me" and r["status"] == 200 for r in simulator.requests())
    # No token in what the run left readable: the report, the driver's output, code-server's log.
    for text in (json.dumps(report), output, log.read_text(errors="replace")):
        assert simulator.token not in text


# -- the server the .vsix carries ---------------------------------------------------------------------

SERVER_READY = re.compile(r"Server ready (\d+) ms after activation")
FIRST_DIAGNOSTICS = re.compile(r"First diagnostics (\d+) ms after activation \(server: (\w+)\)")
BUNDLED_VENV = re.compile(r"Bundled server \([^)]*\) in (\S+): (made in (\d+) ms|reused), Python (\S+)")


def extension_timings(user_data: Path, seen: set[Path]) -> dict[str, Any]:
    """What the extension wrote in its output channel (VS Code keeps it under <user-data>/logs) in the
    session logs not in ``seen``: the time from activation to the first diagnostics, and how the
    bundled server's environment came to be."""
    found: dict[str, Any] = {}
    for log in sorted(user_data.glob("logs/**/*Coder Catalog*.log")):
        if log in seen:
            continue
        seen.add(log)
        text = log.read_text(errors="replace")
        if match := SERVER_READY.search(text):
            found["server_ready_ms"] = int(match.group(1))
        if match := FIRST_DIAGNOSTICS.search(text):
            found["first_diagnostics_ms"] = int(match.group(1))
            found["server"] = match.group(2)
        if match := BUNDLED_VENV.search(text):
            found["venv"] = match.group(1)
            found["venv_made_ms"] = int(match.group(3)) if match.group(3) else None
            found["python"] = match.group(4)
    return found


def plain_python() -> Path | None:
    """A Python 3.11+ that has no coder_catalog (the system's, else one of pyenv), or None."""
    candidates = [
        Path("/usr/bin/python3"),
        *sorted(Path.home().glob(".pyenv/versions/3.1[1-9]*/bin/python3")),
    ]
    for python in candidates:
        if not os.access(python, os.X_OK):
            continue
        probe = subprocess.run(
            [
                str(python),
                "-c",
                "import sys, importlib.util; "
                "print(sys.version_info >= (3, 11) and importlib.util.find_spec('coder_catalog') is None)",
            ],
            capture_output=True,
            text=True,
            env={"PATH": "/usr/bin:/bin"},
        )
        if probe.stdout.strip() == "True":
            return python
    return None


def bundled_in_vsix() -> dict[str, Any] | None:
    with zipfile.ZipFile(VSIX) as vsix:
        try:
            manifest: dict[str, Any] = json.loads(vsix.read("extension/bundled/manifest.json"))
        except KeyError:
            return None
    return manifest


@pytest.mark.timeout(600)  # two starts of code-server, each with the driver (at most 300 s)
def test_vscode_extension_runs_the_server_it_ships(
    simulator: SimulatorServer, tmp_path: Path, artifacts: Path
) -> None:
    """On a machine where coder-catalog is installed nowhere (no server.path, this virtual environment
    not on PATH, a plain python3 3.11+ on PATH), the extension installs the server its .vsix carries
    into a private environment on first activation, with no network, and the catalog file's findings
    show; a second start reuses the environment. The times from activation to the first diagnostics
    are printed (no timed assert)."""
    manifest = bundled_in_vsix()
    if manifest is None:
        pytest.fail("editors/vscode/coder-catalog.vsix carries no server (build it with make vscode-build)")
    python = plain_python()
    if python is None:
        pytest.skip("no Python 3.11+ without coder_catalog on this machine")
    env = environment(tmp_path)
    env["PATH"] = os.pathsep.join(dict.fromkeys([str(python.parent), "/usr/bin", "/bin"]))
    assert shutil.which("coder-catalog", path=env["PATH"]) is None
    # No network for pip: an index that is not there (the install must not need one).
    env.update({"PIP_INDEX_URL": "http://127.0.0.1:9/simple", "PIP_NO_INDEX": "1"})
    # The bundled server has no keyrings.alt (a test-only package): the credential comes from the
    # environment instead, so that the server checks the templates against the simulator.
    env.pop("PYTHON_KEYRING_BACKEND")
    env["CODER_SESSION_TOKEN"] = simulator.token
    setup = set_up(tmp_path, simulator, env, {})
    config = {
        "chromium": CHROMIUM,
        "artifacts": str(artifacts),
        "settingsFile": str(setup["settings_file"]),
        "token": simulator.token,
        "file": "catalog-info.yaml",
        "expectProblems": ["CC105", "CC303"],
        "scenario": "bundled",
        "timeoutMs": 120000,
    }
    seen: set[Path] = set()
    runs: list[dict[str, Any]] = []
    for run in ("first", "later"):
        log = tmp_path / f"code-server-{run}.log"
        with running_code_server(setup["base"], env, setup["folder"], log) as url:
            code, report, output = run_driver(
                tmp_path,
                {
                    **config,
                    "url": f"{url}/?folder={setup['folder']}",
                    "browserProfile": str(tmp_path / f"chromium-{run}"),
                },
                env,
            )
        assert code == 0 and report.get("ok"), explain(code, report, output, log)
        steps = {s["name"]: s["detail"] for s in report["steps"]}
        listed = {(p["code"], p["line"]) for p in steps["problems"]["problems"]}
        assert {("CC105", 14), ("CC303", 16)} <= listed, listed
        timings = extension_timings(setup["user_data"], seen)
        timings["notifications"] = steps["activated"]["notifications"]
        runs.append(timings)
        assert timings.get("server") == "bundled", timings

    first, later = runs
    assert first["venv_made_ms"] is not None, first  # made on the first activation...
    assert later["venv_made_ms"] is None and later["venv"] == first["venv"], later  # ...and reused
    venv = Path(first["venv"])
    assert venv.is_relative_to(setup["user_data"] / "User" / "globalStorage")
    assert venv.name.startswith(f"{manifest['server']}-py{first['python'].rsplit('.', 1)[0]}-")
    # The simulator is not part of what `serve` needs: not bundled.
    assert not list(venv.glob("lib/python*/site-packages/aiohttp"))
    summary = {
        "vsix_bytes": VSIX.stat().st_size,
        "python": str(python),
        "first_run": first,
        "later_run": later,
    }
    (artifacts / "bundled-timings.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    print(
        f"\nVS Code, bundled server ({python}, Python {first['python']}): activation to first diagnostics "
        f"{first['first_diagnostics_ms']} ms on the first run (environment made in {first['venv_made_ms']} ms), "
        f"{later['first_diagnostics_ms']} ms on a later run (reused); server ready (initialize answered) "
        f"{first['server_ready_ms']} ms / {later['server_ready_ms']} ms after activation"
    )
