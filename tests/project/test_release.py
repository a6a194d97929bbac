"""The release: `python -m build` makes an sdist and a wheel that PyPI accepts (`twine check`), the sdist
builds the same wheel as the checkout, the wheel holds the JSON Schemas and works where users install
it (`pipx install`, `uvx --from`) from outside the repository, one version number covers the package,
the VS Code extension and the Neovim plugin, and the pre-commit hook names a real command.

The builds and the installs happen once per session, in temporary folders. `build`, `twine`, `pipx`
and `uv` come with the `dev` extra; without them the tests skip with a "missing tool: " reason (a
failure in CI, see tests/conftest.py). The installs fetch the package's dependencies from PyPI.
"""

from __future__ import annotations

import email.parser
import importlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest
import yaml
from tests.conftest import MISSING_TOOL

REPOSITORY = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
NAME = "coder-catalog"
DIST_NAME = "coder_catalog"
SCHEMAS = sorted((REPOSITORY / "schemas").glob("*.json"))


def source_version() -> str:
    """The one version number: ``__version__`` in server/coder_catalog/__init__.py ([tool.hatch.version])."""
    text = (REPOSITORY / PYPROJECT["tool"]["hatch"]["version"]["path"]).read_text(encoding="utf-8")
    found = re.search(r"""^__version__\s*=\s*["']([^"']+)["']""", text, re.MULTILINE)
    assert found, "no __version__ in server/coder_catalog/__init__.py"
    return found.group(1)


def run(
    command: list[str | Path],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 240,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def ran(done: subprocess.CompletedProcess[str]) -> str:
    return f"$ {' '.join(map(str, done.args))}\nexit {done.returncode}\n{done.stdout}\n{done.stderr}"


def require_module(module: str, why: str) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{MISSING_TOOL}{module} ({why}; it comes with the dev extra: make .venv/.installed)")


def outside_environment(tmp: Path) -> dict[str, str]:
    """The environment of a user's shell: no virtualenv, no PYTHONPATH, no repository on PATH, a home
    of its own (no keyring, Coder CLI or settings of this machine)."""
    venv_bin = str(Path(sys.executable).parent)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "CODER_URL")
    }
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p and p != venv_bin)
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    env.update(
        HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_DATA_HOME=str(home / ".local/share")
    )
    env.pop("CODER_SESSION_TOKEN", None)
    return env


# --- the build ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dists:
    sdist: Path
    wheel: Path  # built from the sdist, as `python -m build` does
    tree_wheel: Path  # built straight from the checkout, as `pip install .` does


@pytest.fixture(scope="session")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Dists:
    require_module("build", "python -m build makes the sdist and the wheel")
    out = tmp_path_factory.mktemp("dist")
    # No -n: the build backend comes from PyPI into an isolated environment, as on a release machine.
    done = run([sys.executable, "-m", "build", "--outdir", out / "release", REPOSITORY])
    assert done.returncode == 0, ran(done)
    done = run([sys.executable, "-m", "build", "--wheel", "--outdir", out / "tree", REPOSITORY])
    assert done.returncode == 0, ran(done)
    (sdist,) = (out / "release").glob("*.tar.gz")
    (wheel,) = (out / "release").glob("*.whl")
    (tree_wheel,) = (out / "tree").glob("*.whl")
    return Dists(sdist, wheel, tree_wheel)


def wheel_metadata(wheel: Path) -> Message:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return email.parser.Parser().parsestr(archive.read(name).decode("utf-8"))


def test_the_build_is_named_and_versioned_as_the_source(dists: Dists) -> None:
    version = source_version()
    assert dists.sdist.name == f"{DIST_NAME}-{version}.tar.gz"
    assert dists.wheel.name == f"{DIST_NAME}-{version}-py3-none-any.whl"


def test_twine_accepts_the_sdist_and_the_wheel(dists: Dists) -> None:
    require_module("twine", "twine check judges the distributions as PyPI will")
    done = run([sys.executable, "-m", "twine", "check", "--strict", dists.sdist, dists.wheel], timeout=120)
    assert done.returncode == 0, ran(done)
    assert done.stdout.count("PASSED") == 2, ran(done)


