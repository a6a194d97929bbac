"""The analysis driver: text + settings + template data in, findings with ranges out.

Work is per document: :class:`Analyzer` keeps each document's findings by its exact text,
so re-analysing a large file after an edit inside one document re-parses and re-checks
that document only. An Analyzer is tied to one (settings, template data) pair; make a
new one (or call :meth:`Analyzer.reset`) when either changes.
"""

from __future__ import annotations

import bisect
import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import cast

from coder_catalog.analysis import rules as _rules  # noqa: F401  (registers every rule)
from coder_catalog.analysis.documents import (
    DocumentCache,
    DocumentParse,
    Segment,
    split_documents_again,
    split_lines,
    unchanged_extent,
)
from coder_catalog.analysis.effective import effective_coder
from coder_catalog.analysis.entity import Entity
from coder_catalog.analysis.findings import SEVERITY_RANK, Finding, Severity
from coder_catalog.analysis.rules.base import REGISTRY, Check, EntityContext
from coder_catalog.analysis.rules.yaml_problems import (
    ALIAS_BOMB,
    DOCUMENT_TOO_DEEP,
    DUPLICATE_KEY,
    FILE_TOO_LARGE,
    INTERNAL_ERROR,
    NOT_A_MAPPING,
    SYNTAX_ERROR,
    TEMPLATES_UNAVAILABLE,
)
from coder_catalog.analysis.spans import Position, Span
from coder_catalog.analysis.templates import TemplateData
from coder_catalog.analysis.yaml_tree import Entry, Mapping, YamlTooDeep, is_null
from coder_catalog.settings import Settings

# Beyond this a file is refused with one finding rather than parsed (catalog files are far smaller).
MAX_FILE_CHARACTERS = 8_000_000

# What the driver learns of a document besides its findings: (entity reference, has a spec.coder
# block, effective template name).
_Facts = tuple[str | None, bool, str | None]
_NO_FACTS: _Facts = (None, False, None)

_SUPPRESS = re.compile(r"#\s*coder-catalog:\s*ignore(?:\[(?P<codes>[A-Za-z0-9_,\s]*)\])?")


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """One document's findings (file positions) and, when it is an entity, its reference."""

    segment: Segment
    findings: tuple[Finding, ...]
    entity_ref: str | None = None
    uses_coder: bool = False
    template_name: str | None = None  # the effective template of an entity with a spec.coder block


@dataclass(frozen=True)
class FileAnalysis:
    documents: tuple[DocumentResult, ...]
    findings: tuple[Finding, ...] = field(default=())

    @property
    def entity_count(self) -> int:
        return sum(1 for d in self.documents if d.entity_ref is not None)


@dataclass(frozen=True, slots=True)
class CoderUsage:
    entity_ref: str
    start_line: int
    template_name: str | None
    mode: str
    params: dict[str, str]
    has_coder_block: bool


