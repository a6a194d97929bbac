"""Deleting a workspace and updating it to its template's active version (issue 19, points 4-5).

Both go through ``POST /workspaces/{id}/builds``: ``{"transition": "delete"}``, or
``{"transition": "start", "template_version_id": <active>, "rich_parameter_values": [...]}``.
On an update Coder keeps the previous build's values of the parameters the new version still has
(``coderd/wsbuilder``); only the parameters the new version adds are sent: the entity's effective
value when it gives one, else the value the user gave (``answers``). A new required parameter with
neither is reported before anything is sent (:class:`MissingParameters`), so that the editor or the
terminal can ask for it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from coder_catalog.coder.errors import BadRequest, CoderError, NotFound
from coder_catalog.coder.models import Workspace
from coder_catalog.templates.model import TemplateParameter
from coder_catalog.workspaces.entities import CoderEntity
from coder_catalog.workspaces.model import WorkspaceInfo
from coder_catalog.workspaces.plugin_rules import (
    _SOURCES,
    _field_errors,
    describe_build_error,
    describe_error,
)
from coder_catalog.workspaces.service import OnUpdate, WorkspaceError, WorkspaceService


class MissingParameters(WorkspaceError):
    """The active version has new required parameters the entity and the user give no value for."""

    def __init__(self, workspace: WorkspaceInfo, missing: list[TemplateParameter]) -> None:
        names = ", ".join(p.name for p in missing)
        super().__init__(
            f"updating {workspace.name} needs a value for the new required parameter"
            f"{'s' if len(missing) > 1 else ''} {names} (the entity gives none)",
            "usage",
        )
        self.workspace = workspace
        self.missing = missing


def parameter_json(parameter: TemplateParameter) -> dict[str, Any]:
    """What a client needs to ask for a value: the name, how to show it, its options."""
    return {
        "name": parameter.name,
        "displayName": parameter.display_name or parameter.name,
        "description": parameter.description_plaintext or parameter.description,
        "type": parameter.type,
        "options": [{"name": o.name, "value": o.value} for o in parameter.options],
    }


@dataclass(frozen=True)
class UpdatePlan:
    """An update before it is sent."""

    workspace: WorkspaceInfo
    active_version_id: str
    values: dict[str, str]  # only the parameters the active version adds
    origins: dict[str, str]  # name -> "set in spec.coder.params", "given by you"...
    missing: list[TemplateParameter]
    outdated: bool


async def _workspace(
    service: WorkspaceService, workspace_id: str, include_deleted: bool = False
) -> Workspace:
    try:
        return await service.client.workspace(workspace_id, include_deleted=include_deleted)
    except NotFound:
        raise WorkspaceError("the workspace no longer exists", "not-found") from None
    except CoderError as exc:
        raise service._failed(exc) from None


# -- delete ----------------------------------------------------------------------------------------------


async def delete(service: WorkspaceService, workspace: WorkspaceInfo) -> WorkspaceInfo:
    """Queue a delete build: the workspace shows as ``deleting`` until it is ``deleted``."""
    try:
        await service.client.workspace_build(workspace.id, "delete")
    except CoderError as exc:
        raise service._failed(exc, describe_build_error(exc, workspace.name, "delete")) from None
    return await refresh_by_id(service, workspace)


async def refresh_by_id(service: WorkspaceService, workspace: WorkspaceInfo) -> WorkspaceInfo:
    """The workspace again, by id, deleted ones included (a finished delete build is ``deleted``)."""
    found = await _workspace(service, workspace.id, include_deleted=True)
    return WorkspaceInfo.of(found, service.access_url)


async def wait_by_id(
    service: WorkspaceService, workspace: WorkspaceInfo, on_update: OnUpdate | None = None
) -> WorkspaceInfo:
    """:meth:`WorkspaceService.wait`, following the workspace by id (it survives its deletion)."""
    deadline = time.monotonic() + service.build_timeout
    current = workspace
    while current.building:
        if time.monotonic() > deadline:
            raise WorkspaceError(
                f"{current.name} is still {current.status} after {service.build_timeout:.0f} s", "timeout"
            )
        await asyncio.sleep(service.poll_interval)
        latest = await refresh_by_id(service, current)
        if on_update is not None and latest.status != current.status:
            on_update(latest)
        current = latest
    return current


# -- update ----------------------------------------------------------------------------------------------


async def plan_update(
    service: WorkspaceService,
    entity: CoderEntity,
    workspace: WorkspaceInfo,
    answers: Mapping[str, str] | None = None,
) -> UpdatePlan:
    """What an update sends: the active version and the values of the parameters it adds (only GETs)."""
    found = await _workspace(service, workspace.id)
    build = found.latest_build
    active = found.template_active_version_id
    if not active or build is None:
        raise WorkspaceError(f"Coder did not say which template version {workspace.name} should use")
    outdated = found.outdated or build.template_version_id != active
    try:
        parameters = await service.client.rich_parameters(active)
        previous = await service.client.build_parameters(build.id) if build.id else {}
    except CoderError as exc:
        raise service._failed(exc) from None
    given = dict(answers or {})
    effective = entity.effective.params
    values: dict[str, str] = {}
    origins: dict[str, str] = {}
    missing: list[TemplateParameter] = []
    for parameter in parameters:
        name = parameter.name
        if name in given:
            values[name], origins[name] = given[name], "given by you"
        elif name in previous or parameter.ephemeral:
            continue  # Coder keeps the previous build's value
        elif name in effective:
            values[name] = effective[name].value
            origins[name] = _SOURCES.get(effective[name].source, effective[name].source)
        elif parameter.required:
            missing.append(parameter)
    return UpdatePlan(WorkspaceInfo.of(found, service.access_url), active, values, origins, missing, outdated)


async def update(service: WorkspaceService, plan: UpdatePlan) -> WorkspaceInfo:
    """Start a build on the template's active version (the build has been queued when this returns)."""
    workspace = plan.workspace
    if plan.missing:
        raise MissingParameters(workspace, plan.missing)
    try:
        await service.client.update_workspace(workspace.id, plan.active_version_id, plan.values)
    except CoderError as exc:
        raise service._failed(exc, describe_update_error(exc, plan)) from None
    return await service.refresh(workspace)


def describe_update_error(error: CoderError, plan: UpdatePlan) -> str:
    """Coder's refusal, by parameter when it names them (with the value sent and where it came from)."""
    name = plan.workspace.name
    if isinstance(error, BadRequest):
        problems = []
        for field in _field_errors(error):
            value = plan.values.get(field.field)
            origin = (
                f'"{value}", {plan.origins.get(field.field, "")}'
                if value is not None
                else "kept from the previous build or the default"
            )
            problems.append(f'parameter "{field.field}" ({origin}): {field.detail}')
        if problems:
            return f"Coder refused to update {name}: " + "; ".join(problems)
        return f"Coder refused to update {name}: {describe_error(error)}"
    return describe_build_error(error, name, "update")
