"""Fixtures of the account tests: a real OS keyring, an isolated home, canary tokens."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from account_support import USED, canary, keyring_service, no_keyring, os_keyring
from coder_catalog.simulator.server import SimulatorServer

__all__ = ["canary", "keyring_service", "no_keyring", "os_keyring"]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if USED:
        terminalreporter.write_line(f"account tests ran against the OS keyring: {', '.join(USED)}")


@pytest.fixture
def make_sim() -> Iterator[SimulatorServer]:
    """A private simulator, for tests that change its state (revoked tokens, OAuth2 grants)."""
    with SimulatorServer() as server:
        yield server


@pytest.fixture
def start_sim() -> Iterator[Callable[[Any], SimulatorServer]]:
    """Start private simulators from a seed; stopped after the test."""
    servers: list[SimulatorServer] = []

    def start(data: Any = None) -> SimulatorServer:
        server = SimulatorServer(data).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
