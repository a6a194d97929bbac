"""The resolved settings: the Backstage Coder plugin's ``CoderAppConfig`` plus this project's keys."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, get_args
from urllib.parse import SplitResult, urlsplit

__all__ = [
    "MODES",
    "SECRET_MASK",
    "SEVERITIES",
    "SOURCES",
    "AccessURLError",
    "FrozenMap",
    "Mode",
    "OAuthClient",
    "SettingOrigin",
    "Settings",
    "Severity",
    "Source",
    "WorkspaceDefaults",
    "normalize_access_url",
    "origin_of",
]

Mode = Literal["manual", "auto"]
MODES: tuple[Mode, ...] = get_args(Mode)

Severity = Literal["error", "warning", "info", "off"]
SEVERITIES: tuple[Severity, ...] = get_args(Severity)

Source = Literal[
    "override",
    "project-file",
    "app-config",
    "env:CODER_URL",
    "env:CODER_CATALOG_CA_BUNDLE",
    "coder-cli",
    "default",
]
SOURCES: tuple[str, ...] = get_args(Source)

K = TypeVar("K")
V = TypeVar("V")


class FrozenMap(Mapping[K, V]):
    """An immutable, hashable mapping that keeps insertion order (backed by a tuple of pairs)."""

    __slots__ = ("_index", "_items")

    def __init__(self, items: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        pairs = items.items() if isinstance(items, Mapping) else items
        index: dict[K, V] = {}
        for key, value in pairs:
            index[key] = value
        self._index = index
        self._items = tuple(index.items())

    def __getitem__(self, key: K) -> V:
        return self._index[key]

    def __iter__(self) -> Iterator[K]:
        return (key for key, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(frozenset(self._items))

    def __repr__(self) -> str:
        return f"FrozenMap({dict(self._items)!r})"


def _frozen_map(value: Mapping[K, V] | Iterable[tuple[K, V]]) -> FrozenMap[K, V]:
    return value if isinstance(value, FrozenMap) else FrozenMap(value)


@dataclass(frozen=True)
class WorkspaceDefaults:
    """``CoderAppConfig.workspaces``: what applies when a catalog file does not say."""

    default_template_name: str | None = None
    default_mode: Mode | None = None
    params: Mapping[str, str] = field(default_factory=FrozenMap)
    repo_url_param_keys: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", _frozen_map(self.params))
        object.__setattr__(self, "repo_url_param_keys", tuple(self.repo_url_param_keys))


#: how ``to_dict`` shows a secret setting (the OAuth client secret)
SECRET_MASK = "********"


@dataclass(frozen=True)
class OAuthClient:
    """``deployment.oauth``: the OAuth2 app registered on the deployment for coder-catalog."""

    client_id: str
    client_secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class SettingOrigin:
    """Where a setting's value came from (for hovers, docs and ``coder-catalog config``)."""

    #: "override" | "project-file" | "app-config" | "env:CODER_URL" |
    #: "env:CODER_CATALOG_CA_BUNDLE" | "coder-cli" | "default"
    source: str
    path: str | None = None
    line: int | None = None  # 1-based

    def describe(self) -> str:
        """E.g. ``project-file (/repo/.coder-catalog.yaml:3)`` or ``env:CODER_URL``."""
        if self.path is None:
            return self.source
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{self.source} ({where})"


