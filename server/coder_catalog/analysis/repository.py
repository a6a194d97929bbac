"""The repository URL, as the Backstage plugin derives it from ``backstage.io/source-location``.

The plugin takes the part after the first ``:`` of the location reference (``url:...``),
then strips one trailing ``/tree/<single segment>`` with an optional slash, and nothing
else. The workspace search lower-cases the query, splits values on commas and rejects a
value with more than one ``=``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TREE_SUFFIX = re.compile(r"/tree/[^/]+/?$")


@dataclass(frozen=True, slots=True)
class RepositoryURL:
    annotation: str | None  # the raw annotation value, None when absent
    url: str | None  # what the plugin sends, None when no URL is known
    problem: str | None = None  # why the URL the plugin sends is not a clone URL or cannot be matched


def plugin_repository_url(target: str) -> str:
    """The plugin's cleaning of a location target."""
    return _TREE_SUFFIX.sub("", target)


def repository_url(annotation: str | None) -> RepositoryURL:
    if annotation is None:
        return RepositoryURL(None, None)
    kind, sep, target = annotation.partition(":")
    if not sep or kind not in ("url",) or not target:
        return RepositoryURL(annotation, None)
    cleaned = plugin_repository_url(target)
    return RepositoryURL(annotation, cleaned, url_problem(target, cleaned))


def url_problem(target: str, cleaned: str) -> str | None:
    if "=" in cleaned:
        return "contains '=', which Coder's workspace search cannot match (param: takes at most one '=')"
    if "," in cleaned:
        return "contains ',', which Coder's workspace search splits into separate values"
    if "/-/tree/" in target or "/-/blob/" in target:
        return "is a GitLab file-browser URL, not a clone URL"
    if re.search(r"bitbucket\.org/[^/]+/[^/]+/src/", target):
        return "is a Bitbucket source-browser URL, not a clone URL"
    if cleaned == target and "/tree/" in target:
        return "points into a subfolder or a branch with '/', which the plugin does not strip"
    if "/blob/" in target:
        return "points at a file, not a repository"
    return None
