"""The entities of a catalog file that have a ``spec.coder`` block (or, on request, every entity: the
plugin shows its card on every entity page, from the app defaults), with what the workspace features
need: where the block is, the plugin's effective settings and the workspace search.

Uses the analyzer's parses and remembers each document's answer (editors ask after every edit).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from coder_catalog.analysis.analyze import Analyzer
from coder_catalog.analysis.documents import Segment
from coder_catalog.analysis.editor.common import DocumentMemo, file_span, line_end, without_bom
from coder_catalog.analysis.effective import EffectiveCoder, effective_coder
from coder_catalog.analysis.entity import entity_of
from coder_catalog.analysis.spans import Position, Span
from coder_catalog.workspaces.plugin_rules import WorkspaceSearch, workspace_search


@dataclass(frozen=True, eq=False, slots=True)
class CoderEntity:
    ref: str  # kind:namespace/name, lower-case kind as Backstage writes references
    kind: str | None
    namespace: str
    name: str | None
    document: Span  # the whole document, file positions
    coder_key: Span  # the ``coder`` key (else ``spec``, else the first key): where a code lens goes
    block: Span  # from the ``coder`` key to the end of its value (without a block: the key above)
    effective: EffectiveCoder
    search: WorkspaceSearch
    has_block: bool = True  # False: an entity without spec.coder, which the card shows from the defaults

    @property
    def template_name(self) -> str | None:
        return self.effective.template_name

    @property
    def mode(self) -> str:
        return self.effective.mode

    def contains_line(self, line: int) -> bool:
        return self.document.start.line <= line <= self.document.end.line


_MEMO: DocumentMemo[CoderEntity | None] = DocumentMemo()


def coder_entities(
    analyzer: Analyzer, text: str, *, everyone: bool = False, location: str | None = None
) -> list[CoderEntity]:
    """Each entity with a ``spec.coder`` block, in file order; with ``everyone``, every entity (those
    without a block as the card shows them, from the app defaults). ``location`` is the source-location
    Backstage writes at ingestion for entities that set none."""
    body, bom = without_bom(text)
    found: list[CoderEntity] = []
    for segment in analyzer.segments(body):
        entity = _MEMO.get(analyzer, segment, lambda s: _segment_entity(analyzer, s, location), location)
        if entity is not None and (everyone or entity.has_block):
            found.append(_after_bom(entity) if bom and segment.start_line == 0 else entity)
    return found


def entity_at_line(entities: list[CoderEntity], line: int) -> CoderEntity | None:
    """The entity whose document holds file line ``line``."""
    starts = [e.document.start.line for e in entities]
    index = bisect.bisect_right(starts, line) - 1
    if index < 0:
        return None
    entity = entities[index]
    return entity if entity.contains_line(line) else None


@dataclass(frozen=True, slots=True)
class EntityReference:
    """``[kind:][namespace/]name``, compared case-insensitively as Backstage does."""

    kind: str | None
    namespace: str | None
    name: str

    @classmethod
    def parse(cls, text: str) -> EntityReference:
        kind, colon, rest = text.strip().partition(":")
        if not colon:
            kind, rest = "", text.strip()
        namespace, slash, name = rest.partition("/")
        if not slash:
            namespace, name = "", rest
        return cls(kind.lower() or None, namespace.lower() or None, name.lower())

    def matches(self, entity: CoderEntity) -> bool:
        return (
            (entity.name or "").lower() == self.name
            and (self.kind is None or (entity.kind or "").lower() == self.kind)
            and (self.namespace is None or entity.namespace.lower() == self.namespace)
        )


def _segment_entity(analyzer: Analyzer, segment: Segment, location: str | None) -> CoderEntity | None:
    parsed = analyzer.parses.parse(segment.text).parsed
    entity = entity_of(parsed.root if parsed is not None else None)
    if entity is None:
        return None
    effective = effective_coder(entity, analyzer.settings, location)
    entry = entity.coder_entry
    if entry is not None:
        key, block = entry.key.span, Span(entry.key.span.start, entry.value.span.end)
    else:
        anchor = entity.root.entry("spec") or entity.root.entry("kind") or entity.root.entries[0]
        key = block = anchor.key.span
    offset = segment.start_line
    return CoderEntity(
        ref=entity.ref,
        kind=entity.kind,
        namespace=entity.namespace,
        name=entity.name,
        document=Span(Position(offset, 0), line_end(segment)),
        coder_key=key.shifted(offset),
        block=block.shifted(offset),
        effective=effective,
        search=workspace_search(effective, analyzer.settings.workspaces.repo_url_param_keys),
        has_block=entry is not None,
    )


def _after_bom(entity: CoderEntity) -> CoderEntity:
    return CoderEntity(
        ref=entity.ref,
        kind=entity.kind,
        namespace=entity.namespace,
        name=entity.name,
        document=file_span(entity.document, True),
        coder_key=file_span(entity.coder_key, True),
        block=file_span(entity.block, True),
        effective=entity.effective,
        search=entity.search,
        has_block=entity.has_block,
    )
