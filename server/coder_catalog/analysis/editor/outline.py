"""The outline of a catalog file: one symbol per entity, with its ``spec.coder`` block inside.

Uses the analyzer's parses (no document is parsed twice), so a 2,000-entity file costs a walk
over the documents and their ``spec.coder`` blocks only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from coder_catalog.analysis.analyze import Analyzer
from coder_catalog.analysis.documents import Segment
from coder_catalog.analysis.editor.common import DocumentMemo, file_span, line_end, without_bom
from coder_catalog.analysis.entity import Entity, entity_of
from coder_catalog.analysis.spans import Position, Span
from coder_catalog.analysis.yaml_tree import Entry, Mapping, Node, Scalar, Sequence, is_null

SymbolKind = Literal["entity", "document", "coder", "templateName", "mode", "params", "parameter"]
_CODER_KEYS: tuple[SymbolKind, ...] = ("templateName", "mode", "params")


@dataclass(frozen=True, slots=True)
class Symbol:
    """An outline entry; ``selection_span`` (the name) lies inside ``span`` (the whole thing)."""

    name: str
    detail: str
    kind: SymbolKind
    span: Span
    selection_span: Span
    children: tuple[Symbol, ...] = ()


_MEMO: DocumentMemo[Symbol | None] = DocumentMemo()


def symbols(analyzer: Analyzer, text: str) -> list[Symbol]:
    """One symbol per document that parses: entities as ``Kind name``, others as ``Document N``."""
    text, bom = without_bom(text)
    found = []
    for segment in analyzer.segments(text):
        symbol = _MEMO.get(analyzer, segment, lambda s: _segment_symbol(analyzer, s))
        if symbol is not None:
            found.append(_after_bom(symbol) if bom and segment.start_line == 0 else symbol)
    return found


def _segment_symbol(analyzer: Analyzer, segment: Segment) -> Symbol | None:
    parsed = analyzer.parses.parse(segment.text).parsed
    if parsed is None or parsed.root is None or is_null(parsed.root):
        return None  # an empty document: no entity, nothing to show
    return _document_symbol(segment, parsed.root)


def _document_symbol(segment: Segment, root: Node) -> Symbol:
    span = Span(Position(segment.start_line, 0), line_end(segment))
    entity = entity_of(root)
    if entity is None:
        start = _at(root.start_mark, segment.start_line)
        return Symbol(f"Document {segment.index + 1}", root.kind, "document", span, Span(start, start))
    name_node = _name_node(entity)
    selection = (
        _node_span(name_node, segment.start_line) if name_node is not None else Span(span.start, span.start)
    )
    coder = _coder_symbol(entity, _Place(segment.start_line, (span.end.line, span.end.column)))
    return Symbol(
        f"{entity.kind or 'Entity'} {entity.name or '<unnamed>'}",
        _entity_detail(entity),
        "entity",
        span,
        selection,
        (coder,) if coder is not None else (),
    )


@dataclass(frozen=True, slots=True)
class _Place:
    """Where a document is: its first file line, and the end of its last line (line, column)."""

    first_line: int
    end: tuple[int, int]


def _at(mark: Any, first_line: int) -> Position:
    return Position(mark.line + first_line, mark.column)


def _node_span(node: Node, first_line: int) -> Span:
    return Span(_at(node.start_mark, first_line), _at(node.end_mark, first_line))


def _name_node(entity: Entity) -> Node | None:
    name = entity.metadata.get("name") if entity.metadata is not None else None
    return name if name is not None else entity.root.get("kind")


def _entity_detail(entity: Entity) -> str:
    facts = []
    if entity.namespace != "default":
        facts.append(f"namespace {entity.namespace}")
    template = entity.coder.get("templateName") if entity.coder is not None else None
    if isinstance(template, Scalar) and template.is_string and template.value:
        facts.append(f"template {template.value}")
    return " · ".join(facts)


def _coder_symbol(entity: Entity, place: _Place) -> Symbol | None:
    entry = entity.coder_entry
    if entry is None:
        return None
    coder = entity.coder
    children: list[Symbol] = []
    if coder is not None:
        for kind in _CODER_KEYS:
            child = coder.entry(kind)
            if child is not None:
                children.append(_entry_symbol(child, kind, place))
    detail = "" if coder is not None else "empty: breaks the plugin's card"
    return _entry_symbol(entry, "coder", place, detail, tuple(children))


def _entry_symbol(
    entry: Entry,
    kind: SymbolKind,
    place: _Place,
    detail: str | None = None,
    children: tuple[Symbol, ...] = (),
) -> Symbol:
    key = entry.key
    start = _at(key.start_mark, place.first_line)
    key_span = Span(start, _at(key.end_mark, place.first_line))
    if kind == "params" and isinstance(entry.value, Mapping):
        children = tuple(_entry_symbol(e, "parameter", place) for e in entry.value.entries if e.key_text)
    if detail is None:
        detail = _value_text(entry.value)
    return Symbol(
        entry.key_text or "", detail, kind, Span(start, _content_end(entry, place)), key_span, children
    )


def _value_text(node: Node) -> str:
    if isinstance(node, Scalar):
        return node.text if node.type != "null" else "(empty)"
    return ""


def _content_end(entry: Entry, place: _Place) -> Position:
    """Where an entry's content ends: the parser's mark of a block is where the next thing starts,
    and a block scalar's is past the document's last line."""
    value = entry.value
    while True:
        if isinstance(value, Mapping) and not value.flow and value.entries:
            entry = value.entries[-1]
            value = entry.value
        elif isinstance(value, Sequence) and not value.flow and value.items:
            value = value.items[-1]
        else:
            break
    mark = entry.key.end_mark if isinstance(value, Scalar) and value.type == "null" else value.end_mark
    line = mark.line + place.first_line
    if (line, mark.column) > place.end:
        return Position(*place.end)
    return Position(line, mark.column)


def _after_bom(symbol: Symbol) -> Symbol:
    return replace(
        symbol,
        span=file_span(symbol.span, True),
        selection_span=file_span(symbol.selection_span, True),
        children=tuple(_after_bom(c) for c in symbol.children),
    )
