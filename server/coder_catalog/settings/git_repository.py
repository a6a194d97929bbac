"""Where Backstage reads a repository's catalog files from, read from the repository's own git files.

When a catalog file sets no ``backstage.io/source-location``, Backstage writes one at ingestion from
the URL the file was registered from: the file's folder in the repository's web view. coder-catalog
derives the same from the ``origin`` remote (made an https URL, credentials dropped) and the branch
the files are read from: the remote's default branch (``refs/remotes/origin/HEAD``), else the branch
checked out. It reads ``.git/config`` and the refs as files (no ``git`` process, so the language server
can do it on its event loop as it reads the project file), following a worktree's ``gitdir:``.
"""

from __future__ import annotations

import configparser
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit, urlunsplit

if TYPE_CHECKING:
    from .model import Settings

_SCP_LIKE = re.compile(r"^(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>(?!/)[^\s]+)$")


@dataclass(frozen=True)
class GitRemote:
    url: str | None  # the origin remote as an https URL
    branch: str | None  # the remote's default branch, else the branch checked out
    config: str | None  # the config file it was read from (for the settings' origins)


def https_url(remote: str) -> str | None:
    """The web URL of a git remote: ``git@github.com:acme/r.git`` and ``ssh://git@github.com/acme/r``
    give ``https://github.com/acme/r``; credentials in an https remote are dropped (never kept: a token
    does not belong in a link); a local path gives None."""
    text = remote.strip()
    found = _SCP_LIKE.match(text)
    if found is not None and "://" not in text:
        host, path = found["host"], found["path"]
    else:
        parts = urlsplit(text)
        if parts.scheme not in ("https", "http", "ssh", "git") or not parts.hostname:
            return None
        host, path = parts.hostname, parts.path.lstrip("/")
        if parts.scheme in ("https", "http") and parts.port not in (None, 80, 443):
            host = f"{host}:{parts.port}"
    path = path.rstrip("/").removesuffix(".git").rstrip("/")
    if not path:
        return None
    return urlunsplit(("https", host.lower(), f"/{path}", "", ""))


def read_git_remote(root: Path) -> GitRemote:
    """The origin remote and branch of the repository whose work tree is ``root`` (nothing found: Nones)."""
    git_dir = _git_dir(root)
    if git_dir is None:
        return GitRemote(None, None, None)
    config_path = _common_dir(git_dir) / "config"
    url = None
    try:
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.read_string(config_path.read_text(encoding="utf-8", errors="replace"))
        section = 'remote "origin"'
        if parser.has_option(section, "url"):
            url = https_url(parser.get(section, "url"))
    except (OSError, configparser.Error):
        url = None
    branch = _symbolic(_common_dir(git_dir) / "refs" / "remotes" / "origin" / "HEAD", "refs/remotes/origin/")
    if branch is None:
        branch = _symbolic(git_dir / "HEAD", "refs/heads/")
    return GitRemote(url, branch, str(config_path) if url else None)


def _git_dir(root: Path) -> Path | None:
    dot_git = root / ".git"
    try:
        if dot_git.is_dir():
            return dot_git
        if dot_git.is_file():  # a worktree or a submodule: "gitdir: <path>"
            text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
            if text.startswith("gitdir:"):
                target = Path(text.removeprefix("gitdir:").strip())
                return target if target.is_absolute() else (root / target).resolve()
    except OSError:
        return None
    return None


def _common_dir(git_dir: Path) -> Path:
    """A worktree's git dir points at the main one through ``commondir``."""
    try:
        common = (git_dir / "commondir").read_text(encoding="utf-8").strip()
    except OSError:
        return git_dir
    path = Path(common)
    return path if path.is_absolute() else (git_dir / path).resolve()


def _symbolic(ref_file: Path, prefix: str) -> str | None:
    try:
        text = ref_file.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    if not text.startswith("ref:"):
        return None  # a detached HEAD: no branch
    ref = text.removeprefix("ref:").strip()
    return ref.removeprefix(prefix) if ref.startswith(prefix) and len(ref) > len(prefix) else None


def ingestion_source_location(repository: str, branch: str, folder: str) -> str:
    """The ``backstage.io/source-location`` Backstage writes at ingestion for a catalog file in ``folder``
    (relative to the repository root, "" for the root) of ``repository`` read from ``branch``: the folder
    in the repository's web view, as the SCM integration resolves ``./`` against the file's URL
    (GitHub and others ``/tree/<branch>/``, GitLab ``/-/blob/<branch>/``, Bitbucket Cloud
    ``/src/<branch>/``)."""
    host = (urlsplit(repository).hostname or "").lower()
    base = repository.rstrip("/")
    if "gitlab" in host:
        view = f"{base}/-/blob/{_path(branch)}/"
    elif host == "bitbucket.org":
        view = f"{base}/src/{_path(branch)}/"
    else:
        view = f"{base}/tree/{_path(branch)}/"
    folder = folder.strip("/")
    return f"url:{view}{_path(folder) + '/' if folder else ''}"


def _path(text: str) -> str:
    """A path as a URL writes it (what ``new URL`` escapes, escaped; slashes kept)."""
    return quote(text, safe="/-._~!$&'()*+,;=:@")


def ingestion_location(settings: Settings, catalog_path: str | None) -> str | None:
    """The ``backstage.io/source-location`` Backstage would write at ingestion for the catalog file at
    ``catalog_path`` if it sets none: from the repository's URL and branch (``repository.*``, else git)
    and the file's folder in the repository. None when one of them is unknown."""
    root = settings.repository_root
    if not catalog_path or not root or not settings.repository_url or not settings.repository_branch:
        return None
    folder = os.path.relpath(os.path.dirname(os.path.abspath(catalog_path)), root)
    if folder == os.pardir or folder.startswith(os.pardir + os.sep):
        return None  # not in the repository
    folder = "" if folder == os.curdir else folder.replace(os.sep, "/")
    return ingestion_source_location(settings.repository_url, settings.repository_branch, folder)
