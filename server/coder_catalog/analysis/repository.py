"""The repository URL, as the Backstage plugin derives it from ``backstage.io/source-location``.

Backstage's ``getEntitySourceLocation`` reads the annotation with ``parseLocationRef``: the value is
split at the first ``:`` and both parts are trimmed; an empty part, or the type ``http``/``https`` (a
bare URL), gives no location; any other type (``url``, ``github``, ``file``...) gives its target.
The plugin then strips one trailing ``/tree/<branch>`` whose branch is made of ASCII letters, digits,
``_``, ``.`` and ``-`` (the JavaScript regex ``/\\/tree\\/[\\w._-]+\\/?$/``), and nothing else. The
workspace search lower-cases the query, splits values on commas and rejects a value with more than one
``=``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The plugin's regex; \w in JavaScript is ASCII only.
_TREE_SUFFIX = re.compile(r"/tree/[A-Za-z0-9_.\-]+/?$")
_TREE_ANY = re.compile(r"/tree/[^/]+/?$")


@dataclass(frozen=True, slots=True)
class RepositoryURL:
    annotation: str | None  # the raw annotation value, None when absent
    url: str | None  # what the plugin sends, None when no URL is known
    problem: str | None = None  # why the URL the plugin sends is not a clone URL or cannot be matched
    location_type: str | None = None  # the location reference's type ("url", "github", ...)
    #: the file sets no annotation: this is the one Backstage writes at ingestion (from git or settings)
    derived: bool = False


def plugin_repository_url(target: str) -> str:
    """The plugin's cleaning of a location target."""
    return _TREE_SUFFIX.sub("", target)


# Backstage refuses a target that is a javascript: URL, however it is disguised.
_SCRIPT_PROTOCOL = re.compile(
    r"^[\x00-\x1f ]*j[\r\n\t]*a[\r\n\t]*v[\r\n\t]*a[\r\n\t]*s[\r\n\t]*c[\r\n\t]*r[\r\n\t]*i[\r\n\t]*p"
    r"[\r\n\t]*t[\r\n\t]*:",
    re.IGNORECASE,
)


def parse_location_ref(value: str) -> tuple[str, str] | None:
    """``(type, target)`` as Backstage's ``parseLocationRef`` reads ``value``, or None where it throws."""
    type_, colon, target = value.partition(":")
    type_, target = _js_trim(type_), _js_trim(target)
    if not colon or not type_ or not target or type_ in ("http", "https"):
        return None
    if _SCRIPT_PROTOCOL.match(target):
        return None
    return type_, target


def _js_trim(text: str) -> str:
    """JavaScript's ``String.prototype.trim`` (its white space and line terminators)."""
    return text.strip(
        " \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
        "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
    )


def repository_url(annotation: str | None) -> RepositoryURL:
    if annotation is None:
        return RepositoryURL(None, None)
    parsed = parse_location_ref(annotation)
    if parsed is None:
        return RepositoryURL(annotation, None)
    location_type, target = parsed
    cleaned = plugin_repository_url(target)
    return RepositoryURL(annotation, cleaned, url_problem(target, cleaned), location_type)


def url_problem(target: str, cleaned: str) -> str | None:
    if "=" in cleaned:
        return "contains '=', which Coder's workspace search cannot match (param: takes at most one '=')"
    if "," in cleaned:
        return "contains ',', which Coder's workspace search splits into separate values"
    if "/-/tree/" in target or "/-/blob/" in target:
        return "is a GitLab file-browser URL, not a clone URL"
    if re.search(r"bitbucket\.org/[^/]+/[^/]+/src/", target):
        return "is a Bitbucket source-browser URL, not a clone URL"
    if cleaned == target and _TREE_ANY.search(target):
        return (
            "ends with a /tree/<branch> the plugin does not strip: it strips a branch made only of ASCII "
            "letters, digits, '_', '.' and '-'"
        )
    if cleaned == target and "/tree/" in target:
        return "points into a subfolder or a branch with '/', which the plugin does not strip"
    if "/blob/" in target:
        return "points at a file, not a repository"
    return None
