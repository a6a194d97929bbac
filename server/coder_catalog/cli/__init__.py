"""The ``coder-catalog`` command: a thin shell over the core, the Coder client and the simulator.

Each subcommand lives in its own module and registers itself with :func:`build_parser`.
Exit codes: 0 success, 1 Coder refused or failed, 2 usage/configuration/file errors,
3 the deployment could not be reached, 141 stdout (or stderr) was closed before everything was
written (``coder-catalog templates list | head -3``).

A closed pipe is handled here, once for every subcommand: the command stops quietly and exits
141, the status a shell reports for a program that SIGPIPE ends (``cat``, ``yes``, git), so a
``set -o pipefail`` script sees what it sees for them, and it cannot be taken for one of the codes
above (1 is "findings" for ``lint``). SIGPIPE itself stays ignored, as Python sets it: a
default SIGPIPE would also end the process on a socket the deployment closes.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence

from coder_catalog import __version__
from coder_catalog.cli import (
    account_cmd,
    config_cmd,
    lint_cmd,
    serve_cmd,
    simulator_cmd,
    templates_cmd,
    workspace_actions_cmd,
    workspace_lifecycle_cmd,
    workspace_open_cmd,
    workspaces_cmd,
)
from coder_catalog.cli.common import EXIT_USAGE, CommandError
from coder_catalog.runtime import relax_garbage_collector

_COMMANDS = (
    lint_cmd,
    serve_cmd,
    templates_cmd,
    config_cmd,
    simulator_cmd,
    account_cmd,
    workspaces_cmd,
    workspace_actions_cmd,
    workspace_lifecycle_cmd,
    workspace_open_cmd,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coder-catalog",
        description="Check the spec.coder block of Backstage catalog files against a Coder deployment.",
    )
    parser.add_argument("--version", action="version", version=f"coder-catalog {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for module in _COMMANDS:
        module.register(commands)
    return parser


EXIT_CLOSED_PIPE = 141  # 128 + SIGPIPE, as a shell reports a program that SIGPIPE ends


def main(argv: Sequence[str] | None = None) -> int:
    try:
        try:
            return _main(argv)
        finally:
            # Here, not at interpreter exit, so that a closed pipe is caught below (`serve` may have
            # closed stdout itself when the editor went away).
            if sys.stdout is not None and not sys.stdout.closed:
                sys.stdout.flush()
    except BrokenPipeError:  # `coder-catalog ... | head`: the reader has seen enough
        _discard_stdout()
        return EXIT_CLOSED_PIPE


def _discard_stdout() -> None:
    """Point stdout at the null device, so that the interpreter's last flush at exit does not raise
    BrokenPipeError again (the standard way: docs.python.org, "Note on SIGPIPE")."""
    if sys.stdout is None:
        return
    with contextlib.suppress(OSError):
        sys.stdout.flush()  # when it was stderr that closed (`2>&1 >file | head`), stdout still works
    try:
        descriptor = sys.stdout.fileno()
    except (OSError, ValueError):  # not a real file (in-process tests)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, descriptor)
    finally:
        os.close(devnull)


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.run(args))
    except CommandError as exc:
        print(f"coder-catalog: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


def run() -> None:
    """The console script: process-wide tuning, then :func:`main`."""
    relax_garbage_collector()
    sys.exit(main())
