"""What a rule is, and the context it is given.

A rule is a small function registered with :func:`rule`: it receives an
:class:`EntityContext` (one entity of one document) and yields findings. Its code never
changes once published; its default severity can be changed or the rule turned off in
``.coder-catalog.yaml`` (``rules: {CODE: warning|off}``). The documentation in
``docs/rules.md`` is generated from the registry (``python -m coder_catalog.analysis.rules.docs``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property

from coder_catalog.analysis.documents import split_lines
from coder_catalog.analysis.effective import EffectiveCoder, effective_coder
from coder_catalog.analysis.entity import Entity
from coder_catalog.analysis.findings import Finding, Fix, Severity, TextEdit
from coder_catalog.analysis.spans import Span
from coder_catalog.analysis.templates import TemplateData
from coder_catalog.settings import Settings

Check = Callable[["EntityContext"], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    explanation: str
    bad: str  # a catalog snippet that triggers the rule (docs and tests use it)
    good: str  # the same snippet, fixed
    check: Check | None  # None: reported by the analysis driver itself (YAML problems)
    group: str
    needs_templates: bool = False
    # The entity kinds the rule is about (the analysis does not call it for others); None: every kind.
    kinds: frozenset[str] | None = None


REGISTRY: dict[str, Rule] = {}


def rule(
    code: str,
    name: str,
    severity: Severity,
    summary: str,
    *,
    explanation: str,
    bad: str,
    good: str,
    group: str,
    needs_templates: bool = False,
    kinds: frozenset[str] | None = None,
) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        declare(
            code,
            name,
            severity,
            summary,
            explanation=explanation,
            bad=bad,
            good=good,
            group=group,
            needs_templates=needs_templates,
            check=check,
            kinds=kinds,
        )
        return check

    return register


def declare(
    code: str,
    name: str,
    severity: Severity,
    summary: str,
    *,
    explanation: str,
    bad: str,
    good: str,
    group: str,
    needs_templates: bool = False,
    check: Check | None = None,
    kinds: frozenset[str] | None = None,
) -> None:
    """Register a rule's metadata; ``check`` None for findings the driver reports itself."""
    if code in REGISTRY:
        raise ValueError(f"rule code {code} registered twice")
    REGISTRY[code] = Rule(
        code, name, severity, summary, explanation.strip(), bad, good, check, group, needs_templates, kinds
    )


@dataclass
class EntityContext:
    """One entity, with everything a rule may look at. Spans are relative to the document."""

    entity: Entity
    settings: Settings
    templates: TemplateData
    source: str  # the document's text
    rule_code: str = ""
    #: the source-location Backstage writes at ingestion when the entity sets none (None: unknown)
    default_location: str | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @cached_property
    def lines(self) -> list[str]:
        """The document's lines, with their line breaks."""
        return split_lines(self.source)

    @cached_property
    def effective(self) -> EffectiveCoder:
        return effective_coder(self.entity, self.settings, self.default_location)

    def finding(
        self, span: Span, message: str, *fixes: Fix, code: str | None = None, severity: Severity | None = None
    ) -> Finding:
        code = code or self.rule_code
        chosen = severity or REGISTRY[code].severity
        fixes = tuple(map(self._keeping_anchors, fixes))
        return Finding(code, chosen, shorten(message), span, fixes, {"entity": self.entity.ref})

    def _keeping_anchors(self, fix: Fix) -> Fix:
        """A safe fix must not delete what the user wrote: one that replaces a node together with its
        anchor (``&name``: the aliases that use it would be left undefined, or changed with it) is
        only offered. A node's span starts with its properties (anchor and tag), before its text."""
        if fix.safe and any(_has_anchor(self.text(e.span)) for e in fix.edits):
            return replace(fix, safe=False)
        return fix

    def text(self, span: Span) -> str:
        """The document's text inside ``span``."""
        if span.start.line >= len(self.lines):
            return ""
        if span.start.line == span.end.line:
            return self.lines[span.start.line][span.start.column : span.end.column]
        parts = [self.lines[span.start.line][span.start.column :]]
        parts.extend(self.lines[span.start.line + 1 : span.end.line])
        if span.end.line < len(self.lines):
            parts.append(self.lines[span.end.line][: span.end.column])
        return "".join(parts)


_PROPERTIES = re.compile(r"(?:[!&]\S*\s+)+")


def _has_anchor(node_text: str) -> bool:
    """Whether a node's text (from the start of its span) begins with properties that hold an anchor."""
    properties = _PROPERTIES.match(node_text)
    return properties is not None and any(p.startswith("&") for p in properties.group().split())


MAX_MESSAGE = 1000


def shorten(message: str) -> str:
    """Messages quote the user's values; a value of a megabyte must not make a message of a megabyte."""
    if len(message) <= MAX_MESSAGE:
        return message
    half = MAX_MESSAGE // 2 - 10
    return f"{message[:half]} … ({len(message) - 2 * half:,} characters) … {message[-half:]}"


def replace_fix(title: str, span: Span, new_text: str, *, safe: bool = True) -> Fix:
    return Fix(title, (TextEdit(span, new_text),), safe)


def iter_rules(group: str | None = None) -> Iterator[Rule]:
    for code in sorted(REGISTRY):
        if group is None or REGISTRY[code].group == group:
            yield REGISTRY[code]
