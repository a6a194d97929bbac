"""The Backstage entity envelope rules (CC5xx): examples, spans, formats and fixes."""

from __future__ import annotations

import pytest

from coder_catalog.analysis.analyze import analyze_text
from coder_catalog.analysis.findings import Finding
from coder_catalog.analysis.fixes import apply_fixes, apply_safe_fixes
from coder_catalog.analysis.rules import REGISTRY, iter_rules
from coder_catalog.analysis.rules.envelope import (
    api_version_problem,
    dns_label_problem,
    dns_subdomain_problem,
    key_problem,
    kind_problem,
    label_value_problem,
    name_problem,
    tag_problem,
    url_problem,
)
from coder_catalog.analysis.spans import Span
from coder_catalog.settings import Settings, WorkspaceDefaults

SETTINGS = Settings(access_url=None, workspaces=WorkspaceDefaults())
EXPECTED_CODES = {f"CC5{n:02d}" for n in range(1, 24)}
ENVELOPE_CODES = sorted(rule.code for rule in iter_rules("entity"))

HEAD = "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
SPEC = "spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"


def entity(metadata: str = "", *, name: str = "python-project", head: str = HEAD, spec: str = SPEC) -> str:
    """A whole Component; ``metadata`` holds extra lines already indented by two spaces."""
    return f"{head}metadata:\n  name: {name}\n{metadata}{spec}"


def lint(text: str) -> list[Finding]:
    return [f for f in analyze_text(text, SETTINGS).findings if f.code.startswith("CC5")]


def of(code: str, text: str) -> list[Finding]:
    return [f for f in lint(text) if f.code == code]


def span_of(text: str, needle: str, occurrence: int = 0) -> Span:
    """The span of the ``occurrence``-th ``needle`` in ``text`` (on one line)."""
    index = -1
    for _ in range(occurrence + 1):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index)
    column = index - (text.rfind("\n", 0, index) + 1)
    return Span.of(line, column, line, column + len(needle))


def spans(code: str, text: str) -> list[Span]:
    return [f.span for f in of(code, text)]


def fixed(text: str) -> str:
    """The text with every safe fix of the envelope rules applied (repeatedly, as ``lint --fix`` may)."""
    for _ in range(5):
        new, applied = apply_safe_fixes(text, lint(text))
        if not applied:
            return new
        text = new
    return text


# -- the registry and the examples -------------------------------------------------------------------


def test_every_envelope_rule_is_registered() -> None:
    assert set(ENVELOPE_CODES) == EXPECTED_CODES
    for code in ENVELOPE_CODES:
        rule = REGISTRY[code]
        assert rule.group == "entity"
        assert rule.check is not None and not rule.needs_templates
        assert rule.summary and "\n" not in rule.summary
        assert len(rule.explanation.split(". ")) >= 2
        assert rule.bad.startswith(("apiVersion:", "kind:")) and rule.good.startswith(
            ("apiVersion:", "kind:")
        )
    assert {REGISTRY[c].severity for c in EXPECTED_CODES} == {"error"}
    names = [REGISTRY[c].name for c in ENVELOPE_CODES]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("code", ENVELOPE_CODES)
def test_bad_example_triggers_only_its_rule(code: str) -> None:
    findings = lint(REGISTRY[code].bad)
    assert findings, f"{code}'s bad example is clean"
    assert {f.code for f in findings} == {code}
    assert all(f.severity == REGISTRY[code].severity for f in findings)


@pytest.mark.parametrize("code", ENVELOPE_CODES)
def test_good_example_is_clean(code: str) -> None:
    assert lint(REGISTRY[code].good) == []


BAD_EXAMPLE_SPANS = {  # code: (needle, occurrence counted from the end: -1 is the last) for each finding
    "CC501": [("Backstage.io/v1alpha1", 0)],
    "CC502": [("Web-Service", 0)],
    "CC503": [("my service", 0)],
    "CC504": [("Team_A", 0)],
    "CC505": [("Python", 0)],
    "CC506": [("Backstage.io/techdocs-ref", 0), ("8080", 0)],
    "CC507": [("front end", 0), ("3", -1)],
    "CC508": [("spec", 0), ("''", 0)],  # spec.owner missing: on "spec"; lifecycle empty
    "CC509": [("description", 0)],
    "CC510": [("grafana.example.com/d/python-project", 0)],
    "CC511": [("spec", 0)],
    "CC512": [("backstage.io/v1", 0)],
    "CC513": [("spec", 0)],  # API without definition
    "CC514": [("spec", 0)],  # Resource without owner
    "CC515": [("[team-a]", 0)],
    "CC516": [("''", 0)],
    "CC517": [("spec", 0)],  # Group without children
    "CC518": [("spec", 0)],  # User without memberOf
    "CC519": [("./services/*/catalog-info.yaml", 0)],
    "CC520": [('"group:"', 0), ("artists-db", 0)],
    "CC521": [("2024", 0), ("description", 0)],
    "CC522": [("$text", 0)],
    "CC523": [("file", 0)],
}


