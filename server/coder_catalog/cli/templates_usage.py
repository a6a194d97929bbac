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

The files, the settings and the template sources are the CLI's; finding the uses and planning a move
are :mod:`coder_catalog.analysis.template_usage`'s (the language server's too).
"""

from __future__ import annotations

import argparse
import json
import os
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
    from coder_catalog.analysis.template_usage import TemplateUse
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
    """One entity using Coder (:class:`~coder_catalog.analysis.template_usage.TemplateUse`), in its file,
    with the settings of its folder and the template data of their source."""

    path: Path
    display: str
    core: TemplateUse
    settings: Settings
    catalog: TemplateCatalog | None = None

    @property
    def line(self) -> int:
        """1-based: the templateName value, else the coder key, else the document's start."""
        return self.core.span.start.line + 1

    @property
    def entity(self) -> str:
        return self.core.entity

    @property
    def effective(self) -> EffectiveCoder:
        return self.core.effective

    @property
    def segment_start(self) -> int:
        """The file line the entity's document starts at (0-based)."""
        return self.core.segment_start

    @property
    def template(self) -> str | None:
        return self.core.template

    @property
    def inherited(self) -> bool:
        return self.core.inherited

    def found(self) -> Template | None:
        if self.catalog is None or not self.template:
            return None
        return self.catalog.find(self.template)

    def status(self) -> str | None:
        """``active``, ``deprecated``, ``unknown``; None without template data or without a name."""
        from coder_catalog.analysis.template_usage import template_status

        return template_status(self.core, self.catalog)


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
    from coder_catalog.analysis.documents import DocumentCache
    from coder_catalog.analysis.template_usage import template_uses
    from coder_catalog.catalog_files import SettingsResolver, discover
    from coder_catalog.cli.lint_engine import NO_DEPLOYMENT, read_catalog_file
    from coder_catalog.cli.lint_templates import Deployment, Snapshot, load_templates, source_of
    from coder_catalog.settings import SettingsError, ingestion_location

    cwd = Path(os.path.abspath(cwd or Path.cwd()))
    env = os.environ if env is None else env
    resolver = SettingsResolver(overrides, env=env, cwd=cwd)
    report = UsageReport()
    found = discover(paths, resolver)
    for path, reason in found.errors:
        report.errors.append(f"{_display(path, cwd)}: {reason}")
    parses = DocumentCache()  # one cache for every settings, as lint's analyzers share one
    sources: dict[Any, list[Use]] = {}
    for path in found.files:
        read = read_catalog_file(path, cwd, found.contents.pop(str(path), None))
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
        location = ingestion_location(settings, str(path))
        for core in template_uses(read.text, settings, location, parses.parse):
            use = Use(path, read.display, core, settings)
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


def plan_move(report: UsageReport, old: str, new: str) -> Move:
    from coder_catalog.analysis.findings import Fix
    from coder_catalog.analysis.fixes import apply_fixes
    from coder_catalog.analysis.template_usage import plan_template_move

    by_core = {id(use.core): use for use in report.uses}
    files: dict[Path, tuple[str, list[TemplateUse]]] = {}
    for use in report.uses:
        files.setdefault(use.path, (report.files[use.path].text, []))[1].append(use.core)
    planned = plan_template_move(files, old, new, lambda core: _default_hint(by_core[id(core)], new))
    move = Move(old, new)
    move.changed = [by_core[id(core)] for _, core in planned.changed]
    move.not_changed = [(by_core[id(core)], reason) for _, core, reason in planned.not_changed]
    for path, file_edits in planned.edits.items():
        before = report.files[path].text
        # File positions (a byte order mark is the first line's first column): applied to the whole text.
        after, _ = apply_fixes(before, [Fix(f"Move to {new}", (e,)) for e in file_edits])
        move.texts[path] = (before, after)
    return move


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
    from coder_catalog.analysis.template_usage import target_problems

    for problem in target_problems(move.new, (u.catalog for u in move.changed)):
        print(f"warning: {problem}", file=sys.stderr)


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
            successor = _successor(uses)
            hint = (
                f" (move them: --move {template.name if template else use.template}={successor})"
                if successor
                else ""
            )
            return status, "DEPRECATED" + (f": {message}" if message else "") + hint
        return status, ""
    return None, ""


def _successor(uses: list[Use]) -> str | None:
    """The active template a deprecated one's message names (``TemplateCatalog.successor_of``)."""
    from coder_catalog.analysis.template_usage import successor_name

    name = uses[0].template if uses else None
    return successor_name(name, (u.catalog for u in uses)) if name else None


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
            successor = _successor(uses)
            if successor is not None:
                entry["replacement"] = successor
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
