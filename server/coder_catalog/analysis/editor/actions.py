"""Code actions: the findings' fixes, "fix all safe problems", and two edits of an entity's
``spec.coder``: add the block, add the missing required parameters."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from coder_catalog.analysis.analyze import Analyzer
from coder_catalog.analysis.documents import Segment
from coder_catalog.analysis.editor.common import (
    NO_WORKSPACE_KINDS,
    file_span,
    find_template,
    position_in,
    without_bom,
)
from coder_catalog.analysis.editor.completion import yaml_string
from coder_catalog.analysis.entity import Entity, entity_of
from coder_catalog.analysis.findings import Finding, Fix, TextEdit
from coder_catalog.analysis.rules.base import EntityContext
from coder_catalog.analysis.rules.parameters import (
    add_parameters_fix,
    insert_lines,
    line_after,
    missing_required_parameters,
)
from coder_catalog.analysis.rules.templates import effective_template
from coder_catalog.analysis.spans import Span
from coder_catalog.analysis.yaml_tree import Mapping

ActionKind = Literal["quickfix", "source.fixAll", "refactor.rewrite"]
REQUIRED_PARAMETER_MISSING = "CC302"


@dataclass(frozen=True, slots=True)
class Action:
    """A code action: edits of the file (file positions), and the findings it fixes."""

    title: str
    kind: ActionKind
    edits: tuple[TextEdit, ...]
    diagnostics: tuple[Finding, ...] = ()
    #: the one safe fix of its finding: editors apply it with their "auto fix" key
    preferred: bool = False
    #: what to select once the edits are applied (positions in the edited text), if anything
    select: Span | None = None


def code_actions(analyzer: Analyzer, text: str, span: Span, findings: Iterable[Finding]) -> list[Action]:
    """The actions for the selection ``span`` (file positions). ``findings`` are the file's findings
    (``analyzer.analyze(text).findings``): those overlapping ``span`` give quick fixes, all of them
    the "fix all" action."""
    findings = tuple(findings)
    actions = quick_fixes(span, findings)
    for action in _entity_actions(analyzer, text, span, findings):
        if not any(action.edits == other.edits for other in actions):
            actions.append(action)
    fix_all = fix_all_action(findings)
    if fix_all is not None:
        actions.append(fix_all)
    return actions


def quick_fixes(span: Span, findings: Iterable[Finding]) -> list[Action]:
    actions = []
    first, last = span.start.line, span.end.line
    for finding in findings:
        where = finding.span
        if (
            not finding.fixes
            or where.start.line > last
            or where.end.line < first
            or not _overlaps(where, span)
        ):
            continue
        safe = sum(1 for fix in finding.fixes if fix.safe)
        for fix in finding.fixes:
            preferred = fix.safe and safe == 1
            actions.append(Action(fix.title, "quickfix", fix.edits, (finding,), preferred, fix.select))
    return actions


_last_fix_all: tuple[tuple[Finding, ...], Action | None] | None = None


def fix_all_action(findings: tuple[Finding, ...]) -> Action | None:
    """Every safe fix of the file that does not overlap one taken before, as ``apply_fixes`` chooses
    (remembered for the last findings: editors ask for code actions at every cursor move)."""
    global _last_fix_all
    last = _last_fix_all
    if last is not None and last[0] is findings:
        return last[1]
    taken = _TakenEdits()
    fixed: list[Finding] = []
    edits: list[TextEdit] = []
    for finding in findings:
        fix = finding.safe_fix
        if fix is None or any(taken.collides(e.span) for e in fix.edits):
            continue
        for edit in fix.edits:
            taken.add(edit.span)
        edits.extend(fix.edits)
        fixed.append(finding)
    action = None
    if fixed:
        count = f" ({len(fixed)})" if len(fixed) > 1 else ""
        action = Action(f"Fix all safe problems{count}", "source.fixAll", tuple(edits), tuple(fixed))
    _last_fix_all = (findings, action)
    return action


def _overlaps(a: Span, b: Span) -> bool:
    """The spans share a position (ends included: a cursor at a finding's end is on it)."""
    return a.start <= b.end and b.start <= a.end


class _TakenEdits:
    """Spans of edits already chosen, none colliding with another: sorted by start, their ends are
    sorted too, so one neighbour tells whether a new span collides (``fixes.apply_fixes``'s rule)."""

    def __init__(self) -> None:
        self._spans: list[tuple[tuple[int, int], tuple[int, int]]] = []  # (start, end), sorted
        self._insertions: set[tuple[int, int]] = set()

    def collides(self, span: Span) -> bool:
        start = (span.start.line, span.start.column)
        end = (span.end.line, span.end.column)
        if start == end and start in self._insertions:
            return True  # two insertions at the same place: their order would be arbitrary
        before = bisect.bisect_left(self._spans, (end,))  # the spans that start before this one ends
        return before > 0 and self._spans[before - 1][1] > start

    def add(self, span: Span) -> None:
        start = (span.start.line, span.start.column)
        end = (span.end.line, span.end.column)
        bisect.insort(self._spans, (start, end))
        if start == end:
            self._insertions.add(start)


# -- actions on the entity under the cursor ----------------------------------------------------


def _entity_actions(analyzer: Analyzer, text: str, span: Span, findings: tuple[Finding, ...]) -> list[Action]:
    text, bom = without_bom(text)
    start = position_in(span.start.line, span.start.column, bom)
    found = analyzer.document_at(text, start.line)
    if found is None or found[1].parsed is None:
        return []
    segment, parse = found
    entity = entity_of(parse.parsed.root if parse.parsed is not None else None)
    if entity is None or entity.kind in NO_WORKSPACE_KINDS:
        return []
    ctx = EntityContext(entity, analyzer.settings, analyzer.templates, segment.text)
    if entity.coder_entry is None:
        fix = add_coder_block_fix(analyzer, ctx)
        kind: ActionKind = "refactor.rewrite"
        fixed: tuple[Finding, ...] = ()
    else:
        fix = _missing_parameters_fix(ctx)
        fixed = tuple(f for f in findings if f.code == REQUIRED_PARAMETER_MISSING and _in(f, segment))
        kind = "quickfix" if fixed else "refactor.rewrite"
    if fix is None:
        return []
    edits = tuple(TextEdit(file_span(e.span.shifted(segment.start_line), bom), e.new_text) for e in fix.edits)
    return [Action(fix.title, kind, edits, fixed)]


def _in(finding: Finding, segment: Segment) -> bool:
    return segment.start_line <= finding.span.start.line < segment.start_line + segment.line_count


def _missing_parameters_fix(ctx: EntityContext) -> Fix | None:
    template = effective_template(ctx)
    if template is None or template.parameters is None:
        return None
    missing = missing_required_parameters(ctx, template)
    return add_parameters_fix(ctx, [p.name for p in missing]) if missing else None


def add_coder_block_fix(analyzer: Analyzer, ctx: EntityContext) -> Fix | None:
    """Insert ``coder:`` at the end of ``spec`` (created if needed) with the app's default template
    (else an empty ``templateName`` to fill in) and that template's required parameters left empty.
    Positions are the document's."""
    root = ctx.entity.root
    if root.flow or not root.entries:
        return None
    spec_entry = root.entry("spec")
    if spec_entry is None:
        step = _step(ctx.entity)
        anchor, indent, header = line_after(root.entries[-1]), step, "spec:\n"
    else:
        spec = spec_entry.value
        if not isinstance(spec, Mapping) or spec.flow or not spec.entries:
            return None
        indent = spec.entries[0].key.span.start.column
        step = indent - spec_entry.key.span.start.column
        anchor, header = line_after(spec.entries[-1]), ""
    default = analyzer.settings.workspaces.default_template_name
    text = header + _coder_block(indent, step, default, _missing_names(analyzer, ctx, default))
    title = f"Add a Coder block (template {default})" if default else "Add a Coder block"
    return Fix(title, (insert_lines(ctx.lines, anchor, text),), safe=False)


def _step(entity: Entity) -> int:
    """The file's indentation step, from ``metadata`` (2 when it cannot tell)."""
    metadata = entity.metadata
    if metadata is not None and metadata.entries and not metadata.flow:
        return max(metadata.entries[0].key.span.start.column, 1)
    return 2


def _missing_names(analyzer: Analyzer, ctx: EntityContext, template_name: str | None) -> list[str]:
    template = find_template(analyzer, template_name)
    if template is None or template.parameters is None:
        return []
    return [p.name for p in missing_required_parameters(ctx, template)]


def _coder_block(indent: int, step: int, template: str | None, parameters: list[str]) -> str:
    outer, inner = " " * indent, " " * (indent + step)
    value = yaml_string(template) if template else '""'
    lines = [f"{outer}coder:", f"{inner}templateName: {value}"]
    if parameters:
        lines.append(f"{inner}params:")
        lines.extend(f'{inner}{" " * step}{yaml_string(name)}: ""' for name in parameters)
    return "\n".join(lines) + "\n"