@dataclass(frozen=True)
class Settings:
    """Everything the analysis needs to know about the Coder deployment and the project."""

    #: normalised ``scheme://host[:port][/path]`` without trailing slash
    access_url: str | None
    workspaces: WorkspaceDefaults
    #: path of a PEM CA bundle for TLS verification (None: system defaults / SSL_CERT_FILE)
    ca_bundle: str | None = None
    #: absolute path of a template snapshot file
    templates_snapshot: str | None = None
    #: extra glob patterns of catalog files, as written (relative to the project file's folder)
    catalog_globs: tuple[str, ...] = ()
    #: rule code -> "error" | "warning" | "info" | "off"
    rules: Mapping[str, str] = field(default_factory=FrozenMap)
    #: dotted setting path ("deployment.accessUrl", "workspaces.params.region") -> origin
    origins: Mapping[str, SettingOrigin] = field(default_factory=FrozenMap)
    #: the .coder-catalog.yaml used, if any
    project_file: str | None = None
    repository_root: str | None = None
    #: the OAuth2 app for signing in with ``coder-catalog login --oauth`` (``deployment.oauth``)
    oauth: OAuthClient | None = None
    #: ``deployment.accessUrl`` as the project file (or the editor) writes it, a trailing slash kept:
    #: the plugin builds its links from the app's value verbatim (None: from a lower source)
    access_url_as_written: str | None = None
    #: ``repository.url`` and ``.branch``: where Backstage reads the files from (what the settings leave
    #: unset is read from the repository's git files: see :mod:`coder_catalog.settings.git_repository`)
    repository_url: str | None = None
    repository_branch: str | None = None
    #: ``editor.workspaceLenses``: "coder" (entities with a spec.coder block) or "all"
    workspace_lenses: str = "coder"
    #: ``references.complete``: the files checked together hold the whole catalog, so a reference to an
    #: entity none of them defines is reported (CC601)
    references_complete: bool = False
    #: ``references.catalog``: folders holding the rest of the catalog (absolute), indexed with the files
    #: checked but not checked themselves; set, the catalog counts as complete
    references_catalog: tuple[str, ...] = ()

    @property
    def plugin_access_url(self) -> str | None:
        """The deployment URL as the plugin writes it into links (``<accessUrl>/templates/...``)."""
        return self.access_url_as_written or self.access_url

    def __post_init__(self) -> None:
        object.__setattr__(self, "catalog_globs", tuple(self.catalog_globs))
        object.__setattr__(self, "rules", _frozen_map(self.rules))
        object.__setattr__(self, "origins", _frozen_map(self.origins))

    @property
    def access_origin(self) -> str | None:
        """``scheme://host[:port]`` of the deployment, if known."""
        return origin_of(self.access_url) if self.access_url else None

    def origin(self, key: str) -> SettingOrigin | None:
        """Where the setting at dotted path ``key`` came from, if it is set."""
        return self.origins.get(key)

    def to_dict(self) -> dict[str, Any]:
        """The effective values in the project file's shape (unset values left out)."""
        result: dict[str, Any] = {}
        deployment: dict[str, Any] = {}
        if self.access_url is not None:
            deployment["accessUrl"] = self.access_url
        if self.oauth is not None:
            deployment["oauth"] = {"clientId": self.oauth.client_id}
            if self.oauth.client_secret is not None:
                deployment["oauth"]["clientSecret"] = SECRET_MASK
        if deployment:
            result["deployment"] = deployment
        ws = self.workspaces
        workspaces: dict[str, Any] = {}
        if ws.default_template_name is not None:
            workspaces["defaultTemplateName"] = ws.default_template_name
        if ws.default_mode is not None:
            workspaces["defaultMode"] = ws.default_mode
        if "workspaces.params" in self.origins or ws.params:
            workspaces["params"] = dict(ws.params)
        if ws.repo_url_param_keys:
            workspaces["repoUrlParamKeys"] = list(ws.repo_url_param_keys)
        if workspaces:
            result["workspaces"] = workspaces
        if self.templates_snapshot is not None:
            result["templates"] = self.templates_snapshot
        if self.catalog_globs:
            result["catalogGlobs"] = list(self.catalog_globs)
        if self.rules:
            result["rules"] = dict(self.rules)
        if self.ca_bundle is not None:
            result["tls"] = {"caBundle": self.ca_bundle}
        repository = {"url": self.repository_url, "branch": self.repository_branch}
        if any(repository.values()):
            result["repository"] = {k: v for k, v in repository.items() if v is not None}
        if self.workspace_lenses != "coder":
            result["editor"] = {"workspaceLenses": self.workspace_lenses}
        if self.references_complete or self.references_catalog:
            result["references"] = {"complete": self.references_complete}
            if self.references_catalog:
                result["references"]["catalog"] = list(self.references_catalog)
        return result


class AccessURLError(ValueError):
    """A URL that cannot be a Coder access URL.

    ``str()`` is a whole sentence (``Coder URL "ftp://x" must start with http:// or https://``);
    ``shown`` (the URL with any password masked) and ``problem`` let callers name the key
    instead: ``f'{key} "{error.shown}" {error.problem}'``.
    """

    def __init__(self, shown: str, problem: str) -> None:
        super().__init__(f'Coder URL "{shown}" {problem}')
        self.shown = shown
        self.problem = problem

    def for_key(self, key: str) -> str:
        return f'{key} "{self.shown}" {self.problem}'


_DEFAULT_PORTS = {"http": 80, "https": 443}
_CREDENTIALS = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#@]*)@")


def _mask(url: str) -> str:
    """The URL with any ``user:password@`` part masked, so secrets never reach a message."""
    return _CREDENTIALS.sub(lambda m: m.group(1) + "***@", url, count=1)


def _split(url: str) -> tuple[SplitResult, str, int | None]:
    text = url.strip()
    shown = _mask(text)
    if not text:
        raise AccessURLError(shown, "is empty")
    if any(ch.isspace() for ch in text):
        raise AccessURLError(shown, "must not contain spaces")
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        if "://" not in text:
            raise AccessURLError(shown, f"must start with http:// or https:// (e.g. https://{text})")
        raise AccessURLError(shown, "must start with http:// or https://")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise AccessURLError(shown, "must not contain credentials (user:password@)")
    if "?" in text or "#" in text:
        raise AccessURLError(shown, "must not have a query (?...) or a fragment (#...)")
    if not parts.hostname:
        raise AccessURLError(shown, "has no host name")
    try:
        port = parts.port
    except ValueError:
        raise AccessURLError(shown, "has an invalid port") from None
    return parts, shown, port


def _authority(parts: SplitResult, port: int | None) -> str:
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}:{port}"
    return f"{scheme}://{host}"


def normalize_access_url(url: str) -> str:
    """Normalise a Coder deployment URL to ``scheme://host[:port][/path]``.

    The scheme and host are lower-cased, a default port (80/443) and trailing slashes are
    dropped.  Raises :class:`AccessURLError` (a ``ValueError``) for anything but an http(s)
    URL with a host, and for URLs with credentials, a query or a fragment.
    """
    parts, _shown, port = _split(url)
    path = parts.path.rstrip("/")
    return _authority(parts, port) + path


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of an http(s) URL: scheme and host lower-cased, default ports
    dropped.  Path, query, fragment and credentials are ignored; raises :class:`AccessURLError`
    when the URL is not http(s) or has no host."""
    text = url.strip()
    shown = _mask(text)
    parts = urlsplit(text)
    if parts.scheme.lower() not in _DEFAULT_PORTS:
        raise AccessURLError(shown, "must start with http:// or https://")
    if not parts.hostname:
        raise AccessURLError(shown, "has no host name")
    try:
        port = parts.port
    except ValueError:
        raise AccessURLError(shown, "has an invalid port") from None
    return _authority(parts, port)
