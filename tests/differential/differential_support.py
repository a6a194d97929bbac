"""Run Backstage's verdicts (oracle.mjs, one node process) and the linter's (in-process) on a corpus,
and compare them document by document.

Documents are matched by the line they start at: ``oracle.mjs`` computes it from ``yaml``'s document
ranges the way :func:`coder_catalog.analysis.documents.split_documents` cuts a file. ``yaml`` makes
no document of text that is only comments (a comment-only file, comments after a final ``...``)
where the splitter makes a segment; such a segment, when the linter skips it too, counts as an
agreement ("nothing to read" on both sides). Any other document found on one side only is a
disagreement.

The linter reads only the catalog file itself, never the files a placeholder (``$text: ./api.yaml``) or a
Location names. Where Backstage refuses an entity whose placeholders or Location targets it read (or
tried to), and the linter finds nothing, the verdict depends on those other files: such documents are
counted apart ("depend on the files they name"), listed, and not counted as disagreements. Every other
document must agree.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from differential_corpus import Case

from coder_catalog.analysis.analyze import Analyzer, DocumentResult
from coder_catalog.analysis.rules import REGISTRY
from coder_catalog.settings import Settings, WorkspaceDefaults

HERE = Path(__file__).resolve().parent
ORACLE = HERE / "oracle.mjs"
NODE_MODULES = HERE / "node_modules"
PACKAGES = ("@backstage/catalog-model", "yaml")
MIN_NODE = 20
# The linter's verdict on the entity envelope comes from these rule groups (spec.coder is the
# plugin's business, not Backstage's).
ENVELOPE_GROUPS = frozenset({"yaml", "entity"})
# Cases per node run: one process for the whole corpus, unless it is very large.
BATCH = 20_000
SHOWN = 50

# Lines for the terminal summary (conftest.py prints them at the end of the run).
SUMMARY: list[str] = []


def missing_tool() -> str | None:
    """Why the oracle cannot run here (None: it can)."""
    node = shutil.which("node")
    if node is None:
        return (
            "node is not installed (Node.js 20+ and npm; `make test` then runs npm ci in tests/differential)"
        )
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    match = re.match(r"v(\d+)", version)
    if match is None or int(match.group(1)) < MIN_NODE:
        return f"node {version or '?'} is older than {MIN_NODE}"
    pinned = json.loads((HERE / "package.json").read_text(encoding="utf-8"))["dependencies"]
    for name in PACKAGES:
        installed = NODE_MODULES / name / "package.json"
        if not installed.is_file():
            return f"{name} is not installed in tests/differential/node_modules (run `make test`, or npm ci there)"
        version = json.loads(installed.read_text(encoding="utf-8"))["version"]
        if version != pinned[name]:
            return (
                f"{name} {version} is installed, {pinned[name]} is pinned (run npm ci in tests/differential)"
            )
    return None


@dataclass(frozen=True)
class Verdict:
    """One document's verdict, from either side."""

    case_id: str
    index: int
    start_line: int
    verdict: str  # "ok" | "error" | "skipped"
    detail: str  # Backstage: "[stage] message"; the linter: its findings
    stage: str = ""  # Backstage: the step that refused (or "done")
    codes: tuple[str, ...] = ()  # the linter: the codes of its envelope findings
    read_files: tuple[str, ...] = ()  # Backstage: what the entity's placeholders and Location targets read


@dataclass
class OracleRun:
    versions: dict[str, str]
    assumptions: list[str]
    documents: list[Verdict]


def run_oracle(cases: list[Case]) -> OracleRun:
    node = shutil.which("node")
    assert node is not None
    documents: list[Verdict] = []
    versions: dict[str, str] = {}
    assumptions: list[str] = []
    for start in range(0, len(cases), BATCH):
        batch = [case.to_json() for case in cases[start : start + BATCH]]
        completed = subprocess.run(
            # V8's default stack size, stated: how deep a document yaml can compose depends on it
            [node, "--stack-size=984", str(ORACLE)],
            input=json.dumps(batch, ensure_ascii=False),
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=HERE,
            check=False,
            timeout=300,
        )
        if completed.returncode != 0:
            raise AssertionError(f"oracle.mjs failed ({completed.returncode}):\n{completed.stderr[-4000:]}")
        answer = json.loads(completed.stdout)
        versions, assumptions = answer["versions"], answer["assumptions"]
        for row in answer["documents"]:
            detail = f"[{row['stage']}] {row['message']}"
            if row.get("notRead"):
                detail += " (never read by the catalog: its read stopped at an earlier document)"
            documents.append(
                Verdict(
                    row["id"],
                    row["index"],
                    row["startLine"],
                    row["verdict"],
                    detail,
                    row["stage"],
                    read_files=tuple(row.get("readFiles", ())),
                )
            )
    return OracleRun(versions, assumptions, documents)


