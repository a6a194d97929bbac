"""Compute the effective :class:`Settings` for a catalog file from every settings source.

Sources, highest precedence first (each setting is taken from the highest source that sets it):

1. ``overrides``: editor settings or CLI flags, shaped like the project file;
2. the nearest ``.coder-catalog.yaml`` / ``.coder-catalog.yml`` up to the repository root;
3. the Backstage ``app-config.yaml`` (+ ``app-config.local.yaml``) at the repository root
   (access URL only);
4. the ``CODER_URL`` environment variable (access URL only);
5. the Coder CLI's ``url`` file (access URL only).

The CA bundle falls back to ``CODER_CATALOG_CA_BUNDLE`` after the project file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from ._validate import describe_path, show_value, validate_settings_data
from ._yaml import JsonPath, LoadedYAML, decode_yaml_bytes, load_yaml_text
from .coder_cli import coder_cli_url_file, read_coder_cli_url
from .errors import SettingsError
from .git_repository import read_git_remote
from .model import (
    AccessURLError,
    FrozenMap,
    Mode,
    OAuthClient,
    SettingOrigin,
    Settings,
    WorkspaceDefaults,
    normalize_access_url,
)

__all__ = [
    "APP_CONFIG_NAMES",
    "CA_BUNDLE_ENV",
    "CODER_URL_ENV",
    "OVERRIDES_PATH",
    "PROJECT_FILE_NAMES",
    "ProjectFile",
    "check_project_text",
    "find_project_file",
    "find_repository_root",
    "load_project_file",
    "resolve_settings",
]

PROJECT_FILE_NAMES = (".coder-catalog.yaml", ".coder-catalog.yml")
APP_CONFIG_NAMES = ("app-config.yaml", "app-config.local.yaml")  # later files win
CA_BUNDLE_ENV = "CODER_CATALOG_CA_BUNDLE"
CODER_URL_ENV = "CODER_URL"
#: the ``path`` of errors found in editor/CLI overrides
OVERRIDES_PATH = "settings"
_MAX_FILE_SIZE = 4 * 1024 * 1024
_ACCESS_URL = "deployment.accessUrl"
_ACCESS_URL_AS_WRITTEN = "deployment.accessUrl (as written)"  # not a setting of its own


# -- locating files ----------------------------------------------------------------------------


def _is(path: Path, check: Callable[[Path], bool]) -> bool:
    try:
        return check(path)
    except OSError:
        return False


def _upwards(start: Path) -> Iterator[Path]:
    yield start
    yield from start.parents


def find_repository_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that contains ``.git`` (file or folder)."""
    for folder in _upwards(start):
        if _is(folder / ".git", Path.exists):
            return folder
    return None


def find_project_file(start: Path, repository_root: Path | None = None) -> Path | None:
    """The nearest ``.coder-catalog.yaml`` (or ``.yml``) from ``start`` up to ``repository_root``
    (inclusive; up to the filesystem root when None)."""
    for folder in _upwards(start):
        for name in PROJECT_FILE_NAMES:
            candidate = folder / name
            if _is(candidate, Path.is_file):
                return candidate
        if repository_root is not None and folder == repository_root:
            break
    return None


def _read_yaml_file(path: Path) -> LoadedYAML:
    try:
        with path.open("rb") as handle:
            data = handle.read(_MAX_FILE_SIZE + 1)
    except OSError as error:
        raise SettingsError(f"cannot read the file: {error.strerror or error}", path=str(path)) from None
    if len(data) > _MAX_FILE_SIZE:
        raise SettingsError("the file is too large for a settings file", path=str(path))
    return load_yaml_text(decode_yaml_bytes(data, str(path)), str(path))


# -- the project file --------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectFile:
    """A parsed and validated ``.coder-catalog.yaml``."""

    path: Path
    data: dict[str, Any]
    loaded: LoadedYAML = field(repr=False, compare=False)


