"""Helpers shared by the editor features: the byte order mark, a document's lines, templates."""

from __future__ import annotations

import re

from coder_catalog.analysis.analyze import Analyzer
from coder_catalog.analysis.documents import Segment
from coder_catalog.analysis.spans import Position, Span
from coder_catalog.templates.model import Template

BOM = "\ufeff"
CODER_PATH = ("spec", "coder")
PARAMS_PATH = ("spec", "coder", "params")
_BREAK = re.compile(r"\r\n|\r|\n")


def without_bom(text: str) -> tuple[str, bool]:
    """The text the analysis sees (no byte order mark) and whether the file had one."""
    return (text[1:], True) if text.startswith(BOM) else (text, False)


def position_in(line: int, column: int, bom: bool) -> Position:
    """A file position as a position in the text without the byte order mark."""
    if bom and line == 0:
        column = max(column - 1, 0)
    return Position(line, column)


def file_span(span: Span, bom: bool) -> Span:
    """A span of the text without the byte order mark as a span of the file."""
    if not bom or (span.start.line != 0 and span.end.line != 0):
        return span
    start, end = span.start, span.end
    if start.line == 0:
        start = Position(0, start.column + 1)
    if end.line == 0:
        end = Position(0, end.column + 1)
    return Span(start, end)


def lines_of(segment: Segment) -> list[str]:
    """A document's lines without their breaks (YAML's breaks only); the last one may be empty."""
    return _BREAK.split(segment.text)


def line_end(segment: Segment) -> Position:
    """The file position at the end of a document's last line (before its final line break)."""
    text = segment.text
    body = text[:-2] if text.endswith("\r\n") else text[:-1] if text.endswith(("\n", "\r")) else text
    last_break = max(body.rfind("\n"), body.rfind("\r"))
    line = segment.start_line + len(_BREAK.findall(body))
    return Position(line, len(body) - last_break - 1)


def find_template(analyzer: Analyzer, name: str | None) -> Template | None:
    catalog = analyzer.templates.catalog
    if catalog is None or not name:
        return None
    return catalog.find(name)


def deployment_name(analyzer: Analyzer) -> str:
    catalog = analyzer.templates.catalog
    if catalog is not None and catalog.deployment_url:
        return catalog.deployment_url
    return analyzer.settings.access_url or "the deployment"
