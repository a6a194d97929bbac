"""One YAML document as a tree of nodes that know where they are.

Scalars are resolved with the YAML 1.2 core schema, as Backstage reads catalog files:
``yes``/``no``/``on``/``off`` are strings; ``8080``, ``0x1F``, ``1e3``, ``true`` and ``null``
are not. Composition uses libyaml when available (PyYAML's C composer), which keeps every
node's start and end position; we then build our own nodes so that resolution, duplicate
keys and alias expansion are under our control.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from coder_catalog.analysis.spans import Position, Span


class _NoResolution:
    """PyYAML would resolve every implicit tag with YAML 1.1 rules, in Python; we resolve with
    YAML 1.2 ourselves, so implicit nodes get the empty tag and explicit tags stay as written."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        return ""

    def descend_resolver(self, parent: Any, index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


try:
    from yaml.cyaml import CParser  # type: ignore[attr-defined]

    class _Loader(_NoResolution, CParser):
        pass

except ImportError:  # pragma: no cover - PyYAML without libyaml

    class _Loader(  # type: ignore[no-redef]
        _NoResolution, yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer
    ):
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)


# YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution)
_NULL = re.compile(r"~|null|Null|NULL|")
_BOOL = re.compile(r"true|True|TRUE|false|False|FALSE")
_INT10 = re.compile(r"[-+]?[0-9]+")
_INT8 = re.compile(r"0o[0-7]+")
_INT16 = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)")
_NAN = re.compile(r"\.(nan|NaN|NAN)")

MAX_EXPANDED_NODES = 100_000
# The `yaml` package Backstage reads catalog files with refuses a document whose aliases resolve too
# often (its toJS option maxAliasCount, 100 by default): "Excessive alias count indicates a resource
# exhaustion attack", and the catalog then reads nothing more of the file.
MAX_ALIAS_COUNT = 100
STR_TAG = "tag:yaml.org,2002:str"


class YamlRefused(Exception):
    """A document the analysis will not take in whole: it is reported, not checked."""

    def __init__(self, message: str, span: Span) -> None:
        super().__init__(message)
        self.span = span


class YamlTooLarge(YamlRefused):
    """Aliases would expand the document beyond what any catalog file needs (a 'billion laughs')."""

    def __init__(self, span: Span, size: int) -> None:
        super().__init__(f"aliases expand this document to more than {size:,} nodes", span)


class YamlTooManyAliases(YamlRefused):
    """An anchor resolved more often than Backstage's YAML reader allows (see MAX_ALIAS_COUNT)."""

    def __init__(self, span: Span) -> None:
        super().__init__(
            f"aliases resolve more than {MAX_ALIAS_COUNT} times (Backstage's YAML reader refuses the file: "
            '"Excessive alias count")',
            span,
        )


class YamlTooDeep(YamlRefused):
    """The document is nested deeper than the parser can follow."""

    def __init__(self, span: Span) -> None:
        super().__init__("the document is nested more than 1,000 levels deep", span)


class YamlSyntaxError(Exception):
    def __init__(self, message: str, span: Span) -> None:
        super().__init__(message)
        self.message = message
        self.span = span


_NUMBER_START = frozenset("-+.0123456789")
_NULLS = frozenset(("~", "null", "Null", "NULL", ""))
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


def resolve_plain(text: str) -> tuple[str, Any]:
    """The core-schema type and value of a plain (unquoted) scalar."""
    if text in _NULLS:
        return "null", None
    boolean = _BOOLS.get(text)
    if boolean is not None:
        return "bool", boolean
    if text[0] not in _NUMBER_START:
        return "str", text  # the common case
    if _NULL.fullmatch(text):
        return "null", None
    if _BOOL.fullmatch(text):
        return "bool", text in ("true", "True", "TRUE")
    if _INT10.fullmatch(text):
        return "int", int(text)
    if _INT8.fullmatch(text):
        return "int", int(text[2:], 8)
    if _INT16.fullmatch(text):
        return "int", int(text[2:], 16)
    if _FLOAT.fullmatch(text):
        return "float", float(text)
    if _INF.fullmatch(text):
        return "float", float("-inf") if text.startswith("-") else float("inf")
    if _NAN.fullmatch(text):
        return "float", float("nan")
    return "str", text


