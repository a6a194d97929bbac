"""Rules: the template an entity names, against the deployment or a snapshot."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from coder_catalog.analysis.findings import Finding
from coder_catalog.analysis.rules.base import EntityContext, replace_fix, rule
from coder_catalog.analysis.rules.coder_block import example, quoted
from coder_catalog.analysis.spans import Span
from coder_catalog.templates.model import Template, TemplateCatalog

MAX_NAMES_SHOWN = 5  # parameter names listed in a message


def coder_key_span(ctx: EntityContext) -> Span | None:
    entry = ctx.entity.coder_entry
    return entry.key.span if entry is not None else None


def effective_template(ctx: EntityContext) -> Template | None:
    """The template the entity will use, when the deployment (or snapshot) has it."""
    catalog = ctx.templates.catalog
    name = ctx.effective.template_name
    if catalog is None or not name:
        return None
    return catalog.find(name)


@rule(
    "CC201",
    "unknown-template",
    "error",
    "The template does not exist on the deployment",
    explanation="""
The template named by `templateName` (or the app's `defaultTemplateName`) is not one of the deployment's
templates, deprecated ones included, so the create link leads to an error page. The finding offers the
closest names. Coder finds templates case-insensitively, but its workspace search compares names
exactly after lower-casing the query: a name that differs only in case is reported as a warning with a
safe fix to the exact name. Until the name is found, the entity's parameter values are not checked
(CC205 says so).
""",
    bad=example("coder:\n  templateName: devcontainer"),
    good=example("coder:\n  templateName: devcontainers"),
    group="templates",
    needs_templates=True,
)
def unknown_template(ctx: EntityContext) -> Iterator[Finding]:
    catalog = ctx.templates.catalog
    effective = ctx.effective
    name = effective.template_name
    if catalog is None or not name:
        return
    node = effective.template_node if effective.template_source == "catalog" else None
    span = node.span if node is not None else coder_key_span(ctx)
    if span is None:
        return
    found = catalog.find(name)
    where = "" if node is not None else " (the app's defaultTemplateName)"
    if found is not None:
        if found.name != name and node is not None and node.is_string:
            yield ctx.finding(
                span,
                f'templateName "{name}" differs in case from the template "{found.name}": use the exact name',
                replace_fix(f'Change to "{found.name}"', span, _literal(found.name, node.style)),
                severity="warning",
            )
        return
    close = close_template_names(catalog, name)
    hint = f" Did you mean {', '.join(quoted(c) for c in close)}?" if close else ""
    listing = "" if close else f" Templates: {', '.join(catalog.names(include_deprecated=False)[:12])}."
    fixes = (
        tuple(replace_fix(f'Change to "{c}"', span, _literal(c, node.style), safe=False) for c in close)
        if node is not None
        else ()
    )
    deployment = catalog.deployment_url or "the deployment"
    yield ctx.finding(
        span, f'template "{name}"{where} does not exist on {deployment}.{hint}{listing}', *fixes
    )


def close_template_names(catalog: TemplateCatalog, name: str) -> list[str]:
    """The deployment's template names closest to an unknown one (at most three, best first)."""
    return difflib.get_close_matches(name, catalog.names(), n=3, cutoff=0.5)


def _literal(value: str, style: str) -> str:
    return quoted(value) if style in ("'", '"') else value


DEPRECATED_TEMPLATE = "CC202"


@rule(
    DEPRECATED_TEMPLATE,
    "deprecated-template",
    "warning",
    "The template is deprecated",
    explanation="""
Coder refuses to create workspaces from a deprecated template (400), so the create link and `auto` mode
fail. The finding repeats the template author's deprecation message, which usually names the successor.
""",
    bad=example("coder:\n  templateName: legacy-vm"),
    good=example("coder:\n  templateName: devcontainers"),
    group="templates",
    needs_templates=True,
)
def deprecated_template(ctx: EntityContext) -> Iterator[Finding]:
    template = effective_template(ctx)
    if template is None or not template.deprecated:
        return
    effective = ctx.effective
    node = effective.template_node if effective.template_source == "catalog" else None
    span = node.span if node is not None else coder_key_span(ctx)
    if span is None:
        return
    message = f'template "{template.name}" is deprecated: Coder will not create new workspaces from it'
    if template.deprecation_message:
        message += f" ({template.deprecation_message})"
    yield ctx.finding(span, message)


@rule(
    "CC203",
    "no-template",
    "warning",
    "No template from the catalog nor from the app defaults",
    explanation="""
Neither `spec.coder.templateName` nor the app's `workspaces.defaultTemplateName` names a template, so the
plugin cannot build a create link: it shows "no template name, so no workspace can be created". Name a
template here, or set `workspaces.defaultTemplateName` in `.coder-catalog.yaml` to mirror the app.
""",
    bad=example("coder:\n  mode: auto"),
    good=example("coder:\n  templateName: devcontainers\n  mode: auto"),
    group="templates",
)
def no_template(ctx: EntityContext) -> Iterator[Finding]:
    entry = ctx.entity.coder_entry
    if entry is None or ctx.effective.template_source is not None:
        return
    yield ctx.finding(
        entry.key.span,
        "no template: spec.coder has no templateName and no defaultTemplateName is configured, "
        "so no workspace can be created",
    )


@rule(
    "CC204",
    "template-parameters-unavailable",
    "info",
    "The template's parameters could not be loaded",
    explanation="""
The template exists but its parameters could not be read, usually because Coder is still importing its
active version (425 Too Early). Parameter rules are skipped for it; they run again on the next check.
""",
    bad="",
    good="",
    group="templates",
    needs_templates=True,
)
def template_parameters_unavailable(ctx: EntityContext) -> Iterator[Finding]:
    catalog = ctx.templates.catalog
    template = effective_template(ctx)
    if catalog is None or template is None or template.parameters is not None:
        return
    reason = catalog.unavailable.get(template.name)
    if reason is None:
        return  # not loaded yet (an editor loads them in the background): nothing to say
    span = ctx.effective.template_node.span if ctx.effective.template_node else coder_key_span(ctx)
    if span is not None:
        yield ctx.finding(span, f'parameters of "{template.name}" were not checked: {reason}')


@rule(
    "CC205",
    "parameters-not-checked",
    "info",
    "The parameter values were not checked because the template is unknown",
    explanation="""
Parameter values are judged against the template's parameters (CC301-CC311). While the template named by
`templateName` (or the app's `defaultTemplateName`) is not found on the deployment (CC201), there is
nothing to judge them against, so none of the entity's effective values (the catalog's `params`, the
app's `workspaces.params` and the repository URL the plugin injects) is checked: a typo in a parameter
name or a value Coder rejects goes unnoticed. This information says how many values wait; they are checked
as soon as the template name is fixed.
""",
    bad=example("coder:\n  templateName: devcontainer\n  params:\n    region: us-east-1"),
    good=example("coder:\n  templateName: devcontainers\n  params:\n    region: us-east-1"),
    group="templates",
    needs_templates=True,
)
def parameters_not_checked(ctx: EntityContext) -> Iterator[Finding]:
    catalog = ctx.templates.catalog
    effective = ctx.effective
    name = effective.template_name
    params = effective.params
    if catalog is None or not name or not params or catalog.find(name) is not None:
        return
    coder_span = coder_key_span(ctx)
    if coder_span is None:
        return  # no spec.coder: CC201 does not report the app's template either
    coder = ctx.entity.coder
    params_entry = coder.entry("params") if coder is not None else None
    span = params_entry.key.span if params_entry is not None else coder_span
    count = len(params)
    shown = list(params)[:MAX_NAMES_SHOWN]
    listed = ", ".join(shown) + (", …" if count > len(shown) else "")
    values = "the parameter value" if count == 1 else f"the {count} parameter values"
    verb = "was" if count == 1 else "were"
    where = "" if effective.template_source == "catalog" else " (the app's defaultTemplateName)"
    message = f'{values} ({listed}) {verb} not checked because template "{name}"{where} is unknown'
    close = close_template_names(catalog, name)
    if close:
        pronoun = "it" if count == 1 else "they"
        against = " or ".join(f'"{c}"' for c in close)
        message += f"; {pronoun} will be checked once the name is fixed (against {against})"
    yield ctx.finding(span, message)
