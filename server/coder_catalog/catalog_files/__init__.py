"""Which files are catalog files: one answer for ``lint``, the other commands and the language server.

- :mod:`.recognize`: whether one file is (``catalog-info.yaml``/``.yml``, ``catalogGlobs``, and for an
  open document YAML that looks like an entity);
- :mod:`.globs`: what ``catalogGlobs`` match (relative to the project file's folder, ``*`` within a
  path segment, ``**`` across segments);
- :mod:`.discovery`: the catalog files of named files and folders (git's ignores respected);
- :mod:`.settings_resolver`: the settings of many folders at once, as the discovery walks them.

No pygls, httpx or command-line code here: the commands and the language server both build on it.
"""

from __future__ import annotations

from coder_catalog.catalog_files.discovery import (
    SKIPPED_FOLDERS,
    Discovery,
    GitIgnored,
    discover,
    read_catalog,
)
from coder_catalog.catalog_files.globs import compile_globs, glob_base, glob_regex, matches_globs
from coder_catalog.catalog_files.recognize import (
    CATALOG_NAMES,
    YAML_SUFFIXES,
    is_catalog_file,
    looks_like_entity,
)
from coder_catalog.catalog_files.settings_resolver import SettingsResolver

__all__ = [
    "CATALOG_NAMES",
    "SKIPPED_FOLDERS",
    "YAML_SUFFIXES",
    "Discovery",
    "GitIgnored",
    "SettingsResolver",
    "compile_globs",
    "discover",
    "glob_base",
    "glob_regex",
    "is_catalog_file",
    "looks_like_entity",
    "matches_globs",
    "read_catalog",
]
