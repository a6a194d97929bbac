"""Opening a workspace in an editor, and its apps: links, commands and readiness.

- VS Code: Coder's own extension link, ``vscode://coder.coder-remote/open?owner=&workspace=&url=``
  (plus ``agent=`` when the workspace has several agents, ``folder=`` when the agent reports a
  directory). The link never carries a token: Coder's extension signs in by itself.
- The terminal equivalent: ``coder ssh <owner>/<workspace>[.<agent>]``.
- Apps, from the latest build's agents: a path app is served at
  ``<accessUrl>/@<owner>/<workspace>.<agent>/apps/<slug>/``, a subdomain app under the deployment's
  wildcard host (``GET /applications/host``), an external app at its own URL. An app whose agent is
  not connected, or whose health check is failing or not yet passing, is listed but not opened.

A stopped workspace is started first (:func:`ensure_running`), and followed until its agent connects.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from coder_catalog.coder.agents import WorkspaceAgent
from coder_catalog.coder.errors import CoderError, NotFound
from coder_catalog.workspaces.model import WorkspaceInfo
from coder_catalog.workspaces.service import WorkspaceError, WorkspaceService, needs_start

VSCODE_LINK = "vscode://coder.coder-remote/open"
AGENT_TIMEOUT = 5 * 60.0  # how long to wait for an agent to connect after the build

OnStatus = Callable[[str], None]


def pick_agent(agents: Sequence[WorkspaceAgent], name: str | None = None) -> WorkspaceAgent | None:
    """The agent named (case-insensitive), else the first connected one, else the first one."""
    if name:
        found = next((a for a in agents if a.name.lower() == name.lower()), None)
        if found is None:
            names = ", ".join(a.name for a in agents) or "none"
            raise WorkspaceError(f'the workspace has no agent named "{name}" (agents: {names})', "usage")
        return found
    return next((a for a in agents if a.connected), agents[0] if agents else None)


def vscode_link(
    access_url: str, workspace: WorkspaceInfo, agents: Sequence[WorkspaceAgent], agent_name: str | None = None
) -> str:
    """Coder's VS Code extension link (as the dashboard's "VS Code Desktop" button, without a token)."""
    query = {"owner": workspace.owner, "workspace": workspace.name, "url": access_url.rstrip("/")}
    agent = pick_agent(agents, agent_name)
    if agent is not None and len(agents) > 1:
        query["agent"] = agent.name
    if agent is not None and agent.folder:
        query["folder"] = agent.folder
    return f"{VSCODE_LINK}?{urlencode(query, quote_via=quote)}"


def ssh_command(
    workspace: WorkspaceInfo, agents: Sequence[WorkspaceAgent], agent_name: str | None = None
) -> str:
    """``coder ssh owner/workspace`` (``.agent`` when there are several agents)."""
    agent = pick_agent(agents, agent_name)
    suffix = f".{agent.name}" if agent is not None and len(agents) > 1 else ""
    return f"coder ssh {workspace.owner}/{workspace.name}{suffix}"


@dataclass(frozen=True, slots=True)
class AppEntry:
    slug: str
    display_name: str
    agent: str
    health: str
    agent_status: str
    url: str | None  # None: it cannot be opened from here (see ``problem``)
    problem: str | None  # why it is not opened now (unhealthy, agent not connected...)
    subdomain: bool = False
    external: bool = False

    @property
    def openable(self) -> bool:
        return self.url is not None and self.problem is None

    @property
    def label(self) -> str:
        return f"{self.display_name}" + (f" ({self.problem})" if self.problem else "")

    def matches(self, reference: str) -> bool:
        wanted = reference.strip().lower()
        return wanted in (self.slug.lower(), self.display_name.lower(), f"{self.agent}.{self.slug}".lower())

    def to_json(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "displayName": self.display_name,
            "agent": self.agent,
            "health": self.health,
            "agentStatus": self.agent_status,
            "url": self.url,
            "openable": self.openable,
            "problem": self.problem,
            "subdomain": self.subdomain,
            "external": self.external,
        }


def app_entries(
    access_url: str, app_host: str, workspace: WorkspaceInfo, agents: Sequence[WorkspaceAgent]
) -> list[AppEntry]:
    """Every visible app of every agent, with where it is served and whether it can be opened now."""
    base = access_url.rstrip("/")
    entries = []
    for agent in agents:
        for app in agent.apps:
            if app.hidden:
                continue
            url: str | None
            problem: str | None = None
            if app.external:
                url = app.url or None
            elif app.subdomain:
                name = app.subdomain_name or f"{app.slug}--{agent.name}--{workspace.name}--{workspace.owner}"
                url = f"{urlsplit(base).scheme}://{app_host.replace('*', name, 1)}/" if app_host else None
                if url is None:
                    problem = "a subdomain app, and the deployment has no wildcard access URL"
            else:
                url = (
                    f"{base}/@{quote(workspace.owner)}/{quote(workspace.name)}.{quote(agent.name)}"
                    f"/apps/{quote(app.slug)}/"
                )
            if problem is None and not app.external:
                if not agent.connected:
                    problem = f"agent {agent.name} is {agent.status or 'not connected'}"
                elif app.health == "unhealthy":
                    problem = "unhealthy"
                elif app.health == "initializing":
                    problem = "initializing"
            entries.append(
                AppEntry(
                    slug=app.slug,
                    display_name=app.display_name or app.slug,
                    agent=agent.name,
                    health=app.health,
                    agent_status=agent.status,
                    url=url,
                    problem=problem,
                    subdomain=app.subdomain,
                    external=app.external,
                )
            )
    return entries


def find_app(entries: Sequence[AppEntry], reference: str) -> AppEntry:
    found = [e for e in entries if e.matches(reference)]
    if len(found) != 1:
        names = ", ".join(e.slug for e in entries) or "none"
        why = "several apps match" if found else "no app"
        raise WorkspaceError(f'{why} "{reference}" (apps: {names})', "usage")
    return found[0]


# -- talking to Coder --------------------------------------------------------------------------------


async def agents_of(
    service: WorkspaceService, workspace: WorkspaceInfo
) -> tuple[WorkspaceInfo, tuple[WorkspaceAgent, ...]]:
    """The workspace as Coder has it now, and its agents."""
    try:
        found, agents = await service.client.workspace_with_agents(workspace.owner, workspace.name)
    except CoderError as exc:
        raise service._failed(exc) from None
    return WorkspaceInfo.of(found, service.access_url), agents


async def app_host(service: WorkspaceService) -> str:
    """The deployment's wildcard host ("" when it has none, or when Coder does not say)."""
    try:
        return await service.client.app_host()
    except CoderError as exc:
        if isinstance(exc, NotFound):
            return ""
        raise service._failed(exc) from None


