"""What the Coder client returns besides templates (those live in ``coder_catalog.templates``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from coder_catalog.templates.model import DynamicEvaluation, ParameterDiagnostic


def _s(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


@dataclass(frozen=True, slots=True)
class BuildInfo:
    version: str
    external_url: str = ""
    dashboard_url: str = ""
    deployment_id: str = ""

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> BuildInfo:
        return cls(
            _s(data, "version"),
            _s(data, "external_url"),
            _s(data, "dashboard_url"),
            _s(data, "deployment_id"),
        )


@dataclass(frozen=True, slots=True)
class User:
    id: str
    username: str
    name: str = ""
    email: str = ""
    status: str = ""
    organization_ids: tuple[str, ...] = ()

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> User:
        orgs = data.get("organization_ids")
        return cls(
            id=_s(data, "id"),
            username=_s(data, "username"),
            name=_s(data, "name"),
            email=_s(data, "email"),
            status=_s(data, "status"),
            organization_ids=tuple(o for o in orgs if isinstance(o, str)) if isinstance(orgs, list) else (),
        )


@dataclass(frozen=True, slots=True)
class Organization:
    id: str
    name: str
    display_name: str = ""
    is_default: bool = False

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Organization:
        return cls(_s(data, "id"), _s(data, "name"), _s(data, "display_name"), data.get("is_default") is True)


@dataclass(frozen=True, slots=True)
class WorkspaceBuild:
    id: str
    status: str
    transition: str
    build_number: int = 0
    job_status: str = ""
    job_error: str = ""
    template_version_id: str = ""

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> WorkspaceBuild:
        raw_job = data.get("job")
        job: Mapping[str, Any] = raw_job if isinstance(raw_job, Mapping) else {}
        number = data.get("build_number")
        return cls(
            id=_s(data, "id"),
            status=_s(data, "status"),
            transition=_s(data, "transition"),
            build_number=number if isinstance(number, int) else 0,
            job_status=_s(job, "status"),
            job_error=_s(job, "error"),
            template_version_id=_s(data, "template_version_id"),
        )

    @property
    def in_progress(self) -> bool:
        return self.status in ("pending", "starting", "stopping", "deleting", "canceling")


@dataclass(frozen=True, slots=True)
class Workspace:
    id: str
    name: str
    owner_name: str
    template_name: str
    template_display_name: str = ""
    organization_name: str = ""
    outdated: bool = False
    last_used_at: str = ""
    latest_build: WorkspaceBuild | None = None
    template_id: str = ""
    template_active_version_id: str = ""

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Workspace:
        build = data.get("latest_build")
        return cls(
            id=_s(data, "id"),
            name=_s(data, "name"),
            owner_name=_s(data, "owner_name"),
            template_name=_s(data, "template_name"),
            template_display_name=_s(data, "template_display_name"),
            organization_name=_s(data, "organization_name"),
            outdated=data.get("outdated") is True,
            last_used_at=_s(data, "last_used_at"),
            latest_build=WorkspaceBuild.from_api(build) if isinstance(build, Mapping) else None,
            template_id=_s(data, "template_id"),
            template_active_version_id=_s(data, "template_active_version_id"),
        )

    @property
    def status(self) -> str:
        return self.latest_build.status if self.latest_build else "unknown"

    def page_url(self, access_url: str) -> str:
        return f"{access_url.rstrip('/')}/@{quote(self.owner_name)}/{quote(self.name)}"


__all__ = [
    "BuildInfo",
    "DynamicEvaluation",
    "Organization",
    "ParameterDiagnostic",
    "User",
    "Workspace",
    "WorkspaceBuild",
]
