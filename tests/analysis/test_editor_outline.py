"""The outline of a multi-document file."""

from __future__ import annotations

import pytest
from analysis_support import component, position_of

from coder_catalog.analysis.analyze import Analyzer
from coder_catalog.analysis.editor.outline import Symbol, symbols
from coder_catalog.analysis.spans import Position
from coder_catalog.analysis.templates import TemplateData
from coder_catalog.settings import Settings

FILE = (
    component("coder:\n  templateName: docker\n  mode: auto\n  params:\n    cpu: '4'\n    memory: '8'")
    + "---\n"
    + component("owner2: x", name="no-coder").replace(
        "  name: no-coder\n", "  name: no-coder\n  namespace: web\n"
    )
    + "---\n- just\n- a list\n"
    + "---\nkind: Component\nmetadata: {name: [broken\n"
    + "---\n"
    + component("coder:", name="empty-coder")
)


@pytest.fixture
def analyzer(settings: Settings, template_data: TemplateData) -> Analyzer:
    return Analyzer(settings, template_data)


def tree(symbol: Symbol) -> object:
    return (symbol.kind, symbol.name, symbol.detail, [tree(c) for c in symbol.children])


def test_one_symbol_per_document_that_parses(analyzer: Analyzer) -> None:
    assert [tree(s) for s in symbols(analyzer, FILE)] == [
        (
            "entity",
            "Component python-project",
            "template docker",
            [
                (
                    "coder",
                    "coder",
                    "",
                    [
                        ("templateName", "templateName", "docker", []),
                        ("mode", "mode", "auto", []),
                        (
                            "params",
                            "params",
                            "",
                            [("parameter", "cpu", "4", []), ("parameter", "memory", "8", [])],
                        ),
                    ],
                )
            ],
        ),
        ("entity", "Component no-coder", "namespace web", []),
        ("document", "Document 3", "sequence", []),
        ("entity", "Component empty-coder", "", [("coder", "coder", "empty: breaks the plugin's card", [])]),
    ]


def test_spans_cover_the_documents_and_select_the_names(analyzer: Analyzer) -> None:
    first, second, *_ = symbols(analyzer, FILE)
    lines = FILE.split("\n")
    second_start = lines.index("---")
    assert first.span.start == Position(0, 0) and first.span.end == Position(
        second_start - 1, len(lines[second_start - 1])
    )
    assert first.selection_span.start == Position(*position_of(FILE, "python-project"))
    assert second.span.start == Position(second_start, 0)
    coder = first.children[0]
    assert coder.selection_span.start == Position(*position_of(FILE, "coder:"))
    assert coder.span.end == Position(*position_of(FILE, "memory: '8'", len("memory: '8'")))
    for symbol in (first, coder, *coder.children):
        assert (
            symbol.span.start <= symbol.selection_span.start and symbol.selection_span.end <= symbol.span.end
        )
        for child in symbol.children:
            assert symbol.span.start <= child.span.start and child.span.end <= symbol.span.end


def test_a_block_scalar_at_the_end_stays_inside_its_document(analyzer: Analyzer) -> None:
    text = (
        component("coder:\n  params:\n    note: |\n      two\n      lines")
        + "---\n"
        + component("", name="b")
    )
    first = symbols(analyzer, text)[0]
    assert first.children[0].span.end <= first.span.end


def test_the_same_answer_after_an_edit_elsewhere(analyzer: Analyzer) -> None:
    before = symbols(analyzer, FILE)
    edited = FILE.replace("name: no-coder", "name: renamed")
    after = symbols(analyzer, edited)
    assert after[0] is before[0]  # an unchanged document is not walked again
    assert after[1].name == "Component renamed"


def test_a_byte_order_mark_moves_the_first_line(analyzer: Analyzer) -> None:
    first = symbols(analyzer, "\ufeff" + FILE)[0]
    assert first.span.start == Position(0, 1)
