"""Adversarial documents: a clear finding or a refusal within 2 seconds, for the core, the linter
and the language server, which stays up."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from coder_catalog.analysis.analyze import analyze_text
from coder_catalog.analysis.catalog_index import index_file
from coder_catalog.settings import Settings, WorkspaceDefaults

SETTINGS = Settings(access_url=None, workspaces=WorkspaceDefaults())


def alias_bomb() -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i, name in enumerate("bcdefghi"):
        previous = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    return "\n".join(lines) + "\n"


DOCUMENTS = {
    "alias-bomb": (alias_bomb, "CC003"),
    "deep-nesting": (lambda: "a: " + "[" * 100_000 + "]" * 100_000 + "\n", "CC006"),
    "huge-file": (lambda: "a: b\n" * 10_000_000, "CC005"),  # 50 MB
    "one-megabyte-line": (
        lambda: (
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: " + "x" * 1_000_000 + "\n"
        ),
        "CC503",
    ),
    # Backstage's `yaml` reads it as one long string: "Expected object at root"
    "binary": (lambda: "".join(chr(c) for c in range(256)) * 64, "CC004"),
}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_the_core_answers_quickly_with_bounded_memory(name: str) -> None:
    make, code = DOCUMENTS[name]
    text = make()
    tracemalloc.start()
    started = time.perf_counter()
    findings = analyze_text(text, SETTINGS).findings
    index_file("file:///adversarial.yaml", text)  # the workspace index reads every catalog file too
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 2.0, f"{name} took {elapsed:.1f} s"
    assert peak < 200_000_000, f"{name} used {peak / 1e6:.0f} MB"
    assert code in [f.code for f in findings]


def lint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coder_catalog", "lint", "--offline", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("CODER_")},
    )


@pytest.mark.parametrize(
    ("name", "content", "exit_code", "expected"),
    [
        ("binary", bytes(range(256)) * 64, 2, "not UTF-8"),
        ("huge-file", b"a: b\n" * 10_000_000, 2, "too large"),
        ("alias-bomb", alias_bomb().encode(), 2, "CC003"),
        ("deep-nesting", b"a: " + b"[" * 100_000 + b"\n", 2, "CC006"),
    ],
)
def test_the_linter_names_the_file_and_never_prints_a_traceback(
    tmp_path: Path, name: str, content: bytes, exit_code: int, expected: str
) -> None:
    target = tmp_path / name / "catalog-info.yaml"
    target.parent.mkdir()
    target.write_bytes(content)
    result = lint(target)
    output = result.stdout + result.stderr
    assert result.returncode == exit_code, output[-2000:]
    assert expected.lower() in output.lower()
    assert "catalog-info.yaml" in output
    assert "Traceback" not in output
