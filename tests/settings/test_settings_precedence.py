"""Each source shadows the lower ones, setting by setting."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from coder_catalog.settings import Settings, resolve_settings

SOURCES = ("override", "project-file", "app-config", "env:CODER_URL", "coder-cli")


@dataclass
class World:
    """Writes each source into a temporary repository and resolves settings from it."""

    root: Path
    overrides: dict[str, Any] = field(default_factory=dict)
    project: dict[str, Any] = field(default_factory=dict)
    app_config: dict[str, Any] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    cli_url: str | None = None

    def resolve(self) -> Settings:
        repo = self.root / "repo"
        (repo / ".git").mkdir(parents=True, exist_ok=True)
        if self.project:
            (repo / ".coder-catalog.yaml").write_text(json.dumps(self.project))  # JSON is YAML
        if self.app_config:
            (repo / "app-config.yaml").write_text(json.dumps(self.app_config))
        env = dict(self.env)
        env["CODER_CONFIG_DIR"] = str(self.root / "cli")
        if self.cli_url is not None:
            (self.root / "cli").mkdir(exist_ok=True)
            (self.root / "cli" / "url").write_text(self.cli_url + "\n")
        return resolve_settings(
            repo / "svc" / "catalog-info.yaml",
            overrides=self.overrides or None,
            env=env,
            cwd=self.root,
        )


def nested(dotted: str, value: Any) -> dict[str, Any]:
    result: Any = value
    for part in reversed(dotted.split(".")):
        result = {part: result}
    return result


def set_access_url(world: World, source: str, url: str) -> None:
    if source == "override":
        world.overrides.update(nested("deployment.accessUrl", url))
    elif source == "project-file":
        world.project.update(nested("deployment.accessUrl", url))
    elif source == "app-config":
        world.app_config.update({"proxy": {"endpoints": {"/coder": {"target": url + "/api/v2/"}}}})
    elif source == "env:CODER_URL":
        world.env["CODER_URL"] = url
    elif source == "coder-cli":
        world.cli_url = url


def merge_into(target: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            merge_into(target[key], value)
        else:
            target[key] = value


@pytest.mark.parametrize(
    "present",
    [combo for size in range(1, 6) for combo in itertools.combinations(SOURCES, size)],
    ids=lambda combo: "+".join(combo),
)
def test_access_url_precedence(tmp_path: Path, present: tuple[str, ...]) -> None:
    world = World(tmp_path)
    for source in present:
        set_access_url(world, source, f"https://{source.replace(':', '-').lower()}.example.com")
    settings = world.resolve()
    winner = next(source for source in SOURCES if source in present)
    assert settings.access_url == f"https://{winner.replace(':', '-').lower()}.example.com"
    assert settings.origins["deployment.accessUrl"].source == winner


# setting (dotted), values for the override and the project file, and how to read it back
PROJECT_SETTINGS: list[tuple[str, Any, Any, Callable[[Settings], Any]]] = [
    (
        "workspaces.defaultTemplateName",
        "from-override",
        "from-project",
        lambda s: s.workspaces.default_template_name,
    ),
    ("workspaces.defaultMode", "auto", "manual", lambda s: s.workspaces.default_mode),
    ("workspaces.params", {"o": "1"}, {"p": "2", "q": "3"}, lambda s: dict(s.workspaces.params)),
    ("workspaces.repoUrlParamKeys", ["o_repo"], ["p_repo"], lambda s: list(s.workspaces.repo_url_param_keys)),
    ("catalogGlobs", ["o/*.yaml"], ["p/*.yaml"], lambda s: list(s.catalog_globs)),
    ("rules.CC101", "off", "warning", lambda s: s.rules.get("CC101")),
]


@pytest.mark.parametrize(
    ("key", "override", "project", "read"), PROJECT_SETTINGS, ids=[r[0] for r in PROJECT_SETTINGS]
)
@pytest.mark.parametrize("present", [("override",), ("project-file",), ("override", "project-file"), ()])
def test_project_settings_precedence(
    tmp_path: Path,
    key: str,
    override: Any,
    project: Any,
    read: Callable[[Settings], Any],
    present: tuple[str, ...],
) -> None:
    world = World(tmp_path)
    if "override" in present:
        merge_into(world.overrides, nested(key, override))
    if "project-file" in present:
        merge_into(world.project, nested(key, project))
    settings = world.resolve()
    if not present:
        assert read(settings) in (None, {}, [])
        assert key not in settings.origins
        return
    winner = present[0]
    assert read(settings) == (override if winner == "override" else project)
    assert settings.origins[key].source == winner


def test_field_by_field(tmp_path: Path) -> None:
    """Every setting comes from the highest source that sets it; params is taken whole."""
    world = World(tmp_path)
    world.overrides = {"workspaces": {"defaultMode": "auto"}, "rules": {"CC101": "off"}}
    world.project = {
        "workspaces": {
            "defaultTemplateName": "devcontainers",
            "defaultMode": "manual",
            "params": {"region": "eu", "size": "large"},
        },
        "rules": {"CC101": "error", "CC102": "info"},
        "tls": {"caBundle": "project-ca.pem"},
    }
    world.env = {"CODER_URL": "https://env.example.com", "CODER_CATALOG_CA_BUNDLE": "/env-ca.pem"}
    world.cli_url = "https://cli.example.com"
    settings = world.resolve()
    repo = tmp_path / "repo"
    assert settings.access_url == "https://env.example.com"
    assert settings.workspaces.default_mode == "auto"
    assert settings.workspaces.default_template_name == "devcontainers"
    assert dict(settings.workspaces.params) == {"region": "eu", "size": "large"}
    assert dict(settings.rules) == {"CC101": "off", "CC102": "info"}
    assert settings.ca_bundle == str(repo / "project-ca.pem")
    sources = {key: origin.source for key, origin in settings.origins.items()}
    assert sources == {
        "deployment.accessUrl": "env:CODER_URL",
        "workspaces.defaultMode": "override",
        "workspaces.defaultTemplateName": "project-file",
        "workspaces.params": "project-file",
        "workspaces.params.region": "project-file",
        "workspaces.params.size": "project-file",
        "rules.CC101": "override",
        "rules.CC102": "project-file",
        "tls.caBundle": "project-file",
    }


def test_params_taken_whole_from_override(tmp_path: Path) -> None:
    world = World(tmp_path)
    world.overrides = {"workspaces": {"params": {"region": "us"}}}
    world.project = {"workspaces": {"params": {"region": "eu", "size": "large"}}}
    settings = world.resolve()
    assert dict(settings.workspaces.params) == {"region": "us"}
    assert settings.origins["workspaces.params.region"].source == "override"
    assert "workspaces.params.size" not in settings.origins


def test_empty_params_override_clears(tmp_path: Path) -> None:
    world = World(tmp_path)
    world.overrides = {"workspaces": {"params": {}}}
    world.project = {"workspaces": {"params": {"region": "eu"}}}
    settings = world.resolve()
    assert dict(settings.workspaces.params) == {}
    assert settings.origins["workspaces.params"].source == "override"
    assert settings.to_dict()["workspaces"]["params"] == {}


def test_override_paths_resolve_against_cwd(tmp_path: Path) -> None:
    world = World(tmp_path)
    world.overrides = {"templates": "snap.json", "tls": {"caBundle": "certs/ca.pem"}}
    settings = world.resolve()
    assert settings.templates_snapshot == str(tmp_path / "snap.json")
    assert settings.ca_bundle == str(tmp_path / "certs" / "ca.pem")
    assert settings.origins["templates"].source == "override"
    assert settings.origins["templates"].path is None


def test_override_none_values_are_unset(tmp_path: Path) -> None:
    world = World(tmp_path)
    world.overrides = {"deployment": {"accessUrl": None}, "workspaces": {"defaultTemplateName": None}}
    world.project = {"workspaces": {"defaultTemplateName": "p"}}
    world.env = {"CODER_URL": "https://env.example.com"}
    settings = world.resolve()
    assert settings.access_url == "https://env.example.com"
    assert settings.workspaces.default_template_name == "p"


def test_override_accepts_tuples_and_mapping_types(tmp_path: Path) -> None:
    from types import MappingProxyType

    world = World(tmp_path)
    world.overrides = {
        "catalogGlobs": ("a/*.yaml",),
        "workspaces": MappingProxyType({"repoUrlParamKeys": ("repo_url",)}),
    }
    settings = world.resolve()
    assert settings.catalog_globs == ("a/*.yaml",)
    assert settings.workspaces.repo_url_param_keys == ("repo_url",)
