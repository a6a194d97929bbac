"""Which files are catalog files in named files and folders (what ``lint``, ``templates usage`` and the
language server's workspace index read): catalog names, project-file globs, skipped and git-ignored
folders, named files, and the settings of each folder. Through the ``lint`` command:
tests/cli/test_lint_discovery.py."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from tests.cli.lint_helpers import component, isolate, write
from tests.conftest import MISSING_TOOL

from coder_catalog.catalog_files import (
    CATALOG_NAMES,
    SettingsResolver,
    discover,
    glob_regex,
    settings_resolver,
)
from coder_catalog.settings import Settings

BROKEN = "metadata: [unclosed\n"


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    return isolate(monkeypatch, tmp_path)


def linted(work: Path, *paths: str) -> list[str]:
    resolver = SettingsResolver({}, env={}, cwd=work)
    return [p.relative_to(work).as_posix() for p in discover(paths or (".",), resolver).files]


def test_finds_catalog_files_in_nested_folders(work: Path) -> None:
    write(work / "catalog-info.yaml", component("root"))
    write(work / "a" / "b" / "c" / "catalog-info.yml", component("deep"))
    write(work / "a" / "catalog.yaml", component("not-a-catalog-name"))
    write(work / "a" / "b" / "README.md", "# not YAML\n")
    assert linted(work) == ["catalog-info.yaml", "a/b/c/catalog-info.yml"]


def test_skips_git_and_node_modules_folders(work: Path) -> None:
    write(work / ".git" / "catalog-info.yaml", BROKEN)
    write(work / "web" / "node_modules" / "pkg" / "catalog-info.yaml", BROKEN)
    write(work / "web" / "catalog-info.yaml", component("web"))
    assert linted(work) == ["web/catalog-info.yaml"]


def test_globs_from_the_project_file_are_relative_to_its_folder(work: Path) -> None:
    write(
        work / ".coder-catalog.yaml", 'catalogGlobs: ["services/*/service.yaml", "teams/**/*.catalog.yaml"]\n'
    )
    write(work / "services" / "api" / "service.yaml", component("api"))
    write(
        work / "services" / "api" / "deep" / "service.yaml", component("not-matched")
    )  # * stays in a segment
    write(work / "teams" / "x.catalog.yaml", component("x"))
    write(work / "teams" / "a" / "b" / "y.catalog.yaml", component("y"))
    write(work / "other" / "service.yaml", component("other"))
    assert linted(work) == [
        "services/api/service.yaml",
        "teams/x.catalog.yaml",
        "teams/a/b/y.catalog.yaml",
    ]


def test_a_nearer_project_file_replaces_the_globs(work: Path) -> None:
    write(work / ".coder-catalog.yaml", 'catalogGlobs: ["**/*.catalog.yaml"]\n')
    write(work / "a.catalog.yaml", component("a"))
    write(work / "sub" / ".coder-catalog.yaml", "workspaces: {defaultMode: auto}\n")
    write(work / "sub" / "b.catalog.yaml", component("b"))
    assert linted(work) == ["a.catalog.yaml"]


@pytest.mark.parametrize(
    ("glob", "path", "matches"),
    [
        ("*.yaml", "a.yaml", True),
        ("*.yaml", "x/a.yaml", False),
        ("**/*.yaml", "a.yaml", True),
        ("**/*.yaml", "x/y/a.yaml", True),
        ("x/**", "x/y/a.yaml", True),
        ("./x/?.yaml", "x/a.yaml", True),
        ("x/[ab].yaml", "x/b.yaml", True),
        ("x/[!ab].yaml", "x/b.yaml", False),
        ("x.yaml", "xxyaml", False),
    ],
)
def test_glob_patterns(glob: str, path: str, matches: bool) -> None:
    import re

    assert (re.fullmatch(glob_regex(glob), path) is not None) is matches


def test_named_files_are_always_linted(work: Path) -> None:
    write(work / "node_modules" / "pkg" / "catalog-info.yaml", component("vendored"))
    write(work / "docs" / "example.yaml", component("example"))
    assert linted(work, "node_modules/pkg/catalog-info.yaml", "docs/example.yaml") == [
        "node_modules/pkg/catalog-info.yaml",
        "docs/example.yaml",
    ]


def test_a_file_named_twice_is_linted_once(work: Path) -> None:
    write(work / "catalog-info.yaml", component("root"))
    assert linted(work, "catalog-info.yaml", ".", "./catalog-info.yaml") == ["catalog-info.yaml"]


def test_a_missing_path_is_reported_and_the_others_are_found(work: Path) -> None:
    write(work / "catalog-info.yaml", component("root"))
    found = discover(["missing.yaml", "."], SettingsResolver({}, env={}, cwd=work))
    assert found.errors == [(work / "missing.yaml", "no such file or folder")]
    assert found.files == [work / "catalog-info.yaml"]


@pytest.mark.skipif(shutil.which("git") is None, reason=f"{MISSING_TOOL}git is not installed")
def test_git_ignored_files_and_folders_are_skipped(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    work = isolate(monkeypatch, tmp_path, repository=False)
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    write(work / ".gitignore", "build/\ngenerated-catalog-info.yaml\nout/catalog-info.yaml\n")
    write(work / "catalog-info.yaml", component("root"))
    write(work / "build" / "x" / "catalog-info.yaml", BROKEN)
    write(work / "out" / "catalog-info.yaml", BROKEN)
    write(work / "out" / "keep" / "catalog-info.yaml", component("kept"))
    write(work / "sub" / "catalog-info.yaml", component("sub"))
    (work / "sub" / "generated-catalog-info.yaml").write_text(BROKEN)
    assert linted(work) == ["catalog-info.yaml", "out/keep/catalog-info.yaml", "sub/catalog-info.yaml"]
    assert linted(work, "build") == []  # a named folder that git ignores holds nothing to lint
    assert linted(work, "build/x/catalog-info.yaml") == ["build/x/catalog-info.yaml"]  # a named file: always


@pytest.mark.skipif(shutil.which("git") is None, reason=f"{MISSING_TOOL}git is not installed")
def test_git_is_asked_once_per_repository(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    work = isolate(monkeypatch, tmp_path, repository=False)
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    for number in range(30):
        write(work / f"s{number}" / "catalog-info.yaml", component(f"s{number}"))
    calls: list[list[str]] = []
    real_run = subprocess.run

    def counting_run(command: list[str], *args: object, **kwargs: object) -> object:
        calls.append(command)
        return real_run(command, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(subprocess, "run", counting_run)
    assert len(linted(work)) == 30
    assert len(calls) == 1


def test_settings_are_resolved_once_per_project_file(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(work / ".coder-catalog.yaml", "workspaces: {defaultMode: manual}\n")
    write(work / "team" / ".coder-catalog.yaml", "workspaces: {defaultMode: auto}\n")
    for number in range(10):
        write(work / f"s{number}" / "catalog-info.yaml", component(f"s{number}"))
        write(work / "team" / f"t{number}" / "catalog-info.yaml", component(f"t{number}"))
    calls: list[str] = []
    real = settings_resolver.resolve_settings

    def counting(path: str, **kwargs: Any) -> Settings:
        calls.append(path)
        return real(path, **kwargs)

    monkeypatch.setattr(settings_resolver, "resolve_settings", counting)
    resolver = SettingsResolver({}, env={}, cwd=work)
    modes = {
        path.parent.name: resolver.settings_for(path.parent).workspaces.default_mode
        for path in discover(["."], resolver).files
    }
    assert modes["s3"] == "manual" and modes["t3"] == "auto"
    assert len(calls) == 2


def test_settings_stop_at_the_repository_root(work: Path, tmp_path: Path) -> None:
    write(tmp_path / ".coder-catalog.yaml", "workspaces: {defaultMode: auto}\n")  # above the repository
    write(work / "a" / "catalog-info.yaml", component("a"))
    resolver = SettingsResolver({}, env={}, cwd=work)
    settings = resolver.settings_for(work / "a")
    assert settings.project_file is None and settings.repository_root == str(work)


def test_pre_commit_hook_matches_the_catalog_file_names() -> None:
    import re

    import yaml

    hooks = yaml.safe_load((Path(__file__).parents[2] / ".pre-commit-hooks.yaml").read_text())
    (hook,) = hooks
    assert hook["id"] == "coder-catalog-lint" and hook["entry"] == "coder-catalog lint"
    assert hook["language"] == "python" and hook["pass_filenames"] is True
    pattern = re.compile(hook["files"])
    assert all(pattern.search(p) for p in ("catalog-info.yaml", "a/b/catalog-info.yml"))
    assert all(pattern.search(f"a/{name}") for name in CATALOG_NAMES)
    assert not any(
        pattern.search(p) for p in ("my-catalog-info.yaml", "catalog-info.yaml.orig", "catalog.yaml")
    )
