"""A catalog file as a list of documents, each parsed on its own.

YAML forbids ``---`` and ``...`` at the start of a line inside any scalar, so a line that
starts with one of them always begins or ends a document. Splitting on those lines lets a
change to one document of a large file re-parse that document only: :class:`DocumentCache`
keeps parses by their exact text.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass

from coder_catalog.analysis.yaml_tree import (
    ParsedDocument,
    YamlSyntaxError,
    YamlTooLarge,
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
    too_large: YamlTooLarge | None = None


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
        if text.startswith(token) and text[3:4] in _AFTER_MARKER:
            found.append((0, starts))
        needle = "\n" + token
        at = text.find(needle)
        while at >= 0:
            if text[at + 4 : at + 5] in _AFTER_MARKER:
                found.append((at + 1, starts))
            at = text.find(needle, at + 4)
    found.sort()
    return found


def split_documents(text: str) -> list[Segment]:
    """The documents of a file, in order; their texts concatenated give back the whole text.

    Comments, blank lines and directives before a ``---`` belong to the document it starts.
    """
    if "\r" in text and "\n" not in text:
        return _split_lines_slowly(text)  # old Mac line ends: MULTILINE anchors do not see them
    segments: list[Segment] = []
    start = 0  # offset where the current segment starts
    start_line = 0

    def cut(end: int) -> None:
        nonlocal start, start_line
        if end > start:
            piece = text[start:end]
            breaks = piece.count("\n")
            segments.append(
                Segment(len(segments), start_line, piece, breaks + (0 if piece.endswith("\n") else 1))
            )
            start_line += breaks
            start = end

    for offset, starts in _markers(text):
        if offset < start:
            continue  # a "..." line already cut with the line before it
        if starts:
            if not _PREAMBLE.fullmatch(text, start, offset):
                cut(offset)
        else:
            line_end = text.find("\n", offset)
            cut(len(text) if line_end < 0 else line_end + 1)
    cut(len(text))
    return segments


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
    except YamlTooLarge as exc:
        return DocumentParse(None, too_large=exc)


class DocumentCache:
    """Parses by segment text, least recently used first out."""

    def __init__(self, capacity: int = 20_000) -> None:
        self.capacity = capacity
        self._parses: OrderedDict[str, DocumentParse] = OrderedDict()
        self.hits = 0
        self.misses = 0

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
