"""Settings for many catalog files at once, resolved once per (repository root, project file).

:func:`~coder_catalog.settings.resolve_settings` walks up from a file's folder to find the
repository root and the nearest ``.coder-catalog.yaml``; what it returns depends on nothing
else (given the overrides, the environment and the working folder). So a walk over many folders
(``lint``, ``templates usage``, the language server's workspace index) finds those two per folder
with memoised walks (a folder's answer is its parent's unless the folder itself holds ``.git`` or a
project file) and resolves the settings once per distinct pair. Folders are plain strings here:
thousands of them go through these walks. The discovery tells the resolver what each folder it
listed holds (:meth:`SettingsResolver.learn`), which saves the file system calls for those folders.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from coder_catalog.settings import PROJECT_FILE_NAMES, Settings, SettingsError, resolve_settings

_Facts = tuple[bool, str | None]  # (holds .git, its project file)


class SettingsResolver:
    def __init__(self, overrides: Mapping[str, Any], *, env: Mapping[str, str], cwd: Path) -> None:
        self.overrides = overrides
        self.env = env
        self.cwd = cwd
        self._facts: dict[str, _Facts] = {}
        self._roots: dict[str, str | None] = {}
        self._projects: dict[str, str | None] = {}
        self._settings: dict[tuple[str | None, str | None], Settings | SettingsError] = {}

    def learn(self, folder: str, names: Collection[str], file_names: Collection[str]) -> None:
        """What a listing of ``folder`` showed: every entry's name, and the names of the files."""
        project = next((name for name in PROJECT_FILE_NAMES if name in file_names), None)
        self._facts[folder] = (".git" in names, os.path.join(folder, project) if project else None)

    def settings_for(self, folder: str | Path) -> Settings:
        """The settings of the catalog files in ``folder`` (absolute); raises SettingsError."""
        key = os.fspath(folder)
        pair = (self.root_of(key), self.project_file_of(key))
        found = self._settings.get(pair)
        if found is None:
            try:
                found = resolve_settings(key, overrides=self.overrides, env=self.env, cwd=self.cwd)
            except SettingsError as error:
                found = error
            self._settings[pair] = found
        if isinstance(found, SettingsError):
            raise found
        return found

    def root_of(self, folder: str | Path) -> str | None:
        """The nearest folder at or above ``folder`` holding ``.git`` (file or folder)."""
        current = os.fspath(folder)
        pending: list[str] = []
        while current not in self._roots:
            pending.append(current)
            parent = os.path.dirname(current)
            if self._folder_facts(current)[0]:
                self._roots[current] = current
            elif parent == current:
                self._roots[current] = None
            else:
                current = parent
        answer = self._roots[current]
        for seen in pending:
            self._roots[seen] = answer
        return answer

    def project_file_of(self, folder: str | Path) -> str | None:
        """The nearest project file from ``folder`` up to its repository root (inclusive)."""
        current = os.fspath(folder)
        root = self.root_of(current)
        pending: list[str] = []
        answer: str | None = None
        while current not in self._projects:
            pending.append(current)
            answer = self._folder_facts(current)[1]
            parent = os.path.dirname(current)
            if answer is not None or current == root or parent == current:
                break
            current = parent
        else:
            answer = self._projects[current]
        for seen in pending:
            self._projects[seen] = answer
        return answer

    def _folder_facts(self, folder: str) -> _Facts:
        facts = self._facts.get(folder)
        if facts is None:
            project = next(
                (p for name in PROJECT_FILE_NAMES if os.path.isfile(p := os.path.join(folder, name))), None
            )
            facts = self._facts[folder] = (os.path.lexists(os.path.join(folder, ".git")), project)
        return facts
