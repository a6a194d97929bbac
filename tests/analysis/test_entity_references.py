"""Editor features on entity references (``analysis.editor.entity_references``) and the index's
per-file facts (``analysis.catalog_index.index_file``)."""

from __future__ import annotations

import pytest

from coder_catalog.analysis.analyze import Analyzer
from coder_catalog.analysis.catalog_index import CatalogIndex, index_file
from coder_catalog.analysis.editor.entity_references import (
    RenameRefused,
    occurrences,
    reference_hover,
    reference_proposals,
    reference_slot,
    rename_edits,
    target_at,
    workspace_symbols,
)
from coder_catalog.analysis.spans import Position
from coder_catalog.settings import Settings, WorkspaceDefaults

GROUPS = """apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
  title: Team A
  description: Payments *engineers*
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: "platform"
  namespace: infra
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: ada
spec:
  memberOf: [team-a]
"""
WEB = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: web
spec:
  type: website
  lifecycle: production
  owner: "group:default/team-a"
  system: payments
  dependsOn:
    - component:api
    - Component:API
"""
API = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: api
spec:
  type: service
  lifecycle: production
  owner: Team-A
"""


def _index() -> CatalogIndex:
    return CatalogIndex.of([("groups.yaml", GROUPS), ("web.yaml", WEB), ("api.yaml", API)])


def _analyzer() -> Analyzer:
    return Analyzer(Settings(access_url=None, workspaces=WorkspaceDefaults()), None)


def _at(text: str, needle: str, offset: int = 0) -> Position:
    index = text.index(needle) + offset
    return Position(text.count("\n", 0, index), index - (text.rfind("\n", 0, index) + 1))


def test_target_on_a_reference_and_on_a_name() -> None:
    index = _index()
    on_reference = target_at(index, "web.yaml", _at(WEB, "group:default/team-a", 3))
    assert on_reference is not None and on_reference.reference is not None
    assert on_reference.key == ("group", "default", "team-a")
    on_name = target_at(index, "groups.yaml", _at(GROUPS, "team-a"))
    assert on_name is not None and on_name.entity is not None and on_name.entity.title == "Team A"
    assert target_at(index, "web.yaml", _at(WEB, "type: website")) is None
    assert target_at(index, "nowhere.yaml", Position(0, 0)) is None


def test_occurrences_compare_without_case() -> None:
    found = occurrences(_index(), ("group", "default", "team-a"))
    assert [(o.uri, o.role) for o in found] == [
        ("groups.yaml", "definition"),
        ("groups.yaml", "reference"),  # ada's memberOf
        ("web.yaml", "reference"),
        ("api.yaml", "reference"),  # Team-A
    ]
    assert len(occurrences(_index(), ("component", "default", "api"), definitions=False)) == 2


def test_rename_keeps_each_reference_form_and_quoting() -> None:
    index = _index()
    edits = rename_edits(index, "api.yaml", _at(API, "Team-A"), "team-b")
    assert {uri: [e.new_text for e in found] for uri, found in edits.items()} == {
        "groups.yaml": ["team-b", "team-b"],
        "web.yaml": ['"group:default/team-b"'],
        "api.yaml": ["team-b"],
    }
    edits = rename_edits(index, "groups.yaml", _at(GROUPS, "platform"), "core")
    assert [e.new_text for e in edits["groups.yaml"]] == ['"core"']  # the double quotes stay


def test_rename_writes_a_name_yaml_would_misread_quoted() -> None:
    edits = rename_edits(_index(), "web.yaml", _at(WEB, "component:api", 11), "123")
    assert [e.new_text for e in edits["web.yaml"]] == ["component:123", "Component:123"]
    assert [e.new_text for e in edits["api.yaml"]] == ['"123"']


@pytest.mark.parametrize(
    ("name", "message"),
    [("-bad", "not a valid entity name"), ("x" * 64, "not a valid entity name"), ("WEB", "already exists")],
)
def test_rename_refusals(name: str, message: str) -> None:
    with pytest.raises(RenameRefused, match=message):
        rename_edits(_index(), "web.yaml", _at(WEB, "component:api", 11), name)
    with pytest.raises(RenameRefused, match="Put the cursor"):
        rename_edits(_index(), "web.yaml", _at(WEB, "type: website"), "x")


