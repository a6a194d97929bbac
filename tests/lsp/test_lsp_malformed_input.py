"""Malformed protocol input gets an error answer (or is ignored), and the server keeps serving."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

from conftest import server_env


class RawConnection:
    """JSON-RPC over the server's stdio, byte by byte, so that broken messages can be sent."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "coder_catalog", "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=server_env(),
        )
        self.messages: list[dict[str, Any]] = []
        self._lock = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            header = b""
            while not header.endswith(b"\r\n\r\n"):
                byte = stream.read(1)
                if not byte:
                    return
                header += byte
            length = int(header.split(b"Content-Length:")[1].split(b"\r\n")[0])
            body = json.loads(stream.read(length))
            with self._lock:
                self.messages.append(body)
                self._lock.notify_all()

    def send_bytes(self, body: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        self.process.stdin.flush()

    def send(self, payload: dict[str, Any]) -> None:
        self.send_bytes(json.dumps(payload).encode())

    def answer(self, message_id: int, timeout: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                for message in self.messages:
                    if message.get("id") == message_id and ("result" in message or "error" in message):
                        return message
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no answer to request {message_id}")
                self._lock.wait(remaining)

    def close(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)


@pytest.fixture
def connection() -> Any:
    raw = RawConnection()
    raw.send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}})
    raw.answer(1)
    raw.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    yield raw
    raw.close()


def alive(connection: RawConnection, request_id: int) -> None:
    """The server still answers a well-formed request."""
    connection.send(
        {
            "jsonrpc": "2.0",
            "id": request_id,
            "method": "textDocument/hover",
            "params": {
                "textDocument": {"uri": "file:///nowhere.yaml"},
                "position": {"line": 0, "character": 0},
            },
        }
    )
    assert "result" in connection.answer(request_id)


def test_invalid_json_and_unknown_methods(connection: RawConnection) -> None:
    connection.send_bytes(b"{this is not json")
    connection.send({"jsonrpc": "2.0", "id": 2, "method": "coderCatalog/noSuchMethod", "params": {}})
    assert connection.answer(2)["error"]["code"] == -32601
    alive(connection, 3)


def test_wrong_parameter_types(connection: RawConnection) -> None:
    connection.send(
        {"jsonrpc": "2.0", "id": 4, "method": "textDocument/completion", "params": {"textDocument": 42}}
    )
    assert "error" in connection.answer(4)
    connection.send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": "nope"}})
    alive(connection, 5)


def test_positions_past_the_end_and_documents_never_opened(connection: RawConnection) -> None:
    uri = "file:///tmp/coder-catalog-test/catalog-info.yaml"
    text = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\n"
    connection.send(
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}},
        }
    )
    for request_id, method in enumerate(("textDocument/hover", "textDocument/completion"), start=10):
        connection.send(
            {
                "jsonrpc": "2.0",
                "id": request_id,
                "method": method,
                "params": {"textDocument": {"uri": uri}, "position": {"line": 999, "character": 999}},
            }
        )
        assert "result" in connection.answer(request_id)
    connection.send(
        {
            "jsonrpc": "2.0",
            "id": 20,
            "method": "textDocument/documentSymbol",
            "params": {"textDocument": {"uri": "file:///never/opened/catalog-info.yaml"}},
        }
    )
    assert "result" in connection.answer(20)
    connection.send(
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didChange",
            "params": {
                "textDocument": {"uri": "file:///never/opened.yaml", "version": 2},
                "contentChanges": [{"text": "x"}],
            },
        }
    )
    alive(connection, 21)
