"""Finding and reading .coder-catalog.yaml."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from coder_catalog.settings import (
    FrozenMap,
    SettingOrigin,
    Settings,
    WorkspaceDefaults,
    find_project_file,
    find_repository_root,
    resolve_settings,
)

FULL = """\
deployment:
  accessUrl: https://coder.example.com/
workspaces:
  defaultTemplateName: devcontainers
  defaultMode: manual        # manual | auto
  params: {region: eu, size: "4"}
  repoUrlParamKeys: [repo_url, custom_repo]
templates: ./coder-templates.json
catalogGlobs: ["services/*/catalog.yaml"]
rules: {CC101: warning, CC203: off}
tls: {caBundle: ./certs/ca.pem}
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    return root


def test_full_project_file(repo: Path) -> None:
    project = write(repo / ".coder-catalog.yaml", FULL)
    catalog = write(repo / "services" / "a" / "catalog-info.yaml", "")
    settings = resolve_settings(catalog, env={})
    assert settings == Settings(
        access_url="https://coder.example.com",
        workspaces=WorkspaceDefaults(
            default_template_name="devcontainers",
            default_mode="manual",
            params={"region": "eu", "size": "4"},
            repo_url_param_keys=("repo_url", "custom_repo"),
        ),
        ca_bundle=str(repo / "certs" / "ca.pem"),
        templates_snapshot=str(repo / "coder-templates.json"),
        catalog_globs=("services/*/catalog.yaml",),
        rules={"CC101": "warning", "CC203": "off"},
        origins=settings.origins,
        project_file=str(project),
        repository_root=str(repo),
        access_url_as_written="https://coder.example.com/",  # the plugin's links keep the slash
    )
    assert settings.plugin_access_url == "https://coder.example.com/"
    origins = settings.origins
    expected_lines = {
        "deployment.accessUrl": 2,
        "workspaces.defaultTemplateName": 4,
        "workspaces.defaultMode": 5,
        "workspaces.params": 6,
        "workspaces.params.region": 6,
        "workspaces.params.size": 6,
        "workspaces.repoUrlParamKeys": 7,
        "templates": 8,
        "catalogGlobs": 9,
        "rules.CC101": 10,
        "rules.CC203": 10,
        "tls.caBundle": 11,
    }
    assert set(origins) == set(expected_lines)
    for key, line in expected_lines.items():
        assert origins[key] == SettingOrigin("project-file", str(project), line), key
    assert origins["workspaces.defaultMode"].describe() == f"project-file ({project}:5)"


def test_settings_are_immutable_and_hashable(repo: Path) -> None:
    write(repo / ".coder-catalog.yaml", FULL)
    settings = resolve_settings(repo, env={})
    assert isinstance(settings.workspaces.params, FrozenMap)
    with pytest.raises(TypeError):
        settings.workspaces.params["x"] = "y"  # type: ignore[index]
    assert hash(settings) == hash(resolve_settings(repo, env={}))
    assert settings.to_dict()["workspaces"]["params"] == {"region": "eu", "size": "4"}
    assert settings.to_dict()["tls"] == {"caBundle": str(repo / "certs" / "ca.pem")}
    assert settings.access_origin == "https://coder.example.com"


def test_no_sources_gives_empty_settings(repo: Path) -> None:
    settings = resolve_settings(repo / "catalog-info.yaml", env={})
    assert settings == Settings(access_url=None, workspaces=WorkspaceDefaults(), repository_root=str(repo))
    assert settings.origins == {}
    assert settings.to_dict() == {}


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n", "---\n"])
def test_empty_project_file_sets_nothing(repo: Path, text: str) -> None:
    project = write(repo / ".coder-catalog.yaml", text)
    settings = resolve_settings(repo / "catalog-info.yaml", env={})
    assert settings.project_file == str(project)
    assert settings.to_dict() == {}


def test_yml_extension_and_yaml_preferred(repo: Path) -> None:
    write(repo / ".coder-catalog.yml", "workspaces: {defaultTemplateName: from-yml}\n")
    assert resolve_settings(repo, env={}).workspaces.default_template_name == "from-yml"
    write(repo / ".coder-catalog.yaml", "workspaces: {defaultTemplateName: from-yaml}\n")
    assert resolve_settings(repo, env={}).workspaces.default_template_name == "from-yaml"


def test_nearest_project_file_wins_without_merging(repo: Path) -> None:
    write(repo / ".coder-catalog.yaml", "workspaces: {defaultTemplateName: top, defaultMode: auto}\n")
    inner = write(repo / "team" / ".coder-catalog.yaml", "workspaces: {defaultTemplateName: team}\n")
    catalog = repo / "team" / "svc" / "catalog-info.yaml"
    settings = resolve_settings(catalog, env={})
    assert settings.project_file == str(inner)
    assert settings.workspaces.default_template_name == "team"
    assert settings.workspaces.default_mode is None  # not merged from the outer file
    assert resolve_settings(repo / "other" / "catalog-info.yaml", env={}).workspaces.default_mode == "auto"


def test_project_file_above_repository_root_is_not_used(tmp_path: Path) -> None:
    write(tmp_path / ".coder-catalog.yaml", "workspaces: {defaultTemplateName: outside}\n")
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    settings = resolve_settings(tmp_path / "repo" / "svc" / "catalog-info.yaml", env={})
    assert settings.project_file is None
    assert settings.workspaces.default_template_name is None
    assert settings.repository_root == str(tmp_path / "repo")


