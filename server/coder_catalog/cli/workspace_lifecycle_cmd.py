"""``coder-catalog update|delete ENTITY``: update a workspace to its template's active version, or
delete it.

``update`` starts a build on the active version; the parameters that version adds take the entity's
effective value, else ``--param name=value``; a new required parameter with neither is an error
naming them (exit 2), or is asked for on a terminal. ``delete`` asks on a terminal, naming the
workspace; elsewhere it needs ``--yes``. Exit codes as the other workspace commands.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from coder_catalog.cli.common import EXIT_FAILED, EXIT_OK, CommandError, add_common_flags

if TYPE_CHECKING:
    from coder_catalog.cli.workspace_targets import Clients, FoundEntity
    from coder_catalog.templates.model import TemplateParameter
    from coder_catalog.workspaces.model import WorkspaceInfo
    from coder_catalog.workspaces.service import WorkspaceService


def register(commands: Any) -> None:
    for name, help_text, run in (
        ("update", "update an entity's outdated workspace to its template's active version", run_update),
        ("delete", "delete an entity's workspace (asks first, or --yes)", run_delete),
    ):
        parser = commands.add_parser(name, help=help_text, description=help_text)
        parser.add_argument("entity", metavar="ENTITY", help="kind:namespace/name, or just the entity's name")
        parser.add_argument("--file", metavar="FILE", help="the catalog file (default: those below .)")
        parser.add_argument("-w", "--workspace", metavar="NAME", help="which workspace (name or id)")
        if name == "update":
            parser.add_argument(
                "--param",
                action="append",
                default=[],
                metavar="NAME=VALUE",
                help="a value for a parameter the active version adds (repeatable)",
            )
        else:
            parser.add_argument("-y", "--yes", action="store_true", help="delete without asking")
        parser.add_argument("--no-wait", action="store_true", help="do not wait for the build to finish")
        add_common_flags(parser)
        parser.set_defaults(run=run)


async def _workspace_for(
    service: WorkspaceService, found: FoundEntity, reference: str | None, verb: str, wanted: Any
) -> WorkspaceInfo:
    from coder_catalog.workspaces.service import WorkspaceError

    if reference:
        try:
            return await service.find(found.entity, reference)
        except WorkspaceError as exc:
            if exc.kind != "not-found":
                raise
            raise WorkspaceError(f"--workspace {reference}: {exc.message}", "usage") from None
    listed = await service.list_for(found.entity)
    choices = [w for w in listed.workspaces if wanted(w)]
    if len(choices) == 1:
        return choices[0]
    if not choices:
        raise WorkspaceError(f"{found.entity.ref} has no workspace to {verb}", "usage")
    names = ", ".join(w.label for w in choices)
    raise WorkspaceError(
        f"{found.entity.ref} has several workspaces to {verb}: pass --workspace with one of {names}", "usage"
    )


# -- update ----------------------------------------------------------------------------------------------


def _params(values: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in values:
        name, equals, value = item.partition("=")
        if not equals or not name.strip():
            raise CommandError(f"--param {item}: expected NAME=VALUE")
        params[name.strip()] = value
    return params


def run_update(args: argparse.Namespace) -> int:
    from coder_catalog.cli.workspace_targets import find_entity, run_workspaces

    found = find_entity(args.entity, args)
    given = _params(args.param)

    async def work(clients: Clients) -> int:
        from coder_catalog.workspaces import lifecycle

        service = await clients.service(found.settings)
        workspace = await _workspace_for(service, found, args.workspace, "update", lambda w: w.outdated)
        plan = await lifecycle.plan_update(service, found.entity, workspace, given)
        if not plan.outdated:
            print(f"Workspace {workspace.name} is already on the template's active version: {workspace.url}")
            return EXIT_OK
        if plan.missing:
            asked = _ask_missing(workspace, plan.missing)
            plan = await lifecycle.plan_update(service, found.entity, workspace, {**given, **asked})
        queued = await lifecycle.update(service, plan)
        print(f"Updating {queued.name} to the template's active version...", file=sys.stderr)
        final = queued if args.no_wait else await _wait(service, queued)
        return _report(final, "running", "updated")

    return run_workspaces(work)


def _ask_missing(workspace: WorkspaceInfo, missing: list[TemplateParameter]) -> dict[str, str]:
    """On a terminal, ask for each missing value (options listed); elsewhere ask for nothing."""
    from coder_catalog.cli.workspace_targets import is_interactive

    if not is_interactive():
        return {}
    answers: dict[str, str] = {}
    for parameter in missing:
        label = parameter.display_name or parameter.name
        options = [o.value for o in parameter.options]
        hint = f" [{' / '.join(options)}]" if options else ""
        value = input(f"{workspace.name}: {label} ({parameter.name}){hint}: ").strip()
        if options and value not in options:
            raise CommandError(f"{value!r} is not one of {', '.join(options)}")
        answers[parameter.name] = value
    return answers


# -- delete ----------------------------------------------------------------------------------------------


def run_delete(args: argparse.Namespace) -> int:
    from coder_catalog.cli.workspace_targets import find_entity, is_interactive, run_workspaces

    found = find_entity(args.entity, args)

    async def work(clients: Clients) -> int:
        from coder_catalog.workspaces import lifecycle

        service = await clients.service(found.settings)
        workspace = await _workspace_for(
            service, found, args.workspace, "delete", lambda w: w.status not in ("deleting", "deleted")
        )
        if not args.yes:
            where = f"{workspace.owner}/{workspace.name} ({workspace.status})"
            if not is_interactive():
                raise CommandError(f"deleting {where} needs --yes (or a terminal to confirm)")
            answer = input(f"Delete workspace {where}? Type its name to confirm: ").strip()
            if answer != workspace.name:
                print("Nothing deleted.")
                return EXIT_OK
        queued = await lifecycle.delete(service, workspace)
        print(f"Deleting {queued.name}...", file=sys.stderr)
        if args.no_wait:
            return _report(queued, "deleted", "deleted")
        from coder_catalog.cli.workspace_targets import BuildProgress

        async with BuildProgress(queued.name) as progress:
            progress.update(queued)
            final = await lifecycle.wait_by_id(service, queued, progress.update)
        return _report(final, "deleted", "deleted")

    return run_workspaces(work)


# -- waiting and reporting --------------------------------------------------------------------------------


async def _wait(service: WorkspaceService, workspace: WorkspaceInfo) -> WorkspaceInfo:
    from coder_catalog.cli.workspace_targets import BuildProgress

    async with BuildProgress(workspace.name) as progress:
        progress.update(workspace)
        return await service.wait(workspace, progress.update)


def _report(workspace: WorkspaceInfo, wanted: str, done: str) -> int:
    if workspace.building:
        print(f"{workspace.label}: {workspace.url}")
        return EXIT_OK
    if workspace.status != wanted:
        error = f": {workspace.job_error}" if workspace.job_error else ""
        print(
            f"coder-catalog: the build of {workspace.name} ended {workspace.status}{error}", file=sys.stderr
        )
        return EXIT_FAILED
    if done == "deleted":
        print(f"Workspace {workspace.name} is deleted")
    else:
        print(f"Workspace {workspace.name} is {done} and {workspace.status}: {workspace.url}")
    return EXIT_OK
