"""The Backstage Coder plugin's workspace logic, without HTTP.

- Finding an entity's workspaces: for each ``repoUrlParamKeys`` key the plugin asks
  ``owner:me param:"<key>=<repository URL>"`` and merges the answers by workspace id. Coder
  lower-cases the whole query, splits ``param:`` values on commas and rejects a value with more
  than one ``=``: a URL with ``,`` could match other entities' workspaces and one with ``=`` is
  refused, so for such a URL nothing is listed and the note says why. Without a repository URL
  (or without ``repoUrlParamKeys``), the user's workspaces of the entity's template are listed.
- Workspace names follow Coder's rules (1-32 characters, ``^[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*$``,
  not ``new`` or ``create``), derived from the entity name and made unique for the user with
  ``-2``, ``-3``... suffixes (Coder compares names case-insensitively).
- The manual-mode create link is the plugin's own (:meth:`EffectiveCoder.create_link`).
- Coder's refusals become sentences that name the parameter and where its value came from.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from coder_catalog.analysis.effective import EffectiveCoder, ParamValue
from coder_catalog.analysis.repository import RepositoryURL
from coder_catalog.coder.errors import (
    BadRequest,
    CoderError,
    CoderHTTPError,
    CoderUnreachable,
    Conflict,
    FieldError,
    Forbidden,
    InsecureDeploymentURL,
    NotFound,
    TooEarly,
    Unauthorized,
)
from coder_catalog.coder.models import Workspace
from coder_catalog.settings import Settings

MAX_NAME_LENGTH = 32
NAME_PATTERN = re.compile(r"^[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*$")
RESERVED_NAMES = frozenset({"new", "create"})
FALLBACK_NAME = "workspace"

# "repository": the plugin's queries for the repository URL; "all": no repository URL, so the plugin's
# plain query (all the user's workspaces); "none": nothing is asked (a URL Coder cannot match).
SearchBasis = Literal["repository", "all", "none"]
PLAIN_QUERY = "owner:me"  # the card's default filter


# -- finding an entity's workspaces ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkspaceSearch:
    """The workspace queries for one entity; ``note`` says why the list may be empty or partial."""

    queries: tuple[str, ...]
    basis: SearchBasis
    note: str | None = None


def unmatchable_reason(value: str) -> str | None:
    """Why Coder's ``param:"<key>=<value>"`` search cannot match exactly this value, if it cannot."""
    if "=" in value:
        return "contains '=', and Coder's search refuses a param: value with more than one '='"
    if "," in value:
        return (
            "contains ',', and Coder's search splits param: values on commas (it could match other entities)"
        )
    if '"' in value:
        return "contains a double quote, which ends the quoted param: term"
    if value != value.strip():
        return "starts or ends with spaces, which Coder's search drops"
    return None


def workspace_search(effective: EffectiveCoder, repo_url_param_keys: Iterable[str]) -> WorkspaceSearch:
    """The queries the plugin sends for an entity (``GET /api/v2/workspaces?q=...&limit=0``)."""
    if effective.rejected is not None:
        return WorkspaceSearch(
            (),
            "none",
            f"the plugin refuses this spec.coder block and its card shows Backstage's error panel (\"Error in "
            f'coder: {effective.rejected}") instead of workspaces',
        )
    repository = effective.repository
    url = repository.url
    if url is None:
        return WorkspaceSearch(
            (PLAIN_QUERY,),
            "all",
            f"{no_repository_reason(repository)}: like the plugin's card, this lists all your workspaces",
        )
    reason = unmatchable_reason(url)
    if reason is not None:
        return WorkspaceSearch(
            (),
            "none",
            f"the repository URL {url} {reason}: no workspace can be matched to this entity (the plugin would "
            "send the query anyway; coder-catalog does not, so as not to list another entity's workspaces)",
        )
    keys = [key for key in repo_url_param_keys if key]
    if not keys:
        return WorkspaceSearch(
            (),
            "repository",
            f'workspaces.repoUrlParamKeys is empty, so the plugin asks for nothing and shows "No workspaces '
            f'found for repo {url}"',
        )
    queries = tuple(dict.fromkeys(f'{PLAIN_QUERY} param:"{key}={url}"' for key in keys))
    note = f"the repository URL {url} {repository.problem}" if repository.problem else None
    return WorkspaceSearch(queries, "repository", note)


