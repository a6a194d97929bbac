"""The LSP client the language-server benchmarks share: a pygls ``LanguageClient`` over stdio that
times ``publishDiagnostics``, answers ``workspace/configuration`` from given settings, and helpers
to open, edit and query documents, summarise latencies, read the server's memory and always stop
the server process.

Used by ``lsp_speed`` (this project's server alone) and ``versus_yaml_language_server`` (this
project's server and yaml-language-server, driven the same way).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import statistics
import time
from collections.abc import Coroutine, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from lsprotocol import types
from pygls.lsp.client import LanguageClient

EDITS = 40
REQUEST_TIMEOUT = 60.0


PUBLISH_MARK = b'"textDocument/publishDiagnostics"'
# The pygls client numbers its requests with UUIDs; servers number theirs with integers.
CLIENT_REQUEST_ID = re.compile(rb'"id"\s*:\s*"([0-9a-f-]{36})"')


class Published(NamedTuple):
    """When diagnostics were published, two ways (``perf_counter()`` values, or seconds since a change)."""

    received: float
    """The message read from the pipe, before the client parsed it."""

    handled: float
    """The client's handler ran: after pygls parsed the message and made lsprotocol objects of every
    diagnostic (client work that grows with their number)."""

    def since(self, started: float) -> Published:
        return Published(self.received - started, self.handled - started)


class Answered(NamedTuple):
    """How long one request took, two ways (seconds)."""

    wire: float
    """From the request written to the pipe to its answer read from the pipe: the server's part."""

    observed: float
    """From the client's call to its result: adds the pygls client's encoding of the request and its
    decoding of the answer into lsprotocol objects (the same for both servers, and most of a fast answer)."""


class BenchClient(LanguageClient):
    """Records when diagnostics are published and answers ``workspace/configuration``.

    ``settings`` maps a configuration section (``coderCatalog``, ``yaml``, ...) to what the client
    answers for it; unknown sections get ``{}``. A publish carrying a version resolves the waiter
    for that version; a publish without one (yaml-language-server sends none) resolves every
    waiter of the document registered before it arrived. Waiters get both times of the publish
    (:class:`Published`).
    """

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        super().__init__("coder-catalog-bench", "1")
        self.settings: dict[str, Any] = dict(settings or {})
        self.waiters: dict[str, list[tuple[int, asyncio.Future[Published]]]] = {}
        self.publishes = 0
        self.unversioned_publishes = 0
        self.configuration_requests = 0
        self.diagnostic_counts: dict[str, int] = {}
        self.stderr_tail = b""
        self._drain: asyncio.Task[None] | None = None
        self._received: list[float] = []  # publishes read from the pipe, not yet handled
        self._request_written: dict[bytes, float] = {}  # client request id -> written to the pipe
        self._answer_read: dict[bytes, float] = {}  # client request id -> its answer read from the pipe
        self.capture_next_request = False  # set by request_latencies: note the id of the next request written
        self.last_request_id = b""

        @self.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_publish(params: types.PublishDiagnosticsParams) -> None:
            now = time.perf_counter()
            published = Published(self._received.pop(0) if self._received else now, now)
            self.publishes += 1
            self.diagnostic_counts[params.uri] = len(params.diagnostics)
            if params.version is None:
                self.unversioned_publishes += 1
            pending = self.waiters.get(params.uri, [])
            for version, waiter in pending:
                if not waiter.done() and (params.version is None or params.version == version):
                    waiter.set_result(published)
            self.waiters[params.uri] = [(v, w) for v, w in pending if not w.done()]

        @self.feature(types.WORKSPACE_CONFIGURATION)
        def configuration(params: types.ConfigurationParams) -> list[Any]:
            self.configuration_requests += 1
            return [self.settings.get(item.section or "", {}) for item in params.items]

    def expect(self, uri: str, version: int) -> asyncio.Future[Published]:
        """A future resolved at the publish for ``uri`` at ``version``, or at the next unversioned
        publish for ``uri``."""
        future: asyncio.Future[Published] = asyncio.get_running_loop().create_future()
        self.waiters.setdefault(uri, []).append((version, future))
        return future

    async def start_server(self, command: str, *args: str) -> int:
        """Start the server over stdio, keep reading its stderr (so a chatty server never blocks on
        a full pipe), and return its process id."""
        await self.start_io(command, *args)
        assert self._server is not None and self._server.stdout is not None
        self._timestamp_publishes(self._server.stdout)
        self._timestamp_requests(self._server.stdin)
        if self._server.stderr is not None:
            self._drain = asyncio.create_task(self._read_stderr(self._server.stderr))
        return self._server.pid

    def _timestamp_publishes(self, reader: asyncio.StreamReader) -> None:
        """Note when the body of each publishDiagnostics message has been read from the pipe,
        before pygls parses it (pygls's reading loop has not run yet: it reads each body with
        ``readexactly``, looked up at every call)."""
        read_body = reader.readexactly

        async def readexactly(n: int) -> bytes:
            body = await read_body(n)
            now = time.perf_counter()
            if PUBLISH_MARK in body:
                self._received.append(now)
            elif found := CLIENT_REQUEST_ID.search(body, 0, 300):
                # An answer (or a request of the server: never looked up, the client numbers its own).
                self._answer_read[found.group(1)] = now
            return body

        reader.readexactly = readexactly  # type: ignore[method-assign]

    def _timestamp_requests(self, writer: Any) -> None:
        """Note when each request of the client has been written to the server's stdin."""
        write = writer.write

        def timed_write(data: bytes) -> None:
            # Timed before the write: writing wakes the server, and on a busy machine the scheduler
            # may run it (and let it answer) before this process gets the processor back.
            now = time.perf_counter()
            # pygls writes the header and the body at once, the id first ("method" may come after
            # long params). The request is written when its coroutine is first awaited.
            if (
                self.capture_next_request
                and b'"method"' in data  # not the client's answer to a request of the server
                and (found := CLIENT_REQUEST_ID.search(data, 0, 300))
            ):
                self.capture_next_request = False
                self.last_request_id = found.group(1)
                self._request_written[found.group(1)] = now
            write(data)

        writer.write = timed_write

    def wire_time(self, request_id: bytes) -> float:
        """Seconds from the request written to its answer read (-1 when either was not seen)."""
        written = self._request_written.pop(request_id, None)
        read = self._answer_read.pop(request_id, None)
        return read - written if written is not None and read is not None else -1.0

    async def _read_stderr(self, stream: asyncio.StreamReader) -> None:
        while chunk := await stream.read(65536):
            self.stderr_tail = (self.stderr_tail + chunk)[-4000:]

    async def close(self, timeout: float = 10.0) -> None:
        """Shut the server down politely, and kill it if it does not exit within ``timeout``."""
        server = self._server
        if server is not None and server.returncode is None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.shutdown_async(None), timeout)
            with contextlib.suppress(Exception):
                self.exit(None)
            try:
                await asyncio.wait_for(server.wait(), timeout)
            except Exception:
                with contextlib.suppress(ProcessLookupError):
                    server.kill()
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(server.wait(), timeout)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.stop(), timeout)
        if self._drain is not None:
            self._drain.cancel()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def summary(values: list[float]) -> dict[str, float]:
    """Median and 95th percentile in milliseconds of latencies given in seconds."""
    return {
        "median_ms": round(statistics.median(values) * 1000, 2),
        "p95_ms": round(percentile(values, 0.95) * 1000, 2),
    }