def _validated(loaded: LoadedYAML) -> list[SettingsError]:
    if loaded.data is None:  # an empty file sets nothing
        loaded.data = {}
    return validate_settings_data(
        loaded.data, file=loaded.path, loaded=loaded, root_name="the project file", source="project-file"
    )


def _first_of(errors: list[SettingsError]) -> SettingsError:
    first = errors[0]
    first.other_errors = tuple(errors[1:])
    return first


def check_project_text(text: str, path: str) -> list[SettingsError]:
    """Every problem in the text of a project file, in document order ([] when it is valid);
    for an editor showing ``.coder-catalog.yaml`` itself."""
    try:
        return _validated(load_yaml_text(text, path))
    except SettingsError as error:
        error.source = "project-file"
        return [error]


def load_project_file(path: Path) -> ProjectFile:
    """Read and validate a project file; raises :class:`SettingsError` at the first problem
    (any further ones are in its ``other_errors``)."""
    try:
        loaded = _read_yaml_file(path)
    except SettingsError as error:
        error.source = "project-file"
        raise
    errors = _validated(loaded)
    if errors:
        raise _first_of(errors)
    return ProjectFile(path=path, data=cast(dict[str, Any], loaded.data), loaded=loaded)


# -- overrides ---------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """Overrides as JSON-like data: tuples become lists, mappings dicts, None members dropped."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items() if item is not None}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _validated_overrides(overrides: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(overrides, Mapping):
        raise SettingsError(
            f"the settings must be a mapping, not {type(overrides).__name__}",
            path=OVERRIDES_PATH,
            source="override",
        )
    data = _plain(overrides)
    errors = validate_settings_data(data, file=OVERRIDES_PATH, root_name="the settings", source="override")
    if errors:
        raise _first_of(errors)
    return cast(dict[str, Any], data)


# -- one source's values -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Value:
    value: Any
    origin: SettingOrigin
    #: origins of the members of a whole-taken value (``workspaces.params.<name>``)
    member_origins: tuple[tuple[str, SettingOrigin], ...] = ()


_Layer = dict[str, _Value]


def _expand_home(text: str, env: Mapping[str, str]) -> str:
    if text == "~" or text.startswith(("~/", "~\\")):
        home = env.get("HOME") or env.get("USERPROFILE") or str(Path.home())
        return home + text[1:]
    return text


def _absolute(text: str, base: Path, env: Mapping[str, str]) -> str:
    expanded = Path(_expand_home(text, env))
    return os.path.normpath(expanded if expanded.is_absolute() else base / expanded)


