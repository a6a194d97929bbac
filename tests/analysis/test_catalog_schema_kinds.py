"""The published catalog-info JSON Schema judges each built-in kind's spec as Backstage does.

Backstage's catalog validates Component, API, Resource, System, Domain, Group, User and Location
(``backstage.io/v1alpha1`` or ``v1beta1``) with the kind schemas of ``@backstage/catalog-model``, after
its placeholder processor has replaced ``{$text: ./file}``-style mappings, then parses every entity
reference. The schema says the same to Red Hat YAML users; other kinds and apiVersions keep the envelope.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from coder_catalog.analysis.documents import split_documents
from coder_catalog.analysis.rules.kinds import KIND_SPECS, reference_problem
from coder_catalog.analysis.yaml_tree import parse_document, to_python

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schemas" / "catalog-info.schema.json"
SCHEMA: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA)
DEFS = SCHEMA["$defs"]
VERSIONS = ["backstage.io/v1alpha1", "backstage.io/v1beta1"]
SPEC_DEFS = {
    "Component": "componentSpec",
    "API": "apiSpec",
    "Resource": "resourceSpec",
    "System": "systemSpec",
    "Domain": "domainSpec",
    "Group": "groupSpec",
    "User": "userSpec",
    "Location": "locationSpec",
}


def load(text: str) -> Any:
    """One YAML document as plain data, read with YAML 1.2 like Backstage."""
    [segment] = split_documents(text)
    parsed = parse_document(segment.text)
    assert parsed.root is not None
    return to_python(parsed.root)


def errors(data: Any) -> list[str]:
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(data))


def entity(kind: str, spec: Any = None, version: str = "backstage.io/v1alpha1") -> dict[str, Any]:
    data: dict[str, Any] = {"apiVersion": version, "kind": kind, "metadata": {"name": "example"}}
    if spec is not None:
        data["spec"] = spec
    return data


# Every field each kind's schema names, with a valid value (and a Component's spec.coder).
VALID_SPECS: dict[str, str] = {
    "Component": """
type: service
lifecycle: production
owner: group:default/team-a
system: payments
subcomponentOf: python-platform
providesApis: [python-api]
consumesApis: [api:payments/billing-api]
dependsOn: [resource:artists-db, component:default/auth]
coder:
  templateName: devcontainers
  mode: auto
""",
    "API": """
type: openapi
lifecycle: production
owner: team-a
system: payments
definition: |
  openapi: "3.0.0"
  info: {title: Python API, version: "1"}
""",
    "Resource": """
type: database
owner: user:jane.doe
dependsOn: [resource:artists-vpc]
dependencyOf: [component:python-project]
system: payments
""",
    "System": """
owner: team-a
domain: artists
type: product
""",
    "Domain": """
owner: team-a
subdomainOf: audio
type: product-group
""",
    "Group": """
type: team
profile:
  displayName: Team A
  email: team-a@example.com
  picture: https://example.com/team-a.png
parent: engineering
children: []
members: [jane.doe, user:john]
""",
    "User": """
profile:
  displayName: Jane Doe
  email: jane@example.com
  picture: https://example.com/jane.png
memberOf: [team-a]
""",
    "Location": """
