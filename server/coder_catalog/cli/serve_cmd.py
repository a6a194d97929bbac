"""``coder-catalog serve``: the language server, on stdio (or TCP for debugging)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from coder_catalog.cli.common import CommandError


def register(commands: Any) -> None:
    parser = commands.add_parser("serve", help="run the language server (stdio; --tcp for debugging)")
    parser.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio (one client)")
    # What vscode-languageclient's TransportKind.stdio and many clients' defaults pass: stdio is the
    # default already, so it is accepted and changes nothing.
    parser.add_argument("--stdio", action="store_true", help="talk over stdio (the default)")
    parser.add_argument("--log-file", metavar="FILE", help="write the log there instead of stderr")
    parser.add_argument(
        "--log-level", default="info", choices=("debug", "info", "warning", "error"), help="default: info"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.tcp and args.stdio:
        raise CommandError("--tcp and --stdio exclude each other")
    import logging

    from coder_catalog.accounts.redact import RedactingFilter
    from coder_catalog.lsp.server import create_server

    handler: logging.Handler = (
        logging.FileHandler(args.log_file, encoding="utf-8")
        if args.log_file
        else logging.StreamHandler(sys.stderr)
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())  # whatever a library logs, no token or client secret
    logging.basicConfig(level=args.log_level.upper(), handlers=[handler], force=True)
    if args.log_level != "debug":  # every JSON-RPC message and HTTP request only when debugging
        for noisy in ("pygls", "httpx", "httpcore"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    server = create_server()
    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        if not host or not port.isdigit():
            raise CommandError(f"--tcp expects HOST:PORT, not {args.tcp!r}")
        server.start_tcp(host, int(port))
    else:
        server.start_io()
    return 0