def test_the_metadata_describes_the_project(dists: Dists) -> None:
    meta = wheel_metadata(dists.wheel)
    assert meta["Name"] == NAME
    assert meta["Version"] == source_version()
    assert meta["License-Expression"] == "MIT"
    assert meta["Requires-Python"] == ">=3.11"
    assert meta["Summary"] and "Backstage" in meta["Summary"]
    keywords = meta["Keywords"].split(",")
    assert {"backstage", "coder", "language-server", "linter"} <= set(keywords), keywords
    classifiers = meta.get_all("Classifier") or []
    assert "Programming Language :: Python :: 3.11" in classifiers, classifiers
    assert not [c for c in classifiers if c.startswith("License ::")], "the license is an SPDX expression"
    urls = dict(url.split(", ", 1) for url in meta.get_all("Project-URL") or [])
    assert {"Homepage", "Repository", "Issues", "Changelog", "Documentation"} <= set(urls), urls
    assert all(url.startswith("https://github.com/coder-catalog/coder-catalog") for url in urls.values()), (
        urls
    )
    # The long description is the README, its links into the repository made absolute for PyPI.
    assert meta["Description-Content-Type"] == "text/markdown"
    description = meta.get_payload()
    assert isinstance(description, str)
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    assert description.splitlines()[0] == readme.splitlines()[0] == "# coder-catalog"
    headings = [line for line in readme.splitlines() if line.startswith("## ")]
    assert headings == [line for line in description.splitlines() if line.startswith("## ")]
    relative = re.findall(r"\]\((?!https?://|mailto:)[^)]*\)", description)
    assert not relative, f"links that lead nowhere on PyPI: {relative}"
    assert "](https://github.com/coder-catalog/coder-catalog/blob/main/docs/lint.md)" in description


def test_the_wheel_holds_the_json_schemas(dists: Dists) -> None:
    assert SCHEMAS, "no schemas/*.json in the repository"
    with zipfile.ZipFile(dists.wheel) as archive:
        for schema in SCHEMAS:
            packaged = archive.read(f"{DIST_NAME}/_schemas/{schema.name}")
            assert packaged == schema.read_bytes(), schema.name


def test_the_sdist_holds_what_builds_the_wheel_and_nothing_else(dists: Dists) -> None:
    with tarfile.open(dists.sdist) as archive:
        names = [member.name for member in archive.getmembers() if member.isfile()]
    root = f"{DIST_NAME}-{source_version()}/"
    assert all(name.startswith(root) for name in names), names
    top = {name.removeprefix(root).split("/")[0] for name in names}
    allowed = {"server", "schemas", "README.md", "CHANGELOG.md", "pyproject.toml", "PKG-INFO", ".gitignore"}
    assert top - allowed <= {name for name in top if name.startswith(("LICENSE", "LICENCE"))}, sorted(top)
    assert {"server", "schemas", "README.md", "CHANGELOG.md", "pyproject.toml", "PKG-INFO"} <= top
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]


def test_the_sdist_builds_the_same_wheel_as_the_checkout(dists: Dists) -> None:
    with zipfile.ZipFile(dists.wheel) as from_sdist, zipfile.ZipFile(dists.tree_wheel) as from_tree:
        assert from_sdist.namelist() == from_tree.namelist()
        differing = [n for n in from_sdist.namelist() if from_sdist.read(n) != from_tree.read(n)]
        assert not differing, f"the wheel built from the sdist differs from the checkout's in {differing}"


# --- one version number -------------------------------------------------------------------------


def test_one_version_number(dists: Dists) -> None:
    """The wheel, the VS Code extension (package.json, and the .vsix when `make test` built it), the
    Neovim plugin (a version constant, if it has one; its :checkhealth reports the server's
    `--version`: test_the_installed_cli_reports_the_version) and the changelog agree."""
    version = wheel_metadata(dists.wheel)["Version"]
    versions = {"wheel": version}
    package_json = REPOSITORY / "editors/vscode/package.json"
    versions["editors/vscode/package.json"] = json.loads(package_json.read_text(encoding="utf-8"))["version"]
    vsix = REPOSITORY / "editors/vscode/coder-catalog.vsix"
    if vsix.is_file():
        with zipfile.ZipFile(vsix) as archive:
            packaged = json.loads(archive.read("extension/package.json"))
            # The server wheel the extension ships (editors/vscode/scripts/fetch-wheels.py), if any.
            bundled = [
                n for n in archive.namelist() if re.fullmatch(rf"extension/.*/{DIST_NAME}-[^-/]+-.*\.whl", n)
            ]
        stale = f"{vsix.relative_to(REPOSITORY)} (rebuild it: make vscode-test)"
        versions[stale] = packaged["version"]
        for name in bundled:
            versions[f"{stale}: {name}"] = name.rsplit("/", 1)[1].split("-")[1]
    for lua in sorted((REPOSITORY / "editors/nvim").rglob("*.lua")):
        for found in re.finditer(
            r"""^\s*M\.VERSION\s*=\s*["']([^"']+)["']""", lua.read_text(encoding="utf-8"), re.M
        ):
            versions[f"{lua.relative_to(REPOSITORY)}: M.VERSION"] = found.group(1)
    changelog = (REPOSITORY / "CHANGELOG.md").read_text(encoding="utf-8")
    latest = re.search(r"^## \[(\d[^\]]*)\]", changelog, re.MULTILINE)
    assert latest, "CHANGELOG.md has no version heading (## [x.y.z] - date)"
    versions["CHANGELOG.md (latest release)"] = latest.group(1)
    assert set(versions.values()) == {version}, versions


