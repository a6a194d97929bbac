"""Fixtures for the analysis core: settings and template data, no network."""

from __future__ import annotations

import pytest
from analysis_support import Linter, default_settings, snapshot_templates

from coder_catalog.analysis.templates import TemplateData
from coder_catalog.settings import Settings


@pytest.fixture(scope="session")
def template_data() -> TemplateData:
    """The simulator's default templates, from a committed snapshot (kept in sync by a test)."""
    return snapshot_templates()


@pytest.fixture
def settings() -> Settings:
    return default_settings()


@pytest.fixture
def lint(settings: Settings, template_data: TemplateData) -> Linter:
    return Linter(settings, template_data)
