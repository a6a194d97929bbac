"""Which files are catalog files in named files and folders: what ``lint``, ``templates usage``, the
workspace commands and the language server's workspace index read.

Named files are always taken. In named folders: ``catalog-info.yaml``, ``catalog-info.yml``
and the ``catalogGlobs`` of the nearest project file (:mod:`.globs`), skipping ``.git``,
``node_modules`` and what git ignores. Git is asked once per repository root
(``git ls-files --others --ignored --exclude-standard --directory``); without git (or
outside a work tree) only ``.git`` and ``node_modules`` are skipped. Paths are plain strings
while walking (a large tree has many folders); the files found are returned as :class:`Path`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coder_catalog.catalog_files.globs import compile_globs, glob_base, relative_path
from coder_catalog.catalog_files.recognize import CATALOG_NAMES
from coder_catalog.catalog_files.settings_resolver import SettingsResolver
from coder_catalog.settings import SettingsError

MAX_FILE_BYTES = 8_000_000  # the analysis refuses larger files (MAX_FILE_CHARACTERS): not worth reading
SKIPPED_FOLDERS = frozenset({".git", "node_modules"})
_GIT_TIMEOUT = 60.0


@dataclass
class Discovery:
    files: list[Path] = field(default_factory=list)  # absolute, each once, in a stable order
    errors: list[tuple[Path, str]] = field(default_factory=list)  # named paths that do not exist
    #: what following Locations read of the files found in folders, so that it is not read twice
    contents: dict[str, bytes] = field(default_factory=dict)  # by str(path)


def discover(
    paths: Sequence[str], resolver: SettingsResolver, *, use_git: bool = True, follow_locations: bool = True
) -> Discovery:
    """The catalog files of ``paths``: named files as they are; in named folders, the catalog files and
    (``follow_locations``) the local files their Location entities name, as Backstage reads them
    (transitively; git-ignored ones skipped, as they are not in the repository Backstage reads)."""
    found = Discovery()
    seen: set[str] = set()
    walker = _Walker(resolver, GitIgnored(resolver) if use_git else None)
    searched: list[str] = []

    def add(path: str) -> bool:
        if path in seen:
            return False
        seen.add(path)
        found.files.append(Path(path))
        return True

    for name in paths or ["."]:
        path = os.path.normpath(os.path.join(resolver.cwd, name))
        if os.path.isdir(path):
            for file in walker.walk(path):
                if add(file):
                    searched.append(file)
        elif os.path.exists(path):
            add(path)
        else:
            found.errors.append((Path(path), "no such file or folder"))
    if follow_locations:
        _follow(searched, walker, add, found.contents)
    return found


def read_catalog(
    folders: Sequence[str], overrides: Mapping[str, Any], env: Mapping[str, str]
) -> Iterator[tuple[str, str]]:
    """``(path, text)`` of every catalog file of ``folders`` (``references.catalog``: the rest of the
    catalog, indexed but not checked), found as :func:`discover` finds them; files that cannot be read
    as UTF-8 or are too large are left out."""
    for folder in folders:
        found = discover([folder], SettingsResolver(overrides, env=env, cwd=Path(folder)))
        for path in found.files:
            data = found.contents.pop(str(path), None)
            try:
                if data is None:
                    if path.stat().st_size > MAX_FILE_BYTES:
                        continue
                    data = path.read_bytes()
                yield str(path), data.decode("utf-8")
            except (OSError, UnicodeDecodeError):
                continue


def _follow(
    queue: list[str], walker: _Walker, add: Callable[[str], bool], contents: dict[str, bytes]
) -> None:
    """Add the files the Locations of ``queue``'s files name, and theirs in turn; what is read is kept in
    ``contents`` (files over ``MAX_FILE_BYTES`` are neither read nor followed)."""
    from coder_catalog.catalog_files.locations import targets_in  # the analysis, when it is needed

    for path in queue:  # grows while it is walked
        try:
            if os.path.getsize(path) > MAX_FILE_BYTES:
                continue
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        contents[path] = data
        for target in targets_in(path, data):
            if not walker.ignored_file(target) and add(target):
                queue.append(target)


class _Walker:
    def __init__(self, resolver: SettingsResolver, ignored: GitIgnored | None) -> None:
        self.resolver = resolver
        self.ignored = ignored
        self.globs = _GlobMatcher(resolver)

    def walk(self, top: str) -> Iterator[str]:
        if self.ignored is not None and self.ignored.folder_or_parent_ignored(top):
            return
        stack = [top]
        while stack:
            folder = stack.pop()
            file_names, folder_names = self._scan(folder)
            for name in file_names:
                path = os.path.join(folder, name)
                if (name in CATALOG_NAMES or self.globs.matches(folder, path)) and not self._ignored(
                    path, False
                ):
                    yield path
            subfolders = [os.path.join(folder, name) for name in folder_names if name not in SKIPPED_FOLDERS]
            stack.extend(reversed([path for path in subfolders if not self._ignored(path, True)]))

    def _scan(self, folder: str) -> tuple[list[str], list[str]]:
        """The names of the files and of the folders (symbolic links to folders not followed) in
        ``folder``; the resolver learns them too."""
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return [], []  # unreadable or vanished folder: nothing to find there
        files: list[str] = []
        folders: list[str] = []
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                folders.append(entry.name)
            elif entry.is_file():
                files.append(entry.name)
        self.resolver.learn(folder, [e.name for e in entries], files)
        return files, folders

    def ignored_file(self, path: str) -> bool:
        return self._ignored(path, False)

    def _ignored(self, path: str, folder: bool) -> bool:
        return self.ignored is not None and self.ignored.is_ignored(path, folder=folder)


class _GlobMatcher:
    """``catalogGlobs`` of the settings that govern a folder."""

    def __init__(self, resolver: SettingsResolver) -> None:
        self._resolver = resolver
        self._by_folder: dict[str, tuple[str, re.Pattern[str]] | None] = {}

    def matches(self, folder: str, path: str) -> bool:
        if folder not in self._by_folder:
            self._by_folder[folder] = self._pattern_for(folder)
        rule = self._by_folder[folder]
        if rule is None:
            return False
        base, pattern = rule
        relative = relative_path(path, base)
        return relative is not None and pattern.fullmatch(relative) is not None

    def _pattern_for(self, folder: str) -> tuple[str, re.Pattern[str]] | None:
        try:
            settings = self._resolver.settings_for(folder)
        except SettingsError:
            return None  # reported when the folder's catalog files are linted
        if not settings.catalog_globs:
            return None
        return glob_base(settings, self._resolver.cwd), compile_globs(settings.catalog_globs)


class GitIgnored:
    """What git ignores, asked once per repository root."""

    def __init__(self, resolver: SettingsResolver) -> None:
        self._resolver = resolver
        self._git = shutil.which("git")
        self._by_root: dict[str, tuple[frozenset[str], frozenset[str]]] = {}

    def is_ignored(self, path: str, *, folder: bool) -> bool:
        if self._git is None:
            return False
        root = self._resolver.root_of(os.path.dirname(path))
        if root is None:
            return False
        files, folders = self._ignored_in(root)
        if not files and not folders:
            return False
        return relative_path(path, root) in (folders if folder else files)

    def folder_or_parent_ignored(self, folder: str) -> bool:
        root = self._resolver.root_of(folder)
        if root is None or self._git is None:
            return False
        relative = relative_path(folder, root)
        if not relative:
            return False
        _, folders = self._ignored_in(root)
        parts = relative.split("/")
        return any("/".join(parts[: n + 1]) in folders for n in range(len(parts)))

    def _ignored_in(self, root: str) -> tuple[frozenset[str], frozenset[str]]:
        found = self._by_root.get(root)
        if found is None:
            found = self._by_root[root] = _list_ignored(self._git or "git", root)
        return found


def _list_ignored(git: str, root: str) -> tuple[frozenset[str], frozenset[str]]:
    """(ignored files, ignored folders) relative to ``root``; empty when git cannot tell."""
    command = [
        git,
        "-C",
        root,
        "ls-files",
        "-z",
        "--others",
        "--ignored",
        "--exclude-standard",
        "--directory",
    ]
    env = {**os.environ, "GIT_CEILING_DIRECTORIES": os.path.dirname(root)}  # never a repository above root
    try:
        done = subprocess.run(command, capture_output=True, timeout=_GIT_TIMEOUT, check=False, env=env)
    except (OSError, subprocess.SubprocessError):
        return frozenset(), frozenset()
    if done.returncode != 0:
        return frozenset(), frozenset()
    files: set[str] = set()
    folders: set[str] = set()
    for raw in done.stdout.split(b"\0"):
        if not raw:
            continue
        name = os.fsdecode(raw)
        if name.endswith("/"):
            folders.add(name.rstrip("/"))
        else:
            files.add(name)
    return frozenset(files), frozenset(folders)
