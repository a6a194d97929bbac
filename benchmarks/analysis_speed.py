"""Analysis of one large catalog file: a full analysis, then re-analysis after changing one document.

Target (issue 3): the re-analysis takes under 5% of the full analysis.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from benchmarks.generated_catalogs import many_components
from coder_catalog.analysis.analyze import Analyzer
from coder_catalog.analysis.templates import TemplateData
from coder_catalog.settings import Settings, WorkspaceDefaults
from coder_catalog.templates.snapshot import load_snapshot

SNAPSHOT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "coder-templates.json"


def run(count: int = 2000, repeats: int = 5) -> dict[str, Any]:
    settings = Settings(
        access_url="https://coder.example.com",
        workspaces=WorkspaceDefaults(repo_url_param_keys=("repo_url",)),
    )
    templates = TemplateData(load_snapshot(SNAPSHOT))
    text = many_components(count)
    full_times, edit_times, findings = [], [], 0
    for round_number in range(repeats):
        analyzer = Analyzer(settings, templates)
        started = time.perf_counter()
        result = analyzer.analyze(text)
        full_times.append(time.perf_counter() - started)
        findings = len(result.findings)
        # Change one document in the middle (a different edit each round), as an editor would.
        edited = text.replace("name: service-1000\n", f"name: service-1000-edit{round_number}\n", 1)
        started = time.perf_counter()
        analyzer.analyze(edited)
        edit_times.append(time.perf_counter() - started)
    full = statistics.median(full_times)
    edit = statistics.median(edit_times)
    return {
        "entities": count,
        "lines": text.count("\n") + 1,
        "bytes": len(text.encode()),
        "findings": findings,
        "full_analysis_ms": round(full * 1000, 1),
        "reanalysis_after_one_document_change_ms": round(edit * 1000, 1),
        "reanalysis_fraction": round(edit / full, 4),
        "target_fraction": 0.05,
        "meets_target": edit / full < 0.05,
    }