def _layer_from(
    data: dict[str, Any],
    *,
    source: str,
    base: Path,
    env: Mapping[str, str],
    loaded: LoadedYAML | None = None,
) -> _Layer:
    """The settings a validated project-file-shaped mapping sets, with their origins."""
    path = loaded.path if loaded is not None else None

    def origin(at: JsonPath) -> SettingOrigin:
        line = loaded.key_span(at).line if loaded is not None else None
        return SettingOrigin(source=source, path=path, line=line)

    layer: _Layer = {}

    def put(at: JsonPath, value: Any, members: tuple[tuple[str, SettingOrigin], ...] = ()) -> None:
        layer[".".join(str(part) for part in at)] = _Value(value, origin(at), members)

    deployment = data.get("deployment", {})
    if "accessUrl" in deployment:
        put(("deployment", "accessUrl"), normalize_access_url(deployment["accessUrl"]))
        # the plugin's links use the app's accessUrl as written (a trailing slash kept)
        layer[_ACCESS_URL_AS_WRITTEN] = _Value(
            deployment["accessUrl"].strip(), origin(("deployment", "accessUrl"))
        )
    for key in ("clientId", "clientSecret"):
        if key in deployment.get("oauth", {}):
            put(("deployment", "oauth", key), deployment["oauth"][key])
    workspaces = data.get("workspaces", {})
    if "defaultTemplateName" in workspaces:
        put(("workspaces", "defaultTemplateName"), workspaces["defaultTemplateName"])
    if "defaultMode" in workspaces:
        put(("workspaces", "defaultMode"), workspaces["defaultMode"])
    if "params" in workspaces:
        params = workspaces["params"]
        members = tuple(
            (f"workspaces.params.{name}", origin(("workspaces", "params", name))) for name in params
        )
        put(("workspaces", "params"), FrozenMap(params), members)
    if "repoUrlParamKeys" in workspaces:
        put(("workspaces", "repoUrlParamKeys"), tuple(workspaces["repoUrlParamKeys"]))
    if "templates" in data:
        put(("templates",), _absolute(data["templates"], base, env))
    if "catalogGlobs" in data:
        put(("catalogGlobs",), tuple(data["catalogGlobs"]))
    for key in ("url", "branch"):
        if key in data.get("repository", {}):
            put(("repository", key), data["repository"][key].strip())
    if "workspaceLenses" in data.get("editor", {}):
        put(("editor", "workspaceLenses"), data["editor"]["workspaceLenses"])
    if "complete" in data.get("references", {}):
        put(("references", "complete"), data["references"]["complete"])
    if "catalog" in data.get("references", {}):
        put(("references", "catalog"), tuple(_absolute(p, base, env) for p in data["references"]["catalog"]))
    for code, severity in data.get("rules", {}).items():
        put(("rules", code), severity)
    tls = data.get("tls", {})
    if "caBundle" in tls:
        put(("tls", "caBundle"), _absolute(tls["caBundle"], base, env))
    return layer


# -- Backstage app-config.yaml -----------------------------------------------------------------

_SUBSTITUTION = re.compile(r"(\$?\$\{[^{}]*\})")


def _env_value(name: str, env: Mapping[str, str]) -> str | None:
    value = env.get(name.strip())
    if value is None:
        return None
    return value.strip() or None


def substitute_env(text: str, env: Mapping[str, str]) -> str | None:
    """Backstage's ``${VAR}`` substitution (``${VAR:-fallback}``, ``$${`` escapes); None when a
    variable is missing, as Backstage then drops the whole value."""
    parts: list[str | None] = list(_SUBSTITUTION.split(text))
    for index in range(1, len(parts), 2):
        part = cast(str, parts[index])
        if part.startswith("$$"):
            parts[index] = part[1:]
            continue
        inner = part[2:-1]
        if ":-" in inner:
            name, fallback = inner.split(":-", 1)
            parts[index] = _env_value(name, env) or fallback.strip() or None
        else:
            parts[index] = _env_value(inner, env)
    if any(part is None for part in parts):
        return None
    return "".join(cast(list[str], parts))


@dataclass(frozen=True)
class _AppConfigURL:
    url: str
    origin: SettingOrigin


def _load_app_configs(root: Path) -> list[LoadedYAML]:
    """The repository's app-config files, highest precedence first; unreadable or invalid
    YAML files are skipped silently (they are not ours)."""
    found: list[LoadedYAML] = []
    for name in reversed(APP_CONFIG_NAMES):
        path = root / name
        if not _is(path, Path.is_file):
            continue
        try:
            loaded = _read_yaml_file(path)
        except SettingsError:
            continue
        if isinstance(loaded.data, dict):
            found.append(loaded)
    return found


def _get(data: Any, path: JsonPath) -> Any:
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _config_string(
    loaded: LoadedYAML, at: JsonPath, env: Mapping[str, str], *, allow_mapping: bool
) -> tuple[str, JsonPath] | None:
    """The string at ``at`` after Backstage's transforms; None when unset or unknowable."""
    value = _get(loaded.data, at)
    if value is None:
        return None
    if isinstance(value, str):
        text = substitute_env(value, env)
        return (text, at) if text and text.strip() else None
    if isinstance(value, dict):
        if set(value) == {"$env"} and isinstance(value["$env"], str):
            text = _env_value(value["$env"], env)
            return (text, at) if text else None
        if allow_mapping and "target" in value:
            return _config_string(loaded, (*at, "target"), env, allow_mapping=False)
        if any(key.startswith("$") for key in value) or allow_mapping:
            return None  # $file / $include / a mapping without target: nothing we can read
    span = loaded.value_span(at)
    raise SettingsError(
        f"{describe_path(at)} must be a URL, not {show_value(value)}",
        path=loaded.path,
        line=span.line,
        column=span.column,
        end_line=span.end_line,
        end_column=span.end_column,
        key=describe_path(at),
        source="app-config",
    )


