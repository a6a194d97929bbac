"""The simulated deployment: users, templates, workspaces and builds, and Coder's rules for them.

Pure Python (no HTTP), so it can be tested directly. Every method that answers for a user
checks visibility the way Coder does (an ``owner`` sees everything, others their
organizations and their own workspaces) and raises :class:`ApiError` with Coder's status and
wording. Time comes from an injectable clock; builds advance lazily from their timestamps.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from coder_catalog.simulator.auth import ApiKey, TokenStore
from coder_catalog.simulator.bodies import NIL_UUID, CreateBuildRequest, CreateWorkspaceRequest
from coder_catalog.simulator.data import (
    OAuthAppRecord,
    OrganizationRecord,
    ParameterRecord,
    PresetRecord,
    SeedData,
    Settings,
    TemplateRecord,
    UserRecord,
    VersionRecord,
    WorkspaceSeed,
)
from coder_catalog.simulator.errors import (
    BUILD_ACTIVE,
    VERSION_IMPORTING,
    ApiError,
    Validation,
    not_found,
    signed_out,
)
from coder_catalog.simulator.parameters import EvaluatedParameter, evaluate, shown_by_default
from coder_catalog.simulator.search import (
    TemplateFilter,
    WorkspaceFilter,
    contains,
    parse_template_query,
    parse_workspace_query,
)

Clock = Callable[[], datetime]
DEFAULT_FAILURE = "terraform apply: simulated provisioner failure"
_FINAL_STATUS = {"start": "running", "stop": "stopped", "delete": "deleted"}
_RUNNING_STATUS = {"start": "starting", "stop": "stopping", "delete": "deleting"}


def utcnow() -> datetime:
    return datetime.now(UTC)


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def format_time(moment: datetime) -> str:
    """RFC 3339 in UTC with a ``Z``, as Coder writes timestamps."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(slots=True)
class Build:
    """A workspace build; its job's progress is computed from its timestamps."""

    id: str
    workspace_id: str
    number: int
    transition: str
    template_version_id: str
    initiator_id: str
    job_id: str
    created_at: datetime
    queue_seconds: float
    run_seconds: float
    parameters: tuple[tuple[str, str], ...]
    error: str | None = None
    canceled: bool = False

    @property
    def started_at(self) -> datetime:
        return self.created_at + timedelta(seconds=self.queue_seconds)

    @property
    def completed_at(self) -> datetime:
        return self.started_at + timedelta(seconds=self.run_seconds)

    def job_status(self, now: datetime) -> str:
        if now < self.started_at:
            return "pending"
        if now < self.completed_at:
            return "running"
        if self.canceled:
            return "canceled"
        return "failed" if self.error else "succeeded"

    def status(self, now: datetime) -> str:
        """The workspace status this build gives (``codersdk.WorkspaceStatus``)."""
        job = self.job_status(now)
        if job == "running":
            return _RUNNING_STATUS[self.transition]
        if job == "succeeded":
            return _FINAL_STATUS[self.transition]
        return job  # pending, failed, canceled

    def in_progress(self, now: datetime) -> bool:
        return self.job_status(now) in ("pending", "running")

    def parameter_map(self) -> dict[str, str]:
        return dict(self.parameters)


@dataclass(slots=True)
class Workspace:
    id: str
    name: str
    owner_id: str
    template_id: str
    organization_id: str
    created_at: datetime
    last_used_at: datetime
    builds: list[Build] = field(default_factory=list)

    @property
    def latest_build(self) -> Build:
        return self.builds[-1]

    def deleted(self, now: datetime) -> bool:
        return self.latest_build.status(now) == "deleted"


