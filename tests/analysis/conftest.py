"""Fixtures for the analysis core: settings and template data, no network."""

from __future__ import annotations

from pathlib import Path

import pytest
from analysis_support import Linter

from coder_catalog.analysis.templates import TemplateData
from coder_catalog.settings import Settings, WorkspaceDefaults
from coder_catalog.templates.snapshot import load_snapshot

SNAPSHOT = Path(__file__).resolve().parents[1] / "fixtures" / "coder-templates.json"


@pytest.fixture(scope="session")
def template_data() -> TemplateData:
    """The simulator's default templates, from a committed snapshot (kept in sync by a test)."""
    return TemplateData(load_snapshot(SNAPSHOT))


@pytest.fixture
def settings() -> Settings:
    return Settings(
        access_url="https://coder.example.com",
        workspaces=WorkspaceDefaults(repo_url_param_keys=("repo_url",)),
    )


@pytest.fixture
def lint(settings: Settings, template_data: TemplateData) -> Linter:
    return Linter(settings, template_data)
