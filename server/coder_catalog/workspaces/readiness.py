"""Whether an entity is fit to create a workspace from, by the analysis' own verdict.

The shells (``coder-catalog create``, the editor's create command and lenses) act only on what
``lint`` accepts: they run the same analysis and refuse while the entity has errors, unless the
user insists. A deprecated template (CC202) is only a warning in a lint report, but Coder refuses to
create a workspace from it, so it blocks creation too. Pure code: no HTTP, no editor.
"""

from __future__ import annotations

from coder_catalog.analysis.analyze import FileAnalysis
from coder_catalog.analysis.findings import Finding
from coder_catalog.analysis.templates import TemplateData
from coder_catalog.workspaces.entities import CoderEntity

# Warnings that still mean Coder will refuse the workspace.
BLOCKING_WARNINGS = frozenset({"CC202"})


def entity_findings(analysis: FileAnalysis, entity: CoderEntity) -> list[Finding]:
    """The findings inside the entity's document (file positions), in file order."""
    first, last = entity.document.start.line, entity.document.end.line
    return [f for f in analysis.findings if first <= f.span.start.line <= last]


def creation_blockers(analysis: FileAnalysis, entity: CoderEntity) -> list[Finding]:
    """What makes a workspace created for the entity fail or differ from what the file says."""
    return [
        f for f in entity_findings(analysis, entity) if f.severity == "error" or f.code in BLOCKING_WARNINGS
    ]


def template_missing(templates: TemplateData, entity: CoderEntity) -> bool:
    """True when the template list is known and the entity's template is not in it (CC201)."""
    catalog = templates.catalog
    name = entity.template_name
    return catalog is not None and bool(name) and catalog.find(name or "") is None


def refusal(entity_ref: str, blockers: list[Finding]) -> str:
    """One sentence for the user: why no workspace is created (the shell says how to insist)."""
    codes = sorted({f.code for f in blockers})
    count = len(blockers)
    problems = f"{count} problem{'s' if count != 1 else ''}"
    return f"not creating a workspace for {entity_ref}: lint finds {problems} in it ({', '.join(codes)})"
