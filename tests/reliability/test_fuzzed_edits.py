"""Random edit sequences and requests at random positions, through the server's own layers in-process
(documents, diagnostics, editor features, the catalog index): nothing raises, every request answers
within a bound, and the final diagnostics (and the index's facts, kept up to date edit by edit) equal
those of a fresh open of the final text. ``make fuzz`` runs many more."""

from __future__ import annotations

import time
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.reliability import fuzz_inputs

from coder_catalog.analysis.catalog_index import CatalogIndex, index_file
from coder_catalog.analysis.editor.completion import complete
from coder_catalog.analysis.editor.entity_references import (
    occurrences,
    reference_hover,
    reference_proposals,
    reference_slot,
    target_at,
)
from coder_catalog.analysis.editor.hover import hover
from coder_catalog.analysis.editor.outline import symbols
from coder_catalog.analysis.spans import Position
from coder_catalog.lsp.deployments import ProgressHandle, TemplateProviders
from coder_catalog.lsp.diagnostics import DiagnosticsPublisher
from coder_catalog.lsp.documents import CatalogDocuments

REQUEST_BOUND_SECONDS = 0.5
URI = "file:///fuzz/catalog-info.yaml"
PIECES = st.sampled_from(fuzz_inputs.PIECES)
EDIT = st.tuples(st.floats(0, 1), st.integers(0, 40), st.lists(PIECES, max_size=4).map("".join))
REQUEST = st.tuples(
    st.sampled_from(["complete", "hover", "symbols", "references"]), st.floats(0, 1), st.integers(0, 80)
)


def new_documents() -> tuple[CatalogDocuments, DiagnosticsPublisher, list[list[str]]]:
    documents = CatalogDocuments(
        TemplateProviders(lambda p: None, lambda k, m: None, lambda t: ProgressHandle())
    )
    published: list[list[str]] = []
    publisher = DiagnosticsPublisher(
        documents, lambda uri, version, fragments: published.append(fragments), lambda: "utf-16"
    )
    return documents, publisher, published


def position(text: str, where: float, column: int) -> tuple[int, int]:
    lines = text.split("\n")
    line = min(int(where * len(lines)), len(lines) - 1)
    return line, column


@settings(max_examples=fuzz_inputs.EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(EDIT.map(lambda e: ("edit", e)), REQUEST.map(lambda r: ("request", r))), max_size=25)
)
def test_random_edits_and_requests(steps: list[tuple[str, tuple[Any, ...]]]) -> None:
    documents, publisher, published = new_documents()
    text = fuzz_inputs.START
    document = documents.open(URI, "/fuzz/catalog-info.yaml", "yaml", 1, text)
    publisher.publish(URI)
    index = CatalogIndex()
    index.put(index_file(URI, text, documents.parses.parse))
    for version, (kind, step) in enumerate(steps, start=2):
        if kind == "edit":
            where, length, insert = step
            at = int(where * len(text))
            text = text[:at] + insert + text[at + length :]
            documents.change(URI, version, text)
            publisher.publish(URI)
            index.put(index_file(URI, text, documents.parses.parse, index.file(URI)))
            continue
        name, where, column = step
        analyzer = documents.analyzer_for(document)
        line, col = position(text, where, column)
        started = time.perf_counter()
        if name == "complete":
            complete(analyzer, text, line, col, snippets=True)
        elif name == "hover":
            hover(analyzer, text, line, col)
        elif name == "references":
            target = target_at(index, URI, Position(line, col))
            if target is not None:
                occurrences(index, target.key)
            reference_hover(index, URI, Position(line, col))
            slot = reference_slot(analyzer, text, line, col)
            if slot is not None:
                reference_proposals(index, slot)
        else:
            symbols(analyzer, text)
        assert time.perf_counter() - started < REQUEST_BOUND_SECONDS
    fresh_documents, fresh_publisher, fresh_published = new_documents()
    fresh_documents.open(URI, "/fuzz/catalog-info.yaml", "yaml", 1, text)
    fresh_publisher.publish(URI)
    assert ",".join(published[-1]) == ",".join(fresh_published[-1])
    kept, fresh = index.file(URI), index_file(URI, text)
    assert kept is not None
    assert (kept.entities, kept.references, kept.locations) == (
        fresh.entities,
        fresh.references,
        fresh.locations,
    )
