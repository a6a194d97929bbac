"""Running the simulator: in a background thread for tests, or in the foreground for the CLI."""

from __future__ import annotations

import asyncio
import shlex
import signal
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, TextIO, TypeVar

from aiohttp import web

from coder_catalog.simulator.app import Simulator, make_app
from coder_catalog.simulator.data import DataError
from coder_catalog.simulator.state import Deployment

T = TypeVar("T")
_START_TIMEOUT = 30.0
_STOP_TIMEOUT = 10.0


class SimulatorServer:
    """A Coder simulator listening on loopback, served by its own event loop in a daemon thread.

    ``SimulatorServer(data)`` loads the seed at once (a bad one raises ``DataError``);
    ``start()`` returns once the server listens. Use it as a context manager to stop it
    reliably. The helper methods run on the server's loop, so they are safe from any thread.
    """

    def __init__(
        self,
        data: Path | str | Mapping[str, Any] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.simulator = Simulator.from_data(data)
        self.host = host
        self.port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> SimulatorServer:
        if self._thread is not None:
            return self
        ready = threading.Event()
        failure: list[BaseException] = []
        loop = asyncio.new_event_loop()
        self._loop = loop

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._listen())
            except BaseException as exc:
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name="coder-simulator", daemon=True)
        self._thread.start()
        if not ready.wait(_START_TIMEOUT):
            raise RuntimeError("the Coder simulator did not start in time")
        if failure:
            self._thread.join()
            self._thread = self._loop = None
            raise failure[0]
        return self

    async def _listen(self) -> None:
        app = make_app(self.simulator)
        self._runner = web.AppRunner(app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    def stop(self) -> None:
        loop, thread, runner = self._loop, self._thread, self._runner
        if loop is None or thread is None:
            return
        if loop.is_running():
            self.clear_faults()  # release requests held by "hang"
            if runner is not None:
                asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(_STOP_TIMEOUT)
            loop.call_soon_threadsafe(loop.stop)
        thread.join(_STOP_TIMEOUT)
        self._loop = self._thread = self._runner = None

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ properties

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def state(self) -> Deployment:
        """The deployment itself; read it freely, change it through the methods below."""
        return self.simulator.deployment

    @property
    def tokens(self) -> dict[str, str]:
        """The current session token of each user, by username."""
        return self.call(lambda: dict(self.state.session_tokens))

    @property
    def token(self) -> str:
        """The session token of the first user of the seed."""
        return next(iter(self.tokens.values()))

    # ------------------------------------------------------------------ run-time switches

    def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``function`` on the server's event loop (directly when the server is not running)."""
        loop = self._loop
        if loop is None or not loop.is_running():
            return function(*args, **kwargs)

        async def invoke() -> T:
            return function(*args, **kwargs)

        return asyncio.run_coroutine_threadsafe(invoke(), loop).result(_STOP_TIMEOUT)

    def set_fault(self, kind: str, **options: Any) -> dict[str, Any]:
        """Inject a fault (see :mod:`coder_catalog.simulator.faults`); returns its description."""
        return self.call(lambda: self.simulator.faults.add(kind, **options).to_dict())

    def clear_faults(self) -> int:
        return self.call(self.simulator.faults.clear)

    def requests(self) -> list[dict[str, Any]]:
        """``{"method", "path", "query", "status"}`` of every API request since the last clear."""
        return self.call(self.simulator.requests.entries)

    def clear_requests(self) -> int:
        return self.call(self.simulator.requests.clear)

    def patch_template(self, name: str, **changes: Any) -> None:
        """Set ``deprecated``, ``deprecation_message`` or ``importing`` of a template."""
        self.call(self.state.patch_template, name, changes)

    def revoke_tokens(self, username: str) -> str:
        """Invalidate a user's tokens; returns the fresh one."""
        return self.call(self.state.revoke_user_tokens, username)

    def set_oauth2_provider(self, enabled: bool) -> None:
        """Turn the OAuth2 provider on or off (``CODER_OAUTH2_PROVIDER_ENABLE``), as an admin restarting
        Coder would: apps, grants and issued tokens are kept; while off its routes answer 404."""

        def switch() -> None:
            self.state.settings = replace(self.state.settings, oauth2_provider_enabled=enabled)

        self.call(switch)


def serve_forever(host: str, port: int, data: str | None, out: TextIO) -> int:
    """The ``coder-catalog simulator`` command: serve until SIGINT or SIGTERM, then return 0."""
    try:
        server = SimulatorServer(data, host=host, port=port).start()
    except DataError as exc:
        print(f"coder-catalog simulator: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            f"coder-catalog simulator: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr
        )
        return 1
    stop = threading.Event()
    previous = _install_stop_handlers(stop)
    try:
        announce(server.url, server.tokens, out)
        while not stop.wait(0.5):
            pass
    finally:
        _restore_handlers(previous)
        server.stop()
    return 0


TRY_IT = (
    "Then try: coder-catalog templates list --parameters "
    "(or, in a clone of the coder-catalog repository, coder-catalog lint examples/catalog)"
)


def announce(url: str, tokens: dict[str, str], out: TextIO) -> None:
    """Where it listens and each user's session token (the simulator's own, made up at start-up: no
    one's secret; scripts such as the demo read these first lines), then what to paste into another
    terminal to point the CLI at it."""
    print(f"Coder simulator listening on {url}", file=out)
    for username, token in tokens.items():
        print(f"Session token for {username}: {token}", file=out)
    if tokens:
        username, token = next(iter(tokens.items()))
        print(f"\nTo use it from another terminal (as {username}), paste:", file=out)
        print(f"export CODER_URL={shlex.quote(url)}", file=out)
        print(f"export CODER_SESSION_TOKEN={shlex.quote(token)}", file=out)
        print(TRY_IT, file=out)
    print("Stop it with Ctrl+C.", file=out)
    out.flush()


_Handler = Callable[[int, FrameType | None], Any] | int | None


def _install_stop_handlers(stop: threading.Event) -> dict[int, _Handler]:
    if threading.current_thread() is not threading.main_thread():
        return {}

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous: dict[int, _Handler] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.getsignal(signum)
        signal.signal(signum, handle)
    return previous


def _restore_handlers(previous: dict[int, _Handler]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
