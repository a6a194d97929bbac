"""Every built-in kind's ``spec`` (CC508, CC513-CC519), entity references (CC520), placeholders and
empty documents, as Backstage's catalog judges them."""

from __future__ import annotations

import pytest

from coder_catalog.analysis.analyze import Analyzer
from coder_catalog.analysis.editor.hover import hover
from coder_catalog.analysis.editor.outline import symbols
from coder_catalog.analysis.findings import Finding
from coder_catalog.analysis.fixes import apply_fixes, apply_safe_fixes
from coder_catalog.analysis.rules.kinds import KIND_SPECS, reference_problem
from coder_catalog.settings import Settings, WorkspaceDefaults

SETTINGS = Settings(access_url=None, workspaces=WorkspaceDefaults())

VALID = {
    "Component": "  type: service\n  lifecycle: production\n  owner: team-a\n",
    "API": "  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition: 'openapi: 3.0.0'\n",
    "Resource": "  type: database\n  owner: team-a\n",
    "System": "  owner: team-a\n",
    "Domain": "  owner: team-a\n",
    "Group": "  type: team\n  children: []\n",
    "User": "  memberOf: [team-a]\n",
    "Location": "  targets: [./a.yaml]\n",
}


def entity(kind: str, spec: str | None, api_version: str = "backstage.io/v1alpha1") -> str:
    text = f"apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: example\n"
    return text if spec is None else f"{text}spec:\n{spec}"


def findings(text: str) -> list[Finding]:
    return list(Analyzer(SETTINGS).analyze(text).findings)


def errors(text: str) -> list[Finding]:
    return [f for f in findings(text) if f.severity == "error"]


@pytest.mark.parametrize("kind", sorted(VALID))
@pytest.mark.parametrize("version", ["backstage.io/v1alpha1", "backstage.io/v1beta1"])
def test_a_valid_entity_of_each_kind_is_clean(kind: str, version: str) -> None:
    assert findings(entity(kind, VALID[kind], version)) == []


@pytest.mark.parametrize(
    ("kind", "field"),
    [(kind, field.name) for kind, spec in KIND_SPECS.items() for field in spec.required],
)
def test_each_required_field_removed_is_an_error_on_spec(kind: str, field: str) -> None:
    spec = "".join(line + "\n" for line in VALID[kind].splitlines() if not line.startswith(f"  {field}:"))
    text = entity(kind, spec)
    [finding] = errors(text)
    assert finding.code == KIND_SPECS[kind].code
    assert finding.span.start.line == 4 and finding.span.start.column == 0  # on "spec"
    if spec:
        assert finding.message.startswith(
            f'"spec.{field}" is required for a{"n" if kind == "API" else ""} {kind};'
        )
    else:  # the only field: "spec:" is left empty
        assert finding.message.startswith(f'"spec" must have a value; expected a mapping with "{field}"')
    [fix] = finding.fixes
    assert not fix.safe  # a value to replace: offered, never applied by --fix
    fixed, applied = apply_fixes(text, [fix])
    assert applied == 1 and errors(fixed) == []


@pytest.mark.parametrize("kind", sorted(VALID))
def test_a_missing_spec_names_the_kind(kind: str) -> None:
    text = entity(kind, None)
    [finding] = errors(text)  # every kind's schema requires spec, even Location's (nothing in it)
    assert f"for a{'n' if kind == 'API' else ''} {kind}" in finding.message
    if KIND_SPECS[kind].required:
        fixed, _ = apply_fixes(text, finding.fixes)
        assert errors(fixed) == []


