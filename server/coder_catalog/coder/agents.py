"""A workspace's agents and apps, from its latest build's resources (``codersdk.WorkspaceResource``,
``WorkspaceAgent``, ``WorkspaceApp``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


def _s(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _items(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key)
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


@dataclass(frozen=True, slots=True)
class WorkspaceApp:
    slug: str
    display_name: str
    url: str  # the address proxied to inside the workspace (or opened as is when external)
    subdomain: bool
    subdomain_name: str
    health: str  # disabled initializing healthy unhealthy
    sharing_level: str
    external: bool = False
    hidden: bool = False

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> WorkspaceApp:
        return cls(
            slug=_s(data, "slug"),
            display_name=_s(data, "display_name"),
            url=_s(data, "url"),
            subdomain=data.get("subdomain") is True,
            subdomain_name=_s(data, "subdomain_name"),
            health=_s(data, "health"),
            sharing_level=_s(data, "sharing_level"),
            external=data.get("external") is True,
            hidden=data.get("hidden") is True,
        )


@dataclass(frozen=True, slots=True)
class WorkspaceAgent:
    id: str
    name: str
    status: str  # connecting connected disconnected timeout
    lifecycle_state: str
    directory: str
    expanded_directory: str
    apps: tuple[WorkspaceApp, ...] = ()

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> WorkspaceAgent:
        return cls(
            id=_s(data, "id"),
            name=_s(data, "name"),
            status=_s(data, "status"),
            lifecycle_state=_s(data, "lifecycle_state"),
            directory=_s(data, "directory"),
            expanded_directory=_s(data, "expanded_directory"),
            apps=tuple(WorkspaceApp.from_api(a) for a in _items(data, "apps")),
        )

    @property
    def connected(self) -> bool:
        return self.status == "connected"

    @property
    def folder(self) -> str:
        """The folder the editor opens: the expanded directory, else the directory as written."""
        return self.expanded_directory or self.directory


def agents_of(workspace: Mapping[str, Any]) -> tuple[WorkspaceAgent, ...]:
    """The agents of a ``codersdk.Workspace``'s latest build, in resource order."""
    build = workspace.get("latest_build")
    if not isinstance(build, Mapping):
        return ()
    return tuple(
        WorkspaceAgent.from_api(agent)
        for resource in _items(build, "resources")
        for agent in _items(resource, "agents")
    )
