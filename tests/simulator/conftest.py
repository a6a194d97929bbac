"""Fixtures for the Coder simulator tests: servers on loopback and httpx clients for them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sim_helpers import api

from coder_catalog.simulator import SimulatorServer


@pytest.fixture(scope="session")
def sim() -> Iterator[SimulatorServer]:
    """The shipped deployment, shared by many tests: they must not change it."""
    with SimulatorServer() as server:
        yield server


@pytest.fixture
def make_server() -> Iterator[Callable[..., SimulatorServer]]:
    """Start private servers, stopped after the test, for tests that change state."""
    servers: list[SimulatorServer] = []

    def make(data: Any = None) -> SimulatorServer:
        server = SimulatorServer(data).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def alice(sim: SimulatorServer) -> Iterator[httpx.Client]:
    with api(sim, "alice") as client:
        yield client


@pytest.fixture(scope="session")
def bob(sim: SimulatorServer) -> Iterator[httpx.Client]:
    with api(sim, "bob") as client:
        yield client


@pytest.fixture(scope="session")
def anonymous(sim: SimulatorServer) -> Iterator[httpx.Client]:
    with api(sim, None) as client:
        yield client