@pytest.mark.parametrize(
    ("kind", "spec", "field", "found"),
    [
        (
            "API",
            "  type: 3\n  lifecycle: production\n  owner: team-a\n  definition: x\n",
            "spec.type",
            "the number 3",
        ),
        ("Resource", "  type: database\n  owner: [team-a]\n", "spec.owner", "a list"),
        ("Group", "  type: team\n  children: team-b\n", "spec.children", '"team-b"'),
        ("Group", "  type: team\n  children: [team-b, 3]\n", "spec.children.1", "the number 3"),
        ("Group", "  type: team\n  children: []\n  profile: me\n", "spec.profile", '"me"'),
        ("User", "  memberOf: []\n  profile:\n    displayName: ''\n", "spec.profile.displayName", '""'),
        ("Location", "  targets: []\n  presence: maybe\n", "spec.presence", '"maybe"'),
        ("System", "  owner: team-a\n  domain: {a: b}\n", "spec.domain", "a mapping"),
    ],
)
def test_a_field_of_the_wrong_type(kind: str, spec: str, field: str, found: str) -> None:
    [finding] = errors(entity(kind, spec))
    assert finding.code == KIND_SPECS[kind].code
    assert f'"{field}"' in finding.message and found in finding.message


def test_other_spec_keys_are_free() -> None:
    text = entity("Group", VALID["Group"] + "  anything: [1, {a: b}]\n  coder: {templateName: x}\n")
    assert [f for f in findings(text) if f.code.startswith("CC5")] == []


@pytest.mark.parametrize(
    ("api_version", "judged"),
    [
        ("backstage.io/v1alpha1", True),
        ("backstage.io/v1beta1", True),
        ("example.com/v1", False),  # a kind of its own group: not Backstage's Group
        ("scaffolder.backstage.io/v1beta3", False),
    ],
)
def test_only_the_backstage_group_is_judged(api_version: str, judged: bool) -> None:
    codes = {f.code for f in findings(entity("Group", "  children: 3\n", api_version))}
    assert ("CC517" in codes) is judged


def test_a_template_keeps_only_the_envelope_checks() -> None:
    text = entity("Template", "  steps: 3\n  owner: 4\n", "scaffolder.backstage.io/v1beta3")
    assert findings(text) == []


def test_a_location_without_target_is_only_a_warning() -> None:
    [finding] = findings(entity("Location", "  type: url\n"))
    assert (finding.code, finding.severity) == ("CC519", "warning")
    assert findings(entity("Location", "  target: ./a.yaml\n")) == []


# -- references ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "default_kind", "problem"),
    [
        ("team-a", "Group", None),
        ("group:team-a", "Group", None),
        ("group:default/team-a", "Group", None),
        ("default/team-a", "Group", None),
        ("a:b:c", "Group", None),  # kind "a", name "b:c"
        ("ns/a:b", "Group", None),  # the slash comes first: namespace "ns", name "a:b"
        ("group:", "Group", "its name is empty"),
        ("group:default/", "Group", "its name is empty"),
        (":team-a", "Group", "its kind is empty"),
        ("group:/team-a", "Group", "its namespace is empty"),
        ("/team-a", "Group", "its namespace is empty"),
        ("artists-db", None, "no default kind"),
        ("resource:artists-db", None, None),
    ],
)
def test_references_parse_as_backstage_parses_them(
    ref: str, default_kind: str | None, problem: str | None
) -> None:
    found = reference_problem(ref, default_kind)
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_reference_findings_sit_on_the_value() -> None:
    text = entity(
        "Component",
        '  type: service\n  lifecycle: production\n  owner: "group:"\n  dependsOn:\n    - artists-db\n'
        "    - resource:ok\n  providesApis: [':x']\n",
    )
    found = [(f.code, f.span.start.line, f.message.split(" is ")[0]) for f in findings(text)]
    assert found == [
        ("CC520", 7, '"spec.owner"'),
        ("CC520", 9, '"spec.dependsOn.0"'),
        ("CC520", 11, '"spec.providesApis.0"'),
    ]


# -- placeholders -------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["$text", "$openapi", "$asyncapi", "$json", "$yaml"])
def test_a_placeholder_counts_as_what_it_resolves_to(key: str) -> None:
    spec = (
        f"  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    {key}: ./api.yaml\n"
    )
    assert findings(entity("API", spec)) == []
    metadata = (
        "apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: s\n"
        f"  description: {{{key}: ./README.md}}\nspec:\n  owner: team-a\n"
    )
    assert findings(metadata) == []