def no_repository_reason(repository: RepositoryURL) -> str:
    """Why the plugin knows no repository URL for the entity, naming the rule that says how to fix it."""
    annotation = repository.annotation
    if annotation is None:
        return (
            "no repository URL: the file sets no backstage.io/source-location annotation (CC401; Backstage "
            "fills it at ingestion for URL locations)"
        )
    if annotation.strip().startswith(("http://", "https://")):
        return (
            f"no repository URL: backstage.io/source-location is a bare URL, which Backstage cannot read (CC402: "
            f'write "url:{annotation.strip()}")'
        )
    return f'no repository URL found for this entity (backstage.io/source-location is "{annotation}")'


def query_key(query: str) -> str:
    """The ``repoUrlParamKeys`` key a repository query is about (for a message about a failed one)."""
    _prefix, _sep, rest = query.partition('param:"')
    return rest.partition("=")[0] or query


def merge_by_id(results: Iterable[Iterable[Workspace]]) -> list[Workspace]:
    """The answers of several queries, each workspace once, as the plugin's ``Map`` keeps them: in the
    order first seen, with the last answer's data."""
    merged: dict[str, Workspace] = {}
    for workspaces in results:
        for workspace in workspaces:
            merged[workspace.id] = workspace
    return list(merged.values())


# -- names -----------------------------------------------------------------------------------------------


def is_valid_workspace_name(name: str) -> bool:
    return (
        0 < len(name) <= MAX_NAME_LENGTH
        and NAME_PATTERN.match(name) is not None
        and name.lower() not in RESERVED_NAMES
    )


def name_problem(name: str) -> str | None:
    """Why Coder would refuse this workspace name, if it would."""
    if not name:
        return "a workspace name cannot be empty"
    if len(name) > MAX_NAME_LENGTH:
        return f'"{name}" is longer than {MAX_NAME_LENGTH} characters'
    if name.lower() in RESERVED_NAMES:
        return f'"{name}" is reserved by Coder'
    if not NAME_PATTERN.match(name):
        return f'"{name}" may hold only letters, digits and single hyphens between them'
    return None


def base_workspace_name(entity_name: str | None) -> str:
    """A valid workspace name from an entity name: ASCII letters and digits, runs of anything
    else as one hyphen, lower case, at most 32 characters."""
    text = unicodedata.normalize("NFKD", entity_name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    base = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:MAX_NAME_LENGTH].rstrip("-")
    if not base:
        return FALLBACK_NAME
    if base in RESERVED_NAMES:
        return f"{base}-{FALLBACK_NAME}"
    return base


def numbered_name(base: str, number: int) -> str:
    """``base`` for 1, else ``base-N`` shortened to fit 32 characters."""
    if number <= 1:
        return base
    suffix = f"-{number}"
    stem = base[: MAX_NAME_LENGTH - len(suffix)].rstrip("-") or FALLBACK_NAME[: MAX_NAME_LENGTH - len(suffix)]
    return stem + suffix


def free_workspace_names(entity_name: str | None, taken: Iterable[str]) -> Iterator[str]:
    """The entity's workspace names not among the user's (``base``, ``base-2``, ``base-3``...)."""
    used = {name.lower() for name in taken}
    base = base_workspace_name(entity_name)
    for number in itertools.count(1):
        candidate = numbered_name(base, number)
        if candidate.lower() not in used:
            yield candidate


def unique_workspace_name(entity_name: str | None, taken: Iterable[str]) -> str:
    """The entity's workspace name, with the first free ``-N`` suffix among the user's names."""
    return next(free_workspace_names(entity_name, taken))


# -- the create link -----------------------------------------------------------------------------------


def create_link(effective: EffectiveCoder, settings: Settings) -> str | None:
    """Coder's pre-filled create page with every effective parameter, as the plugin builds it (from
    the app's access URL as written)."""
    return effective.create_link(settings.plugin_access_url)


