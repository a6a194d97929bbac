"""Which files ``lint`` checks.

Named files are always checked. In named folders: ``catalog-info.yaml``, ``catalog-info.yml``
and the ``catalogGlobs`` of the nearest project file (relative to its folder), skipping
``.git``, ``node_modules`` and what git ignores. Git is asked once per repository root
(``git ls-files --others --ignored --exclude-standard --directory``); without git (or
outside a work tree) only ``.git`` and ``node_modules`` are skipped. Paths are plain strings
while walking (a large tree has many folders); the files found are returned as :class:`Path`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from coder_catalog.cli.lint_settings import SettingsResolver
from coder_catalog.settings import SettingsError

CATALOG_FILE_NAMES = frozenset({"catalog-info.yaml", "catalog-info.yml"})
SKIPPED_FOLDERS = frozenset({".git", "node_modules"})
_GIT_TIMEOUT = 60.0


@dataclass
class Discovery:
    files: list[Path] = field(default_factory=list)  # absolute, each once, in a stable order
    errors: list[tuple[Path, str]] = field(default_factory=list)  # named paths that do not exist


def discover(paths: Sequence[str], resolver: SettingsResolver, *, use_git: bool = True) -> Discovery:
    found = Discovery()
    seen: set[str] = set()
    walker = _Walker(resolver, GitIgnored(resolver) if use_git else None)

    def add(path: str) -> None:
        if path not in seen:
            seen.add(path)
            found.files.append(Path(path))

    for name in paths or ["."]:
        path = os.path.normpath(os.path.join(resolver.cwd, name))
        if os.path.isdir(path):
            for file in walker.walk(path):
                add(file)
        elif os.path.exists(path):
            add(path)
        else:
            found.errors.append((Path(path), "no such file or folder"))
    return found


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
                if (name in CATALOG_FILE_NAMES or self.globs.matches(folder, path)) and not self._ignored(
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
        relative = _relative(path, base)
        return relative is not None and pattern.fullmatch(relative) is not None

    def _pattern_for(self, folder: str) -> tuple[str, re.Pattern[str]] | None:
        try:
            settings = self._resolver.settings_for(folder)
        except SettingsError:
            return None  # reported when the folder's catalog files are linted
        if not settings.catalog_globs:
            return None
        base = os.path.dirname(settings.project_file) if settings.project_file else str(self._resolver.cwd)
        return base, compile_globs(settings.catalog_globs)


def _relative(path: str, base: str) -> str | None:
    """``path`` relative to ``base`` with ``/`` separators; None when it is not below it."""
    prefix = base if base.endswith(os.sep) else base + os.sep
    if not path.startswith(prefix):
        return None
    relative = path[len(prefix) :]
    return relative.replace(os.sep, "/") if os.sep != "/" else relative


@lru_cache(maxsize=64)
def compile_globs(globs: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for glob patterns on ``/``-separated relative paths: ``*`` and ``?`` stay in a
    path segment, ``**`` spans segments, ``[...]`` is a character class."""
    return re.compile("|".join(f"(?:{glob_regex(glob)})" for glob in globs))


def glob_regex(glob: str) -> str:
    pattern = glob.strip().removeprefix("./")
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
            continue
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and "]" in pattern[index + 2 :]:
            end = pattern.index("]", index + 2)
            body = pattern[index + 1 : end]
            negate = body.startswith("!")
            out.append("[" + ("^" if negate else "") + re.escape(body[1:] if negate else body) + "]")
            index = end + 1
            continue
        else:
            out.append(re.escape(char))
        index += 1
    return "".join(out)


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
        return _relative(path, root) in (folders if folder else files)

    def folder_or_parent_ignored(self, folder: str) -> bool:
        root = self._resolver.root_of(folder)
        if root is None or self._git is None:
            return False
        relative = _relative(folder, root)
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