def linter() -> Analyzer:
    """The linter with default settings (what resolve_settings gives without a project file or an
    environment: no deployment, every rule at its own severity), offline (no template data)."""
    return Analyzer(Settings(access_url=None, workspaces=WorkspaceDefaults()))


def linter_verdict(case_id: str, document: DocumentResult) -> Verdict:
    errors = [
        f
        for f in document.findings
        if f.severity == "error" and f.code in REGISTRY and REGISTRY[f.code].group in ENVELOPE_GROUPS
    ]
    if errors:
        verdict = "error"
    elif not document.findings and document.entity_ref is None:
        verdict = "skipped"
    else:
        verdict = "ok"
    shown = errors or [
        f for f in document.findings if f.code in REGISTRY and REGISTRY[f.code].group in ENVELOPE_GROUPS
    ]
    detail = "; ".join(f"{f.code} {f.severity}: {f.message}" for f in shown) or "no envelope finding"
    segment = document.segment
    codes = tuple(sorted({f.code for f in shown}))
    return Verdict(case_id, segment.index, segment.start_line, verdict, detail, codes=codes)


def run_linter(cases: Iterable[Case]) -> list[Verdict]:
    analyzer = linter()
    out: list[Verdict] = []
    for case in cases:
        for document in analyzer.analyze(case.text).documents:
            out.append(linter_verdict(case.id, document))
    return out


@dataclass
class Comparison:
    documents: int = 0
    agree: int = 0
    nothing_to_read: int = 0  # linter-only segments both sides ignore (counted in agree)
    disagreements: list[tuple[str, Verdict | None, Verdict | None]] = field(default_factory=list)
    # Backstage refused what the entity's placeholders or Location targets read; the linter reads only
    # the file itself (not disagreements: see the module's docstring)
    file_dependent: list[tuple[Verdict, Verdict]] = field(default_factory=list)

    @property
    def disagree(self) -> int:
        return len(self.disagreements)


def mismatch_kind(backstage: Verdict | None, ours: Verdict | None) -> str:
    if ours is None:
        return "document only Backstage reads"
    if backstage is None:
        return "document only the linter reads"
    return f"Backstage {backstage.verdict}, linter {ours.verdict}"


def compare(backstage: list[Verdict], ours: list[Verdict]) -> Comparison:
    by_case: dict[str, tuple[dict[int, Verdict], dict[int, Verdict]]] = {}
    order: list[str] = []
    for side, verdicts in ((0, backstage), (1, ours)):
        for verdict in verdicts:
            if verdict.case_id not in by_case:
                by_case[verdict.case_id] = ({}, {})
                order.append(verdict.case_id)
            by_case[verdict.case_id][side][verdict.start_line] = verdict
    result = Comparison()
    for case_id in order:
        theirs, mine = by_case[case_id]
        for line in sorted(set(theirs) | set(mine)):
            b, o = theirs.get(line), mine.get(line)
            result.documents += 1
            if b is None and o is not None and o.verdict == "skipped":
                result.agree += 1
                result.nothing_to_read += 1
            elif b is not None and o is not None and b.verdict == o.verdict:
                result.agree += 1
            elif (
                b is not None
                and o is not None
                and b.verdict == "error"
                and o.verdict == "ok"
                and b.read_files
            ):
                result.file_dependent.append((b, o))
            else:
                result.disagreements.append((mismatch_kind(b, o), b, o))
    return result


