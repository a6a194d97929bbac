"""Helpers shared by the editor features: the byte order mark, a document's lines, templates."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Generic, TypeVar
from weakref import WeakKeyDictionary

from coder_catalog.analysis.analyze import Analyzer
from coder_catalog.analysis.documents import Segment
from coder_catalog.analysis.spans import Position, Span
from coder_catalog.templates.model import Template

T = TypeVar("T")
BOM = "\ufeff"
CODER_PATH = ("spec", "coder")
PARAMS_PATH = ("spec", "coder", "params")
_BREAK = re.compile(r"\r\n|\r|\n")
#: entity kinds whose pages never show the plugin's workspaces card
NO_WORKSPACE_KINDS = frozenset(("User", "Group", "Location", "Domain"))


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
    if "\r" in body:
        breaks = len(_BREAK.findall(body))
        last_break = max(body.rfind("\n"), body.rfind("\r"))
    else:
        breaks = body.count("\n")
        last_break = body.rfind("\n")
    return Position(segment.start_line + breaks, len(body) - last_break - 1)


class DocumentMemo(Generic[T]):
    """Results computed from one document (its text and place in the file), kept per analyzer and
    forgotten when its settings or template data change: editors ask again after every edit, and
    most documents of a large file are unchanged."""

    def __init__(self, capacity: int = 20_000) -> None:
        self.capacity = capacity
        self._states: WeakKeyDictionary[
            Analyzer, tuple[object, object, dict[tuple[str, int, int, object], T]]
        ] = WeakKeyDictionary()

    def get(
        self, analyzer: Analyzer, segment: Segment, build: Callable[[Segment], T], extra: object = None
    ) -> T:
        """``build(segment)``, remembered; ``extra`` is anything else the result depends on."""
        state = self._states.get(analyzer)
        if state is None or state[0] is not analyzer.settings or state[1] is not analyzer.templates:
            state = (analyzer.settings, analyzer.templates, {})
            self._states[analyzer] = state
        results = state[2]
        key = (segment.text, segment.start_line, segment.index, extra)
        if key in results:
            return results[key]
        if len(results) >= self.capacity:
            results.clear()
        found = results[key] = build(segment)
        return found


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
