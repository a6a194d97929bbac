"""Where the cursor is in a catalog file, also while the YAML is half typed.

When the cursor's document parses, the tree says where the cursor is (flow style included).
Otherwise, and on lines the tree has no node for (blank lines, whitespace), the document's
lines decide: the key path is built by walking up to lines with smaller indentation, as YAML's
block style nests. A document that does not parse is parsed again without the cursor's line
(where the half-typed text usually is), so that the entity and the keys already set stay known.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Literal

from coder_catalog.analysis.analyze import Analyzer
from coder_catalog.analysis.documents import Segment, split_lines
from coder_catalog.analysis.editor.common import (
    CODER_PATH,
    PARAMS_PATH,
    file_span,
    lines_of,
    position_in,
    without_bom,
)
from coder_catalog.analysis.entity import Entity
from coder_catalog.analysis.spans import Position, Span
from coder_catalog.analysis.yaml_tree import Entry, Mapping, Node, Scalar

CursorPart = Literal["key", "value", "other"]
_QUOTES = "\"'"


def _quote_at(text: str, index: int) -> bool:
    return 0 <= index < len(text) and text[index] in _QUOTES


@dataclass(frozen=True, slots=True)
class CursorContext:
    """Where the cursor is. ``position`` and ``token_span`` are file positions (code points); ``row``
    and the columns of ``lines`` are the document's (which has no byte order mark)."""

    position: Position
    segment: Segment | None
    #: the document as an entity when it parses (or parses once the cursor's line is left out)
    entity: Entity | None
    #: the key path of the mapping that holds the cursor's key, e.g. ("spec", "coder", "params")
    path: tuple[str, ...]
    #: on a key (or where a key can be typed), on a value, or elsewhere (comments, lists, text)
    part: CursorPart
    #: on a value: its key; on a key: the key text written on the line (possibly half typed)
    key: str | None
    #: the text typed from the start of the token to the cursor (quotes included)
    prefix: str
    #: the whole token under the cursor (key or value), what a completion replaces
    token_span: Span
    #: the column of the keys of the enclosing mapping
    indent: int
    #: the other keys already set in the enclosing mapping
    siblings: tuple[str, ...] = ()
    #: on a key: the line already has ``key:``, so a completion writes the name only
    has_colon: bool = False
    #: the quote the value token starts with ("" when plain)
    quote: str = ""
    #: what goes before an inserted value (" " right after a colon with no space)
    value_lead: str = ""
    #: the document parses as it is
    parsed: bool = False
    #: the document's lines, without their breaks
    lines: tuple[str, ...] = ()
    #: the source-location Backstage writes at ingestion for entities that set none (None: unknown)
    default_location: str | None = None

    @property
    def in_coder(self) -> bool:
        return self.path == CODER_PATH

    @property
    def in_params(self) -> bool:
        return self.path == PARAMS_PATH

    @property
    def row(self) -> int:
        """The cursor's line within its document."""
        return self.position.line - (self.segment.start_line if self.segment else 0)

    def file_span(self, row: int, start: int, end: int) -> Span:
        first = self.segment.start_line if self.segment else 0
        return Span.of(first + row, start, first + row, end)


@dataclass(frozen=True, slots=True)
class LineShape:
    """One line read as block-style YAML: ``[- ]key: value  # comment``; columns in the line."""

    indent: int
    dash: bool
    key_start: int
    key_end: int  # the end of the key, or of the whole token when the line has no ``key:``
    colon: int  # -1 when the line has no ``key:``
    value_start: int
    value_end: int
    comment: int  # -1 when the line has no comment

    @property
    def opener(self) -> bool:
        """``key:`` with nothing after it: a block mapping (or list) follows."""
        return self.colon >= 0 and self.value_start == self.value_end


def shape(line: str) -> LineShape:
    """Read one line as block-style YAML (keys and values may be quoted)."""
    length = len(line)
    start = indent = length - len(line.lstrip(" "))
    dash = line.startswith("- ", start) or line[start:].rstrip() == "-"
    if dash:
        start = min(start + 1, length)
        start += len(line[start:]) - len(line[start:].lstrip(" "))
    colon, comment = _find_colon(line, start)
    if colon < 0:
        end = _trimmed_end(line, start, comment if comment >= 0 else length)
        return LineShape(indent, dash, start, end, -1, end, end, comment)
    value_start = colon + 1
    value_start += len(line[value_start:]) - len(line[value_start:].lstrip(" \t"))
    after = _closing_quote(line, value_start) if _quote_at(line, value_start) else value_start
    value_comment = _find_comment(line, after) if value_start < length else -1
    value_end = _trimmed_end(line, value_start, value_comment if value_comment >= 0 else length)
    return LineShape(
        indent,
        dash,
        start,
        _trimmed_end(line, start, colon),
        colon,
        value_start,
        value_end,
        value_comment,
    )


