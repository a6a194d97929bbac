"""``--format sarif``: SARIF 2.1.0 as GitHub code scanning accepts it.

One run; the driver lists every rule (so ``ruleIndex`` is stable); locations are relative to
the repository root (``uriBaseId`` ``%SRCROOT%``); ``partialFingerprints`` hash the path, the
rule, the entity and the offending text (never line numbers), so a finding keeps its identity
when lines above it move.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

from coder_catalog import __version__
from coder_catalog.analysis.documents import split_lines
from coder_catalog.analysis.findings import Finding
from coder_catalog.analysis.rules.base import Rule
from coder_catalog.analysis.rules.docs import iter_rules, rule_url
from coder_catalog.cli.lint_engine import LintedFile, LintReport
from coder_catalog.cli.lint_formats import BOM, entity_of, shown_range

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL_NAME = "coder-catalog"
INFORMATION_URI = "https://coder-catalog.dev"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "coderCatalogFinding/v1"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def sarif_document(report: LintReport, source_root: Path) -> dict[str, Any]:
    rules = list(iter_rules())
    index = {rule.code: number for number, rule in enumerate(rules)}
    results: list[dict[str, Any]] = []
    for file in report.files:
        results.extend(_file_results(file, source_root, index))
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "informationUri": INFORMATION_URI,
                "version": __version__,
                "rules": [_rule(rule) for rule in rules],
            }
        },
        "originalUriBaseIds": {SRCROOT: {"uri": source_root.as_uri().rstrip("/") + "/"}},
        "invocations": [_invocation(report, source_root)],
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def _rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.explanation or rule.summary},
        "help": {"text": rule.explanation or rule.summary, "markdown": _help_markdown(rule)},
        "helpUri": rule_url(rule),
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"tags": [rule.group]},
    }


def _help_markdown(rule: Rule) -> str:
    parts = [f"**{rule.code} {rule.name}**: {rule.summary}", rule.explanation]
    if rule.bad:
        parts.append(f"Reported:\n\n```yaml\n{rule.bad.rstrip()}\n```")
    if rule.good:
        parts.append(f"Fixed:\n\n```yaml\n{rule.good.rstrip()}\n```")
    parts.append(f"[Documentation]({rule_url(rule)})")
    return "\n\n".join(part for part in parts if part)


def _artifact(path: Path, source_root: Path) -> dict[str, str]:
    try:
        relative = path.relative_to(source_root).as_posix()
    except ValueError:
        return {"uri": path.as_uri()}
    return {"uri": quote(relative), "uriBaseId": SRCROOT}


def _file_results(file: LintedFile, source_root: Path, index: dict[str, int]) -> list[dict[str, Any]]:
    if not file.findings:
        return []
    artifact = _artifact(file.path, source_root)
    lines = split_lines(file.text)
    seen: Counter[str] = Counter()
    results = []
    for finding in file.findings:
        fingerprint = _fingerprint(artifact["uri"], finding, file, lines)
        seen[fingerprint] += 1
        results.append(_result(finding, file, artifact, index, f"{fingerprint}:{seen[fingerprint]}"))
    return results


def _result(
    finding: Finding, file: LintedFile, artifact: dict[str, str], index: dict[str, int], fingerprint: str
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "level": _LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": {"artifactLocation": artifact, "region": _region(finding, file)}}],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    if finding.code in index:
        result["ruleIndex"] = index[finding.code]
    entity = entity_of(finding, file.analysis)
    if entity is not None:
        result["properties"] = {"entity": entity}
    return result


def _region(finding: Finding, file: LintedFile) -> dict[str, int]:
    where = shown_range(finding.span, file.text)
    region = {"startLine": where.start.line, "startColumn": where.start.column}
    if where.end != where.start:  # an empty span: to the end of its line
        region.update(endLine=where.end.line, endColumn=where.end.column)
    return region


def _fingerprint(uri: str, finding: Finding, file: LintedFile, lines: list[str]) -> str:
    parts = [uri, finding.code, entity_of(finding, file.analysis) or "", offending_text(finding, lines)]
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:32]


def offending_text(finding: Finding, lines: list[str]) -> str:
    """The text in the finding's span (its line's text for an empty span), whitespace-normalised."""
    start, end = finding.span.start, finding.span.end
    if start.line >= len(lines):
        return ""
    if start == end:
        text = lines[start.line]
    elif start.line == end.line:
        text = lines[start.line][start.column : end.column]
    else:
        text = lines[start.line][start.column :] + "".join(lines[start.line + 1 : end.line])
        if end.line < len(lines):
            text += lines[end.line][: end.column]
    return " ".join(text.removeprefix(BOM).split())


def _invocation(report: LintReport, source_root: Path) -> dict[str, Any]:
    notifications: list[dict[str, Any]] = []
    for file in report.file_errors:
        notifications.append(
            {
                "level": "error",
                "message": {"text": f"{file.display}: {file.error}"},
                "locations": [{"physicalLocation": {"artifactLocation": _artifact(file.path, source_root)}}],
            }
        )
    for problem in report.config_errors:
        notifications.append({"level": "error", "message": {"text": problem}})
    return {"executionSuccessful": not notifications, "toolExecutionNotifications": notifications}
