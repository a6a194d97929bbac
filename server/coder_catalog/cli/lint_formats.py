"""How ``lint`` shows its findings: ``text`` for people, ``json`` for scripts, ``github`` for
workflow annotations (``sarif``, ``gitlab`` and ``junit`` are in :mod:`lint_sarif`,
:mod:`lint_gitlab` and :mod:`lint_junit`).

Positions shown are 1-based lines and columns counted in characters (Unicode code points),
a byte order mark not counted; a range's end is the position just after its last character.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from coder_catalog.analysis.analyze import FileAnalysis
from coder_catalog.analysis.documents import split_lines
from coder_catalog.analysis.findings import Finding, Fix
from coder_catalog.analysis.rules.base import REGISTRY
from coder_catalog.analysis.rules.yaml_problems import NOT_CHECKED
from coder_catalog.analysis.spans import Position, Span
from coder_catalog.cli.lint_engine import AppliedFix, LintedFile, LintReport

JSON_FORMAT_VERSION = 1
BOM = "\ufeff"


# -- shared views ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    line: int  # 1-based
    column: int  # 1-based, in characters, a BOM not counted


@dataclass(frozen=True, slots=True)
class Range:
    start: Place
    end: Place  # just after the last character

    def to_dict(self) -> dict[str, dict[str, int]]:
        return {
            "start": {"line": self.start.line, "column": self.start.column},
            "end": {"line": self.end.line, "column": self.end.column},
        }


def shown_range(span: Span, text: str) -> Range:
    bom = text.startswith(BOM)
    return Range(_place(span.start, bom), _place(span.end, bom))


def _place(position: Position, bom: bool) -> Place:
    column = position.column - 1 if bom and position.line == 0 and position.column > 0 else position.column
    return Place(position.line + 1, column + 1)


def rule_name(code: str) -> str:
    rule = REGISTRY.get(code)
    return rule.name if rule is not None else code.lower()


def entity_of(finding: Finding, analysis: FileAnalysis | None) -> str | None:
    """The entity a finding is about: the rule's word for it, else the document it is in."""
    named = finding.data.get("entity")
    if isinstance(named, str):
        return named
    if analysis is None:
        return None
    line = finding.span.start.line
    for document in analysis.documents:
        start = document.segment.start_line
        if start <= line < start + max(document.segment.line_count, 1):
            return document.entity_ref
    return None


def offered_fix(finding: Finding) -> Fix | None:
    """The fix ``--fix`` would apply, else the first one offered (``--fix --unsafe-fixes`` applies it)."""
    return finding.safe_fix or (finding.fixes[0] if finding.fixes else None)


@dataclass(frozen=True)
class Summary:
    files: int  # checked
    errors: int
    warnings: int
    infos: int
    fixable: int  # findings left with a safe fix
    unsafe_fixable: int  # findings left with fixes, none of them safe (--unsafe-fixes applies the first)
    fixed: int  # fixes applied by --fix (and written)
    fixed_files: int
    unreadable: int  # files (or named paths) that could not be checked
    refused: int = 0  # documents the analysis refused (NOT_CHECKED findings): not checked
    config_errors: int = 0

    def to_dict(self) -> dict[str, int]:
        return {
            "files": self.files,
            "errors": self.errors,
            "warnings": self.warnings,
            "infos": self.infos,
            "fixable": self.fixable,
            "unsafeFixable": self.unsafe_fixable,
            "fixed": self.fixed,
            "fixedFiles": self.fixed_files,
            "unreadable": self.unreadable,
            "refused": self.refused,
        }

    @property
    def findings(self) -> int:
        return self.errors + self.warnings + self.infos

    @property
    def incomplete(self) -> bool:
        """Something was not checked: a file, a document, or the files of an invalid configuration."""
        return bool(self.unreadable or self.refused or self.config_errors)