# --- installed as users install it --------------------------------------------------------------


@dataclass(frozen=True)
class Installed:
    cli: Path
    python: Path
    home: Path  # PIPX_HOME


@pytest.fixture(scope="session")
def pipx_installed(dists: Dists, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """`pipx install <wheel>` into a pipx home of its own, with pip (pipx's backend where uv is not
    installed; test_uvx_runs_the_wheel covers uv)."""
    require_module("pipx", "pipx install is how the README installs the terminal command")
    tmp = tmp_path_factory.mktemp("pipx")
    env = outside_environment(tmp)
    env.update(PIPX_HOME=str(tmp / "pipx"), PIPX_BIN_DIR=str(tmp / "bin"), PIPX_MAN_DIR=str(tmp / "man"))
    env["PIPX_DEFAULT_BACKEND"] = "pip"
    done = run([sys.executable, "-m", "pipx", "install", dists.wheel], cwd=tmp, env=env, timeout=420)
    assert done.returncode == 0, ran(done)
    installed = Installed(tmp / "bin" / NAME, tmp / "pipx" / "venvs" / NAME / "bin" / "python", tmp / "pipx")
    assert installed.cli.exists() and installed.python.exists(), ran(done)
    return installed


@pytest.fixture
def outside(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """A project folder outside the repository, and a user's environment."""
    project = tmp_path / "project"
    project.mkdir()
    yield project, outside_environment(tmp_path)


BAD_SETTINGS = "deploymnet:\n  accessUrl: https://coder.example.com\n"
ENTITY = (
    "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: payments\n"
    "spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
)


def check_lint_reads_the_settings_schema(cli: list[str | Path], project: Path, env: dict[str, str]) -> None:
    """An invalid .coder-catalog.yaml: the unknown key and its suggestion come from the schema."""
    (project / ".coder-catalog.yaml").write_text(BAD_SETTINGS, encoding="utf-8")
    (project / "catalog-info.yaml").write_text(ENTITY, encoding="utf-8")
    done = run([*cli, "lint", "--offline"], cwd=project, env=env, timeout=120)
    assert done.returncode == 2, ran(done)
    output = done.stdout + done.stderr
    assert 'unknown key "deploymnet" at the top level (did you mean "deployment"?)' in output, ran(done)


def test_the_pipx_install_runs_from_outside_the_repository(
    pipx_installed: Installed, outside: tuple[Path, dict[str, str]]
) -> None:
    project, env = outside
    check_lint_reads_the_settings_schema([pipx_installed.cli], project, env)
    # The template snapshot schema: a JSON file that is not a snapshot.
    (project / ".coder-catalog.yaml").unlink()
    (project / "snapshot.json").write_text('{"templates": []}', encoding="utf-8")
    done = run(
        [pipx_installed.cli, "templates", "list", "--templates", "snapshot.json"], cwd=project, env=env
    )
    assert done.returncode != 0 and "'format' is a required property" in done.stderr, ran(done)
    # A clean lint of the same entity passes.
    done = run([pipx_installed.cli, "lint", "--offline"], cwd=project, env=env)
    assert done.returncode == 0, ran(done)


def test_the_installed_wheel_reads_its_own_schemas(
    pipx_installed: Installed, outside: tuple[Path, dict[str, str]]
) -> None:
    """Package data inside the pipx environment, not the repository's schemas/ folder."""
    project, env = outside
    code = (
        "import json, sys, coder_catalog.schemas as s\n"
        "json.dump({'module': s.__file__, 'paths': [s.schema_path(n) for n in sys.argv[1:]]}, sys.stdout)"
    )
    done = run([pipx_installed.python, "-c", code, *(p.name for p in SCHEMAS)], cwd=project, env=env)
    assert done.returncode == 0, ran(done)
    found = json.loads(done.stdout)
    assert Path(found["module"]).is_relative_to(pipx_installed.home), found
    for schema, path in zip(SCHEMAS, found["paths"], strict=True):
        assert Path(path).is_relative_to(pipx_installed.home) and Path(path).name == schema.name, found
        assert Path(path).read_bytes() == schema.read_bytes()


def test_the_installed_cli_reports_the_version(
    pipx_installed: Installed, outside: tuple[Path, dict[str, str]]
) -> None:
    """What the Neovim plugin's :checkhealth reports as "version: ..." (`<cli> --version`)."""
    project, env = outside
    done = run([pipx_installed.cli, "--version"], cwd=project, env=env)
    assert done.returncode == 0, ran(done)
    assert done.stdout.strip() == f"{NAME} {source_version()}", ran(done)


def uvx_binary() -> Path:
    found: str | None = None
    if importlib.util.find_spec("uv") is not None:
        uv = importlib.import_module("uv")
        candidate = Path(uv.find_uv_bin()).with_name("uvx")
        found = str(candidate) if candidate.exists() else None
    found = found or shutil.which("uvx")
    if not found:
        pytest.skip(f"{MISSING_TOOL}uvx (uv runs the wheel as `uvx --from`; it comes with the dev extra)")
    return Path(found)


def test_uvx_runs_the_wheel(dists: Dists, outside: tuple[Path, dict[str, str]]) -> None:
    uvx = uvx_binary()
    project, env = outside
    # The interpreter of this test run (3.11+), not one uv would download.
    cli: list[str | Path] = [uvx, "--python", sys.executable, "--from", dists.wheel, NAME]
    done = run([*cli, "--version"], cwd=project, env=env, timeout=420)
    assert done.returncode == 0, ran(done)
    assert done.stdout.strip() == f"{NAME} {source_version()}", ran(done)
    check_lint_reads_the_settings_schema(cli, project, env)


# --- pre-commit -----------------------------------------------------------------------------------


def test_the_pre_commit_hook_names_a_real_command() -> None:
    hooks = yaml.safe_load((REPOSITORY / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(hooks, list) and hooks, hooks
    scripts = PYPROJECT["project"]["scripts"]
    for hook in hooks:
        assert {"id", "name", "entry", "language"} <= set(hook), hook
        # language: python installs this repository (pip install .) and runs the entry from it.
        assert hook["language"] == "python", hook
        command, *arguments = hook["entry"].split()
        assert command in scripts, f"{hook['id']}: {command} is not in [project.scripts] ({scripts})"
        module, _, function = scripts[command].partition(":")
        assert callable(getattr(importlib.import_module(module), function))
        done = run([sys.executable, "-m", DIST_NAME, *arguments, "--help"], cwd=REPOSITORY, timeout=60)
        assert done.returncode == 0, ran(done)
        files = re.compile(hook.get("files", ""))
        assert all(files.search(p) for p in ("catalog-info.yaml", "services/api/catalog-info.yml")), hook
        assert not any(files.search(p) for p in ("app-config.yaml", "my-catalog-info.yaml.bak")), hook
    ids = [hook["id"] for hook in hooks]
    assert "coder-catalog-lint" in ids
    assert "id: coder-catalog-lint" in (REPOSITORY / "docs/lint.md").read_text(encoding="utf-8")


# --- the README -----------------------------------------------------------------------------------


def test_the_readme_says_how_each_user_installs_it() -> None:
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = quick_start.split("```sh\n", 1)[1].split("```", 1)[0]
    assert [line.split("#")[0].strip() for line in block.splitlines()] == ["make demo", "make test"]
    install = readme.split("\n## Install\n", 1)[1].split("\n## ", 1)[0]
    for needle in (
        "pipx install coder-catalog",
        "coder-catalog.vsix",
        ":CoderCatalogInstall",
        "action.yml",
        "--format gitlab",
        "--format junit",
        "coder-catalog-lint",
    ):
        assert needle in install, f"the Install section does not mention {needle}"
