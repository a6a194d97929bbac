"""The files ``Location`` entities name: Backstage reads a Location's ``target``/``targets`` too, so they
are catalog files as much as ``catalog-info.yaml`` is.

Relative targets (and ``file:`` paths) are resolved against the Location's own file and globs expanded
(``./teams/*.yaml``); URLs are never fetched. Used by :func:`~.discovery.discover` (``lint``,
``templates usage``, the language server's first reading) and by the language server for open documents.
"""

from __future__ import annotations

import glob
import itertools
import os
import re
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

from coder_catalog.analysis.catalog_index import IndexedFile, index_file

MAX_GLOB_FILES = 20_000  # a target glob naming more files than this is cut there
_GLOB_CHARACTERS = frozenset("*?[")
# A file worth parsing for Locations: a line `kind: Location` (any case, maybe quoted).
_HAS_LOCATION = re.compile(r"^[ \t]*-?[ \t]*kind[ \t]*:[ \t]*[\"']?location\b", re.MULTILINE | re.IGNORECASE)


def path_of(uri: str) -> str | None:
    parsed = urlparse(uri)
    return unquote(parsed.path) if parsed.scheme == "file" else None


def uri_of(path: str) -> str:
    """``Path(path).as_uri()`` for an absolute path, five times faster on POSIX (the language server
    names 10,000 files on its event loop while it reads a workspace)."""
    if os.sep == "/" and path.startswith("/"):
        return "file://" + quote(path)
    return Path(path).as_uri()


def location_target_paths(indexed: IndexedFile) -> list[str]:
    """The local files the Location entities of an indexed file name, in order, each once (at most
    ``MAX_GLOB_FILES`` per glob). Touches the file system: call it off an event loop."""
    base_path = path_of(indexed.uri)
    if base_path is None:
        return []
    base = os.path.dirname(base_path)
    paths: list[str] = []
    for location in indexed.locations:
        target = location.target.strip()
        if "://" in target or target.startswith(("http:", "https:")):
            continue
        target = target.removeprefix("file:")
        path = os.path.normpath(os.path.join(base, target))
        if _GLOB_CHARACTERS & set(target):
            matches = itertools.islice(glob.iglob(path, recursive=True), MAX_GLOB_FILES)
            paths.extend(sorted(p for p in matches if os.path.isfile(p)))
        elif os.path.isfile(path):
            paths.append(path)
    return list(dict.fromkeys(paths))


def targets_in(path: str, data: bytes) -> list[str]:
    """The files the Locations of the file at ``path`` (its content ``data``) name; none when it is not
    UTF-8 or has no ``kind: Location`` line (most catalog files are not parsed here)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return []
    if _HAS_LOCATION.search(text) is None:
        return []
    return location_target_paths(index_file(uri_of(path), text))
