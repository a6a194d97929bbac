"""Which entities of a catalog file use which template, and moving them from one template to another.

The pure part of ``coder-catalog templates usage`` (no files, no network), shared by the CLI and the
language server. Each entity's template is its *effective* one
(:func:`~coder_catalog.analysis.effective.effective_coder`): ``spec.coder.templateName``, else the
app's ``workspaces.defaultTemplateName``.

Positions are file positions: 0-based lines and columns in code points of the whole file, a byte
order mark counted as the first column of the first line (as the rest of the analysis core gives them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from coder_catalog.analysis.analyze import MAX_FILE_CHARACTERS
from coder_catalog.analysis.documents import DocumentParse, parse_segment, split_documents, split_lines
from coder_catalog.analysis.editor.common import file_span, without_bom
from coder_catalog.analysis.effective import EffectiveCoder, effective_coder
from coder_catalog.analysis.entity import Entity
from coder_catalog.analysis.findings import TextEdit
from coder_catalog.analysis.spans import Span
from coder_catalog.analysis.yaml_tree import Mapping as YamlMapping
from coder_catalog.analysis.yaml_tree import resolve_plain

if TYPE_CHECKING:
    from coder_catalog.settings import Settings
    from coder_catalog.templates.model import TemplateCatalog

K = TypeVar("K", bound=Hashable)

NOT_A_STRING = "templateName is not a plain or quoted string: change it by hand"
NOT_AS_WRITTEN = "templateName is written through an alias, an anchor or escapes: change it by hand"


@dataclass(frozen=True)
class TemplateUse:
    """One entity using Coder, with its effective template."""

    entity: str  # kind:namespace/name (Entity.ref)
    effective: EffectiveCoder
    #: file positions: the templateName value when the catalog sets it, else the ``coder`` key, else
    #: the document's start
    span: Span
    segment_start: int  # the file line the entity's document starts at (0-based)

    @property
    def template(self) -> str | None:
        return self.effective.template_name

    @property
    def inherited(self) -> bool:
        """The template comes from the app's ``workspaces.defaultTemplateName``."""
        return self.effective.template_source == "app-default"


def template_uses(
    text: str,
    settings: Settings,
    default_location: str | None,
    parse: Callable[[str], DocumentParse] | None = None,
) -> list[TemplateUse]:
    """Every entity of the file that uses Coder: with a ``spec.coder`` entry, or taking its template
    from the app default. ``text`` is the whole file; ``default_location`` the source-location Backstage
    writes at ingestion for entities that set none; ``parse`` parses one document (a shared cache's)."""
    parse = parse if parse is not None else parse_segment
    body, bom = without_bom(text)
    if len(body) > MAX_FILE_CHARACTERS:
        return []  # refused, as the Analyzer refuses it
    uses: list[TemplateUse] = []
    for segment in split_documents(body):
        parsed = parse(segment.text).parsed
        root = parsed.root if parsed is not None else None
        if not isinstance(root, YamlMapping):
            continue
        entity = Entity(root)
        effective = effective_coder(entity, settings, default_location)
        if entity.coder_entry is None and effective.template_source != "app-default":
            continue
        if effective.template_node is not None and effective.template_source == "catalog":
            span = effective.template_node.span
        elif entity.coder_entry is not None:
            span = entity.coder_entry.key.span
        else:
            span = Span(root.span.start, root.span.start)
        uses.append(
            TemplateUse(
                entity.ref,
                effective,
                file_span(span.shifted(segment.start_line), bom),
                segment.start_line,
            )
        )
    return uses


def template_status(use: TemplateUse, catalog: TemplateCatalog | None) -> str | None:
    """``active``, ``deprecated`` or ``unknown``; None without template data or without a name."""
    if catalog is None or not use.template:
        return None
    template = catalog.find(use.template)
    if template is None:
        return "unknown"
    return "deprecated" if template.deprecated else "active"


