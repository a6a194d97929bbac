"""Simulator seeds and catalog entities for the workspace tests (imported by name: ``tests`` is on
sys.path through the root conftest)."""

from __future__ import annotations

import copy
from importlib import resources
from typing import Any

import yaml

_DEFAULT: dict[str, Any] = yaml.safe_load(
    resources.files("coder_catalog.simulator").joinpath("data", "default.yaml").read_text()
)

ACME = "https://github.com/acme/python-project"
#: alice's workspaces with repo_url = ACME, most recently used first (bob's pyproj is not hers)
ACME_WORKSPACES = ["python-api", "gpu-train", "python-api-eu"]


def fast_seed(**workspace_changes: dict[str, Any]) -> dict[str, Any]:
    """The shipped seed with builds of a fraction of a second; ``name={...}`` changes a seeded
    workspace (e.g. ``{"status": "starting", "build_seconds": 1}``)."""
    seed = copy.deepcopy(_DEFAULT)
    seed["deployment"].update(build_seconds=0.3, queue_seconds=0.1)
    for workspace in seed["workspaces"]:
        workspace.update(workspace_changes.get(workspace["name"].replace("-", "_"), {}))
    return seed


def entity(
    name: str = "python-project",
    coder: str = "templateName: devcontainers\nmode: auto",
    *,
    location: str | None = None,
) -> str:
    """A Component with a ``spec.coder`` block (``coder`` is the block's body, one key a line)."""
    target = location if location is not None else f"url:https://github.com/acme/{name}/tree/main/"
    annotations = f"  annotations:\n    backstage.io/source-location: {target}\n" if target else ""
    block = "".join(f"    {line}\n" for line in coder.splitlines())
    return (
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n"
        f"  name: {name}\n{annotations}spec:\n  type: service\n  lifecycle: production\n"
        f"  owner: team-a\n  coder:\n{block}"
    )


WORKSPACE_SETTINGS: dict[str, Any] = {"repoUrlParamKeys": ["repo_url"]}
