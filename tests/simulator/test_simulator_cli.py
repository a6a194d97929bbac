"""``python -m coder_catalog.simulator`` (``serve_forever``): announce, serve, stop on a signal."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import coder_catalog
from coder_catalog.simulator import serve_forever

SERVER_DIR = str(Path(coder_catalog.__file__).resolve().parents[1])


@pytest.fixture
def launch() -> Iterator:
    processes: list[subprocess.Popen[str]] = []

    def start(*args: str) -> subprocess.Popen[str]:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [SERVER_DIR, os.environ.get("PYTHONPATH")])),
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "coder_catalog.simulator", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_announces_url_and_tokens_then_stops_on_a_signal(launch, stop_signal: signal.Signals) -> None:
    process = launch("--host", "127.0.0.1", "--port", "0")
    assert process.stdout is not None
    first = process.stdout.readline()
    match = re.fullmatch(r"Coder simulator listening on (http://127\.0\.0\.1:\d+)\n", first)
    assert match, first
    tokens = {}
    for _ in range(3):
        line = re.fullmatch(r"Session token for (\w+): (\S+)\n", process.stdout.readline())
        assert line is not None
        tokens[line.group(1)] = line.group(2)
    assert list(tokens) == ["alice", "bob", "carol"]
    me = httpx.get(f"{match.group(1)}/api/v2/users/me", headers={"Coder-Session-Token": tokens["bob"]})
    assert me.json()["username"] == "bob"
    process.send_signal(stop_signal)
    assert process.wait(timeout=10) == 0


def test_a_bad_data_file_is_reported(launch, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("organizations: []\nusers: []\ntemplates: []\n")
    process = launch("--data", str(bad))
    assert process.wait(timeout=20) == 2
    assert process.stderr is not None
    assert re.search(
        r"bad\.yaml: (organizations|users|templates): \[\] should be non-empty", process.stderr.read()
    )


def test_serve_forever_reports_a_bad_file_without_serving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = io.StringIO()
    assert serve_forever("127.0.0.1", 0, str(tmp_path / "missing.yaml"), out) == 2
    assert out.getvalue() == ""
    assert "cannot read the simulator data file" in capsys.readouterr().err