class Analyzer:
    def __init__(
        self,
        settings: Settings,
        templates: TemplateData | None = None,
        *,
        capacity: int = 20_000,
        parses: DocumentCache | None = None,
    ) -> None:
        """``parses`` may be shared by analyzers of the same files under other settings."""
        self.settings = settings
        self.templates = templates if templates is not None else TemplateData.offline()
        self.capacity = capacity
        self.parses = parses if parses is not None else DocumentCache(capacity)
        self._results: OrderedDict[tuple[str, str | None], tuple[tuple[Finding, ...], _Facts]] = OrderedDict()
        self._placements: dict[
            str, tuple[tuple[str, int, str | None], tuple[tuple[Finding, ...], _Facts]]
        ] = {}
        self.analysed_documents = (
            0  # documents checked (not answered from the cache), for tests and benchmarks
        )
        self._checks = self._active_checks()
        self._checks_by_kind: dict[str | None, list[tuple[str, Check]]] = {}
        self._last_text: str | None = None
        self._last_segments: list[Segment] = []
        self._locations: set[str | None] = set()  # the locations findings were kept for

    def segments(self, text: str) -> list[Segment]:
        """The file's documents (BOM removed), remembered for the last text seen: the editor
        features ask right after an analysis of the same text."""
        text = text.removeprefix("\ufeff")
        if len(text) > MAX_FILE_CHARACTERS:
            return []  # refused (see analyze): no feature may parse it either
        if text is not self._last_text and text != self._last_text:
            old_text, old = self._last_text or "", self._last_segments
            extent = unchanged_extent(old_text, text) if old else None  # once, for both uses
            self._last_segments = split_documents_again(old_text, old, text, extent)
            self._last_text = text
            if extent is not None:
                self._forget_replaced(old_text, old, sum(extent))
        return self._last_segments

    def _forget_replaced(self, old_text: str, old: list[Segment], kept: int) -> None:
        """When the new text is an edit of the text seen before it (``kept`` characters of it unchanged,
        at least half), forget the parses and findings of the documents the edit replaced: else a long
        editing session keeps every version of the document being typed in, until the caches'
        capacity (20,000 documents)."""
        if 2 * kept < len(old_text):
            return  # another file, or most of it rewritten: its documents may well be asked for again
        current = {segment.text for segment in self._last_segments}
        for segment in old:
            if segment.text not in current:
                self.parses.forget(segment.text)
                self._placements.pop(segment.text, None)
                for location in self._locations:
                    self._results.pop((segment.text, location), None)

    def document_at(self, text: str, line: int) -> tuple[Segment, DocumentParse] | None:
        """The document holding file line ``line`` (0-based) and its parse (from the cache)."""
        segments = self.segments(text)
        if not segments:
            return None
        index = bisect.bisect_right([s.start_line for s in segments], line) - 1
        segment = segments[max(index, 0)]
        return segment, self.parses.parse(segment.text)

    def _active_checks(self) -> list[tuple[str, Check, frozenset[str] | None]]:
        """The rules to run with these settings and this template data, in code order."""
        checks = []
        for code in sorted(REGISTRY):
            rule = REGISTRY[code]
            if rule.check is None or self.settings.rules.get(code) == "off":
                continue
            if rule.needs_templates and not self.templates.available:
                continue
            checks.append((code, rule.check, rule.kinds))
        return checks

    def _checks_for(self, kind: str | None) -> list[tuple[str, Check]]:
        """The active rules about an entity of ``kind`` (a rule limited to other kinds is not called)."""
        found = self._checks_by_kind.get(kind)
        if found is None:
            found = self._checks_by_kind[kind] = [
                (code, check) for code, check, kinds in self._checks if kinds is None or kind in kinds
            ]
        return found

    def reset(self, settings: Settings | None = None, templates: TemplateData | None = None) -> None:
        """New settings or template data: keep the parses, forget the findings."""
        if settings is not None:
            self.settings = settings
        if templates is not None:
            self.templates = templates
        self._results.clear()
        self._placements.clear()
        self._checks = self._active_checks()
        self._checks_by_kind = {}

    def analyze(self, text: str, location: str | None = None) -> FileAnalysis:
        """The file's findings. ``location`` is the ``backstage.io/source-location`` Backstage writes at
        ingestion for this file when an entity sets none (see :func:`~coder_catalog.settings.ingestion_location`)."""
        if len(text) > MAX_FILE_CHARACTERS:
            size = f"{len(text) / 1_000_000:.1f} million characters"
            message = f"the file is too large to analyse ({size}; the limit is {MAX_FILE_CHARACTERS // 1_000_000} million)"
            return FileAnalysis((), (_driver(FILE_TOO_LARGE, Span.point(0, 0), message),))
        bom = text.startswith("\ufeff")
        if bom:
            text = text[1:]
        documents: list[DocumentResult] = []
        for segment in self.segments(text):
            findings, facts = self._placed(segment, location)
            documents.append(DocumentResult(segment, findings, *facts))
        # Each document's findings are sorted and documents follow each other: no global sort.
        all_findings = [f for d in documents for f in d.findings]
        problem = self._templates_problem(documents)
        if problem is not None:
            at = next(
                (i for i, f in enumerate(all_findings) if f.span.start >= problem.span.start),
                len(all_findings),
            )
            all_findings.insert(at, problem)
        if bom:
            all_findings = [_after_bom(f) for f in all_findings]
        return FileAnalysis(tuple(documents), tuple(all_findings))

    def _placed(self, segment: Segment, location: str | None) -> tuple[tuple[Finding, ...], _Facts]:
        """A document's findings at its place in the file; reused while the document stays put."""
        key = (segment.text, segment.start_line, location)
        placed = self._placements.get(segment.text)
        if placed is not None and placed[0] == key:
            return placed[1]
        findings, facts = self._document(segment.text, location)
        result = (tuple(f.shifted(segment.start_line) for f in findings), facts)
        self._placements[segment.text] = (key, result)
        if len(self._placements) > self.capacity:
            self._placements.pop(next(iter(self._placements)))
        return result

    def coder_usages(self, text: str, location: str | None = None) -> list[CoderUsage]:
        """Each entity's effective template, mode and parameters, for the shells to prefetch
        template data and ask Coder's dynamic-parameter evaluation (parses are shared with analyze)."""
        usages: list[CoderUsage] = []
        for segment in self.segments(text):
            parsed = self.parses.parse(segment.text).parsed
            root = parsed.root if parsed is not None else None
            if not isinstance(root, Mapping):
                continue
            entity = Entity(root)
            effective = effective_coder(entity, self.settings, location)
            if entity.coder_entry is None and effective.template_source != "app-default":
                continue
            usages.append(
                CoderUsage(
                    entity.ref,
                    segment.start_line,
                    effective.template_name,
                    effective.mode,
                    {name: p.value for name, p in effective.params.items()},
                    entity.coder_entry is not None,
                )
            )
        return usages

    # -- per document --------------------------------------------------------------------------

    def _document(self, text: str, location: str | None = None) -> tuple[tuple[Finding, ...], _Facts]:
        key = (text, location)
        cached = self._results.get(key)
        if cached is not None:
            self._results.move_to_end(key)
            return cached
        self.analysed_documents += 1
        self._locations.add(location)
        findings, facts = self._check_document(text, location)
        configured = sorted(self._configure(findings, text), key=lambda f: (f.span.start, f.code))
        result = (tuple(configured), facts)
        self._results[key] = result
        if len(self._results) > self.capacity:
            self._results.popitem(last=False)
        return result

    def _check_document(self, text: str, location: str | None = None) -> tuple[list[Finding], _Facts]:
        parse = self.parses.parse(text)
        if parse.syntax_error is not None:
            error = parse.syntax_error
            return [_driver(SYNTAX_ERROR, error.span, f"YAML syntax error: {error.message}")], _NO_FACTS
        if parse.too_large is not None:
            refused = parse.too_large
            code = DOCUMENT_TOO_DEEP if isinstance(refused, YamlTooDeep) else ALIAS_BOMB
            return [_driver(code, refused.span, f"{refused}; the document is not checked")], _NO_FACTS
        parsed = parse.parsed
        if parsed is None or parsed.root is None or is_null(parsed.root):
            return [], _NO_FACTS  # an empty document (or null): Backstage's reader skips it without a word
        findings = [
            _driver(
                DUPLICATE_KEY,
                repeated.key.span,
                f'duplicate key "{repeated.key_text}" ({_lines_above(first, repeated)}); '
                "Backstage rejects the entity: keep one",
            )
            for first, repeated in parsed.duplicate_keys
        ]
        root = parsed.root
        if not isinstance(root, Mapping):
            findings.append(
                _driver(
                    NOT_A_MAPPING,
                    root.span,
                    "a catalog document must be a mapping (an entity), not a "
                    + ("list" if root.kind == "sequence" else root.kind),
                )
            )
            return findings, _NO_FACTS
        entity = Entity(root)
        context = EntityContext(entity, self.settings, self.templates, text, default_location=location)
        for code, check in self._checks_for(entity.kind):
            context.rule_code = code
            try:
                findings.extend(check(context))
            except Exception as exc:  # a rule's bug must not take the file down
                findings.append(
                    _driver(
                        INTERNAL_ERROR,
                        root.span,
                        f"internal error in rule {code} ({exc.__class__.__name__}); please report it",
                    )
                )
        uses_coder = entity.coder_entry is not None
        return findings, (entity.ref, uses_coder, context.effective.template_name if uses_coder else None)

    def _configure(self, findings: list[Finding], text: str) -> Iterable[Finding]:
        """Apply the settings' severities and the ``# coder-catalog: ignore[...]`` comments."""
        if not findings:
            return
        overrides = self.settings.rules
        lines = split_lines(text) if "coder-catalog" in text else []
        for finding in findings:
            severity = overrides.get(finding.code)
            if severity == "off":
                continue
            if _suppressed(finding, lines):
                continue
            if severity is not None and severity != finding.severity and severity in SEVERITY_RANK:
                finding = replace(finding, severity=cast(Severity, severity))
            yield finding

    def _templates_problem(self, documents: list[DocumentResult]) -> Finding | None:
        problem = self.templates.problem
        if problem is None or self.templates.available:
            return None
        first = next((d for d in documents if d.uses_coder), None)
        if first is None:
            return None
        span = Span.point(first.segment.start_line, 0)
        message = f"templates and parameters were not checked: {problem}"
        severity = self.settings.rules.get(TEMPLATES_UNAVAILABLE, REGISTRY[TEMPLATES_UNAVAILABLE].severity)
        if severity == "off":
            return None
        return Finding(TEMPLATES_UNAVAILABLE, severity, message, span)  # type: ignore[arg-type]


