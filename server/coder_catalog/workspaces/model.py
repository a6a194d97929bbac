"""A workspace as the editor and the terminal show it, and an entity's list of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coder_catalog.coder.models import Workspace

#: statuses of a build that has not finished yet
IN_PROGRESS = frozenset({"pending", "starting", "stopping", "deleting", "canceling"})


@dataclass(frozen=True, slots=True)
class WorkspaceInfo:
    id: str
    name: str
    owner: str
    template: str
    status: str  # pending starting running stopping stopped failed canceling canceled deleting deleted
    url: str  # <accessUrl>/@owner/name
    outdated: bool = False
    last_used_at: str = ""
    template_display_name: str = ""
    transition: str = ""
    job_error: str = ""

    @classmethod
    def of(cls, workspace: Workspace, access_url: str) -> WorkspaceInfo:
        build = workspace.latest_build
        return cls(
            id=workspace.id,
            name=workspace.name,
            owner=workspace.owner_name,
            template=workspace.template_name,
            status=workspace.status,
            url=workspace.page_url(access_url),
            outdated=workspace.outdated,
            last_used_at=workspace.last_used_at,
            template_display_name=workspace.template_display_name,
            transition=build.transition if build else "",
            job_error=build.job_error if build else "",
        )

    @property
    def building(self) -> bool:
        return self.status in IN_PROGRESS

    @property
    def running(self) -> bool:
        return self.status == "running"

    @property
    def label(self) -> str:
        """``name (status[, outdated])``, for pickers and messages."""
        extra = ", outdated" if self.outdated else ""
        return f"{self.name} ({self.status}{extra})"

    def matches(self, reference: str) -> bool:
        """Named by id, by name (case-insensitive, as Coder compares names) or by ``owner/name``."""
        wanted = reference.strip().lower()
        return wanted in (self.id.lower(), self.name.lower(), f"{self.owner}/{self.name}".lower())

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "owner": self.owner,
            "template": self.template,
            "templateDisplayName": self.template_display_name,
            "status": self.status,
            "building": self.building,
            "outdated": self.outdated,
            "lastUsedAt": self.last_used_at or None,
            "url": self.url,
            "error": self.job_error or None,
        }


@dataclass(frozen=True, slots=True)
class EntityWorkspaces:
    """The workspaces found for one entity, and why the list may be empty or partial."""

    workspaces: tuple[WorkspaceInfo, ...] = ()
    note: str | None = None

    @property
    def running(self) -> int:
        return sum(1 for w in self.workspaces if w.running)

    @property
    def building(self) -> bool:
        return any(w.building for w in self.workspaces)

    @property
    def summary(self) -> str:
        """``N workspaces (M running)``, with ``, K outdated`` when some are built from an older
        template version."""
        count = len(self.workspaces)
        outdated = sum(1 for w in self.workspaces if w.outdated)
        extra = f", {outdated} outdated" if outdated else ""
        return f"{count} workspace{'' if count == 1 else 's'} ({self.running} running{extra})"

    def of_template(self, template: str | None) -> list[WorkspaceInfo]:
        if not template:
            return []
        return [w for w in self.workspaces if w.template.lower() == template.lower()]

    def find(self, reference: str) -> WorkspaceInfo | None:
        return next((w for w in self.workspaces if w.matches(reference)), None)

    def best(self) -> WorkspaceInfo | None:
        """The one to open: the most recently used running one, else the most recently used one."""
        running = [w for w in self.workspaces if w.running]
        return max(running or self.workspaces, key=lambda w: w.last_used_at, default=None)

    def to_json(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "running": self.running,
            "note": self.note,
            "workspaces": [w.to_json() for w in self.workspaces],
        }
