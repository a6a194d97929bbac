"""Loading seeds: the shipped one, YAML and JSON files, and clear errors for bad ones."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from sim_helpers import default_seed

from coder_catalog.simulator import DataError, SimulatorServer, load_data
from coder_catalog.simulator.data import PARAMETER_TYPES

SIMULATOR_DIR = Path(__file__).resolve().parents[2] / "server" / "coder_catalog" / "simulator"


def test_the_shipped_seed_covers_what_the_tests_of_the_project_need() -> None:
    seed = load_data()
    params = [p.parameter for t in seed.templates for v in t.versions for p in v.parameters]
    assert {p.type for p in params} == set(PARAMETER_TYPES)
    assert any(p.is_multi_select for p in params)
    assert any(p.form_type in ("radio", "dropdown") for p in params)
    assert any(p.validation_regex and p.validation_error for p in params)
    assert any(p.validation_min == 0 and p.validation_error and "{min}" in p.validation_error for p in params)
    assert any(p.required for p in params) and any(not p.required and p.default_value for p in params)
    assert any(t.deprecated for t in seed.templates)
    assert any(not t.use_classic_parameter_flow for t in seed.templates)
    assert any(p.shown_when for t in seed.templates for v in t.versions for p in v.parameters)
    assert len({t.organization_id for t in seed.templates}) == 2
    statuses = {w.status for w in seed.workspaces}
    assert {"running", "stopped", "failed", "starting"} <= statuses
    assert [u.username for u in seed.users][:2] == ["alice", "bob"]


def test_no_token_literal_in_the_simulator_sources() -> None:
    token = re.compile(r"\b[A-Za-z0-9]{10}-[A-Za-z0-9]{22}\b")
    for path in SIMULATOR_DIR.rglob("*"):
        if path.suffix in (".py", ".yaml", ".json"):
            assert not token.search(path.read_text()), path


def test_yaml_and_json_files(tmp_path: Path) -> None:
    seed = default_seed()
    as_json = tmp_path / "seed.json"
    as_json.write_text(json.dumps(seed))
    as_yaml = tmp_path / "seed.yml"
    as_yaml.write_text(yaml.safe_dump(seed))
    assert len(load_data(as_json).templates) == len(load_data(str(as_yaml)).templates) == 7
    with SimulatorServer(as_json) as server:
        assert set(server.tokens) == {"alice", "bob", "carol"}


def test_yaml_conveniences_become_coders_strings(tmp_path: Path) -> None:
    path = tmp_path / "seed.yaml"
    path.write_text(
        """
organizations: [{id: 11111111-1111-1111-1111-111111111111, name: o}]
users: [{id: 22222222-2222-2222-2222-222222222222, username: u, email: u@x, organizations: [o],
         created_at: 2025-03-04T05:06:07Z}]
templates:
  - id: 33333333-3333-3333-3333-333333333333
    name: t
    organization: o
    versions:
      - id: 44444444-4444-4444-4444-444444444444
        name: v
        parameters:
          - {name: n, type: number, default_value: 3}
          - {name: b, type: bool, default_value: true}
          - {name: l, type: list(string), default_value: [a, b]}
workspaces:
  - {id: 55555555-5555-5555-5555-555555555555, name: w, owner: u, template: t, status: running,
     parameters: {n: 4, b: false}}
"""
    )
    seed = load_data(path)
    params = {p.name: p.parameter for p in seed.templates[0].versions[0].parameters}
    assert (params["n"].default_value, params["b"].default_value, params["l"].default_value) == (
        "3",
        "true",
        '["a","b"]',
    )
    assert seed.workspaces[0].parameters == (("n", "4"), ("b", "false"))
    assert seed.users[0].created_at == "2025-03-04T05:06:07Z"


def broken(change: Any) -> dict[str, Any]:
    seed = default_seed()
    change(seed)
    return seed


def set_in(*path: str | int, **fields: Any) -> Any:
    """A change to a seed: update the mapping at ``path`` with ``fields``."""

    def change(seed: dict[str, Any]) -> None:
        node: Any = seed
        for key in path:
            node = node[key]
        node.update(fields)

    return change


def param(template: int, version: int, index: int, **fields: Any) -> Any:
    return set_in("templates", template, "versions", version, "parameters", index, **fields)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            set_in("templates", 0, organization="nowhere"),
            "templates[0].organization: no organization named 'nowhere'",
        ),
        (param(0, 0, 0, type="float"), "templates[0].versions[0].parameters[0].type"),
        (lambda s: s["users"][0].pop("email"), "users[0]: 'email' is a required property"),
        (set_in("users", 0, id="not-a-uuid"), "users[0].id"),
        (set_in("workspaces", 0, owner="zed"), "workspaces[0].owner: no user named 'zed'"),
        (set_in("workspaces", 0, status="sleeping"), "workspaces[0].status"),
        (set_in("workspaces", 1, name="DEV"), "alice already has a workspace named 'DEV'"),
        (set_in("workspaces", 0, template_version="v9"), "docker has no version 'v9'"),
        (set_in("templates", 0, name="new"), "is not a valid Coder name"),
        (set_in("templates", 0, active_version="v9"), "no version named 'v9'"),
        (param(1, 0, 2, default_value="mars-1"), "the default is invalid"),
        (param(0, 1, 1, shown_when={"parameter": "cpu", "equals": "2"}), "shown_when needs the dynamic flow"),
        (param(2, 0, 1, shown_when={"parameter": "gpu_count", "equals": "1"}), "not an earlier parameter"),
        (set_in("oauth2", "apps", 0, client_secret="abcdefghij-" + "a" * 22), "must not be shaped like"),
        (lambda s: s["workspaces"][0].update(id=s["workspaces"][1]["id"]), "is used twice"),
        (set_in(colour="blue"), "Additional properties are not allowed ('colour' was unexpected)"),
        (set_in("organizations", 1, default=True), "more than one organization is marked default"),
    ],
)
def test_bad_seeds_are_refused_with_a_clear_message(change: Any, message: str) -> None:
    with pytest.raises(DataError) as error:
        load_data(broken(change))
    assert message in str(error.value)
    assert str(error.value).startswith("<data>: ")


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="cannot read"):
        load_data(tmp_path / "missing.yaml")
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("users: [unclosed")
    with pytest.raises(DataError, match=r"bad\.yaml: not valid YAML"):
        load_data(bad_yaml)
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{'single': 'quotes'}")
    with pytest.raises(DataError, match="not valid JSON"):
        load_data(bad_json)
    scalar = tmp_path / "scalar.yaml"
    scalar.write_text("42")
    with pytest.raises(DataError, match="must be a mapping"):
        load_data(scalar)