def distinct_catalogs(catalogs: Iterable[TemplateCatalog | None]) -> list[TemplateCatalog]:
    """The template catalogs among ``catalogs``, each once (uses of one deployment share one)."""
    return list({id(c): c for c in catalogs if c is not None}.values())


def successor_name(name: str, catalogs: Iterable[TemplateCatalog | None]) -> str | None:
    """The active template the deprecation message of ``name`` sends users to, in the first catalog that
    names one (``TemplateCatalog.successor_of``)."""
    for catalog in distinct_catalogs(catalogs):
        template = catalog.find(name)
        successor = catalog.successor_of(template) if template is not None else None
        if successor is not None:
            return successor.name
    return None


def target_problems(new: str, catalogs: Iterable[TemplateCatalog | None]) -> list[str]:
    """Why moving entities to the template ``new`` would leave them broken, per deployment: it does not
    exist there, or it is deprecated."""
    problems = []
    for catalog in distinct_catalogs(catalogs):
        found = catalog.find(new)
        where = catalog.deployment_url or "the deployment"
        if found is None:
            problems.append(f'template "{new}" does not exist on {where}')
        elif found.deprecated:
            problems.append(f'template "{new}" is deprecated on {where}')
    return problems


# -- moving ------------------------------------------------------------------------------------------

_PLAIN_SAFE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")


def scalar_literal(value: str, style: str) -> str | None:
    """``value`` written in the scalar style ``style`` (plain, ``'`` or ``"``); a plain value that YAML
    would not read back as that string is double-quoted. None for block scalars."""
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if style == '"':
        return json.dumps(value, ensure_ascii=False)
    if style == "":
        if _PLAIN_SAFE.fullmatch(value) and resolve_plain(value) == ("str", value):
            return value
        return json.dumps(value, ensure_ascii=False)
    return None


@dataclass
class TemplateMove(Generic[K]):
    """What moving from template ``old`` to ``new`` changes: the edits of each file (file positions)."""

    old: str
    new: str
    edits: dict[K, list[TextEdit]] = field(default_factory=dict)
    changed: list[tuple[K, TemplateUse]] = field(default_factory=list)
    not_changed: list[tuple[K, TemplateUse, str]] = field(default_factory=list)  # with the reason


def plan_template_move(
    files: Mapping[K, tuple[str, Sequence[TemplateUse]]],
    old: str,
    new: str,
    default_hint: Callable[[TemplateUse], str],
) -> TemplateMove[K]:
    """Every ``spec.coder.templateName`` naming ``old`` (in any case, as Coder matches names) rewritten
    to ``new`` in the same quoting. ``files`` maps a file's key to its whole text and its uses
    (:func:`template_uses`). Not changed, with the reason: entities taking ``old`` from the app default
    (``default_hint(use)`` says where to change it), and names written as a block scalar, through an
    alias or an anchor, or with escapes."""
    move: TemplateMove[K] = TemplateMove(old, new)
    folded = old.casefold()
    for key, (text, uses) in files.items():
        lines: list[str] | None = None
        for use in uses:
            if use.template is None or use.template.casefold() != folded:
                continue
            if use.inherited:
                move.not_changed.append((key, use, default_hint(use)))
                continue
            node = use.effective.template_node
            literal = scalar_literal(new, node.style) if node is not None and node.is_string else None
            if node is None or literal is None:
                move.not_changed.append((key, use, NOT_A_STRING))
                continue
            if lines is None:
                lines = split_lines(text)
            written = use.template
            if _source_at(lines, use.span) != (
                scalar_literal(written, node.style) if node.style else written
            ):
                move.not_changed.append((key, use, NOT_AS_WRITTEN))
                continue
            move.edits.setdefault(key, []).append(TextEdit(use.span, literal))
            move.changed.append((key, use))
    return move


def _source_at(lines: list[str], span: Span) -> str:
    """The file's text in a one-line span ("" for a span over several lines)."""
    if span.start.line != span.end.line or span.start.line >= len(lines):
        return ""  # a multi-line scalar: never a template name written as it is
    return lines[span.start.line][span.start.column : span.end.column]
