"""Hover inside ``spec.coder``: the template, a parameter, the mode, and the effective settings; and on
a placeholder (``$text: ./openapi.yaml``) anywhere: what Backstage will replace it with.

Text from the catalog file and names are escaped; descriptions are the template author's
Markdown, cleaned of raw HTML and non-web links (see :mod:`.markdown`).
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, replace
from urllib.parse import urljoin

from coder_catalog.analysis.analyze import Analyzer
from coder_catalog.analysis.editor import markdown as md
from coder_catalog.analysis.editor.common import deployment_name
from coder_catalog.analysis.editor.completion import (
    KEY_DOCS,
    MODE_DOCS,
    effective_of,
    template_documentation,
    template_of,
)
from coder_catalog.analysis.editor.cursor import CursorContext, context_at
from coder_catalog.analysis.effective import EffectiveCoder, ParamValue, ValueSource, template_url
from coder_catalog.analysis.rules.coder_block import MODES
from coder_catalog.analysis.rules.entity_fields import PLACEHOLDERS
from coder_catalog.analysis.spans import Span
from coder_catalog.analysis.yaml_tree import Mapping, Scalar
from coder_catalog.templates.model import Template, TemplateParameter
from coder_catalog.templates.parameter_values import check_parameter_value, effective_value

_SOURCES: dict[ValueSource, str] = {
    "catalog": "this file",
    "app-default": "app default",
    "repository-url": "repository URL",
    "plugin-default": "plugin default",
}


@dataclass(frozen=True, slots=True)
class HoverResult:
    markdown: str
    span: Span  # file positions of the key or value hovered


def hover(
    analyzer: Analyzer,
    text: str,
    line: int,
    column: int,
    location: str | None = None,
    default_location: str | None = None,
) -> HoverResult | None:
    """What to show for the key or value at file position (``line``, ``column``); ``location`` is the
    file's path or URL, against which placeholders' relative targets are resolved; ``default_location``
    the source-location Backstage writes at ingestion when the entity sets none."""
    ctx = replace(context_at(analyzer, text, line, column), default_location=default_location)
    if ctx.part not in ("key", "value") or ctx.key is None or ctx.token_span.start == ctx.token_span.end:
        return None
    found = _markdown(analyzer, ctx, ctx.key, location)
    return HoverResult(found, ctx.token_span) if found else None


def _markdown(analyzer: Analyzer, ctx: CursorContext, key: str, location: str | None = None) -> str | None:
    if key in PLACEHOLDERS:
        return placeholder_markdown(ctx, key, location)
    if (
        ctx.path == ()
        and key == "spec"
        and ctx.part == "key"
        and ctx.entity is not None
        and ctx.entity.coder_entry is None
    ):
        return (
            "**No `spec.coder` block.** The Coder plugin still shows its workspaces card on this entity's page, "
            "from the app defaults:\n\n" + coder_summary(analyzer, ctx)
        )
    if ctx.path == ("spec",) and key == "coder":
        return coder_summary(analyzer, ctx)
    if ctx.in_coder and key == "templateName":
        return _template_hover(analyzer, ctx)
    if ctx.in_coder and key == "mode":
        return _mode_hover(analyzer, ctx)
    if ctx.in_coder and key == "params" and ctx.part == "key":
        return KEY_DOCS["params"] + "\n\n" + _params_table(analyzer, ctx)
    if ctx.in_params:
        return _parameter_hover(analyzer, ctx, key)
    return None


# -- placeholders ----------------------------------------------------------------------------------

_PLACEHOLDER_YIELDS = {  # key: (what it is replaced with, "of <target>", what the field then holds)
    "$text": ("the text of", "a string"),
    "$json": ("the data parsed from the JSON of", "that data"),
    "$yaml": ("the data parsed from the YAML (one document) of", "that data"),
    "$openapi": (
        "the text of the OpenAPI document, with its external $refs bundled (OpenAPI module),",
        "a string",
    ),
    "$asyncapi": (
        "the text of the AsyncAPI document, with its external $refs bundled (OpenAPI module),",
        "a string",
    ),
}


def placeholder_markdown(ctx: CursorContext, key: str, location: str | None) -> str:
    """What Backstage's placeholder processor replaces ``{key: target}`` with, and where it reads it."""
    holder = ".".join(ctx.path) or "this field"
    target = _placeholder_target(ctx, key)
    where = resolve_target(target, location) if target else None
    lines = [f"**`{key}` placeholder** in `{md.escape(holder)}`"]
    if target is None:
        lines.append(
            "Backstage resolves a placeholder only when its value is a string (a path or a URL) and it is the "
            "mapping's only key; otherwise the mapping is left as written."
        )
    else:
        what, holds = _PLACEHOLDER_YIELDS[key]
        lines.append(
            f"At ingestion, Backstage's catalog replaces this mapping with {what} "
            f"`{md.escape(where or target)}`: the field holds {holds}."
        )
        if where != target and where is not None:
            lines.append(
                f"`{md.escape(target)}` is relative to the catalog file's own location (in Backstage, the URL the "
                "file was registered from)."
            )
    return "\n\n".join(lines)


