"""The documented Emacs (eglot) configuration end to end, in a real batch-mode Emacs.

The configuration tested is the one in docs/editors.md: the ``elisp`` blocks of its "Emacs (eglot)"
section are extracted at test time and loaded as a user's init file would load them, so the doc is
what runs. Only the documented ``accessUrl`` is pointed at the Coder simulator (emacs/e2e.el edits that
one value of ``eglot-workspace-configuration`` after loading). Emacs starts the real language server
(``coder-catalog`` from this venv's bin on PATH), which talks HTTP to the simulator; emacs/e2e.el
stands in for the user only (it runs the next command's hooks, picks the code action, types the token).

Debian's Emacs 28 needs the ``elpa-eglot`` and ``elpa-yaml-mode`` packages (eglot is built in from
Emacs 29; yaml-mode is not).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import MISSING_TOOL

from coder_catalog.simulator.server import SimulatorServer

# CODER_CATALOG_TEST_EMACS runs the same tests with another Emacs (e.g. 29 with built-in eglot).
EMACS = os.environ.get("CODER_CATALOG_TEST_EMACS") or shutil.which("emacs")
HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parents[1]
DOC = REPOSITORY / "docs" / "editors.md"
DRIVER = HERE / "emacs" / "e2e.el"
SERVER_BIN = Path(sys.executable).parent
TIMEOUT = 60  # seconds for one Emacs run; the driver gives up after 50

pytestmark = pytest.mark.skipif(
    EMACS is None,
    reason=f"{MISSING_TOOL}emacs is not installed (.ci/run installs Debian's emacs-nox, elpa-eglot, elpa-yaml-mode)",
)

FIRST = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: python-project
  annotations:
    backstage.io/source-location: url:https://github.com/acme/python-project/tree/main/
spec:
  type: service
  lifecycle: production
  owner: team-a
  coder:
    templateName: dokker
"""
SECOND = """---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: api
spec:
  type: service
  lifecycle: production
  owner: team-a
  coder:
    templateName: docker
    params:
      cpu: "3"
"""
CATALOG = FIRST + SECOND


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def documented_configuration() -> str:
    """The elisp blocks of the "Emacs (eglot)" section of docs/editors.md, in order."""
    doc = DOC.read_text(encoding="utf-8")
    section = re.search(r"^## Emacs \(eglot\)\n(.*?)(?=^## |\Z)", doc, re.M | re.S)
    assert section, f"{DOC} has no '## Emacs (eglot)' section"
    blocks = re.findall(r"^```elisp\n(.*?)^```", section.group(1), re.M | re.S)
    assert blocks, f"the Emacs section of {DOC} has no ```elisp block"
    return "\n".join(blocks)


@functools.lru_cache(maxsize=1)
def emacs_setup() -> dict[str, str]:
    """Emacs's version and where it finds eglot and yaml-mode once packages are activated."""
    assert EMACS is not None
    probe = (
        "(progn (package-initialize)"
        ' (princ (json-encode (list :version emacs-version :eglot (or (locate-library "eglot") "")'
        ' :yamlMode (or (locate-library "yaml-mode") "")))))'
    )
    with tempfile.TemporaryDirectory() as home:
        done = subprocess.run(
            [EMACS, "--batch", "--eval", "(require 'json)", "--eval", probe],
            cwd=home,
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
            env=isolated_env(Path(home)),
        )
    found: dict[str, str] = json.loads(done.stdout)
    return found


def require_packages() -> dict[str, str]:
    setup = emacs_setup()
    for key, name, package in (("eglot", "eglot", "elpa-eglot"), ("yamlMode", "yaml-mode", "elpa-yaml-mode")):
        if not setup[key]:
            pytest.skip(
                f"{MISSING_TOOL}Emacs {setup['version']} has no {name} (Debian: apt-get install {package})"
            )
    return setup


