"""Reading the client's messages from stdin on the event loop.

pygls reads stdin in a worker thread, one thread hop per header line and per body: three or four
hops per message, each waking the event loop through its self-pipe. On a 2-core machine that is
most of a hover's round trip (about 1.1 of 1.5 ms). When stdin is a pipe or a socket, as editors
start language servers, this module reads it with an asyncio stream instead: the loop's own
selector wakes when bytes arrive and the whole message is parsed without leaving the loop.
Anything else (a regular file, a terminal shared with stdout, Windows) keeps pygls's reader.

Writing is unchanged (pygls's blocking stdout writer).
"""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import sys
from threading import Event
from typing import IO, TYPE_CHECKING, BinaryIO, cast

from pygls.io_ import StdoutWriter, run_async

if TYPE_CHECKING:
    from pygls.server import JsonRPCServer

log = logging.getLogger(__name__)


def readable_on_the_loop(stdin: IO[bytes], stdout: IO[bytes]) -> bool:
    """Whether ``stdin`` can be read by the event loop: a pipe or a socket on a POSIX system,
    not shared with ``stdout`` (making it non-blocking would make stdout non-blocking too)."""
    if sys.platform == "win32":
        return False
    try:
        incoming = os.fstat(stdin.fileno())
        outgoing = os.fstat(stdout.fileno())
    except (OSError, ValueError, AttributeError):
        return False
    if not (stat.S_ISFIFO(incoming.st_mode) or stat.S_ISSOCK(incoming.st_mode)):
        return False
    return (incoming.st_dev, incoming.st_ino) != (outgoing.st_dev, outgoing.st_ino)


async def _serve(server: JsonRPCServer, stdin: IO[bytes], stop: Event) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 20)  # header lines; bodies are read with readexactly
    # The loop reads the descriptor itself; closefd=False leaves fd 0 to the interpreter.
    pipe = open(stdin.fileno(), "rb", buffering=0, closefd=False)  # noqa: SIM115 - owned by the transport
    transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), pipe)
    try:
        await run_async(
            stop_event=stop,
            reader=_EndTolerantReader(reader),
            protocol=server.protocol,
            logger=logging.getLogger("pygls.io_"),
            error_handler=server.report_server_error,
        )
    finally:
        transport.close()


class _EndTolerantReader:
    """An asyncio stream read as pygls's loop expects: ``b""`` at the end of input, not an error."""

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self._reader = reader

    async def readline(self) -> bytes:
        try:
            return await self._reader.readline()
        except ValueError:  # a "line" over the limit: not a header; skip it and go on
            log.warning("skipped an over-long header line from the client")
            return b"\r\n"

    async def readexactly(self, n: int) -> bytes:
        try:
            return await self._reader.readexactly(n)
        except asyncio.IncompleteReadError:
            return b""


def serve_stdio(
    server: JsonRPCServer, stdin: IO[bytes] | None = None, stdout: IO[bytes] | None = None
) -> bool:
    """Serve ``server`` on stdin/stdout with the event loop reading stdin; ``False`` (nothing done)
    when stdin cannot be read that way, and the caller should use pygls's own reader."""
    stdin = stdin or sys.stdin.buffer
    stdout = stdout or sys.stdout.buffer
    if not readable_on_the_loop(stdin, stdout):
        return False
    log.info("serving on stdio, stdin read on the event loop")
    stop = Event()
    server._stop_event = stop  # pygls's shutdown() sets it
    server.protocol.set_writer(StdoutWriter(cast(BinaryIO, stdout)))
    try:
        asyncio.run(_serve(server, stdin, stop))
    except BrokenPipeError:
        log.error("the connection to the client is lost; stopping")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()
    return True
