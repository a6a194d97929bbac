"""A catalog file as a list of documents, each parsed on its own.

YAML forbids ``---`` and ``...`` at the start of a line inside any scalar, so a line that
starts with one of them always begins or ends a document. Splitting on those lines lets a
change to one document of a large file re-parse that document only: :class:`DocumentCache`
keeps parses by their exact text.
"""

from __future__ import annotations

import heapq
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from coder_catalog.analysis.yaml_tree import (
    ParsedDocument,
    YamlRefused,
    YamlSyntaxError,
    parse_document,
)

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_START = re.compile(r"---(?=[ \t\r\n]|$)")
_END = re.compile(r"\.\.\.(?=[ \t\r\n]|$)")


@dataclass(frozen=True, slots=True)
class Segment:
    """The text of one document and the file line it starts at (0-based)."""

    index: int
    start_line: int
    text: str
    line_count: int


@dataclass(frozen=True, slots=True)
class DocumentParse:
    """A parsed segment: the tree, or why there is none. Positions are relative to the segment."""

    parsed: ParsedDocument | None
    syntax_error: YamlSyntaxError | None = None
    too_large: YamlRefused | None = None  # too large once aliases are expanded, or too deep


# Characters str.splitlines() breaks lines at, and YAML and LSP do not.
_OTHER_LINE_BREAKS = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def split_lines(text: str) -> list[str]:
    """Lines with their breaks kept (YAML's breaks only: LF, CRLF, CR)."""
    if not any(other in text for other in _OTHER_LINE_BREAKS):
        return text.splitlines(True)  # the same lines, split in C (6 times faster)
    lines: list[str] = []
    start = 0
    for match in _LINE_BREAK.finditer(text):
        lines.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        lines.append(text[start:])
    return lines


_PREAMBLE = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\n|%[^\n]*\n)*[ \t]*(?:#[^\n]*)?")
_AFTER_MARKER = ("", " ", "\t", "\r", "\n")


def _markers(text: str) -> list[tuple[int, bool]]:
    """(offset, is a ``---``) of every line that is a document marker (``---`` or ``...`` alone or
    followed by a space): found with str.find, three times faster than a multi-line regex."""
    found: list[tuple[int, bool]] = []
    for token, starts in (("---", True), ("...", False)):
        found.extend((offset, starts) for offset in _marker_offsets(text, token, 0))
    found.sort()
    return found


def _marker_offsets(text: str, token: str, begin: int) -> Iterator[int]:
    """Offsets (from ``begin``, a line start) of the lines that are the marker ``token``."""
    if begin == 0 and text.startswith(token) and text[3:4] in _AFTER_MARKER:
        yield 0
    needle = "\n" + token
    at = text.find(needle, max(begin - 1, 0))
    while at >= 0:
        if text[at + 4 : at + 5] in _AFTER_MARKER:
            yield at + 1
        at = text.find(needle, at + 4)


# (offset, start line, segments so far) after a cut -> stop there
_Stop = Callable[[int, int, int], bool]


def _split(
    text: str,
    markers: Iterable[tuple[int, bool]],
    start: int = 0,
    start_line: int = 0,
    index: int = 0,
    stop: _Stop | None = None,
) -> tuple[list[Segment], int]:
    """The documents of ``text`` from ``start`` (a line where a document begins) on, and the offset
    where ``stop`` ended the work (the end of the text when it did not)."""
    segments: list[Segment] = []
    for offset, starts in markers:
        if offset < start:
            continue  # a "..." line already cut with the line before it
        if starts:
            if _PREAMBLE.fullmatch(text, start, offset):
                continue  # comments, blank lines and directives belong to the document this starts
            end = offset
        else:
            line_end = text.find("\n", offset)
            end = len(text) if line_end < 0 else line_end + 1
        if end > start:
            piece = text[start:end]
            breaks = piece.count("\n")
            segments.append(
                Segment(index + len(segments), start_line, piece, breaks + (0 if piece.endswith("\n") else 1))
            )
            start_line += breaks
            start = end
            if stop is not None and stop(start, start_line, index + len(segments)):
                return segments, start
    if len(text) > start:
        piece = text[start:]
        breaks = piece.count("\n")
        segments.append(
            Segment(index + len(segments), start_line, piece, breaks + (0 if piece.endswith("\n") else 1))
        )
    return segments, len(text)


def split_documents(text: str) -> list[Segment]:
    """The documents of a file, in order; their texts concatenated give back the whole text.

    Comments, blank lines and directives before a ``---`` belong to the document it starts.
    """
    if "\r" in text and "\n" not in text:
        return _split_lines_slowly(text)  # old Mac line ends: MULTILINE anchors do not see them
    return _split(text, _markers(text))[0]


# Below this size a file is split whole at each change (a fraction of a millisecond).
RESPLIT_FROM = 64_000
# A marker is recognised by the character before it and the four from its start: a cut this close
# to the changed part could move with it.
_MARKER_REACH = 5


def unchanged_extent(old_text: str, text: str) -> tuple[int, int]:
    """How many characters the two versions share at the start and then at the end (never overlapping)."""
    prefix = _common_prefix(old_text, text)
    return prefix, _common_suffix(old_text, text, min(len(old_text), len(text)) - prefix)


def split_documents_again(
    old_text: str, old: list[Segment], text: str, extent: tuple[int, int] | None = None
) -> list[Segment]:
    """``split_documents(text)``, reusing the split of a previous version of the text: documents
    before the changed part are kept, the changed part is split again until a cut falls where the
    previous version had one in the unchanged end, and the documents after it are kept (moved to
    their new lines). Typing in one document of a large file re-splits that document only.
    ``extent``: :func:`unchanged_extent` of the two texts, when the caller has it already."""
    if len(text) < RESPLIT_FROM or not old or "\n" not in text or "\n" not in old_text:
        return split_documents(text)
    prefix, suffix = extent if extent is not None else unchanged_extent(old_text, text)
    kept, resume = 0, 0
    for segment in old:
        end = resume + len(segment.text)
        if end + _MARKER_REACH > prefix:
            break
        kept, resume = kept + 1, end
    line = old[kept - 1].start_line + old[kept - 1].text.count("\n") if kept else 0
    delta = len(text) - len(old_text)
    unchanged_from = len(text) - suffix + 1  # a cut here or later sees only unchanged text
    old_cuts: dict[int, int] = {}  # old cut offset -> index of the old document starting there
    offset = 0
    for number, segment in enumerate(old):
        offset += len(segment.text)
        if offset + delta >= unchanged_from:
            old_cuts[offset] = number + 1

    def resynchronised(end: int, end_line: int, count: int) -> bool:
        return end >= unchanged_from and end - delta in old_cuts

    markers = heapq.merge(
        ((offset, True) for offset in _marker_offsets(text, "---", resume)),
        ((offset, False) for offset in _marker_offsets(text, "...", resume)),
    )
    middle, stopped = _split(text, markers, resume, line, kept, resynchronised)
    segments = old[:kept] + middle
    if stopped < len(text):
        first = old_cuts[stopped - delta]
        line_shift = (middle[-1].start_line + middle[-1].text.count("\n")) - old[first].start_line
        index_shift = len(segments) - first
        if line_shift == 0 and index_shift == 0:
            segments += old[first:]
        else:
            segments += [
                Segment(s.index + index_shift, s.start_line + line_shift, s.text, s.line_count)
                for s in old[first:]
            ]
    return segments


_BLOCK = 4096


def _common_prefix(a: str, b: str) -> int:
    """How many characters ``a`` and ``b`` share from the start (compared a block at a time, then
    by halves within the first block that differs)."""
    limit = min(len(a), len(b))
    at = 0
    while at + _BLOCK <= limit and a[at : at + _BLOCK] == b[at : at + _BLOCK]:
        at += _BLOCK
    low, high = at, min(at + _BLOCK, limit)  # a[:low] == b[:low]; the answer is at most high
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: str, b: str, limit: int) -> int:
    """How many characters ``a`` and ``b`` share at the end, at most ``limit``."""
    end_a, end_b = len(a), len(b)
    size = 0
    while (
        size + _BLOCK <= limit
        and a[end_a - size - _BLOCK : end_a - size] == b[end_b - size - _BLOCK : end_b - size]
    ):
        size += _BLOCK
    low, high = size, min(size + _BLOCK, limit)
    while low < high:
        middle = (low + high + 1) // 2
        if a[end_a - middle : end_a - low] == b[end_b - middle : end_b - low]:
            low = middle
        else:
            high = middle - 1
    return low


