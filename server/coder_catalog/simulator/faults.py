"""Fault injection: make the simulated deployment slow, silent, broken or rate limited on demand.

A fault applies to requests whose path starts with its ``path_prefix`` (every request
outside ``/__simulator__`` by default) and, with ``query_contains``, whose decoded query string
contains that text (one of several workspace searches, say), for ``count`` requests or until cleared:

- ``latency``: wait ``seconds`` (default 1), then answer normally;
- ``hang``: wait until the fault is cleared (or the client gives up), then answer normally;
- ``status``: answer ``status`` (default 500) with a Coder-style JSON body;
- ``non_json``: answer an HTML error page like a proxy would, ``status`` default 502;
- ``rate_limit``: answer 429 with ``Retry-After: seconds`` (default 1);
- ``drop``: close the connection without an answer.

Several faults may match one request: ``latency`` and ``hang`` delay it and the next
matching fault still applies; the first answering fault ends it.
"""

from __future__ import annotations

import asyncio
import http
import math
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus

from aiohttp import web

from coder_catalog.simulator.errors import SIGNED_OUT, response_body

FAULT_KINDS = ("latency", "hang", "status", "rate_limit", "drop", "non_json")
DELAYING_KINDS = ("latency", "hang")
ADMIN_PREFIX = "/__simulator__"
DROPPED = web.RequestKey("coder_simulator.dropped", bool)


@dataclass(slots=True)
class Fault:
    id: int
    kind: str
    seconds: float | None = None
    status: int | None = None
    count: int | None = None  # requests still to affect; None: until cleared
    path_prefix: str = "/"
    query_contains: str | None = None
    released: asyncio.Event = field(default_factory=asyncio.Event)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "seconds": self.seconds,
            "status": self.status,
            "count": self.count,
            "path_prefix": self.path_prefix,
            "query_contains": self.query_contains,
        }


def _number(value: Any, name: str, *, integer: bool, minimum: float) -> Any:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (integer and not isinstance(value, int))
    ):
        raise ValueError(f"{name} must be {'an integer' if integer else 'a number'}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum:g}")
    return value


class FaultInjector:
    """The active faults. Use from the server's event loop only."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._next_id = 1

    def add(
        self,
        kind: str,
        seconds: float | None = None,
        status: int | None = None,
        count: int | None = None,
        path_prefix: str | None = None,
        query_contains: str | None = None,
    ) -> Fault:
        """Validate and register a fault; ValueError says what is wrong."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(FAULT_KINDS)}")
        status = _number(status, "status", integer=True, minimum=100)
        if status is not None and status > 599:
            raise ValueError("status must be at most 599")
        if path_prefix is not None and (not isinstance(path_prefix, str) or not path_prefix.startswith("/")):
            raise ValueError("path_prefix must be a path starting with /")
        if query_contains is not None and (not isinstance(query_contains, str) or not query_contains):
            raise ValueError("query_contains must be a non-empty string")
        fault = Fault(
            id=self._next_id,
            kind=kind,
            seconds=_number(seconds, "seconds", integer=False, minimum=0),
            status=status,
            count=_number(count, "count", integer=True, minimum=1),
            path_prefix=path_prefix or "/",
            query_contains=query_contains,
        )
        self._next_id += 1
        self._faults.append(fault)
        return fault

    def clear(self) -> int:
        """Heal everything; requests held by ``hang`` faults go on."""
        cleared = len(self._faults)
        for fault in self._faults:
            fault.released.set()
        self._faults.clear()
        return cleared

    def active(self) -> list[Fault]:
        return list(self._faults)

    def take(self, path: str, query: str = "") -> list[Fault]:
        """The faults for one request (its path and decoded query string), in order, up to the first
        answering one; counts go down."""
        taken: list[Fault] = []
        for fault in list(self._faults):
            if not path.startswith(fault.path_prefix):
                continue
            if fault.query_contains is not None and fault.query_contains not in query:
                continue
            if fault.count is not None:
                fault.count -= 1
                if fault.count <= 0:
                    self._faults.remove(fault)
            taken.append(fault)
            if fault.kind not in DELAYING_KINDS:
                break
        return taken


async def apply_faults(request: web.Request, injector: FaultInjector) -> web.StreamResponse | None:
    """Delay the request, or answer it in place of the handler; None lets it through."""
    for fault in injector.take(request.path, unquote_plus(request.query_string)):
        if fault.kind == "latency":
            await asyncio.sleep(1.0 if fault.seconds is None else fault.seconds)
        elif fault.kind == "hang":
            await fault.released.wait()
        else:
            return fault_response(request, fault)
    return None


def fault_response(request: web.Request, fault: Fault) -> web.StreamResponse:
    if fault.kind == "drop":
        request[DROPPED] = True
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=503)
    if fault.kind == "non_json":
        return _proxy_page(fault.status or 502)
    if fault.kind == "rate_limit":
        return _rate_limited(fault.seconds if fault.seconds is not None else 1.0)
    status = fault.status or 500
    message = SIGNED_OUT if status == 401 else f"{_reason(status)}."
    body = response_body(message, "Fault injected by the Coder simulator.")
    return web.json_response(body, status=status)


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"


def _proxy_page(status: int) -> web.Response:
    title = f"{status} {_reason(status)}"
    html = (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )
    return web.Response(status=status, text=html, content_type="text/html")


def _rate_limited(seconds: float) -> web.Response:
    retry_after = max(1, math.ceil(seconds))
    headers = {
        "Retry-After": str(retry_after),
        "X-RateLimit-Limit": "512",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": str(int(time.time()) + retry_after),
    }
    body = response_body("You've been rate limited for sending more than 512 requests in 1m0s.")
    return web.json_response(body, status=429, headers=headers)
