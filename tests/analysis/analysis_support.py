"""Helpers shared by the analysis tests (imported by name: keep this module name unique)."""

from __future__ import annotations

from coder_catalog.analysis.analyze import FileAnalysis, analyze_text
from coder_catalog.analysis.templates import TemplateData
from coder_catalog.settings import Settings


class Linter:
    def __init__(self, settings: Settings, templates: TemplateData) -> None:
        self.settings = settings
        self.templates = templates

    def __call__(self, text: str) -> FileAnalysis:
        return analyze_text(text, self.settings, self.templates)

    def codes(self, text: str) -> list[str]:
        return [f.code for f in self(text).findings]