@pytest.mark.parametrize("code", ENVELOPE_CODES)
def test_bad_example_spans(code: str) -> None:
    bad = REGISTRY[code].bad
    expected = [
        span_of(bad, needle, occurrence if occurrence >= 0 else bad.count(needle) + occurrence)
        for needle, occurrence in BAD_EXAMPLE_SPANS[code]
    ]
    assert sorted(spans(code, bad), key=lambda s: s.start) == expected


def test_message_follows_backstage_wording() -> None:
    [finding] = of("CC503", entity(name="my service"))
    assert finding.message.startswith(
        '"metadata.name" is not valid; expected a string that is sequences of [a-zA-Z0-9] separated by any '
        'of [-_.], at most 63 characters in total but found "my service"'
    )


def test_every_problem_is_reported_not_only_the_first() -> None:
    text = (
        "apiVersion: backstage.io/v1 alpha1\nkind: 9Component\nmetadata:\n  name: my service\n"
        "  namespace: Team_A\n  tags: [Python]\n  labels:\n    tier: front end\n"
        "  annotations:\n    example.com/port: 8080\n  links:\n    - url: example.com\n"
        "spec: {}\nSpec: {}\n"
    )
    assert {f.code for f in lint(text)} == {
        "CC501", "CC502", "CC503", "CC504", "CC505", "CC506", "CC507", "CC509", "CC510"
    }  # fmt: skip


def test_a_document_that_is_no_entity_is_still_checked() -> None:
    text = "foo: bar\n"
    found = {f.code: f.span for f in lint(text)}
    first_key = span_of(text, "foo")
    assert found == {"CC501": first_key, "CC502": first_key, "CC503": first_key, "CC509": first_key}


def test_findings_of_a_later_document_are_on_its_lines() -> None:
    text = entity() + "---\n" + entity(name="my service")
    [finding] = lint(text)
    assert finding.code == "CC503"
    assert finding.span == span_of(text, "my service")


def test_empty_mapping_document() -> None:
    found = lint("{}\n")
    assert {f.code for f in found} == {"CC501", "CC502", "CC503"}
    assert all(f.span.start.line == 0 for f in found)


# -- CC501 apiVersion / CC512 unknown apiVersion ----------------------------------------------------

VALID_API_VERSIONS = [
    "backstage.io/v1alpha1",
    "backstage.io/v1beta1",
    "scaffolder.backstage.io/v1beta3",
    "my-company.net/v1",
    "v1",
    "V1Alpha1",
    "a/b",
    ".".join(["a" * 63] * 3) + "/v1",
    "a" * 63,
]
INVALID_API_VERSIONS = [
    ("", "empty"),
    ("1.0", '"." is not allowed'),
    ("backstage.io/", "after"),
    ("/v1", "prefix"),
    ("Backstage.io/v1alpha1", 'upper-case "B"'),
    ("backstage.io/v1/alpha", 'more than one "/"'),
    ("backstage.io/v1-alpha", '"-" is not allowed'),
    ("backstage..io/v1", "empty part"),
    ("-backstage.io/v1", "start and end"),
    ("a" * 64, "64 characters"),
    (".".join(["a" * 63] * 4) + "/v1", "255 characters"),
    ("my_company.net/v1", '"_" is not allowed'),
]


@pytest.mark.parametrize("value", VALID_API_VERSIONS)
def test_valid_api_versions(value: str) -> None:
    assert api_version_problem(value) is None


@pytest.mark.parametrize(("value", "reason"), INVALID_API_VERSIONS)
def test_invalid_api_versions(value: str, reason: str) -> None:
    problem = api_version_problem(value)
    assert problem is not None and reason in problem


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("apiVersion: 1.0\n", "found the number 1.0"),
        ("apiVersion:\n", '"apiVersion" must have a value'),
        ("apiVersion: [backstage.io/v1alpha1]\n", "found a list"),
        ("apiVersion: 'backstage.io/v1 alpha1'\n", '" " is not allowed'),
    ],
)
def test_api_version_values(line: str, message: str) -> None:
    text = entity(head=line + "kind: Component\n")
    [finding] = of("CC501", text)
    assert message in finding.message
    assert finding.span.start.line == 0


def test_missing_api_version_is_reported_on_the_first_key() -> None:
    text = entity(head="kind: Component\n")
    assert spans("CC501", text) == [span_of(text, "kind")]


def test_null_api_version_is_reported_on_its_key() -> None:
    text = entity(head="apiVersion:\nkind: Component\n")
    assert spans("CC501", text) == [span_of(text, "apiVersion")]