_API_SUFFIX = re.compile(r"/api/v2/*$")


def _access_url_from_app_config(root: Path, env: Mapping[str, str]) -> _AppConfigURL | None:
    configs = _load_app_configs(root)
    lookups: list[tuple[JsonPath, bool]] = [
        (("coder", "deployment", "accessUrl"), False),
        (("proxy", "endpoints", "/coder"), True),
        (("proxy", "/coder"), True),  # the proxy's older layout, without "endpoints"
    ]
    for at, is_proxy in lookups:
        for loaded in configs:
            found = _config_string(loaded, at, env, allow_mapping=is_proxy)
            if found is None:
                continue
            text, value_at = found
            candidate = text.strip()
            if is_proxy:
                candidate = _API_SUFFIX.sub("", candidate.rstrip("/"))
            span = loaded.value_span(value_at)
            try:
                url = normalize_access_url(candidate)
            except AccessURLError as error:
                raise SettingsError(
                    error.for_key(describe_path(value_at)),
                    path=loaded.path,
                    line=span.line,
                    column=span.column,
                    end_line=span.end_line,
                    end_column=span.end_column,
                    key=describe_path(value_at),
                    source="app-config",
                ) from None
            return _AppConfigURL(url, SettingOrigin("app-config", loaded.path, span.line))
    return None


# -- lower sources of the access URL -----------------------------------------------------------


def _access_url_from_env(env: Mapping[str, str]) -> _Value | None:
    text = env.get(CODER_URL_ENV, "").strip()
    if not text:
        return None
    try:
        url = normalize_access_url(text)
    except AccessURLError as error:
        raise SettingsError(
            error.for_key(CODER_URL_ENV),
            path=f"env:{CODER_URL_ENV}",
            key=_ACCESS_URL,
            source=f"env:{CODER_URL_ENV}",
        ) from None
    return _Value(url, SettingOrigin(f"env:{CODER_URL_ENV}"))


def _access_url_from_coder_cli(env: Mapping[str, str]) -> _Value | None:
    text = read_coder_cli_url(env)
    if text is None:
        return None
    path = str(coder_cli_url_file(env))
    try:
        url = normalize_access_url(text)
    except AccessURLError as error:
        raise SettingsError(
            error.for_key("the URL saved by `coder login`"),
            path=path,
            line=1,
            column=1,
            key=_ACCESS_URL,
            source="coder-cli",
        ) from None
    return _Value(url, SettingOrigin("coder-cli", path, 1))


def _access_url_fallback(root: Path | None, env: Mapping[str, str]) -> _Value | None:
    if root is not None:
        found = _access_url_from_app_config(root, env)
        if found is not None:
            return _Value(found.url, found.origin)
    return _access_url_from_env(env) or _access_url_from_coder_cli(env)


def _ca_bundle_from_env(env: Mapping[str, str], cwd: Path) -> _Value | None:
    text = env.get(CA_BUNDLE_ENV, "").strip()
    if not text:
        return None
    return _Value(_absolute(text, cwd, env), SettingOrigin(f"env:{CA_BUNDLE_ENV}"))


# -- putting it together -----------------------------------------------------------------------


def _start_folder(catalog_path: str | Path | None, cwd: Path) -> Path:
    if catalog_path is None:
        return cwd
    path = Path(os.path.normpath(cwd / Path(catalog_path)))
    return path if _is(path, Path.is_dir) else path.parent


