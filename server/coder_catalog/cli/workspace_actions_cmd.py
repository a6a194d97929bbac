"""``coder-catalog open|create|start|stop ENTITY``: the editor's workspace commands in a terminal.

ENTITY is ``kind:namespace/name`` or just the name, found in ``--file`` or in the catalog files
below the current folder. ``create`` first runs the same analysis as ``lint`` on the entity and
refuses while it finds errors there (or a deprecated template), unless ``--force``; then it
follows the entity's effective mode: ``manual`` prints (and on a terminal opens) Coder's
pre-filled create page; ``auto`` creates the workspace through the API and waits for its first
build, with a progress line on a terminal. ``--print`` changes nothing anywhere: it prints the
page's URL (``open``, manual ``create``) or the request ``create`` would send (auto mode). Pages
open in the browser only when stdout is a terminal. ``start`` on a running workspace and ``stop``
on a stopped one say so and queue no build.

Exit codes: 0 done (or nothing to do); 1 Coder refused, the build failed, or lint finds errors in
the entity (``create``); 2 usage (no such entity or workspace, several workspaces to choose
from...); 3 the deployment could not be reached.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from coder_catalog.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    CommandError,
    add_common_flags,
    display_path,
    overrides_from_args,
)

if TYPE_CHECKING:
    from coder_catalog.cli.workspace_targets import Clients, FoundEntity
    from coder_catalog.workspaces.model import WorkspaceInfo
    from coder_catalog.workspaces.service import CreatePlan, Transition, WorkspaceService

# The catalog reading, lint, the workspace rules and the Coder client are imported by the functions
# that use them, not when the parser is built (issue 18).


def register(commands: Any) -> None:
    for name, help_text, run in (
        ("open", "open an entity's workspace page in Coder", run_open),
        ("create", "create a workspace for an entity (its spec.coder mode: manual or auto)", run_create),
        ("start", "start an entity's workspace and wait for the build", run_start),
        ("stop", "stop an entity's workspace and wait for the build", run_stop),
    ):
        parser = commands.add_parser(name, help=help_text, description=help_text)
        parser.add_argument("entity", metavar="ENTITY", help="kind:namespace/name, or just the entity's name")
        parser.add_argument("--file", metavar="FILE", help="the catalog file (default: those below .)")
        if name == "create":
            parser.add_argument("--name", help="the workspace's name (default: derived from the entity)")
            parser.add_argument(
                "--preset",
                metavar="NAME",
                help="create with this preset of the template's active version (auto mode; its values "
                "overwrite the entity's, as Coder merges them)",
            )
            parser.add_argument(
                "--new",
                action="store_true",
                help="create even when the entity has a workspace of its template",
            )
            parser.add_argument(
                "--force",
                action="store_true",
                help="create even though lint finds errors in the entity",
            )
            parser.add_argument(
                "--print",
                action="store_true",
                help="create nothing: print the create page's URL (manual mode) or the request that "
                "would be sent (auto mode)",
            )
        else:
            parser.add_argument("-w", "--workspace", metavar="NAME", help="which workspace (name or id)")
        if name == "open":
            parser.add_argument(
                "--print", action="store_true", help="only print the page's URL (open no browser)"
            )
            from coder_catalog.cli.workspace_open_cmd import add_vscode_flags

            add_vscode_flags(parser)
        if name != "open":
            parser.add_argument("--no-wait", action="store_true", help="do not wait for the build to finish")
        add_common_flags(parser)
        parser.set_defaults(run=run)


# -- open ------------------------------------------------------------------------------------------------


def run_open(args: argparse.Namespace) -> int:
    if args.vscode:
        from coder_catalog.cli.workspace_open_cmd import run_open_vscode

        return run_open_vscode(args)
    from coder_catalog.cli.workspace_targets import find_entity, run_workspaces
    from coder_catalog.workspaces.service import WorkspaceError

    found = find_entity(args.entity, args)

    async def work(clients: Clients) -> WorkspaceInfo:
        service = await clients.service(found.settings)
        if args.workspace:
            return await service.find(found.entity, args.workspace)
        listed = await service.list_for(found.entity)
        best = listed.best()
        if best is None:
            note = f" ({listed.note})" if listed.note else ""
            raise WorkspaceError(f"{found.entity.ref} has no workspaces{note}", "not-found")
        return best

    workspace = run_workspaces(work)
    show_page(workspace.url, args.print, f"{workspace.label}: ")
    return EXIT_OK


def show_page(url: str, print_only: bool, prefix: str = "") -> None:
    print(f"{prefix}{url}")
    if not print_only and sys.stdout.isatty():
        import webbrowser

        webbrowser.open(url)


# -- create ----------------------------------------------------------------------------------------------


def run_create(args: argparse.Namespace) -> int:
    from coder_catalog.cli.workspace_targets import find_entity, run_workspaces
    from coder_catalog.workspaces.plugin_rules import cannot_create_reason, create_link

    found = find_entity(args.entity, args)
    effective = found.entity.effective
    if not args.force:
        _refuse_what_lint_rejects(found, args)
    reason = cannot_create_reason(effective, found.settings)
    if reason is not None:
        raise CommandError(f"{found.entity.ref}: {reason}")
    if effective.mode != "auto":
        link = create_link(effective, found.settings)
        assert link is not None
        show_page(link, args.print, "Create it on Coder's pre-filled page (manual mode): ")
        return EXIT_OK
    if args.print:
        return run_workspaces(lambda clients: _print_create_request(clients, found, args))
    return run_workspaces(lambda clients: _create(clients, found, args))


def _refuse_what_lint_rejects(found: FoundEntity, args: argparse.Namespace) -> None:
    """Run lint's analysis on the entity's file; its errors in the entity stop the creation (exit 1)."""
    from coder_catalog.cli.lint_engine import LintOptions, lint
    from coder_catalog.workspaces.readiness import creation_blockers, refusal

    report = lint(LintOptions(paths=(str(found.path),), overrides=overrides_from_args(args)))
    checked = next((f for f in report.files if f.analysis is not None), None)
    if checked is None:
        problems = "; ".join(f.error or "" for f in report.files) or "; ".join(report.config_errors)
        raise CommandError(f"{found.where}: cannot check the entity before creating: {problems}")
    assert checked.analysis is not None
    blockers = creation_blockers(checked.analysis, found.entity)
    if not blockers:
        return
    for finding in blockers:
        line, column = finding.span.start.line + 1, finding.span.start.column + 1
        print(
            f"{display_path(found.path)}:{line}:{column}: {finding.severity} {finding.code} {finding.message}",
            file=sys.stderr,
        )
    raise CommandError(f"{refusal(found.entity.ref, blockers)}; pass --force to create anyway", EXIT_FAILED)


async def _print_create_request(clients: Clients, found: FoundEntity, args: argparse.Namespace) -> int:
    """Auto mode, ``--print``: the request ``create`` would send, and nothing sent but GETs."""
    service = await clients.service(found.settings)
    plan = await service.plan_create(found.entity, args.name, args.preset)
    _warn_overrides(plan)
    path, body = plan.request()
    template = plan.template
    print(
        f"Would create workspace {plan.names[0]} for {found.entity.ref} from template {template.name} "
        f"(its active version {template.active_version_id or 'unknown'}), with this request:",
        file=sys.stderr,
    )
    print(f"POST {service.access_url.rstrip('/')}{path}")
    print(json.dumps(body, indent=2, ensure_ascii=False))
    return EXIT_OK


async def _create(clients: Clients, found: FoundEntity, args: argparse.Namespace) -> int:
    service = await clients.service(found.settings)
    if not args.new:
        existing = await service.existing(found.entity)
        if existing and not _create_anyway(found, existing, args):
            return EXIT_OK
    if args.preset:
        _warn_overrides(await service.plan_create(found.entity, args.name, args.preset))
    created = await service.create(found.entity, args.name, args.preset)
    print(f"Creating workspace {created.name} from template {created.template}...", file=sys.stderr)
    final = created if args.no_wait else await _wait(service, created)
    return _report(final, "created")


def _warn_overrides(plan: CreatePlan) -> None:
    """Each entity value the preset overwrites (Coder: preset values overwrite the request's)."""
    if plan.preset is None:
        return
    for override in plan.overrides:
        print(f"coder-catalog: warning: {override.sentence(plan.preset.name)}", file=sys.stderr)


def _create_anyway(found: FoundEntity, existing: list[WorkspaceInfo], args: argparse.Namespace) -> bool:
    """Offer the existing workspace instead: asked on a terminal, shown (not created) elsewhere."""
    from coder_catalog.cli.workspace_targets import is_interactive

    first = existing[0]
    names = ", ".join(w.label for w in existing)
    print(f"{found.entity.ref} already has a workspace of template {found.entity.template_name}: {names}")
    if not is_interactive():
        print(f"{first.url}\n(pass --new to create another)")
        return False
    answer = input(f"Open {first.name} instead? [O]pen / [c]reate another / [q]uit: ").strip().lower()
    if answer.startswith("c"):
        return True
    if not answer.startswith("q"):
        show_page(first.url, args.print)
    return False


# -- start and stop --------------------------------------------------------------------------------------


def run_start(args: argparse.Namespace) -> int:
    return _transition(args, "start")


def run_stop(args: argparse.Namespace) -> int:
    return _transition(args, "stop")


def _transition(args: argparse.Namespace, transition: Transition) -> int:
    from coder_catalog.cli.workspace_targets import find_entity, run_workspaces
    from coder_catalog.workspaces.service import already_done

    found = find_entity(args.entity, args)

    async def work(clients: Clients) -> int:
        service = await clients.service(found.settings)
        workspace = await _workspace_for(service, found, args.workspace, transition)
        if already_done(workspace, transition):
            print(f"Workspace {workspace.name} is already {workspace.status}: {workspace.url}")
            return EXIT_OK
        queued = await service.transition(workspace, transition)
        print(f"{'Starting' if transition == 'start' else 'Stopping'} {queued.name}...", file=sys.stderr)
        final = queued if args.no_wait else await _wait(service, queued)
        return _report(final, transition)

    return run_workspaces(work)


async def _workspace_for(
    service: WorkspaceService, found: FoundEntity, reference: str | None, transition: Transition
) -> WorkspaceInfo:
    from coder_catalog.workspaces.service import WorkspaceError, pick_for_transition

    if reference:
        try:
            return await service.find(found.entity, reference)
        except WorkspaceError as exc:
            if exc.kind != "not-found":
                raise
            raise WorkspaceError(f"--workspace {reference}: {exc.message}", "usage") from None
    listed = await service.list_for(found.entity)
    chosen, choices = pick_for_transition(listed.workspaces, transition)
    if chosen is not None:
        return chosen
    if not choices:
        raise WorkspaceError(f"{found.entity.ref} has no workspaces to {transition}", "usage")
    names = ", ".join(w.label for w in choices)
    raise WorkspaceError(
        f"{found.entity.ref} has several workspaces: pass --workspace with one of {names}", "usage"
    )


# -- waiting and reporting --------------------------------------------------------------------------------


async def _wait(service: WorkspaceService, workspace: WorkspaceInfo) -> WorkspaceInfo:
    from coder_catalog.cli.workspace_targets import BuildProgress

    async with BuildProgress(workspace.name) as progress:
        progress.update(workspace)
        return await service.wait(workspace, progress.update)


_WANTED = {"created": "running", "start": "running", "stop": "stopped"}


def _report(workspace: WorkspaceInfo, action: str) -> int:
    if workspace.building:
        print(f"{workspace.label}: {workspace.url}")
        return EXIT_OK
    if workspace.status != _WANTED[action]:
        error = f": {workspace.job_error}" if workspace.job_error else ""
        print(
            f"coder-catalog: the build of {workspace.name} ended {workspace.status}{error}", file=sys.stderr
        )
        return EXIT_FAILED
    print(f"Workspace {workspace.name} is {workspace.status}: {workspace.url}")
    return EXIT_OK
