"""The one-shot redirect listener of the OAuth2 sign-in (RFC 8252 loopback redirect).

It listens on 127.0.0.1 only, on a port the system picks, takes the first request that arrives
(the browser's redirect to ``/callback?code=...&state=...``), answers it with a short page and
stops listening. Connections that send nothing (browsers pre-connect) are dropped; anything after
the first request finds the port closed.
"""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import parse_qsl, urlsplit

HOST = "127.0.0.1"
CALLBACK_PATH = "/callback"
_READ_TIMEOUT = 10.0
_MAX_LINE = 8192
_MAX_HEADERS = 100

_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>coder-catalog</title></head>"
    "<body style='font-family: sans-serif'><h1>{title}</h1><p>{text}</p></body></html>"
)


class CallbackRequest:
    """What the browser brought back: the path and the query parameters."""

    def __init__(self, path: str, params: dict[str, str]) -> None:
        self.path = path
        self.params = params


class LoopbackListener:
    def __init__(self) -> None:
        self._server: asyncio.Server | None = None
        self._result: asyncio.Future[CallbackRequest] | None = None
        self.port = 0

    @property
    def redirect_uri(self) -> str:
        return f"http://{HOST}:{self.port}{CALLBACK_PATH}"

    async def start(self) -> str:
        """Listen; returns the redirect URI."""
        self._result = asyncio.get_running_loop().create_future()
        self._server = await asyncio.start_server(self._handle, HOST, 0, limit=_MAX_LINE)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.redirect_uri

    async def wait(self, timeout: float) -> CallbackRequest:
        """The first request; raises TimeoutError when none came in time."""
        assert self._result is not None, "start() first"
        try:
            return await asyncio.wait_for(asyncio.shield(self._result), timeout)
        finally:
            self.close()

    def close(self) -> None:
        """Stop listening (a request being answered is still answered)."""
        if self._server is not None:
            self._server.close()
            self._server = None

    def cancel(self) -> None:
        """Stop listening and make :meth:`wait` raise ``CancelledError`` (a newer sign-in replaced this one)."""
        self.close()
        if self._result is not None and not self._result.done():
            self._result.cancel()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(_read_request(reader), _READ_TIMEOUT)
            if request is None or self._result is None or self._result.done():
                return
            self.close()  # one request: nobody else gets in
            ok = request.path == CALLBACK_PATH and "code" in request.params
            await _answer(writer, ok)
            self._result.set_result(request)
        except (TimeoutError, OSError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            return
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()


async def _read_request(reader: asyncio.StreamReader) -> CallbackRequest | None:
    line = await reader.readline()
    if not line:
        return None  # a pre-connect that never sent anything
    parts = line.decode("latin-1").split()
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        raise ValueError("not an HTTP request")
    for _ in range(_MAX_HEADERS):
        header = await reader.readline()
        if header in (b"\r\n", b"\n", b""):
            break
    target = urlsplit(parts[1])
    if parts[0] != "GET":
        return CallbackRequest("", {})
    return CallbackRequest(target.path, dict(parse_qsl(target.query, keep_blank_values=True)))


async def _answer(writer: asyncio.StreamWriter, ok: bool) -> None:
    if ok:
        title, text = "Signed in", "coder-catalog received the answer. You can close this tab."
    else:
        title, text = (
            "Sign-in failed",
            "coder-catalog could not use this answer; see your terminal or editor.",
        )
    body = _PAGE.format(title=title, text=text).encode()
    status = "200 OK" if ok else "400 Bad Request"
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
        "Cache-Control: no-store\r\nConnection: close\r\n\r\n"
    )
    writer.write(head.encode() + body)
    await writer.drain()
