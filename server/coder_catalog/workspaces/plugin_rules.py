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

MAX_NAME_LENGTH = 32
NAME_PATTERN = re.compile(r"^[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*$")
RESERVED_NAMES = frozenset({"new", "create"})
FALLBACK_NAME = "workspace"

SearchBasis = Literal["repository", "template", "none"]


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
    repository = effective.repository
    url = repository.url
    if url is None:
        return _template_search(effective, no_repository_reason(repository))
    reason = unmatchable_reason(url)
    if reason is not None:
        return WorkspaceSearch(
            (), "none", f"the repository URL {url} {reason}: no workspace can be matched to this entity"
        )
    keys = [key for key in repo_url_param_keys if key and unmatchable_reason(key) is None]
    if not keys:
        return _template_search(effective, "workspaces.repoUrlParamKeys is not set")
    queries = tuple(dict.fromkeys(f'owner:me param:"{key}={url}"' for key in keys))
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
    if annotation.startswith(("http://", "https://")):
        return (
            f"no repository URL: backstage.io/source-location is a bare URL, which Backstage rejects (CC402: "
            f'write "url:{annotation}")'
        )
    return f'no repository URL found for this entity (backstage.io/source-location is "{annotation}")'


def _template_search(effective: EffectiveCoder, reason: str) -> WorkspaceSearch:
    template = effective.template_name
    if not template:
        return WorkspaceSearch((), "none", f"{reason} and no template is known: no workspace can be found")
    if not NAME_PATTERN.match(template):
        return WorkspaceSearch((), "none", f'{reason}, and "{template}" is not a valid template name')
    return WorkspaceSearch(
        (f"owner:me template:{template}",),
        "template",
        f"{reason}: showing your workspaces of template {template}",
    )


def merge_by_id(results: Iterable[Iterable[Workspace]]) -> list[Workspace]:
    """The answers of several queries, each workspace once, most recently used first."""
    merged: dict[str, Workspace] = {}
    for workspaces in results:
        for workspace in workspaces:
            merged.setdefault(workspace.id, workspace)
    return sorted(merged.values(), key=lambda w: w.last_used_at, reverse=True)


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


def create_link(effective: EffectiveCoder, access_url: str | None) -> str | None:
    """Coder's pre-filled create page with every effective parameter, as the plugin builds it."""
    return effective.create_link(access_url)


def cannot_create_reason(effective: EffectiveCoder, access_url: str | None) -> str | None:
    if not effective.template_name:
        return "no template name (spec.coder.templateName or workspaces.defaultTemplateName), so no workspace can be created"
    if not access_url:
        return "no Coder deployment is configured (deployment.accessUrl)"
    return None


# -- readable refusals ---------------------------------------------------------------------------------

_SOURCES = {
    "catalog": "set in spec.coder.params",
    "app-default": "from workspaces.params",
    "repository-url": "the repository URL (workspaces.repoUrlParamKeys)",
    "plugin-default": "the plugin's default",
}
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
    return [FieldError(found.group(1), error.detail or error.message)] if found else []


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
