"""Helpers shared by the ``lint`` tests (imported by name: this folder is on sys.path)."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from coder_catalog.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "lint"
GOLDEN = Path(__file__).parent / "golden"

COMPONENT = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: {name}
  annotations:
    backstage.io/source-location: url:https://github.com/acme/{name}/tree/main/
spec:
  type: service
  lifecycle: production
  owner: team-a
"""


def component(name: str, coder: str = "") -> str:
    """A clean single-entity catalog file, with a ``spec.coder`` block when ``coder`` is given."""
    text = COMPONENT.format(name=name)
    return text + ("  coder:\n" + "".join(f"    {line}\n" for line in coder.splitlines()) if coder else "")


def isolate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *, repository: bool = True) -> Path:
    """No settings leak in from the machine: empty home, no Coder variables, a fresh working folder
    (a repository root when ``repository``: a ``.git`` folder that git itself does not accept)."""
    for name in list(os.environ):
        if name.startswith("CODER_") or name == "NO_COLOR":
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    work = tmp_path / "work"
    work.mkdir()
    if repository:
        (work / ".git").mkdir()
    monkeypatch.chdir(work)
    return work


def copy_fixture(work: Path) -> Path:
    shutil.copytree(FIXTURE, work, dirs_exist_ok=True)
    return work


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def run_lint(capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    capsys.readouterr()
    code = main(["lint", *args])
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def codes(run: Run) -> list[str]:
    """The rule codes of a ``--format json`` run, file by file."""
    return [f["code"] for file in run.json()["files"] for f in file["findings"]]
