"""Template snapshots: round trip, stability, schema, and clear errors for bad files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from coder_catalog.accounts.credentials import Credential, Secret
from coder_catalog.coder.cache import TemplateCache
from coder_catalog.coder.client import CoderClient
from coder_catalog.schemas import load_schema
from coder_catalog.simulator.server import SimulatorServer
from coder_catalog.templates.model import Template, TemplateCatalog, TemplateParameter
from coder_catalog.templates.snapshot import (
    SnapshotError,
    dump_snapshot,
    load_snapshot,
    parse_snapshot,
)


async def pulled(sim: SimulatorServer) -> TemplateCatalog:
    client = CoderClient(sim.url, Credential(sim.url, Secret(sim.token), "test"))
    async with client:
        return await TemplateCache(client).full_catalog()


async def test_round_trip_is_lossless_and_stable(simulator: SimulatorServer, tmp_path: Path) -> None:
    catalog = await pulled(simulator)
    text = dump_snapshot(catalog)
    again = parse_snapshot(text)
    assert dump_snapshot(again) == text
    assert dump_snapshot(await pulled(simulator)) == text  # a second pull diffs clean
    for original in catalog.templates:
        copy = again.find(original.name)
        assert copy is not None
        assert copy.parameters == original.parameters
        assert copy.presets == original.presets
        assert copy.deprecated == original.deprecated
    assert again.server_version == catalog.server_version
    assert text.endswith("\n") and "\t" not in text


async def test_snapshot_validates_against_the_published_schema(simulator: SimulatorServer) -> None:
    document = json.loads(dump_snapshot(await pulled(simulator)))
    schema = load_schema("coder-templates.schema.json")
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document["format"] == "coder-catalog.templates" and document["formatVersion"] == 1


def test_sorted_by_organization_and_name() -> None:
    catalog = TemplateCatalog(
        (
            Template(id="3", name="zeta", organization_name="b"),
            Template(id="1", name="Beta", organization_name="a"),
            Template(id="2", name="alpha", organization_name="a", parameters=(TemplateParameter("x"),)),
        )
    )
    names = [t["name"] for t in json.loads(dump_snapshot(catalog))["templates"]]
    assert names == ["alpha", "Beta", "zeta"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"format": "coder-catalog.templates",\n  "formatVersion": 1,\n  oops}', ":3:"),
        ("[]", "not a template snapshot"),
        (
            '{"format": "coder-catalog.templates", "formatVersion": 9, "deployment": {}, "templates": []}',
            "newer",
        ),
        (
            '{"format": "coder-catalog.templates", "formatVersion": 1, "deployment": {"url": "", "version": ""},'
            ' "templates": [{"name": "x", "parameters": [{"name": "p", "type": "float"}]}]}',
            "templates[0].parameters[0].type",
        ),
    ],
)
def test_bad_snapshots_say_where(text: str, expected: str) -> None:
    with pytest.raises(SnapshotError) as info:
        parse_snapshot(text, "snap.json")
    assert str(info.value).startswith("snap.json")
    assert expected in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="no such file"):
        load_snapshot(tmp_path / "nope.json")


async def test_committed_fixture_snapshot_matches_the_simulator(simulator: SimulatorServer) -> None:
    """tests/fixtures/coder-templates.json (used by the offline core tests) is the simulator's default data."""
    from dataclasses import replace

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "coder-templates.json"
    fresh = replace(await pulled(simulator), deployment_url="https://coder.example.com")
    copies = [fixture, fixture.parents[1] / "cli" / "fixtures" / "lint" / "coder-templates.json"]
    if os.environ.get("UPDATE_GOLDEN") == "1":
        for path in copies:
            path.write_text(dump_snapshot(fresh), encoding="utf-8")
    for path in copies:
        assert path.read_text(encoding="utf-8") == dump_snapshot(fresh), (
            f"{path} differs from the simulator's default data: run this test with UPDATE_GOLDEN=1"
        )
