"""The index of entities and references across catalog files (``analysis.catalog_index``)."""

from __future__ import annotations

import pytest

from coder_catalog.analysis.catalog_index import (
    CatalogIndex,
    parse_reference,
    unresolved_reference_findings,
)
from coder_catalog.analysis.spans import Span
from coder_catalog.settings import Settings, WorkspaceDefaults

GROUPS = """\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
  title: Team A
  description: The A team
spec:
  type: team
  children: [team-b]
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: Team-B
spec:
  type: team
  parent: team-a
  children: []
  members: [jane]
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: platform
  namespace: infra
spec:
  type: team
  children: []
"""

USERS = """\
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: jane
spec:
  memberOf: [team-b, group:infra/platform]
"""

SERVICES = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments
spec:
  type: service
  lifecycle: production
  owner: team-a
  system: billing
  providesApis: [payments-api]
  dependsOn:
    - resource:payments-db
    - component:ledger
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ledger
  namespace: infra
spec:
  type: service
  lifecycle: production
  owner: platform
  subcomponentOf: default/payments
  consumesApis: [api:default/payments-api]
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: billing
spec:
  owner: group:default/team-a
  domain: finance
"""

APIS = """\
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: Payments-API
spec:
  type: openapi
  lifecycle: production
  owner: group:team-a
  definition: openapi
"""


def _index() -> CatalogIndex:
    return CatalogIndex.of(
        [("groups.yaml", GROUPS), ("users.yaml", USERS), ("services.yaml", SERVICES), ("apis.yaml", APIS)]
    )


def _settings(complete: bool = True, **rules: str) -> Settings:
    return Settings(
        access_url=None, workspaces=WorkspaceDefaults(), rules=rules, references_complete=complete
    )


def test_entities_are_recorded_with_their_file_and_name_range() -> None:
    index = _index()
    refs = [e.ref for e in index.entities()]
    assert refs == [
        "group:default/team-a",
        "group:default/Team-B",
        "group:infra/platform",
        "user:default/jane",
        "component:default/payments",
        "component:infra/ledger",
        "system:default/billing",
        "api:default/Payments-API",
    ]
    team_a = index.find("Group", "default", "team-a")[0]
    assert (team_a.title, team_a.description, team_a.uri) == ("Team A", "The A team", "groups.yaml")
    assert team_a.span == Span.of(3, 8, 3, 14)
    platform = index.find("group", "INFRA", "Platform")[0]
    assert platform.span == Span.of(23, 8, 23, 16)  # file positions: the third document
    assert [e.name for e in index.entities("apis.yaml")] == ["Payments-API"]


@pytest.mark.parametrize(
    ("written", "default_kind", "expected"),
    [
        ("team-a", "Group", ("Group", "ops", "team-a")),
        ("group:team-a", "Group", ("group", "ops", "team-a")),
        ("group:default/team-a", "Group", ("group", "default", "team-a")),
        ("default/team-a", "Group", ("Group", "default", "team-a")),
        ("user:jane", "Group", ("user", "ops", "jane")),
        ("component:x", None, ("component", "ops", "x")),
        ("x", None, None),  # dependsOn names its kind
        ("group:", "Group", None),
        ("a:b:c", None, ("a", "ops", "b:c")),
    ],
)
def test_references_parse_as_backstage_does(
    written: str, default_kind: str | None, expected: tuple[str, str, str] | None
) -> None:
    assert parse_reference(written, default_kind, "ops") == expected


def test_references_resolve_across_files_with_defaults_and_any_case() -> None:
    index = _index()
    resolved = {
        (r.uri, r.field): (r.target, getattr(index.resolve(r), "ref", None)) for r in index.references()
    }
    assert resolved[("services.yaml", "spec.owner")] == ("group:default/team-a", "group:default/team-a")
    # the default namespace is the referring entity's: ledger is in infra
    assert resolved[("services.yaml", "spec.subcomponentOf")] == (
        "component:default/payments",
        "component:default/payments",
    )
    assert resolved[("services.yaml", "spec.consumesApis.0")][1] == "api:default/Payments-API"
    assert resolved[("apis.yaml", "spec.owner")][1] == "group:default/team-a"
    assert resolved[("groups.yaml", "spec.children.0")] == ("group:default/team-b", "group:default/Team-B")
    assert resolved[("groups.yaml", "spec.members.0")][1] == "user:default/jane"  # members: Users
    assert resolved[("users.yaml", "spec.memberOf.1")][1] == "group:infra/platform"
    assert resolved[("services.yaml", "spec.dependsOn.1")] == ("component:default/ledger", None)


def test_unresolved_references_and_suggestions() -> None:
    index = _index()
    unresolved = [(r.field, r.target) for r in index.unresolved()]
    assert unresolved == [
        ("spec.dependsOn.0", "resource:default/payments-db"),
        ("spec.dependsOn.1", "component:default/ledger"),
        ("spec.domain", "domain:default/finance"),
    ]
    ledger = next(r for r in index.unresolved() if r.field == "spec.dependsOn.1")
    assert index.suggestions(ledger) == ["component:infra/ledger"]
    index.add(
        "more.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: x}\nspec:\n  owner: team-aa\n",
    )
    owner = next(index.unresolved("more.yaml"))
    assert index.suggestions(owner) == ["team-a", "Team-B"]  # the closest first


def test_a_file_can_be_replaced_and_removed() -> None:
    index = _index()
    index.add(
        "domains.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Domain\nmetadata: {name: finance}\nspec: {owner: team-a}\n",
    )
    assert [r.field for r in index.unresolved("services.yaml")] == ["spec.dependsOn.0", "spec.dependsOn.1"]
    index.remove("domains.yaml")
    assert "spec.domain" in [r.field for r in index.unresolved("services.yaml")]
    index.add("groups.yaml", "")
    assert index.find("group", "default", "team-a") == []
    assert any(r.field == "spec.owner" for r in index.unresolved("services.yaml"))


def test_other_kinds_and_unparseable_references_are_not_recorded() -> None:
    text = """\
apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: {name: t}
spec: {owner: nobody}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: c}
spec:
  owner: "group:"
  dependsOn: [no-kind]
  system: {kind: system, name: s}
"""
    index = CatalogIndex.of([("f.yaml", text)])
    assert [e.ref for e in index.entities()] == ["template:default/t", "component:default/c"]
    assert list(index.references()) == []


def test_byte_order_mark_moves_first_line_columns() -> None:
    text = "\ufeffkind: Group\napiVersion: backstage.io/v1alpha1\nmetadata: {name: g}\nspec: {parent: p}\n"
    index = CatalogIndex.of([("f.yaml", text)])
    assert next(index.entities()).span == Span.of(2, 17, 2, 18)


def test_findings_only_when_the_catalog_is_complete() -> None:
    index = _index()
    assert unresolved_reference_findings(index, "services.yaml", SERVICES, _settings(complete=False)) == []
    assert unresolved_reference_findings(index, "services.yaml", SERVICES, _settings(CC601="off")) == []
    findings = unresolved_reference_findings(index, "services.yaml", SERVICES, _settings())
    assert [(f.code, f.severity, f.span.start.line) for f in findings] == [
        ("CC601", "warning", 11),
        ("CC601", "warning", 12),
        ("CC601", "warning", 32),
    ]
    assert findings[1].message == (
        '"spec.dependsOn.1" names component:default/ledger, which no file of the catalog defines '
        '(did you mean "component:infra/ledger"?)'
    )
    assert [
        f.severity
        for f in unresolved_reference_findings(index, "services.yaml", SERVICES, _settings(CC601="error"))
    ] == ["error"] * 3


def test_an_ignore_comment_silences_the_finding() -> None:
    text = SERVICES.replace("  domain: finance\n", "  domain: finance  # coder-catalog: ignore[CC601]\n")
    index = _index()
    index.add("services.yaml", text)
    assert [
        f.span.start.line for f in unresolved_reference_findings(index, "services.yaml", text, _settings())
    ] == [11, 12]