class Deployment:
    """One simulated Coder deployment, built from a seed (which it copies, never changes)."""

    def __init__(self, seed: SeedData, clock: Clock = utcnow) -> None:
        seed = copy.deepcopy(seed)
        self.clock = clock
        self.settings: Settings = seed.settings
        self.organizations: dict[str, OrganizationRecord] = {o.id: o for o in seed.organizations}
        self.users: dict[str, UserRecord] = {u.id: u for u in seed.users}
        self.templates: dict[str, TemplateRecord] = {t.id: t for t in seed.templates}
        self.versions: dict[str, tuple[TemplateRecord, VersionRecord]] = {
            v.id: (t, v) for t in seed.templates for v in t.versions
        }
        self.oauth_apps: dict[str, OAuthAppRecord] = {a.id: a for a in seed.oauth_apps}
        self.keys = TokenStore()
        self.session_tokens: dict[str, str] = {u.username: self._issue_user_token(u) for u in seed.users}
        self.workspaces: dict[str, Workspace] = {}
        for ws_seed in seed.workspaces:
            workspace = self._seed_workspace(ws_seed)
            self.workspaces[workspace.id] = workspace

    def now(self) -> datetime:
        return self.clock()

    # ------------------------------------------------------------------ identity

    def _issue_user_token(self, user: UserRecord) -> str:
        expires = self.now() + timedelta(seconds=self.settings.session_token_seconds)
        token, _ = self.keys.issue(user.id, expires, user.login_type)
        return token

    def issue_token(self, user_id: str, seconds: float, login_type: str) -> tuple[str, ApiKey]:
        return self.keys.issue(user_id, self.now() + timedelta(seconds=seconds), login_type)

    def authenticate(self, token: str | None) -> UserRecord:
        """The user a session token belongs to, or Coder's 401."""
        key = self.keys.verify(token, self.now())
        user = self.users.get(key.user_id)
        if user is None:
            raise signed_out("API key is invalid.")
        if user.status != "active":
            status = f'status = "{user.status}"'
            raise ApiError(
                401, f"User is not active ({status}). Contact an admin to reactivate your account."
            )
        return user

    def revoke_user_tokens(self, username: str) -> str:
        """Delete every key of a user (old tokens then get 401) and issue a fresh token."""
        user = self._user_named(username)
        if user is None:
            raise not_found()
        self.keys.delete_user_keys(user.id)
        self.session_tokens[user.username] = self._issue_user_token(user)
        return self.session_tokens[user.username]

    # ------------------------------------------------------------------ visibility

    def can_see_organization(self, actor: UserRecord, org_id: str) -> bool:
        return actor.is_owner or org_id in actor.organization_ids

    def can_see_user(self, actor: UserRecord, user: UserRecord) -> bool:
        shared = set(actor.organization_ids) & set(user.organization_ids)
        return actor.is_owner or actor.id == user.id or bool(shared)

    def can_see_workspace(self, actor: UserRecord, workspace: Workspace) -> bool:
        return actor.is_owner or workspace.owner_id == actor.id

    # ------------------------------------------------------------------ users and organizations

    def _user_named(self, username: str) -> UserRecord | None:
        return next((u for u in self.users.values() if u.username.lower() == username.lower()), None)

    def user(self, reference: str, actor: UserRecord) -> UserRecord:
        """``{user}`` in a path: ``me``, a uuid or a username."""
        if reference == "me":
            return actor
        user = self.users.get(reference.lower()) or self._user_named(reference)
        if user is None or not self.can_see_user(actor, user):
            raise not_found()
        return user

    def visible_organizations(self, actor: UserRecord) -> list[OrganizationRecord]:
        orgs = [o for o in self.organizations.values() if self.can_see_organization(actor, o.id)]
        return sorted(orgs, key=lambda o: (o.created_at, o.name))

    def organization(self, reference: str, actor: UserRecord) -> OrganizationRecord:
        """``{organization}`` in a path: a uuid, a name, or ``default``."""
        org = self._find_organization(reference)
        if org is None or not self.can_see_organization(actor, org.id):
            raise not_found()
        return org

    def _find_organization(self, reference: str) -> OrganizationRecord | None:
        if reference == "default":
            return next(o for o in self.organizations.values() if o.is_default)
        return self.organizations.get(reference.lower()) or next(
            (o for o in self.organizations.values() if o.name.lower() == reference.lower()), None
        )

    def _organization_filter(self, actor: UserRecord) -> Callable[[str], str]:
        def resolve(value: str) -> str:
            org = self._find_organization(value)
            if org is None or not self.can_see_organization(actor, org.id):
                raise ValueError(
                    f'organization "{value}" either does not exist, or you are unauthorized to view it'
                )
            return org.id

        return resolve

    def _directory(self, actor: UserRecord) -> _SearchDirectory:
        return _SearchDirectory(self, actor)

    # ------------------------------------------------------------------ templates

    def list_templates(
        self, actor: UserRecord, query: str, organization: str | None = None
    ) -> list[TemplateRecord]:
        """``GET /templates`` (``/organizations/{organization}/templates``): deprecated templates
        included unless ``q`` says ``deprecated:false`` (``deprecated:true``: only them). The
        organization in the path replaces any ``organization:`` of ``q`` (which is still checked)."""
        org_id = self.organization(organization, actor).id if organization is not None else None
        search = parse_template_query(query, self._organization_filter(actor), actor.id)
        if org_id is not None:
            search.organization_id = org_id
        found = [
            t
            for t in self.templates.values()
            if self.can_see_organization(actor, t.organization_id) and self._template_matches(t, search)
        ]
        return sorted(found, key=lambda t: (t.name, t.id))

    def _template_matches(self, template: TemplateRecord, search: TemplateFilter) -> bool:
        """``GetTemplatesWithFilter``'s WHERE clause.

        Approximated: the simulator deletes no template, and no template version has an AI task or
        an external agent (``has_ai_task``/``has_external_agent`` are false): ``deleted:true``,
        ``has-ai-task:true`` and ``has_external_agent:true`` match nothing, their ``false`` everything.
        """
        name, display = template.name, template.display_name
        # The display name, or the name (against the term without its spaces) when there is none.
        shown, term = (
            (display, search.fuzzy_display_name)
            if display
            else (name, search.fuzzy_display_name.replace(" ", ""))
        )
        checks = (
            not search.deleted,
            not search.organization_id or template.organization_id == search.organization_id,
            not search.exact_name or name.lower() == search.exact_name.lower(),
            not search.exact_display_name or display.lower() == search.exact_display_name.lower(),
            not search.fuzzy_name or contains(name, search.fuzzy_name),
            not search.fuzzy_display_name or contains(shown, term),
            not search.ids or template.id in search.ids,
            search.deprecated is None or template.deprecated == search.deprecated,
            not search.has_ai_task,
            not search.author_id or template.created_by_id == search.author_id,
            not search.author or self.users[template.created_by_id].username.lower() == search.author.lower(),
            not search.has_external_agent,
        )
        return all(checks)

    def template_by_name(self, organization: str, name: str, actor: UserRecord) -> TemplateRecord:
        """One template by name in an organization: case-insensitive, deprecated ones included."""
        org = self.organization(organization, actor)
        candidates = [
            t
            for t in self.templates.values()
            if t.organization_id == org.id and t.name.lower() == name.lower()
        ]
        if not candidates:
            raise not_found()
        return candidates[0]

    def template(self, template_id: str, actor: UserRecord) -> TemplateRecord:
        template = self.templates.get(template_id.lower())
        if template is None or not self.can_see_organization(actor, template.organization_id):
            raise not_found()
        return template

    def version(self, version_id: str, actor: UserRecord) -> tuple[TemplateRecord, VersionRecord]:
        found = self.versions.get(version_id.lower())
        if found is None or not self.can_see_organization(actor, found[0].organization_id):
            raise not_found()
        return found

    def rich_parameters(self, version_id: str, actor: UserRecord) -> list[ParameterRecord]:
        """The static parameter list (425 while the version imports); conditional ones at defaults."""
        _, version = self.version(version_id, actor)
        self._require_imported(version)
        return shown_by_default(version.parameters)

    def presets(self, version_id: str, actor: UserRecord) -> tuple[PresetRecord, ...]:
        _, version = self.version(version_id, actor)
        self._require_imported(version)
        return version.presets

    def evaluate_parameters(
        self, version_id: str, actor: UserRecord, inputs: Mapping[str, str], owner_id: str
    ) -> list[EvaluatedParameter]:
        """What ``dynamic-parameters/evaluate`` reports for these inputs."""
        _, version = self.version(version_id, actor)
        self._require_imported(version)
        if owner_id != NIL_UUID:
            self.user(owner_id, actor)
        return evaluate(version.parameters, inputs)

    @staticmethod
    def _require_imported(version: VersionRecord) -> None:
        if version.importing:
            raise ApiError(425, VERSION_IMPORTING)

    def patch_template(self, name: str, changes: Mapping[str, Any]) -> TemplateRecord:
        """Admin switch: ``deprecated``, ``deprecation_message`` and ``importing`` (active version).

        Applies to every template of that name (case-insensitive), in whatever organization.
        """
        matches = [t for t in self.templates.values() if t.name.lower() == name.lower()]
        if not matches:
            raise not_found()
        for template in matches:
            _apply_template_changes(template, changes)
        return matches[0]

    def set_template_flags(
        self,
        name: str,
        *,
        deprecated: bool | None = None,
        deprecation_message: str | None = None,
        importing: bool | None = None,
    ) -> TemplateRecord:
        """Keyword form of :meth:`patch_template`; ``None`` leaves a flag as it is."""
        given = {"deprecated": deprecated, "deprecation_message": deprecation_message, "importing": importing}
        return self.patch_template(name, {k: v for k, v in given.items() if v is not None})

    # ------------------------------------------------------------------ workspaces

    def search_workspaces(
        self, actor: UserRecord, query: str, limit: int = 0, offset: int = 0
    ) -> tuple[list[Workspace], int]:
        """``GET /workspaces``: matches newest first, and the count before limit and offset."""
        search = parse_workspace_query(query, self._organization_filter(actor), self._directory(actor))
        now = self.now()
        found = [
            w
            for w in self.workspaces.values()
            if self.can_see_workspace(actor, w)
            and not w.deleted(now)
            and self._workspace_matches(w, search, actor, now)
        ]
        found.sort(key=lambda w: w.name)
        found.sort(key=lambda w: (w.last_used_at, w.created_at), reverse=True)
        page = found[offset:] if limit <= 0 else found[offset : offset + limit]
        return page, len(found)

    def _workspace_matches(
        self, ws: Workspace, search: WorkspaceFilter, actor: UserRecord, now: datetime
    ) -> bool:
        """``GetWorkspaces``' WHERE clause, as far as the simulator's data goes.

        Approximated: an agent is "connected" while the workspace runs and absent otherwise; no
        workspace is dormant; no build has an AI task or an external agent (the builds say
        ``has_ai_task``/``has_external_agent`` false), and no workspace is shared with anyone (its
        ``shared_with`` is empty): ``:true`` of those three matches nothing and ``:false`` everything,
        and ``shared_with_user``/``shared_with_group`` with a real id match nothing.
        """
        status = ws.latest_build.status(now)
        owner = actor.username.lower() if search.owner == "me" else search.owner
        agent = "connected" if status == "running" else ""
        checks = (
            not search.ids or ws.id in search.ids,
            not owner or self.users[ws.owner_id].username.lower() == owner,
            not search.template or self.templates[ws.template_id].name.lower() == search.template,
            not search.name or contains(ws.name, search.name),
            not search.status or status == search.status,
            not search.has_agent or agent == search.has_agent,
            not search.dormant,
            search.last_used_after is None or ws.last_used_at >= search.last_used_after,
            search.last_used_before is None or ws.last_used_at <= search.last_used_before,
            search.outdated is None or self.outdated(ws) == search.outdated,
            not search.has_ai_task,
            not search.has_external_agent,
            not search.organization_id or ws.organization_id == search.organization_id,
            not search.shared,
            not search.shared_with_user,
            not search.shared_with_group,
            _parameters_match(ws.latest_build.parameters, search),
        )
        return all(checks)

    def outdated(self, workspace: Workspace) -> bool:
        return (
            workspace.latest_build.template_version_id
            != self.templates[workspace.template_id].active_version_id
        )

    def workspace(self, workspace_id: str, actor: UserRecord, include_deleted: bool = False) -> Workspace:
        workspace = self.workspaces.get(workspace_id.lower())
        if workspace is None or not self.can_see_workspace(actor, workspace):
            raise not_found()
        if workspace.deleted(self.now()) and not include_deleted:
            raise ApiError(
                410,
                f'Workspace "{workspace.id}" was deleted, you can view this workspace by specifying '
                "'?deleted=true' and trying again.",
            )
        return workspace

    def workspace_by_name(self, user_reference: str, name: str, actor: UserRecord) -> Workspace:
        owner = self.user(user_reference, actor)
        now = self.now()
        for workspace in self.workspaces.values():
            if (
                workspace.owner_id == owner.id
                and workspace.name.lower() == name.lower()
                and not workspace.deleted(now)
                and self.can_see_workspace(actor, workspace)
            ):
                return workspace
        raise not_found()

    def build(self, build_id: str, actor: UserRecord) -> tuple[Workspace, Build]:
        """One build by id, with its workspace (deleted ones too); 404 when not visible."""
        for workspace in self.workspaces.values():
            for build in workspace.builds:
                if build.id == build_id.lower() and self.can_see_workspace(actor, workspace):
                    return workspace, build
        raise not_found()

    def builds(self, workspace_id: str, actor: UserRecord) -> tuple[Workspace, list[Build]]:
        """A workspace (deleted ones too) and its builds, newest first."""
        workspace = self.workspace(workspace_id, actor, include_deleted=True)
        return workspace, list(reversed(workspace.builds))

    def create_workspace(
        self, actor: UserRecord, user_reference: str, request: CreateWorkspaceRequest
    ) -> Workspace:
        """``POST /users/{user}/workspaces`` with Coder's checks, in Coder's order."""
        owner = self.user(user_reference, actor)
        template, version = self._requested_version(request, actor)
        _check_may_create(actor, owner, template)
        _check_not_deprecated(template)
        self._check_name_free(owner, request.name)
        if version.importing:
            message = "The provided template version is running. Wait for it to complete importing!"
            raise ApiError(406, message, message)
        given = self._requested_values(
            template, version, request.rich_parameter_values, request.template_version_preset_id
        )
        values, failure = self._validated_values(template, version, given)
        now = self.now()
        workspace = Workspace(
            id=str(uuid.uuid4()),
            name=request.name,
            owner_id=owner.id,
            template_id=template.id,
            organization_id=template.organization_id,
            created_at=now,
            last_used_at=now,
        )
        workspace.builds.append(
            self._new_build(workspace, template, version, "start", actor, values, 1, failure)
        )
        self.workspaces[workspace.id] = workspace
        return workspace

    def _requested_version(
        self, request: CreateWorkspaceRequest, actor: UserRecord
    ) -> tuple[TemplateRecord, VersionRecord]:
        if request.template_version_id != NIL_UUID:
            found = self.versions.get(request.template_version_id)
            if found is None or not self.can_see_organization(actor, found[0].organization_id):
                raise ApiError(
                    400,
                    f'Template version "{request.template_version_id}" doesn\'t exist.',
                    validations=[Validation("template_version_id", "template not found")],
                )
            return found
        template = self.templates.get(request.template_id)
        if template is None or not self.can_see_organization(actor, template.organization_id):
            raise ApiError(
                400,
                f'Template "{request.template_id}" doesn\'t exist.',
                validations=[Validation("template_id", "template not found")],
            )
        return template, template.active_version

    def _check_name_free(self, owner: UserRecord, name: str) -> None:
        now = self.now()
        for workspace in self.workspaces.values():
            if (
                workspace.owner_id == owner.id
                and workspace.name.lower() == name.lower()
                and not workspace.deleted(now)
            ):
                raise ApiError(
                    409,
                    f'Workspace "{name}" already exists.',
                    validations=[Validation("name", "This value is already in use and should be unique.")],
                )

    @staticmethod
    def _requested_values(
        template: TemplateRecord,
        version: VersionRecord,
        pairs: Iterable[tuple[str, str]],
        preset_id: str,
    ) -> dict[str, str]:
        """The values a build asks for: a repeated name keeps its first value on the classic flow
        (codersdk looks the name up) and its last on the dynamic one (a map is filled in order);
        a preset's values overwrite them (``resolver.go``: "overwrite previous and build values")."""
        values: dict[str, str] = {}
        for name, value in pairs:
            if template.use_classic_parameter_flow:
                values.setdefault(name, value)
            else:
                values[name] = value
        for preset in version.presets:
            if preset.id == preset_id:
                values.update(preset.parameters)
        return values

    def _validated_values(
        self, template: TemplateRecord, version: VersionRecord, given: Mapping[str, str]
    ) -> tuple[tuple[tuple[str, str], ...], str | None]:
        """Each shown parameter judged by Coder's rules, as Coder answers: the values to store and,
        on the classic flow, the failure the build will meet when the provider refuses a value
        codersdk let through.

        Classic flow: the first refused parameter, in author order, gives 400 ``Unable to validate
        parameter "<name>"`` (codersdk's text as detail). Dynamic flow: every refused parameter
        gives a validation of 400 ``Unable to validate parameters``, sorted by name, each detail
        ``<summary>; <detail>`` (``coderd/dynamicparameters/error.go``).
        """
        dynamic = not template.use_classic_parameter_flow
        evaluated = evaluate(version.parameters, given, dynamic=dynamic)
        refused = [e.problem for e in evaluated if e.problem is not None and e.problem.stage == "create"]
        if refused and dynamic:
            validations = sorted((Validation(p.parameter, p.message) for p in refused), key=lambda v: v.field)
            raise ApiError(400, "Unable to validate parameters", validations=validations)
        if refused:
            problem = refused[0]
            raise ApiError(
                400,
                f'Unable to validate parameter "{problem.parameter}"',
                f"parameter validation failed\n{problem.message}",
            )
        failures = [e.problem for e in evaluated if e.problem is not None]
        failure = failures[0].message if failures else None
        return tuple((e.name, e.value or "") for e in evaluated), failure

    def create_build(self, actor: UserRecord, workspace_id: str, request: CreateBuildRequest) -> Build:
        """``POST /workspaces/{id}/builds``: start, stop or delete; 409 while a build is active."""
        workspace = self.workspace(workspace_id, actor)
        previous = workspace.latest_build
        if previous.in_progress(self.now()):
            raise ApiError(409, BUILD_ACTIVE, BUILD_ACTIVE)
        template = self.templates[workspace.template_id]
        version = self._build_version(template, request.template_version_id, previous)
        values, failure = previous.parameters, None
        if request.transition == "start" and (
            request.rich_parameter_values or version.id != previous.template_version_id
        ):
            requested = self._requested_values(
                template, version, request.rich_parameter_values, request.template_version_preset_id
            )
            values, failure = self._validated_values(
                template, version, {**previous.parameter_map(), **requested}
            )
        build = self._new_build(
            workspace, template, version, request.transition, actor, values, previous.number + 1, failure
        )
        workspace.builds.append(build)
        return build

    def _build_version(self, template: TemplateRecord, requested: str, previous: Build) -> VersionRecord:
        """The requested version (of this template), else the previous build's."""
        version_id = requested if requested != NIL_UUID else previous.template_version_id
        found = self.versions.get(version_id)
        if found is None or found[0].id != template.id:
            message = "template version doesn't match template"
            raise ApiError(400, message, message)
        return found[1]

    def _new_build(
        self,
        workspace: Workspace,
        template: TemplateRecord,
        version: VersionRecord,
        transition: str,
        initiator: UserRecord,
        values: tuple[tuple[str, str], ...],
        number: int,
        failure: str | None = None,
    ) -> Build:
        """A new build; ``failure``: why the provider will fail it (a value it refuses)."""
        if transition == "delete":
            error = None
        elif failure is not None:
            error = failure
        elif template.fail_builds:
            error = template.failure_message or DEFAULT_FAILURE
        else:
            error = None
        return Build(
            id=str(uuid.uuid4()),
            workspace_id=workspace.id,
            number=number,
            transition=transition,
            template_version_id=version.id,
            initiator_id=initiator.id,
            job_id=str(uuid.uuid4()),
            created_at=self.now(),
            queue_seconds=self.settings.queue_seconds,
            run_seconds=self._build_seconds(template),
            parameters=values,
            error=error,
        )

    def _build_seconds(self, template: TemplateRecord) -> float:
        return template.build_seconds if template.build_seconds is not None else self.settings.build_seconds

    def _seed_workspace(self, seed: WorkspaceSeed) -> Workspace:
        template = self.templates[seed.template_id]
        workspace = Workspace(
            id=seed.id,
            name=seed.name,
            owner_id=seed.owner_id,
            template_id=template.id,
            organization_id=template.organization_id,
            created_at=parse_time(seed.created_at),
            last_used_at=parse_time(seed.last_used_at),
        )
        workspace.builds.append(self._seed_build(seed, template))
        return workspace

    def _seed_build(self, seed: WorkspaceSeed, template: TemplateRecord) -> Build:
        """The latest build of a seeded workspace, arranged so that it shows ``seed.status`` now."""
        transition, in_progress = _SEED_BUILDS[seed.status]
        base = uuid.UUID(seed.id)
        remaining = seed.build_seconds if seed.build_seconds is not None else self._build_seconds(template)
        if in_progress:
            created = self.now()
            queue, run = (
                (remaining, self._build_seconds(template)) if seed.status == "pending" else (0.0, remaining)
            )
        else:
            created, queue, run = parse_time(seed.last_used_at), 0.0, 0.0
        failed = seed.status == "failed"
        return Build(
            id=str(uuid.uuid5(base, f"build-{seed.build_number}")),
            workspace_id=seed.id,
            number=seed.build_number,
            transition=transition,
            template_version_id=seed.template_version_id,
            initiator_id=seed.owner_id,
            job_id=str(uuid.uuid5(base, f"job-{seed.build_number}")),
            created_at=created,
            queue_seconds=queue,
            run_seconds=run,
            parameters=seed.parameters,
            error=(template.failure_message or DEFAULT_FAILURE) if failed else None,
            canceled=seed.status == "canceled",
        )

    # ------------------------------------------------------------------ lookups for rendering

    def owner_of(self, workspace: Workspace) -> UserRecord:
        return self.users[workspace.owner_id]

    def template_of(self, workspace: Workspace) -> TemplateRecord:
        return self.templates[workspace.template_id]

    def active_user_count(self, template: TemplateRecord) -> int:
        now = self.now()
        owners = {
            w.owner_id
            for w in self.workspaces.values()
            if w.template_id == template.id and w.latest_build.status(now) == "running"
        }
        return len(owners)


