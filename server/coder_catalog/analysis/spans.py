"""Positions in a catalog file.

Lines and columns are 0-based and count Unicode code points, like Python string indexes.
The language server converts them to the editor's encoding (UTF-16 or UTF-8); the CLI
prints them 1-based.
"""

from __future__ import annotations

from typing import NamedTuple

# Named tuples rather than frozen dataclasses: they are built and compared in every hot path
# (parsing, rules, the cursor), and a tuple is made and compared in C (about 5 times faster).


class Position(NamedTuple):
    line: int
    column: int


class Span(NamedTuple):
    start: Position
    end: Position

    @classmethod
    def of(cls, start_line: int, start_column: int, end_line: int, end_column: int) -> Span:
        return cls(Position(start_line, start_column), Position(end_line, end_column))

    @classmethod
    def point(cls, line: int, column: int) -> Span:
        return cls(Position(line, column), Position(line, column))

    def shifted(self, lines: int) -> Span:
        if lines == 0:
            return self
        return Span(
            Position(self.start.line + lines, self.start.column),
            Position(self.end.line + lines, self.end.column),
        )

    def contains(self, position: Position) -> bool:
        return self.start <= position <= self.end

    def to_dict(self) -> dict[str, dict[str, int]]:
        return {
            "start": {"line": self.start.line, "column": self.start.column},
            "end": {"line": self.end.line, "column": self.end.column},
        }
