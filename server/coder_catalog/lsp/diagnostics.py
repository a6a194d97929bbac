"""Findings as LSP diagnostics, published on open, change and save.

- A single edit is answered at once; rapid typing is coalesced (one publish per quiet period).
- A result is never published for an older version than one already published.
- Converted diagnostics are kept per document of the file: an edit inside one document of a
  large file converts only that document's findings again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from lsprotocol import types

from coder_catalog.analysis.findings import Finding
from coder_catalog.analysis.rules import REGISTRY
from coder_catalog.analysis.rules.docs import rule_url
from coder_catalog.analysis.rules.yaml_problems import FILE_TOO_LARGE, TEMPLATES_UNAVAILABLE
from coder_catalog.analysis.spans import Position, Span
from coder_catalog.lsp.documents import CatalogDocuments, OpenDocument
from coder_catalog.lsp.positions import PositionConverter

log = logging.getLogger(__name__)

SOURCE = "coder-catalog"
# Findings about the whole file rather than one of its documents.
FILE_LEVEL_CODES = frozenset({TEMPLATES_UNAVAILABLE, FILE_TOO_LARGE})
COALESCE_SECONDS = 0.05
_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
}
_DEPRECATED_CODES = frozenset({"CC202"})
_UNNECESSARY_CODES = frozenset({"CC102", "CC301", "CC309"})


def diagnostic_json(finding: Finding, converter: PositionConverter) -> dict[str, Any]:
    """A finding as an LSP ``Diagnostic``, already in its JSON form (see ``DiagnosticsPublisher``)."""
    rule = REGISTRY.get(finding.code)
    diagnostic: dict[str, Any] = {
        "range": converter.range_json(finding.span),
        "message": finding.message,
        "severity": _SEVERITY[finding.severity].value,
        "code": finding.code,
        "source": SOURCE,
    }
    if rule is not None:
        diagnostic["codeDescription"] = {"href": rule_url(rule)}
    tags = []
    if finding.code in _DEPRECATED_CODES:
        tags.append(types.DiagnosticTag.Deprecated.value)
    if finding.code in _UNNECESSARY_CODES:
        tags.append(types.DiagnosticTag.Unnecessary.value)
    if tags:
        diagnostic["tags"] = tags
    # The fixes are code actions (computed from the analysis when asked), not ``data``: on a
    # 2,000-entity file they doubled every publish, to 1.1 MB per keystroke.
    return diagnostic


def fragment(diagnostics: list[dict[str, Any]]) -> str:
    """Diagnostics as the inside of a JSON array (ASCII-only, as pygls frames its messages)."""
    return json.dumps(diagnostics, separators=(",", ":"))[1:-1]


def settings_diagnostic(document: OpenDocument) -> dict[str, Any] | None:
    error = document.settings_error
    if error is None:
        return None
    return {
        "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
        "message": f"the settings cannot be used, so defaults apply: {error}",
        "severity": types.DiagnosticSeverity.Error.value,
        "code": "settings",
        "source": SOURCE,
    }


Publish = Callable[[str, "int | None", list[str]], None]  # (uri, version, JSON fragments)


class DiagnosticsPublisher:
    """Diagnostics travel as JSON fragments, one per document of the file, serialized once and
    kept while the document does not change: a 2,000-entity file with 2,000 findings is not
    converted and serialized again (about 120 ms) because one document changed."""

    def __init__(
        self,
        documents: CatalogDocuments,
        publish: Publish,
        encoding: Callable[[], str],
        extra: Callable[[OpenDocument], list[Finding]] | None = None,
    ) -> None:
        self.documents = documents
        #: findings of a document that its own analysis cannot make (CC601, from the workspace index)
        self.extra = extra
        self._publish = publish
        self._encoding = encoding
        self._timers: dict[str, asyncio.TimerHandle] = {}
        # Seconds from a change reaching the server to its diagnostics being written (recent ones),
        # for the coderCatalog.serverStats command and the benchmarks.
        self.change_to_publish: deque[float] = deque(maxlen=1000)
        self._last_change: dict[str, float] = {}
        # uri -> {id(placed findings tuple): (that tuple, its JSON fragment)}
        self._converted: dict[str, dict[int, tuple[tuple[Finding, ...], str]]] = {}

    def changed(self, document: OpenDocument) -> None:
        """Publish now after a quiet period, or once typing pauses."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        last = self._last_change.get(document.uri)
        self._last_change[document.uri] = now
        pending = self._timers.pop(document.uri, None)
        if pending is not None:
            pending.cancel()
        if pending is None and (last is None or now - last >= COALESCE_SECONDS):
            started = time.perf_counter()
            self.publish(document.uri)
            self.change_to_publish.append(time.perf_counter() - started)
        else:
            self._timers[document.uri] = loop.call_later(COALESCE_SECONDS, self.publish, document.uri)

    def publish(self, uri: str) -> None:
        self._timers.pop(uri, None)
        document = self.documents.documents.get(uri)
        if document is None:
            return
        if not document.is_catalog:
            if document.published_version is not None or uri in self._converted:
                # It was a catalog file (settings changed): take its diagnostics back, once.
                document.published_version = None
                self._converted.pop(uri, None)
                self._publish(uri, None, [])
            return
        try:
            fragments = self._fragments(document)
        except Exception:  # an analysis bug must not take the server down
            log.exception("analysing %s failed", uri)
            return
        if (
            document.version is not None
            and document.published_version is not None
            and document.version < document.published_version
        ):
            return
        document.published_version = document.version if document.version is not None else -1
        self._publish(uri, document.version, fragments)

    def publish_all(self, documents: list[OpenDocument] | None = None) -> None:
        for document in documents if documents is not None else list(self.documents.documents.values()):
            self.publish(document.uri)

    def clear(self, uri: str) -> None:
        timer = self._timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        self._last_change.pop(uri, None)
        self._converted.pop(uri, None)
        self._publish(uri, None, [])

    def _fragments(self, document: OpenDocument) -> list[str]:
        if not document.is_catalog:
            return []
        analysis = self.documents.analyze(document)
        converter = document.converter(self._encoding())
        fragments: list[str] = []
        extra = settings_diagnostic(document)
        if extra is not None:
            fragments.append(fragment([extra]))
        if document.text.startswith("\ufeff"):  # positions on the first line move: convert afresh
            self._converted.pop(document.uri, None)
            every = [*analysis.findings, *(self.extra(document) if self.extra is not None else ())]
            fragments.append(fragment([diagnostic_json(f, converter) for f in every]))
            return [f for f in fragments if f]
        previous = self._converted.get(document.uri, {})
        current: dict[int, tuple[tuple[Finding, ...], str]] = {}
        for result in analysis.documents:
            findings = result.findings
            if not findings:
                continue
            cached = previous.get(id(findings))
            if cached is not None and cached[0] is findings:
                piece = cached[1]
            else:
                piece = fragment([diagnostic_json(f, converter) for f in findings])
            current[id(findings)] = (findings, piece)
            fragments.append(piece)
        # File-level findings (templates not checked, file too large) belong to no document.
        problems = [diagnostic_json(f, converter) for f in analysis.findings if f.code in FILE_LEVEL_CODES]
        if problems:
            fragments.append(fragment(problems))
        if self.extra is not None and (more := self.extra(document)):
            fragments.append(fragment([diagnostic_json(f, converter) for f in more]))
        self._converted[document.uri] = current
        return fragments


def span_from_client(document: OpenDocument, encoding: str, client_range: types.Range) -> Span:
    return PositionConverter(document.text, encoding).range_from_client(client_range)


def position_from_client(document: OpenDocument, encoding: str, position: types.Position) -> Position:
    return PositionConverter(document.text, encoding).from_client(position)