def isolated_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """No Coder variables, a private home and XDG dirs, and a keyring that is a file in that home."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CODER_", "XDG_", "VIRTUAL_ENV", "PYTHON_KEYRING", "EMACS", "DBUS_SESSION"))
    }
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env.update(
        {
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_STATE_HOME": str(home / ".local" / "state"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "CODER_CONFIG_DIR": str(tmp_path / "no-coder-cli"),
            "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
        }
    )
    # Eglot finds `coder-catalog` on PATH, as it would for a user who pip-installed it.
    env["PATH"] = f"{SERVER_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def run_emacs(tmp_path: Path, scenario: str, env: dict[str, str], **config: Any) -> dict[str, Any]:
    """Run one scenario of e2e.el with the documented configuration; its report (asserted ok)."""
    assert EMACS is not None
    documented = tmp_path / "coder-catalog-doc.el"
    documented.write_text(documented_configuration(), encoding="utf-8")
    results = tmp_path / f"{scenario}-results.json"
    config_file = tmp_path / f"{scenario}-config.json"
    config_file.write_text(
        json.dumps({"scenario": scenario, "config": str(documented), "results": str(results), **config}),
        encoding="utf-8",
    )
    env["CODER_CATALOG_E2E"] = str(config_file)
    # Its own session, so that the language server it starts is killed with it.
    process = subprocess.Popen(
        [EMACS, "--batch", "-l", str(DRIVER)],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        output += f"\n(killed after {TIMEOUT} seconds)"
    finally:
        with contextlib.suppress(ProcessLookupError):  # whatever of its session is left
            os.killpg(process.pid, signal.SIGKILL)
    report: dict[str, Any] = json.loads(results.read_text(encoding="utf-8")) if results.exists() else {}
    assert process.returncode == 0 and report.get("ok"), explain(process.returncode, report, output)
    return report


def explain(code: int | None, report: dict[str, Any], output: str) -> str:
    steps = "\n".join(f"  {s.get('name')}: {s.get('detail')}" for s in report.get("steps") or [])
    messages = "\n".join(f"  {m[:300]}" for m in (report.get("messages") or [])[-15:])
    return (
        f"emacs exited {code}\nerror: {report.get('error')}\nsteps done:\n{steps}\n"
        f"prompts: {report.get('prompts')}\nFlymake's diagnostics at the end: {report.get('diagnostics')}\n"
        f"last messages:\n{messages}\n"
        f"eglot events (tail):\n{str(report.get('events'))[-4000:]}\n"
        f"emacs output (last 4,000 characters):\n{output[-4000:]}"
    )


def project(root: Path, text: str) -> Path:
    """A project folder (a .git marks its root for project.el) with a catalog-info.yaml."""
    (root / ".git").mkdir(parents=True)
    path = root / "catalog-info.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_documented_configuration_is_elisp_for_both_yaml_modes() -> None:
    config = documented_configuration()
    assert "(yaml-mode yaml-ts-mode)" in config
    assert ':accessUrl "https://coder.example.com"' in config
    assert "(defun coder-catalog-link-account" in config


def test_emacs_diagnostics_and_quick_fix(simulator: SimulatorServer, tmp_path: Path) -> None:
    setup = require_packages()
    file = project(tmp_path / "repo", CATALOG)
    report = run_emacs(
        tmp_path,
        "edit",
        isolated_env(tmp_path, CODER_SESSION_TOKEN=simulator.token),
        file=str(file),
        url=simulator.url,
        expectCodes=["CC201", "CC303"],
        fixAt="dokker",
        fixTitle='Change to "docker"',
        fixedLine="    templateName: docker",
        fixedCode="CC201",
        otherAt='"3"',
    )
    steps = {s["name"]: s["detail"] for s in report["steps"]}
    assert steps["loaded"]["emacs"] == setup["version"]
    assert steps["opened"]["mode"] == "yaml-mode"
    assert steps["connected"]["command"][-2:] == ["coder-catalog", "serve"]
    assert steps["connected"]["server"] and steps["connected"]["flymake"] is True
    # The documented settings reached the server: the template findings need the deployment.
    found = {(d["code"], d["line"]) for d in steps["diagnostics"]["diagnostics"]}
    assert ("CC201", line_of(CATALOG, "dokker")) in found, found
    assert ("CC303", line_of(CATALOG, 'cpu: "3"')) in found, found
    assert any("dokker" in d["text"] and "docker" in d["text"] for d in steps["diagnostics"]["diagnostics"])
    assert 'Change to "docker"' in steps["code actions"]["titles"]
    assert steps["code actions"]["line"] == line_of(CATALOG, "dokker")
    assert steps["fixed"]["line"] == "    templateName: docker"
    assert steps["shutdown"]["live"] is False
    # The server really asked the simulator, with the session token.
    assert any(r["path"].startswith("/api/v2/templates") and r["status"] == 200 for r in simulator.requests())


@pytest.mark.parametrize(
    ("backend", "asks"),
    [("keyrings.alt.file.PlaintextKeyring", False), ("keyring.backends.fail.Keyring", True)],
    ids=["keyring", "no-keyring"],
)
def test_emacs_links_an_account(simulator: SimulatorServer, tmp_path: Path, backend: str, asks: bool) -> None:
    """No CODER_SESSION_TOKEN: the documented `coder-catalog-link-account' sends the token typed at its
    password prompt; the server checks and keeps it, and the template checks start. Without a keyring
    (keyring's fail backend) the function asks before the server keeps it in a 0600 file."""
    require_packages()
    file = project(tmp_path / "repo", FIRST)
    env = isolated_env(tmp_path, PYTHON_KEYRING_BACKEND=backend)
    report = run_emacs(tmp_path, "accounts", env, file=str(file), url=simulator.url, token=simulator.token)
    steps = {s["name"]: s["detail"] for s in report["steps"]}
    assert "CC201" not in steps["before"]["codes"]
    assert "CC201" in steps["after"]["codes"]
    assert "alice" in str(steps["linked"]["message"])
    prompts = [p["prompt"] for p in report["prompts"]]
    assert prompts[0] == "Coder session token: "
    assert any("keep the token in a file" in p for p in prompts[1:]) is asks, prompts
    credentials = tmp_path / "home" / ".config" / "coder-catalog" / "credentials.json"
    assert credentials.exists() is asks
    if asks:
        assert credentials.stat().st_mode & 0o077 == 0
    assert simulator.token not in json.dumps(report)


GROUP = """apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
spec:
  type: team
  children: []
"""
LOCATION = """apiVersion: backstage.io/v1alpha1
kind: Location
metadata:
  name: org
spec:
  targets: [./team-a.yaml]
"""


def test_emacs_goes_to_the_definition_of_an_owner(simulator: SimulatorServer, tmp_path: Path) -> None:
    """The catalog as a graph (docs/catalog-graph.md): `xref-find-definitions' (M-.) on the value of
    ``owner: team-a`` opens org/team-a.yaml, a file found only through the Location of
    org/catalog-info.yaml, on the Group's name."""
    require_packages()
    file = project(tmp_path / "repo", FIRST)
    org = file.parent / "org"
    org.mkdir()
    (org / "catalog-info.yaml").write_text(LOCATION, encoding="utf-8")
    (org / "team-a.yaml").write_text(GROUP, encoding="utf-8")
    report = run_emacs(
        tmp_path,
        "definition",
        isolated_env(tmp_path, CODER_SESSION_TOKEN=simulator.token),
        file=str(file),
        url=simulator.url,
        files=3,
        definitionAt="  owner: team-a",
    )
    steps = {s["name"]: s["detail"] for s in report["steps"]}
    assert steps["indexed"]["stats"]["files"] == 3
    assert steps["definition"] == {
        "file": str((org / "team-a.yaml").resolve()),
        "line": line_of(GROUP, "name: team-a"),
        "column": len("  name: "),
        "text": "  name: team-a",
    }
