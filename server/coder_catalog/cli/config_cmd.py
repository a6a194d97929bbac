"""``coder-catalog config [PATH]``: the settings in force for a catalog file, and where each comes from."""

from __future__ import annotations

import argparse
import json
from typing import Any

from coder_catalog.cli.common import EXIT_OK, add_deployment_flags, settings_from_args


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "config", help="show the resolved settings for a catalog file and their sources"
    )
    parser.add_argument("path", nargs="?", help="catalog file or folder (default: the current folder)")
    add_deployment_flags(parser)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from coder_catalog.accounts import resolve_credential  # not when building the parser (issue 18)

    settings = settings_from_args(args, args.path)
    credential = resolve_credential(settings.access_url)
    data = settings.to_dict()
    data["credential"] = credential.source if credential else None
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return EXIT_OK
    for key, value in _flatten(data):
        origin = settings.origin(key)
        print(
            f"{key} = {json.dumps(value, ensure_ascii=False)}"
            + (f"    # {origin.describe()}" if origin else "")
        )
    return EXIT_OK


def _flatten(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(data, dict) and data:
        out: list[tuple[str, Any]] = []
        for key, value in data.items():
            out.extend(_flatten(value, f"{prefix}.{key}" if prefix else key))
        return out
    return [(prefix, data)]
