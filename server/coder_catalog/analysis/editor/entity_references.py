"""Editor features on entity references, across the files of a :class:`CatalogIndex`: what is under the
cursor, its definition, every place naming the same entity, highlights, rename, completion of references
from the index, hover on a reference, and the entities matching a workspace-symbol query.

Pure core: positions are file positions (0-based lines, code points); the language server converts them
and supplies the index.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

from coder_catalog.analysis.analyze import Analyzer
from coder_catalog.analysis.catalog_index import (
    CatalogIndex,
    IndexedEntity,
    Reference,
    RefKey,
    ref_key,
)
from coder_catalog.analysis.editor import markdown as md
from coder_catalog.analysis.editor.completion import Proposal, yaml_string
from coder_catalog.analysis.editor.cursor import CursorContext, block_values, context_at, shape
from coder_catalog.analysis.findings import TextEdit
from coder_catalog.analysis.rules.envelope import name_problem
from coder_catalog.analysis.rules.kinds import KIND_SPECS
from coder_catalog.analysis.spans import Position, Span
from coder_catalog.analysis.template_usage import scalar_literal
from coder_catalog.analysis.yaml_tree import resolve_plain

__all__ = [
    "ACCEPTED_KINDS",
    "EntityTarget",
    "Occurrence",
    "ReferenceSlot",
    "RenameRefused",
    "occurrences",
    "reference_hover",
    "reference_proposals",
    "reference_slot",
    "rename_edits",
    "rename_span",
    "target_at",
    "workspace_symbols",
]

T = TypeVar("T", IndexedEntity, Reference)

#: the kinds of entity each reference field names in Backstage's model (its relations' documentation):
#: what completion proposes there. The first is the field's default kind, when it has one.
ACCEPTED_KINDS: dict[str, tuple[str, ...]] = {
    "owner": ("Group", "User"),
    "system": ("System",),
    "domain": ("Domain",),
    "subdomainOf": ("Domain",),
    "subcomponentOf": ("Component",),
    "providesApis": ("API",),
    "consumesApis": ("API",),
    "dependsOn": ("Component", "Resource"),
    "dependencyOf": ("Component", "Resource"),
    "parent": ("Group",),
    "children": ("Group",),
    "members": ("User",),
    "memberOf": ("Group",),
}


@dataclass(frozen=True, slots=True)
class EntityTarget:
    """The entity named under the cursor: by a reference, or by its own ``metadata.name``."""

    key: RefKey
    span: Span  # the reference's value, or the name's
    reference: Reference | None = None
    entity: IndexedEntity | None = None  # when the cursor is on a definition


def target_at(index: CatalogIndex, uri: str, position: Position) -> EntityTarget | None:
    indexed = index.file(uri)
    if indexed is None:
        return None
    entity = _last_starting_at(indexed.entities, position)
    if entity is not None and entity.span.contains(position):
        return EntityTarget(entity.key, entity.span, entity=entity)
    reference = _last_starting_at(indexed.references, position)
    if reference is not None and reference.span.contains(position):
        return EntityTarget(reference.key, reference.span, reference=reference)
    return None


def _last_starting_at(items: Sequence[T], position: Position) -> T | None:
    """The last of ``items`` (in document order, not overlapping) starting at or before ``position``:
    the only one that may contain it."""
    found = bisect.bisect_right(items, position, key=_start)
    return items[found - 1] if found else None


def _start(item: IndexedEntity | Reference) -> Position:
    return item.span.start


@dataclass(frozen=True, slots=True)
class Occurrence:
    uri: str
    span: Span
    role: Literal["definition", "reference"]
    entity: IndexedEntity | None = None
    reference: Reference | None = None


def occurrences(index: CatalogIndex, key: RefKey, *, definitions: bool = True) -> list[Occurrence]:
    """Every place that names the entity ``key``: its definitions first (when asked), then each
    reference, file by file (in the order the index took them) in document order."""
    found: list[Occurrence] = []
    if definitions:
        found.extend(Occurrence(e.uri, e.span, "definition", entity=e) for e in index.find(*key))
    found.extend(Occurrence(r.uri, r.span, "reference", reference=r) for r in index.references_naming(key))
    return found


# -- rename ------------------------------------------------------------------------------------------


class RenameRefused(Exception):
    """Why a rename cannot be done; the message is for the user."""


def rename_span(index: CatalogIndex, uri: str, position: Position) -> EntityTarget:
    """What a rename at ``position`` would change (for ``prepareRename``); refused with the reason
    when the cursor is on no entity name or reference."""
    target = target_at(index, uri, position)
    if target is None:
        raise RenameRefused("Put the cursor on an entity's metadata.name or on a reference to an entity.")
    return target


def rename_edits(
    index: CatalogIndex, uri: str, position: Position, new_name: str
) -> dict[str, list[TextEdit]]:
    """The edits renaming the entity under the cursor to ``new_name``: its ``metadata.name`` in every
    file defining it and every reference to it, each reference keeping its form (``group:default/team-a``
    becomes ``group:default/team-b``, ``team-a`` becomes ``team-b``) and its quoting."""
    target = rename_span(index, uri, position)
    kind, namespace, old_name = target.key
    new_name = new_name.strip()
    problem = name_problem(new_name)
    if problem is not None:
        raise RenameRefused(f'"{new_name}" is not a valid entity name: {problem}')
    if new_name.lower() != old_name and index.find(kind, namespace, new_name):
        existing = index.find(kind, namespace, new_name)[0]
        raise RenameRefused(f"{existing.ref} already exists ({existing.uri}): pick another name")
    edits: dict[str, list[TextEdit]] = {}
    for occurrence in occurrences(index, target.key):
        if occurrence.entity is not None:
            literal = scalar_literal(new_name, occurrence.entity.style)
            where = f"metadata.name of {occurrence.entity.ref}"
        else:
            assert occurrence.reference is not None
            written = occurrence.reference.text
            cut = max(written.rfind(":"), written.rfind("/")) + 1  # the name is the last part
            literal = _reference_literal(written[:cut] + new_name, occurrence.reference.style)
            where = f"{occurrence.reference.field} of {occurrence.reference.source.ref}"
        if literal is None:
            raise RenameRefused(f"{where} in {occurrence.uri} is a block scalar: rename it by hand")
        edits.setdefault(occurrence.uri, []).append(TextEdit(occurrence.span, literal))
    return edits


# -- hover -------------------------------------------------------------------------------------------


def reference_hover(index: CatalogIndex, uri: str, position: Position) -> tuple[str, Span] | None:
    """Markdown describing the entity a reference under the cursor names (or saying that none does)."""
    target = target_at(index, uri, position)
    if target is None or target.reference is None:
        return None
    reference = target.reference
    found = index.find(*target.key)
    if not found:
        lines = [f"{md.code(reference.target)}: no entity of the indexed catalog has this reference."]
        suggestions = index.suggestions(reference)
        if suggestions:
            lines.append("Did you mean " + " or ".join(md.code(s) for s in suggestions) + "?")
        return "\n\n".join(lines), target.span
    return entity_markdown(found[0], len(found)), target.span


def entity_markdown(entity: IndexedEntity, count: int = 1) -> str:
    title = f"**{md.escape(entity.title)}** " if entity.title else ""
    parts = [f"{title}{md.code(entity.ref)}"]
    if entity.description:
        parts.append(md.description(entity.description))
    where = f"Defined in `{md.escape(_file_name(entity.uri))}`, line {entity.span.start.line + 1}"
    if count > 1:
        where += f" (and {count - 1} more file{'s' if count > 2 else ''}: the same entity is defined twice)"
    parts.append(where)
    return "\n\n".join(parts)


def _file_name(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


# -- completion --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReferenceSlot:
    """The cursor is where a reference is written: the value of a reference field of ``spec`` (or an
    item of its block list)."""

    field: str
    span: Span  # the token a proposal replaces
    quote: str  # the quote the author typed, "" when plain
    default_kind: str | None  # the field's default kind (None: the reference must name its kind)
    namespace: str  # the referring entity's namespace
    own: RefKey | None  # the referring entity itself

    @property
    def accepted(self) -> frozenset[str]:
        return frozenset(kind.lower() for kind in ACCEPTED_KINDS.get(self.field, ()))


def reference_slot(analyzer: Analyzer, text: str, line: int, column: int) -> ReferenceSlot | None:
    ctx = context_at(analyzer, text, line, column)
    found = _reference_slot(ctx)
    if found is None:
        return None
    field_name, token, quote = found
    spec = KIND_SPECS.get(_entity_kind(ctx) or "")
    field = spec.reference_fields.get(field_name) if spec is not None else None
    if field is None:
        return None
    return ReferenceSlot(field_name, token, quote, field.reference, _entity_namespace(ctx), _own_name(ctx))


def reference_proposals(index: CatalogIndex, slot: ReferenceSlot) -> list[Proposal]:
    """References to the indexed entities a reference field of ``spec`` accepts (``owner`` proposes
    Groups and Users), written as briefly as Backstage reads them back: the field's default kind and the
    entity's own namespace left out."""
    accepted, default_kind, namespace = slot.accepted, slot.default_kind, slot.namespace
    proposals = []
    for entity in index.entities():
        if accepted and entity.kind.lower() not in accepted:
            continue
        if entity.key == slot.own:
            continue
        written = entity.written_from(default_kind, namespace)
        detail = entity.title or entity.ref
        documentation = entity_markdown(entity)
        proposals.append(
            Proposal(
                label=written,
                kind="entity",
                detail=detail,
                documentation=documentation,
                insert_text=_literal(written, slot.quote),
                replace_span=slot.span,
                sort_text=f"{0 if (default_kind or '').lower() == entity.kind.lower() else 1}{written.lower()}",
                filter_text=written,
            )
        )
    return proposals


