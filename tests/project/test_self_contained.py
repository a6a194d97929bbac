"""The test suite runs from a fresh clone: nothing it reads lies outside the repository, and in CI a
missing tool fails the run instead of skipping quietly."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
TESTS = REPOSITORY / "tests"

# A path that climbs out of the repository to a sibling folder (the CI machine's reference folder beside
# the clone, which a contributor's clone does not have). The folder's name is assembled, so that this
# file does not itself contain the path it looks for.
SIBLING = "sha" + "red"
OUTSIDE = re.compile(rf"""\.\./{SIBLING}|["']{SIBLING}["']\s*/|parents\[\d+\]\.parent\b""")


def _test_files() -> list[Path]:
    """Every file under tests/, but for installed npm packages (node_modules: not tests, and big)."""
    found = []
    for folder, subfolders, files in os.walk(TESTS):
        subfolders[:] = sorted(d for d in subfolders if d != "node_modules")
        found += [Path(folder) / name for name in sorted(files)]
    return found


def test_no_test_reads_outside_the_repository() -> None:
    offenders = []
    for path in _test_files():
        if path.suffix not in (".py", ".lua", ".ts", ".js", ".json", ".sh"):
            continue
        if path == Path(__file__):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        offenders += [f"{path.relative_to(REPOSITORY)}: {m.group(0)}" for m in OUTSIDE.finditer(text)]
    assert not offenders, "tests must not read outside the repository:\n" + "\n".join(offenders)


def test_the_swagger_fixture_is_in_the_repository() -> None:
    swagger = TESTS / "fixtures" / "coder-swagger.json"
    assert swagger.is_file() and swagger.stat().st_size > 100_000


def _run_pytest(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    folder = tmp_path / "tests"
    folder.mkdir(exist_ok=True)
    (folder / "conftest.py").write_text((TESTS / "conftest.py").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "test_tool.py").write_text(
        "import pytest\n\n"
        "def test_needs_frob():\n"
        "    pytest.skip('missing tool: frob is not installed')\n\n"
        "def test_not_applicable():\n"
        "    pytest.skip('nothing to check here')\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", str(folder)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_missing_tool_skips_on_a_developer_machine(tmp_path: Path) -> None:
    done = _run_pytest(tmp_path, None)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 skipped" in done.stdout


def test_a_missing_tool_fails_in_ci(tmp_path: Path) -> None:
    done = _run_pytest(tmp_path, "true")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 failed, 1 skipped" in done.stdout
    assert "frob is not installed" in done.stdout
