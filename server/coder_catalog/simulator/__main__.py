"""``python -m coder_catalog.simulator [--host H] [--port P] [--data FILE]``."""

from __future__ import annotations

import argparse
import sys

from coder_catalog.simulator.server import serve_forever


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m coder_catalog.simulator",
        description="Run a simulated Coder deployment on loopback until interrupted.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: 0, any free port)")
    parser.add_argument("--data", default=None, help="seed file, YAML or JSON (default: the built-in seed)")
    args = parser.parse_args(argv)
    return serve_forever(args.host, args.port, args.data, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