def cannot_create_reason(effective: EffectiveCoder, settings: Settings) -> str | None:
    if effective.rejected is not None:
        return f'the card shows Backstage\'s error panel instead of workspaces ("Error in coder": {effective.rejected})'
    if effective.template_name is None:
        return "no template name (spec.coder.templateName or workspaces.defaultTemplateName), so no workspace can be created"
    if not effective.template_name:
        return "templateName is empty, which overrides workspaces.defaultTemplateName: no workspace can be created"
    if not settings.access_url:
        return "no Coder deployment is configured (deployment.accessUrl)"
    return None


# -- readable refusals ---------------------------------------------------------------------------------

_SOURCES = {
    "catalog": "set in spec.coder.params",
    "app-default": "from workspaces.params",
    "repository-url": "the repository URL (workspaces.repoUrlParamKeys)",
    "plugin-default": "the plugin's default",
}
PARAMETER_VALIDATION_FAILED = "parameter validation failed"
_PARAMETER_IN_MESSAGE = re.compile(r'parameter "([^"]+)"')


def describe_error(error: CoderError, deployment: str = "") -> str:
    """Any failure of a Coder request, as a sentence for the user."""
    where = deployment or error.deployment or "the deployment"
    if isinstance(error, Unauthorized):
        return (
            f"the Coder session token for {where} was rejected (401: {error.detail or 'signed out'}): "
            "sign in again (`coder-catalog login`, `coder login`, or CODER_SESSION_TOKEN)"
        )
    if isinstance(error, CoderUnreachable):
        return f"cannot reach the Coder deployment {where} ({error.message})"
    if isinstance(error, InsecureDeploymentURL):
        return error.message
    if isinstance(error, Forbidden):
        return f"Coder refused: {_message_and_detail(error)}"
    if isinstance(error, TooEarly):
        return "the template's active version is still being imported by Coder; try again shortly"
    if isinstance(error, CoderHTTPError):
        return f"Coder answered {error.status}: {_message_and_detail(error)}"
    return str(error)


def describe_create_error(
    error: CoderError, *, template: str, name: str, params: Mapping[str, ParamValue]
) -> str:
    """Why Coder refused to create the workspace: the name, the template, or each parameter."""
    if isinstance(error, Conflict):
        return f'you already have a workspace named "{name}": open it, or choose another name'
    if isinstance(error, BadRequest):
        if "deprecated" in error.message.lower():
            reason = f": {error.detail}" if error.detail else ""
            return f'template "{template}" is deprecated and cannot be used to create a workspace{reason}'
        problems = [_field_problem(v, name, template, params) for v in _field_errors(error)]
        if problems:
            return "Coder refused the workspace: " + "; ".join(problems)
    if isinstance(error, NotFound):
        return f'template "{template}" was not found on the deployment (or is not visible to you)'
    return describe_error(error)


def describe_build_error(error: CoderError, workspace: str, transition: str) -> str:
    if isinstance(error, Conflict):
        return f"a build of {workspace} is already running: wait for it to finish, then {transition} it"
    return describe_error(error)


def _field_errors(error: CoderHTTPError) -> list[FieldError]:
    if error.validations:
        return list(error.validations)
    found = _PARAMETER_IN_MESSAGE.search(error.message)
    if not found:
        return []
    # Coder joins a sentinel error with codersdk's ("parameter validation failed\n<why>").
    detail = (error.detail or "").removeprefix(PARAMETER_VALIDATION_FAILED + "\n")
    return [FieldError(found.group(1), detail or error.message)]


def _field_problem(problem: FieldError, name: str, template: str, params: Mapping[str, ParamValue]) -> str:
    if problem.field == "name":
        return f'the name "{name}": {problem.detail}'
    if problem.field in ("template_id", "template_version_id"):
        return f'template "{template}": {problem.detail}'
    value = params.get(problem.field)
    if value is None:
        origin = "not set in spec.coder.params nor in workspaces.params"
    else:
        origin = f'"{value.value}", {_SOURCES.get(value.source, value.source)}'
    return f'parameter "{problem.field}" ({origin}): {problem.detail}'


def _message_and_detail(error: CoderHTTPError) -> str:
    return f"{error.message} ({error.detail})" if error.detail else error.message
