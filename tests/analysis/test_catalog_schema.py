"""The published catalog-info JSON Schema: valid, descriptive, and in step with the envelope rules."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from coder_catalog.analysis.documents import split_documents
from coder_catalog.analysis.rules import REGISTRY, iter_rules
from coder_catalog.analysis.rules.envelope import (
    api_version_problem,
    dns_label_problem,
    key_problem,
    kind_problem,
    label_value_problem,
    name_problem,
    tag_problem,
)
from coder_catalog.analysis.yaml_tree import parse_document, to_python
from coder_catalog.schemas import load_schema

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schemas" / "catalog-info.schema.json"
SCHEMA: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA)
DEFS = SCHEMA["$defs"]
METADATA = DEFS["metadata"]["properties"]
CODER = DEFS["coder"]


def documents(text: str) -> list[Any]:
    """Each YAML document of ``text`` as plain data, read with YAML 1.2 like Backstage."""
    found = []
    for segment in split_documents(text):
        parsed = parse_document(segment.text)
        if parsed.root is not None:
            found.append(to_python(parsed.root))
    return found


def errors(text: str) -> list[str]:
    [data] = documents(text)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(data)]


def component(coder: str = "", metadata: str = "") -> str:
    base = (
        f"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: python-project\n{metadata}"
        "spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
    )
    return base + "".join(f"  {line}\n" for line in coder.splitlines())


REALISTIC_FILE = """\
# A catalog file with several entities, as a platform repository holds them.
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: python-project
  title: Python project
  description: The Python service of team A.
  namespace: team-a
  labels:
    tier: backend
    example.com/cost-center: "1234"
  annotations:
    backstage.io/source-location: url:https://github.com/acme/python-project/tree/main/
    backstage.io/techdocs-ref: dir:.
    github.com/project-slug: acme/python-project
    example.com/port: "8080"
  tags: [python, web, c++]
  links:
    - url: https://grafana.example.com/d/python-project
      title: Dashboard
      icon: dashboard
      type: dashboard
spec:
  type: service
  lifecycle: production
  owner: group:team-a
  system: payments
  providesApis: [python-api]
  coder:
    templateName: devcontainers
    mode: auto
    params:
      region: us-pittsburgh
      cpu: "4"
      enabled: "true"
      repos: '["a","b"]'
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: python-api
spec:
  type: openapi
  lifecycle: production
  owner: team-a
  definition:
    $text: ./openapi.yaml
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: payments
spec:
  owner: team-a
  coder:
    templateName: ""
---
apiVersion: backstage.io/v1alpha1
kind: Location
metadata:
  name: more-entities