@pytest.mark.parametrize(
    ("value", "after"),
    [
        ("Backstage.io/v1alpha1", "backstage.io/v1alpha1"),
        ('"BACKSTAGE.IO/V1BETA1"', '"backstage.io/v1beta1"'),
        ("'Backstage.io/v1alpha1'", "'backstage.io/v1alpha1'"),
    ],
)
def test_api_version_case_fix(value: str, after: str) -> None:
    text = entity(head=f"apiVersion: {value}\nkind: Component\n")
    result = fixed(text)
    assert result == entity(head=f"apiVersion: {after}\nkind: Component\n")
    assert lint(result) == []


def test_api_version_case_fix_for_a_template() -> None:
    text = "apiVersion: Scaffolder.Backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: new-service\n"
    assert fixed(text).startswith("apiVersion: scaffolder.backstage.io/v1beta3\n")


@pytest.mark.parametrize(
    ("kind", "version", "warned"),
    [
        ("Component", "backstage.io/v1alpha1", False),
        ("Component", "backstage.io/v1beta1", False),
        ("Group", "backstage.io/v1alpha1", False),
        ("Template", "scaffolder.backstage.io/v1beta3", False),
        ("MyKind", "my-company.net/v1", False),
        ("component", "my-company.net/v1", False),  # not a built-in kind (kinds are case-sensitive here)
        ("Component", "backstage.io/v1", True),
        ("API", "backstage.io/v2", True),
        ("Template", "backstage.io/v1alpha1", True),
        ("Template", "scaffolder.backstage.io/v1beta2", True),
        ("Location", "my-company.net/v1", True),
        ("Component", "backstage.io/v1 alpha1", False),  # invalid: CC501's
    ],
)
def test_unknown_api_version(kind: str, version: str, warned: bool) -> None:
    text = f"apiVersion: {version}\nkind: {kind}\nmetadata:\n  name: x\n{SPEC}"
    found = of("CC512", text)
    assert bool(found) is warned
    if warned:  # every catalog refuses a built-in kind it cannot read; Template needs the scaffolder
        assert found[0].severity == ("warning" if kind == "Template" else "error")
        assert found[0].span == span_of(text, version)
        assert f"kind {kind}" in found[0].message


def test_unknown_api_version_fixes() -> None:
    case_only = entity(head="apiVersion: backstage.io/v1Alpha1\nkind: Component\n")
    [finding] = of("CC512", case_only)
    assert finding.safe_fix is not None
    assert lint(fixed(case_only)) == []
    close = entity(head="apiVersion: backstage.io/v1alpha\nkind: Component\n")
    [finding] = of("CC512", close)
    assert finding.safe_fix is None
    assert finding.fixes[0].title == 'Change to "backstage.io/v1alpha1"'
    result, applied = apply_fixes(close, finding.fixes[:1])
    assert applied == 1 and lint(result) == []
    far = entity(head="apiVersion: example.com/v9\nkind: Component\n")
    assert of("CC512", far)[0].fixes == ()


# -- CC502 kind ------------------------------------------------------------------------------------

VALID_KINDS = ["Component", "API", "a", "MyKind2", "X" * 63]
INVALID_KINDS = [
    ("", "empty"),
    ("2Component", "start with a letter"),
    ("Web-Service", '"-" is not allowed'),
    ("my_kind", '"_" is not allowed'),
    ("Kind Name", '" " is not allowed'),
    ("X" * 64, "64 characters"),
    ("Компонент", "is not allowed"),
]


@pytest.mark.parametrize("value", VALID_KINDS)
def test_valid_kinds(value: str) -> None:
    assert kind_problem(value) is None


@pytest.mark.parametrize(("value", "reason"), INVALID_KINDS)
def test_invalid_kinds(value: str, reason: str) -> None:
    problem = kind_problem(value)
    assert problem is not None and reason in problem


@pytest.mark.parametrize(
    ("head", "needle"),
    [
        ("apiVersion: backstage.io/v1alpha1\n", "apiVersion"),  # missing: the first key
        ("apiVersion: backstage.io/v1alpha1\nkind:\n", "kind"),  # null: its key
        ("apiVersion: backstage.io/v1alpha1\nkind: 42\n", "42"),
        ("apiVersion: backstage.io/v1alpha1\nkind: true\n", "true"),
        ("apiVersion: backstage.io/v1alpha1\nkind: '2Component'\n", "'2Component'"),
    ],
)
def test_kind_findings(head: str, needle: str) -> None:
    text = entity(head=head)
    assert spans("CC502", text) == [span_of(text, needle)]


# -- CC503 metadata.name ----------------------------------------------------------------------------