def summarize(report: LintReport) -> Summary:
    checked = [f for f in report.files if f.analysis is not None]
    findings = [finding for f in checked for finding in f.findings]
    written = [f for f in checked if f.error is None]  # a fixed file that could not be written: not fixed
    return Summary(
        files=len(checked),
        errors=sum(1 for f in findings if f.severity == "error"),
        warnings=sum(1 for f in findings if f.severity == "warning"),
        infos=sum(1 for f in findings if f.severity == "info"),
        fixable=sum(1 for f in findings if f.safe_fix is not None),
        unsafe_fixable=sum(1 for f in findings if f.fixes and f.safe_fix is None),
        fixed=sum(f.fixes_applied for f in written),
        fixed_files=sum(1 for f in written if f.fixes_applied),
        unreadable=len(report.file_errors),
        refused=sum(1 for f in findings if f.code in NOT_CHECKED),
        config_errors=len(report.config_errors),
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_lines(summary: Summary, *, fixing: bool, unsafe_fixes: bool = False) -> list[str]:
    """``Fixed N problems in M files.`` when ``--fix`` changed something, then the findings by
    severity, what ``--fix`` could still do, and what could not be checked. "All good" only when
    there is no finding and everything was checked."""
    lines: list[str] = []
    if summary.fixed:
        lines.append(f"Fixed {_plural(summary.fixed, 'problem')} in {_plural(summary.fixed_files, 'file')}.")
    checked = _plural(summary.files, "file")
    if not summary.findings:
        line = f"{checked} checked" if summary.incomplete else f"All good: {checked} checked"
    else:
        line = (
            f"{_plural(summary.errors, 'error')}, {_plural(summary.warnings, 'warning')}, "
            f"{_plural(summary.infos, 'info')} in {checked}"
        )
        hint = fixable_hint(summary, fixing=fixing, unsafe_fixes=unsafe_fixes)
        if hint:
            line += f" ({hint})"
    lines.append(line + _not_checked(summary))
    return lines


def fixable_hint(summary: Summary, *, fixing: bool, unsafe_fixes: bool) -> str:
    """What ``--fix`` (and ``--unsafe-fixes``) would still fix, as ruff says it."""
    safe, unsafe = summary.fixable, summary.unsafe_fixable
    if unsafe_fixes:  # both kinds are applied
        return "" if fixing or not safe + unsafe else f"{safe + unsafe} fixable with --fix"
    if fixing:  # the safe fixes are applied; what remains needs --unsafe-fixes
        return f"{unsafe} more fixable with --unsafe-fixes" if unsafe else ""
    if safe and unsafe:
        return f"{safe} fixable with --fix, {unsafe} more with --fix --unsafe-fixes"
    if unsafe:
        return f"{unsafe} fixable with --fix --unsafe-fixes"
    return f"{safe} fixable with --fix" if safe else ""


def _not_checked(summary: Summary) -> str:
    parts: list[str] = []
    skipped = [
        _plural(count, word)
        for count, word in ((summary.unreadable, "file"), (summary.refused, "document"))
        if count
    ]
    if skipped:
        parts.append(f"{' and '.join(skipped)} could not be checked")
    if summary.config_errors:
        parts.append(_plural(summary.config_errors, "configuration error"))
    return "".join(f"; {part}" for part in parts) + (" (see above)" if parts else "")


# -- text ----------------------------------------------------------------------------------------------

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_SEVERITY_COLOR = {"error": "\x1b[1;31m", "warning": "\x1b[1;33m", "info": "\x1b[1;36m"}


class _Paint:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, style: str) -> str:
        return f"{style}{text}{_RESET}" if self.enabled and text else text


def render_text(
    report: LintReport,
    out: TextIO,
    *,
    color: bool = False,
    fixing: bool = False,
    unsafe_fixes: bool = False,
    verbose: bool = False,
) -> None:
    """The findings, then (``verbose``) each fix applied, then the summary."""
    paint = _Paint(color)
    for file in report.files:
        if file.findings:
            out.write(_text_file(file, paint))
    if verbose:
        for file in report.files:
            if file.error is None:
                out.writelines(_text_applied(file, applied, paint) for applied in file.applied)
    summary = summarize(report)
    for line in summary_lines(summary, fixing=fixing, unsafe_fixes=unsafe_fixes):
        out.write(paint(line, _BOLD) + "\n")


def _text_applied(file: LintedFile, applied: AppliedFix, paint: _Paint) -> str:
    """``path:line:col: CODE title`` of a fix ``--fix`` applied (where the finding was when it was)."""
    where = shown_range(applied.span, file.text).start
    unsafe = "" if applied.safe else " (unsafe fix)"
    return (
        f"{paint(file.display, _BOLD)}:{where.line}:{where.column}: "
        f"{paint(applied.code, _BOLD)} {applied.title}{unsafe}\n"
    )