def analyze_text(text: str, settings: Settings, templates: TemplateData | None = None) -> FileAnalysis:
    """One-off analysis (the CLI and the language server keep an :class:`Analyzer` instead)."""
    return Analyzer(settings, templates).analyze(text)


def _lines_above(first: Entry, repeated: Entry) -> str:
    distance = repeated.key.span.start.line - first.key.span.start.line
    if distance == 0:
        return "also earlier on this line"
    return f"first set {distance} line{'s' if distance != 1 else ''} above"


def _driver(code: str, span: Span, message: str) -> Finding:
    return Finding(code, REGISTRY[code].severity, message, span)


def _suppressed(finding: Finding, lines: list[str]) -> bool:
    if not lines:
        return False
    line = finding.span.start.line
    candidates = [line]
    if line > 0 and line - 1 < len(lines) and lines[line - 1].lstrip().startswith("#"):
        candidates.append(line - 1)
    for number in candidates:
        if number >= len(lines) or "coder-catalog" not in lines[number]:
            continue
        match = _SUPPRESS.search(lines[number])
        if match is None:
            continue
        codes = match.group("codes")
        if codes is None or finding.code in {c.strip() for c in codes.split(",")}:
            return True
    return False


def _after_bom(finding: Finding) -> Finding:
    """Columns on the first line move by one when the file starts with a byte order mark."""

    def move(span: Span) -> Span:
        start, end = span.start, span.end
        if start.line == 0:
            start = Position(start.line, start.column + 1)
        if end.line == 0:
            end = Position(end.line, end.column + 1)
        return Span(start, end)

    if finding.span.start.line != 0 and not any(
        e.span.start.line == 0 for f in finding.fixes for e in f.edits
    ):
        return finding
    fixes = tuple(
        replace(fix, edits=tuple(replace(e, span=move(e.span)) for e in fix.edits)) for fix in finding.fixes
    )
    return replace(finding, span=move(finding.span), fixes=fixes)