def resolve_settings(
    catalog_path: str | Path | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Settings:
    """The effective settings for the catalog file at ``catalog_path`` (a file or a folder; it
    need not exist; None: start from ``cwd``).

    ``overrides`` has the project file's shape and wins over every other source; relative
    paths in it are resolved against ``cwd``.  ``env`` defaults to ``os.environ`` and ``cwd``
    to the process's working directory.  Every failure is a :class:`SettingsError`.
    """
    env = os.environ if env is None else env
    cwd = Path(os.path.abspath(Path.cwd() if cwd is None else cwd))
    start = _start_folder(catalog_path, cwd)
    root = find_repository_root(start)

    layers: list[_Layer] = []
    if overrides is not None:
        layers.append(_layer_from(_validated_overrides(overrides), source="override", base=cwd, env=env))
    project_path = find_project_file(start, root)
    if project_path is not None:
        project = load_project_file(project_path)
        layers.append(
            _layer_from(
                project.data, source="project-file", base=project_path.parent, env=env, loaded=project.loaded
            )
        )

    chosen: dict[str, _Value] = {}
    for layer in layers:
        for key, setting in layer.items():
            chosen.setdefault(key, setting)
    if _ACCESS_URL not in chosen:
        fallback = _access_url_fallback(root, env)
        if fallback is not None:
            chosen[_ACCESS_URL] = fallback
    if "tls.caBundle" not in chosen:
        ca_bundle = _ca_bundle_from_env(env, cwd)
        if ca_bundle is not None:
            chosen["tls.caBundle"] = ca_bundle

    origins: dict[str, SettingOrigin] = {}
    for key in sorted(chosen):
        if key == _ACCESS_URL_AS_WRITTEN:
            continue
        origins[key] = chosen[key].origin
        origins.update(chosen[key].member_origins)

    def value(key: str) -> Any:
        found = chosen.get(key)
        return found.value if found is not None else None

    workspaces = WorkspaceDefaults(
        default_template_name=value("workspaces.defaultTemplateName"),
        default_mode=cast("Mode | None", value("workspaces.defaultMode")),
        params=value("workspaces.params") or FrozenMap(),
        repo_url_param_keys=value("workspaces.repoUrlParamKeys") or (),
    )
    client_id = value("deployment.oauth.clientId")
    oauth = OAuthClient(client_id, value("deployment.oauth.clientSecret")) if client_id else None
    rules = {key[len("rules.") :]: chosen[key].value for key in sorted(chosen) if key.startswith("rules.")}
    repository_url, repository_branch = value("repository.url"), value("repository.branch")
    if root is not None and (repository_url is None or repository_branch is None):
        remote = read_git_remote(root)  # files only, no git process
        if repository_url is None and remote.url is not None:
            repository_url = remote.url
            origins["repository.url"] = SettingOrigin("git", remote.config)
        if repository_branch is None and remote.branch is not None:
            repository_branch = remote.branch
            origins["repository.branch"] = SettingOrigin("git", str(root / ".git"))
    written = chosen.get(_ACCESS_URL_AS_WRITTEN)
    return Settings(
        access_url=value(_ACCESS_URL),
        # as written, when the access URL in force is the one written there (not a lower source's)
        access_url_as_written=(
            written.value if written is not None and written.origin == origins.get(_ACCESS_URL) else None
        ),
        workspaces=workspaces,
        ca_bundle=value("tls.caBundle"),
        templates_snapshot=value("templates"),
        catalog_globs=value("catalogGlobs") or (),
        rules=FrozenMap(rules),
        origins=FrozenMap(origins),
        project_file=str(project_path) if project_path is not None else None,
        repository_root=str(root) if root is not None else None,
        oauth=oauth,
        repository_url=repository_url,
        repository_branch=repository_branch,
        workspace_lenses=value("editor.workspaceLenses") or "coder",
        references_complete=value("references.complete") is True or bool(value("references.catalog")),
        references_catalog=value("references.catalog") or (),
    )
