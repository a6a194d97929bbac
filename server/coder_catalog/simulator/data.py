"""The simulator's seed: what a simulated Coder deployment holds when it starts.

A seed is a YAML or JSON document (files ending in ``.json`` are read as JSON, anything
else as YAML), or the same structure given as a Python ``dict``. Every id is a fixed UUID
so that whatever is read from the simulator (snapshots, logs) is reproducible. Session
tokens never appear in a seed: the simulator generates one per user when it starts.

Top-level keys (all optional except ``organizations``, ``users`` and ``templates``)::

    deployment:                   # the deployment as a whole
      version: "v2.26.3+sim"      # buildinfo version and X-Coder-Build-Version header
      deployment_id: <uuid>
      experiments: []             # Coder's experiment names; none changes the simulator
      oauth2_provider_enable: false  # CODER_OAUTH2_PROVIDER_ENABLE: serves /oauth2/* and the
                                  # discovery document; off (Coder's default) they answer 404
                                  # {"message": "Route not found."} (an "oauth2" experiment does nothing)
      dynamic_parameters: true    # false: .../dynamic-parameters/evaluate answers 404
      rate_limit_per_minute: 512  # per token (or client address) and path; 0 disables
      build_seconds: 2.0          # how long a build job runs
      queue_seconds: 0.25         # how long a build job stays pending first
      session_token_seconds: 604800
      wildcard_access_url: ""     # "*.apps.example.com": /applications/host; "" (none) by default
    organizations:
      - {id, name, display_name?, description?, icon?, default?: bool, created_at?}
        # exactly one default organization; the first one when none is marked
    users:
      - {id, username, name?, email, login_type?: password|github|oidc|token|none,
         roles?: [owner], status?: active|dormant|suspended, organizations: [<org name>],
         avatar_url?, created_at?}
        # role "owner" is the site admin: sees everything. The first user gets
        # SimulatorServer.token.
    templates:
      - id, name, organization: <org name>, display_name?, description? (Markdown), icon?,
        created_by?: <username>, created_at?, updated_at?,
        deprecated?: bool, deprecation_message?: str,   # a message alone also deprecates
        use_classic_parameter_flow?: bool (default true), require_active_version?: bool,
        default_ttl_ms?: int,
        fail_builds?: bool, failure_message?: str,      # start/stop builds end "failed"
        build_seconds?: float,                          # overrides the deployment's
        active_version?: <version name>                 # default: the last version
        versions:
          - id, name, message?, readme?, created_at?, importing?: bool,  # importing -> 425
            parameters:            # in author order; the fields of Coder's
              - name, type?: string|number|bool|list(string), display_name?,
                description?, form_type?, default_value?, required?, mutable?,
                ephemeral?, icon?, options?: [{name, value, description?, icon?}],
                validation_regex?, validation_error?, validation_min?, validation_max?,
                validation_monotonic?,
                shown_when?: {parameter: <earlier parameter>, equals: <value or [values]>}
            presets:
              - {id, name, description?, icon?, default?: bool,
                 parameters: {name: value} or [{name, value}]}
            agents:                # the build's agents and apps: see simulator/agents.py
              - {name, directory?, expanded_directory?, connect_seconds?, status?, apps?: [...]}
    workspaces:
      - id, name, owner: <username>, template: <template name>,
        organization?: <org name>,        # only needed when the template name is ambiguous
        template_version?: <version name> # default: the active one (else it is outdated)
        status: pending|starting|running|stopping|stopped|failed|canceled|deleting|deleted,
        created_at?, last_used_at?, build_number?: int,
        build_seconds?: float,            # for in-progress states: seconds still to go
        parameters?: {name: value}
    oauth2:
      auto_approve_user?: <username>      # who /oauth2/authorize approves without a token
      access_token_seconds?: 3600
      refresh_token_seconds?: 2592000
      apps:
        - {id (the client_id), name, icon?, client_secret?, redirect_uris: [url, ...]}
          # with a client_secret the app is confidential: the token endpoint (every grant) and
          # /oauth2/revoke need it (else 401 invalid_client); without one it is a public
          # client that signs in with PKCE alone

Parameter ``default_value`` and workspace values may be written as YAML scalars or lists:
numbers and booleans become Coder's strings ("4", "true"), lists become JSON arrays. A
parameter without ``default_value`` is required unless ``required: false`` says otherwise.
Timestamps are RFC 3339 strings. A bad seed raises :class:`DataError` naming the file, the
path inside it and the problem.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from coder_catalog.simulator.agents import AGENTS_SCHEMA, AgentRecord, parse_agents
from coder_catalog.templates.model import PARAMETER_TYPES, TemplateParameter
from coder_catalog.templates.parameter_values import check_parameter_value

DEFAULT_DATA_RESOURCE = "default.yaml"
DEFAULT_TIMESTAMP = "2025-01-01T00:00:00Z"
WORKSPACE_STATUSES = (
    "pending", "starting", "running", "stopping", "stopped",
    "failed", "canceling", "canceled", "deleting", "deleted",
)  # fmt: skip
SEEDABLE_STATUSES = tuple(s for s in WORKSPACE_STATUSES if s != "canceling")
FORM_TYPES = (
    "", "radio", "dropdown", "input", "textarea", "slider", "checkbox",
    "switch", "tag-select", "multi-select", "error",
)  # fmt: skip
LOGIN_TYPES = ("", "password", "github", "oidc", "token", "none")
USER_STATUSES = ("active", "dormant", "suspended")
NAME_PATTERN = re.compile(r"^[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*$")
_UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


class DataError(ValueError):
    """The seed is malformed; the message names the source, the path and the problem."""


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Condition:
    """A conditional parameter is shown only when ``parameter`` has one of ``values``."""

    parameter: str
    values: tuple[str, ...]

    def holds(self, values: Mapping[str, str]) -> bool:
        return values.get(self.parameter) in self.values


@dataclass(frozen=True, slots=True)
class ParameterRecord:
    parameter: TemplateParameter
    shown_when: Condition | None = None

    @property
    def name(self) -> str:
        return self.parameter.name


@dataclass(frozen=True, slots=True)
class PresetRecord:
    id: str
    name: str
    description: str = ""
    icon: str = ""
    default: bool = False
    parameters: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class VersionRecord:
    id: str
    name: str
    template_id: str
    job_id: str
    created_at: str
    message: str = ""
    readme: str = ""
    importing: bool = False
    parameters: tuple[ParameterRecord, ...] = ()
    presets: tuple[PresetRecord, ...] = ()
    agents: tuple[AgentRecord, ...] = ()


@dataclass(slots=True)
class TemplateRecord:
    id: str
    name: str
    organization_id: str
    created_by_id: str
    created_at: str
    updated_at: str
    active_version_id: str
    versions: list[VersionRecord]
    display_name: str = ""
    description: str = ""
    icon: str = ""
    deprecation_message: str = ""
    use_classic_parameter_flow: bool = True
    require_active_version: bool = False
    default_ttl_ms: int = 0
    fail_builds: bool = False
    failure_message: str = ""
    build_seconds: float | None = None

    @property
    def deprecated(self) -> bool:
        return self.deprecation_message != ""

    @property
    def active_version(self) -> VersionRecord:
        return next(v for v in self.versions if v.id == self.active_version_id)


@dataclass(frozen=True, slots=True)
class OrganizationRecord:
    id: str
    name: str
    display_name: str
    description: str
    icon: str
    is_default: bool
    created_at: str


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: str
    username: str
    name: str
    email: str
    login_type: str
    roles: tuple[str, ...]
    status: str
    organization_ids: tuple[str, ...]
    avatar_url: str
    created_at: str

    @property
    def is_owner(self) -> bool:
        return "owner" in self.roles


@dataclass(frozen=True, slots=True)
class WorkspaceSeed:
    id: str
    name: str
    owner_id: str
    template_id: str
    template_version_id: str
    status: str
    created_at: str
    last_used_at: str
    build_number: int
    build_seconds: float | None
    parameters: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class OAuthAppRecord:
    id: str
    name: str
    icon: str
    client_secret: str | None  # None: a public client (PKCE, no secret)
    redirect_uris: tuple[str, ...]

    @property
    def confidential(self) -> bool:
        return self.client_secret is not None


@dataclass(frozen=True, slots=True)
class Settings:
    version: str = "v2.26.3+sim"
    deployment_id: str = "00000000-0000-0000-0000-000000000000"
    experiments: tuple[str, ...] = ()
    #: CODER_OAUTH2_PROVIDER_ENABLE (off by default, as in Coder): /oauth2/* and the discovery document
    oauth2_provider_enabled: bool = False
    dynamic_parameters: bool = True
    rate_limit_per_minute: int = 512
    build_seconds: float = 2.0
    queue_seconds: float = 0.25
    session_token_seconds: int = 604800
    oauth2_auto_approve_user_id: str | None = None
    oauth2_access_token_seconds: int = 3600
    oauth2_refresh_token_seconds: int = 2592000
    #: CODER_WILDCARD_ACCESS_URL's host (``*.apps.example.com``): what /applications/host answers
    wildcard_access_url: str = ""


@dataclass(slots=True)
class SeedData:
    settings: Settings
    organizations: list[OrganizationRecord]
    users: list[UserRecord]
    templates: list[TemplateRecord]
    workspaces: list[WorkspaceSeed]
    oauth_apps: list[OAuthAppRecord] = field(default_factory=list)


# --------------------------------------------------------------------------- schema


def _obj(required: Iterable[str], /, **properties: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "required": list(required),
        "properties": properties,
        "additionalProperties": False,
    }


_STR: dict[str, Any] = {"type": "string"}
_BOOL: dict[str, Any] = {"type": "boolean"}
_INT: dict[str, Any] = {"type": "integer"}
_SECONDS: dict[str, Any] = {"type": "number", "minimum": 0}
_UUID: dict[str, Any] = {"type": "string", "pattern": _UUID_PATTERN}
_NAME: dict[str, Any] = {"type": "string", "minLength": 1}
_NAMES: dict[str, Any] = {"type": "array", "items": _NAME}
_VALUES: dict[str, Any] = {"type": "object", "additionalProperties": _STR}

_PARAMETER = _obj(
    ["name"],
    name=_NAME,
    type={"enum": list(PARAMETER_TYPES)},
    display_name=_STR,
    description=_STR,
    description_plaintext=_STR,
    form_type={"enum": list(FORM_TYPES)},
    default_value=_STR,
    required=_BOOL,
    mutable=_BOOL,
    ephemeral=_BOOL,
    icon=_STR,
    options={
        "type": "array",
        "items": _obj(["name", "value"], name=_STR, value=_STR, description=_STR, icon=_STR),
    },
    validation_regex=_STR,
    validation_error=_STR,
    validation_min=_INT,
    validation_max=_INT,
    validation_monotonic={"enum": ["increasing", "decreasing"]},
    shown_when=_obj(
        ["parameter", "equals"],
        parameter=_NAME,
        equals={"oneOf": [_STR, {"type": "array", "items": _STR, "minItems": 1}]},
    ),
)
_PRESET = _obj(
    ["id", "name"],
    id=_UUID,
    name=_NAME,
    description=_STR,
    icon=_STR,
    default=_BOOL,
    parameters={
        "oneOf": [_VALUES, {"type": "array", "items": _obj(["name", "value"], name=_NAME, value=_STR)}]
    },
)
_VERSION = _obj(
    ["id", "name"],
    id=_UUID,
    name=_NAME,
    message=_STR,
    readme=_STR,
    created_at=_STR,
    importing=_BOOL,
    parameters={"type": "array", "items": _PARAMETER},
    presets={"type": "array", "items": _PRESET},
    agents=AGENTS_SCHEMA,
)
SEED_SCHEMA: dict[str, Any] = _obj(
    ["organizations", "users", "templates"],
    deployment=_obj(
        [],
        version=_NAME,
        deployment_id=_UUID,
        experiments=_NAMES,
        oauth2_provider_enable=_BOOL,
        dynamic_parameters=_BOOL,
        rate_limit_per_minute={"type": "integer", "minimum": 0},
        build_seconds=_SECONDS,
        queue_seconds=_SECONDS,
        session_token_seconds={"type": "integer", "minimum": 1},
        wildcard_access_url=_STR,
    ),
    organizations={
        "type": "array",
        "minItems": 1,
        "items": _obj(
            ["id", "name"],
            id=_UUID,
            name=_NAME,
            display_name=_STR,
            description=_STR,
            icon=_STR,
            default=_BOOL,
            created_at=_STR,
        ),
    },
    users={
        "type": "array",
        "minItems": 1,
        "items": _obj(
            ["id", "username", "email"],
            id=_UUID,
            username=_NAME,
            name=_STR,
            email=_STR,
            login_type={"enum": list(LOGIN_TYPES)},
            roles=_NAMES,
            status={"enum": list(USER_STATUSES)},
            organizations=_NAMES,
            avatar_url=_STR,
            created_at=_STR,
        ),
    },
    templates={
        "type": "array",
        "items": _obj(
            ["id", "name", "organization", "versions"],
            id=_UUID,
            name=_NAME,
            organization=_NAME,
            display_name=_STR,
            description=_STR,
            icon=_STR,
            created_by=_NAME,
            created_at=_STR,
            updated_at=_STR,
            deprecated=_BOOL,
            deprecation_message=_STR,
            use_classic_parameter_flow=_BOOL,
            require_active_version=_BOOL,
            default_ttl_ms=_INT,
            fail_builds=_BOOL,
            failure_message=_STR,
            build_seconds=_SECONDS,
            active_version=_NAME,
            versions={"type": "array", "minItems": 1, "items": _VERSION},
        ),
    },
    workspaces={
        "type": "array",
        "items": _obj(
            ["id", "name", "owner", "template", "status"],
            id=_UUID,
            name=_NAME,
            owner=_NAME,
            template=_NAME,
            organization=_NAME,
            template_version=_NAME,
            status={"enum": list(SEEDABLE_STATUSES)},
            created_at=_STR,
            last_used_at=_STR,
            build_number={"type": "integer", "minimum": 1},
            build_seconds=_SECONDS,
            parameters=_VALUES,
        ),
    },
    oauth2=_obj(
        [],
        auto_approve_user=_NAME,
        access_token_seconds={"type": "integer", "minimum": 1},
        refresh_token_seconds={"type": "integer", "minimum": 1},
        apps={
            "type": "array",
            "items": _obj(
                ["id", "name", "redirect_uris"],
                id=_UUID,
                name=_NAME,
                icon=_STR,
                client_secret={"type": "string", "minLength": 8},
                redirect_uris={"type": "array", "minItems": 1, "items": _NAME},
            ),
        },
    ),
)


# --------------------------------------------------------------------------- loading


def load_data(source: Path | str | Mapping[str, Any] | None = None) -> SeedData:
    """Read, normalise and check a seed: a file path, a mapping, or None for the default."""
    if source is None:
        text = resources.files("coder_catalog.simulator").joinpath("data", DEFAULT_DATA_RESOURCE).read_text()
        return parse_data(_parse_text(text, DEFAULT_DATA_RESOURCE, as_json=False), DEFAULT_DATA_RESOURCE)
    if isinstance(source, Mapping):
        return parse_data(source, "<data>")
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"{path}: cannot read the simulator data file: {exc.strerror or exc}") from exc
    return parse_data(_parse_text(text, str(path), as_json=path.suffix.lower() == ".json"), str(path))


def _parse_text(text: str, origin: str, *, as_json: bool) -> Any:
    try:
        return json.loads(text) if as_json else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise DataError(f"{origin}: not valid {'JSON' if as_json else 'YAML'}: {exc}") from exc


def parse_data(raw: Any, origin: str = "<data>") -> SeedData:
    """Check an already-decoded seed document and build the records."""
    document = _normalise(raw)
    if not isinstance(document, dict):
        raise DataError(f"{origin}: the simulator data must be a mapping at the top level")
    _validate_schema(document, origin)
    return _Builder(document, origin).build()


def _normalise(value: Any, key: str = "") -> Any:
    """YAML conveniences: timestamps become strings, parameter values become Coder's strings."""
    if isinstance(value, dict):
        if key == "parameters":  # a workspace's or preset's values
            return {str(k): _as_value(v) for k, v in value.items()}
        return {str(k): _normalise(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        if key == "default_value":
            return _as_value(value)
        return [_as_value(v) if key == "equals" else _normalise(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return _format_timestamp(value)
    if key in _VALUE_KEYS:
        return _as_value(value)
    return value


_VALUE_KEYS = frozenset({"default_value", "value", "equals", "version"})


def _as_value(value: Any) -> Any:
    """Coder's string form of a value: "true"/"false", "4", or a JSON array."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, dt.datetime | dt.date):
        return _format_timestamp(value)
    return value


def _format_timestamp(value: dt.date) -> str:
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _validate_schema(document: dict[str, Any], origin: str) -> None:
    validator = jsonschema.Draft7Validator(SEED_SCHEMA)
    errors = list(validator.iter_errors(document))
    if errors:
        best = jsonschema.exceptions.best_match(errors) or errors[0]
        raise DataError(f"{origin}: {_path_text(best.absolute_path)}: {best.message}")


def _path_text(path: Iterable[Any]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _timestamp(value: str | None, where: str, origin: str, default: str = DEFAULT_TIMESTAMP) -> str:
    if value is None:
        return default
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise DataError(f"{origin}: {where}: {value!r} is not an RFC 3339 timestamp") from exc
    return _format_timestamp(parsed)


class _Builder:
    """Turns a schema-valid document into records, checking what the schema cannot."""

    def __init__(self, document: dict[str, Any], origin: str) -> None:
        self.doc = document
        self.origin = origin
        self.orgs: dict[str, OrganizationRecord] = {}
        self.users: dict[str, UserRecord] = {}

    def fail(self, where: str, problem: str) -> DataError:
        return DataError(f"{self.origin}: {where}: {problem}")

    def build(self) -> SeedData:
        organizations = self._organizations()
        users = self._users()
        templates = self._templates()
        workspaces = self._workspaces(templates)
        apps = self._oauth_apps()
        self._unique_ids(organizations, users, templates, workspaces, apps)
        return SeedData(self._settings(), organizations, users, templates, workspaces, apps)

    def _settings(self) -> Settings:
        deployment = self.doc.get("deployment") or {}
        oauth = self.doc.get("oauth2") or {}
        approve = oauth.get("auto_approve_user")
        approve_id = None
        if approve is not None:
            approve_id = self._user(approve, "oauth2.auto_approve_user").id
        defaults = Settings()
        return Settings(
            version=deployment.get("version", defaults.version),
            deployment_id=deployment.get("deployment_id", defaults.deployment_id),
            experiments=tuple(deployment.get("experiments", ())),
            oauth2_provider_enabled=deployment.get("oauth2_provider_enable", False),
            dynamic_parameters=deployment.get("dynamic_parameters", True),
            rate_limit_per_minute=deployment.get("rate_limit_per_minute", defaults.rate_limit_per_minute),
            build_seconds=float(deployment.get("build_seconds", defaults.build_seconds)),
            queue_seconds=float(deployment.get("queue_seconds", defaults.queue_seconds)),
            session_token_seconds=deployment.get("session_token_seconds", defaults.session_token_seconds),
            wildcard_access_url=deployment.get("wildcard_access_url", ""),
            oauth2_auto_approve_user_id=approve_id,
            oauth2_access_token_seconds=oauth.get(
                "access_token_seconds", defaults.oauth2_access_token_seconds
            ),
            oauth2_refresh_token_seconds=oauth.get(
                "refresh_token_seconds", defaults.oauth2_refresh_token_seconds
            ),
        )

    def _organizations(self) -> list[OrganizationRecord]:
        raw = self.doc["organizations"]
        defaults = [i for i, o in enumerate(raw) if o.get("default")]
        if len(defaults) > 1:
            raise self.fail("organizations", "more than one organization is marked default")
        default_index = defaults[0] if defaults else 0
        records = []
        for index, org in enumerate(raw):
            where = f"organizations[{index}]"
            self._check_name(org["name"], f"{where}.name")
            if org["name"].lower() in self.orgs:
                raise self.fail(where, f"duplicate organization name {org['name']!r}")
            record = OrganizationRecord(
                id=org["id"].lower(),
                name=org["name"],
                display_name=org.get("display_name", org["name"]),
                description=org.get("description", ""),
                icon=org.get("icon", ""),
                is_default=index == default_index,
                created_at=_timestamp(org.get("created_at"), f"{where}.created_at", self.origin),
            )
            self.orgs[record.name.lower()] = record
            records.append(record)
        return records

    def _users(self) -> list[UserRecord]:
        records = []
        for index, user in enumerate(self.doc["users"]):
            where = f"users[{index}]"
            self._check_name(user["username"], f"{where}.username")
            if user["username"].lower() in self.users:
                raise self.fail(where, f"duplicate username {user['username']!r}")
            org_ids = tuple(
                self._org(name, f"{where}.organizations[{i}]").id
                for i, name in enumerate(user.get("organizations", []))
            )
            record = UserRecord(
                id=user["id"].lower(),
                username=user["username"],
                name=user.get("name", ""),
                email=user["email"],
                login_type=user.get("login_type", "password"),
                roles=tuple(user.get("roles", ())),
                status=user.get("status", "active"),
                organization_ids=org_ids,
                avatar_url=user.get("avatar_url", ""),
                created_at=_timestamp(user.get("created_at"), f"{where}.created_at", self.origin),
            )
            self.users[record.username.lower()] = record
            records.append(record)
        return records

    def _templates(self) -> list[TemplateRecord]:
        records: list[TemplateRecord] = []
        seen: set[tuple[str, str]] = set()
        for index, raw in enumerate(self.doc["templates"]):
            where = f"templates[{index}]"
            self._check_name(raw["name"], f"{where}.name")
            org = self._org(raw["organization"], f"{where}.organization")
            key = (org.id, raw["name"].lower())
            if key in seen:
                raise self.fail(where, f"duplicate template name {raw['name']!r} in {org.name!r}")
            seen.add(key)
            records.append(self._template(raw, org, where))
        return records

    def _template(self, raw: dict[str, Any], org: OrganizationRecord, where: str) -> TemplateRecord:
        template_id = raw["id"].lower()
        versions = [
            self._version(v, template_id, f"{where}.versions[{i}]") for i, v in enumerate(raw["versions"])
        ]
        classic = raw.get("use_classic_parameter_flow", True)
        if classic and any(p.shown_when for v in versions for p in v.parameters):
            raise self.fail(where, "shown_when needs the dynamic flow (use_classic_parameter_flow: false)")
        if classic and any(p.parameter.is_multi_select for v in versions for p in v.parameters):
            # codersdk compares a classic value with each option whole: no JSON list would pass
            raise self.fail(
                where, "a multi-select parameter needs the dynamic flow (use_classic_parameter_flow: false)"
            )
        names = [v.name for v in versions]
        if len(set(names)) != len(names):
            raise self.fail(f"{where}.versions", "version names must be unique")
        active_name = raw.get("active_version", names[-1])
        if active_name not in names:
            raise self.fail(f"{where}.active_version", f"no version named {active_name!r}")
        creator = raw.get("created_by")
        creator_id = self._user(creator, f"{where}.created_by").id if creator else self._first_owner_id()
        created_at = _timestamp(raw.get("created_at"), f"{where}.created_at", self.origin)
        message = raw.get("deprecation_message", "")
        if raw.get("deprecated") is True and not message:
            message = "This template has been deprecated."
        if raw.get("deprecated") is False:
            message = ""
        return TemplateRecord(
            id=template_id,
            name=raw["name"],
            organization_id=org.id,
            created_by_id=creator_id,
            created_at=created_at,
            updated_at=_timestamp(raw.get("updated_at"), f"{where}.updated_at", self.origin, created_at),
            active_version_id=versions[names.index(active_name)].id,
            versions=versions,
            display_name=raw.get("display_name", ""),
            description=raw.get("description", ""),
            icon=raw.get("icon", ""),
            deprecation_message=message,
            use_classic_parameter_flow=classic,
            require_active_version=raw.get("require_active_version", False),
            default_ttl_ms=raw.get("default_ttl_ms", 0),
            fail_builds=raw.get("fail_builds", False),
            failure_message=raw.get("failure_message", ""),
            build_seconds=raw.get("build_seconds"),
        )

    def _version(self, raw: dict[str, Any], template_id: str, where: str) -> VersionRecord:
        parameters: list[ParameterRecord] = []
        for index, param in enumerate(raw.get("parameters", [])):
            parameters.append(self._parameter(param, parameters, f"{where}.parameters[{index}]"))
        presets = tuple(
            self._preset(p, parameters, f"{where}.presets[{i}]") for i, p in enumerate(raw.get("presets", []))
        )
        version_id = raw["id"].lower()
        return VersionRecord(
            id=version_id,
            name=raw["name"],
            template_id=template_id,
            job_id=str(uuid.uuid5(uuid.UUID(version_id), "import-job")),
            created_at=_timestamp(raw.get("created_at"), f"{where}.created_at", self.origin),
            message=raw.get("message", ""),
            readme=raw.get("readme", ""),
            importing=raw.get("importing", False),
            parameters=tuple(parameters),
            presets=presets,
            agents=self._agents(raw, where),
        )

    def _agents(self, raw: dict[str, Any], where: str) -> tuple[AgentRecord, ...]:
        try:
            return parse_agents(raw.get("agents"))
        except ValueError as exc:
            raise self.fail(f"{where}.agents", str(exc)) from None

    def _parameter(self, raw: dict[str, Any], earlier: list[ParameterRecord], where: str) -> ParameterRecord:
        if any(p.name == raw["name"] for p in earlier):
            raise self.fail(where, f"duplicate parameter name {raw['name']!r}")
        api = dict(raw)
        condition = api.pop("shown_when", None)
        api.setdefault("required", "default_value" not in raw)
        api.setdefault("description_plaintext", markdown_to_plaintext(api.get("description", "")))
        param = TemplateParameter.from_api(api)
        if param.is_multi_select and not param.options:
            raise self.fail(where, "a multi-select parameter needs options")
        if not param.required:  # the template would not import: the provider checks the default
            problem = check_parameter_value(param, None, dynamic=True)
            if problem is not None:
                raise self.fail(f"{where}.default_value", f"the default is invalid: {problem.message}")
        return ParameterRecord(param, self._condition(condition, earlier, f"{where}.shown_when"))

    def _condition(
        self, raw: dict[str, Any] | None, earlier: list[ParameterRecord], where: str
    ) -> Condition | None:
        if raw is None:
            return None
        if not any(p.name == raw["parameter"] for p in earlier):
            raise self.fail(where, f"{raw['parameter']!r} is not an earlier parameter of this version")
        equals = raw["equals"]
        return Condition(raw["parameter"], (equals,) if isinstance(equals, str) else tuple(equals))

    def _preset(self, raw: dict[str, Any], parameters: list[ParameterRecord], where: str) -> PresetRecord:
        values = raw.get("parameters", {})
        pairs = (
            tuple(values.items())
            if isinstance(values, dict)
            else tuple((p["name"], p["value"]) for p in values)
        )
        known = {p.name for p in parameters}
        for name, _ in pairs:
            if name not in known:
                raise self.fail(f"{where}.parameters", f"{name!r} is not a parameter of this version")
        return PresetRecord(
            id=raw["id"].lower(),
            name=raw["name"],
            description=raw.get("description", ""),
            icon=raw.get("icon", ""),
            default=raw.get("default", False),
            parameters=pairs,
        )

    def _workspaces(self, templates: list[TemplateRecord]) -> list[WorkspaceSeed]:
        records: list[WorkspaceSeed] = []
        names: set[tuple[str, str]] = set()
        for index, raw in enumerate(self.doc.get("workspaces") or []):
            where = f"workspaces[{index}]"
            self._check_name(raw["name"], f"{where}.name")
            owner = self._user(raw["owner"], f"{where}.owner")
            key = (owner.id, raw["name"].lower())
            if key in names and raw["status"] != "deleted":
                raise self.fail(where, f"{owner.username} already has a workspace named {raw['name']!r}")
            names.add(key)
            template = self._workspace_template(raw, templates, where)
            records.append(self._workspace(raw, owner, template, where))
        return records

    def _workspace(
        self, raw: dict[str, Any], owner: UserRecord, template: TemplateRecord, where: str
    ) -> WorkspaceSeed:
        version_name = raw.get("template_version")
        version = template.active_version
        if version_name is not None:
            matches = [v for v in template.versions if v.name == version_name]
            if not matches:
                raise self.fail(
                    f"{where}.template_version", f"{template.name} has no version {version_name!r}"
                )
            version = matches[0]
        created_at = _timestamp(raw.get("created_at"), f"{where}.created_at", self.origin)
        return WorkspaceSeed(
            id=raw["id"].lower(),
            name=raw["name"],
            owner_id=owner.id,
            template_id=template.id,
            template_version_id=version.id,
            status=raw["status"],
            created_at=created_at,
            last_used_at=_timestamp(
                raw.get("last_used_at"), f"{where}.last_used_at", self.origin, created_at
            ),
            build_number=raw.get("build_number", 1),
            build_seconds=raw.get("build_seconds"),
            parameters=tuple((raw.get("parameters") or {}).items()),
        )

    def _workspace_template(
        self, raw: dict[str, Any], templates: list[TemplateRecord], where: str
    ) -> TemplateRecord:
        candidates = [t for t in templates if t.name.lower() == raw["template"].lower()]
        if "organization" in raw:
            org = self._org(raw["organization"], f"{where}.organization")
            candidates = [t for t in candidates if t.organization_id == org.id]
        if not candidates:
            raise self.fail(f"{where}.template", f"no template named {raw['template']!r}")
        if len(candidates) > 1:
            raise self.fail(f"{where}.template", "the name is ambiguous: add 'organization'")
        return candidates[0]

    def _oauth_apps(self) -> list[OAuthAppRecord]:
        records = []
        for index, raw in enumerate((self.doc.get("oauth2") or {}).get("apps", [])):
            secret = raw.get("client_secret")
            if secret is not None and _looks_like_session_token(secret):
                raise self.fail(
                    f"oauth2.apps[{index}].client_secret", "must not be shaped like a Coder session token"
                )
            records.append(
                OAuthAppRecord(
                    id=raw["id"].lower(),
                    name=raw["name"],
                    icon=raw.get("icon", ""),
                    client_secret=secret,
                    redirect_uris=tuple(raw["redirect_uris"]),
                )
            )
        return records

    def _unique_ids(self, *groups: Iterable[Any]) -> None:
        seen: dict[str, str] = {}
        for group in groups:
            for record in group:
                ids = [record.id]
                if isinstance(record, TemplateRecord):
                    ids += [v.id for v in record.versions]
                    ids += [p.id for v in record.versions for p in v.presets]
                for identifier in ids:
                    kind = type(record).__name__
                    if identifier in seen:
                        raise self.fail("ids", f"{identifier} is used twice ({seen[identifier]} and {kind})")
                    seen[identifier] = kind

    def _check_name(self, name: str, where: str) -> None:
        if len(name) > 32 or not NAME_PATTERN.match(name) or name in ("new", "create"):
            raise self.fail(
                where, f"{name!r} is not a valid Coder name (1-32 letters, digits, single hyphens)"
            )

    def _org(self, name: str, where: str) -> OrganizationRecord:
        org = self.orgs.get(name.lower())
        if org is None:
            raise self.fail(where, f"no organization named {name!r}")
        return org

    def _user(self, username: str, where: str) -> UserRecord:
        user = self.users.get(username.lower())
        if user is None:
            raise self.fail(where, f"no user named {username!r}")
        return user

    def _first_owner_id(self) -> str:
        users = list(self.users.values())
        return next((u.id for u in users if u.is_owner), users[0].id)


def _looks_like_session_token(value: str) -> bool:
    return re.fullmatch(r"[A-Za-z0-9]{10}-[A-Za-z0-9]{22}", value) is not None


_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKDOWN_MARKS = re.compile(r"(\*\*|__|\*|_|`)")
_MARKDOWN_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*", re.MULTILINE)


def markdown_to_plaintext(text: str) -> str:
    """Roughly what Coder's ``description_plaintext`` holds: Markdown without its marks."""
    text = _MARKDOWN_LINK.sub(r"\1", text)
    text = _MARKDOWN_HEADING.sub("", text)
    return _MARKDOWN_MARKS.sub("", text).strip()