type: url
target: ./details/catalog-info.yaml
targets:
  - ./services/*/catalog-info.yaml
  - https://github.com/acme/platform/blob/main/catalog-info.yaml
presence: optional
""",
}
SPECS: dict[str, dict[str, Any]] = {kind: load(text) for kind, text in VALID_SPECS.items()}

REQUIRED = {
    "Component": ["type", "lifecycle", "owner"],
    "API": ["type", "lifecycle", "owner", "definition"],
    "Resource": ["type", "owner"],
    "System": ["owner"],
    "Domain": ["owner"],
    "Group": ["type", "children"],
    "User": ["memberOf"],
    "Location": [],
}

# The spec fields that hold one string, and those that hold a list of strings.
STRING_FIELDS = {
    "Component": ["type", "lifecycle", "owner", "system", "subcomponentOf"],
    "API": ["type", "lifecycle", "owner", "system", "definition"],
    "Resource": ["type", "owner", "system"],
    "System": ["owner", "domain", "type"],
    "Domain": ["owner", "subdomainOf", "type"],
    "Group": ["type", "parent"],
    "User": [],
    "Location": ["type", "target"],
}
LIST_FIELDS = {
    "Component": ["providesApis", "consumesApis", "dependsOn"],
    "API": [],
    "Resource": ["dependsOn"],
    "System": [],
    "Domain": [],
    "Group": ["children", "members"],
    "User": ["memberOf"],
    "Location": ["targets"],
}


def with_spec(kind: str, **changes: Any) -> dict[str, Any]:
    spec = copy.deepcopy(SPECS[kind])
    spec.update(changes)
    return entity(kind, spec)


def without(kind: str, field: str) -> dict[str, Any]:
    spec = copy.deepcopy(SPECS[kind])
    del spec[field]
    return entity(kind, spec)


# -- what each kind accepts ----------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("kind", SPECS)
def test_a_valid_entity_of_each_kind_passes(kind: str, version: str) -> None:
    assert errors(entity(kind, SPECS[kind], version)) == []


@pytest.mark.parametrize("kind", SPECS)
def test_only_the_required_fields_pass(kind: str) -> None:
    spec = {name: SPECS[kind][name] for name in REQUIRED[kind]}
    assert errors(entity(kind, spec)) == []


@pytest.mark.parametrize("kind", SPECS)
def test_spec_stays_open_to_other_keys(kind: str) -> None:
    """No kind schema of Backstage sets additionalProperties: false on spec (nor on profile)."""
    data = with_spec(kind, annotationsOfMine={"any": [1, True, None]}, x_custom=42)
    assert errors(data) == []


@pytest.mark.parametrize("kind", ["Group", "User"])
def test_profile_stays_open_and_optional(kind: str) -> None:
    assert errors(with_spec(kind, profile={"displayName": "X", "slack": "#team", "age": 3})) == []
    assert errors(with_spec(kind, profile={})) == []
    assert errors(without(kind, "profile")) == []


def test_lists_may_be_empty() -> None:
    assert errors(with_spec("User", memberOf=[])) == []
    assert errors(with_spec("Component", providesApis=[], dependsOn=[])) == []
    assert errors(with_spec("Location", targets=[])) == []


def test_location_needs_no_field_but_needs_a_spec() -> None:
    assert errors(entity("Location", {})) == []
    assert errors(entity("Location")) == [": 'spec' is a required property"]


@pytest.mark.parametrize("presence", ["required", "optional"])
def test_location_presence(presence: str) -> None:
    assert errors(with_spec("Location", presence=presence)) == []


# -- what each kind refuses ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "field"), [(kind, field) for kind, fields in REQUIRED.items() for field in fields]
)
def test_each_required_field_removed_fails(kind: str, field: str) -> None:
    assert errors(without(kind, field)) == [f"spec: '{field}' is a required property"]


@pytest.mark.parametrize("kind", SPECS)
def test_a_missing_or_non_mapping_spec_fails(kind: str) -> None:
    assert errors(entity(kind)) == [": 'spec' is a required property"]
    for spec in ("service", ["type", "service"], 42, True):
        found = errors(entity(kind, spec))
        assert found and all(e.startswith("spec: ") for e in found), (spec, found)
    found = errors({**entity(kind), "spec": None})
    assert found and all(e.startswith("spec: ") for e in found), found


def _string_cases() -> list[tuple[str, str]]:
    return [(kind, field) for kind, fields in STRING_FIELDS.items() for field in fields]


def _list_cases() -> list[tuple[str, str]]:
    return [(kind, field) for kind, fields in LIST_FIELDS.items() for field in fields]


@pytest.mark.parametrize(("kind", "field"), _string_cases())
@pytest.mark.parametrize("value", ["", 42, 1.5, True, None, ["team-a"], {"name": "team-a"}])
def test_a_string_field_of_the_wrong_type_fails(kind: str, field: str, value: Any) -> None:
    found = errors(with_spec(kind, **{field: value}))
    assert found and all(e.startswith(f"spec/{field}: ") for e in found), found


@pytest.mark.parametrize(("kind", "field"), _list_cases())
@pytest.mark.parametrize("value", ["team-a", 42, None, {"name": "team-a"}, [""], [42], [None], [["a"]]])
def test_a_list_field_of_the_wrong_type_fails(kind: str, field: str, value: Any) -> None:
    found = errors(with_spec(kind, **{field: value}))
    assert found and all(e.startswith(f"spec/{field}") for e in found), found


@pytest.mark.parametrize("kind", ["Group", "User"])
@pytest.mark.parametrize(
    ("profile", "path"),
    [
        ("Team A", "spec/profile"),
        (None, "spec/profile"),
        (["Team A"], "spec/profile"),
        ({"displayName": ""}, "spec/profile/displayName"),
        ({"email": 42}, "spec/profile/email"),
        ({"picture": None}, "spec/profile/picture"),
        ({"email": ["a@example.com"]}, "spec/profile/email"),
    ],
)
def test_a_bad_profile_fails(kind: str, profile: Any, path: str) -> None:
    found = errors(with_spec(kind, profile=profile))
    assert found and all(e.startswith(f"{path}: ") for e in found), found


@pytest.mark.parametrize("presence", ["Required", "mandatory", "", 1, True, None])
def test_location_presence_outside_the_enum_fails(presence: Any) -> None:
    found = errors(with_spec("Location", presence=presence))
    assert found and all(e.startswith("spec/presence: ") for e in found), found


def test_api_definition_written_as_a_mapping_fails() -> None:
    """Backstage wants the definition as a string: an inline mapping is refused (use a block string)."""
    found = errors(with_spec("API", definition=load('openapi: "3.0.0"\ninfo: {title: x}\n')))
    assert found and all(e.startswith("spec/definition: ") for e in found), found


def test_errors_point_at_the_field() -> None:
    data = load(
        "apiVersion: backstage.io/v1beta1\nkind: Group\nmetadata:\n  name: team-a\n"
        "spec:\n  type: 5\n  children: team-b\n  profile:\n    email: ''\n"
    )
    paths = {e.split(": ")[0] for e in errors(data)}
    assert paths == {"spec/type", "spec/children", "spec/profile/email"}


# -- entity references -------------------------------------------------------------------------------------

REFERENCES = [
    "team-a", "group:team-a", "group:default/team-a", "default/team-a", "a:b:c", "a:b/c/d", "ns/x:y",
    "a//b", "user:jane.doe", "Group:Team_A", "x:y/z:w", "group:", "group:default/", ":team-a", "x/",
    "/x", "a:/x", ":", "/", "::", "a::", "a:b/", "é:ü/ß", "team a", "a\nb",
]  # fmt: skip


@pytest.mark.parametrize("ref", REFERENCES)
def test_references_parse_as_backstage_parses_them(ref: str) -> None:
    """The patterns agree with parseEntityRef (ported in the rules), with and without a default kind."""
    for field, default_kind in (("owner", "Group"), ("dependsOn", None)):
        value = ref if field == "owner" else [ref]
        parses = reference_problem(ref, default_kind) is None
        assert (errors(with_spec("Component", **{field: value})) == []) is parses, (field, ref)


@pytest.mark.parametrize("ref", ["group:", "group:default/", ":team-a", "team-a/"])
def test_unparsable_owner_fails(ref: str) -> None:
    found = errors(with_spec("System", owner=ref))
    assert found and all(e.startswith("spec/owner: ") for e in found), found


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        ("Component", "system"),
        ("Component", "subcomponentOf"),
        ("API", "owner"),
        ("API", "system"),
        ("Resource", "owner"),
        ("Resource", "system"),
        ("System", "domain"),
        ("Domain", "owner"),
        ("Domain", "subdomainOf"),
        ("Group", "parent"),
    ],
)
def test_every_single_reference_field_is_parsed(kind: str, field: str) -> None:
    assert errors(with_spec(kind, **{field: "group:default/"})) != []
    assert errors(with_spec(kind, **{field: "a:b:c"})) == []


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        ("Component", "providesApis"),
        ("Component", "consumesApis"),
        ("Group", "children"),
        ("Group", "members"),
        ("User", "memberOf"),
    ],
)
def test_every_reference_list_is_parsed(kind: str, field: str) -> None:
    assert errors(with_spec(kind, **{field: ["ok", ":bad"]})) != []
    assert errors(with_spec(kind, **{field: ["ok", "kind:ns/name"]})) == []


@pytest.mark.parametrize(("kind", "field"), [("Component", "dependsOn"), ("Resource", "dependsOn")])
def test_depends_on_needs_the_kind(kind: str, field: str) -> None:
    """dependsOn has no default kind: parseEntityRef refuses a bare name."""
    assert errors(with_spec(kind, **{field: ["artists-db"]})) != []
    assert errors(with_spec(kind, **{field: ["resource:artists-db"]})) == []


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (["component:python-project"], True),
        ("component:python-project", True),  # the processor flattens a single value
        (None, True),  # an empty value is skipped
        ("", True),
        ([], True),
        ({"$yaml": "./dependents.yaml"}, True),
        (["python-project"], False),  # no default kind
        ("python-project", False),
        (["component:"], False),
        (42, False),
    ],
)
def test_resource_dependency_of(value: Any, ok: bool) -> None:
    """Not in Backstage's Resource schema, but its processor parses it as references with their kind."""
    assert (errors(with_spec("Resource", dependencyOf=value)) == []) is ok


# -- placeholders --------------------------------------------------------------------------------------------

TEXT_PLACEHOLDERS = [
    {"$text": "./file.txt"},
    {"$openapi": "./openapi.yaml"},
    {"$asyncapi": "./asyncapi.yaml"},
]
DATA_PLACEHOLDERS = [{"$json": "./data.json"}, {"$yaml": "https://example.com/data.yaml"}]
NOT_PLACEHOLDERS = [
    {},
    {"$text": 5},
    {"$text": None},
    {"$text": ["./a"]},
    {"$ref": "#/definitions/x"},
    {"$TEXT": "./a"},
    {"text": "./a"},
    {"$text": "./a", "$yaml": "./b"},
    {"$text": "./a", "other": "b"},
]


@pytest.mark.parametrize(("kind", "field"), _string_cases())
@pytest.mark.parametrize("placeholder", TEXT_PLACEHOLDERS + DATA_PLACEHOLDERS)
def test_placeholders_pass_where_a_string_is_expected(kind: str, field: str, placeholder: Any) -> None:
    """$text, $openapi and $asyncapi yield a string; $json and $yaml yield data, which may be one."""
    assert errors(with_spec(kind, **{field: placeholder})) == []


@pytest.mark.parametrize(("kind", "field"), _string_cases())
@pytest.mark.parametrize("mapping", NOT_PLACEHOLDERS)
def test_mappings_that_are_not_placeholders_fail_where_a_string_is_expected(
    kind: str, field: str, mapping: Any
) -> None:
    """Backstage leaves them as written (unknown key, several keys, a value that is not a string)."""
    found = errors(with_spec(kind, **{field: mapping}))
    assert found and all(e.startswith(f"spec/{field}") for e in found), found


@pytest.mark.parametrize(("kind", "field"), _list_cases())
def test_placeholders_in_lists(kind: str, field: str) -> None:
    for placeholder in DATA_PLACEHOLDERS:
        assert errors(with_spec(kind, **{field: placeholder})) == [], placeholder
    for placeholder in TEXT_PLACEHOLDERS + DATA_PLACEHOLDERS:
        assert errors(with_spec(kind, **{field: ["kind:a", placeholder]})) == [], placeholder
    for placeholder in TEXT_PLACEHOLDERS:  # a file's text is a string, never a list
        assert errors(with_spec(kind, **{field: placeholder})) != [], placeholder


@pytest.mark.parametrize("kind", ["Group", "User"])
def test_placeholders_in_profile(kind: str) -> None:
    assert errors(with_spec(kind, profile={"$yaml": "./profile.yaml"})) == []
    profile = {"displayName": {"$text": "./name.txt"}, "email": {"$json": "./email.json"}}
    assert errors(with_spec(kind, profile=profile)) == []
    assert errors(with_spec(kind, profile={"email": {"$ref": "./email"}})) != []


@pytest.mark.parametrize("kind", SPECS)
def test_a_whole_spec_may_be_a_data_placeholder(kind: str) -> None:
    """{$yaml: ./spec.yaml} is replaced by the file's data before the kind's schema is applied."""
    for placeholder in DATA_PLACEHOLDERS:
        assert errors(entity(kind, placeholder)) == [], placeholder
    if REQUIRED[kind]:  # a file's text is a string, never a mapping: the required fields are missing
        assert errors(entity(kind, {"$text": "./spec.yaml"})) != []


def test_placeholders_in_yaml() -> None:
    """As written in a catalog file: flow and block mappings, quoted and plain keys."""
    text = """\
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: python-api
  title: {$text: ./title.txt}
  description:
    $text: ./description.md
  annotations:
    backstage.io/techdocs-ref: {$text: ./techdocs-ref}
    example.com/owner-email:
      "$json": ./owner.json
spec:
  type: {$text: ./type.txt}
  lifecycle:
    $yaml: ./lifecycle.yaml
  owner: {$text: ./owner.txt}
  definition:
    $openapi: ./openapi.yaml
"""
    assert errors(load(text)) == []


@pytest.mark.parametrize("field", ["title", "description"])
@pytest.mark.parametrize("placeholder", TEXT_PLACEHOLDERS + DATA_PLACEHOLDERS)
def test_placeholders_in_metadata(field: str, placeholder: Any) -> None:
    data = with_spec("System")
    data["metadata"][field] = placeholder
    data["metadata"]["annotations"] = {
        "example.com/x": placeholder,
        "backstage.io/source-location": placeholder,
    }
    assert errors(data) == []


@pytest.mark.parametrize("mapping", NOT_PLACEHOLDERS)
def test_metadata_mappings_that_are_not_placeholders_fail(mapping: Any) -> None:
    for field in ("title", "description"):
        data = with_spec("System")
        data["metadata"][field] = mapping
        assert errors(data) != [], field
    data = with_spec("System")
    data["metadata"]["annotations"] = {"example.com/x": mapping}
    assert errors(data) != []


def test_placeholder_definitions_say_what_they_resolve_to() -> None:
    text, data = DEFS["textPlaceholder"], DEFS["dataPlaceholder"]
    assert text["propertyNames"]["enum"] == ["$text", "$openapi", "$asyncapi"]
    assert data["propertyNames"]["enum"] == ["$json", "$yaml"]
    for placeholder in (text, data):
        assert placeholder["minProperties"] == placeholder["maxProperties"] == 1
        assert placeholder["additionalProperties"]["type"] == "string"
    assert "string" in text["description"] and "string" in text["markdownDescription"]
    assert "data" in data["description"] and "data" in data["markdownDescription"]
    assert {r["$ref"] for r in DEFS["placeholder"]["anyOf"]} == {
        "#/$defs/textPlaceholder",
        "#/$defs/dataPlaceholder",
    }


# -- what keeps only the envelope ----------------------------------------------------------------------------


def test_a_scaffolder_template_keeps_only_the_envelope() -> None:
    spec = {"owner": "", "type": 5, "parameters": [{"title": "x"}], "steps": [], "anything": {"$ref": "x"}}
    assert errors(entity("Template", spec, "scaffolder.backstage.io/v1beta3")) == []
    assert errors(entity("Template", None, "scaffolder.backstage.io/v1beta3")) == []


def test_an_unknown_kind_keeps_only_the_envelope() -> None:
    assert errors(entity("Foo", {"owner": "", "type": 5, "children": "x"}, "example.com/v1")) == []
    assert errors(entity("Foo", None, "example.com/v1")) == []
    assert errors(entity("Foo", {"anything": [1, 2]})) == []  # an unknown kind of backstage.io too


@pytest.mark.parametrize("version", ["backstage.io/v1", "backstage.io/v2alpha1", "example.com/v1alpha1"])
@pytest.mark.parametrize("kind", SPECS)
def test_a_built_in_kind_of_another_version_keeps_only_the_envelope(kind: str, version: str) -> None:
    """Backstage's kind validators only apply to backstage.io/v1alpha1 and v1beta1 (no processor reads
    the others: the linter's CC512 says so, the schema does not judge the spec)."""
    assert errors(entity(kind, {"owner": ""}, version)) == []


@pytest.mark.parametrize("kind", ["component", "api", "COMPONENT", "Api"])
def test_kinds_are_matched_case_sensitively(kind: str) -> None:
    assert errors(entity(kind, {"owner": ""})) == []


def test_the_template_of_a_realistic_file_keeps_its_spec() -> None:
    text = """\
apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: new-python-service
spec:
  owner: team-a
  type: service
  parameters:
    - title: Name
      required: [name]
      properties:
        name: {type: string}
  steps:
    - id: fetch
      action: fetch:template
      input: {url: ./skeleton, values: {name: "${{ parameters.name }}"}}
"""
    assert errors(load(text)) == []


# -- the schema's structure and text ---------------------------------------------------------------------------


def test_one_conditional_per_built_in_kind_in_step_with_the_rules() -> None:
    conditionals = SCHEMA["allOf"]
    assert len(conditionals) == len(KIND_SPECS)
    for conditional, kind in zip(conditionals, KIND_SPECS, strict=True):
        condition = conditional["if"]
        assert condition["required"] == ["kind", "apiVersion"]
        assert condition["properties"] == {"kind": {"const": kind}, "apiVersion": {"enum": VERSIONS}}
        assert conditional["then"] == {
            "required": ["spec"],
            "properties": {"spec": {"$ref": f"#/$defs/{SPEC_DEFS[kind]}"}},
        }


@pytest.mark.parametrize("kind", SPECS)
def test_each_kind_is_in_step_with_the_rules(kind: str) -> None:
    """Required fields and field names as the kind rules (CC508, CC513-CC519) know them."""
    spec_def = DEFS[SPEC_DEFS[kind]]
    rules = KIND_SPECS[kind]
    assert REQUIRED[kind] == [f.name for f in rules.required]
    assert spec_def.get("else", {}).get("required", []) == REQUIRED[kind]
    assert set(spec_def["properties"]) == {f.name for f in rules.fields}
    shapes = {"string": STRING_FIELDS, "strings": LIST_FIELDS}
    for field in rules.fields:
        if field.shape in shapes:
            listed = shapes[field.shape][kind] + (["dependencyOf"] if kind == "Resource" else [])
            assert field.name in listed, field.name


def _pattern(schema: dict[str, Any]) -> str | None:
    """The pattern a field's (or its items') string branch carries."""
    branch = schema["else"]
    if branch.get("type") == "array":
        branch = branch["items"]["else"]
    return branch.get("pattern")


@pytest.mark.parametrize("kind", SPECS)
def test_reference_fields_carry_the_reference_pattern(kind: str) -> None:
    properties = DEFS[SPEC_DEFS[kind]]["properties"]
    for field in KIND_SPECS[kind].fields:
        if field.name == "dependencyOf":
            continue  # string or list; checked by test_resource_dependency_of
        pattern = _pattern(properties[field.name]) if "else" in properties[field.name] else None
        if not field.holds_references:
            assert pattern is None, field.name
        elif field.reference is None:
            assert pattern == "^[^:/]+:[^/]+(?:/[\\s\\S]+)?$", field.name
        else:
            assert pattern == "^[^:/]+(?::[^/]+)?(?:/[\\s\\S]+)?$", field.name
        if pattern is not None:
            re.compile(pattern)


def _described(schema: dict[str, Any], where: str) -> list[str]:
    missing = []
    if not schema.get("description") or not schema.get("markdownDescription"):
        missing.append(where)
    for name, sub in schema.get("properties", {}).items():
        missing.extend(_described(sub, f"{where}.{name}"))
    return missing


@pytest.mark.parametrize(
    "definition", [*SPEC_DEFS.values(), "textPlaceholder", "dataPlaceholder", "placeholder"]
)
def test_every_kind_field_is_described_for_hover(definition: str) -> None:
    """VS Code's YAML extension shows markdownDescription (else description) when hovering a key."""
    assert _described(DEFS[definition], definition) == []
    for name, sub in DEFS[definition].get("properties", {}).items():
        assert sub.get("title"), name


def test_no_shared_value_shape_under_the_fields() -> None:
    """Fields write their shape out instead of $ref'ing a shared one: yaml-language-server keeps the
    title of the last field it validated on a shared subschema and would show it on hover. Only the
    placeholders are shared."""
    refs = re.findall(r'"\$ref": "#/\$defs/([A-Za-z]+)"', SCHEMA_FILE.read_text(encoding="utf-8"))
    assert set(refs) <= {
        "metadata",
        "coder",
        *SPEC_DEFS.values(),
        "textPlaceholder",
        "dataPlaceholder",
        "placeholder",
    }