def _placeholder_target(ctx: CursorContext, key: str) -> str | None:
    """The placeholder's value when it is a string: from the parsed entity, at the cursor's path."""
    node: object = ctx.entity.root if ctx.entity is not None else None
    for part in ctx.path:
        node = node.get(part) if isinstance(node, Mapping) else None
    value = node.get(key) if isinstance(node, Mapping) else None
    if isinstance(value, Scalar) and value.is_string:
        return str(value.value)
    return None


def resolve_target(target: str, location: str | None) -> str:
    """A placeholder's target as Backstage reads it: an absolute URL as is, a relative path against the
    catalog file's location (a path or a URL)."""
    if "://" in target or location is None:
        return target
    if "://" in location:
        return urljoin(location, target)
    return os.path.normpath(os.path.join(os.path.dirname(location), target))


# -- templateName ------------------------------------------------------------------------------


def _template_hover(analyzer: Analyzer, ctx: CursorContext) -> str:
    effective = effective_of(analyzer, ctx)
    name = effective.template_name if effective is not None else None
    if effective is not None and effective.template_source == "catalog" and not name:
        return (
            "**Empty template name**: it overrides the app's `defaultTemplateName` and the plugin builds no "
            "create link, so no workspace can be created from Backstage."
        )
    if not name:
        return "**No template**: " + KEY_DOCS["templateName"]
    catalog = analyzer.templates.catalog
    if catalog is None:
        why = analyzer.templates.problem or "no deployment or template snapshot is configured"
        return f"Template {md.code(name)}: template data unavailable ({md.escape(why)})."
    template = catalog.find(name)
    if template is None:
        close = difflib.get_close_matches(name, catalog.names(), n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(md.code(c) for c in close)}?" if close else ""
        return f"Template {md.code(name)} not found on {md.escape(deployment_name(analyzer))}.{hint}"
    return template_markdown(analyzer, template, name)


def template_markdown(analyzer: Analyzer, template: Template, written: str) -> str:
    title = f"### {md.escape(template.label)} ({md.code(template.name)})"
    parts = [title]
    if template.name != written:
        parts.append(f"Written {md.code(written)}: use the exact name {md.code(template.name)}.")
    details = analyzer.templates.derived("documentation", template, template_documentation)
    if details:
        parts.append(details)
    version = [md.code(template.active_version_id)] if template.active_version_id else []
    if template.updated_at:
        version.append(f"updated {md.escape(template.updated_at)}")
    if version:
        parts.append("Active version: " + ", ".join(version))
    if template.presets:
        parts.append(presets_markdown(template))
    access_url = analyzer.settings.access_url
    if access_url:
        parts.append(md.link("Open the template in Coder", template_url(access_url, template.name)))
    return "\n\n".join(parts)


def presets_markdown(template: Template) -> str:
    """The active version's presets, each with its values (they overwrite the entity's at creation)."""
    rows = []
    for preset in template.presets or ():
        default = " (default)" if preset.default else ""
        description = f": {md.escape(preset.description)}" if preset.description else ""
        values = ", ".join(f"{n}={v}" for n, v in preset.parameters)
        rows.append(
            f"- {md.code(preset.name)}{default}{description}" + (f" — {md.code(values)}" if values else "")
        )
    return "Presets (their values overwrite the entity's params when chosen at creation):\n\n" + "\n".join(
        rows
    )


