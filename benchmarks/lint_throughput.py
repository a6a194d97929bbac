"""``coder-catalog lint`` throughput: 5,000 small single-entity catalog files linted offline.

The files are generated in a temporary git repository (one folder per service, as in a
monorepo; every file different so no cached result answers for another) and linted in-process:
discovery (with the one git call), reading, settings, analysis and the text report. Start-up
(the interpreter and the imports) is not counted. Target: 3,000 files/s.

``analysis_only_seconds`` times the analysis core alone on the same texts (one fresh
:class:`Analyzer`, no discovery, reading or settings), to show how the time splits between the
core and the command around it.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from coder_catalog.analysis.analyze import Analyzer
from coder_catalog.cli.lint_engine import LintOptions, LintReport, lint
from coder_catalog.cli.lint_formats import render_text

TARGET_FILES_PER_SECOND = 3000
MODES = ("manual", "auto")
TEMPLATES = ("docker", "devcontainers", "kubernetes", "scratch")


def catalog_file(number: int) -> str:
    return (
        "apiVersion: backstage.io/v1alpha1\n"
        "kind: Component\n"
        "metadata:\n"
        f"  name: service-{number}\n"
        "  annotations:\n"
        f"    backstage.io/source-location: url:https://github.com/acme/service-{number}/tree/main/\n"
        "spec:\n"
        "  type: service\n"
        "  lifecycle: production\n"
        f"  owner: team-{number % 40}\n"
        "  coder:\n"
        f"    templateName: {TEMPLATES[number % len(TEMPLATES)]}\n"
        f"    mode: {MODES[number % 2]}\n"
    )


def generate(root: Path, count: int) -> None:
    for number in range(count):
        folder = root / f"team-{number % 40}" / f"service-{number}"
        folder.mkdir(parents=True)
        (folder / "catalog-info.yaml").write_text(catalog_file(number), encoding="utf-8")
        (folder / "README.md").write_text(f"# service {number}\n", encoding="utf-8")


def _git_init(root: Path) -> bool:
    git = shutil.which("git")
    if git is None:
        return False
    done = subprocess.run([git, "init", "-q", str(root)], capture_output=True, check=False)
    return done.returncode == 0


def _lint_once(root: Path) -> tuple[LintReport, float, float]:
    started = time.perf_counter()
    report = lint(LintOptions(paths=(str(root),), offline=True), cwd=root, env={})
    linted = time.perf_counter() - started
    render_text(report, io.StringIO())
    return report, linted, time.perf_counter() - started


def _analysis_only(report: LintReport) -> float:
    checked = [f for f in report.files if f.settings is not None]
    if not checked:
        return 0.0
    settings = checked[0].settings
    assert settings is not None
    analyzer = Analyzer(settings)
    started = time.perf_counter()
    for file in checked:
        analyzer.analyze(file.text)
    return time.perf_counter() - started


def run(count: int = 5000) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="coder-catalog-lint-bench-") as folder:
        root = Path(folder) / "repo"
        root.mkdir()
        in_git = _git_init(root)
        generate(root, count)
        report, linted, total = _lint_once(root)
    analysis = _analysis_only(report)
    files = len(report.files)
    per_second = files / total if total else 0.0
    return {
        "files": files,
        "findings": sum(len(f.findings) for f in report.files),
        "git_repository": in_git,
        "lint_seconds": round(linted, 3),
        "lint_and_report_seconds": round(total, 3),
        "files_per_second": round(per_second),
        "analysis_only_seconds": round(analysis, 3),
        "analysis_only_files_per_second": round(files / analysis) if analysis else None,
        "target_files_per_second": TARGET_FILES_PER_SECOND,
        "meets_target": per_second >= TARGET_FILES_PER_SECOND,
    }


if __name__ == "__main__":
    import json
    import sys

    json.dump(run(), sys.stdout, indent=2)
    sys.stdout.write("\n")
