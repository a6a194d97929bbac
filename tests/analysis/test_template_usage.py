"""The uses of templates in a catalog file and moving them to another template (the analysis core of
``templates usage``, shared by the CLI and the language server)."""

from __future__ import annotations

import pytest
from analysis_support import component, position_of

from coder_catalog.analysis.documents import DocumentCache
from coder_catalog.analysis.findings import Fix, TextEdit
from coder_catalog.analysis.fixes import apply_fixes
from coder_catalog.analysis.spans import Span
from coder_catalog.analysis.template_usage import (
    TemplateUse,
    plan_template_move,
    scalar_literal,
    template_status,
    template_uses,
)
from coder_catalog.analysis.templates import TemplateData
from coder_catalog.settings import Settings, WorkspaceDefaults

BOM = "\ufeff"


@pytest.fixture
def with_default() -> Settings:
    """Settings whose app default template is legacy-vm."""
    return Settings(
        access_url="https://coder.example.com",
        workspaces=WorkspaceDefaults(default_template_name="legacy-vm"),
    )


def source(text: str, span: Span) -> str:
    """The file's text in a one-line span (file positions: a byte order mark is a column)."""
    assert span.start.line == span.end.line
    return text.split("\n")[span.start.line][span.start.column : span.end.column]


def at(text: str, needle: str, length: int | None = None) -> Span:
    line, column = position_of(text, needle)
    return Span.of(line, column, line, column + (len(needle) if length is None else length))


# -- the uses ----------------------------------------------------------------------------------------

FILE = (
    component("coder:\n  templateName: docker\n  mode: auto", name="a")
    + "---\n"
    + component("", name="no-coder")
    + "---\n- just\n- a list\n"
    + "---\nkind: Component\nmetadata: {name: [broken\n"
    + "---\n"
    + component("coder:\n  mode: manual", name="no-template")
    + "---\n"
    + component("coder:\n  templateName: 'legacy-vm'", name="quoted")
)


def test_every_entity_with_a_coder_block_is_a_use(settings: Settings) -> None:
    uses = template_uses(FILE, settings, None)
    assert [(u.entity, u.template, u.inherited) for u in uses] == [
        ("component:default/a", "docker", False),
        ("component:default/no-template", None, False),
        ("component:default/quoted", "legacy-vm", False),
    ]
    a, no_template, quoted = uses
    assert a.segment_start == 0
    assert a.span == at(FILE, "docker")
    assert a.effective.mode == "auto"
    # Without templateName: the coder key of the entity's document.
    assert no_template.span == at(FILE, "coder:\n    mode: manual", len("coder"))
    assert FILE.split("\n")[no_template.segment_start] == "---"
    # The quoted value, quotes included.
    assert source(FILE, quoted.span) == "'legacy-vm'"
    assert quoted.segment_start < quoted.span.start.line


def test_the_template_of_the_app_default(with_default: Settings) -> None:
    uses = template_uses(FILE, with_default, None)
    by_entity = {u.entity: u for u in uses}
    assert list(by_entity) == [
        "component:default/a",
        "component:default/no-coder",
        "component:default/no-template",
        "component:default/quoted",
    ]
    inherited = [u.entity for u in uses if u.inherited]
    assert inherited == ["component:default/no-coder", "component:default/no-template"]
    no_coder = by_entity["component:default/no-coder"]
    assert no_coder.template == "legacy-vm"
    assert no_coder.effective.template_source == "app-default"
    # No coder block: the document's start.
    start = no_coder.segment_start + 1  # after its "---" line
    assert no_coder.span == Span.point(start, 0)
    assert FILE.split("\n")[start] == "apiVersion: backstage.io/v1alpha1"
    assert by_entity["component:default/no-template"].template == "legacy-vm"
    assert by_entity["component:default/a"].template == "docker"


def test_spans_are_file_positions_with_a_byte_order_mark(settings: Settings, with_default: Settings) -> None:
    text = (
        BOM
        + "{apiVersion: backstage.io/v1alpha1, kind: Component, metadata: {name: flow}, "
        + "spec: {coder: {templateName: docker}}}\n"
        + "---\n"
        + component('coder:\n  templateName: "scratch"', name="second")
        + "---\n"
        + component("", name="third")
    )
    first, second = template_uses(text, settings, None)
    assert first.entity == "component:default/flow"
    assert first.span == at(text, "docker")  # the mark is the first line's first column
    assert source(text, first.span) == "docker"
    assert first.span.start.column == text.split("\n")[0].index("docker")
    assert second.segment_start == 1  # its "---" line
    assert second.span == at(text, '"scratch"')
    assert second.span.start.line > second.segment_start
    # A use at the document's start on the first line: after the mark.
    (only,) = template_uses(BOM + component("", name="only"), with_default, None)
    assert only.inherited and only.span == Span.point(0, 1)
    # The same file without the mark: the same lines, the first line's columns one less.
    plain = template_uses(text.removeprefix(BOM), settings, None)
    assert plain[0].span == Span.of(0, first.span.start.column - 1, 0, first.span.end.column - 1)
    assert plain[1].span == second.span