def _find_colon(line: str, start: int) -> tuple[int, int]:
    """The ``:`` that ends a key (followed by a space or the line's end) and a comment's ``#``."""
    index = _closing_quote(line, start) if _quote_at(line, start) else start
    while index < len(line):
        char = line[index]
        if char == "#" and (index == 0 or line[index - 1] in " \t"):
            return -1, index
        if char == ":" and (index + 1 == len(line) or line[index + 1] in " \t"):
            return index, -1
        index += 1
    return -1, -1


def _find_comment(line: str, start: int) -> int:
    for index in range(start, len(line)):
        if line[index] == "#" and (index == 0 or line[index - 1] in " \t"):
            return index
    return -1


def _closing_quote(line: str, start: int) -> int:
    """The column after the quoted scalar starting at ``start`` (the line's end when unclosed)."""
    quote = line[start]
    index = start + 1
    while index < len(line):
        char = line[index]
        if quote == '"' and char == "\\":
            index += 2
            continue
        if char == quote:
            if quote == "'" and line[index + 1 : index + 2] == "'":
                index += 2
                continue
            return index + 1
        index += 1
    return len(line)


def _trimmed_end(line: str, start: int, end: int) -> int:
    while end > start and line[end - 1] in " \t":
        end -= 1
    return end


def unquote(text: str) -> str:
    """A key or value as written on one line, without its quotes."""
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return text


def _skipped(line: str) -> bool:
    """Lines that say nothing about nesting: blank, comments, directives, document markers."""
    stripped = line.strip()
    return not stripped or stripped.startswith("#") or line.startswith(("%", "---", "..."))


# -- the key path from indentation -------------------------------------------------------------


def indent_path(lines: list[str] | tuple[str, ...], row: int, indent: int) -> tuple[str, ...] | None:
    """The key path of a key at column ``indent`` on line ``row``, from the lines above.

    None when the position cannot hold a key of a mapping: more indented than a key with a
    scalar value (the continuation of that scalar), or inside a list.
    """
    path: list[str] = []
    level = indent
    for number in range(row - 1, -1, -1):
        if level == 0:
            break
        line = lines[number]
        if _skipped(line):
            continue
        read = shape(line)
        if read.indent >= level:
            continue
        if read.dash or not read.opener:
            return None
        path.append(unquote(line[read.key_start : read.key_end]))
        level = read.indent
    return tuple(reversed(path))


def sibling_keys(lines: list[str] | tuple[str, ...], row: int, indent: int) -> tuple[str, ...]:
    """The keys at column ``indent`` of the block mapping around line ``row``, from the lines."""
    keys: list[str] = []
    for step in (-1, 1):
        number = row + step
        while 0 <= number < len(lines):
            line = lines[number]
            number += step
            if _skipped(line):
                continue
            read = shape(line)
            if read.indent < indent:
                break
            if read.indent == indent and read.colon >= 0 and not read.dash:
                keys.append(unquote(line[read.key_start : read.key_end]))
    return tuple(keys)