VALID_NAMES = ["python-project", "a", "A1", "my_service.v2", "a--b", "a._-b", "x" * 63, "0"]
INVALID_NAMES = [
    ("", "empty"),
    ("my service", '" " is not allowed'),
    ("-leading", "start and end"),
    ("trailing.", "start and end"),
    ("_x", "start and end"),
    ("team/service", '"/" is not allowed'),
    ("x" * 64, "64 characters"),
    ("café", '"é" is not allowed'),
    ("a:b", '":" is not allowed'),
]


@pytest.mark.parametrize("value", VALID_NAMES)
def test_valid_names(value: str) -> None:
    assert name_problem(value) is None
    assert of("CC503", entity(name=f'"{value}"')) == []


@pytest.mark.parametrize(("value", "reason"), INVALID_NAMES)
def test_invalid_names(value: str, reason: str) -> None:
    problem = name_problem(value)
    assert problem is not None and reason in problem
    text = entity(name=f'"{value}"')
    [finding] = of("CC503", text)
    assert finding.span == span_of(text, f'"{value}"')
    assert reason in finding.message


@pytest.mark.parametrize(
    ("text", "needle", "message"),
    [
        (HEAD + SPEC, "apiVersion", '"metadata" is required'),
        (HEAD + "metadata:\n" + SPEC, "metadata", '"metadata" must have a value'),
        (HEAD + "metadata: python-project\n" + SPEC, "python-project", '"metadata" is not valid'),
        (HEAD + "metadata:\n  - name: x\n" + SPEC, "metadata", "found a list"),
        (HEAD + "metadata:\n  title: Python\n" + SPEC, "metadata", '"metadata.name" is required'),
        (HEAD + "metadata:\n  name:\n" + SPEC, "name", '"metadata.name" must have a value'),
        (HEAD + "metadata:\n  name: ~\n" + SPEC, "~", '"metadata.name" must have a value'),
        (HEAD + "metadata:\n  name: 42\n" + SPEC, "42", "found the number 42"),
    ],
)
def test_metadata_name_findings(text: str, needle: str, message: str) -> None:
    [finding] = of("CC503", text)
    assert finding.span == span_of(text, needle)
    assert message in finding.message


@pytest.mark.parametrize(
    ("value", "fix"), [("42", '"42"'), ("1.5", '"1.5"'), ("-1", None), ("true", '"true"')]
)
def test_number_name_is_quoted_when_that_makes_it_valid(value: str, fix: str | None) -> None:
    text = entity(name=value)
    [finding] = of("CC503", text)
    if fix is None:
        assert finding.fixes == ()
        return
    result = fixed(text)
    assert result == entity(name=fix)
    assert of("CC503", result) == []


# -- CC504 metadata.namespace ----------------------------------------------------------------------

VALID_NAMESPACES = ["default", "team-a", "a", "a--b", "0", "x" * 63]
INVALID_NAMESPACES = [
    ("", "empty"),
    ("Team-A", 'upper-case "T"'),
    ("team_a", '"_" is not allowed'),
    ("team.a", '"." is not allowed'),
    ("-team", "start and end"),
    ("team-", "start and end"),
    ("x" * 64, "64 characters"),
]


@pytest.mark.parametrize("value", VALID_NAMESPACES)
def test_valid_namespaces(value: str) -> None:
    assert dns_label_problem(value) is None
    assert of("CC504", entity(f'  namespace: "{value}"\n')) == []


@pytest.mark.parametrize(("value", "reason"), INVALID_NAMESPACES)
def test_invalid_namespaces(value: str, reason: str) -> None:
    problem = dns_label_problem(value)
    assert problem is not None and reason in problem
    text = entity(f'  namespace: "{value}"\n')
    [finding] = of("CC504", text)
    assert finding.span == span_of(text, f'"{value}"')


def test_null_namespace_is_rejected() -> None:
    text = entity("  namespace:\n")
    [finding] = of("CC504", text)
    assert finding.span == span_of(text, "namespace")
    assert "must have a value" in finding.message


def test_namespace_lower_case_fix_is_offered_not_applied() -> None:
    text = entity("  namespace: Team-A\n")
    [finding] = of("CC504", text)
    assert finding.safe_fix is None
    assert fixed(text) == text
    result, _ = apply_fixes(text, finding.fixes)
    assert result == entity("  namespace: team-a\n")
    assert of("CC504", result) == []


def test_namespace_absent_is_fine() -> None:
    assert of("CC504", entity()) == []


# -- CC505 metadata.tags ---------------------------------------------------------------------------

