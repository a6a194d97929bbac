"""Listing, creating, starting and stopping an entity's workspaces through the Coder client.

Every failure leaves as a :class:`WorkspaceError` whose message is a sentence for the user and
whose ``kind`` lets a shell pick an exit code or a reaction (``unauthorized``, ``unreachable``...).
Waiting for a build polls the workspace until its latest build has finished.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal

from coder_catalog.coder.client import CoderClient, create_workspace_request
from coder_catalog.coder.errors import CoderError, CoderUnreachable, Conflict, NotFound, Unauthorized
from coder_catalog.coder.models import Workspace
from coder_catalog.templates.model import Preset, Template
from coder_catalog.workspaces.entities import CoderEntity
from coder_catalog.workspaces.model import EntityWorkspaces, WorkspaceInfo
from coder_catalog.workspaces.plugin_rules import (
    WorkspaceSearch,
    describe_build_error,
    describe_create_error,
    describe_error,
    free_workspace_names,
    merge_by_id,
    name_problem,
    query_key,
)
from coder_catalog.workspaces.presets import Override, find_preset, merge

ErrorKind = Literal["unauthorized", "unreachable", "conflict", "refused", "not-found", "usage", "timeout"]
Transition = Literal["start", "stop"]
OnUpdate = Callable[[WorkspaceInfo], None]

POLL_INTERVAL = 1.0
BUILD_TIMEOUT = 30 * 60.0
NAME_ATTEMPTS = 5


@dataclass(frozen=True)
class CreatePlan:
    """A workspace creation before it is sent: the template, the names to try in turn, the values."""

    entity: CoderEntity
    template: Template
    names: tuple[str, ...]
    parameters: dict[str, str]
    preset: Preset | None = None  # its values are already merged into ``parameters``
    overrides: tuple[Override, ...] = ()  # the entity's values the preset replaces

    def request(self) -> tuple[str, dict[str, Any]]:
        """The path and JSON body of the first attempt (the template's active version is used)."""
        return create_workspace_request(self.names[0], self.parameters, **self._target())

    def _target(self) -> dict[str, Any]:
        if self.preset is None:
            return {"template_id": self.template.id}
        # a preset belongs to one version: the active version it was read from
        return {"template_version_id": self.template.active_version_id, "preset_id": self.preset.id}


class WorkspaceError(Exception):
    def __init__(self, message: str, kind: ErrorKind = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind


def _kind_of(error: CoderError) -> ErrorKind:
    if isinstance(error, Unauthorized):
        return "unauthorized"
    if isinstance(error, CoderUnreachable):
        return "unreachable"
    if isinstance(error, Conflict):
        return "conflict"
    if isinstance(error, NotFound):
        return "not-found"
    return "refused"


class WorkspaceService:
    def __init__(
        self,
        client: CoderClient,
        *,
        poll_interval: float = POLL_INTERVAL,
        build_timeout: float = BUILD_TIMEOUT,
    ) -> None:
        self.client = client
        self.access_url = client.url
        self.poll_interval = poll_interval
        self.build_timeout = build_timeout

    def _failed(self, error: CoderError, message: str | None = None) -> WorkspaceError:
        return WorkspaceError(message or describe_error(error, self.access_url), _kind_of(error))

    # -- listing -----------------------------------------------------------------------------------

    async def search(self, search: WorkspaceSearch) -> EntityWorkspaces:
        """The plugin's queries, merged by id (no query: nothing, with the reason). As the plugin's
        ``Promise.allSettled``, a query that fails is left out and the others are shown, with a note
        naming it; only when every one fails is it an error."""
        if not search.queries:
            return EntityWorkspaces((), search.note)
        answers = await asyncio.gather(
            *(self.client.workspaces(q, limit=0) for q in search.queries), return_exceptions=True
        )
        found: list[list[Workspace]] = []
        failures: list[tuple[str, CoderError]] = []
        for query, answer in zip(search.queries, answers, strict=True):
            if isinstance(answer, CoderError):
                failures.append((query, answer))
            elif isinstance(answer, BaseException):
                raise answer
            else:
                found.append(answer[0])
        if not found:
            raise self._failed(failures[0][1]) from None
        notes = [search.note] if search.note else []
        notes += [
            f"the query for {query_key(query)} failed ({describe_error(error, self.access_url)}), so its "
            "workspaces are missing here, as in the plugin's card"
            for query, error in failures
        ]
        merged = merge_by_id(found)
        return EntityWorkspaces(
            tuple(WorkspaceInfo.of(w, self.access_url) for w in merged), "; ".join(notes) or None
        )

    async def list_for(self, entity: CoderEntity) -> EntityWorkspaces:
        return await self.search(entity.search)

    async def find(self, entity: CoderEntity, reference: str) -> WorkspaceInfo:
        """One of the entity's workspaces by id or name; else the user's own workspace of that name."""
        found = (await self.list_for(entity)).find(reference)
        if found is not None:
            return found
        try:
            owner, _slash, name = reference.strip().rpartition("/")
            workspace = await self.client.workspace_by_name(owner or "me", name)
        except NotFound:
            raise WorkspaceError(f'you have no workspace named "{reference}"', "not-found") from None
        except CoderError as exc:
            raise self._failed(exc) from None
        return WorkspaceInfo.of(workspace, self.access_url)

    # -- creating --------------------------------------------------------------------------------------

    async def existing(self, entity: CoderEntity) -> list[WorkspaceInfo]:
        """The entity's workspaces of the template it would create a workspace from."""
        return (await self.list_for(entity)).of_template(entity.template_name)

    async def plan_create(
        self, entity: CoderEntity, name: str | None = None, preset: str | None = None
    ) -> CreatePlan:
        """What :meth:`create` would ask Coder for, without creating anything (only GETs)."""
        template_name = entity.template_name
        if not template_name:
            raise WorkspaceError(
                f"{entity.ref} has no template name, so no workspace can be created", "usage"
            )
        if name is not None and (problem := name_problem(name)) is not None:
            raise WorkspaceError(f"cannot use that workspace name: {problem}", "usage")
        template = await self._template(template_name)
        names = (name,) if name is not None else tuple(await self._free_names(entity))
        params = {key: value.value for key, value in entity.effective.params.items()}
        if preset:
            return await self._with_preset(CreatePlan(entity, template, names, params), preset)
        return CreatePlan(entity, template, names, params)

    async def _with_preset(self, plan: CreatePlan, name: str) -> CreatePlan:
        """The plan with the preset's values over the entity's, as Coder merges them (issue 19)."""
        found = find_preset(await self.presets(plan.template), name)
        if found is None:
            known = ", ".join(p.name for p in await self.presets(plan.template)) or "none"
            raise WorkspaceError(
                f'template "{plan.template.name}" has no preset "{name}" (its presets: {known})', "usage"
            )
        merged, overrides = merge(plan.parameters, found)
        return replace(plan, parameters=merged, preset=found, overrides=tuple(overrides))

    async def presets(self, template: Template) -> list[Preset]:
        """The presets of the template's active version."""
        if not template.active_version_id:
            return []
        try:
            return await self.client.presets(template.active_version_id)
        except CoderError as exc:
            raise self._failed(exc) from None

    async def create(
        self, entity: CoderEntity, name: str | None = None, preset: str | None = None
    ) -> WorkspaceInfo:
        """Create the entity's workspace through the API (the build has started when this returns).

        Without ``name`` the name is derived from the entity's and made unique for the user; if
        Coder still answers 409 (someone was quicker) the next free suffix is tried."""
        plan = await self.plan_create(entity, name, preset)
        for attempt, candidate in enumerate(plan.names, 1):
            try:
                return await self._create(plan, candidate)
            except WorkspaceError as exc:
                if exc.kind != "conflict" or attempt == len(plan.names):
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def _create(self, plan: CreatePlan, name: str) -> WorkspaceInfo:
        try:
            workspace = await self.client.create_workspace(name, plan.parameters, **plan._target())
        except CoderError as exc:
            message = describe_create_error(
                exc, template=plan.template.name, name=name, params=plan.entity.effective.params
            )
            raise self._failed(exc, message) from None
        return WorkspaceInfo.of(workspace, self.access_url)

    async def _free_names(self, entity: CoderEntity) -> list[str]:
        try:
            mine, _count = await self.client.workspaces("owner:me", limit=0)
        except CoderError as exc:
            raise self._failed(exc) from None
        return list(
            itertools.islice(free_workspace_names(entity.name, (w.name for w in mine)), NAME_ATTEMPTS)
        )

    async def _template(self, name: str) -> Template:
        """The template by name: in the default organization (deprecated ones included), else the
        only template of that name in any organization."""
        try:
            return await self.client.template_by_name(name)
        except NotFound:
            pass
        except CoderError as exc:
            raise self._failed(exc) from None
        try:
            everything = await self.client.all_templates()
        except CoderError as exc:
            raise self._failed(exc) from None
        matches = [t for t in everything if t.name.lower() == name.lower()]
        if len(matches) != 1:
            where = "in several organizations" if matches else "on the deployment (or not visible to you)"
            raise WorkspaceError(f'template "{name}" was not found {where}', "not-found")
        return matches[0]

    # -- builds ----------------------------------------------------------------------------------------

    async def transition(self, workspace: WorkspaceInfo, transition: Transition) -> WorkspaceInfo:
        """Start or stop a workspace: the build has been queued when this returns."""
        try:
            await self.client.workspace_build(workspace.id, transition)
        except CoderError as exc:
            raise self._failed(exc, describe_build_error(exc, workspace.name, transition)) from None
        return await self.refresh(workspace)

    async def refresh(self, workspace: WorkspaceInfo) -> WorkspaceInfo:
        try:
            found = await self.client.workspace_by_name(workspace.owner, workspace.name)
        except CoderError as exc:
            raise self._failed(exc) from None
        return WorkspaceInfo.of(found, self.access_url)

    async def wait(self, workspace: WorkspaceInfo, on_update: OnUpdate | None = None) -> WorkspaceInfo:
        """Poll until the latest build has finished; ``on_update`` hears every change of status."""
        deadline = time.monotonic() + self.build_timeout
        current = workspace
        while current.building:
            if time.monotonic() > deadline:
                raise WorkspaceError(
                    f"{current.name} is still {current.status} after {self.build_timeout:.0f} s", "timeout"
                )
            await asyncio.sleep(self.poll_interval)
            latest = await self.refresh(current)
            if on_update is not None and latest.status != current.status:
                on_update(latest)
            current = latest
        return current


def pick_for_transition(
    workspaces: Iterable[WorkspaceInfo], transition: Transition
) -> tuple[WorkspaceInfo | None, list[WorkspaceInfo]]:
    """The one workspace a start (stopped, failed...) or stop (running) applies to, else the choices."""
    candidates = list(workspaces)
    if len(candidates) == 1:
        return candidates[0], candidates
    wanted = [w for w in candidates if (w.running if transition == "stop" else needs_start(w))]
    return (wanted[0] if len(wanted) == 1 else None), (wanted or candidates)


def already_done(workspace: WorkspaceInfo, transition: Transition) -> bool:
    """True when the workspace is already where the transition would take it (no build needed)."""
    return workspace.status == ("running" if transition == "start" else "stopped")


def needs_start(workspace: WorkspaceInfo) -> bool:
    return workspace.status in ("stopped", "failed", "canceled")
