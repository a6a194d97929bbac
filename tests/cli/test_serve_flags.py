"""``serve`` as clients start it (``--stdio``, which vscode-languageclient's TransportKind.stdio and
many editors pass, is the default stdio), and ``simulator`` without its optional extra."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from coder_catalog.cli import main


def _message(payload: dict[str, object]) -> bytes:
    body = json.dumps(payload).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def test_serve_accepts_stdio_and_answers_initialize() -> None:
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}
    shutdown = {"jsonrpc": "2.0", "id": 2, "method": "shutdown"}
    exit_ = {"jsonrpc": "2.0", "method": "exit"}
    done = subprocess.run(
        [sys.executable, "-m", "coder_catalog", "serve", "--stdio"],
        input=_message(initialize) + _message(shutdown) + _message(exit_),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    header, _, rest = done.stdout.partition(b"\r\n\r\n")
    fields = dict(line.split(b":", 1) for line in header.split(b"\r\n"))
    length = int(fields[b"Content-Length"])
    answer = json.loads(rest[:length])
    assert answer["id"] == 1 and "capabilities" in answer["result"]


def test_serve_refuses_stdio_with_tcp() -> None:
    assert main(["serve", "--stdio", "--tcp", "127.0.0.1:0"]) == 2


def test_simulator_without_aiohttp_says_which_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "aiohttp", None)  # as if not installed: import raises ImportError
    assert main(["simulator"]) == 2
    assert "pip install 'coder-catalog[simulator]'" in capsys.readouterr().err