@pytest.mark.parametrize(
    "definition",
    [
        "{$unknown: ./api.yaml}",  # no such resolver: left as written
        "{$text: ./a.yaml, other: x}",  # more than one key: left as written
    ],
)
def test_a_placeholder_backstage_leaves_alone_stays_a_mapping(definition: str) -> None:
    spec = f"  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition: {definition}\n"
    [finding] = errors(entity("API", spec))
    assert finding.code == "CC513" and "found a mapping" in finding.message


@pytest.mark.parametrize("value", ["3", "[./a.yaml]", "", "{path: ./a.yaml}"])
def test_a_placeholder_needs_a_string(value: str) -> None:
    """Backstage's resolvers refuse a value that is not a path or URL ("expected a string value parameter")."""
    spec = f"  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: {value}\n"
    [finding] = errors(entity("API", spec))
    assert (
        finding.code == "CC522"
        and 'the $text placeholder in "spec.definition" needs a string' in finding.message
    )


def test_hover_on_a_placeholder_says_what_it_resolves_to() -> None:
    text = entity(
        "API",
        "  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: ./openapi.yaml\n",
    )
    analyzer = Analyzer(SETTINGS)
    line = text.splitlines().index("    $text: ./openapi.yaml")
    result = hover(analyzer, text, line, 5, "/repo/services/api/catalog-info.yaml")
    assert result is not None
    assert "**`$text` placeholder** in `spec.definition`" in result.markdown
    assert "the text of `/repo/services/api/openapi.yaml`: the field holds a string" in result.markdown
    url = hover(analyzer, text, line, 14, "https://github.com/acme/api/blob/main/catalog-info.yaml")
    assert url is not None and "`https://github.com/acme/api/blob/main/openapi.yaml`" in url.markdown


# -- empty documents ------------------------------------------------------------------------------------

GROUP = entity("Group", VALID["Group"])


@pytest.mark.parametrize(
    "text",
    [
        "",
        "---\n",
        "# only a comment\n",
        GROUP + "---\n",
        GROUP + "---\n# only a comment\n\n---\n" + GROUP,
        "---\n---\n" + GROUP,
        GROUP + "---\n~\n",
        GROUP + "--- # a comment\n...\n",
    ],
)
def test_empty_documents_yield_no_entity_and_no_finding(text: str) -> None:
    analysis = Analyzer(SETTINGS).analyze(text)
    assert analysis.findings == ()
    assert analysis.entity_count == text.count("kind: Group")


@pytest.mark.parametrize(("document", "kind"), [("- a\n- b\n", "list"), ("hello\n", "scalar")])
def test_a_scalar_or_list_document_is_still_refused(document: str, kind: str) -> None:
    [finding] = findings(GROUP + "---\n" + document)
    assert finding.code == "CC004" and kind in finding.message


def test_fixes_and_the_outline_work_beside_empty_documents() -> None:
    text = "---\n# nothing here\n---\n" + entity("System", "  owner: 42\n") + "---\n"
    analyzer = Analyzer(SETTINGS)
    fixed, applied = apply_safe_fixes(text, analyzer.analyze(text).findings)
    assert applied == 1 and '  owner: "42"\n' in fixed and fixed.endswith("---\n")
    assert [s.name for s in symbols(analyzer, text)] == ["System example"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (entity("Group", "  type: team\n"), "[]"),  # spec.children added
        (entity("Domain", None), "team-a"),  # a spec added with its owner
        (entity("Domain", ""), "team-a"),  # an empty spec: filled
        (entity("User", "  profile: {}\n").rstrip("\n"), "[]"),  # no final line break
    ],
)
def test_the_fix_selects_the_value_to_replace(text: str, value: str) -> None:
    [finding] = errors(text)
    [fix] = finding.fixes
    fixed, _ = apply_fixes(text, [fix])
    assert fix.select is not None
    line = fixed.splitlines()[fix.select.start.line]
    assert line[fix.select.start.column : fix.select.end.column] == value
