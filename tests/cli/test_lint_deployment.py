"""``lint`` against a live deployment (the simulator over HTTP), a snapshot, and an unreachable one."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from lint_helpers import codes, component, isolate, run_lint, write

from coder_catalog.cli import main
from coder_catalog.simulator.server import SimulatorServer

CLASSIC_TEMPLATES = ("docker", "kubernetes", "scratch")  # no required parameters
DATA_SCIENCE_VERSION = "9bad69cf-a407-5a84-ab91-08bd890359b7"


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    return isolate(monkeypatch, tmp_path)


@pytest.fixture
def signed_in(simulator: SimulatorServer, monkeypatch: pytest.MonkeyPatch, work: Path) -> SimulatorServer:
    monkeypatch.setenv("CODER_SESSION_TOKEN", simulator.token)
    return simulator


def api_requests(simulator: SimulatorServer) -> list[dict[str, Any]]:
    return [r for r in simulator.requests() if str(r["path"]).startswith("/api/")]


def many_files(work: Path, count: int = 60) -> None:
    for number in range(count):
        template = CLASSIC_TEMPLATES[number % len(CLASSIC_TEMPLATES)]
        coder = f"templateName: {template}" if number % 5 else ""  # some files do not use Coder
        write(work / f"svc{number:02}" / "catalog-info.yaml", component(f"svc{number}", coder))
    write(work / "typo" / "catalog-info.yaml", component("typo", "templateName: dockr"))


def test_many_files_cost_at_most_3_plus_distinct_templates_requests(
    signed_in: SimulatorServer, work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    many_files(work)
    signed_in.clear_requests()
    run = run_lint(capsys, "--url", signed_in.url, "--format", "json")
    requests = api_requests(signed_in)
    assert len(requests) <= 3 + len(CLASSIC_TEMPLATES), requests
    parameter_requests = [r for r in requests if str(r["path"]).endswith("/rich-parameters")]
    assert len(parameter_requests) == len(CLASSIC_TEMPLATES)
    assert run.json()["summary"]["files"] == 61
    assert codes(run) == ["CC201"]  # only the typo; the other templates exist
    assert run.code == 1 and signed_in.token not in run.out + run.err


def test_dynamic_parameters_are_evaluated_once_per_distinct_values(
    signed_in: SimulatorServer, work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for number in range(6):
        ide = ("vscode", "jupyter")[number % 2]
        coder = f"templateName: data-science\nparams:\n  ide: {ide}\n  dataset_bucket: s3://acme-datasets"
        write(work / f"ds{number}" / "catalog-info.yaml", component(f"ds{number}", coder))
    signed_in.clear_requests()
    run = run_lint(capsys, "--url", signed_in.url, "--format", "json")
    assert "Traceback" not in run.err
    requests = api_requests(signed_in)
    evaluations = [r for r in requests if str(r["path"]).endswith("/dynamic-parameters/evaluate")]
    assert len(evaluations) == 2  # two distinct parameter sets over six files
    assert sum(1 for r in requests if r["path"] == "/api/v2/users/me") == 1
    assert run.json()["summary"]["files"] == 6


def test_a_failing_evaluation_never_fails_the_lint(
    signed_in: SimulatorServer, work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(work / "catalog-info.yaml", component("ds", "templateName: data-science\nparams:\n  ide: vscode"))
    signed_in.set_fault(
        "status",
        status=500,
        path_prefix=f"/api/v2/templateversions/{DATA_SCIENCE_VERSION}/dynamic-parameters",
    )
    run = run_lint(capsys, "--url", signed_in.url, "--format", "json")
    assert run.code in (0, 1) and "Traceback" not in run.err
    assert "CC200" not in codes(run)


def test_snapshot_lints_without_any_request(
    simulator: SimulatorServer,
    work: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CODER_SESSION_TOKEN", simulator.token)
    assert main(["templates", "pull", "--url", simulator.url, "-o", "snap.json"]) == 0
    monkeypatch.delenv("CODER_SESSION_TOKEN")
    many_files(work, count=12)
    simulator.clear_requests()
    run = run_lint(capsys, "--templates", "snap.json", "--format", "json")
    assert simulator.requests() == []
    assert codes(run) == ["CC201"] and run.code == 1


def test_snapshot_from_the_project_file(
    simulator: SimulatorServer,
    work: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CODER_SESSION_TOKEN", simulator.token)
    assert main(["templates", "pull", "--url", simulator.url, "-o", "snap.json"]) == 0
    write(
        work / ".coder-catalog.yaml", f"deployment: {{accessUrl: '{simulator.url}'}}\ntemplates: snap.json\n"
    )
    write(work / "catalog-info.yaml", component("a", "templateName: dockr"))
    simulator.clear_requests()
    assert codes(run_lint(capsys, "--format", "json")) == ["CC201"]
    assert simulator.requests() == []


def unused_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_unreachable_deployment_reports_cc200_per_file(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = unused_port_url()
    write(work / "a" / "catalog-info.yaml", component("a", "templateName: dockr"))
    write(work / "b" / "catalog-info.yaml", component("b", "templateName: docker"))
    write(work / "c" / "catalog-info.yaml", component("c"))  # no spec.coder: nothing to say
    run = run_lint(capsys, "--url", url, "--format", "json")
    findings = [(file["path"], f) for file in run.json()["files"] for f in file["findings"]]
    assert [(path, f["code"]) for path, f in findings] == [
        ("a/catalog-info.yaml", "CC200"),
        ("b/catalog-info.yaml", "CC200"),
    ]
    message = findings[0][1]["message"]
    assert f"cannot connect to {url}" in message and "--templates SNAPSHOT" in message
    assert run.code == 0  # CC200 is a warning: the exit follows the findings (and --fail-on)


def test_unreachable_deployment_with_require_deployment_exits_3(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = unused_port_url()
    path = write(work / "catalog-info.yaml", component("a", "templateName: docker\nmode: Auto"))
    run = run_lint(capsys, "--url", url, "--require-deployment", "--fix")
    assert run.code == 3 and f"cannot connect to {url}" in run.err
    assert "mode: Auto" in path.read_text()  # nothing was changed


def test_rejected_token_reports_cc200(
    simulator: SimulatorServer,
    work: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CODER_SESSION_TOKEN", "Bogus")
    write(work / "catalog-info.yaml", component("a", "templateName: docker"))
    run = run_lint(capsys, "--url", simulator.url, "--format", "json")
    message = run.json()["files"][0]["findings"][0]["message"]
    assert "rejected the session token" in message and "Bogus" not in run.out + run.err
    assert run_lint(capsys, "--url", simulator.url, "--require-deployment").code == 3


def test_no_token_says_how_to_get_one(
    simulator: SimulatorServer, work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(work / "catalog-info.yaml", component("a", "templateName: docker"))
    run = run_lint(capsys, "--url", simulator.url, "--format", "json")
    assert "no session token" in run.json()["files"][0]["findings"][0]["message"]


def test_files_without_coder_ask_nothing(
    signed_in: SimulatorServer, work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(work / "catalog-info.yaml", component("a"))
    signed_in.clear_requests()
    assert run_lint(capsys, "--url", signed_in.url).code == 0
    assert api_requests(signed_in) == []
