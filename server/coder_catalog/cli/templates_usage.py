"""``coder-catalog templates usage [PATH ...]``: which entities use which template (issue 17).

Files are found as ``lint`` finds them (catalog-info.yaml, catalogGlobs, git's ignores), each with the
settings of its folder, and each entity's template is its *effective* one: ``spec.coder.templateName``,
else the app's ``workspaces.defaultTemplateName`` (:func:`coder_catalog.analysis.effective.effective_coder`).
With template data (a snapshot or a deployment) templates are marked deprecated or unknown; offline
the listing is all there is.

``--move OLD=NEW`` rewrites every ``spec.coder.templateName: OLD`` scalar to ``NEW``, keeping its
quoting and everything else in the file: a unified diff by default, in place with ``--write``. Entities
that take OLD from ``defaultTemplateName`` are listed as not changed (the default is changed in the
settings, not in catalog files).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coder_catalog.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    CommandError,
    add_deployment_flags,
    overrides_from_args,
)

if TYPE_CHECKING:
    from coder_catalog.analysis.effective import EffectiveCoder
    from coder_catalog.analysis.findings import TextEdit
    from coder_catalog.settings import Settings
    from coder_catalog.templates.model import Template, TemplateCatalog

# The analysis, the settings and the template sources are imported when the command runs (issue 18).

FORMATS = ("text", "json")
NO_TEMPLATE = "(no template)"


def register(actions: Any) -> None:
    usage = actions.add_parser(
        "usage",
        help="list the entities using each template; move them from one template to another",
        description="List, for each template, the catalog entities that use it (spec.coder.templateName, "
        "else the app's workspaces.defaultTemplateName), flagging deprecated and unknown templates when "
        "a deployment or a snapshot is available. PATHs are found as `lint` finds them.",
    )
    usage.add_argument("paths", nargs="*", metavar="PATH", help="files and folders to search (default: .)")
    usage.add_argument("--format", choices=FORMATS, default="text", help="text or json (default: text)")
    add_deployment_flags(usage)
    usage.add_argument(
        "--offline", action="store_true", help="ask no deployment and read no snapshot: only the listing"
    )
    moving = usage.add_argument_group("moving")
    moving.add_argument(
        "--move",
        metavar="OLD=NEW",
        help="change every spec.coder.templateName: OLD to NEW (a unified diff unless --write)",
    )
    moving.add_argument("--write", action="store_true", help="with --move, change the files in place")
    usage.set_defaults(run=run_usage)


# -- what was found ----------------------------------------------------------------------------------


@dataclass
class Use:
    """One entity using Coder, with its effective template."""

    path: Path
    display: str
    line: int  # 1-based: the templateName value, else the coder key, else the document's start
    entity: str
    effective: EffectiveCoder
    settings: Settings
    segment_start: int  # the file line the entity's document starts at (0-based)
    catalog: TemplateCatalog | None = None

    @property
    def template(self) -> str | None:
        return self.effective.template_name

    @property
    def inherited(self) -> bool:
        return self.effective.template_source == "app-default"

    def found(self) -> Template | None:
        if self.catalog is None or not self.template:
            return None
        return self.catalog.find(self.template)

    def status(self) -> str | None:
        """``active``, ``deprecated``, ``unknown``; None without template data or without a name."""
        if self.catalog is None or not self.template:
            return None
        template = self.found()
        if template is None:
            return "unknown"
        return "deprecated" if template.deprecated else "active"


@dataclass
class FileText:
    path: Path
    display: str
    text: str


@dataclass
class UsageReport:
    uses: list[Use] = field(default_factory=list)
    files: dict[Path, FileText] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # "file: reason" and configuration errors
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # where the template data came from

    def groups(self) -> list[tuple[str | None, list[Use]]]:
        by_name: dict[str | None, list[Use]] = {}
        for use in self.uses:
            by_name.setdefault(use.template, []).append(use)
        return sorted(
            by_name.items(), key=lambda item: (item[0] is None, (item[0] or "").casefold(), item[0])
        )


def collect(
    paths: Sequence[str],
    overrides: Mapping[str, Any],
    *,
    offline: bool,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> UsageReport:
    from coder_catalog.analysis.analyze import CoderUsage
    from coder_catalog.analysis.effective import effective_coder
    from coder_catalog.analysis.entity import Entity
    from coder_catalog.analysis.yaml_tree import Mapping as YamlMapping
    from coder_catalog.cli.lint_discovery import discover
    from coder_catalog.cli.lint_engine import NO_DEPLOYMENT, Analyzers, read_catalog_file
    from coder_catalog.cli.lint_settings import SettingsResolver
    from coder_catalog.cli.lint_templates import Deployment, Snapshot, load_templates, source_of
    from coder_catalog.settings import SettingsError, ingestion_location

    cwd = Path(os.path.abspath(cwd or Path.cwd()))
    env = os.environ if env is None else env
    resolver = SettingsResolver(overrides, env=env, cwd=cwd)
    report = UsageReport()
    found = discover(paths, resolver)
    for path, reason in found.errors:
        report.errors.append(f"{_display(path, cwd)}: {reason}")
    analyzers = Analyzers()
    sources: dict[Any, list[Use]] = {}
    for path in found.files:
        read = read_catalog_file(path, cwd)
        if read.error is not None:
            report.errors.append(f"{read.display}: {read.error}")
            continue
        try:
            settings = resolver.settings_for(path.parent)
        except SettingsError as error:
            for problem in error.all_errors:
                if str(problem) not in report.errors:
                    report.errors.append(str(problem))
            continue
        report.files[path] = FileText(path, read.display, read.text)
        analyzer = analyzers.for_settings(settings)
        location = ingestion_location(settings, str(path))
        for segment in analyzer.segments(read.text):
            parsed = analyzer.parses.parse(segment.text).parsed
            root = parsed.root if parsed is not None else None
            if not isinstance(root, YamlMapping):
                continue
            entity = Entity(root)
            effective = effective_coder(entity, settings, location)
            if entity.coder_entry is None and effective.template_source != "app-default":
                continue
            if effective.template_node is not None and effective.template_source == "catalog":
                line = effective.template_node.span.start.line
            elif entity.coder_entry is not None:
                line = entity.coder_entry.key.span.start.line
            else:
                line = root.span.start.line
            use = Use(
                path,
                read.display,
                segment.start_line + line + 1,
                entity.ref,
                effective,
                settings,
                segment.start_line,
            )
            report.uses.append(use)
            sources.setdefault(source_of(settings, offline=offline), []).append(use)

    usages = {
        source: [
            CoderUsage(
                u.entity,
                u.segment_start,
                u.template,
                u.effective.mode,
                {n: p.value for n, p in u.effective.params.items()},
                True,
            )
            for u in uses
        ]
        for source, uses in sources.items()
    }
    loaded = load_templates(usages, env) if any(s is not None for s in usages) else {}
    for source, uses in sources.items():
        if source is None:
            if offline:
                report.notes.append("offline: deprecated and unknown templates are not flagged")
            else:
                report.notes.append(f"{NO_DEPLOYMENT}: deprecated and unknown templates are not flagged")
            continue
        templates = loaded.get(source)
        catalog = templates.data.catalog if templates is not None else None
        if catalog is None:
            why = templates.data.problem if templates is not None else None
            report.errors.append(
                templates.config_error
                if templates is not None and templates.config_error
                else f"templates not loaded: {why or 'unknown reason'}"
            )
            continue
        if isinstance(source, Snapshot):
            report.sources.append(f"snapshot {_display(Path(source.path), cwd)}")
        elif isinstance(source, Deployment):
            report.sources.append(source.url)
        for use in uses:
            use.catalog = catalog
    return report


def _display(path: Path, cwd: Path) -> str:
    try:
        return str(path.relative_to(cwd))
    except ValueError:
        return str(path)


# -- moving ------------------------------------------------------------------------------------------


@dataclass
class Move:
    old: str
    new: str
    changed: list[Use] = field(default_factory=list)
    not_changed: list[tuple[Use, str]] = field(default_factory=list)
    texts: dict[Path, tuple[str, str]] = field(default_factory=dict)  # path -> (before, after)


_PLAIN_SAFE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")


def scalar_literal(value: str, style: str) -> str | None:
    """``value`` written in the scalar style ``style`` (plain, ``'`` or ``"``); a plain value that YAML
    would not read back as that string is double-quoted. None for block scalars."""
    from coder_catalog.analysis.yaml_tree import resolve_plain

    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if style == '"':
        return json.dumps(value, ensure_ascii=False)
    if style == "":
        if _PLAIN_SAFE.fullmatch(value) and resolve_plain(value) == ("str", value):
            return value
        return json.dumps(value, ensure_ascii=False)
    return None


def plan_move(report: UsageReport, old: str, new: str) -> Move:
    from coder_catalog.analysis.findings import Fix, TextEdit
    from coder_catalog.analysis.fixes import apply_fixes

    move = Move(old, new)
    edits: dict[Path, list[TextEdit]] = {}
    for use in report.uses:
        if use.template is None or use.template.casefold() != old.casefold():  # Coder: any case
            continue
        if use.inherited:
            move.not_changed.append((use, _default_hint(use, new)))
            continue
        node = use.effective.template_node
        file = report.files[use.path]
        literal = scalar_literal(new, node.style) if node is not None and node.is_string else None
        if node is None or literal is None:
            move.not_changed.append((use, "templateName is not a plain or quoted string: change it by hand"))
            continue
        span = node.span.shifted(use.segment_start)
        written = use.template
        if _source_at(file.text, span) != (scalar_literal(written, node.style) if node.style else written):
            move.not_changed.append(
                (use, "templateName is written through an alias, an anchor or escapes: change it by hand")
            )
            continue
        edits.setdefault(use.path, []).append(TextEdit(span, literal))
        move.changed.append(use)
    for path, file_edits in edits.items():
        before = report.files[path].text
        bom = "\ufeff" if before.startswith("\ufeff") else ""
        after, _ = apply_fixes(before[len(bom) :], [Fix(f"Move to {new}", (e,)) for e in file_edits])
        move.texts[path] = (before, bom + after)
    return move


def _source_at(text: str, span: Any) -> str:
    from coder_catalog.analysis.documents import split_lines

    lines = split_lines(text.removeprefix("\ufeff"))
    if span.start.line != span.end.line or span.start.line >= len(lines):
        return ""  # a multi-line scalar: never a template name written as it is
    return lines[span.start.line][span.start.column : span.end.column]


def _default_hint(use: Use, new: str) -> str:
    where = use.settings.project_file
    place = f" in {_display(Path(where), Path.cwd())}" if where else " (`coder-catalog config` shows where)"
    return (
        f"uses the default: workspaces.defaultTemplateName{place}; change the default there, or set "
        f"spec.coder.templateName: {new} on the entity"
    )


# -- the command -------------------------------------------------------------------------------------


def run_usage(args: argparse.Namespace) -> int:
    move_names = _parse_move(args.move) if args.move else None
    if args.write and move_names is None:
        raise CommandError("--write needs --move OLD=NEW")
    if args.offline and args.templates:
        raise CommandError("--offline and --templates exclude each other")
    report = collect(tuple(args.paths) or (".",), overrides_from_args(args), offline=args.offline)
    for error in report.errors:
        print(f"error: {error}", file=sys.stderr)
    code = EXIT_USAGE if report.errors else EXIT_OK
    if move_names is None:
        if args.format == "json":
            json.dump(usage_json(report), sys.stdout, indent=2, ensure_ascii=False)
            sys.stdout.write("\n")
        else:
            sys.stdout.write(usage_text(report))
        return code
    move = plan_move(report, *move_names)
    _warn_new_template(report, move)
    if args.write:
        for path, (_, after) in move.texts.items():
            try:
                path.write_bytes(after.encode("utf-8"))
            except OSError as exc:
                print(
                    f"error: {report.files[path].display}: cannot write: {exc.strerror or exc}",
                    file=sys.stderr,
                )
                code = EXIT_USAGE
    if args.format == "json":
        json.dump(move_json(move, written=args.write), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return code
    if not args.write:
        for path, (before, after) in move.texts.items():
            sys.stdout.writelines(_diff(before, after, report.files[path].display))
    out = sys.stdout if args.write else sys.stderr  # the preview's stdout is the diff alone
    verb = "Moved" if args.write else "Would move"
    files = len(move.texts)
    print(
        f"{verb} {_count(len(move.changed), 'entity', 'entities')} in {_count(files, 'file', 'files')} "
        f"from {move.old} to {move.new}"
        + ("" if args.write or not move.changed else " (apply with --write)"),
        file=out,
    )
    for use, reason in move.not_changed:
        print(f"  not changed: {use.display}:{use.line}  {use.entity}: {reason}", file=out)
    return code


def _parse_move(value: str) -> tuple[str, str]:
    old, sep, new = value.partition("=")
    old, new = old.strip(), new.strip()
    if not sep or not old or not new:
        raise CommandError(f"--move takes OLD=NEW (two template names), not {value!r}")
    if old == new:
        raise CommandError(f"--move {value}: the names are the same")
    return old, new


def _warn_new_template(report: UsageReport, move: Move) -> None:
    catalogs = {id(u.catalog): u.catalog for u in move.changed if u.catalog is not None}
    for catalog in catalogs.values():
        target = catalog.find(move.new)
        where = catalog.deployment_url or "the deployment"
        if target is None:
            print(f'warning: template "{move.new}" does not exist on {where}', file=sys.stderr)
        elif target.deprecated:
            print(f'warning: template "{move.new}" is deprecated on {where}', file=sys.stderr)


def _diff(before: str, after: str, name: str) -> Iterator[str]:
    import difflib

    from coder_catalog.analysis.documents import split_lines

    for line in difflib.unified_diff(split_lines(before), split_lines(after), f"a/{name}", f"b/{name}"):
        yield line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


# -- formats -----------------------------------------------------------------------------------------


def _flag(uses: list[Use]) -> tuple[str | None, str]:
    """A group's status and its text flag (the first entity with template data decides)."""
    for use in uses:
        status = use.status()
        if status is None:
            continue
        if status == "unknown":
            where = use.catalog.deployment_url if use.catalog is not None else ""
            return status, f"UNKNOWN: not a template of {where or 'the deployment'}"
        if status == "deprecated":
            template = use.found()
            message = template.deprecation_message if template is not None else ""
            return status, "DEPRECATED" + (f": {message}" if message else "")
        return status, ""
    return None, ""


def usage_text(report: UsageReport) -> str:
    lines: list[str] = []
    where = f" (templates of {', '.join(report.sources)})" if report.sources else ""
    lines.append(f"{_count(len(report.uses), 'entity', 'entities')} using Coder{where}")
    for note in report.notes:
        lines.append(f"note: {note}")
    for name, uses in report.groups():
        _, flag = _flag(uses)
        title = NO_TEMPLATE if name is None else (name or '""')
        lines.append("")
        lines.append(f"{title}  {_count(len(uses), 'entity', 'entities')}" + (f"  {flag}" if flag else ""))
        for use in uses:
            suffix = "  (workspaces.defaultTemplateName)" if use.inherited else ""
            lines.append(f"  {use.display}:{use.line}  {use.entity}{suffix}")
    return "\n".join(lines) + "\n"


def _use_json(use: Use) -> dict[str, Any]:
    return {
        "entity": use.entity,
        "file": use.display,
        "line": use.line,
        "templateFrom": "defaultTemplateName" if use.inherited else "catalog",
    }


def usage_json(report: UsageReport) -> dict[str, Any]:
    templates = []
    for name, uses in report.groups():
        status, _ = _flag(uses)
        entry: dict[str, Any] = {"name": name, "status": status}
        if status == "deprecated":
            template = next((u.found() for u in uses if u.found() is not None), None)
            entry["deprecationMessage"] = template.deprecation_message if template is not None else ""
        entry["entities"] = [_use_json(u) for u in uses]
        templates.append(entry)
    return {
        "templateSources": report.sources,
        "templates": templates,
        "notes": report.notes,
        "errors": report.errors,
    }


def move_json(move: Move, *, written: bool) -> dict[str, Any]:
    return {
        "from": move.old,
        "to": move.new,
        "written": written,
        "changed": [_use_json(u) for u in move.changed],
        "notChanged": [{**_use_json(u), "reason": reason} for u, reason in move.not_changed],
    }