def _reference_slot(ctx: CursorContext) -> tuple[str, Span, str] | None:
    """(field, the token a proposal replaces, its quote) when the cursor is on the value of a reference
    field of ``spec``, or on an item of its block list."""
    if ctx.path != ("spec",) or ctx.key is None or ctx.key not in ACCEPTED_KINDS:
        return None
    if ctx.part == "value":
        return ctx.key, ctx.token_span, ctx.quote
    row = ctx.row
    if ctx.part != "other" or not 0 <= row < len(ctx.lines):
        return None
    line_shape = shape(ctx.lines[row])
    if not line_shape.dash or line_shape.colon >= 0:
        return None
    start, end = line_shape.key_start, max(line_shape.key_end, ctx.position.column)
    if not start <= ctx.position.column <= end:
        return None
    token = ctx.file_span(row, start, end) if ctx.segment is not None else Span.of(row, start, row, end)
    quote = ctx.lines[row][start] if start < len(ctx.lines[row]) and ctx.lines[row][start] in "'\"" else ""
    return ctx.key, token, quote


def _entity_kind(ctx: CursorContext) -> str | None:
    if ctx.entity is not None and ctx.entity.kind is not None:
        return ctx.entity.kind
    return dict(block_values(ctx.lines, ())).get("kind")