# -- mode --------------------------------------------------------------------------------------


def _mode_hover(analyzer: Analyzer, ctx: CursorContext) -> str:
    coder = ctx.entity.coder if ctx.entity is not None else None
    node = coder.get("mode") if coder is not None else None
    effective = effective_of(analyzer, ctx)
    if isinstance(node, Scalar) and not (node.is_string and node.value in MODES):
        shown = md.code(node.text) if node.type != "null" else "empty"
        return (
            f"**mode** {shown} is not `manual` or `auto` (case-sensitive): the plugin's card breaks.\n\n"
            + "\n\n".join(f"`{m}`: {MODE_DOCS[m]}" for m in MODES)
        )
    mode = effective.mode if effective is not None else "manual"
    other = "auto" if mode == "manual" else "manual"
    source = _SOURCES[effective.mode_source] if effective is not None else "plugin default"
    return f"**mode** `{mode}` ({source}): {MODE_DOCS[mode]}\n\nWith `{other}` instead: {MODE_DOCS[other]}"


# -- a parameter -------------------------------------------------------------------------------


def _parameter_hover(analyzer: Analyzer, ctx: CursorContext, name: str) -> str:
    effective = effective_of(analyzer, ctx)
    value = effective.params.get(name) if effective is not None else None
    template = template_of(analyzer, ctx)
    if template is None or template.parameters is None:
        why = (
            "template data unavailable"
            if analyzer.templates.catalog is None
            else "template parameters unknown"
        )
        return f"Parameter {md.code(name)} ({why}).\n\n" + _value_line(value)
    param = template.parameter(name)
    if param is None:
        dynamic = " unless its dynamic parameters add it" if template.uses_dynamic_parameters else ""
        return (
            f"Template {md.code(template.name)} has no parameter {md.code(name)}{dynamic}: Coder ignores it.\n\n"
            + _value_line(value)
        )
    return parameter_markdown(param, template, value)


def parameter_markdown(param: TemplateParameter, template: Template, value: ParamValue | None) -> str:
    parts = [f"### {md.escape(param.label)} ({md.code(param.name)})"]
    if param.description:
        parts.append(md.description(param.description))
    parts.append(_parameter_facts(param))
    if param.options:
        parts.append(_options_table(param))
    rules = _validation(param)
    if rules:
        parts.append(rules)
    parts.append(_verdict(param, template, value))
    return "\n\n".join(parts)


def _parameter_facts(param: TemplateParameter) -> str:
    kind = md.code(param.type) + (f" ({md.escape(param.form_type)})" if param.form_type else "")
    facts = [f"Type: {kind}"]
    facts.append("Required: yes" if param.required else "Required: no")
    facts.append(f"Default: {md.code(param.default_value)}" if param.default_value else "Default: none")
    if not param.mutable:
        facts.append("Immutable: cannot change after the workspace is created")
    if param.ephemeral:
        facts.append("Ephemeral: not kept for later builds")
    return "  \n".join(facts)


def _options_table(param: TemplateParameter) -> str:
    rows = ["| Value | Name | Description |", "|---|---|---|"]
    for option in param.options:
        cells = (md.code(option.value), md.escape(option.name), md.description(option.description))
        rows.append("| " + " | ".join(md.cell(c) for c in cells) + " |")
    return "\n".join(rows)


def _validation(param: TemplateParameter) -> str:
    rules = []
    if param.validation_regex:
        rules.append(f"Pattern (Go RE2, searched anywhere in the value): {md.code(param.validation_regex)}")
    if param.validation_min is not None:
        rules.append(f"Minimum: {param.validation_min}")
    if param.validation_max is not None:
        rules.append(f"Maximum: {param.validation_max}")
    if param.validation_monotonic:
        rules.append(f"Monotonic: {md.escape(param.validation_monotonic)} (compared with the previous build)")
    if param.validation_error and rules:
        rules.append(f"Error: {md.escape(param.validation_error)}")
    return "  \n".join(rules)


