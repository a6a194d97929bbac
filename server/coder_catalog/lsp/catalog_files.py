"""Which documents the server looks at: catalog files, and nothing else.

A document is a catalog file when it is named ``catalog-info.yaml``/``.yml``, when it matches
one of the configured ``catalogGlobs``, or when it is YAML that looks like a Backstage entity
(a line starting with ``apiVersion:`` and one starting with ``kind:``).
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import PurePath

from coder_catalog.settings import Settings

CATALOG_NAMES = ("catalog-info.yaml", "catalog-info.yml")
YAML_SUFFIXES = (".yaml", ".yml")
_API_VERSION = re.compile(r"^apiVersion\s*:", re.MULTILINE)
_KIND = re.compile(r"^kind\s*:", re.MULTILINE)


def looks_like_entity(text: str) -> bool:
    return _API_VERSION.search(text) is not None and _KIND.search(text) is not None


def matches_globs(path: str, settings: Settings) -> bool:
    if not settings.catalog_globs:
        return False
    base = PurePath(settings.project_file).parent if settings.project_file else None
    candidate = PurePath(path)
    for pattern in settings.catalog_globs:
        if base is not None:
            try:
                relative = candidate.relative_to(base).as_posix()
            except ValueError:
                relative = candidate.as_posix()
        else:
            relative = candidate.as_posix()
        if fnmatch.fnmatch(relative, pattern) or candidate.match(pattern):
            return True
    return False


def is_catalog_file(path: str | None, language_id: str | None, text: str, settings: Settings) -> bool:
    name = PurePath(path).name if path else ""
    if name in CATALOG_NAMES:
        return True
    if path and matches_globs(path, settings):
        return True
    is_yaml = (language_id or "").lower() == "yaml" or name.endswith(YAML_SUFFIXES)
    return is_yaml and looks_like_entity(text)