def test_documents_are_parsed_with_the_given_parser(settings: Settings) -> None:
    def facts(uses: list[TemplateUse]) -> list[tuple[str, str | None, Span, int]]:
        return [(u.entity, u.template, u.span, u.segment_start) for u in uses]

    cache = DocumentCache()
    assert facts(template_uses(FILE, settings, None, cache.parse)) == facts(
        template_uses(FILE, settings, None)
    )
    assert cache.misses == 6 and cache.hits == 0
    template_uses(FILE, settings, None, cache.parse)
    assert cache.hits == 6


def test_status_with_a_template_catalog(
    settings: Settings, with_default: Settings, template_data: TemplateData
) -> None:
    catalog = template_data.catalog
    assert catalog is not None
    text = (
        component("coder:\n  templateName: Docker", name="a")
        + "---\n"
        + component("coder:\n  templateName: legacy-vm", name="b")
        + "---\n"
        + component("coder:\n  templateName: no-such-template", name="c")
        + "---\n"
        + component("coder:\n  mode: auto", name="d")
    )
    uses = template_uses(text, settings, None)
    assert [template_status(u, catalog) for u in uses] == ["active", "deprecated", "unknown", None]
    assert [template_status(u, None) for u in uses] == [None, None, None, None]
    inherited = template_uses(text, with_default, None)[-1]
    assert inherited.inherited and template_status(inherited, catalog) == "deprecated"


# -- moving ------------------------------------------------------------------------------------------


def test_scalar_literal_keeps_the_style_and_quotes_what_yaml_would_not_read_back() -> None:
    assert scalar_literal("docker", "") == "docker"
    assert scalar_literal("true", "") == '"true"'
    assert scalar_literal("a b", "") == '"a b"'
    assert scalar_literal("it's", "'") == "'it''s'"
    assert scalar_literal('say "hi"', '"') == '"say \\"hi\\""'
    assert scalar_literal("docker", "|") is None


def apply(text: str, edits: list[TextEdit]) -> str:
    return apply_fixes(text, [Fix("move", (edit,)) for edit in edits])[0]


def test_plan_template_move_across_two_files(with_default: Settings) -> None:
    first = BOM + (
        component("coder:\n  templateName: 'legacy-vm'   # retired soon", name="a")
        + "---\n"
        + component('coder:\n  templateName: "Legacy-VM"', name="b")
        + "---\n"
        + component("coder:\n  templateName: docker", name="other")
    )
    second = (
        component("coder:\n  templateName: LEGACY-VM\n  mode: auto", name="c")
        + "---\n"
        + component("coder:\n  templateName: *t", name="alias").replace(
            "  name: alias\n", "  name: alias\n  description: &t legacy-vm\n"
        )
        + "---\n"
        + component("coder:\n  templateName: >-\n    legacy-vm", name="block")
        + "---\n"
        + component('coder:\n  templateName: "legacy-\\x76m"', name="escaped")
        + "---\n"
        + component("", name="inherited")
    )
    one, two = "file:///work/a/catalog-info.yaml", "file:///work/b/catalog-info.yaml"
    files = {
        one: (first, template_uses(first, with_default, None)),
        two: (second, template_uses(second, with_default, None)),
    }
    move = plan_template_move(files, "legacy-vm", "new-vm", lambda use: f"default of {use.entity}")
    assert (move.old, move.new) == ("legacy-vm", "new-vm")
    assert [(key, use.entity) for key, use in move.changed] == [
        (one, "component:default/a"),
        (one, "component:default/b"),
        (two, "component:default/c"),
    ]
    assert [(key, use.entity, reason) for key, use, reason in move.not_changed] == [
        (
            two,
            "component:default/alias",
            "templateName is written through an alias, an anchor or escapes: change it by hand",
        ),
        (two, "component:default/block", "templateName is not a plain or quoted string: change it by hand"),
        (
            two,
            "component:default/escaped",
            "templateName is written through an alias, an anchor or escapes: change it by hand",
        ),
        (two, "component:default/inherited", "default of component:default/inherited"),
    ]
    assert list(move.edits) == [one, two]
    # The edits are file positions: applied to the whole text, the mark included.
    assert [e.new_text for e in move.edits[one]] == ["'new-vm'", '"new-vm"']
    assert apply(first, move.edits[one]) == first.replace("'legacy-vm'", "'new-vm'").replace(
        '"Legacy-VM"', '"new-vm"'
    )
    assert apply(second, move.edits[two]) == second.replace("templateName: LEGACY-VM", "templateName: new-vm")


def test_plan_template_move_on_the_first_line_after_a_byte_order_mark(settings: Settings) -> None:
    text = BOM + "{kind: Component, metadata: {name: flow}, spec: {coder: {templateName: old}}}\n"
    move = plan_template_move(
        {"file:///flow.yaml": (text, template_uses(text, settings, None))}, "old", "true", str
    )
    (edit,) = move.edits["file:///flow.yaml"]
    assert source(text, edit.span) == "old"
    assert apply(text, [edit]) == text.replace("templateName: old", 'templateName: "true"')


def test_nothing_to_move(settings: Settings) -> None:
    text = component("coder:\n  templateName: docker")
    move = plan_template_move({"k": (text, template_uses(text, settings, None))}, "legacy-vm", "docker", str)
    assert move.edits == {} and move.changed == [] and move.not_changed == []
