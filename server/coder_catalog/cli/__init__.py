"""The ``coder-catalog`` command: a thin shell over the core, the Coder client and the simulator.

Each subcommand lives in its own module and registers itself with :func:`build_parser`.
Exit codes: 0 success, 1 Coder refused or failed, 2 usage/configuration/file errors,
3 the deployment could not be reached.
"""

from __future__ import annotations

import argparse
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


def main(argv: Sequence[str] | None = None) -> int:
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
