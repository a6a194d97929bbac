"""Helpers shared by the analysis tests (imported by name: keep this module name unique)."""

from __future__ import annotations

from pathlib import Path

from coder_catalog.analysis.analyze import FileAnalysis, analyze_text
from coder_catalog.analysis.templates import TemplateData
from coder_catalog.settings import Settings, WorkspaceDefaults
from coder_catalog.templates.snapshot import load_snapshot

SNAPSHOT = Path(__file__).resolve().parents[1] / "fixtures" / "coder-templates.json"


def default_settings() -> Settings:
    """The settings the analysis tests use (the ``settings`` fixture)."""
    return Settings(
        access_url="https://coder.example.com",
        workspaces=WorkspaceDefaults(repo_url_param_keys=("repo_url",)),
    )


def snapshot_templates() -> TemplateData:
    """The simulator's default templates, from a committed snapshot (kept in sync by a test)."""
    return TemplateData(load_snapshot(SNAPSHOT))


class Linter:
    def __init__(self, settings: Settings, templates: TemplateData) -> None:
        self.settings = settings
        self.templates = templates

    def __call__(self, text: str) -> FileAnalysis:
        return analyze_text(text, self.settings, self.templates)

    def codes(self, text: str) -> list[str]:
        return [f.code for f in self(text).findings]


# -- editor features ---------------------------------------------------------------------------

CURSOR = "‸"  # marks the cursor in a test text
SOURCE_LOCATION = "url:https://github.com/acme/python-project/tree/main/"


def cursor(text: str) -> tuple[str, int, int]:
    """The text without its cursor mark, and the mark's file position (line, column in code points)."""
    index = text.index(CURSOR)
    before = text[:index]
    return text[:index] + text[index + 1 :], before.count("\n"), index - (before.rfind("\n") + 1)


def position_of(text: str, needle: str, offset: int = 0) -> tuple[int, int]:
    """The file position of the first ``needle`` in ``text``, plus ``offset`` columns."""
    index = text.index(needle) + offset
    before = text[:index]
    return before.count("\n"), index - (before.rfind("\n") + 1)


def component(
    spec: str = "",
    *,
    name: str = "python-project",
    location: str | None = SOURCE_LOCATION,
    kind: str = "Component",
) -> str:
    """An entity whose ``spec`` ends with ``spec`` (lines written as if at column 0, indented by 2)."""
    annotation = f"  annotations:\n    backstage.io/source-location: {location}\n" if location else ""
    block = "".join(f"  {line}\n" for line in spec.splitlines())
    return (
        f"apiVersion: backstage.io/v1alpha1\nkind: {kind}\nmetadata:\n  name: {name}\n"
        f"{annotation}spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n{block}"
    )


def text_in(text: str, start: tuple[int, int], end: tuple[int, int]) -> str:
    """The text between two file positions on one line."""
    line = text.split("\n")[start[0]]
    assert start[0] == end[0], "single-line spans only"
    return line[start[1] : end[1]]