def proc_status_mb(pid: int, field: str) -> float:
    """A memory figure of ``/proc/<pid>/status`` (``VmRSS``, ``VmHWM``) in MB; -1 when unreadable."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return -1.0
    for line in lines:
        if line.startswith(f"{field}:"):
            return round(int(line.split()[1]) / 1024, 1)
    return -1.0


def rss_mb(pid: int) -> float:
    return proc_status_mb(pid, "VmRSS")


async def open_document(
    client: BenchClient, path: Path, text: str, timeout: float = 120.0
) -> tuple[str, Published]:
    """Write ``text`` to ``path``, open it (version 1) and wait for its first diagnostics; returns
    the URI and the seconds from didOpen to that publish."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    waiter = client.expect(uri, 1)
    started = time.perf_counter()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
        )
    )
    return uri, (await asyncio.wait_for(waiter, timeout)).since(started)


async def edit_latencies(
    client: BenchClient,
    uri: str,
    line: int,
    name: str,
    *,
    edits: int = EDITS,
    first_version: int = 2,
    budget: float | None = None,
    minimum: int = 5,
    pause: float = 0.08,
    timeout: float = 60.0,
) -> list[Published]:
    """Replace characters of a name at column 8 of ``line``, as typing does, and time each change
    to the publish of its diagnostics (seconds). At most ``edits`` edits; with ``budget`` (seconds), stop
    once it is spent and at least ``minimum`` edits were timed."""
    latencies: list[Published] = []
    began = time.perf_counter()
    for version in range(first_version, first_version + edits):
        if budget is not None and len(latencies) >= minimum and time.perf_counter() - began > budget:
            break
        waiter = client.expect(uri, version)
        new_text = f"{name}{version % 10}"
        started = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(types.Position(line, 8), types.Position(line, 8 + len(new_text))),
                        text=new_text,
                    )
                ],
            )
        )
        latencies.append((await asyncio.wait_for(waiter, timeout)).since(started))
        await asyncio.sleep(pause)  # a pause between keystrokes, so edits are not coalesced
    return latencies


async def request_latencies(
    client: BenchClient,
    uri: str,
    positions: list[tuple[int, int]],
    hover: bool,
    *,
    budget: float | None = None,
    minimum: int = 5,
    timeout: float = REQUEST_TIMEOUT,
) -> tuple[list[Answered], int]:
    """Time completion (or hover) at each position; returns the latencies and how many answers
    were non-empty. With ``budget`` (seconds), stop once it is spent and ``minimum`` were timed."""
    latencies: list[Answered] = []
    answered = 0
    began = time.perf_counter()
    document = types.TextDocumentIdentifier(uri=uri)
    for line, column in positions:
        if budget is not None and len(latencies) >= minimum and time.perf_counter() - began > budget:
            break
        position = types.Position(line, column)
        started = time.perf_counter()
        result: Any
        pending: Coroutine[Any, Any, Any]
        if hover:
            pending = client.text_document_hover_async(
                types.HoverParams(text_document=document, position=position)
            )
        else:
            pending = client.text_document_completion_async(
                types.CompletionParams(text_document=document, position=position)
            )
        client.capture_next_request = True
        result = await asyncio.wait_for(pending, timeout)
        observed = time.perf_counter() - started
        latencies.append(Answered(client.wire_time(client.last_request_id), observed))
        if isinstance(result, types.CompletionList):
            answered += bool(result.items)
        elif isinstance(result, list):
            answered += bool(result)
        else:
            answered += result is not None
    return latencies, answered