_SEED_BUILDS: dict[str, tuple[str, bool]] = {
    "pending": ("start", True),
    "starting": ("start", True),
    "running": ("start", False),
    "stopping": ("stop", True),
    "stopped": ("stop", False),
    "failed": ("start", False),
    "canceled": ("start", False),
    "deleting": ("delete", True),
    "deleted": ("delete", False),
}


def _parameters_match(parameters: Iterable[tuple[str, str]], search: WorkspaceFilter) -> bool:
    """``param:`` terms: presence terms ORed, value terms ORed, the two groups ANDed.

    Names and values compare lower-cased (the query is lower-cased as a whole).
    """
    stored = {name.lower(): value.lower() for name, value in parameters}
    has = search.has_params
    pairs = search.value_params
    if has and not any(name in stored for name in has):
        return False
    return not pairs or any(stored.get(p.name) == p.value for p in pairs)


def _check_may_create(actor: UserRecord, owner: UserRecord, template: TemplateRecord) -> None:
    """Owners (admins) create for anyone; others for themselves, in their organizations."""
    member = template.organization_id in owner.organization_ids
    if not actor.is_owner and (actor.id != owner.id or not member):
        raise ApiError(
            403,
            "Unauthorized to create workspace.",
            "You are unable to create a workspace in this organization. It is possible to have access to "
            "the template, but not be able to create a workspace. Please contact an administrator about "
            "your permissions if you feel this is an error.",
        )