def _short(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(kind: str, backstage: Verdict | None, ours: Verdict | None) -> str:
    any_side = backstage or ours
    assert any_side is not None
    where = f"{any_side.case_id} doc {any_side.index} (line {any_side.start_line + 1})"
    theirs = f"{backstage.verdict} {_short(backstage.detail)}" if backstage else "no document"
    mine = f"{ours.verdict} {_short(ours.detail)}" if ours else "no document"
    return f"{where}: Backstage {theirs} | linter {mine}"


_QUOTED = re.compile(r'"[^"]*"')
_REFERENCE = re.compile(r"\b[\w-]+:[\w.-]*/\S+")
_NUMBER = re.compile(r"\d+")


def cause(kind: str, backstage: Verdict | None, ours: Verdict | None) -> str:
    """What a disagreement is about, without the names and values of the case."""
    theirs = backstage.detail if backstage else ""
    for pattern, by in ((_QUOTED, '"…"'), (_REFERENCE, "<ref>"), (_NUMBER, "N")):
        theirs = pattern.sub(by, theirs)
    mine = " ".join(ours.codes) if ours else ""
    return f"{kind} | {_short(theirs, 90)} | {mine}"


def report(comparison: Comparison, shown: int = SHOWN) -> str:
    """The counts per kind of mismatch, then up to ``shown`` disagreements: one of each cause first
    (the most frequent causes first), then the others in corpus order."""
    kinds = Counter(kind for kind, _, _ in comparison.disagreements)
    stages = Counter(
        (kind, backstage.stage if backstage else "-") for kind, backstage, _ in comparison.disagreements
    )
    causes = Counter(cause(*row) for row in comparison.disagreements)
    lines = [f"{comparison.disagree} of {comparison.documents} documents disagree with Backstage:"]
    for kind, count in kinds.most_common():
        by_stage = ", ".join(f"{stage} {n}" for (k, stage), n in stages.most_common() if k == kind)
        lines.append(f"  {count:5d}  {kind} (Backstage's step: {by_stage})")
    first: dict[str, int] = {}
    for number, row in enumerate(comparison.disagreements):
        first.setdefault(cause(*row), number)
    leading = sorted(first.values(), key=lambda n: -causes[cause(*comparison.disagreements[n])])
    rest = [n for n in range(comparison.disagree) if n not in set(leading)]
    picked = (leading + rest)[:shown]
    lines.append(
        f"{len(causes)} causes; {len(picked)} shown, one of each cause first ([N] = disagreements with that cause):"
    )
    for number in picked:
        row = comparison.disagreements[number]
        count = causes[cause(*row)] if number in first.values() else 0
        lines.append(f"  [{count}] " + describe(*row) if count else "  " + describe(*row))
    if comparison.disagree > len(picked):
        lines.append(
            f"  ... and {comparison.disagree - len(picked)} more (CODER_CATALOG_DIFFERENTIAL_REPORT=file writes all)"
        )
    return "\n".join(lines)


def write_full_report(comparison: Comparison, oracle: OracleRun) -> None:
    """All disagreements as JSON lines, when CODER_CATALOG_DIFFERENTIAL_REPORT names a file."""
    target = os.environ.get("CODER_CATALOG_DIFFERENTIAL_REPORT")
    if not target:
        return
    with open(target, "w", encoding="utf-8") as out:
        out.write(json.dumps({"versions": oracle.versions, "assumptions": oracle.assumptions}) + "\n")
        for kind, backstage, ours in comparison.disagreements:
            row: dict[str, Any] = {"kind": kind}
            for name, side in (("backstage", backstage), ("linter", ours)):
                if side is not None:
                    row["case"] = side.case_id
                    row[name] = {
                        "index": side.index,
                        "line": side.start_line + 1,
                        "verdict": side.verdict,
                        "detail": side.detail,
                    }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def file_dependent_report(comparison: Comparison) -> str:
    """The documents whose verdict depends on the files they name, one line each."""
    lines = [
        f"{len(comparison.file_dependent)} documents depend on the files they name (the linter does not read "
        "them), Backstage refused:"
    ]
    for backstage, _ours in comparison.file_dependent:
        lines.append(f"  {backstage.case_id} doc {backstage.index}: {_short(backstage.detail, 160)}")
    return "\n".join(lines)


def summary_line(comparison: Comparison, versions: dict[str, str]) -> str:
    return (
        f"differential: {comparison.documents} documents, {comparison.agree} agree, "
        f"{comparison.disagree} disagree, {len(comparison.file_dependent)} depend on the files they name; "
        f"@backstage/catalog-model {versions.get('@backstage/catalog-model', '?')}, "
        f"yaml {versions.get('yaml', '?')}, node {versions.get('node', '?')}"
    )
