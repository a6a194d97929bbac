"""The editor's settings (section ``coderCatalog``), from ``initializationOptions`` and
``workspace/configuration``.

They have the project file's shape (``deployment.accessUrl``, ``workspaces.*``, ``templates``,
``catalogGlobs``, ``repository``, ``rules``, ``editor``, ``tls.caBundle``: the keys of the settings schema;
see docs/configuration.md) and override every other source. Unset values (null, as editors send them)
are dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from coder_catalog.settings import project_keys

SECTION = "coderCatalog"
PROJECT_KEYS = project_keys()


def _prune(value: Any) -> Any:
    if isinstance(value, Mapping):
        pruned = {str(k): _prune(v) for k, v in value.items() if v is not None}
        return {k: v for k, v in pruned.items() if v not in ({}, [], "")}
    return value


def overrides_from_client(raw: Any) -> dict[str, Any]:
    """The settings overrides in the project file's shape, from what the editor sent.

    Accepts the section itself or an object holding it under ``coderCatalog``; keys this server
    does not know are ignored (an editor may send settings of other versions).
    """
    if not isinstance(raw, Mapping):
        return {}
    section = raw.get(SECTION, raw)
    if not isinstance(section, Mapping):
        return {}
    pruned = _prune(section)
    return {key: pruned[key] for key in PROJECT_KEYS if key in pruned}
