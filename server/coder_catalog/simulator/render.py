"""The JSON Coder answers with, built from the simulator's state.

Each function returns the object of one ``codersdk`` type from the swagger file. Fields that
Go would write as ``null`` where swagger promises an object (optional pointers) are left
out, which is what a client sees from Coder for ``omitempty`` fields.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from coder_catalog.simulator.agents import render_resources
from coder_catalog.simulator.data import (
    OrganizationRecord,
    ParameterRecord,
    PresetRecord,
    TemplateRecord,
    UserRecord,
    VersionRecord,
)
from coder_catalog.simulator.parameters import EvaluatedParameter, diagnostic_detail, diagnostic_summary
from coder_catalog.simulator.state import Build, Deployment, Workspace, format_time
from coder_catalog.templates.model import TemplateParameter

ALL_DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_JOB_TAGS = {"scope": "organization", "owner": ""}


class Renderer:
    """Renders records of one deployment; ``now`` fixes the moment builds are observed at."""

    def __init__(self, deployment: Deployment, now: datetime | None = None) -> None:
        self.deployment = deployment
        self.now = now or deployment.now()

    # ------------------------------------------------------------------ deployment

    def buildinfo(self, base_url: str) -> dict[str, Any]:
        settings = self.deployment.settings
        release = settings.version.split("+")[0]
        return {
            "version": settings.version,
            "external_url": f"https://github.com/coder/coder/releases/tag/{release}",
            "dashboard_url": base_url,
            "deployment_id": settings.deployment_id,
            "telemetry": False,
            "workspace_proxy": False,
            "agent_api_version": "1.0",
            "provisioner_api_version": "1.9",
            "upgrade_message": "",
        }

    def user(self, user: UserRecord) -> dict[str, Any]:
        return {
            "id": user.id,
            "username": user.username,
            "name": user.name,
            "email": user.email,
            "avatar_url": user.avatar_url,
            "created_at": user.created_at,
            "updated_at": user.created_at,
            "last_seen_at": format_time(self.now),
            "status": user.status,
            "login_type": user.login_type,
            "theme_preference": "",
            "organization_ids": list(user.organization_ids),
            "roles": [
                {"name": r, "display_name": r.replace("-", " ").title(), "organization_id": ""}
                for r in user.roles
            ],
        }

    @staticmethod
    def organization(org: OrganizationRecord) -> dict[str, Any]:
        return {
            "id": org.id,
            "name": org.name,
            "display_name": org.display_name,
            "description": org.description,
            "icon": org.icon,
            "is_default": org.is_default,
            "created_at": org.created_at,
            "updated_at": org.created_at,
        }

    # ------------------------------------------------------------------ templates

    def template(self, template: TemplateRecord) -> dict[str, Any]:
        org = self.deployment.organizations[template.organization_id]
        creator = self.deployment.users[template.created_by_id]
        return {
            "id": template.id,
            "created_at": template.created_at,
            "updated_at": template.updated_at,
            "organization_id": org.id,
            "organization_name": org.name,
            "organization_display_name": org.display_name,
            "organization_icon": org.icon,
            "name": template.name,
            "display_name": template.display_name,
            "provisioner": "terraform",
            "active_version_id": template.active_version_id,
            "active_user_count": self.deployment.active_user_count(template),
            "build_time_stats": {},
            "description": template.description,
            "deprecated": template.deprecated,
            "deprecation_message": template.deprecation_message,
            "icon": template.icon,
            "default_ttl_ms": template.default_ttl_ms,
            "activity_bump_ms": 3600000,
            "autostop_requirement": {"days_of_week": [], "weeks": 1},
            "autostart_requirement": {"days_of_week": ALL_DAYS},
            "created_by_id": creator.id,
            "created_by_name": creator.username,
            "allow_user_autostart": True,
            "allow_user_autostop": True,
            "allow_user_cancel_workspace_jobs": False,
            "failure_ttl_ms": 0,
            "time_til_dormant_ms": 0,
            "time_til_dormant_autodelete_ms": 0,
            "require_active_version": template.require_active_version,
            "max_port_share_level": "owner",
            "cors_behavior": "simple",
            "use_classic_parameter_flow": template.use_classic_parameter_flow,
            "use_terraform_workspace_cache": False,
        }

    def template_version(self, template: TemplateRecord, version: VersionRecord) -> dict[str, Any]:
        creator = self.deployment.users[template.created_by_id]
        return {
            "id": version.id,
            "template_id": template.id,
            "organization_id": template.organization_id,
            "created_at": version.created_at,
            "updated_at": version.created_at,
            "name": version.name,
            "message": version.message,
            "job": self._import_job(template, version),
            "readme": version.readme,
            "created_by": {
                "id": creator.id,
                "username": creator.username,
                "name": creator.name,
                "avatar_url": creator.avatar_url,
            },
            "archived": False,
            "warnings": [],
            "matched_provisioners": self._provisioners(),
            "has_external_agent": False,
        }

    def _import_job(self, template: TemplateRecord, version: VersionRecord) -> dict[str, Any]:
        job: dict[str, Any] = {
            "id": version.job_id,
            "created_at": version.created_at,
            "started_at": version.created_at,
            "status": "running" if version.importing else "succeeded",
            "file_id": version.job_id,
            "tags": _JOB_TAGS,
            "queue_position": 0,
            "queue_size": 0,
            "organization_id": template.organization_id,
            "initiator_id": template.created_by_id,
            "input": {"template_version_id": version.id},
            "type": "template_version_import",
            "available_workers": [],
            "metadata": self._job_metadata(template, version),
            "logs_overflowed": False,
        }
        if not version.importing:
            job["completed_at"] = version.created_at
        return job

    @staticmethod
    def parameter(record: ParameterRecord) -> dict[str, Any]:
        """A ``codersdk.TemplateVersionParameter``: validation fields only when set (0 is set)."""
        out = record.parameter.to_dict()
        out["description_plaintext"] = record.parameter.description_plaintext
        return out

    @staticmethod
    def preset(preset: PresetRecord) -> dict[str, Any]:
        return {
            "id": preset.id,
            "name": preset.name,
            "description": preset.description,
            "icon": preset.icon,
            "default": preset.default,
            "desiredPrebuildInstances": 0,
            "parameters": [{"name": n, "value": v} for n, v in preset.parameters],
        }

    def evaluation(self, request_id: int, evaluated: list[EvaluatedParameter]) -> dict[str, Any]:
        """A ``codersdk.DynamicParametersResponse``."""
        return {
            "id": request_id,
            "diagnostics": [],
            "parameters": [self._preview(index, e) for index, e in enumerate(evaluated)],
        }

    @staticmethod
    def _preview(order: int, evaluated: EvaluatedParameter) -> dict[str, Any]:
        param = evaluated.record.parameter
        validations = []
        if any(v is not None for v in (param.validation_regex, param.validation_min, param.validation_max)):
            validation: dict[str, Any] = {
                "validation_error": param.validation_error or "",
                "validation_regex": param.validation_regex or "",
                "validation_monotonic": param.validation_monotonic or "",
            }
            for key in ("validation_min", "validation_max"):
                if getattr(param, key) is not None:
                    validation[key] = getattr(param, key)
            validations.append(validation)
        diagnostics = []
        if evaluated.problem is not None:
            diagnostics.append(
                {
                    "severity": "error",
                    "summary": diagnostic_summary(evaluated.problem),
                    "detail": diagnostic_detail(evaluated.problem),
                    "extra": {"code": ""},
                }
            )
        return {
            "name": param.name,
            "display_name": param.display_name,
            "description": param.description,
            "type": param.type,
            "form_type": _preview_form_type(param),
            "styling": {"placeholder": "", "disabled": False, "label": "", "mask_input": False},
            "mutable": param.mutable,
            "default_value": {"value": param.default_value, "valid": not param.required},
            "icon": param.icon,
            "options": [
                {
                    "name": o.name,
                    "description": o.description,
                    "value": {"value": o.value, "valid": True},
                    "icon": o.icon,
                }
                for o in param.options
            ],
            "validations": validations,
            "required": param.required,
            "order": order,
            "ephemeral": param.ephemeral,
            "value": {"value": evaluated.value or "", "valid": evaluated.value is not None},
            "diagnostics": diagnostics,
        }

    # ------------------------------------------------------------------ workspaces

    def workspace(self, workspace: Workspace) -> dict[str, Any]:
        deployment = self.deployment
        owner = deployment.owner_of(workspace)
        template = deployment.template_of(workspace)
        org = deployment.organizations[workspace.organization_id]
        status = workspace.latest_build.status(self.now)
        return {
            "id": workspace.id,
            "created_at": format_time(workspace.created_at),
            "updated_at": format_time(max(workspace.created_at, workspace.latest_build.created_at)),
            "owner_id": owner.id,
            "owner_name": owner.username,
            "owner_avatar_url": owner.avatar_url,
            "organization_id": org.id,
            "organization_name": org.name,
            "template_id": template.id,
            "template_name": template.name,
            "template_display_name": template.display_name,
            "template_icon": template.icon,
            "template_allow_user_cancel_workspace_jobs": False,
            "template_active_version_id": template.active_version_id,
            "template_require_active_version": template.require_active_version,
            "template_use_classic_parameter_flow": template.use_classic_parameter_flow,
            "latest_build": self.build(workspace, workspace.latest_build),
            "outdated": deployment.outdated(workspace),
            "name": workspace.name,
            "autostart_schedule": "",
            "last_used_at": format_time(workspace.last_used_at),
            "health": {"healthy": status != "failed", "failing_agents": []},
            "automatic_updates": "never",
            "allow_renames": False,
            "favorite": False,
            "is_prebuild": False,
            "shared_with": [],
        }

    def build(self, workspace: Workspace, build: Build) -> dict[str, Any]:
        owner = self.deployment.owner_of(workspace)
        template, version = self.deployment.versions[build.template_version_id]
        initiator = self.deployment.users[build.initiator_id]
        return {
            "id": build.id,
            "created_at": format_time(build.created_at),
            "updated_at": format_time(min(self.now, build.completed_at)),
            "workspace_id": workspace.id,
            "workspace_name": workspace.name,
            "workspace_owner_id": owner.id,
            "workspace_owner_name": owner.username,
            "workspace_owner_avatar_url": owner.avatar_url,
            "template_version_id": version.id,
            "template_version_name": version.name,
            "build_number": build.number,
            "transition": build.transition,
            "initiator_id": initiator.id,
            "initiator_name": initiator.username,
            "job": self._build_job(workspace, build, template, version),
            "reason": "initiator",
            "resources": render_resources(version.agents, build, self.now, owner.username, workspace.name),
            "status": build.status(self.now),
            "daily_cost": 0,
            "matched_provisioners": self._provisioners(),
            "has_ai_task": False,
            "has_external_agent": False,
        }

    def _build_job(
        self, workspace: Workspace, build: Build, template: TemplateRecord, version: VersionRecord
    ) -> dict[str, Any]:
        status = build.job_status(self.now)
        job: dict[str, Any] = {
            "id": build.job_id,
            "created_at": format_time(build.created_at),
            "status": status,
            "file_id": version.job_id,
            "tags": _JOB_TAGS,
            "queue_position": 0,
            "queue_size": 0,
            "organization_id": template.organization_id,
            "initiator_id": build.initiator_id,
            "input": {"workspace_build_id": build.id},
            "type": "workspace_build",
            "available_workers": [],
            "metadata": {
                **self._job_metadata(template, version),
                "workspace_id": workspace.id,
                "workspace_name": workspace.name,
            },
            "logs_overflowed": False,
        }
        if status != "pending":
            job["started_at"] = format_time(build.started_at)
        if status in ("succeeded", "failed", "canceled"):
            job["completed_at"] = format_time(build.completed_at)
        if status == "canceled":
            job["canceled_at"] = format_time(build.completed_at)
        if status == "failed" and build.error:
            job["error"] = build.error
        return job

    @staticmethod
    def _job_metadata(template: TemplateRecord, version: VersionRecord) -> dict[str, Any]:
        return {
            "template_id": template.id,
            "template_name": template.name,
            "template_display_name": template.display_name,
            "template_icon": template.icon,
            "template_version_name": version.name,
        }

    def _provisioners(self) -> dict[str, Any]:
        return {"count": 1, "available": 1, "most_recently_seen": format_time(self.now)}


def _preview_form_type(param: TemplateParameter) -> str:
    """The form type the dynamic flow reports when the template names none."""
    if param.form_type:
        return param.form_type
    if param.options:
        return "radio"
    return {"bool": "checkbox", "list(string)": "tag-select"}.get(param.type, "input")
