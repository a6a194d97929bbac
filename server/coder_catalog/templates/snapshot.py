"""Template snapshots: a deployment's templates in a file, so CI can lint offline.

Format (JSON Schema: ``schemas/coder-templates.schema.json``), stable and diffable:
templates sorted by organization and name, parameters in the template author's order,
keys in a fixed order, two-space indentation, a final newline, no live counters or
timestamps of the pull itself. ``formatVersion`` changes only when a reader of the old
format could misread the new one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jsonschema

from coder_catalog.schemas import load_schema
from coder_catalog.templates.model import Template, TemplateCatalog

FORMAT = "coder-catalog.templates"
FORMAT_VERSION = 1
SCHEMA_NAME = "coder-templates.schema.json"
SCHEMA_ID = "https://coder-catalog.dev/schemas/coder-templates.schema.json"


class SnapshotError(Exception):
    """A snapshot file that cannot be read; ``str()`` names the file and the place."""

    def __init__(self, path: str, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.message = message
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        return f"{where}: {self.message}"


def snapshot_document(catalog: TemplateCatalog) -> dict[str, Any]:
    templates = sorted(catalog.templates, key=lambda t: (t.organization_name, t.name.casefold(), t.id))
    document: dict[str, Any] = {
        "$schema": SCHEMA_ID,
        "format": FORMAT,
        "formatVersion": FORMAT_VERSION,
        "deployment": {"url": catalog.deployment_url, "version": catalog.server_version},
        "templates": [t.to_dict() for t in templates],
    }
    if catalog.unavailable:
        document["unavailable"] = dict(sorted(catalog.unavailable.items()))
    return document


def dump_snapshot(catalog: TemplateCatalog) -> str:
    return json.dumps(snapshot_document(catalog), indent=2, ensure_ascii=False) + "\n"


def write_snapshot(catalog: TemplateCatalog, path: str | Path) -> None:
    target = Path(path)
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_text(dump_snapshot(catalog), encoding="utf-8")
    temporary.replace(target)


def parse_snapshot(text: str, path: str = "<snapshot>") -> TemplateCatalog:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SnapshotError(path, f"not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise SnapshotError(path, "not valid JSON: nested too deeply") from None
    if isinstance(document, dict) and document.get("format") == FORMAT:
        version = document.get("formatVersion")
        if isinstance(version, int) and version > FORMAT_VERSION:
            raise SnapshotError(
                path,
                f"format version {version} is newer than this coder-catalog understands "
                f"({FORMAT_VERSION}); upgrade coder-catalog or pull the snapshot again",
            )
    validator = jsonschema.Draft202012Validator(load_schema(SCHEMA_NAME))
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is not None:
        location = _json_path(error.absolute_path) or "the top level"
        raise SnapshotError(path, f"not a template snapshot: at {location}: {error.message}")
    deployment = document["deployment"]
    templates = tuple(Template.from_api(t) for t in document["templates"])
    return TemplateCatalog(
        templates,
        server_version=deployment.get("version", ""),
        deployment_url=deployment.get("url", ""),
        unavailable=dict(document.get("unavailable", {})),
    )


def load_snapshot(path: str | Path) -> TemplateCatalog:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SnapshotError(str(path), "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SnapshotError(str(path), f"cannot be read: {exc.__class__.__name__}") from None
    return parse_snapshot(text, str(path))


class SnapshotTemplates:
    """A template source backed by a snapshot file (same interface as the live cache)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._catalog: TemplateCatalog | None = None

    @property
    def description(self) -> str:
        return f"snapshot {self.path}"

    def load(self) -> TemplateCatalog:
        if self._catalog is None:
            self._catalog = load_snapshot(self.path)
        return self._catalog

    def peek(self) -> TemplateCatalog | None:
        return self._catalog

    async def catalog(self) -> TemplateCatalog:
        return self.load()

    async def catalog_for(self, names: Iterable[str]) -> TemplateCatalog:
        return self.load()

    async def full_catalog(self, *, presets: bool = True) -> TemplateCatalog:
        return self.load()


def _json_path(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
