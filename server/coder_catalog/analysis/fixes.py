"""Applying fixes (text edits) to a file's text: ``lint --fix``, the tests, the editor's "fix all"."""

from __future__ import annotations

from collections.abc import Iterable

from coder_catalog.analysis.documents import split_lines
from coder_catalog.analysis.findings import Finding, Fix
from coder_catalog.analysis.spans import Position


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for line in split_lines(text):
        starts.append(starts[-1] + len(line))
    return starts


def _offset(starts: list[int], position: Position) -> int:
    if position.line >= len(starts) - 1:
        return starts[-1]
    return min(starts[position.line] + position.column, starts[position.line + 1])


def line_break_of(text: str) -> str:
    """The file's own line break (of its first line), LF when it has none."""
    index = text.find("\n")
    if index < 0:
        return "\r" if "\r" in text else "\n"
    return "\r\n" if index > 0 and text[index - 1] == "\r" else "\n"


def apply_fixes(text: str, fixes: Iterable[Fix]) -> tuple[str, int]:
    """The text with the fixes applied, and how many were. A fix is applied whole or not at all:
    one that overlaps a fix already taken is skipped (run again to apply it). Lines that fixes
    add are written with the file's own line break (fixes are written with LF)."""
    starts = _line_starts(text)
    newline = line_break_of(text)
    taken: list[tuple[int, int]] = []
    edits: list[tuple[int, int, str]] = []
    applied = 0
    for fix in fixes:
        ranges = [
            (
                _offset(starts, e.span.start),
                _offset(starts, e.span.end),
                _with_line_break(e.new_text, newline),
            )
            for e in fix.edits
        ]
        if any(_overlaps(start, end, other) for start, end, _ in ranges for other in taken):
            continue
        taken.extend((start, end) for start, end, _ in ranges)
        edits.extend(ranges)
        applied += 1
    out = text
    for start, end, new_text in sorted(edits, key=lambda r: (r[0], r[1]), reverse=True):
        out = out[:start] + new_text + out[end:]
    return out, applied


def _with_line_break(new_text: str, newline: str) -> str:
    return new_text if newline == "\n" else new_text.replace("\r\n", "\n").replace("\n", newline)


def _overlaps(start: int, end: int, other: tuple[int, int]) -> bool:
    other_start, other_end = other
    if start == end == other_start == other_end:
        return True  # two insertions at the same place: order would be arbitrary
    return start < other_end and other_start < end


def apply_safe_fixes(text: str, findings: Iterable[Finding]) -> tuple[str, int]:
    return apply_fixes(text, (f.safe_fix for f in findings if f.safe_fix is not None))