@dataclass(eq=False, slots=True)
class Node:
    # The parser's marks (line, column): the span is built only when asked for, since most
    # nodes are never reported.
    start_mark: Any
    end_mark: Any

    @property
    def span(self) -> Span:
        start, end = self.start_mark, self.end_mark
        return Span(Position(start.line, start.column), Position(end.line, end.column))

    @property
    def kind(self) -> str:
        raise NotImplementedError


@dataclass(eq=False, slots=True)
class Scalar(Node):
    value: Any
    text: str  # the scalar's content after YAML unescaping, before type resolution
    type: str  # str | int | float | bool | null | a custom tag
    style: str  # "" plain, "'" or '"' quoted, "|" literal, ">" folded

    @property
    def kind(self) -> str:
        return "scalar"

    @property
    def is_string(self) -> bool:
        return self.type == "str"

    @property
    def quoted(self) -> bool:
        return self.style in ("'", '"')


def is_null(node: Node | None) -> bool:
    """A null scalar: an empty value, or an empty document (only comments after ``---``), or ``null``/``~``."""
    return isinstance(node, Scalar) and node.type == "null"


@dataclass(eq=False, slots=True)
class Entry:
    key: Node
    value: Node
    key_text: str | None = None  # the key's text when it is a scalar

    @classmethod
    def of(cls, key: Node, value: Node) -> Entry:
        return cls(key, value, key.text if isinstance(key, Scalar) else None)


@dataclass(eq=False, slots=True)
class Mapping(Node):
    entries: list[Entry] = field(default_factory=list)
    flow: bool = False
    _index: dict[str, Entry] | None = field(default=None, repr=False)

    @property
    def kind(self) -> str:
        return "mapping"

    def entry(self, key: str) -> Entry | None:
        """The first entry with this key (entries must not change after the first lookup)."""
        index = self._index
        if index is None:
            index = {}
            for e in self.entries:
                if e.key_text is not None and e.key_text not in index:
                    index[e.key_text] = e
            self._index = index
        return index.get(key)

    def get(self, key: str) -> Node | None:
        found = self.entry(key)
        return found.value if found else None

    def keys(self) -> Iterator[str]:
        for e in self.entries:
            if e.key_text is not None:
                yield e.key_text


@dataclass(eq=False, slots=True)
class Sequence(Node):
    items: list[Node] = field(default_factory=list)
    flow: bool = False

    @property
    def kind(self) -> str:
        return "sequence"


@dataclass(slots=True)
class ParsedDocument:
    """A document's root (None for an empty one) and the duplicate keys met on the way."""

    root: Node | None
    duplicate_keys: list[tuple[Entry, Entry]] = field(default_factory=list)  # (first, repeated)
    explicit_start: bool = False


def _span(node: yaml.Node) -> Span:
    start, end = node.start_mark, node.end_mark
    return Span(Position(start.line, start.column), Position(end.line, end.column))