VALID_TAGS = ["python", "c++", "c#", "data-pipeline", "k8s:prod", "a", "2024", "x" * 63, "+#:"]
INVALID_TAGS = [
    ("", "empty"),
    ("Python", 'upper-case "P"'),
    ("data pipeline", '" " is not allowed'),
    ("data_pipeline", '"_" is not allowed'),
    ("data--pipeline", "repeated"),
    ("-python", "start or end"),
    ("python-", "start or end"),
    ("x" * 64, "64 characters"),
    ("v1.2", '"." is not allowed'),
]


@pytest.mark.parametrize("value", VALID_TAGS)
def test_valid_tags(value: str) -> None:
    assert tag_problem(value) is None
    assert of("CC505", entity(f'  tags: ["{value}"]\n')) == []


@pytest.mark.parametrize(("value", "reason"), INVALID_TAGS)
def test_invalid_tags(value: str, reason: str) -> None:
    problem = tag_problem(value)
    assert problem is not None and reason in problem
    text = entity(f'  tags:\n    - web\n    - "{value}"\n')
    [finding] = of("CC505", text)
    assert finding.span == span_of(text, f'"{value}"')
    assert '"metadata.tags.1"' in finding.message


@pytest.mark.parametrize(
    ("tags", "needle", "message"),
    [
        ("  tags: python\n", "python", "expected a list of strings"),
        ("  tags:\n", "tags", '"metadata.tags" must have a value'),
        ("  tags: {python: true}\n", "{python: true}", "found a mapping"),
        ("  tags:\n    - 3.11\n", "3.11", "found the number 3.11"),
        ("  tags:\n    - ~\n", "~", '"metadata.tags.0" must have a value'),
    ],
)
def test_tags_findings(tags: str, needle: str, message: str) -> None:
    text = entity(tags)
    [finding] = of("CC505", text)
    assert finding.span == span_of(text, needle, text.count(needle) - 1)
    assert message in finding.message


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("  tags: [Python, web]\n", "  tags: [python, web]\n"),
        ("  tags:\n    - Python\n    - Data-Pipeline\n", "  tags:\n    - python\n    - data-pipeline\n"),
        ('  tags: ["C#", "K8S:Prod"]\n', '  tags: ["c#", "k8s:prod"]\n'),
        ("  tags: ['Go']\n", "  tags: ['go']\n"),
        ("  tags: [2024, true]\n", '  tags: ["2024", "true"]\n'),
        ("  tags: [0X1F]\n", '  tags: ["0x1f"]\n'),  # plain 0x1f would be a number
    ],
)
def test_tag_fixes(before: str, after: str) -> None:
    text = entity(before)
    assert all(f.safe_fix is not None for f in of("CC505", text))
    result = fixed(text)
    assert result == entity(after)
    assert of("CC505", result) == []


@pytest.mark.parametrize("tag", ["Data Pipeline", "TRUE", "3.11"])
def test_tags_without_a_fix(tag: str) -> None:
    [finding] = of("CC505", entity(f"  tags: [{tag}]\n"))
    assert finding.fixes == ()


# -- CC506 annotations / CC507 labels --------------------------------------------------------------

VALID_KEYS = [
    "backstage.io/source-location",
    "backstage.io/techdocs-ref",
    "github.com/project-slug",
    "jira",
    "Jira_Project.Key",
    "a/b",
    "my-company.example.net/Some.Name_1",
    "x" * 63,
    "a" * 63 + "." + "b" * 63 + "/name",
]
INVALID_KEYS = [
    ("", "empty"),
    ("Backstage.io/source-location", 'the prefix "Backstage.io"'),
    ("backstage_io/name", 'the prefix "backstage_io"'),
    ("/name", "the prefix"),
    ("backstage.io/", 'after "/"'),
    ("backstage.io/-name", 'after "/"'),
    ("a/b/c", 'more than one "/"'),
    ("my key", '" " is not allowed'),
    ("x" * 64, "64 characters"),
    ("backstage.io/" + "x" * 64, "64 characters"),
    (".".join(["a" * 63] * 4) + "/name", "255 characters"),
]


@pytest.mark.parametrize("value", VALID_KEYS)
def test_valid_keys(value: str) -> None:
    assert key_problem(value) is None
    assert lint(entity(f'  annotations:\n    "{value}": x\n  labels:\n    "{value}": x\n')) == []


@pytest.mark.parametrize(("value", "reason"), INVALID_KEYS)
def test_invalid_keys(value: str, reason: str) -> None:
    problem = key_problem(value)
    assert problem is not None and reason in problem
    annotations = entity(f'  annotations:\n    "{value}": x\n')
    [finding] = of("CC506", annotations)
    assert finding.span == span_of(annotations, f'"{value}"')
    assert finding.message.startswith('"metadata.annotations" key')
    labels = entity(f'  labels:\n    "{value}": x\n')
    [finding] = of("CC507", labels)
    assert finding.span == span_of(labels, f'"{value}"')


