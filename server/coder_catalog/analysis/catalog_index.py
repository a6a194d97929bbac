"""An index of the entities of many catalog files and of the references between them.

Pure core (no editor, no network): give it the text of each file; it splits and parses the documents as
the analysis does, and records

- each entity of a file: kind, namespace (``default`` when unset), name, title, description, the file
  and the range of ``metadata.name``;
- each entity reference Backstage's ``BuiltinKindsEntityProcessor`` turns into a relation
  (``spec.owner``, ``system``, ``domain``, ``subcomponentOf``, ``subdomainOf``, ``providesApis``,
  ``consumesApis``, ``dependsOn``, ``dependencyOf``, ``parent``, ``children``, ``members``,
  ``memberOf``), with its position and its target as Backstage resolves it: ``parseEntityRef`` with the
  field's default kind (``owner`` a Group, ``system`` a System, ``members`` a User...; ``dependsOn`` and
  ``dependencyOf`` have none) and the referring entity's namespace as the default namespace.

Backstage compares entity references without regard to case (``Group:Default/Team-A`` is
``group:default/team-a``); so does :meth:`CatalogIndex.resolve`. References Backstage cannot parse
(CC520's findings) and references written as mappings are not recorded.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import cast

from coder_catalog.analysis.analyze import MAX_FILE_CHARACTERS, _suppressed
from coder_catalog.analysis.documents import (
    DocumentCache,
    DocumentParse,
    parse_segment,
    split_documents,
    split_lines,
)
from coder_catalog.analysis.entity import Entity, entity_of
from coder_catalog.analysis.findings import SEVERITY_RANK, Finding, Severity
from coder_catalog.analysis.rules.base import REGISTRY, shorten
from coder_catalog.analysis.rules.kinds import KIND_SPECS, KindSpec, _references, reference_problem
from coder_catalog.analysis.rules.references import UNRESOLVED_REFERENCE
from coder_catalog.analysis.spans import Position, Span
from coder_catalog.analysis.yaml_tree import Node, Scalar
from coder_catalog.analysis.yaml_tree import Sequence as YamlSequence
from coder_catalog.settings import Settings

__all__ = [
    "CatalogIndex",
    "IndexedEntity",
    "IndexedFile",
    "LocationTarget",
    "RefKey",
    "Reference",
    "index_file",
    "parse_reference",
    "unresolved_reference_findings",
]

#: (kind, namespace, name), lower case: how Backstage compares entity references
RefKey = tuple[str, str, str]


def ref_key(kind: str, namespace: str, name: str) -> RefKey:
    return kind.lower(), namespace.lower(), name.lower()


def parse_reference(
    text: str, default_kind: str | None, default_namespace: str
) -> tuple[str, str, str] | None:
    """``parseEntityRef(text, {defaultKind, defaultNamespace})``: (kind, namespace, name) as written or
    defaulted, or None when Backstage throws (an empty part, or no kind and no default kind)."""
    if reference_problem(text, default_kind) is not None:
        return None
    colon = text.find(":")
    slash = text.find("/")
    if slash != -1 and slash < colon:
        colon = -1
    kind = default_kind if colon == -1 else text[:colon]
    namespace = default_namespace if slash == -1 else text[colon + 1 : slash]
    name = text[max(colon + 1, slash + 1) :]
    if not kind:
        return None
    return kind, namespace, name


@dataclass(frozen=True, slots=True)
class IndexedEntity:
    kind: str
    namespace: str
    name: str
    title: str | None
    description: str | None
    uri: str  # the file, as the caller named it
    span: Span  # metadata.name's value, in file positions
    style: str = ""  # its scalar style: "" plain, "'" or '"' quoted, "|" or ">" block

    @property
    def key(self) -> RefKey:
        return ref_key(self.kind, self.namespace, self.name)

    @property
    def ref(self) -> str:
        """``kind:namespace/name`` as Backstage writes entity references (kind in lower case)."""
        return f"{self.kind.lower()}:{self.namespace}/{self.name}"

    def written_from(self, default_kind: str | None, namespace: str) -> str:
        """The shortest reference to this entity from a field whose default kind is ``default_kind``, in
        an entity of ``namespace``: the kind and the namespace left out when they are the defaults."""
        kind = "" if default_kind and default_kind.lower() == self.kind.lower() else f"{self.kind.lower()}:"
        space = "" if self.namespace.lower() == namespace.lower() else f"{self.namespace}/"
        return f"{kind}{space}{self.name}"


@dataclass(frozen=True, slots=True)
class Reference:
    source: IndexedEntity  # the entity whose spec holds the reference
    field: str  # "spec.owner", "spec.dependsOn.1"
    text: str  # the reference as written
    kind: str  # the target, as written or defaulted
    namespace: str
    name: str
    uri: str
    span: Span  # the value, in file positions
    style: str = ""  # its scalar style, as IndexedEntity.style

    @property
    def key(self) -> RefKey:
        return ref_key(self.kind, self.namespace, self.name)

    @property
    def target(self) -> str:
        """The full reference it resolves to, ``kind:namespace/name`` (kind in lower case)."""
        return f"{self.kind.lower()}:{self.namespace}/{self.name}"


@dataclass(frozen=True, slots=True)
class LocationTarget:
    """A ``target``/``targets`` item of a Location entity: another file of the catalog when relative."""

    type: str | None  # the Location's spec.type as written (None: the type of the location that read it)
    target: str
    span: Span


@dataclass(frozen=True, slots=True)
class _SegmentFacts:
    """What one document holds, in positions relative to the document."""

    entity: IndexedEntity | None
    references: tuple[Reference, ...]
    locations: tuple[LocationTarget, ...]


@dataclass(frozen=True, slots=True)
class IndexedFile:
    """The entities, references and Location targets of one file (file positions)."""

    uri: str
    entities: tuple[IndexedEntity, ...]
    references: tuple[Reference, ...]
    locations: tuple[LocationTarget, ...]
    ascii: bool  # columns are UTF-16 code units as well (no conversion needed for LSP)
    bom: bool  # the text starts with a byte order mark
    #: document text -> (its facts relative to the document, the line it started at, placed there)
    memo: dict[str, tuple[_SegmentFacts, int, _SegmentFacts]] = field(repr=False, compare=False)


Parse = Callable[[str], DocumentParse]


def index_file(
    uri: str, text: str, parse: Parse = parse_segment, previous: IndexedFile | None = None
) -> IndexedFile:
    """The facts of one file. Pure (shares nothing): it may run outside the event loop. Documents whose
    text is unchanged since ``previous`` (the same file's earlier version) are not parsed again. A file the
    analysis refuses as too large (CC005) holds nothing."""
    bom = text.startswith("\ufeff")
    if len(text) > MAX_FILE_CHARACTERS:
        return IndexedFile(uri, (), (), (), text.isascii(), bom, {})
    # (a byte order mark that came or went moves the first line's positions: nothing is reused then)
    reuse = previous is not None and previous.uri == uri and previous.bom == bom
    memo = previous.memo if previous is not None and reuse else {}
    kept: dict[str, tuple[_SegmentFacts, int, _SegmentFacts]] = {}
    entities: list[IndexedEntity] = []
    references: list[Reference] = []
    locations: list[LocationTarget] = []
    for segment in split_documents(text.removeprefix("\ufeff")):
        lines = segment.start_line
        known = memo.get(segment.text) or kept.get(segment.text)
        if known is not None and known[1] == lines:
            facts, _, placed = known  # the same document at the same place: nothing to do
        else:
            facts = known[0] if known is not None else _segment_facts(uri, segment.text, parse)
            placed = facts if lines == 0 and not bom else _placed(facts, lines, bom)
        kept[segment.text] = (facts, lines, placed)
        if placed.entity is not None:
            entities.append(placed.entity)
        references.extend(placed.references)
        locations.extend(placed.locations)
    return IndexedFile(uri, tuple(entities), tuple(references), tuple(locations), text.isascii(), bom, kept)


def _segment_facts(uri: str, text: str, parse: Parse) -> _SegmentFacts:
    parsed = parse(text).parsed
    entity = entity_of(parsed.root if parsed is not None else None)
    if entity is None or entity.kind is None or entity.name is None or entity.metadata is None:
        return _NOTHING
    name_node = entity.metadata.get("name")
    assert name_node is not None  # entity.name is a string
    indexed = IndexedEntity(
        entity.kind,
        entity.namespace,
        entity.name,
        _string(entity.metadata.get("title")),
        _string(entity.metadata.get("description")),
        uri,
        name_node.span,
        name_node.style if isinstance(name_node, Scalar) else "",
    )
    references = []
    for field_name, text_value, node in _entity_references(entity):
        target = parse_reference(text_value, _default_kind(entity, field_name), entity.namespace)
        if target is not None:
            style = node.style if isinstance(node, Scalar) else ""
            references.append(Reference(indexed, field_name, text_value, *target, uri, node.span, style))
    return _SegmentFacts(indexed, tuple(references), tuple(_location_targets(entity)))


_NOTHING = _SegmentFacts(None, (), ())


def _placed(facts: _SegmentFacts, lines: int, bom: bool) -> _SegmentFacts:
    def place(span: Span) -> Span:
        return _after_bom(span.shifted(lines)) if bom else span.shifted(lines)

    if facts.entity is None:
        return facts
    e = facts.entity
    entity = IndexedEntity(e.kind, e.namespace, e.name, e.title, e.description, e.uri, place(e.span), e.style)
    return _SegmentFacts(
        entity,
        tuple(
            Reference(entity, r.field, r.text, r.kind, r.namespace, r.name, r.uri, place(r.span), r.style)
            for r in facts.references
        ),
        tuple(LocationTarget(t.type, t.target, place(t.span)) for t in facts.locations),
    )


def _location_targets(entity: Entity) -> Iterator[LocationTarget]:
    if (entity.kind or "").lower() != "location" or entity.spec is None:
        return
    type_ = _string(entity.spec.get("type"))
    target = entity.spec.get("target")
    targets = entity.spec.get("targets")
    items = [target] + (list(targets.items) if isinstance(targets, YamlSequence) else [])
    for item in items:
        value = _string(item)
        if item is not None and value:
            yield LocationTarget(type_, value, item.span)


@dataclass
class CatalogIndex:
    """The entities and references of a set of files; :meth:`add` a file, :meth:`remove` it again.

    ``parses``: a cache of parsed documents to share (the editor's open documents); without one each
    document is parsed on its own and only the facts are kept."""

    parses: DocumentCache | None = None
    _files: dict[str, IndexedFile] = field(default_factory=dict)
    _by_key: dict[RefKey, list[IndexedEntity]] = field(default_factory=dict)
    _references_by_key: dict[RefKey, list[Reference]] = field(default_factory=dict)

    @classmethod
    def of(cls, files: Iterable[tuple[str, str]]) -> CatalogIndex:
        """The index of ``(uri, text)`` pairs."""
        index = cls()
        for uri, text in files:
            index.add(uri, text)
        return index

    # -- building --------------------------------------------------------------------------------

    def add(self, uri: str, text: str) -> IndexedFile:
        """Index a file's entities and references (replacing what was indexed for ``uri``)."""
        parse = self.parses.parse if self.parses is not None else parse_segment
        indexed = index_file(uri, text, parse, self._files.get(uri))
        self.put(indexed)
        return indexed

    def put(self, indexed: IndexedFile) -> None:
        """Take a file's facts (from :func:`index_file`), replacing what was indexed for its uri."""
        self.remove(indexed.uri)
        self._files[indexed.uri] = indexed
        for entity in indexed.entities:
            self._by_key.setdefault(entity.key, []).append(entity)
        for reference in indexed.references:
            self._references_by_key.setdefault(reference.key, []).append(reference)

    def remove(self, uri: str) -> None:
        old = self._files.pop(uri, None)
        if old is None:
            return
        for entity in old.entities:
            same = self._by_key.get(entity.key, [])
            same[:] = [e for e in same if e is not entity]
            if not same:
                self._by_key.pop(entity.key, None)
        for key in {reference.key for reference in old.references}:
            naming = self._references_by_key.get(key, [])
            naming[:] = [r for r in naming if r.uri != old.uri]
            if not naming:
                self._references_by_key.pop(key, None)

    def file(self, uri: str) -> IndexedFile | None:
        return self._files.get(uri)

    # -- asking ------------------------------------------------------------------------------------

    @property
    def uris(self) -> list[str]:
        return list(self._files)

    def __len__(self) -> int:
        return len(self._files)

    def __contains__(self, uri: object) -> bool:
        return uri in self._files

    def entities(self, uri: str | None = None) -> Iterator[IndexedEntity]:
        """Every entity (or those of one file), file by file, in document order."""
        if uri is not None:
            found = self._files.get(uri)
            yield from found.entities if found is not None else ()
            return
        for file in self._files.values():
            yield from file.entities

    def references(self, uri: str | None = None) -> Iterator[Reference]:
        """Every reference (or those written in one file), in document order."""
        if uri is not None:
            found = self._files.get(uri)
            yield from found.references if found is not None else ()
            return
        for file in self._files.values():
            yield from file.references

    def find(self, kind: str, namespace: str, name: str) -> list[IndexedEntity]:
        """The entities of that reference (more than one when files define it twice)."""
        return list(self._by_key.get(ref_key(kind, namespace, name), ()))

    def resolve(self, reference: Reference) -> IndexedEntity | None:
        """The entity a reference names, or None when no indexed file defines it."""
        found = self._by_key.get(reference.key)
        return found[0] if found else None

    def references_naming(self, key: RefKey) -> Iterator[Reference]:
        """The references to ``key``, file by file (in the order the files were indexed) in document
        order."""
        return iter(list(self._references_by_key.get(key, ())))

    def unresolved(self, uri: str | None = None) -> Iterator[Reference]:
        """The references (of one file, or of all) that name no indexed entity."""
        return (r for r in self.references(uri) if r.key not in self._by_key)

    def suggestions(self, reference: Reference, limit: int = 3) -> list[str]:
        """Entities the reference may have meant, as references to write: the same name of another kind
        or namespace first, then names alike of the same kind."""
        kind, namespace, name = reference.key
        same_name = [
            e for key, found in self._by_key.items() if key[2] == name and key != reference.key for e in found
        ]
        same_name.sort(key=lambda e: (e.kind.lower() != kind, e.ref))
        wanted = [_written(e, reference) for e in same_name]
        of_kind: dict[str, IndexedEntity] = {}
        for key, found in self._by_key.items():
            if key[0] == kind:
                of_kind.setdefault(key[2] if key[1] == namespace else f"{key[1]}/{key[2]}", found[0])
        for close in difflib.get_close_matches(name, list(of_kind), n=limit, cutoff=0.6):
            wanted.append(_written(of_kind[close], reference))
        return list(dict.fromkeys(wanted))[:limit]


def unresolved_reference_findings(
    index: CatalogIndex, uri: str, text: str, settings: Settings
) -> list[Finding]:
    """CC601's findings for the file ``uri`` (its ``text`` as indexed): the references that name no
    entity of ``index``. None unless ``settings`` say the catalog is complete (``references.complete``);
    the rule's severity setting and ``# coder-catalog: ignore[CC601]`` comments apply."""
    code = UNRESOLVED_REFERENCE
    severity = settings.rules.get(code, REGISTRY[code].severity)
    if not settings.references_complete or severity not in SEVERITY_RANK:
        return []
    lines = split_lines(text) if "coder-catalog" in text else []
    findings = []
    for reference in index.unresolved(uri):
        message = f'"{reference.field}" names {reference.target}, which no file of the catalog defines'
        suggestions = index.suggestions(reference)
        if suggestions:
            quoted = " or ".join(f'"{suggestion}"' for suggestion in suggestions)
            message += f" (did you mean {quoted}?)"
        finding = Finding(
            code,
            cast(Severity, severity),
            shorten(message),
            reference.span,
            data={"entity": reference.source.ref, "target": reference.target},
        )
        if not _suppressed(finding, lines):
            findings.append(finding)
    return findings


def _written(entity: IndexedEntity, reference: Reference) -> str:
    """The shortest way the referring field can name ``entity``."""
    return entity.written_from(_default_kind_named(reference), reference.source.namespace)


def _default_kind_named(reference: Reference) -> str | None:
    spec = KIND_SPECS.get(reference.source.kind)
    name = reference.field.split(".")[1]
    field_ = spec.reference_fields.get(name) if spec is not None else None
    return field_.reference if field_ is not None else None


def _kind_spec(entity: Entity) -> KindSpec | None:
    """The built-in kind whose relations Backstage emits (``backstage.io`` kinds only, as in CC520)."""
    version = entity.api_version
    if entity.kind is None or version is None or version.partition("/")[0].lower() != "backstage.io":
        return None
    return KIND_SPECS.get(entity.kind)


def _default_kind(entity: Entity, field_path: str) -> str | None:
    spec = _kind_spec(entity)
    field_ = spec.reference_fields.get(field_path.split(".")[1]) if spec is not None else None
    return field_.reference if field_ is not None else None


def _entity_references(entity: Entity) -> Iterator[tuple[str, str, Node]]:
    spec = _kind_spec(entity)
    if spec is None or entity.spec is None:
        return
    for _field, path, node in _references(spec, entity.spec):
        if isinstance(node, Scalar) and node.is_string and isinstance(node.value, str) and node.value:
            yield path, node.value, node


def _string(node: Node | None) -> str | None:
    return node.value if isinstance(node, Scalar) and node.is_string and isinstance(node.value, str) else None


def _after_bom(span: Span) -> Span:
    """Columns on the first line move by one when the file starts with a byte order mark."""
    start, end = span
    if start.line == 0:
        start = Position(0, start.column + 1)
    if end.line == 0:
        end = Position(0, end.column + 1)
    return Span(start, end)
