"""``--format gitlab``: a GitLab Code Quality report (``artifacts: reports: codequality:``).

A JSON array of issues in the subset of the Code Climate format GitLab reads: ``description``,
``check_name`` (the rule's code), ``fingerprint``, ``severity`` and ``location`` (``path``
relative to the repository root, ``lines.begin``). The fingerprint hashes the path, the rule, the
entity and the offending text, plus a counter for identical findings, never the line number: a
finding keeps its identity when lines above it move, so GitLab does not show it as new and fixed.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

from coder_catalog.analysis.documents import split_lines
from coder_catalog.analysis.findings import Finding
from coder_catalog.analysis.rules.yaml_problems import NOT_CHECKED
from coder_catalog.cli.lint_engine import LintedFile, LintReport
from coder_catalog.cli.lint_formats import entity_of, shown_range
from coder_catalog.cli.lint_sarif import offending_text

# GitLab's scale is info, minor, major, critical, blocker. Errors (which fail `lint`) are major;
# what could not be checked at all (a file, a refused document) is critical; nothing is a blocker,
# which GitLab reserves for problems that must stop a merge whatever the project decides.
SEVERITY = {"error": "major", "warning": "minor", "info": "info"}
NOT_CHECKED_SEVERITY = "critical"
FILE_ERROR_CHECK = "file-not-checked"


def gitlab_document(report: LintReport, source_root: Path) -> list[dict[str, Any]]:
    issues: list[dict[str, Any]] = []
    for file in report.files:
        path = report_path(file.path, source_root)
        if file.error is not None:
            issues.append(
                _issue(FILE_ERROR_CHECK, file.error, NOT_CHECKED_SEVERITY, path, 1, [path, FILE_ERROR_CHECK])
            )
        issues.extend(_file_issues(file, path))
    return issues


def report_path(path: Path, source_root: Path) -> str:
    """Relative to the repository root with ``/`` separators (absolute when outside it)."""
    try:
        return path.relative_to(source_root).as_posix()
    except ValueError:
        return path.as_posix()


def _file_issues(file: LintedFile, path: str) -> list[dict[str, Any]]:
    if not file.findings:
        return []
    lines = split_lines(file.text)
    seen: Counter[tuple[str, ...]] = Counter()
    issues = []
    for finding in file.findings:
        key = (path, finding.code, entity_of(finding, file.analysis) or "", offending_text(finding, lines))
        seen[key] += 1
        line = shown_range(finding.span, file.text).start.line
        issues.append(
            _issue(finding.code, finding.message, _severity(finding), path, line, [*key, str(seen[key])])
        )
    return issues


def _severity(finding: Finding) -> str:
    return NOT_CHECKED_SEVERITY if finding.code in NOT_CHECKED else SEVERITY[finding.severity]


def _issue(check: str, message: str, severity: str, path: str, line: int, key: list[str]) -> dict[str, Any]:
    return {
        "description": f"{check}: {message}",
        "check_name": check,
        "fingerprint": hashlib.sha256("\0".join(key).encode("utf-8")).hexdigest()[:32],
        "severity": severity,
        "location": {"path": path, "lines": {"begin": line}},
    }
