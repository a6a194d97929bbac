"""The stdio transport: stdin read on the event loop when it is a pipe or socket, pygls's threaded
reader otherwise; either way every message is answered and the server exits on ``exit``."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from tests.lsp.conftest import server_env

from coder_catalog.lsp.stdio import readable_on_the_loop


def frame(message: dict) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


EXIT = frame({"jsonrpc": "2.0", "method": "exit"})
HOVER_AFTER_SHUTDOWN = frame(
    {
        "jsonrpc": "2.0",
        "id": 4,
        "method": "textDocument/hover",
        "params": {
            "textDocument": {"uri": "file:///nowhere/catalog-info.yaml"},
            "position": {"line": 0, "character": 0},
        },
    }
)
SESSION = b"".join(
    [
        frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
        frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
        # A header line longer than anything sensible, then a message: skipped, then served.
        b"X-Padding: " + b"x" * 3_000_000 + b"\r\n",
        frame(
            {
                "jsonrpc": "2.0",
                "id": 2,
                "method": "textDocument/hover",
                "params": {
                    "textDocument": {"uri": "file:///nowhere/catalog-info.yaml"},
                    "position": {"line": 0, "character": 0},
                },
            }
        ),
        frame({"jsonrpc": "2.0", "id": 3, "method": "shutdown"}),
        EXIT,
    ]
)


def answers(output: bytes) -> dict[object, dict]:
    found = {}
    while output:
        header, _, rest = output.partition(b"\r\n\r\n")
        length = int(
            next(line for line in header.split(b"\r\n") if line.startswith(b"Content-Length")).split(b":")[1]
        )
        message = json.loads(rest[:length])
        output = rest[length:]
        if "id" in message and "method" not in message:
            found[message["id"]] = message
    return found


def serve(stdin: object, stdout: object = subprocess.PIPE) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "coder_catalog", "serve", "--log-level", "info"],
        stdin=stdin,  # type: ignore[arg-type]
        stdout=stdout,  # type: ignore[arg-type]
        stderr=subprocess.PIPE,
        env=server_env(),
        timeout=60,
        check=False,
    )


def test_a_pipe_is_read_on_the_event_loop(tmp_path: Path) -> None:
    read, write = os.pipe()
    with open(read, "rb") as incoming, open(write, "wb"), open(tmp_path / "out", "wb") as out:
        assert readable_on_the_loop(incoming, out)
        assert not readable_on_the_loop(out, out)  # a regular file


def send_and_read_until(
    server: subprocess.Popen[bytes], message: bytes, received: bytes, answered: int
) -> bytes:
    """Write ``message``, then read the server's output until the request ``answered`` is answered."""
    assert server.stdin is not None and server.stdout is not None
    server.stdin.write(message)
    server.stdin.flush()
    while answered not in answers(received):
        chunk = server.stdout.read1(65536)
        assert chunk, f"the server closed its output before answering request {answered}"
        received += chunk
    return received


def test_served_from_a_pipe() -> None:
    """As editors start it; ``exit`` is sent once ``shutdown`` is answered, as the protocol asks."""
    server = subprocess.Popen(
        [sys.executable, "-m", "coder_catalog", "serve", "--log-level", "info"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=server_env(),
    )
    assert server.stdin is not None and server.stdout is not None
    try:
        received = send_and_read_until(server, SESSION[: SESSION.index(EXIT)], b"", 3)  # 3: shutdown
        # A request after shutdown is answered with an error (pygls alone would never answer it).
        received = send_and_read_until(server, HOVER_AFTER_SHUTDOWN, received, 4)
        server.stdin.write(EXIT)
        server.stdin.close()
        received += server.stdout.read()
        assert server.wait(timeout=60) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=60)
        assert server.stderr is not None
        stderr = server.stderr.read()
        server.stderr.close()
        server.stdout.close()
    got = answers(received)
    assert set(got) == {1, 2, 3, 4}, stderr.decode()[-2000:]
    assert got[2]["result"] is None
    assert got[4]["error"]["code"] == -32600
    assert b"Traceback" not in stderr
    assert b"stdin read on the event loop" in stderr


def test_served_from_a_regular_file(tmp_path: Path) -> None:
    """``coder-catalog serve < messages``: not a pipe, so pygls's own reader is used."""
    messages = tmp_path / "messages"
    messages.write_bytes(SESSION)
    with messages.open("rb") as stdin:
        done = serve(stdin)
    got = answers(done.stdout)
    assert {1, 2, 3} <= set(got), done.stderr.decode()[-2000:]
    assert done.returncode == 0
    assert b"on the event loop" not in done.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="socket pairs as stdio are a POSIX thing")
def test_served_from_a_socket_shared_with_stdout() -> None:
    """One socket as both stdin and stdout (as some editors connect): left blocking, pygls's reader."""
    ours, theirs = socket.socketpair()
    with ours, theirs:
        server = subprocess.Popen(
            [sys.executable, "-m", "coder_catalog", "serve", "--log-level", "warning"],
            stdin=theirs.fileno(),
            stdout=theirs.fileno(),
            stderr=subprocess.PIPE,
            env=server_env(),
        )
        theirs.close()
        ours.sendall(SESSION)
        ours.settimeout(60)
        received = b""
        while chunk := ours.recv(65536):
            received += chunk
        server.wait(timeout=60)
        assert server.stderr is not None
        server.stderr.close()
    assert {1, 2, 3} <= set(answers(received))
