"""``coder-catalog templates list|pull``: what a deployment or a snapshot offers."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from coder_catalog.cli.common import (
    EXIT_OK,
    CommandError,
    add_deployment_flags,
    display_path,
    open_client,
    run_coder,
    settings_from_args,
    template_source,
)

if TYPE_CHECKING:
    from coder_catalog.templates.model import Template, TemplateCatalog

DEFAULT_SNAPSHOT = "coder-templates.json"


def register(commands: Any) -> None:
    parser = commands.add_parser("templates", help="list a deployment's templates or pull a snapshot of them")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="show the templates of a deployment or a snapshot")
    add_deployment_flags(listing)
    listing.add_argument("--json", action="store_true", help="print JSON (the snapshot's template objects)")
    listing.add_argument(
        "--parameters", action="store_true", help="also load and show each template's parameters"
    )
    listing.set_defaults(run=run_list)

    pull = actions.add_parser("pull", help="write a snapshot of a deployment's templates for offline linting")
    add_deployment_flags(pull, snapshot=False)
    pull.add_argument(
        "-o", "--output", metavar="FILE", help=f"where to write it (default: {DEFAULT_SNAPSHOT})"
    )
    pull.set_defaults(run=run_pull)

    from coder_catalog.cli import templates_usage  # the parser only: it imports nothing heavy

    templates_usage.register(actions)


def run_list(args: argparse.Namespace) -> int:
    import asyncio

    from coder_catalog.templates.snapshot import snapshot_document

    settings = settings_from_args(args)
    client = None if settings.templates_snapshot else open_client(settings)
    source = template_source(settings, client)

    async def load() -> TemplateCatalog:
        return await (source.full_catalog(presets=False) if args.parameters else source.catalog())

    catalog = asyncio.run(run_coder(load, client))
    if args.json:
        json.dump(snapshot_document(catalog)["templates"], sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_OK
    print(
        f"Templates of {source.description}"
        + (f" (Coder {catalog.server_version})" if catalog.server_version else "")
    )
    print(format_table(catalog, show_parameters=args.parameters))
    return EXIT_OK


def run_pull(args: argparse.Namespace) -> int:
    import asyncio

    from coder_catalog.coder.cache import TemplateCache
    from coder_catalog.templates.snapshot import write_snapshot

    settings = settings_from_args(args)
    client = open_client(settings)
    source = TemplateCache(client)
    catalog = asyncio.run(run_coder(lambda: source.full_catalog(presets=True), client))
    output = args.output or settings.templates_snapshot or DEFAULT_SNAPSHOT
    try:
        write_snapshot(catalog, output)
    except OSError as exc:
        raise CommandError(f"cannot write {output}: {exc.strerror or exc}") from None
    count = len(catalog.templates)
    deprecated = sum(1 for t in catalog.templates if t.deprecated)
    print(
        f"Wrote {count} templates ({deprecated} deprecated) from {client.url} "
        f"(Coder {catalog.server_version or 'unknown'}) to {display_path(output)}"
    )
    for name, reason in sorted(catalog.unavailable.items()):
        print(
            f'  warning: parameters of template "{name}" are not in the snapshot: {reason}', file=sys.stderr
        )
    return EXIT_OK


def format_table(catalog: TemplateCatalog, *, show_parameters: bool = False) -> str:
    """One row per template; a PARAMETERS column only when parameters were loaded (``--parameters``,
    or a snapshot), then with ``show_parameters`` each template's parameters."""
    templates = sorted(
        catalog.templates, key=lambda t: (t.deprecated, t.organization_name, t.name.casefold())
    )
    rows: list[tuple[str, ...]] = [("NAME", "DISPLAY NAME", "ORGANIZATION", "PARAMETERS", "STATUS")]
    for t in templates:
        rows.append((t.name, t.display_name, t.organization_name, _param_summary(t, catalog), _status(t)))
    if not any(t.parameters is not None or t.name in catalog.unavailable for t in templates):
        rows = [(*row[:3], row[4]) for row in rows]  # not loaded: a column of "-" says nothing
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1]
        for row in rows
    ]
    if show_parameters:
        for t in templates:
            if not t.parameters:
                continue
            lines.append("")
            lines.append(f"{t.name}:")
            for p in t.parameters:
                flags = "required" if p.required else f"default {_quoted(p.default_value, p.type)}"
                quoted = ", ".join(f'"{value}"' for value in p.option_values)
                options = f" one of {quoted}" if p.options else ""
                lines.append(f"  {p.name} ({p.type}, {flags}){options}")
    return "\n".join(line.rstrip() for line in lines)


def _quoted(value: str, parameter_type: str) -> str:
    """A value in double quotes, as the rules quote values; a list's JSON (``["git"]``) as it is."""
    return value if parameter_type.startswith("list(") and value.startswith("[") else f'"{value}"'


def _param_summary(t: Template, catalog: TemplateCatalog) -> str:
    if t.name in catalog.unavailable:
        return "unavailable"
    if t.parameters is None:
        return "-"
    required = sum(1 for p in t.parameters if p.required)
    return f"{len(t.parameters)} ({required} required)"


def _status(t: Template) -> str:
    status = []
    if t.deprecated:
        status.append("deprecated" + (f": {t.deprecation_message}" if t.deprecation_message else ""))
    if t.uses_dynamic_parameters:
        status.append("dynamic parameters")
    return "; ".join(status) or "active"
