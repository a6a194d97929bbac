"""Fixtures shared by every test folder: a real Coder simulator on loopback.

A test that needs a tool the machine lacks (nvim, git...) skips with a reason that starts with
:data:`MISSING_TOOL`. On a developer's machine that is a skip with a message; in CI (``CI=true``,
as ``.ci/run`` sets it) it is a failure: CI installs every tool the tests use.
"""

from __future__ import annotations

import os
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


MISSING_TOOL = "missing tool: "


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.skipped and in_ci() and isinstance(report.longrepr, tuple):
        reason = str(report.longrepr[2]).removeprefix("Skipped: ")
        if reason.startswith(MISSING_TOOL):
            report.outcome = "failed"
            report.longrepr = f"CI=true and a tool is missing (CI must install it): {reason}"