def _check_not_deprecated(template: TemplateRecord) -> None:
    if template.deprecated:
        message = (
            f'Template "{template.name}" has been deprecated, and cannot be used to create a new workspace.'
        )
        raise ApiError(400, message, template.deprecation_message)


def _apply_template_changes(template: TemplateRecord, changes: Mapping[str, Any]) -> None:
    if "deprecation_message" in changes:
        template.deprecation_message = str(changes["deprecation_message"] or "")
    if "deprecated" in changes:
        if not changes["deprecated"]:
            template.deprecation_message = ""
        elif not template.deprecation_message:
            template.deprecation_message = "This template has been deprecated."
    if "importing" in changes:
        template.active_version.importing = bool(changes["importing"])


class _SearchDirectory:
    """The lookups by name of a workspace search (``search.Directory``), as ``actor`` sees the data."""

    def __init__(self, deployment: Deployment, actor: UserRecord) -> None:
        self.deployment = deployment
        self.actor = actor

    def organization_named(self, name: str) -> tuple[str, str] | None:
        found = [o for o in self.deployment.organizations.values() if o.name.lower() == name.lower()]
        if not found or not self.deployment.can_see_organization(self.actor, found[0].id):
            return None
        return found[0].id, found[0].name

    def default_organization(self) -> tuple[str, str]:
        org = next(o for o in self.deployment.organizations.values() if o.is_default)
        return org.id, org.name

    def user_named(self, username: str) -> str | None:
        user = self.deployment._user_named(username)
        if user is None or not self.deployment.can_see_user(self.actor, user):
            return None
        return user.id

    def group_named(self, organization_id: str, name: str) -> str | None:
        """Each organization has Coder's "Everyone" group (whose id is the organization's); the
        simulator has no other group. Names compare case-sensitively, as in Coder's SQL."""
        if name == "Everyone" and self.deployment.can_see_organization(self.actor, organization_id):
            return organization_id
        return None