def _verdict(param: TemplateParameter, template: Template, value: ParamValue | None) -> str:
    lines = [_value_line(value)]
    given = value.value if value is not None else None
    dynamic = template.uses_dynamic_parameters
    problem = check_parameter_value(param, given, dynamic=dynamic)
    if problem is None and given:
        lines.append("Coder accepts it.")
    elif problem is None and given == "":
        lines.append("Coder accepts it empty (an empty value is kept: the default does not replace it).")
    elif problem is None:
        used = effective_value(param, given) or ""
        lines.append(f"Coder uses the default {md.code(used)}." if used else "Coder accepts it empty.")
    elif problem.stage == "build":
        lines.append("**Coder creates the workspace, then its build fails**: " + md.escape(problem.message))
    else:
        lines.append(f"**Coder rejects it**: {md.escape(problem.message)}")
    if dynamic:
        lines.append(
            "The template uses dynamic parameters (the Terraform provider's rules); "
            "Coder's own evaluation has the last word."
        )
    else:
        lines.append(
            "The template uses the classic parameter flow (codersdk's rules, then the provider's at build)."
        )
    return "  \n".join(lines)


def _value_line(value: ParamValue | None) -> str:
    if value is None:
        return "Value: none (Coder uses the template's default, if any)."
    line = f"Value: {md.code(value.value)} ({_SOURCES[value.source]})"
    if value.overridden_catalog_node is not None:
        line += f"; the plugin replaces {md.code(value.overridden_catalog_node.text)} written here"
    return line


# -- the effective settings --------------------------------------------------------------------


def coder_summary(analyzer: Analyzer, ctx: CursorContext) -> str:
    effective = effective_of(analyzer, ctx)
    if effective is None:
        return "**spec.coder**: the document does not parse."
    settings = analyzer.settings
    template = effective.template_name
    template_text = md.code(template) if template else "none: no workspace can be created"
    template_from = _SOURCES[effective.template_source] if effective.template_source else ""
    rows = [
        "**Coder workspace settings** (after the app defaults)",
        "",
        "| Setting | Value | From |",
        "|---|---|---|",
        f"| template | {md.cell(template_text)} | {template_from} |",
        f"| mode | `{effective.mode}` | {_SOURCES[effective.mode_source]} |",
        *_param_rows(effective),
    ]
    parts = ["\n".join(rows), _repository_line(effective)]
    link = effective.create_link(settings.plugin_access_url)
    if effective.rejected is not None:
        parts.append(
            "**The plugin refuses this block:** its card shows Backstage's error panel (*Error in coder*: "
            f"{md.escape(effective.rejected)}), with no workspaces and no create link."
        )
    elif link is not None:
        parts.append(f"{md.link('Create a workspace', link)} (the plugin's link)  \n{md.code(link)}")
    elif not settings.access_url:
        parts.append("No create link: the deployment's access URL is not configured.")
    elif effective.template_name == "":
        parts.append("No create link: templateName is empty, which overrides the app's defaultTemplateName.")
    else:
        parts.append("No create link: no template name.")
    return "\n\n".join(parts)


def _param_rows(effective: EffectiveCoder, label: str = "param ") -> list[str]:
    return [
        f"| {label}{md.cell(md.code(p.name))} | {md.cell(md.code(p.value))} | {_SOURCES[p.source]} |"
        for p in effective.params.values()
    ]


def _params_table(analyzer: Analyzer, ctx: CursorContext) -> str:
    effective = effective_of(analyzer, ctx)
    if effective is None or not effective.params:
        return "Effective parameters: none."
    return "\n".join(["| Parameter | Value | From |", "|---|---|---|", *_param_rows(effective, "")])


def _repository_line(effective: EffectiveCoder) -> str:
    repository = effective.repository
    if repository.url is None:
        if repository.annotation is None:
            return (
                "Repository URL: none in this file (Backstage sets `backstage.io/source-location` to the "
                "folder of the catalog file when it ingests it)."
            )
        return f"Repository URL: none, {md.code(repository.annotation)} is not a `url:` location."
    line = f"Repository URL the plugin derives: {md.code(repository.url)}"
    if repository.derived:
        line += (
            " (the file sets no `backstage.io/source-location`: this is the one Backstage writes at ingestion, "
            "from the repository and the file's folder)"
        )
    if repository.problem:
        line += f" ({md.escape(repository.problem)})"
    return line
