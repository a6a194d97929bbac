"""``coder-catalog open --vscode ENTITY`` and ``coder-catalog apps ENTITY``: a workspace in VS Code, and
its apps (issue 19, points 1-2).

``open --vscode`` prints the ``coder ssh <owner>/<workspace>`` command and Coder's VS Code extension
link (``vscode://coder.coder-remote/open?...``, never with a token), and on a terminal opens the link
(``--print`` only prints). A stopped workspace is started first (``--start``, or asked on a terminal),
and followed until its agent connects. ``apps`` lists the workspace's apps with their URL and whether
they can be opened now (``--json`` for the JSON the editor gets); ``--open SLUG`` opens one (printed,
and opened in the browser on a terminal), refused while it is unhealthy or its agent is not connected.

Exit codes as the other workspace commands: 0 done; 1 Coder refused, the build failed, the agent did
not connect, the app is not ready; 2 usage (no such entity, workspace, agent or app; a stopped
workspace without ``--start`` when nobody can be asked); 3 the deployment could not be reached.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from coder_catalog.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CommandError, add_common_flags

if TYPE_CHECKING:
    from coder_catalog.cli.workspace_targets import Clients, FoundEntity
    from coder_catalog.workspaces.model import WorkspaceInfo
    from coder_catalog.workspaces.service import WorkspaceService


def add_vscode_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--vscode",
        action="store_true",
        help="open the workspace in VS Code (Coder's extension link) and print the `coder ssh` command",
    )
    parser.add_argument("--agent", metavar="NAME", help="with --vscode: which agent, when there are several")
    parser.add_argument(
        "--start", action="store_true", help="with --vscode: start a stopped workspace without asking"
    )


def register(commands: Any) -> None:
    help_text = "list the apps of an entity's workspace, or open one"
    parser = commands.add_parser("apps", help=help_text, description=help_text)
    parser.add_argument("entity", metavar="ENTITY", help="kind:namespace/name, or just the entity's name")
    parser.add_argument("--file", metavar="FILE", help="the catalog file (default: those below .)")
    parser.add_argument("-w", "--workspace", metavar="NAME", help="which workspace (name or id)")
    parser.add_argument("--open", metavar="SLUG", help="open this app (its slug or display name)")
    parser.add_argument("--print", action="store_true", help="with --open: only print the app's URL")
    parser.add_argument("--json", action="store_true", help="print the apps as JSON")
    add_common_flags(parser)
    parser.set_defaults(run=run_apps)


async def _workspace(service: WorkspaceService, found: FoundEntity, reference: str | None) -> WorkspaceInfo:
    from coder_catalog.workspaces.service import WorkspaceError

    if reference:
        try:
            return await service.find(found.entity, reference)
        except WorkspaceError as exc:
            if exc.kind != "not-found":
                raise
            raise WorkspaceError(f"--workspace {reference}: {exc.message}", "usage") from None
    listed = await service.list_for(found.entity)
    best = listed.best()
    if best is None:
        note = f" ({listed.note})" if listed.note else ""
        raise WorkspaceError(f"{found.entity.ref} has no workspaces{note}", "not-found")
    return best


# -- open --vscode ---------------------------------------------------------------------------------------


def run_open_vscode(args: argparse.Namespace) -> int:
    from coder_catalog.cli.workspace_actions_cmd import show_page
    from coder_catalog.cli.workspace_targets import find_entity, run_workspaces

    found = find_entity(args.entity, args)

    async def work(clients: Clients) -> tuple[str, str]:
        from coder_catalog.workspaces import open_in
        from coder_catalog.workspaces.service import needs_start

        service = await clients.service(found.settings)
        workspace = await _workspace(service, found, args.workspace)
        if needs_start(workspace) and not _may_start(workspace, args.start):
            raise CommandError(
                f"{workspace.name} is {workspace.status}: pass --start to start it and open it", EXIT_USAGE
            )
        if needs_start(workspace) or workspace.building:
            print(f"Starting {workspace.name}...", file=sys.stderr)
        running, agents = await _until_running(service, workspace)
        link = open_in.vscode_link(service.access_url, running, agents, args.agent)
        return open_in.ssh_command(running, agents, args.agent), link

    ssh, link = run_workspaces(work)
    print(ssh)
    show_page(link, args.print)
    return EXIT_OK


def _may_start(workspace: WorkspaceInfo, start: bool) -> bool:
    from coder_catalog.cli.workspace_targets import is_interactive

    if start:
        return True
    if not is_interactive():
        return False
    answer = input(f"{workspace.name} is {workspace.status}. Start it and open it in VS Code? [y/N]: ")
    return answer.strip().lower().startswith("y")


async def _until_running(service: WorkspaceService, workspace: WorkspaceInfo) -> tuple[WorkspaceInfo, Any]:
    from coder_catalog.cli.workspace_targets import BuildProgress
    from coder_catalog.workspaces import open_in

    async with BuildProgress(workspace.name) as progress:
        progress.status = workspace.status

        def report(message: str) -> None:
            progress.status = message.split(": ", 1)[-1]

        return await open_in.ensure_running(service, workspace, report)


# -- apps --------------------------------------------------------------------------------------------------


def run_apps(args: argparse.Namespace) -> int:
    from coder_catalog.cli.workspace_actions_cmd import show_page
    from coder_catalog.cli.workspace_targets import find_entity, run_workspaces

    found = find_entity(args.entity, args)

    async def work(clients: Clients) -> tuple[WorkspaceInfo, list[Any]]:
        from coder_catalog.workspaces import open_in

        service = await clients.service(found.settings)
        workspace, agents = await open_in.agents_of(service, await _workspace(service, found, args.workspace))
        subdomains = any(app.subdomain for agent in agents for app in agent.apps)
        host = await open_in.app_host(service) if subdomains else ""
        return workspace, open_in.app_entries(service.access_url, host, workspace, agents)

    workspace, entries = run_workspaces(work)
    if args.open:
        from coder_catalog.workspaces.open_in import find_app
        from coder_catalog.workspaces.service import WorkspaceError

        try:
            chosen = find_app(entries, args.open)
        except WorkspaceError as exc:
            raise CommandError(exc.message, EXIT_USAGE) from None
        if not chosen.openable or chosen.url is None:
            raise CommandError(
                f"not opening {chosen.display_name} of {workspace.name}: {chosen.problem}", EXIT_FAILED
            )
        show_page(chosen.url, args.print, f"{chosen.display_name}: ")
        return EXIT_OK
    if args.json:
        print(
            json.dumps({"workspace": workspace.to_json(), "apps": [e.to_json() for e in entries]}, indent=2)
        )
        return EXIT_OK
    print(f"{workspace.label}: {len(entries)} app{'' if len(entries) == 1 else 's'}")
    if not workspace.running:
        print(f"  {workspace.name} is {workspace.status}: start it to use its apps")
    rows = [("SLUG", "NAME", "AGENT", "STATE", "URL")] + [
        (e.slug, e.display_name, e.agent, e.problem or "ready", e.url or "-") for e in entries
    ]
    if entries:
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for row in rows:
            print("  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4])
    return EXIT_OK