def test_subdomain_problem_names_the_label() -> None:
    assert dns_subdomain_problem("backstage.IO") == 'in "IO", upper-case "I" is not allowed'
    assert dns_subdomain_problem("a..b") == 'it has an empty part between "."'
    assert dns_subdomain_problem("backstage.io") is None


@pytest.mark.parametrize(
    ("value", "message", "quoted"),
    [
        ("8080", "found the number 8080", '"8080"'),
        ("1.10", "found the number 1.10", '"1.10"'),
        ("true", "found the boolean true", '"true"'),
        ("0x1F", "found the number 0x1F", '"0x1F"'),
        ("!!int 5", "found the number 5", '"5"'),
    ],
)
def test_annotation_values_must_be_strings(value: str, message: str, quoted: str) -> None:
    text = entity(f"  annotations:\n    example.com/port: {value}\n")
    [finding] = of("CC506", text)
    assert finding.span == span_of(text, value)
    assert message in finding.message
    assert finding.safe_fix is not None
    result = fixed(text)
    assert result == entity(f"  annotations:\n    example.com/port: {quoted}\n")
    assert of("CC506", result) == []


@pytest.mark.parametrize(
    ("annotations", "needle", "message"),
    [
        ("  annotations:\n    example.com/port:\n", "example.com/port", "must have a value"),
        ("  annotations:\n    example.com/list: [a, b]\n", "[a, b]", "found a list"),
        ("  annotations: [a]\n", "[a]", "found a list"),
        ("  annotations:\n    ? [a, b]\n    : x\n", "[a, b]", "keys must be strings"),
    ],
)
def test_annotation_findings_without_fix(annotations: str, needle: str, message: str) -> None:
    text = entity(annotations)
    [finding] = of("CC506", text)
    assert finding.span == span_of(text, needle)
    assert message in finding.message
    assert finding.fixes == ()


def test_annotation_string_values_of_any_form_are_fine() -> None:
    text = entity(
        "  annotations:\n    a: ''\n    b: 'yes'\n    c: no\n    d: |\n      multi\n      line\n"
        '    e: "8080"\n    backstage.io/source-location: url:https://github.com/acme/repo/tree/main/\n'
    )
    assert lint(text) == []


def test_annotation_key_prefix_fix_is_offered_not_applied() -> None:
    text = entity("  annotations:\n    Backstage.io/techdocs-ref: dir:.\n")
    [finding] = of("CC506", text)
    assert finding.safe_fix is None
    result, _ = apply_fixes(text, finding.fixes)
    assert result == entity("  annotations:\n    backstage.io/techdocs-ref: dir:.\n")
    assert lint(result) == []
    taken = entity(
        "  annotations:\n    Backstage.io/techdocs-ref: dir:.\n    backstage.io/techdocs-ref: dir:.\n"
    )
    assert of("CC506", taken)[0].fixes == ()


VALID_LABEL_VALUES = ["", "frontend", "Front_End.v2", "a", "x" * 63]
INVALID_LABEL_VALUES = [
    ("front end", '" " is not allowed'),
    ("-frontend", "start and end"),
    ("x" * 64, "64 characters"),
    ("a/b", '"/" is not allowed'),
]


@pytest.mark.parametrize("value", VALID_LABEL_VALUES)
def test_valid_label_values(value: str) -> None:
    assert label_value_problem(value) is None
    assert of("CC507", entity(f'  labels:\n    tier: "{value}"\n')) == []


@pytest.mark.parametrize(("value", "reason"), INVALID_LABEL_VALUES)
def test_invalid_label_values(value: str, reason: str) -> None:
    problem = label_value_problem(value)
    assert problem is not None and reason in problem
    text = entity(f'  labels:\n    tier: "{value}"\n')
    [finding] = of("CC507", text)
    assert finding.span == span_of(text, f'"{value}"')
    assert '"metadata.labels.tier"' in finding.message


@pytest.mark.parametrize(
    ("value", "after"),
    [("3", '"3"'), ("true", '"true"'), ("2.5", '"2.5"')],
)
def test_label_number_values_are_quoted(value: str, after: str) -> None:
    text = entity(f"  labels:\n    example.com/replicas: {value}\n")
    [finding] = of("CC507", text)
    assert finding.span == span_of(text, value, text.count(value) - 1)
    result = fixed(text)
    assert result == entity(f"  labels:\n    example.com/replicas: {after}\n")
    assert of("CC507", result) == []


def test_label_values_without_fix() -> None:
    text = entity("  labels:\n    a: -1\n    b:\n    c: {x: y}\n")
    found = of("CC507", text)
    assert [f.span for f in found] == [
        span_of(text, "-1"),
        span_of(text, "b", text.count("b") - 1),
        span_of(text, "{x: y}"),
    ]
    assert all(f.fixes == () for f in found)
    assert "must have a value" in found[1].message


