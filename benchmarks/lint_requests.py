"""Requests a lint run makes: 5,000 catalog files using 5 templates, against the simulator over HTTP.

Target (issue 3): at most 8 requests (buildinfo, templates, deprecated templates, and one
rich-parameters request per distinct template).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from coder_catalog.cli.lint_engine import LintOptions, lint
from coder_catalog.simulator.server import SimulatorServer

TEMPLATES = ("docker", "devcontainers", "kubernetes", "scratch", "gpu-cluster")
TARGET = 8


def catalog_file(number: int) -> str:
    return (
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n"
        f"  name: service-{number}\n  annotations:\n"
        f"    backstage.io/source-location: url:https://github.com/acme/service-{number}/tree/main/\n"
        f"spec:\n  type: service\n  lifecycle: production\n  owner: team-{number % 40}\n"
        f"  coder:\n    templateName: {TEMPLATES[number % len(TEMPLATES)]}\n"
    )


def run(count: int = 5000) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder, SimulatorServer() as simulator:
        root = Path(folder)
        for number in range(count):
            target = root / f"service-{number}"
            target.mkdir()
            (target / "catalog-info.yaml").write_text(catalog_file(number), encoding="utf-8")
        simulator.clear_requests()
        started = time.perf_counter()
        report = lint(
            LintOptions(paths=(str(root),), overrides={"deployment": {"accessUrl": simulator.url}}),
            cwd=root,
            env={"CODER_SESSION_TOKEN": simulator.token},
        )
        seconds = time.perf_counter() - started
        requests = [r for r in simulator.requests() if str(r["path"]).startswith("/api/")]
    return {
        "files": len(report.files),
        "distinct_templates": len(TEMPLATES),
        "requests": len(requests),
        "paths": sorted({str(r["path"]) for r in requests}),
        "target_requests": TARGET,
        "meets_target": len(requests) <= TARGET,
        "lint_seconds": round(seconds, 3),
    }
