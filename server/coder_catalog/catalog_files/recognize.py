"""Whether one file is a catalog file.

A file is a catalog file when it is named ``catalog-info.yaml``/``.yml`` or matches the
``catalogGlobs`` of its settings (:mod:`.globs`: as ``lint`` finds files in folders). A document the
editor has open is one too when it is YAML that looks like a Backstage entity: a line starting with
``apiVersion:`` and one starting with ``kind:``, where the API version is one of Backstage's
(``backstage.io/v1alpha1``, ``scaffolder.backstage.io/v1beta3``...) or the kind one of its built-in kinds
(``Component``, ``Group``...). A Kubernetes manifest (``apiVersion: apps/v1``, ``kind: Deployment``) is
not one: the editor sends every YAML file, and none of them must get findings meant for catalog files.
"""

from __future__ import annotations

import os
import re
from pathlib import PurePath

from coder_catalog.catalog_files.globs import matches_globs
from coder_catalog.settings import Settings

CATALOG_NAMES = ("catalog-info.yaml", "catalog-info.yml")
YAML_SUFFIXES = (".yaml", ".yml")
_API_VERSION = re.compile(r"^apiVersion\s*:[ \t]*(.*)$", re.MULTILINE)
_KIND = re.compile(r"^kind\s*:[ \t]*(.*)$", re.MULTILINE)
#: Backstage's built-in kinds (its Template is told by its apiVersion: OpenShift has a kind Template too)
BUILT_IN_KINDS = frozenset({"component", "api", "group", "user", "resource", "system", "domain", "location"})


def looks_like_entity(text: str) -> bool:
    versions = [_value(m.group(1)) for m in _API_VERSION.finditer(text)]
    kinds = [_value(m.group(1)) for m in _KIND.finditer(text)]
    if not versions or not kinds:
        return False
    return any("backstage.io/" in v for v in versions) or any(k in BUILT_IN_KINDS for k in kinds)


def _value(written: str) -> str:
    """A plain or quoted one-line scalar as written after the key, lower case, its comment dropped."""
    value = written.split(" #", 1)[0].strip().strip("\"'")
    return value.lower()


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
