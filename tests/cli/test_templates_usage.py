"""``coder-catalog templates usage``: entities by effective template, deprecated and unknown templates
flagged from the snapshot, and ``--move OLD=NEW`` (a diff, or the scalars changed in place)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lint_helpers import Run, component, isolate, write

from coder_catalog.cli import main

SNAPSHOT = str(Path(__file__).parents[1] / "fixtures" / "coder-templates.json")

A = component("a", "templateName: legacy-vm   # retired soon\nmode: auto")
B = (
    component("b", 'templateName: "legacy-vm"\nparams:\n  region: eu')
    + "---\n"
    + component("b2", "templateName: 'docker'")
)
C = component("c", "templateName: no-such-template")
D = component("d", "mode: manual")  # takes workspaces.defaultTemplateName


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    work = isolate(monkeypatch, tmp_path)
    write(work / "a" / "catalog-info.yaml", A)
    write(work / "b" / "catalog-info.yaml", B)
    write(work / "c" / "catalog-info.yaml", C)
    write(work / "d" / "catalog-info.yaml", D)
    write(work / ".coder-catalog.yaml", "workspaces:\n  defaultTemplateName: legacy-vm\n")
    return work


def usage(capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    capsys.readouterr()
    code = main(["templates", "usage", *args])
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def test_text_lists_entities_by_template_and_flags_deprecated_and_unknown(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = usage(capsys, "--templates", SNAPSHOT)
    assert run.code == 0, run.err
    blocks = run.out.split("\n\n")
    assert blocks[0] == "5 entities using Coder (templates of snapshot " + SNAPSHOT + ")"
    assert blocks[1] == "docker  1 entity\n  b/catalog-info.yaml:27  component:default/b2"
    deprecated, *entities = blocks[2].splitlines()
    assert deprecated.startswith("legacy-vm  3 entities  DEPRECATED: Use **docker** instead")
    assert deprecated.endswith("2025-12-31. (move them: --move legacy-vm=docker)")  # the message names it
    assert entities == [
        "  a/catalog-info.yaml:12  component:default/a",
        "  b/catalog-info.yaml:12  component:default/b",
        "  d/catalog-info.yaml:11  component:default/d  (workspaces.defaultTemplateName)",
    ]
    assert blocks[3] == (
        "no-such-template  1 entity  UNKNOWN: not a template of https://coder.example.com\n"
        "  c/catalog-info.yaml:12  component:default/c\n"
    )


def test_json(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = usage(capsys, "--templates", SNAPSHOT, "--format", "json", "a", "c", "d")
    assert run.code == 0, run.err
    data = run.json()
    assert data["templateSources"] == [f"snapshot {SNAPSHOT}"]
    assert data["errors"] == [] and data["notes"] == []
    legacy, unknown = data["templates"]
    assert legacy["name"] == "legacy-vm"
    assert legacy["status"] == "deprecated"
    assert "docker" in legacy["deprecationMessage"]
    assert legacy["replacement"] == "docker"
    assert "replacement" not in unknown
    assert legacy["entities"] == [
        {
            "entity": "component:default/a",
            "file": "a/catalog-info.yaml",
            "line": 12,
            "templateFrom": "catalog",
        },
        {
            "entity": "component:default/d",
            "file": "d/catalog-info.yaml",
            "line": 11,
            "templateFrom": "defaultTemplateName",
        },
    ]
    assert unknown["name"] == "no-such-template"
    assert unknown["status"] == "unknown"


def test_offline_is_just_the_list(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = usage(capsys, "--offline", "--format", "json")
    assert run.code == 0, run.err
    data = run.json()
    assert data["notes"] == ["offline: deprecated and unknown templates are not flagged"]
    assert {t["name"]: t["status"] for t in data["templates"]} == {
        "docker": None,
        "legacy-vm": None,
        "no-such-template": None,
    }
    text = usage(capsys, "--offline")
    assert "DEPRECATED" not in text.out and "UNKNOWN" not in text.out
    assert "note: offline" in text.out


def test_entities_without_any_template(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = isolate(monkeypatch, tmp_path)
    write(work / "catalog-info.yaml", D)
    run = usage(capsys, "--offline")
    assert "(no template)  1 entity\n  catalog-info.yaml:11  component:default/d" in run.out


def test_move_prints_a_diff_and_changes_nothing(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = usage(capsys, "--templates", SNAPSHOT, "--move", "legacy-vm=docker")
    assert run.code == 0, run.err
    assert run.out == (
        "--- a/a/catalog-info.yaml\n"
        "+++ b/a/catalog-info.yaml\n"
        "@@ -9,5 +9,5 @@\n"
        "   lifecycle: production\n"
        "   owner: team-a\n"
        "   coder:\n"
        "-    templateName: legacy-vm   # retired soon\n"
        "+    templateName: docker   # retired soon\n"
        "     mode: auto\n"
        "--- a/b/catalog-info.yaml\n"
        "+++ b/b/catalog-info.yaml\n"
        "@@ -9,7 +9,7 @@\n"
        "   lifecycle: production\n"
        "   owner: team-a\n"
        "   coder:\n"
        '-    templateName: "legacy-vm"\n'
        '+    templateName: "docker"\n'
        "     params:\n"
        "       region: eu\n"
        " ---\n"
    )
    assert "Would move 2 entities in 2 files from legacy-vm to docker (apply with --write)" in run.err
    assert (
        "not changed: d/catalog-info.yaml:11  component:default/d: uses the default: "
        "workspaces.defaultTemplateName in .coder-catalog.yaml; change the default there" in run.err
    )
    assert (work / "a" / "catalog-info.yaml").read_text(encoding="utf-8") == A
    assert (work / "b" / "catalog-info.yaml").read_text(encoding="utf-8") == B


def test_move_write_changes_exactly_the_scalars(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    crlf = work / "e" / "catalog-info.yaml"
    crlf.parent.mkdir()
    crlf.write_bytes(component("e", "templateName: legacy-vm").replace("\n", "\r\n").encode())
    run = usage(capsys, "--offline", "--move", "legacy-vm=new-vm", "--write")
    assert run.code == 0, run.err
    assert run.out.splitlines()[0] == "Moved 3 entities in 3 files from legacy-vm to new-vm"
    assert "not changed: d/catalog-info.yaml:11  component:default/d: uses the default" in run.out
    assert (work / "a" / "catalog-info.yaml").read_text(encoding="utf-8") == A.replace(
        "templateName: legacy-vm", "templateName: new-vm"
    )
    assert (work / "b" / "catalog-info.yaml").read_text(encoding="utf-8") == B.replace(
        'templateName: "legacy-vm"', 'templateName: "new-vm"'
    )
    assert (work / "c" / "catalog-info.yaml").read_text(encoding="utf-8") == C
    assert (work / "d" / "catalog-info.yaml").read_text(encoding="utf-8") == D
    assert crlf.read_bytes() == component("e", "templateName: new-vm").replace("\n", "\r\n").encode()
    again = usage(capsys, "--offline", "--format", "json")
    names = {t["name"]: [e["entity"] for e in t["entities"]] for t in again.json()["templates"]}
    assert names["new-vm"] == ["component:default/a", "component:default/b", "component:default/e"]
    assert names["legacy-vm"] == ["component:default/d"]


def test_move_matches_the_name_in_any_case_as_coder_does(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = isolate(monkeypatch, tmp_path)
    write(work / "catalog-info.yaml", component("a", "templateName: Legacy-VM"))
    write(work / "x" / "catalog-info.yaml", component("x", 'templateName: "LEGACY-vm"'))
    run = usage(capsys, "--offline", "--move", "legacy-vm=docker", "--write")
    assert run.code == 0, run.err
    assert (work / "catalog-info.yaml").read_text(encoding="utf-8") == component("a", "templateName: docker")
    assert (work / "x" / "catalog-info.yaml").read_text(encoding="utf-8") == component(
        "x", 'templateName: "docker"'
    )


def test_move_quotes_a_name_yaml_would_not_read_as_a_string(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = isolate(monkeypatch, tmp_path)
    write(work / "catalog-info.yaml", component("a", "templateName: old\n# templateName: old"))
    write(work / "x" / "catalog-info.yaml", component("x", "templateName: 'o''ld'"))
    assert usage(capsys, "--offline", "--move", "old=true", "--write").code == 0
    assert usage(capsys, "--offline", "--move", "o'ld=it's", "--write").code == 0
    assert (work / "catalog-info.yaml").read_text(encoding="utf-8") == component(
        "a", 'templateName: "true"\n# templateName: old'
    )
    assert (work / "x" / "catalog-info.yaml").read_text(encoding="utf-8") == component(
        "x", "templateName: 'it''s'"
    )


def test_move_json_and_a_warning_for_a_deprecated_target(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = usage(capsys, "--templates", SNAPSHOT, "--move", "docker=legacy-vm", "--format", "json")
    assert run.code == 0, run.err
    assert run.json() == {
        "from": "docker",
        "to": "legacy-vm",
        "written": False,
        "changed": [
            {
                "entity": "component:default/b2",
                "file": "b/catalog-info.yaml",
                "line": 27,
                "templateFrom": "catalog",
            }
        ],
        "notChanged": [],
    }
    assert 'warning: template "legacy-vm" is deprecated on https://coder.example.com' in run.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--write"], "--write needs --move OLD=NEW"),
        (["--move", "docker"], "--move takes OLD=NEW"),
        (["--move", "a=a"], "the names are the same"),
        (["--offline", "--templates", SNAPSHOT], "exclude each other"),
    ],
)
def test_usage_errors(work: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    run = usage(capsys, *args)
    assert run.code == 2
    assert message in run.err


def test_a_missing_path_is_an_error(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = usage(capsys, "--offline", "missing")
    assert run.code == 2
    assert "missing: no such file or folder" in run.err


def test_move_leaves_aliases_anchors_and_block_scalars_alone(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = isolate(monkeypatch, tmp_path)
    text = (
        component("x", "templateName: *t").replace("  name: x\n", "  name: x\n  description: &t old\n")
        + "---\n"
        + component("y", "templateName: &u old")
        + "---\n"
        + component("z", "templateName: >-\n  old")
    )
    write(work / "catalog-info.yaml", text)
    run = usage(capsys, "--offline", "--move", "old=new", "--write")
    assert run.code == 0, run.err
    assert run.out.count("change it by hand") == 3
    assert run.out.startswith("Moved 0 entities in 0 files")
    assert (work / "catalog-info.yaml").read_text(encoding="utf-8") == text