def _text_file(file: LintedFile, paint: _Paint) -> str:
    lines = split_lines(file.text)
    if lines and lines[0].startswith(BOM):
        lines[0] = lines[0][1:]
    return "".join(_text_finding(file, finding, lines, paint) for finding in file.findings)


def _text_finding(file: LintedFile, finding: Finding, lines: list[str], paint: _Paint) -> str:
    where = shown_range(finding.span, file.text)
    style = _SEVERITY_COLOR[finding.severity]
    head = (
        f"{paint(file.display, _BOLD)}:{where.start.line}:{where.start.column}: "
        f"{paint(finding.code, _BOLD)} {paint(finding.severity, style)} {finding.message}\n"
    )
    index = where.start.line - 1
    if index >= len(lines):
        return head + "\n"
    source = lines[index].rstrip("\r\n")
    number = str(where.start.line)
    gutter = " " * len(number)
    carets = caret_line(source, where)
    return (
        head
        + f" {paint(number, _DIM)} {paint('|', _DIM)} {source}\n"
        + f" {gutter} {paint('|', _DIM)} {paint(carets, style)}\n\n"
    )


def caret_line(source: str, where: Range) -> str:
    start = min(where.start.column - 1, len(source))
    end = where.end.column - 1 if where.end.line == where.start.line else len(source)
    width = max(1, min(end, len(source)) - start)
    padding = "".join("\t" if char == "\t" else " " for char in source[:start])
    return padding + "^" * width


# -- json ----------------------------------------------------------------------------------------------


def json_document(report: LintReport) -> dict[str, Any]:
    """The ``--format json`` document (described in docs/lint.md; ``version`` changes only when a
    reader of the old structure could misread the new one)."""
    return {
        "version": JSON_FORMAT_VERSION,
        "files": [
            {
                "path": _slashed(f.display),
                "findings": [_json_finding(f, finding) for finding in f.findings],
                "fixed": f.fixes_applied if f.error is None else 0,
            }
            for f in report.files
            if f.analysis is not None
        ],
        "errors": [{"path": _slashed(f.display), "message": f.error} for f in report.file_errors]
        + [{"path": None, "message": problem} for problem in report.config_errors],
        "summary": summarize(report).to_dict(),
    }


def _json_finding(file: LintedFile, finding: Finding) -> dict[str, Any]:
    fix = offered_fix(finding)
    return {
        "code": finding.code,
        "name": rule_name(finding.code),
        "severity": finding.severity,
        "message": finding.message,
        "range": shown_range(finding.span, file.text).to_dict(),
        "entity": entity_of(finding, file.analysis),
        "fix": _json_fix(fix, file.text) if fix is not None else None,
    }


def _json_fix(fix: Fix, text: str) -> dict[str, Any]:
    return {
        "title": fix.title,
        "safe": fix.safe,
        "edits": [{"range": shown_range(e.span, text).to_dict(), "newText": e.new_text} for e in fix.edits],
    }


def _slashed(path: str) -> str:
    return path.replace("\\", "/")


# -- github workflow commands ---------------------------------------------------------------------------

_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def render_github(
    report: LintReport, out: TextIO, *, fixing: bool = False, unsafe_fixes: bool = False
) -> None:
    for line in github_lines(report):
        out.write(line + "\n")
    for line in summary_lines(summarize(report), fixing=fixing, unsafe_fixes=unsafe_fixes):
        out.write(line + "\n")


def github_lines(report: LintReport) -> Iterator[str]:
    for file in report.files:
        if file.error is not None:
            yield _command("error", {"file": _slashed(file.display), "title": "coder-catalog"}, file.error)
        for finding in file.findings:
            where = shown_range(finding.span, file.text)
            properties = {
                "file": _slashed(file.display),
                "line": str(where.start.line),
                "col": str(where.start.column),
                "endLine": str(where.end.line),
                "endColumn": str(where.end.column),
                "title": f"{finding.code} {rule_name(finding.code)}",
            }
            yield _command(_GITHUB_LEVEL[finding.severity], properties, finding.message)
    for problem in report.config_errors:
        yield _command("error", {"title": "coder-catalog configuration"}, problem)


def _command(level: str, properties: dict[str, str], message: str) -> str:
    shown = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{level} {shown}::{escape_data(message)}"


def escape_data(text: str) -> str:
    """GitHub's escaping of a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """GitHub's escaping of a workflow command's property values."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
