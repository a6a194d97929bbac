"""Find and load the JSON Schemas the project publishes under ``schemas/``.

Installed wheels carry them as package data in ``coder_catalog/_schemas``; in a source
checkout they live in the top-level ``schemas/`` folder.
"""

from __future__ import annotations

import contextlib
import functools
import json
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["load_schema", "schema_path"]

_SOURCE_TREE_DIR = Path(__file__).resolve().parents[2] / "schemas"


def _candidates(name: str) -> list[Any]:
    found: list[Any] = []
    with contextlib.suppress(ModuleNotFoundError, TypeError, ValueError):  # unusual installs
        found.append(resources.files("coder_catalog") / "_schemas" / name)
    found.append(_SOURCE_TREE_DIR / name)
    return found


def schema_path(name: str) -> str:
    """Where the schema ``name`` is read from (for messages and ``$ref`` resolution)."""
    for candidate in _candidates(name):
        if candidate.is_file():
            return str(candidate)
    raise FileNotFoundError(f"schema {name!r} not found (looked in {_tried(name)})")


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """Return the parsed JSON Schema file ``name`` (e.g. ``"coder-catalog.schema.json"``).

    The result is cached and shared: do not mutate it.  Raises ``FileNotFoundError`` when the
    schema is in neither place and ``ValueError`` when it is not a JSON object.
    """
    if "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"invalid schema name {name!r}")
    for candidate in _candidates(name):
        if candidate.is_file():
            data = json.loads(candidate.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError(f"schema {name!r} is not a JSON object")
            return data
    raise FileNotFoundError(f"schema {name!r} not found (looked in {_tried(name)})")


def _tried(name: str) -> str:
    return ", ".join(str(candidate) for candidate in _candidates(name))