class _Builder:
    def __init__(self, text: str, restore: dict[int, str] | None = None) -> None:
        self.text = text
        self.restore = restore  # stand-ins back to the characters they stand for (see _stand_ins)
        self.built: dict[int, Node] = {}
        self.duplicates: list[tuple[Entry, Entry]] = []
        self.has_aliases = False
        self.count = 0  # nodes made by build_tree

    def build(self, node: yaml.Node) -> Node:
        built = self.built
        known = built.get(id(node))
        if known is not None:
            self.has_aliases = True
            return known  # an alias: the same node again, never a copy
        cls = type(node)
        if cls is yaml.ScalarNode:
            if self.restore is not None:
                node.value = node.value.translate(self.restore)
            scalar = self._scalar(node)  # type: ignore[arg-type]
            built[id(node)] = scalar
            return scalar
        if cls is yaml.MappingNode:
            mapping = Mapping(node.start_mark, node.end_mark, flow=bool(node.flow_style))  # type: ignore[attr-defined]
            built[id(node)] = mapping
            first: dict[str, Entry] = {}
            entries = mapping.entries
            build = self.build
            for key_node, value_node in node.value:
                entry = Entry.of(build(key_node), build(value_node))
                entries.append(entry)
                key = entry.key_text
                if key is not None:
                    if key in first:
                        self.duplicates.append((first[key], entry))
                    else:
                        first[key] = entry
            mapping._index = first  # the lookup index, built on the way
            return mapping
        if cls is yaml.SequenceNode:
            sequence = Sequence(node.start_mark, node.end_mark, flow=bool(node.flow_style))  # type: ignore[attr-defined]
            built[id(node)] = sequence
            sequence.items.extend(map(self.build, node.value))
            return sequence
        raise TypeError(cls)  # pragma: no cover - PyYAML has only these three

    def build_tree(self, node: yaml.Node) -> Node:
        """``build`` for a document with no alias and no stand-in (see parse_document): every node is met
        once, so none is remembered; plain untagged scalars, nearly all of them, are made in line.
        Counts the nodes in ``self.count``."""
        cls = type(node)
        if cls is yaml.ScalarNode:
            self.count += 1
            if node.tag or node.style:  # type: ignore[attr-defined]
                return self._scalar(node)  # type: ignore[arg-type]
            text = node.value
            kind, value = resolve_plain(text)
            return Scalar(node.start_mark, node.end_mark, value, text, kind, "")
        if cls is yaml.MappingNode:
            self.count += 1
            entries: list[Entry] = []
            first: dict[str, Entry] = {}
            build = self.build_tree
            for key_node, value_node in node.value:
                key = build(key_node)
                key_text = key.text if type(key) is Scalar else None
                entry = Entry(key, build(value_node), key_text)
                entries.append(entry)
                if key_text is not None:
                    if key_text in first:
                        self.duplicates.append((first[key_text], entry))
                    else:
                        first[key_text] = entry
            return Mapping(node.start_mark, node.end_mark, entries, bool(node.flow_style), first)  # type: ignore[attr-defined]
        if cls is yaml.SequenceNode:
            self.count += 1
            items = list(map(self.build_tree, node.value))
            return Sequence(node.start_mark, node.end_mark, items, bool(node.flow_style))  # type: ignore[attr-defined]
        raise TypeError(cls)  # pragma: no cover - PyYAML has only these three

    @staticmethod
    def _scalar(node: yaml.ScalarNode) -> Scalar:
        style = node.style or ""
        text = node.value
        tag = node.tag  # empty unless written in the file (see _NoResolution)
        if not tag:
            kind, value = resolve_plain(text) if style == "" else ("str", text)
        elif tag == STR_TAG:
            kind, value = "str", text
        elif tag.startswith("tag:yaml.org,2002:"):
            kind, value = resolve_plain(text)
            wanted = tag.rsplit(":", 1)[-1]
            if wanted != kind:
                kind, value = wanted, text
        else:
            kind, value = tag, text
        return Scalar(node.start_mark, node.end_mark, value, text, kind, style)


