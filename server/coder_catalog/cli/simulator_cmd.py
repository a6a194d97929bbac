"""``coder-catalog simulator``: run the local Coder simulator (tests, benchmarks, the demo).

It prints where it listens, each user's session token, and the ``export CODER_URL=...
CODER_SESSION_TOKEN=...`` lines to paste into another terminal (``simulator.server.announce``).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from coder_catalog.cli.common import CommandError


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "simulator", help="run a local HTTP server that behaves like a Coder deployment"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: any free port)")
    parser.add_argument("--data", metavar="FILE", help="seed data (YAML or JSON); default: the packaged data")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        import aiohttp  # noqa: F401  (the simulator's HTTP server: the optional `simulator` extra)
    except ImportError:
        raise CommandError(
            "the simulator needs aiohttp, which `serve` and `lint` do without: "
            "pip install 'coder-catalog[simulator]'"
        ) from None
    from coder_catalog.simulator.server import serve_forever

    return serve_forever(args.host, args.port, args.data, sys.stdout)
