"""What the analysis returns: findings with a range, and fixes as text edits."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from coder_catalog.analysis.spans import Span

Severity = Literal["error", "warning", "info"]
SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace the text in ``span`` (of the whole file) by ``new_text``."""

    span: Span
    new_text: str

    def shifted(self, lines: int) -> TextEdit:
        return TextEdit(self.span.shifted(lines), self.new_text) if lines else self


@dataclass(frozen=True, slots=True)
class Fix:
    """A mechanical fix. ``safe`` fixes are applied by ``lint --fix``; others are only offered."""

    title: str
    edits: tuple[TextEdit, ...]
    safe: bool = True
    #: what to select once the fix is applied (positions in the fixed text): a value to replace
    select: Span | None = None

    def shifted(self, lines: int) -> Fix:
        if not lines:
            return self
        select = self.select.shifted(lines) if self.select is not None else None
        return replace(self, edits=tuple(e.shifted(lines) for e in self.edits), select=select)


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: Severity
    message: str
    span: Span
    fixes: tuple[Fix, ...] = ()
    # Extra facts for the shells (e.g. the entity it is about); never shown to the rule's logic.
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def shifted(self, lines: int) -> Finding:
        if not lines:
            return self
        fixes = tuple(f.shifted(lines) for f in self.fixes) if self.fixes else ()
        return Finding(self.code, self.severity, self.message, self.span.shifted(lines), fixes, self.data)

    @property
    def safe_fix(self) -> Fix | None:
        for fix in self.fixes:
            if fix.safe:
                return fix
        return None