def block_values(lines: list[str] | tuple[str, ...], path: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """The ``key: value`` pairs of the block mapping at ``path``, read from the lines alone."""
    stack: list[tuple[int, str]] = []
    for line in lines:
        if _skipped(line):
            continue
        read = shape(line)
        while stack and stack[-1][0] >= read.indent:
            stack.pop()
        if read.colon < 0 or read.dash:
            continue
        key = unquote(line[read.key_start : read.key_end])
        if tuple(k for _, k in stack) == path and not read.opener:
            yield key, unquote(line[read.value_start : read.value_end])
        if read.opener:
            stack.append((read.indent, key))


# -- the key path from the tree ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TreeHit:
    path: tuple[str, ...]
    part: CursorPart
    key: str | None = None  # the entry's key, for a value
    node: Node | None = None  # the node under the cursor (key or value), when the tree has one
    flow: bool = False  # inside a flow mapping (``{a: b}``)


def _contains(span: Span, position: Position) -> bool:
    return span.start <= position <= span.end


def _entry_before(mapping: Mapping, position: Position) -> Entry | None:
    """The last entry whose key starts at or before ``position``."""
    found = None
    for entry in mapping.entries:
        if entry.key.span.start > position:
            break
        found = entry
    return found


def tree_hit(node: Node | None, position: Position, path: tuple[str, ...] = ()) -> TreeHit | None:
    """What the tree has at ``position`` (document-relative); None where it has no node."""
    if not isinstance(node, Mapping):
        return None
    hit = _mapping_hit(node, position, path)
    return replace(hit, flow=True) if hit is not None and node.flow and not hit.flow else hit


def _mapping_hit(node: Mapping, position: Position, path: tuple[str, ...]) -> TreeHit | None:
    entry = _entry_before(node, position)
    if entry is None:
        return TreeHit(path, "key") if node.flow and _contains(node.span, position) else None
    key = entry.key_text
    if _contains(entry.key.span, position):
        return TreeHit(path, "key" if key is not None else "other", None, entry.key)
    if key is None:
        return TreeHit(path, "other")
    value, key_line = entry.value, entry.key.span.start.line
    if node.flow and position > value.span.end and _contains(node.span, position):
        return TreeHit(path, "key")  # after a comma, where the next key goes
    if isinstance(value, Mapping):
        return _mapping_value_hit(value, position, path, key, key_line)
    if isinstance(value, Scalar):
        return _scalar_value_hit(value, position, path, key, key_line)
    if position.line == key_line or _contains(value.span, position):
        return TreeHit(path, "other", key)  # a list
    return None


def _mapping_value_hit(
    value: Mapping, position: Position, path: tuple[str, ...], key: str, key_line: int
) -> TreeHit | None:
    inner = tree_hit(value, position, (*path, key))
    if inner is not None:
        return inner
    if position.line == key_line and not value.flow:
        return TreeHit(path, "value", key)
    return None


def _scalar_value_hit(
    value: Scalar, position: Position, path: tuple[str, ...], key: str, key_line: int
) -> TreeHit | None:
    start, end = value.span.start, value.span.end
    if start.line > key_line:
        # ``params:`` then ``cp`` on the next line: YAML reads a scalar, the author types a key.
        if position.line == start.line and value.style == "" and end.line == start.line:
            return TreeHit((*path, key), "key", None, value)
        return TreeHit(path, "other", key) if _contains(value.span, position) else None
    if position.line == key_line:
        block_scalar = value.style in ("|", ">")
        return TreeHit(path, "other" if block_scalar else "value", key, value)
    return TreeHit(path, "other", key) if _contains(value.span, position) else None


def mapping_at(root: Node | None, path: tuple[str, ...]) -> Mapping | None:
    node = root
    for key in path:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node if isinstance(node, Mapping) else None


# -- the context -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Document:
    segment: Segment
    lines: list[str]
    root: Node | None
    parsed: bool


def context_at(analyzer: Analyzer, text: str, line: int, column: int) -> CursorContext:
    """Where the cursor at file position (``line``, ``column``) is; see :class:`CursorContext`."""
    text, bom = without_bom(text)
    found = _context_at(analyzer, text, position_in(line, column, bom))
    if not bom:
        return found
    point = file_span(Span(found.position, found.position), bom).start
    return replace(found, position=point, token_span=file_span(found.token_span, bom))


def _context_at(analyzer: Analyzer, text: str, position: Position) -> CursorContext:
    document = _document(analyzer, text, position.line)
    if document is None:
        return CursorContext(position, None, None, (), "other", None, "", Span(position, position), 0)
    row = position.line - document.segment.start_line
    if not 0 <= row < len(document.lines):
        return _base(position, document)
    position = Position(position.line, min(position.column, len(document.lines[row])))
    local = Position(row, position.column)
    hit = tree_hit(document.root, local) if document.parsed else None
    if hit is None:
        hit = _line_hit(document.lines, row, position.column)
    base = _base(position, document)
    if hit is None or hit.part == "other":
        return base if hit is None else replace(base, path=hit.path, key=hit.key)
    if hit.part == "value":
        return _value_context(base, hit)
    return _key_context(base, hit, document)


def _document(analyzer: Analyzer, text: str, line: int) -> _Document | None:
    found = analyzer.document_at(text, line)
    if found is None:
        return None
    segment, parse = found
    lines = lines_of(segment)
    if parse.parsed is not None:
        return _Document(segment, lines, parse.parsed.root, True)
    # Half-typed text usually breaks the cursor's line only: parse the document without it.
    row = line - segment.start_line
    kept = split_lines(segment.text)
    if 0 <= row < len(kept):
        kept[row] = kept[row][len(kept[row].rstrip("\r\n")) :]
    repaired = analyzer.parses.parse("".join(kept)).parsed
    return _Document(segment, lines, repaired.root if repaired is not None else None, False)


def _base(position: Position, document: _Document) -> CursorContext:
    """The context of a place where nothing can be typed (refined by the callers)."""
    root = document.root
    return CursorContext(
        position,
        document.segment,
        Entity(root) if isinstance(root, Mapping) else None,
        (),
        "other",
        None,
        "",
        Span(position, position),
        0,
        parsed=document.parsed,
        lines=tuple(document.lines),
    )


def _line_hit(lines: list[str], row: int, column: int) -> TreeHit | None:
    """The cursor's place from the lines alone (block style)."""
    line = lines[row]
    if not line.strip():
        path = indent_path(lines, row, column)
        return TreeHit(path, "key") if path is not None else None
    read = shape(line)
    if line.lstrip().startswith("#") or read.dash or column < read.key_start:
        return None
    if read.comment >= 0 and column > read.comment:
        return None
    path = indent_path(lines, row, read.key_start)
    if path is None:
        return None
    if read.colon >= 0 and column > read.colon:
        return TreeHit(path, "value", unquote(line[read.key_start : read.key_end]))
    return TreeHit(path, "key")


def _single_line(node: Node | None, line: int) -> Span | None:
    """The node's span when it is a non-empty node on ``line`` (document-relative) alone."""
    if node is None or (isinstance(node, Scalar) and node.type == "null"):
        return None
    span = node.span
    return span if span.start.line == span.end.line == line and span.start != span.end else None


def _value_context(base: CursorContext, hit: TreeHit) -> CursorContext:
    line = base.lines[base.row]
    column = base.position.column
    read = shape(line)
    node_span = _single_line(hit.node, base.row)
    if node_span is not None and node_span.start.column <= column <= node_span.end.column:
        start, end = node_span.start.column, node_span.end.column
    elif hit.flow or read.colon < 0:
        start = end = column  # an empty value in a flow mapping
    elif read.comment >= 0 and column > read.comment:
        return replace(base, path=hit.path, key=hit.key)
    else:
        start = read.value_start if column >= read.value_start else column
        end = max(read.value_end, column)
    token = line[start:end]
    return replace(
        base,
        path=hit.path,
        part="value",
        key=hit.key,
        prefix=line[start:column],
        token_span=base.file_span(base.row, start, end),
        indent=read.key_start,
        quote=token[0] if _quote_at(token, 0) else "",
        value_lead=" " if line[start - 1 : start] == ":" else "",
    )


def _key_context(base: CursorContext, hit: TreeHit, document: _Document) -> CursorContext:
    line = base.lines[base.row]
    column = base.position.column
    node_span = _single_line(hit.node, base.row)
    if node_span is not None:
        start, end = node_span.start.column, node_span.end.column
    elif not line.strip() or hit.flow:
        start = end = column
    else:
        read = shape(line)
        start, end = read.key_start, max(read.key_end, column)
    written = line[start:end]
    indent = start if line[:start].strip() == "" else base.indent
    return replace(
        base,
        path=hit.path,
        part="key",
        key=unquote(written) if written else None,
        prefix=line[start:column],
        token_span=base.file_span(base.row, start, end),
        indent=indent,
        siblings=_siblings(document, hit.path, Position(base.row, start), indent),
        has_colon=line[end:].lstrip().startswith(":"),
    )


def _siblings(document: _Document, path: tuple[str, ...], token: Position, indent: int) -> tuple[str, ...]:
    """The other keys of the mapping (the key being typed left out)."""
    mapping = mapping_at(document.root, path)
    if mapping is None:
        return sibling_keys(document.lines, token.line, indent)
    typed = token if mapping.flow else None
    return tuple(
        e.key_text
        for e in mapping.entries
        if e.key_text is not None
        and (e.key.span.start != typed if typed else e.key.span.start.line != token.line)
    )
