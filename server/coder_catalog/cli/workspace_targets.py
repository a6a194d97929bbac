"""What the workspace commands share: the entities with a ``spec.coder`` block in the catalog files
(found as ``lint`` finds files), one Coder client per deployment, exit codes for workspace
failures, and a progress line on a terminal while a build runs."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO, TypeVar

from coder_catalog.analysis.analyze import Analyzer
from coder_catalog.analysis.documents import DocumentCache
from coder_catalog.catalog_files import SettingsResolver, discover
from coder_catalog.cli.common import (
    EXIT_FAILED,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
    CommandError,
    display_path,
    open_client,
    overrides_from_args,
)
from coder_catalog.coder.client import CoderClient
from coder_catalog.settings import Settings, SettingsError, ingestion_location
from coder_catalog.workspaces.entities import CoderEntity, EntityReference, coder_entities
from coder_catalog.workspaces.model import WorkspaceInfo
from coder_catalog.workspaces.service import WorkspaceError, WorkspaceService

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class FoundEntity:
    path: Path
    entity: CoderEntity
    settings: Settings

    @property
    def where(self) -> str:
        """``file:line`` of the ``coder:`` key (1-based line)."""
        return f"{display_path(self.path)}:{self.entity.coder_key.start.line + 1}"


@dataclass
class Catalog:
    entities: list[FoundEntity] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # files that could not be read or configured


def read_catalog(paths: Sequence[str], args: argparse.Namespace, *, everyone: bool = False) -> Catalog:
    """Every entity with a ``spec.coder`` block in the files (or below the folders) named; with
    ``everyone``, every entity (the plugin's card shows on every entity page, from the app defaults)."""
    resolver = SettingsResolver(overrides_from_args(args), env=os.environ, cwd=Path.cwd())
    found = discover(paths, resolver)
    catalog = Catalog(problems=[f"{display_path(p)}: {reason}" for p, reason in found.errors])
    parses = DocumentCache()
    analyzers: dict[Settings, Analyzer] = {}
    for path in found.files:
        try:
            settings = resolver.settings_for(path.parent)
            text = path.read_text(encoding="utf-8")
        except SettingsError as exc:
            catalog.problems.append(f"{display_path(path)}: the settings are invalid: {exc}")
            continue
        except (OSError, UnicodeDecodeError) as exc:
            catalog.problems.append(f"{display_path(path)}: cannot read it ({exc.__class__.__name__})")
            continue
        analyzer = analyzers.get(settings)
        if analyzer is None:
            analyzer = analyzers[settings] = Analyzer(settings, parses=parses)
        location = ingestion_location(settings, str(path))
        catalog.entities.extend(
            FoundEntity(path, e, settings)
            for e in coder_entities(analyzer, text, everyone=everyone, location=location)
        )
    return catalog


def find_entity(reference: str, args: argparse.Namespace) -> FoundEntity:
    """ENTITY (``kind:namespace/name`` or a name) in ``--file`` or the catalog files below here."""
    catalog = read_catalog([args.file] if args.file else ["."], args, everyone=True)
    wanted = EntityReference.parse(reference)
    matches = [f for f in catalog.entities if wanted.matches(f.entity)]
    if len(matches) == 1:
        return matches[0]
    where = display_path(args.file) if args.file else "the catalog files below this folder"
    if not matches:
        problems = "".join(f"\n  {p}" for p in catalog.problems)
        raise CommandError(f'no entity "{reference}" in {where}{problems}')
    listed = "".join(f"\n  {m.where}  {m.entity.ref}" for m in matches)
    raise CommandError(f'"{reference}" names several entities; use kind:namespace/name or --file:{listed}')


class Clients:
    """One client per deployment, closed together."""

    def __init__(self, stack: AsyncExitStack) -> None:
        self._stack = stack
        self._clients: dict[tuple[str | None, str | None], CoderClient] = {}

    async def service(self, settings: Settings) -> WorkspaceService:
        key = (settings.access_url, settings.ca_bundle)
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = await self._stack.enter_async_context(open_client(settings))
        return WorkspaceService(client)


def exit_code_of(error: WorkspaceError) -> int:
    if error.kind == "unreachable":
        return EXIT_UNREACHABLE
    if error.kind == "usage":
        return EXIT_USAGE
    return EXIT_FAILED


def run_workspaces(work: Callable[[Clients], Awaitable[T]]) -> T:
    """Run ``work`` with the clients it opens; a WorkspaceError becomes a command error."""

    async def main() -> T:
        async with AsyncExitStack() as stack:
            return await work(Clients(stack))

    try:
        return asyncio.run(main())
    except WorkspaceError as exc:
        raise CommandError(exc.message, exit_code_of(exc)) from None


# -- a progress line on a terminal -----------------------------------------------------------------------

_SPINNER = "|/-\\"


class BuildProgress:
    """``| python-project: starting (4 s)`` redrawn on a terminal's stderr; nothing elsewhere."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.label = label
        self.status = "queued"
        self.enabled = _is_terminal(self.stream)
        self._started = time.monotonic()
        self._task: asyncio.Task[None] | None = None

    def update(self, workspace: WorkspaceInfo) -> None:
        self.status = workspace.status

    async def __aenter__(self) -> BuildProgress:
        if self.enabled:
            self._task = asyncio.get_running_loop().create_task(self._draw())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    async def _draw(self) -> None:
        tick = 0
        while True:
            elapsed = time.monotonic() - self._started
            spinner = _SPINNER[tick % len(_SPINNER)]
            self.stream.write(f"\r\x1b[K{spinner} {self.label}: {self.status} ({elapsed:.0f} s)")
            self.stream.flush()
            tick += 1
            await asyncio.sleep(0.1)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def is_interactive() -> bool:
    return _is_terminal(sys.stdin) and _is_terminal(sys.stdout)