spec:
  targets:
    - ./services/*/catalog-info.yaml
---
apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: new-python-service
  title: New Python service
spec:
  owner: team-a
  type: service
  parameters: []
  steps: []
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: manual-mode
spec:
  type: website
  lifecycle: experimental
  owner: user:jane.doe
  coder:
    mode: manual
    params: {}
"""


# -- the schema itself -----------------------------------------------------------------------------


def test_schema_is_valid_draft_2020_12() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["$id"] == "https://coder-catalog.dev/schemas/catalog-info.schema.json"


def test_schema_is_published_with_the_package() -> None:
    assert load_schema("catalog-info.schema.json") == SCHEMA


def _subschemas(schema: Any, where: str) -> list[tuple[str, dict[str, Any]]]:
    if not isinstance(schema, dict):
        return []
    found = [(where, schema)]
    for name, sub in schema.get("properties", {}).items():
        found.extend(_subschemas(sub, f"{where}.{name}"))
    for name, sub in schema.get("$defs", {}).items():
        found.extend(_subschemas(sub, f"$defs.{name}"))
    for keyword in ("items", "additionalProperties", "propertyNames"):
        found.extend(_subschemas(schema.get(keyword), f"{where}[{keyword}]"))
    return found


def test_every_field_is_described_for_hover_and_completion() -> None:
    for where, sub in _subschemas(SCHEMA, "(root)"):
        if set(sub) <= {"$ref"} or set(sub) <= {"minLength", "type", "items"}:
            continue
        assert isinstance(sub.get("description"), str) and sub["description"], f"{where} has no description"
        if where.startswith(("(root)", "$defs.coder", "$defs.metadata")) and "[" not in where:
            assert sub.get("markdownDescription"), f"{where} has no markdownDescription"


def test_coder_block_is_fully_described() -> None:
    assert CODER["type"] == "object"
    assert CODER["additionalProperties"] is False
    assert set(CODER["properties"]) == {"templateName", "mode", "params"}
    template = CODER["properties"]["templateName"]
    assert template["type"] == "string"
    assert "empty string" in template["description"].lower() and "disables" in template["description"]
    mode = CODER["properties"]["mode"]
    assert mode["enum"] == ["manual", "auto"]
    assert len(mode["markdownEnumDescriptions"]) == len(mode["enumDescriptions"]) == 2
    assert "form" in mode["markdownEnumDescriptions"][0] and "at once" in mode["markdownEnumDescriptions"][1]
    params = CODER["properties"]["params"]
    assert params["type"] == "object"
    assert params["additionalProperties"]["type"] == "string"
    assert "quote" in params["description"] and "quote" in params["additionalProperties"]["description"]
    assert SCHEMA["properties"]["spec"]["properties"]["coder"] == {"$ref": "#/$defs/coder"}


# -- what it accepts -------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [rule.code for rule in iter_rules("entity")])
def test_accepts_the_good_examples(code: str) -> None:
    assert errors(REGISTRY[code].good) == []


def test_accepts_realistic_entities() -> None:
    entities = documents(REALISTIC_FILE)
    assert len(entities) == 7
    for data in entities:
        assert [e.message for e in VALIDATOR.iter_errors(data)] == [], data["metadata"]["name"]


@pytest.mark.parametrize(
    "coder",
    [
        "coder:\n  templateName: devcontainers",
        'coder:\n  templateName: ""',
        "coder:\n  mode: manual",
        "coder:\n  mode: auto\n  params:\n    cpu: '4'\n    region: ''",
        "coder: {}",
    ],
)
def test_accepts_coder_blocks(coder: str) -> None:
    assert errors(component(coder)) == []


def test_accepts_coder_on_any_kind() -> None:
    text = (
        "apiVersion: example.com/v1\nkind: Workspace\nmetadata:\n  name: x\nspec:\n  coder:\n    mode: auto\n"
    )
    assert errors(text) == []


# -- what it rejects -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("coder", "path"),
    [
        ("coder:\n  template_name: devcontainers", "spec/coder"),
        ("coder:\n  repoUrlParamKeys: [repo_url]", "spec/coder"),
        ("coder:\n  params:\n    cpu: 4", "spec/coder/params/cpu"),
        ("coder:\n  params:\n    enabled: true", "spec/coder/params/enabled"),
        ("coder:\n  params:\n    region:", "spec/coder/params/region"),
        ("coder:\n  mode: Auto", "spec/coder/mode"),
        ("coder:\n  mode:", "spec/coder/mode"),
        ("coder:\n  templateName: 42", "spec/coder/templateName"),
        ("coder:", "spec/coder"),
        ("coder: devcontainers", "spec/coder"),
    ],
)
def test_rejects_bad_coder_blocks(coder: str, path: str) -> None:
    found = errors(component(coder))
    assert found and all(e.startswith(path + ":") for e in found), found


def test_unquoted_number_param_is_an_int_after_yaml_1_2_parsing() -> None:
    [data] = documents(component("coder:\n  params:\n    cpu: 4\n    region: 'on'\n    flag: yes"))
    assert data["spec"]["coder"]["params"] == {"cpu": 4, "region": "on", "flag": "yes"}


@pytest.mark.parametrize(
    "code", [rule.code for rule in iter_rules("entity") if rule.code not in ("CC512", "CC523")]
)
def test_rejects_the_bad_examples(code: str) -> None:
    """What Backstage rejects, the schema rejects too. Not carried: CC512 (an apiVersion a deployment
    may add a processor for) and CC523 (the Location types a backend allows): a schema cannot be
    configured, the rules can."""
    assert errors(REGISTRY[code].bad) != []


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("kind: Component\nmetadata:\n  name: x\nspec: {type: a, lifecycle: b, owner: c}\n", ""),
        ("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\n", ""),
        (
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\nspec: {type: a}\n",
            "spec",
        ),
        (component(metadata="  tags: python\n"), "metadata/tags"),
        (
            component(metadata="  annotations:\n    example.com/port: 8080\n"),
            "metadata/annotations/example.com/port",
        ),
        (component(metadata="  links:\n    - title: Docs\n"), "metadata/links/0"),
        (
            component(metadata="  links:\n    - url: https://x.io\n      title: ' '\n"),
            "metadata/links/0/title",
        ),
        (component() + "Spec: {}\n", ""),
    ],
)
def test_rejects_envelope_problems(text: str, path: str) -> None:
    found = errors(text)
    assert found and all(e.split(":")[0] == path for e in found), found


# -- the patterns agree with the rules -------------------------------------------------------------

SAMPLES = [
    "", "a", "A", "0", "python-project", "my service", "-x", "x-", "x_y", "x.y", "x--y", "a/b", "a//b",
    "Backstage.io/x", "backstage.io/x", "backstage.io/-x", "backstage..io/x", "c++", "c#", "k8s:prod",
    "Python", "v1", "V1alpha1", "backstage.io/v1alpha1", "scaffolder.backstage.io/v1beta3", "1.0",
    "Component", "2Component", "Web-Service", "team-a", "Team-A", "é", "x" * 63, "x" * 64,
    "b/" + "x" * 63, "b/" + "x" * 64, ".".join(["a" * 63] * 3) + "/v1", ".".join(["a" * 63] * 4) + "/v1",
    "a" * 64 + ".io/x", "data--pipeline", "-", "#", ":tag", "a.b.c/d.e_f-g",
]  # fmt: skip


def _pattern_accepts(schema: dict[str, Any], value: str) -> bool:
    if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", len(value)):
        return False
    return re.search(schema["pattern"], value) is not None


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        (SCHEMA["properties"]["apiVersion"], api_version_problem),
        (SCHEMA["properties"]["kind"], kind_problem),
        (METADATA["name"], name_problem),
        (METADATA["namespace"], dns_label_problem),
        (METADATA["tags"]["items"], tag_problem),
        (METADATA["annotations"]["propertyNames"], key_problem),
        (METADATA["labels"]["propertyNames"], key_problem),
        (METADATA["labels"]["additionalProperties"], label_value_problem),
        (METADATA["links"]["items"]["properties"]["icon"], name_problem),
    ],
    ids=[
        "apiVersion",
        "kind",
        "name",
        "namespace",
        "tag",
        "annotation-key",
        "label-key",
        "label-value",
        "icon",
    ],
)
def test_schema_patterns_agree_with_the_rules(schema: dict[str, Any], problem: Any) -> None:
    for value in SAMPLES:
        assert _pattern_accepts(schema, value) is (problem(value) is None), value
