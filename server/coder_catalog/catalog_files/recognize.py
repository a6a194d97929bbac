"""Whether one file is a catalog file.

A file is a catalog file when it is named ``catalog-info.yaml``/``.yml`` or matches the
``catalogGlobs`` of its settings (:mod:`.globs`: as ``lint`` finds files in folders). A document the
editor has open is one too when it is YAML that looks like a Backstage entity (a line starting with
``apiVersion:`` and one starting with ``kind:``).
"""

from __future__ import annotations

import os
import re
from pathlib import PurePath

from coder_catalog.catalog_files.globs import matches_globs
from coder_catalog.settings import Settings

CATALOG_NAMES = ("catalog-info.yaml", "catalog-info.yml")
YAML_SUFFIXES = (".yaml", ".yml")
_API_VERSION = re.compile(r"^apiVersion\s*:", re.MULTILINE)
_KIND = re.compile(r"^kind\s*:", re.MULTILINE)


def looks_like_entity(text: str) -> bool:
    return _API_VERSION.search(text) is not None and _KIND.search(text) is not None


def is_catalog_file(
    path: str | None,
    language_id: str | None,
    text: str,
    settings: Settings,
    *,
    cwd: str | os.PathLike[str] | None = None,
) -> bool:
    """Whether an open document is a catalog file; ``cwd``: the folder the ``catalogGlobs`` are
    relative to when no project file sets them (see :func:`~.globs.matches_globs`)."""
    name = PurePath(path).name if path else ""
    if name in CATALOG_NAMES:
        return True
    if path and matches_globs(path, settings, cwd=cwd):
        return True
    is_yaml = (language_id or "").lower() == "yaml" or name.endswith(YAML_SUFFIXES)
    return is_yaml and looks_like_entity(text)
