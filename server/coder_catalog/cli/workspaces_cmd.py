"""``coder-catalog workspaces [PATH ...]``: each catalog entity's workspaces, found as the Backstage
Coder plugin finds them (see docs/workspaces.md).

Exit codes: 0 listed; 1 Coder refused (a token rejected...); 2 no entity, or files that could not
be read; 3 the deployment could not be reached.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from coder_catalog.cli.common import EXIT_OK, EXIT_USAGE, CommandError, add_common_flags, display_path

if TYPE_CHECKING:
    from coder_catalog.cli.workspace_targets import Clients, FoundEntity
    from coder_catalog.workspaces.model import EntityWorkspaces
    from coder_catalog.workspaces.service import WorkspaceError

    Outcome = EntityWorkspaces | WorkspaceError

# The catalog reading and the Coder client are imported when the command runs, not when the parser
# is built (issue 18).


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "workspaces",
        help="list the Coder workspaces of each entity in the catalog files",
        description="List each catalog entity's workspaces the way the Backstage Coder plugin finds them: "
        'owner:me param:"<repoUrlParamKey>=<repository URL>" (without a repository URL, all your workspaces).',
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files and folders (default: .)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--all",
        action="store_true",
        help="every entity, also those without a spec.coder block (the plugin's card shows on every entity "
        "page, from the app defaults)",
    )
    add_common_flags(parser)
    parser.set_defaults(run=run_list)


def run_list(args: argparse.Namespace) -> int:
    import asyncio

    from coder_catalog.cli.workspace_targets import exit_code_of, read_catalog, run_workspaces
    from coder_catalog.workspaces.service import WorkspaceError

    catalog = read_catalog(args.paths or ["."], args, everyone=args.all)
    for problem in catalog.problems:
        print(f"coder-catalog: {problem}", file=sys.stderr)
    if not catalog.entities:
        which = "no entity" if args.all else "no entity with a spec.coder block (--all: every entity)"
        raise CommandError(f"{which} in the catalog files named")

    async def list_all(clients: Clients) -> list[Outcome]:
        return list(await asyncio.gather(*(_list_one(clients, found) for found in catalog.entities)))

    outcomes = run_workspaces(list_all)
    if args.json:
        document = {"entities": [entity_json(f, o) for f, o in zip(catalog.entities, outcomes, strict=True)]}
        json.dump(document, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print("\n\n".join(entity_text(f, o) for f, o in zip(catalog.entities, outcomes, strict=True)))
    errors = [exit_code_of(o) for o in outcomes if isinstance(o, WorkspaceError)]
    return max(errors) if errors else (EXIT_USAGE if catalog.problems else EXIT_OK)


async def _list_one(clients: Clients, found: FoundEntity) -> Outcome:
    from coder_catalog.workspaces.service import WorkspaceError

    try:
        return await (await clients.service(found.settings)).list_for(found.entity)
    except WorkspaceError as exc:
        return exc


# -- output ----------------------------------------------------------------------------------------------

COLUMNS = ("NAME", "STATUS", "OUTDATED", "LAST USED", "TEMPLATE", "OWNER", "URL")


def entity_text(found: FoundEntity, outcome: Outcome) -> str:
    from coder_catalog.workspaces.service import WorkspaceError

    entity = found.entity
    head = f"{found.where}  {entity.ref}  (template {entity.template_name or '-'}, {entity.mode} mode)"
    if isinstance(outcome, WorkspaceError):
        return f"{head}\n  error: {outcome.message}"
    lines = [f"{head}: {outcome.summary}"]
    if outcome.workspaces:
        rows = [COLUMNS] + [
            (
                w.name,
                w.status,
                "yes" if w.outdated else "no",
                _when(w.last_used_at),
                w.template,
                w.owner,
                w.url,
            )
            for w in outcome.workspaces
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
        lines += [
            "  " + "  ".join(c.ljust(n) for c, n in zip(row, widths, strict=True)).rstrip() for row in rows
        ]
    if outcome.note:
        lines.append(f"  note: {outcome.note}")
    return "\n".join(lines)


def entity_json(found: FoundEntity, outcome: Outcome) -> dict[str, Any]:
    from coder_catalog.workspaces.service import WorkspaceError

    entity = found.entity
    document: dict[str, Any] = {
        "file": display_path(found.path),
        "line": entity.coder_key.start.line + 1,
        "entity": entity.ref,
        "template": entity.template_name,
        "mode": entity.mode,
        "repositoryUrl": entity.effective.repository.url,
        "queries": list(entity.search.queries),
    }
    if isinstance(outcome, WorkspaceError):
        return {**document, "error": {"reason": outcome.kind, "message": outcome.message}, "workspaces": []}
    return {**document, **outcome.to_json()}


def _when(timestamp: str) -> str:
    """``2025-06-19 11:00`` from Coder's RFC 3339 time (as given: UTC)."""
    if len(timestamp) < 16:
        return timestamp or "-"
    return timestamp[:10] + " " + timestamp[11:16]
