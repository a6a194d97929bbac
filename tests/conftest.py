"""Fixtures shared by every test folder: a real Coder simulator on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from coder_catalog.simulator.server import SimulatorServer


@pytest.fixture(scope="session")
def simulator_server() -> Iterator[SimulatorServer]:
    server = SimulatorServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def simulator(simulator_server: SimulatorServer) -> Iterator[SimulatorServer]:
    """The shared simulator, healed and with an empty request log for each test."""
    simulator_server.clear_faults()
    simulator_server.clear_requests()
    yield simulator_server
    simulator_server.clear_faults()