def test_labels_must_be_a_mapping() -> None:
    text = entity("  labels: tier=frontend\n")
    [finding] = of("CC507", text)
    assert finding.span == span_of(text, "tier=frontend")


# -- CC508 Component spec --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "needles", "message"),
    [
        ("", ["apiVersion"], '"spec" is required for a Component'),
        ("spec:\n", ["spec"], '"spec" must have a value'),
        ("spec: service\n", ["service"], '"spec" is not valid'),
        ("spec:\n  type: service\n  lifecycle: production\n", ["spec"], '"spec.owner" is required'),
        ("spec:\n  coder:\n    templateName: x\n", ["spec"] * 3, "is required for a Component"),
        ("spec:\n  type: ''\n  lifecycle: production\n  owner: team-a\n", ["''"], "(it is empty)"),
        ("spec:\n  type: service\n  lifecycle:\n  owner: team-a\n", ["lifecycle"], "must have a value"),
        ("spec:\n  type: service\n  lifecycle: production\n  owner: [a]\n", ["[a]"], "found a list"),
    ],
)
def test_component_spec(spec: str, needles: list[str], message: str) -> None:
    text = entity(spec=spec)
    found = of("CC508", text)
    assert [f.span for f in found] == [span_of(text, n) for n in needles]
    assert message in found[0].message


def test_component_spec_number_is_quoted() -> None:
    text = entity(spec="spec:\n  type: service\n  lifecycle: 1\n  owner: team-a\n")
    [finding] = of("CC508", text)
    assert finding.span == span_of(text, "1", text.count("1") - 1)
    result = fixed(text)
    assert 'lifecycle: "1"' in result and of("CC508", result) == []


@pytest.mark.parametrize("kind", ["API", "Group", "System", "component", "MyKind"])
def test_component_spec_only_for_components(kind: str) -> None:
    text = f"apiVersion: backstage.io/v1alpha1\nkind: {kind}\nmetadata:\n  name: x\n"
    assert of("CC508", text) == []


def test_component_spec_takes_spaces_as_backstage_does() -> None:
    """The kind schema says ``minLength: 1``: a string of spaces is not empty to Backstage."""
    assert of("CC508", entity(spec='spec:\n  type: "  "\n  lifecycle: production\n  owner: team-a\n')) == []


def test_component_spec_is_otherwise_open() -> None:
    assert (
        lint(entity(spec=SPEC + "  system: payments\n  anything: [1, 2]\n  coder:\n    mode: auto\n")) == []
    )


# -- CC509 unknown root keys -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "hint"),
    [
        ("description: x\n", '"description" belongs under "metadata"'),
        ("owner: team-a\n", '"owner" belongs under "spec"'),
        ("coder:\n  mode: auto\n", '"coder" belongs under "spec"'),
        ("specs: {}\n", 'did you mean "spec"?'),
        ("metdata: {}\n", 'did you mean "metadata"?'),
        ("foo: bar\n", "an entity has only apiVersion, kind, metadata, spec"),
    ],
)
def test_unknown_root_keys(extra: str, hint: str) -> None:
    text = entity() + extra
    key = extra.split(":")[0]
    [finding] = of("CC509", text)
    assert finding.span == span_of(text, key, text.count(key) - 1)
    assert hint in finding.message


@pytest.mark.parametrize("key", ["relations", "status"])
def test_catalog_written_root_keys_are_refused_in_a_file(key: str) -> None:
    [finding] = of("CC509", entity() + f"{key}: []\n")
    assert f'the catalog writes "{key}" itself' in finding.message


@pytest.mark.parametrize("value", ["", " null", " ''", " false", " 0", " ~"])
def test_annotations_the_catalog_reads_as_none(value: str) -> None:
    """The catalog reads ``metadata.annotations || {}``: null, "", false and 0 are no annotations."""
    assert lint(entity(metadata=f"  annotations:{value}\n")) == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Spec:", "spec:"),
        ("SPEC:", "spec:"),
        ('"Spec":', '"spec":'),
    ],
)
def test_case_only_rename_is_safe(before: str, after: str) -> None:
    text = HEAD + "metadata:\n  name: x\n" + SPEC.replace("spec:", before)
    [finding] = of("CC509", text)
    assert finding.safe_fix is not None
    result = fixed(text)
    assert result == HEAD + "metadata:\n  name: x\n" + SPEC.replace("spec:", after)
    assert lint(result) == []


def test_case_only_rename_of_api_version() -> None:
    text = entity(head="apiversion: backstage.io/v1alpha1\nkind: Component\n")
    assert {f.code for f in lint(text)} == {"CC501", "CC509"}  # CC501: no apiVersion
    assert lint(fixed(text)) == []