def test_a_rename_to_the_same_name_in_another_case_is_allowed() -> None:
    edits = rename_edits(_index(), "web.yaml", _at(WEB, "component:api", 11), "API")
    assert [e.new_text for e in edits["api.yaml"]] == ["API"]


def test_hover_on_a_reference() -> None:
    index = _index()
    found = reference_hover(index, "api.yaml", _at(API, "Team-A"))
    assert found is not None
    text, span = found
    assert text.startswith("**Team A** `group:default/team-a`")
    assert "Payments *engineers*" in text and "groups.yaml" in text and "line 4" in text
    assert span.start == _at(API, "Team-A")
    missing = reference_hover(index, "web.yaml", _at(WEB, "payments"))
    assert missing is not None and "no entity of the indexed catalog" in missing[0]
    assert reference_hover(index, "groups.yaml", _at(GROUPS, "team-a")) is None  # a name, not a reference


def test_completion_proposes_the_kinds_a_field_accepts() -> None:
    index = _index()
    text = API.replace("owner: Team-A", "owner: ")
    slot = reference_slot(_analyzer(), text, 7, 9)
    assert slot is not None and slot.field == "owner" and slot.default_kind == "Group"
    proposals = {p.label: p for p in reference_proposals(index, slot)}
    assert set(proposals) == {"team-a", "infra/platform", "user:ada"}
    assert proposals["team-a"].detail == "Team A"
    assert proposals["team-a"].sort_text < proposals["user:ada"].sort_text  # the default kind first
    assert proposals["infra/platform"].insert_text == "infra/platform"


def test_completion_in_a_block_list_excludes_the_entity_itself() -> None:
    text = WEB + "    - \n"
    slot = reference_slot(_analyzer(), text, 12, 6)
    assert slot is not None and slot.field == "dependsOn" and slot.default_kind is None
    assert [p.label for p in reference_proposals(_index(), slot)] == ["component:api"]
    assert reference_slot(_analyzer(), WEB, 5, 10) is None  # spec.type holds no reference


def test_workspace_symbols_rank_names_starting_with_the_query_first() -> None:
    index = _index()
    assert [e.ref for e in workspace_symbols(index, "a")][:2] == ["component:default/api", "user:default/ada"]
    assert [e.ref for e in workspace_symbols(index, "tma")] == ["group:default/team-a"]
    assert len(workspace_symbols(index, "")) == 5
    assert workspace_symbols(index, "zzz") == []


def test_index_file_follows_locations_and_reuses_unchanged_documents() -> None:
    location = (
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\n"
        "spec:\n  type: url\n  target: ./one.yaml\n  targets:\n    - ./teams/*.yaml\n    - https://x/y.yaml\n"
    )
    first = index_file("root.yaml", location + "---\n" + API)
    assert [(t.type, t.target, t.span.start.line) for t in first.locations] == [
        ("url", "./one.yaml", 6),
        ("url", "./teams/*.yaml", 8),
        ("url", "https://x/y.yaml", 9),
    ]
    calls: list[str] = []

    def parse(text: str):  # type: ignore[no-untyped-def]
        from coder_catalog.analysis.documents import parse_segment

        calls.append(text)
        return parse_segment(text)

    text = "# a comment\n" + location + "---\n" + API
    again = index_file("root.yaml", text, parse, first)
    assert len(calls) == 1  # the API's document did not change: its facts were reused, moved a line down
    assert [e.span.start for e in again.entities] == [_at(text, "root"), _at(text, "name: api", 6)]
    assert [r.span.start for r in again.references] == [_at(text, "Team-A")]


def test_index_file_with_a_byte_order_mark() -> None:
    indexed = index_file(
        "bom.yaml", "\ufeffapiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: x}\n"
    )
    assert indexed.entities[0].span.start == Position(2, 17)
    assert not indexed.ascii
