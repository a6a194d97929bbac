"""A long editing session keeps the caches at the size of the file: the documents an edit replaces
are forgotten (issue 18: resident memory after 10,000 edits within 10% of after the first 100)."""

from __future__ import annotations

from coder_catalog.analysis.analyze import Analyzer
from coder_catalog.analysis.templates import TemplateData
from coder_catalog.settings import Settings

ENTITY = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: {name}
spec:
  type: service
  lifecycle: production
  owner: team-a
  coder:
    templateName: docker
    mode: {mode}
"""


def _file(count: int, prefix: str = "service", edited: str | None = None) -> str:
    docs = [ENTITY.format(name=f"{prefix}-{i}", mode="auto") for i in range(count)]
    if edited is not None:
        docs[17] = ENTITY.format(name=edited, mode="Auto")
    return "---\n".join(docs)


def _cached(analyzer: Analyzer) -> tuple[int, int, int]:
    return len(analyzer.parses._parses), len(analyzer._results), len(analyzer._placements)


def test_typing_in_one_document_keeps_one_version_of_it(
    settings: Settings, template_data: TemplateData
) -> None:
    analyzer = Analyzer(settings, template_data)
    reference = Analyzer(settings, template_data)
    analyzer.analyze(_file(50))
    assert _cached(analyzer) == (50, 50, 50)
    for version in range(200):
        text = _file(50, edited=f"typed-{version}")
        result = analyzer.analyze(text)
        # the editor features ask for the document at a place, on the same text
        assert analyzer.document_at(text, 17 * 11 + 3) is not None
    assert _cached(analyzer) == (50, 50, 50)
    assert analyzer.analysed_documents == 250  # each version was analysed once, nothing again
    assert result.findings == reference.analyze(text).findings  # the same verdicts as a fresh analysis


def test_a_single_document_file_keeps_one_version(settings: Settings, template_data: TemplateData) -> None:
    analyzer = Analyzer(settings, template_data)
    for version in range(100):
        analyzer.analyze(ENTITY.format(name=f"typed-{version}", mode="auto"))
    assert _cached(analyzer) == (1, 1, 1)


def test_another_file_does_not_evict_the_first(settings: Settings, template_data: TemplateData) -> None:
    analyzer = Analyzer(settings, template_data)
    first, second = _file(30), _file(30, prefix="other")
    analyzer.analyze(first)
    analyzer.analyze(second)
    analyzer.analyze(first)
    assert analyzer.analysed_documents == 60  # the first file's documents were still known
    assert _cached(analyzer) == (60, 60, 60)
