"""Editor features in one large catalog file: completion and hover at random places inside the
``spec.coder`` blocks of a 2,000-entity (about 34,000-line) file, after one analysis of it.

Target: under 10 ms median per call. Outline, links and code actions are timed too (the first
call walks every document; later calls reuse what did not change).
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.generated_catalogs import many_components
from coder_catalog.analysis.analyze import Analyzer
from coder_catalog.analysis.editor.actions import code_actions
from coder_catalog.analysis.editor.completion import complete
from coder_catalog.analysis.editor.hover import hover
from coder_catalog.analysis.editor.links import links
from coder_catalog.analysis.editor.outline import symbols
from coder_catalog.analysis.spans import Span
from coder_catalog.analysis.templates import TemplateData
from coder_catalog.settings import Settings, WorkspaceDefaults
from coder_catalog.templates.snapshot import load_snapshot

SNAPSHOT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "coder-templates.json"
TARGET_MS = 10.0


def coder_positions(text: str, count: int, seed: int = 7) -> list[tuple[int, int]]:
    """Random (line, column) places inside the spec.coder blocks, line ends included."""
    lines = text.split("\n")
    inside: list[int] = []
    in_coder = False
    for number, line in enumerate(lines):
        if line == "  coder:":
            in_coder = True
        elif line == "---" or (line and not line.startswith("   ")):
            in_coder = False
        if in_coder:
            inside.append(number)
    chooser = random.Random(seed)
    chosen = [chooser.choice(inside) for _ in range(count)]
    return [(line, chooser.randint(0, len(lines[line]))) for line in chosen]


def _timed(call: Callable[[int, int], object], positions: list[tuple[int, int]]) -> dict[str, float]:
    times = []
    for line, column in positions:
        started = time.perf_counter()
        call(line, column)
        times.append((time.perf_counter() - started) * 1000)
    return {
        "median_ms": round(statistics.median(times), 3),
        "p95_ms": round(statistics.quantiles(times, n=20)[18], 3),
        "max_ms": round(max(times), 3),
    }


def _whole_file(call: Callable[[], object], repeats: int = 5) -> dict[str, float]:
    started = time.perf_counter()
    call()
    first = (time.perf_counter() - started) * 1000
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return {"first_ms": round(first, 1), "again_ms": round(statistics.median(times), 1)}


def run(count: int = 2000, calls: int = 200) -> dict[str, Any]:
    settings = Settings(
        access_url="https://coder.example.com",
        workspaces=WorkspaceDefaults(repo_url_param_keys=("repo_url",)),
    )
    analyzer = Analyzer(settings, TemplateData(load_snapshot(SNAPSHOT)))
    text = many_components(count)
    findings = analyzer.analyze(text).findings
    positions = coder_positions(text, calls)
    completion = _timed(lambda line, column: complete(analyzer, text, line, column, snippets=True), positions)
    hovering = _timed(lambda line, column: hover(analyzer, text, line, column), positions)
    actions = _timed(
        lambda line, column: code_actions(analyzer, text, Span.point(line, column), findings), positions
    )
    return {
        "entities": count,
        "lines": text.count("\n") + 1,
        "calls": calls,
        "completion": completion,
        "hover": hovering,
        "code_actions": actions,
        "outline": _whole_file(lambda: symbols(analyzer, text)),
        "links": _whole_file(lambda: links(analyzer, text)),
        "target_median_ms": TARGET_MS,
        "meets_target": completion["median_ms"] < TARGET_MS and hovering["median_ms"] < TARGET_MS,
    }


if __name__ == "__main__":
    import json

    from coder_catalog.runtime import relax_garbage_collector

    relax_garbage_collector()
    print(json.dumps(run(), indent=2))
