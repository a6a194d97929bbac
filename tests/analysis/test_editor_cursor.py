"""Where the cursor is: parsed documents, half-typed YAML, flow style, positions in code points."""

from __future__ import annotations

import pytest
from analysis_support import component, cursor

from coder_catalog.analysis.analyze import Analyzer
from coder_catalog.analysis.editor.actions import code_actions
from coder_catalog.analysis.editor.completion import complete
from coder_catalog.analysis.editor.cursor import CursorContext, context_at, indent_path, shape
from coder_catalog.analysis.editor.hover import hover
from coder_catalog.analysis.spans import Span
from coder_catalog.analysis.templates import TemplateData
from coder_catalog.settings import Settings


@pytest.fixture
def analyzer(settings: Settings, template_data: TemplateData) -> Analyzer:
    return Analyzer(settings, template_data)


def at(analyzer: Analyzer, marked: str) -> CursorContext:
    text, line, column = cursor(marked)
    return context_at(analyzer, text, line, column)


def test_a_value_after_a_key_in_a_document_that_parses(analyzer: Analyzer) -> None:
    ctx = at(analyzer, component("coder:\n  templateName: dev‸\n  mode: auto"))
    assert (ctx.path, ctx.part, ctx.key, ctx.prefix) == (("spec", "coder"), "value", "templateName", "dev")
    assert ctx.parsed and ctx.entity is not None and ctx.entity.name == "python-project"
    assert (ctx.token_span.start.column, ctx.token_span.end.column) == (18, 21)


def test_an_empty_value_with_nothing_after_the_key(analyzer: Analyzer) -> None:
    ctx = at(analyzer, component("coder:\n  templateName: ‸"))
    assert (ctx.part, ctx.key, ctx.prefix, ctx.value_lead) == ("value", "templateName", "", "")
    right_after_colon = at(analyzer, component("coder:\n  templateName:‸"))
    assert right_after_colon.part == "value" and right_after_colon.value_lead == " "


def test_a_half_typed_key_that_yaml_reads_as_the_value_of_params(analyzer: Analyzer) -> None:
    ctx = at(analyzer, component("coder:\n  templateName: docker\n  params:\n    cp‸"))
    assert ctx.parsed  # YAML reads "params: cp"
    assert (ctx.path, ctx.part, ctx.prefix, ctx.siblings) == (("spec", "coder", "params"), "key", "cp", ())


def test_a_half_typed_key_that_breaks_the_document(analyzer: Analyzer) -> None:
    ctx = at(analyzer, component("coder:\n  templateName: docker\n  params:\n    memory: '8'\n    cp‸"))
    assert not ctx.parsed
    assert ctx.entity is not None  # parsed again without the cursor's line
    assert (ctx.path, ctx.part, ctx.key, ctx.siblings) == (
        ("spec", "coder", "params"),
        "key",
        "cp",
        ("memory",),
    )
    assert ctx.indent == 6 and not ctx.has_colon


def test_a_blank_line_takes_its_place_from_the_cursor_column(analyzer: Analyzer) -> None:
    in_coder = at(analyzer, component("coder:\n  mode: auto\n  ‸"))
    assert (in_coder.path, in_coder.part, in_coder.siblings) == (("spec", "coder"), "key", ("mode",))
    in_spec = at(analyzer, component("coder:\n  mode: auto\n‸"))
    assert in_spec.path == ("spec",) and "coder" in in_spec.siblings


def test_an_unclosed_quote_is_a_value_with_its_quote(analyzer: Analyzer) -> None:
    ctx = at(analyzer, component('coder:\n  templateName: "dock‸\n  mode: auto'))
    assert (ctx.part, ctx.prefix, ctx.quote) == ("value", '"dock', '"')


def test_comments_block_scalars_and_lists_are_not_completion_places(analyzer: Analyzer) -> None:
    assert at(analyzer, component("coder:\n  templateName: docker  # a comm‸ent")).part == "other"
    assert (
        at(analyzer, component("description: |\n  templateName: ‸docker\ncoder:\n  mode: auto")).part
        == "other"
    )
    assert at(analyzer, component("tags:\n  - py‸thon")).part == "other"


def test_flow_style_is_read_from_the_tree(analyzer: Analyzer) -> None:
    value = at(analyzer, component("coder: {templateName: dock‸er, mode: auto}"))
    assert (value.path, value.part, value.key, value.prefix) == (
        ("spec", "coder"),
        "value",
        "templateName",
        "dock",
    )
    key = at(analyzer, component("coder: {templateName: docker, mo‸}"))
    assert (key.path, key.part, key.prefix, key.siblings) == (
        ("spec", "coder"),
        "key",
        "mo",
        ("templateName",),
    )


def test_columns_are_code_points_after_non_ascii_text(analyzer: Analyzer) -> None:
    ctx = at(analyzer, component('coder:\n  params:\n    région: "é‸'))
    assert (ctx.path, ctx.key, ctx.prefix) == (("spec", "coder", "params"), "région", '"é')
    assert (ctx.token_span.start.column, ctx.token_span.end.column) == (14, 16)


def test_a_byte_order_mark_shifts_the_first_line_only(analyzer: Analyzer) -> None:
    text = "\ufeffspec:\n  coder:\n    mode: au"
    assert context_at(analyzer, text, 2, 12).token_span.start.column == 10
    first = context_at(analyzer, text, 0, 3)
    assert (first.part, first.token_span.start.column, first.token_span.end.column) == ("key", 1, 5)


def test_the_indentation_path_stops_under_a_scalar() -> None:
    lines = ["spec:", "  coder:", "    templateName: docker", "      x"]
    assert indent_path(lines, 2, 4) == ("spec", "coder")
    assert indent_path(lines, 3, 6) is None


def test_line_shapes() -> None:
    read = shape('  "my key": "a # b"  # note')
    assert (read.key_start, read.key_end, read.colon, read.value_start, read.value_end) == (2, 10, 10, 12, 19)
    assert read.comment == 21
    assert shape("    templ").colon == -1 and shape("    mode:").opener


TRICKY = [
    component("coder:\n  templateName: docker\n  params:\n    cpu: 4").replace("\n", "\r\n"),
    component("coder:\n  templateName: 'dock\n  mode: [auto\n  params:\n    - a: b"),
    component(
        "coder: {templateName: docker, params: {cpu: '4', mode: }}\ndescription: >\n  folded: text\n  more"
    ),
    "\ufeff" + component("coder:\n\ttemplateName: docker\n  params:\n    région: é"),
    "---\n# only a comment\n---\n" + component("coder:\n  ? complex key\n  : value\n  &a anchor: *a"),
    "key: [unclosed\n---\n" + component("coder:\n  templateName: ''\n  params:\n    x: |\n      y"),
]


@pytest.mark.parametrize("text", TRICKY)
def test_every_position_of_tricky_documents_answers(analyzer: Analyzer, text: str) -> None:
    findings = analyzer.analyze(text).findings
    lines = text.replace("\r\n", "\n").split("\n")
    for line, content in enumerate(lines):
        for column in range(len(content) + 2):  # past the line's end too
            complete(analyzer, text, line, column, snippets=True)
            hover(analyzer, text, line, column)
            code_actions(analyzer, text, Span.point(line, column), findings)
