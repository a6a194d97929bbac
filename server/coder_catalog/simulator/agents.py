"""The agents and apps of a simulated template version, and how a build shows them.

A version of the seed may list ``agents`` (what its Terraform's ``coder_agent`` and ``coder_app``
resources would give)::

    agents:
      - name: main
        directory: "~/project"              # WorkspaceAgent.directory, as the template writes it
        expanded_directory: /home/coder/project  # default: directory with ~ expanded to /home/<owner>
        operating_system: linux
        connect_seconds: 1.0                 # after the start build "connecting" this long (default:
                                             # half the build's run time), then "connected"
        status: connected                    # or disconnected / timeout: how it ends up
        apps:
          - {slug, display_name?, url?, subdomain?: bool, health?: disabled|initializing|healthy|unhealthy,
             sharing_level?: owner|authenticated|organization|public, external?: bool, icon?,
             command?, hidden?: bool, open_in?: slim-window|tab}

A start build that succeeded has one resource (``docker_container.workspace``) carrying the agents;
other builds (stop, delete, failed, in progress) have the resource without agents, as Coder's do
before an agent exists. Field names are those of ``codersdk.WorkspaceResource``, ``WorkspaceAgent``
and ``WorkspaceApp``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coder_catalog.simulator.state import Build

AGENT_STATUSES = ("connected", "disconnected", "timeout")
APP_HEALTHS = ("disabled", "initializing", "healthy", "unhealthy")
SHARING_LEVELS = ("owner", "authenticated", "organization", "public")

_S: dict[str, Any] = {"type": "string"}
_B: dict[str, Any] = {"type": "boolean"}


def _obj(required: list[str], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties, "additionalProperties": False}


APP_SCHEMA = _obj(
    ["slug"],
    slug={"type": "string", "pattern": "^[a-z0-9](-?[a-z0-9])*$"},
    display_name=_S,
    url=_S,
    subdomain=_B,
    health={"enum": list(APP_HEALTHS)},
    sharing_level={"enum": list(SHARING_LEVELS)},
    external=_B,
    icon=_S,
    command=_S,
    hidden=_B,
    open_in={"enum": ["slim-window", "tab"]},
)
AGENT_SCHEMA = _obj(
    ["name"],
    name={"type": "string", "minLength": 1},
    directory=_S,
    expanded_directory=_S,
    operating_system=_S,
    connect_seconds={"type": "number", "minimum": 0},
    status={"enum": list(AGENT_STATUSES)},
    apps={"type": "array", "items": APP_SCHEMA},
)
AGENTS_SCHEMA: dict[str, Any] = {"type": "array", "items": AGENT_SCHEMA}


@dataclass(frozen=True, slots=True)
class AppRecord:
    slug: str
    display_name: str = ""
    url: str = ""
    subdomain: bool = False
    health: str = "disabled"
    sharing_level: str = "owner"
    external: bool = False
    icon: str = ""
    command: str = ""
    hidden: bool = False
    open_in: str = "slim-window"


@dataclass(frozen=True, slots=True)
class AgentRecord:
    name: str
    directory: str = ""
    expanded_directory: str | None = None
    operating_system: str = "linux"
    connect_seconds: float | None = None  # default: half the build's run time
    status: str = "connected"
    apps: tuple[AppRecord, ...] = ()


def parse_agents(raw: list[dict[str, Any]] | None) -> tuple[AgentRecord, ...]:
    """Records from schema-valid seed entries; ValueError for what the schema cannot check."""
    agents = []
    for entry in raw or []:
        slugs = [a["slug"] for a in entry.get("apps", [])]
        if len(set(slugs)) != len(slugs):
            raise ValueError(f"agent {entry['name']!r}: app slugs must be unique")
        apps = tuple(AppRecord(**app) for app in entry.get("apps", []))
        agents.append(AgentRecord(**{**{k: v for k, v in entry.items() if k != "apps"}, "apps": apps}))
    names = [a.name for a in agents]
    if len(set(names)) != len(names):
        raise ValueError("agent names must be unique")
    return tuple(agents)


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def connected_at(agent: AgentRecord, build: Build) -> datetime:
    seconds = agent.connect_seconds if agent.connect_seconds is not None else build.run_seconds / 2
    return build.completed_at + timedelta(seconds=seconds)


def agent_status(agent: AgentRecord, build: Build, now: datetime) -> str:
    """``connecting`` until ``connect_seconds`` after the start build; then the seeded status."""
    if now < connected_at(agent, build):
        return "connecting"
    return agent.status


def render_resources(
    agents: tuple[AgentRecord, ...], build: Build, now: datetime, owner: str, workspace_name: str
) -> list[dict[str, Any]]:
    """``WorkspaceBuild.resources``: the container, with its agents once a start build succeeded."""
    if not agents:
        return []
    resource_id = str(uuid.uuid5(uuid.UUID(build.id), "resource"))
    with_agents = build.transition == "start" and build.job_status(now) == "succeeded"
    rendered = [
        _agent(agent, build, now, resource_id, owner, workspace_name) for agent in agents if with_agents
    ]
    return [
        {
            "id": resource_id,
            "created_at": _time(build.created_at),
            "job_id": build.job_id,
            "workspace_transition": build.transition,
            "type": "docker_container",
            "name": "workspace",
            "hide": False,
            "icon": "",
            "agents": rendered,
            "metadata": [],
            "daily_cost": 0,
        }
    ]


def _agent(
    agent: AgentRecord, build: Build, now: datetime, resource_id: str, owner: str, workspace_name: str
) -> dict[str, Any]:
    agent_id = str(uuid.uuid5(uuid.UUID(build.id), f"agent-{agent.name}"))
    status = agent_status(agent, build, now)
    expanded = agent.expanded_directory
    if expanded is None:
        expanded = agent.directory.replace("~", f"/home/{owner}", 1) if agent.directory else ""
    connected = connected_at(agent, build)
    lifecycle = {"connected": "ready", "connecting": "created"}.get(status, "start_error")
    rendered: dict[str, Any] = {
        "id": agent_id,
        "created_at": _time(build.completed_at),
        "updated_at": _time(min(now, connected) if status != "connecting" else build.completed_at),
        "resource_id": resource_id,
        "name": agent.name,
        "status": status,
        "lifecycle_state": lifecycle,
        "architecture": "amd64",
        "operating_system": agent.operating_system,
        "directory": agent.directory,
        "expanded_directory": expanded,
        "environment_variables": {},
        "version": "v2.26.3",
        "api_version": "2.6",
        "instance_id": "",
        "connection_timeout_seconds": 120,
        "troubleshooting_url": "https://coder.com/docs/admin/templates/troubleshooting",
        "logs_length": 0,
        "logs_overflowed": False,
        "log_sources": [],
        "scripts": [],
        "subsystems": [],
        "display_apps": ["vscode", "vscode_insiders", "web_terminal", "ssh_helper", "port_forwarding_helper"],
        "startup_script_behavior": "non-blocking",
        "health": {"healthy": status == "connected"}
        if status == "connected"
        else {"healthy": False, "reason": f"agent is {status}"},
        "apps": [_app(app, agent, status, agent_id, owner, workspace_name) for app in agent.apps],
    }
    if status == "connected":
        rendered["first_connected_at"] = _time(connected)
        rendered["last_connected_at"] = _time(now)
        rendered["started_at"] = _time(connected)
        rendered["ready_at"] = _time(connected)
    return rendered


def _app(
    app: AppRecord, agent: AgentRecord, status: str, agent_id: str, owner: str, workspace_name: str
) -> dict[str, Any]:
    health = app.health
    if status != "connected" and health != "disabled":
        health = "initializing"
    rendered: dict[str, Any] = {
        "id": str(uuid.uuid5(uuid.UUID(agent_id), f"app-{app.slug}")),
        "slug": app.slug,
        "display_name": app.display_name or app.slug,
        "url": app.url,
        "external": app.external,
        "subdomain": app.subdomain,
        "subdomain_name": f"{app.slug}--{agent.name}--{workspace_name}--{owner}" if app.subdomain else "",
        "sharing_level": app.sharing_level,
        "health": health,
        "healthcheck": {"url": "", "interval": 0, "threshold": 0},
        "icon": app.icon,
        "hidden": app.hidden,
        "open_in": app.open_in,
        "statuses": [],
        "group": "",
        "tooltip": "",
    }
    if app.command:
        rendered["command"] = app.command
    return rendered