def _expanded_size(root: Node, limit: int) -> int:
    """How many nodes the document has with every alias expanded, counting up to ``limit``."""
    sizes: dict[int, int] = {}

    def size(node: Node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        sizes[id(node)] = limit + 1  # while in progress: an alias to an ancestor is infinite
        total = 1
        if isinstance(node, Mapping):
            for e in node.entries:
                total += size(e.key) + size(e.value)
                if total > limit:
                    break
        elif isinstance(node, Sequence):
            for item in node.items:
                total += size(item)
                if total > limit:
                    break
        sizes[id(node)] = total
        return total

    return size(root)


def _children(node: Node) -> list[tuple[int, Node]]:
    """A collection's children with their slot, in the order ``toJS`` visits them (key, then value)."""
    if isinstance(node, Mapping):
        return [
            (slot, child)
            for i, e in enumerate(node.entries)
            for slot, child in ((2 * i, e.key), (2 * i + 1, e.value))
        ]
    if isinstance(node, Sequence):
        return list(enumerate(node.items))
    return []


def _check_alias_count(root: Node) -> None:
    """Raise YamlTooManyAliases where the `yaml` package's ``toJS`` would throw: for each alias it
    resolves, its anchor's resolutions so far times the anchor's own alias count (``getAliasCount``:
    1 for a scalar, the largest of its children's for a collection, where a child that is an alias
    counts its anchor's resolutions times that anchor's alias count) must not pass MAX_ALIAS_COUNT.
    The first occurrence of a shared node is its anchor; every later one is an alias."""
    defined: set[int] = set()
    resolutions: dict[int, int] = {}
    alias_counts: dict[int, int] = {}
    alias_slots: set[tuple[int, int]] = set()

    def alias_count(node: Node) -> int:
        if isinstance(node, Scalar):
            return 1
        largest = 0
        for slot, child in _children(node):
            if (id(node), slot) in alias_slots:
                count = resolutions.get(id(child), 0) * alias_counts.get(id(child), 0)
            else:
                count = alias_count(child)
            largest = max(largest, count)
        return largest

    def walk(node: Node) -> None:
        defined.add(id(node))
        for slot, child in _children(node):
            if id(child) not in defined:
                walk(child)
                continue
            alias_slots.add((id(node), slot))
            resolutions[id(child)] = resolutions.get(id(child), 0) + 1
            if not alias_counts.get(id(child)):
                alias_counts[id(child)] = alias_count(child)
            if resolutions[id(child)] * alias_counts[id(child)] > MAX_ALIAS_COUNT:
                raise YamlTooManyAliases(child.span)

    walk(root)


# libyaml reads YAML 1.1, where NEL, LS and PS break lines; in YAML 1.2 (Backstage's reading) and
# in LSP they are ordinary characters. libyaml also refuses control characters (and U+FFFE/U+FFFF)
# anywhere, which the `yaml` package Backstage reads files with accepts. All of them are handed to
# libyaml as private-use characters absent from the text (the same length, so every position stays
# true) and given back in the values.
_LIBYAML_READS_OTHERWISE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")


def _stand_ins(text: str) -> tuple[dict[int, str], dict[int, str]] | None:
    """(to libyaml, back from it) translation tables, or None when the text has none of them."""
    if _LIBYAML_READS_OTHERWISE.search(text) is None:
        return None
    present = sorted(set(_LIBYAML_READS_OTHERWISE.findall(text)))
    forward: dict[int, str] = {}
    candidate = 0xE000
    for char in present:
        while chr(candidate) in text:
            candidate += 1
        forward[ord(char)] = chr(candidate)
        candidate += 1
    return forward, {ord(stand_in): char for char, stand_in in ((chr(k), v) for k, v in forward.items())}


def parse_document(text: str) -> ParsedDocument:
    """Parse text holding at most one YAML document.

    Raises YamlSyntaxError (with the position libyaml reports), YamlTooLarge or YamlTooDeep.
    """
    tables = _stand_ins(text)
    try:
        composed = yaml.compose(text.translate(tables[0]) if tables else text, Loader=_Loader)  # type: ignore[arg-type]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and mark is not None and mark.index >= len(text.rstrip()):
            mark = exc.context_mark  # "unexpected end": point at what was left open, not past the end
        line, column = (mark.line, mark.column) if mark is not None else (0, 0)
        message = exc.problem or exc.context or "invalid YAML"
        if "maximum nesting depth" in message:  # libyaml's own limit (1,000 levels)
            raise YamlTooDeep(Span.point(line, column)) from None
        if exc.context and exc.problem:
            message = f"{exc.problem} ({exc.context})"
        raise YamlSyntaxError(_clean(message), Span.point(line, column)) from None
    except yaml.YAMLError as exc:
        position = getattr(exc, "position", None)
        span = _offset_span(text, position) if isinstance(position, int) else Span.point(0, 0)
        reason = getattr(exc, "reason", None) or str(exc).splitlines()[0]
        raise YamlSyntaxError(_clean(str(reason)), span) from None
    except RecursionError:
        raise YamlTooDeep(Span.point(0, 0)) from None
    if composed is None:
        return ParsedDocument(None)
    builder = _Builder(text, tables[1] if tables else None)
    try:
        if tables is None and "*" not in text:  # no alias: every node is met once
            root = builder.build_tree(composed)
            if builder.count > MAX_EXPANDED_NODES:
                raise YamlTooLarge(root.span, MAX_EXPANDED_NODES)
            return ParsedDocument(root, builder.duplicates)
        root = builder.build(composed)
        if len(builder.built) > MAX_EXPANDED_NODES or (
            builder.has_aliases and _expanded_size(root, MAX_EXPANDED_NODES) > MAX_EXPANDED_NODES
        ):
            raise YamlTooLarge(root.span, MAX_EXPANDED_NODES)
        if builder.has_aliases:
            _check_alias_count(root)
    except RecursionError:
        raise YamlTooDeep(_span(composed)) from None
    return ParsedDocument(root, builder.duplicates)


def _offset_span(text: str, offset: int) -> Span:
    before = text[:offset]
    line = before.count("\n")
    column = offset - (before.rfind("\n") + 1)
    return Span.point(line, column)


def _clean(message: str) -> str:
    return " ".join(message.split())


def to_python(node: Node | None) -> Any:
    """Plain Python data (for JSON Schema checks); only call on documents parse_document accepted."""
    if node is None:
        return None
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, Mapping):
        return {str(e.key_text): to_python(e.value) for e in node.entries if e.key_text is not None}
    if isinstance(node, Sequence):
        return [to_python(i) for i in node.items]
    return None