def test_git_file_marks_repository_root(tmp_path: Path) -> None:
    write(tmp_path / ".coder-catalog.yaml", "workspaces: {defaultTemplateName: outside}\n")
    write(tmp_path / "worktree" / ".git", "gitdir: /elsewhere/.git/worktrees/x\n")
    settings = resolve_settings(tmp_path / "worktree" / "catalog-info.yaml", env={})
    assert settings.repository_root == str(tmp_path / "worktree")
    assert settings.project_file is None


def test_without_repository_search_goes_up(tmp_path: Path) -> None:
    project = write(tmp_path / "a" / ".coder-catalog.yaml", "workspaces: {defaultTemplateName: up}\n")
    start = tmp_path / "a" / "b" / "c"
    assert find_repository_root(start) is None
    assert find_project_file(start, None) == project
    settings = resolve_settings(start / "catalog-info.yaml", env={})
    assert settings.workspaces.default_template_name == "up"
    assert settings.repository_root is None


def test_project_file_at_repository_root_is_used(repo: Path) -> None:
    project = write(repo / ".coder-catalog.yaml", "{}\n")
    assert find_project_file(repo / "x" / "y", repo) == project


def test_directory_named_like_project_file_is_ignored(repo: Path) -> None:
    (repo / "svc" / ".coder-catalog.yaml").mkdir(parents=True)
    write(repo / ".coder-catalog.yaml", "workspaces: {defaultTemplateName: root}\n")
    assert (
        resolve_settings(repo / "svc" / "catalog-info.yaml", env={}).workspaces.default_template_name
        == "root"
    )


def test_catalog_path_may_be_a_folder_relative_or_none(repo: Path) -> None:
    write(repo / "svc" / ".coder-catalog.yaml", "workspaces: {defaultTemplateName: svc}\n")
    assert resolve_settings(repo / "svc", env={}).workspaces.default_template_name == "svc"
    assert (
        resolve_settings("svc/catalog-info.yaml", env={}, cwd=repo).workspaces.default_template_name == "svc"
    )
    assert resolve_settings(None, env={}, cwd=repo / "svc").workspaces.default_template_name == "svc"
    assert resolve_settings(env={}, cwd=repo).workspaces.default_template_name is None


def test_relative_paths_resolve_against_project_file(repo: Path) -> None:
    write(
        repo / "team" / ".coder-catalog.yaml",
        "templates: ../snapshots/templates.json\ntls: {caBundle: ca.pem}\n",
    )
    settings = resolve_settings(repo / "team" / "svc" / "catalog-info.yaml", env={}, cwd=repo / "svc")
    assert settings.templates_snapshot == str(repo / "snapshots" / "templates.json")
    assert settings.ca_bundle == str(repo / "team" / "ca.pem")


def test_references_catalog_folders_resolve_and_make_the_catalog_complete(repo: Path, tmp_path: Path) -> None:
    write(repo / "team" / ".coder-catalog.yaml", "references:\n  catalog: [../../org-catalog, ~/more]\n")
    settings = resolve_settings(repo / "team" / "catalog-info.yaml", env={"HOME": str(tmp_path / "home")})
    assert settings.references_catalog == (str(tmp_path / "org-catalog"), str(tmp_path / "home" / "more"))
    assert settings.references_complete
    assert settings.to_dict()["references"] == {
        "complete": True,
        "catalog": [str(tmp_path / "org-catalog"), str(tmp_path / "home" / "more")],
    }
    write(repo / "team" / ".coder-catalog.yaml", "references:\n  catalog: []\n")
    assert not resolve_settings(repo / "team" / "catalog-info.yaml", env={}).references_complete


def test_absolute_and_home_paths(repo: Path, tmp_path: Path) -> None:
    write(repo / ".coder-catalog.yaml", f"templates: {tmp_path}/abs.json\ntls: {{caBundle: ~/ca.pem}}\n")
    settings = resolve_settings(repo, env={"HOME": str(tmp_path / "home")})
    assert settings.templates_snapshot == str(tmp_path / "abs.json")
    assert settings.ca_bundle == os.path.join(str(tmp_path / "home"), "ca.pem")


def test_yaml_12_scalars(repo: Path) -> None:
    # YAML 1.1 would read off/yes/no as booleans; Backstage (and we) read YAML 1.2
    write(
        repo / ".coder-catalog.yaml",
        "rules: {CC203: off, CC204: info}\nworkspaces:\n  params: {on: yes, ts: 2024-01-01, n: no}\n",
    )
    settings = resolve_settings(repo, env={})
    assert dict(settings.rules) == {"CC203": "off", "CC204": "info"}
    assert dict(settings.workspaces.params) == {"on": "yes", "ts": "2024-01-01", "n": "no"}


def test_anchors_and_aliases(repo: Path) -> None:
    write(
        repo / ".coder-catalog.yaml",
        "workspaces:\n  defaultTemplateName: &t devcontainers\n  params: {template: *t}\n",
    )
    assert dict(resolve_settings(repo, env={}).workspaces.params) == {"template": "devcontainers"}


def test_ca_bundle_from_env(repo: Path) -> None:
    settings = resolve_settings(repo, env={"CODER_CATALOG_CA_BUNDLE": "certs/ca.pem"}, cwd=repo)
    assert settings.ca_bundle == str(repo / "certs" / "ca.pem")
    assert settings.origins["tls.caBundle"] == SettingOrigin("env:CODER_CATALOG_CA_BUNDLE")
    write(repo / ".coder-catalog.yaml", "tls: {caBundle: project.pem}\n")
    settings = resolve_settings(repo, env={"CODER_CATALOG_CA_BUNDLE": "/env.pem"}, cwd=repo)
    assert settings.ca_bundle == str(repo / "project.pem")
    assert settings.origins["tls.caBundle"].source == "project-file"