def test_rename_is_unsafe_when_not_only_case() -> None:
    text = HEAD + "metadata:\n  name: x\n" + SPEC.replace("spec:", "specs:")
    [finding] = of("CC509", text)
    assert finding.safe_fix is None and len(finding.fixes) == 1
    result, _ = apply_fixes(text, finding.fixes)
    assert lint(result) == []


def test_no_rename_onto_a_key_that_exists() -> None:
    text = entity() + "Spec: {}\n"
    [finding] = of("CC509", text)
    assert finding.fixes == ()
    assert 'did you mean "spec"?' in finding.message


def test_complex_root_key() -> None:
    text = entity() + "? [a]\n: b\n"
    [finding] = of("CC509", text)
    assert "root keys must be strings" in finding.message


# -- CC510 metadata.links --------------------------------------------------------------------------

VALID_URLS = [
    "https://grafana.example.com/d/python-project",
    "http://localhost:3000/",
    "https://example.com/a b",
    "HTTPS://EXAMPLE.COM",
    "https://user:pass@example.com:8443/x?y=1#z",
    "https://[::1]:8080/",
    "mailto:team-a@example.com",
    "slack:channel",
    "file:///tmp/x",
    "  https://example.com  ",
]
INVALID_URLS = [
    ("", "not absolute"),
    ("grafana.example.com/d/python-project", "not absolute"),
    ("/docs", "not absolute"),
    ("1http://example.com", "not absolute"),
    ("https://", "no host"),
    ("https://exa mple.com", '" " is not allowed'),
    ("https://example.com:99999", "port"),
    ("https://example.com:80a", "port"),
    ("https://[::1/", "IPv6"),
]


@pytest.mark.parametrize("value", VALID_URLS)
def test_valid_urls(value: str) -> None:
    assert url_problem(value) is None
    assert of("CC510", entity(f'  links:\n    - url: "{value}"\n')) == []


@pytest.mark.parametrize(("value", "reason"), INVALID_URLS)
def test_invalid_urls(value: str, reason: str) -> None:
    problem = url_problem(value)
    assert problem is not None and reason in problem
    text = entity(f'  links:\n    - url: "{value}"\n')
    [finding] = of("CC510", text)
    assert finding.span == span_of(text, f'"{value}"')
    assert '"metadata.links.0.url"' in finding.message


@pytest.mark.parametrize(
    ("links", "needle", "message"),
    [
        ("  links: https://example.com\n", "https://example.com", "expected a list of mappings"),
        ("  links:\n", "links", '"metadata.links" must have a value'),
        ("  links:\n    - https://example.com\n", "https://example.com", '"metadata.links.0" is not valid'),
        ("  links:\n    - title: Docs\n", "title", '"metadata.links.0.url" is required'),
        ("  links:\n    - {title: Docs}\n", "{title: Docs}", '"metadata.links.0.url" is required'),
        ("  links:\n    - url: 42\n", "42", "found the number 42"),
        ("  links:\n    - url:\n", "url", "must have a value"),
        ("  links:\n    - url: https://x.io\n      title: ''\n", "''", '"metadata.links.0.title"'),
        ("  links:\n    - url: https://x.io\n      title: 42\n", "42", "found the number 42"),
        ("  links:\n    - url: https://x.io\n      icon: my icon\n", "my icon", '"metadata.links.0.icon"'),
        ("  links:\n    - url: https://x.io\n      type: [a]\n", "[a]", '"metadata.links.0.type"'),
    ],
)
def test_links_findings(links: str, needle: str, message: str) -> None:
    text = entity(links)
    [finding] = of("CC510", text)
    assert finding.span == span_of(text, needle)
    assert message in finding.message


def test_links_fine() -> None:
    text = entity(
        "  links:\n    - url: https://example.com/runbook\n      title: Runbook\n      icon: docs\n"
        "      type: runbook\n    - url: https://example.com/\n"
    )
    assert lint(text) == []


def test_second_link_is_numbered() -> None:
    text = entity("  links:\n    - url: https://example.com\n    - url: example.com\n")
    [finding] = of("CC510", text)
    assert '"metadata.links.1.url"' in finding.message


# -- all safe fixes at once ------------------------------------------------------------------------


def test_all_safe_fixes_together_leave_only_unfixable_problems() -> None:
    text = (
        "apiVersion: Backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: python-project\n"
        "  tags: [Python, 2024]\n  labels:\n    replicas: 3\n  annotations:\n    example.com/port: 8080\n"
        "Spec:\n  type: service\n  lifecycle: production\n  owner: 42\n"
    )
    assert {f.code for f in lint(text)} == {"CC501", "CC505", "CC506", "CC507", "CC508", "CC509"}
    assert lint(fixed(text)) == []