def _entity_namespace(ctx: CursorContext) -> str:
    if ctx.entity is not None:
        return ctx.entity.namespace
    return dict(block_values(ctx.lines, ("metadata",))).get("namespace") or "default"


def _own_name(ctx: CursorContext) -> RefKey | None:
    entity = ctx.entity
    if entity is None or entity.kind is None or entity.name is None:
        return None
    return ref_key(entity.kind, entity.namespace, entity.name)


_PLAIN_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:/-]*")


def _literal(written: str, quote: str) -> str:
    """A reference as YAML: plain when YAML reads it back as that string (``component:api`` is), else
    quoted (with the quote the author typed)."""
    if not quote and _PLAIN_REFERENCE.fullmatch(written) and resolve_plain(written) == ("str", written):
        return written
    return yaml_string(written, quote or '"')


def _reference_literal(value: str, style: str) -> str | None:
    """A reference in the scalar style it was written in (plain stays plain when YAML reads it back)."""
    if style == "" and _PLAIN_REFERENCE.fullmatch(value) and resolve_plain(value) == ("str", value):
        return value
    return scalar_literal(value, style)


# -- workspace symbols -------------------------------------------------------------------------------


def workspace_symbols(index: CatalogIndex, query: str, limit: int = 1000) -> list[IndexedEntity]:
    """The entities whose reference (``kind:namespace/name``) or title contain the query's characters in
    order (as editors filter symbols), best first: a name starting with the query, then containing it."""
    wanted = query.strip().lower()
    ranked: list[tuple[int, str, IndexedEntity]] = []
    for entity in index.entities():
        rank = _match_rank(entity, wanted)
        if rank is not None:
            ranked.append((rank, entity.ref.lower(), entity))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [entity for _, _, entity in ranked[:limit]]


def _match_rank(entity: IndexedEntity, wanted: str) -> int | None:
    if not wanted:
        return 0
    name = entity.name.lower()
    if name.startswith(wanted):
        return 0
    if wanted in name:
        return 1
    if wanted in f"{entity.ref} {entity.title or ''}".lower():
        return 2
    position = 0
    for char in wanted:  # the query's characters in order in the name (``tma`` finds ``team-a``)
        position = name.find(char, position) + 1
        if position == 0:
            return None
    return 3
