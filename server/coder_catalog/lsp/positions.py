"""Positions: the core counts code points on YAML lines; the client counts UTF-16 or UTF-8 units.

A converter is made for one version of a document's text and converts any number of positions
cheaply: lines are split once (only on LSP's line breaks, LF, CRLF and CR), and ASCII-only
lines, the common case, need no counting at all.
"""

from __future__ import annotations

import itertools
from functools import cached_property

from lsprotocol import types

from coder_catalog.analysis.documents import split_lines
from coder_catalog.analysis.spans import Position, Span

UTF8 = types.PositionEncodingKind.Utf8.value
UTF16 = types.PositionEncodingKind.Utf16.value
UTF32 = types.PositionEncodingKind.Utf32.value


def encoding_name(encoding: str | types.PositionEncodingKind | None) -> str:
    """``utf-8``, ``utf-16`` or ``utf-32`` (LSP's default is UTF-16)."""
    if encoding is None:
        return UTF16
    return str(getattr(encoding, "value", encoding))


# Texts larger than this are not split into lines for a few positions (see _nth_line).
LARGE_TEXT = 8_000_000


def _nth_line(text: str, number: int) -> str:
    """Line ``number`` of ``text`` without splitting all of it (LF, CRLF and CR line ends)."""
    start = 0
    for _ in range(number):
        newline = text.find("\n", start)
        if newline < 0:
            return ""
        start = newline + 1
    end = text.find("\n", start)
    return text[start : end if end >= 0 else len(text)].rstrip("\r")


def _units(text: str, encoding: str) -> int:
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == UTF16:
        return len(text.encode("utf-16-le", "surrogatepass")) // 2
    return len(text)


class PositionConverter:
    def __init__(self, text: str, encoding: str | types.PositionEncodingKind | None) -> None:
        self.text = text
        self.encoding = encoding_name(encoding)
        self._known_line_start = (0, 0)  # (line, its offset), see offset()

    @cached_property
    def lines(self) -> list[str]:
        return split_lines(self.text)

    def _line(self, number: int) -> str:
        if len(self.text) > LARGE_TEXT and "lines" not in self.__dict__:
            return _nth_line(self.text, number)  # a refused giant file: never split it whole
        lines = self.lines
        if 0 <= number < len(lines):
            return lines[number].rstrip("\r\n")
        return ""

    def character(self, position: Position) -> int:
        """The client's character offset of ``position`` on its line."""
        if self.encoding == UTF32:
            return position.column
        line = self._line(position.line)
        if line.isascii():
            return min(position.column, len(line))
        return _units(line[: position.column], self.encoding)

    def to_client(self, position: Position) -> types.Position:
        return types.Position(position.line, self.character(position))

    def from_client(self, position: types.Position) -> Position:
        """The code-point position of a client position (clamped into the document)."""
        lines = self.lines
        if position.line >= len(lines):
            last = len(lines) - 1
            return Position(max(last, 0), len(self._line(last)) if last >= 0 else 0)
        return Position(position.line, self._column(self._line(position.line), position.character))

    def _column(self, line: str, character: int) -> int:
        """The code-point column of the client's ``character`` on ``line`` (clamped to its end)."""
        if self.encoding == UTF32 or line.isascii():
            return min(character, len(line))
        units = 0
        for index, char in enumerate(line):
            if units >= character:
                return index
            units += _units(char, self.encoding)
        return len(line)

    def offset(self, position: types.Position) -> int:
        """The index in the text of a client position, as an edit's range means it: a position
        past the last line is the end of the text, a column past a line's end is that end."""
        lines = self.lines
        if position.line >= len(lines):
            return len(self.text)
        # Where the last line asked for starts: an edit's end is usually on its start's line.
        known_line, known_start = self._known_line_start
        if position.line < known_line:
            known_line, known_start = 0, 0
        start = known_start + sum(map(len, itertools.islice(lines, known_line, position.line)))
        self._known_line_start = (position.line, start)
        return start + self._column(lines[position.line].rstrip("\r\n"), position.character)

    def range_to_client(self, span: Span) -> types.Range:
        return types.Range(self.to_client(span.start), self.to_client(span.end))

    def range_json(self, span: Span) -> dict[str, dict[str, int]]:
        """The client's ``Range`` of ``span`` in its JSON form."""
        start, end = span.start, span.end
        return {
            "start": {"line": start.line, "character": self.character(start)},
            "end": {"line": end.line, "character": self.character(end)},
        }

    def range_from_client(self, client_range: types.Range) -> Span:
        return Span(self.from_client(client_range.start), self.from_client(client_range.end))