async def ensure_running(
    service: WorkspaceService,
    workspace: WorkspaceInfo,
    on_status: OnStatus | None = None,
    *,
    agent_timeout: float = AGENT_TIMEOUT,
) -> tuple[WorkspaceInfo, tuple[WorkspaceAgent, ...]]:
    """Start the workspace when it is stopped (or failed, canceled), wait for the build, then for an
    agent to connect. Raises WorkspaceError saying where it stopped (the build failed, the agent did
    not connect in time...)."""
    report = on_status or (lambda _message: None)
    current = workspace
    if current.building:
        report(f"{current.name}: {current.status}")
        current = await service.wait(current, lambda w: report(f"{w.name}: {w.status}"))
    if needs_start(current):
        queued = await service.transition(current, "start")
        report(f"{queued.name}: {queued.status}")
        current = await service.wait(queued, lambda w: report(f"{w.name}: {w.status}"))
        if current.status != "running":
            error = f": {current.job_error}" if current.job_error else ""
            raise WorkspaceError(
                f"the start build of {current.name} ended {current.status}{error}", "refused"
            )
    if current.status != "running":
        raise WorkspaceError(f"{current.name} is {current.status}, not running", "conflict")
    deadline = time.monotonic() + agent_timeout
    last = ""
    while True:
        current, agents = await agents_of(service, current)
        if not agents or any(a.connected for a in agents):
            return current, agents
        if any(a.status in ("disconnected", "timeout") for a in agents) and all(
            a.status != "connecting" for a in agents
        ):
            states = ", ".join(f"{a.name} {a.status}" for a in agents)
            raise WorkspaceError(
                f"{current.name} is running but its agent is not connected ({states})", "refused"
            )
        states = ", ".join(f"agent {a.name}: {a.status}" for a in agents)
        if states != last:
            report(f"{current.name}: {states}")
            last = states
        if time.monotonic() > deadline:
            raise WorkspaceError(
                f"the agent of {current.name} did not connect within {agent_timeout:.0f} s", "timeout"
            )
        await asyncio.sleep(service.poll_interval)
