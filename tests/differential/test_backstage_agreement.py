"""Proof against Backstage itself: for every document of the corpus, the linter's verdict (has an
error or not) equals the verdict of Backstage's own code.

Backstage's side is ``oracle.mjs``, run once under Node.js on the whole corpus with the pinned
``@backstage/catalog-model`` and ``yaml`` (``package.json``, ``package-lock.json``; ``make test`` runs
``npm ci`` here). It emulates how ``@backstage/plugin-catalog-backend`` reads a file and processes each
entity; the steps it runs, and what it assumes of a deployment, are written at its top.

The linter's side is :class:`~coder_catalog.analysis.analyze.Analyzer` with default settings, offline:
a document is an error when it has a finding of severity ``error`` from a rule of the ``yaml`` or
``entity`` group (the envelope; ``spec.coder`` is the plugin's business), skipped when it is empty (no
finding, no entity), ok otherwise. The corpus is in ``differential_corpus.py``.

Backstage's verdict on an entity whose placeholders or Location targets it reads depends on those files,
which the linter does not read: where only those files make Backstage refuse the entity, the document is
listed apart ("depend on the files they name"), not counted as a disagreement (see differential_support).

The summary line (documents, agreements, disagreements, versions) is printed at the end of the run;
``CODER_CATALOG_DIFFERENTIAL_REPORT=path`` writes every disagreement to ``path`` as JSON lines.
"""

from __future__ import annotations

import pytest
from differential_corpus import corpus
from differential_support import (
    SUMMARY,
    compare,
    file_dependent_report,
    missing_tool,
    report,
    run_linter,
    run_oracle,
    summary_line,
    write_full_report,
)
from tests.conftest import MISSING_TOOL

# The issue asks for at least this many generated variants besides the project's own files.
MIN_GENERATED = 2_000


def test_linter_agrees_with_backstage() -> None:
    missing = missing_tool()
    if missing is not None:
        pytest.skip(f"{MISSING_TOOL}{missing}")
    cases = corpus()
    generated = sum(1 for case in cases if not case.id.startswith(("file/", "rule-example/")))
    assert generated >= MIN_GENERATED, f"only {generated} generated cases"

    oracle = run_oracle(cases)
    crashed = [d for d in oracle.documents if d.verdict == "crash"]
    assert not crashed, f"oracle.mjs could not judge {len(crashed)} cases, e.g. {crashed[0]}"
    # The corpus itself: every valid starting entity must be valid for Backstage.
    refused = [d for d in oracle.documents if d.case_id.endswith("/valid") and d.verdict != "ok"]
    assert not refused, f"a starting entity of the corpus is not valid for Backstage: {refused[0]}"

    comparison = compare(oracle.documents, run_linter(cases))
    line = summary_line(comparison, oracle.versions)
    SUMMARY.append(f"{line} ({len(cases)} files)")
    SUMMARY.append(file_dependent_report(comparison))
    # Only the corpus's placeholder and Location cases name other files.
    unexpected = [
        b.case_id
        for b, _ in comparison.file_dependent
        if not b.case_id.startswith(("placeholder/", "location/"))
    ]
    assert not unexpected, (
        f"documents outside the placeholder and Location cases depend on other files: {unexpected}"
    )
    write_full_report(comparison, oracle)
    if comparison.disagree:
        pytest.fail(f"{line}\n{report(comparison)}", pytrace=False)