def _split_lines_slowly(text: str) -> list[Segment]:
    lines = split_lines(text)
    segments: list[Segment] = []
    current: list[str] = []
    start_line = 0
    has_content = False

    def close(next_start: int) -> None:
        nonlocal current, start_line, has_content
        if current:
            segments.append(Segment(len(segments), start_line, "".join(current), len(current)))
        current = []
        start_line = next_start
        has_content = False

    for number, line in enumerate(lines):
        if _START.match(line):
            # Comments, blank lines and directives before a --- belong to the document it starts.
            if has_content:
                close(number)
            current.append(line)
            has_content = True
        elif _END.match(line):
            current.append(line)
            close(number + 1)
        else:
            current.append(line)
            stripped = line.strip()
            if stripped and not stripped.startswith("#") and not line.startswith("%"):
                has_content = True
    close(len(lines))
    return segments


def parse_segment(text: str) -> DocumentParse:
    try:
        return DocumentParse(parse_document(text))
    except YamlSyntaxError as exc:
        return DocumentParse(None, syntax_error=exc)
    except YamlRefused as exc:
        return DocumentParse(None, too_large=exc)


class DocumentCache:
    """Parses by segment text, least recently used first out."""

    def __init__(self, capacity: int = 20_000) -> None:
        self.capacity = capacity
        self._parses: OrderedDict[str, DocumentParse] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def forget(self, text: str) -> None:
        self._parses.pop(text, None)

    def parse(self, text: str) -> DocumentParse:
        found = self._parses.get(text)
        if found is not None:
            self._parses.move_to_end(text)
            self.hits += 1
            return found
        self.misses += 1
        result = parse_segment(text)
        self._parses[text] = result
        if len(self._parses) > self.capacity:
            self._parses.popitem(last=False)
        return result
