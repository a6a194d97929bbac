"""The differential test's summary line, printed at the end of every run that ran it."""

from __future__ import annotations

import pytest
from differential_support import SUMMARY


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for line in SUMMARY:
        terminalreporter.write_line(line)
