"""The language server's index of the workspace's catalog: every catalog file of the workspace folders,
kept current from open documents and watched-file events.

- At ``initialized`` the folders are searched as ``lint`` searches them (``catalog-info.yaml``/``.yml``,
  ``catalogGlobs``, git's ignores), then the files are read and indexed in batches on a worker thread,
  with work-done progress: no request waits for it. The files that ``Location`` entities name in
  ``target``/``targets`` are followed when they are relative paths (globs included); URLs are not fetched.
- An open document is indexed from its text (it wins over the file on disk); after an edit it is indexed
  again once typing pauses, or at once when a request needs it (:meth:`WorkspaceIndex.current`).
- ``workspace/didChangeWatchedFiles`` reindexes (or forgets) the files that changed on disk.

The facts and their use (references, rename...) are the analysis core's: ``analysis.catalog_index`` and
``analysis.editor.entity_references``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Coroutine, Iterable, Sequence
from pathlib import Path
from typing import Any

from coder_catalog.analysis.analyze import MAX_FILE_CHARACTERS
from coder_catalog.analysis.catalog_index import (
    CatalogIndex,
    IndexedFile,
    index_file,
    unresolved_reference_findings,
)
from coder_catalog.analysis.findings import Finding
from coder_catalog.catalog_files import CATALOG_NAMES, SettingsResolver, discover, matches_globs
from coder_catalog.catalog_files.locations import location_target_paths, path_of, uri_of
from coder_catalog.lsp.deployments import ProgressHandle
from coder_catalog.lsp.documents import CatalogDocuments, OpenDocument

log = logging.getLogger(__name__)

BATCH = 256  # files read and indexed per worker-thread call
REINDEX_AFTER_SECONDS = 0.3  # an edited open document is indexed again once typing pauses this long


Read = tuple[str, "IndexedFile | None", list[str]]  # uri, its facts, the files its Locations name


def read_and_index(paths: Sequence[str]) -> list[Read]:
    """Read and index files, and find the files their Locations name (worker thread: touches no shared
    state). No facts for a file that cannot be read as UTF-8 text or is too large for the analysis."""
    found: list[Read] = []
    for path in paths:
        uri = uri_of(path)
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_FILE_CHARACTERS * 4 + 1)
            text = data.decode("utf-8")
        except (OSError, UnicodeDecodeError):
            found.append((uri, None, []))
            continue
        if len(text) > MAX_FILE_CHARACTERS:
            found.append((uri, None, []))
            continue
        indexed = index_file(uri, text)
        found.append((uri, indexed, location_target_paths(indexed)))
    return found


def find_catalog_files(folders: Sequence[str], overrides: dict[str, object]) -> list[str]:
    """The catalog files of ``folders`` as ``lint`` finds them (worker thread); ``catalogGlobs`` that no
    project file sets are relative to the folder searched. Locations are followed by the reading
    (:meth:`WorkspaceIndex._read`), which reads each file once."""
    files: list[str] = []
    seen: set[str] = set()
    for folder in folders:
        resolver = SettingsResolver(overrides, env=os.environ, cwd=Path(folder))
        for path in discover([folder], resolver, follow_locations=False).files:
            name = str(path)
            if name not in seen:
                seen.add(name)
                files.append(name)
    return files


class WorkspaceIndex:
    """The index of the workspace's catalog files, and how it is kept current."""

    def __init__(
        self,
        documents: CatalogDocuments,
        progress: Callable[[str], ProgressHandle],
        republish: Callable[[list[OpenDocument]], None],
    ) -> None:
        self.documents = documents
        self.index = CatalogIndex()
        self._progress = progress
        self._republish = republish
        self.ready = False  # the first reading of the folders is done
        self.folders: list[str] = []
        self.on_disk: set[str] = set()  # uris of the files found in the folders or followed
        self.found: set[str] = set()  # uris of the files the last search of the folders found
        self.targets: set[str] = set()  # uris of the files a Location names
        self._stale: set[str] = set()  # open documents edited since they were indexed
        self._timer: asyncio.TimerHandle | None = None
        self._republish_timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None  # the first reading (held: a task nobody holds may go)
        self.indexed_seconds: float | None = None  # how long the first reading took

    # -- the first reading ---------------------------------------------------------------------------

    def start(self, folders: Iterable[str]) -> None:
        self.folders = [f for f in dict.fromkeys(folders) if os.path.isdir(f)]
        self._folders_set()
        self._task = asyncio.get_running_loop().create_task(self._read_folders())

    async def _read_folders(self) -> None:
        started = time.perf_counter()
        handle = self._progress("Indexing the catalog")
        try:
            files = await asyncio.to_thread(find_catalog_files, self._searched(), self.documents.overrides)
            self.found = {uri_of(f) for f in files}
            await self._read(files, handle)
        except Exception:
            log.exception("indexing the workspace failed")
        finally:
            handle.end()
            self.indexed_seconds = time.perf_counter() - started
            self.ready = True
            log.info("indexed %d catalog files in %.2f s", len(self.index), self.indexed_seconds)
            self._republish_soon(0)

    async def _read(self, paths: list[str], handle: ProgressHandle | None = None) -> None:
        """Read ``paths`` (and the files their Locations name, transitively) in batches off the loop."""
        queue = [p for p in paths if uri_of(p) not in self.on_disk]
        for path in queue:
            self.on_disk.add(uri_of(path))
        done = 0
        while queue:
            batch, queue = queue[:BATCH], queue[BATCH:]
            for uri, indexed, targets in await asyncio.to_thread(read_and_index, batch):
                done += 1
                if uri in self.documents.documents:
                    continue  # the open document's text wins
                if indexed is None:
                    self.index.remove(uri)
                    continue
                self.index.put(indexed)
                for target in targets:
                    target_uri = uri_of(target)
                    self.targets.add(target_uri)
                    if target_uri not in self.on_disk:
                        self.on_disk.add(target_uri)
                        queue.append(target)
            if handle is not None:
                total = done + len(queue)
                handle.report(f"{done}/{total} files", int(done * 100 / total) if total else 100)

    def _searched(self) -> list[str]:
        """The workspace folders, and the ``references.catalog`` folders their settings name (the rest of
        the catalog: indexed, not checked)."""
        extra: list[str] = []
        for folder in self.folders:
            found = self.documents.settings_for(os.path.join(folder, CATALOG_NAMES[0]))
            if not isinstance(found, Exception):
                extra.extend(f for f in found.references_catalog if os.path.isdir(f))
        return list(dict.fromkeys([*self.folders, *extra]))

    def settings_changed(self) -> None:
        """Search the folders again (``catalogGlobs`` may have changed): files found now are read, files
        no longer found (and named by no Location, and not open) leave the index."""
        if not self.ready or not self.folders:
            return  # the first reading is under way, and searches with the settings it started with

        async def search_again() -> None:
            files = await asyncio.to_thread(find_catalog_files, self._searched(), self.documents.overrides)
            found = {uri_of(f) for f in files}
            for uri in self.found - found - self.targets:
                self.on_disk.discard(uri)
                if uri not in self.documents.documents:
                    self._forget(uri)
            self.found = found
            await self._read([f for f in files if uri_of(f) not in self.on_disk])
            self._republish_soon()

        self._spawn(search_again())

    def folders_changed(self, added: Sequence[str], removed: Sequence[str]) -> None:
        """Workspace folders added (searched and read) or removed (their files leave the index)."""
        for folder in removed:
            if folder in self.folders:
                self.folders.remove(folder)
            for uri in [u for u in self.index.uris if _inside(path_of(u) or "", folder)]:
                self.on_disk.discard(uri)
                if uri not in self.documents.documents:
                    self._forget(uri)
        new = [f for f in added if os.path.isdir(f) and f not in self.folders]
        self.folders.extend(new)
        self._folders_set()
        if not new:
            return

        async def read() -> None:
            files = await asyncio.to_thread(find_catalog_files, new, self.documents.overrides)
            self.found |= {uri_of(f) for f in files}
            await self._read(files)
            self._republish_soon()

        self._spawn(read())

    def _folders_set(self) -> None:
        """The documents learn the folders (``catalogGlobs`` without a project file are relative to
        them); an open document that became a catalog file is indexed, one that stopped is forgotten."""
        changed = self.documents.set_folders(self.folders)
        for document in changed:
            if document.is_catalog:
                self.opened(document)
            else:
                self._forget(document.uri)
        if changed:
            self._republish(changed)

    # -- open documents -------------------------------------------------------------------------------

    def opened(self, document: OpenDocument) -> None:
        if document.is_catalog and len(document.text) <= MAX_FILE_CHARACTERS:
            keys = self._keys(document.uri)
            self._index_open(document)
            if self._keys(document.uri) != keys or document.settings.references_complete:
                self._republish_soon()  # others may name what it defines; its own CC601 was published first
            self._follow_locations(self.index.file(document.uri))

    def changed(self, document: OpenDocument) -> None:
        """Index the document again once typing pauses (a request needing it indexes it at once)."""
        self._stale.add(document.uri)
        if self._timer is not None:
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_later(REINDEX_AFTER_SECONDS, self._refresh_stale)

    def closed(self, uri: str) -> None:
        """Back to the file on disk (the editor may close it without saving), or out of the index."""
        self._stale.discard(uri)
        path = path_of(uri)
        if uri in self.on_disk and path is not None:
            self._reread([path])
        else:
            self._forget(uri)

    def current(self, uri: str | None = None) -> CatalogIndex:
        """The index, with the stale open documents (or just ``uri``) indexed from their text."""
        for stale in [uri] if uri is not None else list(self._stale):
            if stale in self._stale:
                self._stale.discard(stale)
                document = self.documents.documents.get(stale)
                if document is not None:
                    self._index_open(document)
        return self.index

    def _refresh_stale(self) -> None:
        self._timer = None
        keys_before = {uri: self._keys(uri) for uri in self._stale}
        self.current()
        if any(self._keys(uri) != keys for uri, keys in keys_before.items()):
            self._republish_soon()

    def _index_open(self, document: OpenDocument) -> None:
        if not document.is_catalog or len(document.text) > MAX_FILE_CHARACTERS:
            self._forget(document.uri)
            return
        previous = self.index.file(document.uri)
        self.index.put(index_file(document.uri, document.text, self.documents.parses.parse, previous))

    def _keys(self, uri: str) -> frozenset[tuple[str, str, str]]:
        return frozenset(e.key for e in self.index.entities(uri))

    def _follow_locations(self, indexed: IndexedFile | None) -> None:
        if indexed is None or not indexed.locations:
            return

        async def follow() -> None:
            targets = await asyncio.to_thread(location_target_paths, indexed)
            new = [p for p in targets if uri_of(p) not in self.on_disk]
            if new:
                await self._read(new)
                self._republish_soon()

        self._spawn(follow())

    # -- files changed on disk -----------------------------------------------------------------------

    def files_changed(self, created_or_changed: Sequence[str], deleted: Sequence[str]) -> None:
        """Watched-file events (paths): files already indexed, catalog files and Location targets are
        read again; deleted files leave the index."""
        for path in deleted:
            uri = uri_of(path)
            self.on_disk.discard(uri)
            if uri not in self.documents.documents:
                self._forget(uri)
        wanted = [path for path in created_or_changed if self._wanted(path)]
        if wanted:
            self._reread(wanted)

    def _wanted(self, path: str) -> bool:
        uri = uri_of(path)
        if uri in self.documents.documents:
            return False  # its text is the open document's
        if uri in self.on_disk or uri in self.index:
            return True
        if not any(_inside(path, folder) for folder in self.folders):
            return False
        if os.path.basename(path) in CATALOG_NAMES:
            return True
        settings = self.documents.settings_for(path)
        return not isinstance(settings, Exception) and matches_globs(
            path, settings, cwd=self.documents.glob_folder(path)
        )

    def _reread(self, paths: list[str]) -> None:
        for path in paths:
            self.on_disk.discard(uri_of(path))

        async def reread() -> None:
            await self._read(paths)
            self._republish_soon()

        self._spawn(reread())

    def _forget(self, uri: str) -> None:
        if uri in self.index:
            self.index.remove(uri)
            self._republish_soon()

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` in the background; its failure is logged (the index stays as it was)."""
        task = asyncio.get_running_loop().create_task(work)
        _BACKGROUND.add(task)
        task.add_done_callback(_finished)

    # -- CC601 -------------------------------------------------------------------------------------------

    def unresolved_findings(self, document: OpenDocument) -> list[Finding]:
        """CC601 for an open document: only when its settings say the catalog is complete, only once the
        workspace has been read (before, every reference would look unresolved), and only in a workspace
        (a file opened on its own, with no folder, has no catalog around it to resolve against)."""
        if not document.settings.references_complete or not self.ready or not self.folders:
            return []
        if not all(os.path.isdir(folder) for folder in document.settings.references_catalog):
            return []  # the rest of the catalog is not where the settings say: everything would be reported
        index = self.current(document.uri)
        return unresolved_reference_findings(index, document.uri, document.text, document.settings)

    def _republish_soon(self, delay: float = REINDEX_AFTER_SECONDS) -> None:
        """Diagnostics of the open documents that report CC601 again (another file may define or drop
        what they name)."""
        if self._republish_timer is not None:
            return

        def run() -> None:
            self._republish_timer = None
            affected = [
                d
                for d in self.documents.documents.values()
                if d.is_catalog and d.settings.references_complete
            ]
            if affected:
                self._republish(affected)

        self._republish_timer = asyncio.get_running_loop().call_later(delay, run)


_BACKGROUND: set[asyncio.Task[None]] = set()


def _finished(task: asyncio.Task[None]) -> None:
    _BACKGROUND.discard(task)
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("updating the catalog index failed", exc_info=error)


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)
