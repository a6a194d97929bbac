"""Completion inside ``spec.coder``: its keys, template names, modes, parameter names and values.

Everything comes from the settings and the template data the analyzer already has: completion
never waits on the deployment. Without template data it offers the keys and the modes only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from coder_catalog.analysis.analyze import Analyzer
from coder_catalog.analysis.editor import markdown as md
from coder_catalog.analysis.editor.common import CODER_PATH, NO_WORKSPACE_KINDS, find_template
from coder_catalog.analysis.editor.cursor import CursorContext, block_values, context_at
from coder_catalog.analysis.effective import EffectiveCoder, effective_coder
from coder_catalog.analysis.rules.coder_block import MODES, quoted
from coder_catalog.analysis.spans import Span
from coder_catalog.analysis.yaml_tree import resolve_plain
from coder_catalog.templates.model import Template, TemplateParameter

ProposalKind = Literal["key", "template", "mode", "parameter", "value", "entity"]

#: what each key of spec.coder does, for completion and hover
KEY_DOCS = {
    "templateName": (
        "The Coder template the workspace is created from. Without it the app's "
        "`workspaces.defaultTemplateName` applies; an empty string disables workspace creation."
    ),
    "mode": (
        "`manual` opens Coder's pre-filled create form; `auto` creates the workspace at once from the "
        "given values. Without it the app's `workspaces.defaultMode` applies, else `manual`."
    ),
    "params": (
        'Template parameter values, every one a YAML string (`cpu: "4"`). They overlay the app\'s '
        "`workspaces.params`; the keys of `repoUrlParamKeys` get the repository URL whatever is written here."
    ),
}
MODE_DOCS = {
    "manual": "Opens Coder's create form pre-filled with these values; the user reviews them and creates the "
    "workspace (Coder calls this mode `form`).",
    "auto": "Asks Coder to create the workspace at once from these values (newer Coder asks for consent "
    "first). Every required parameter needs a value, or creation fails.",
}
CODER_DOC = (
    "Settings the Backstage Coder plugin reads to create workspaces for this entity: `templateName`, "
    "`mode` and `params`. `coder:` with nothing under it breaks the plugin's card."
)
_PLAIN = re.compile(r"[A-Za-z0-9_./@+-](?:[A-Za-z0-9_./@+ -]*[A-Za-z0-9_./@+-])?")


@dataclass(frozen=True, slots=True)
class Proposal:
    """One completion item. ``replace_span`` is a file span on the cursor's line; an ``insert_text``
    of several lines carries the full indentation of the lines after the first (send it "as is")."""

    label: str
    kind: ProposalKind
    detail: str
    documentation: str  # Markdown
    insert_text: str
    replace_span: Span
    is_snippet: bool = False
    sort_text: str = ""
    filter_text: str = ""
    deprecated: bool = False
    preselect: bool = False
    #: ask for completion again after inserting (a value comes next)
    retrigger: bool = False


def complete(
    analyzer: Analyzer,
    text: str,
    line: int,
    column: int,
    *,
    snippets: bool,
    default_location: str | None = None,
) -> list[Proposal]:
    """The proposals at file position (``line``, ``column``); ``default_location``: the source-location
    Backstage writes at ingestion when the entity sets none."""
    ctx = replace(context_at(analyzer, text, line, column), default_location=default_location)
    if ctx.part == "key":
        if ctx.path == ("spec",):
            return _coder_key(analyzer, ctx, snippets)
        if ctx.in_coder:
            return _coder_keys(analyzer, ctx, snippets)
        if ctx.in_params:
            return _parameter_names(analyzer, ctx, snippets)
    elif ctx.part == "value" and ctx.key is not None:
        if ctx.in_coder and ctx.key == "templateName":
            return _templates(analyzer, ctx)
        if ctx.in_coder and ctx.key == "mode":
            return _modes(analyzer, ctx)
        if ctx.in_params:
            return _parameter_values(analyzer, ctx, ctx.key)
    return []


# -- text to insert ----------------------------------------------------------------------------


def yaml_string(value: str, quote: str = "") -> str:
    """``value`` as YAML that reads back as that string: plain when it can be, else quoted
    (with ``quote`` when the author already typed one)."""
    if quote == "'" and "\n" not in value:
        return "'" + value.replace("'", "''") + "'"
    if quote == '"':
        return quoted(value)
    if _PLAIN.fullmatch(value) and resolve_plain(value)[0] == "str":
        return value
    if '"' in value and "'" not in value and "\n" not in value:
        return f"'{value}'"
    return quoted(value)


def _snippet_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("}", "\\}")


def _choice_escape(text: str) -> str:
    return re.sub(r"([\\$}|,])", r"\\\1", text)


def _step(ctx: CursorContext) -> int:
    """The file's indentation step, from the depth of the cursor's mapping."""
    depth = len(ctx.path)
    return max(ctx.indent // depth, 1) if depth and ctx.indent else 2


def _entity_kind(ctx: CursorContext) -> str | None:
    if ctx.entity is not None:
        return ctx.entity.kind
    return dict(block_values(ctx.lines, ())).get("kind")


# -- keys --------------------------------------------------------------------------------------


def _coder_key(analyzer: Analyzer, ctx: CursorContext, snippets: bool) -> list[Proposal]:
    if "coder" in ctx.siblings or _entity_kind(ctx) in NO_WORKSPACE_KINDS:
        return []
    if ctx.has_colon:
        insert, retrigger = "coder", False
    else:
        inner = " " * (ctx.indent + _step(ctx))
        default = analyzer.settings.workspaces.default_template_name
        if snippets:
            placeholder = "${1:" + _snippet_escape(default) + "}" if default else "$1"
            insert = f"coder:\n{inner}templateName: {placeholder}"
        else:
            insert = f"coder:\n{inner}templateName: "
        retrigger = not snippets or not default
    return [
        Proposal(
            "coder",
            "key",
            "Coder workspace settings",
            CODER_DOC,
            insert,
            ctx.token_span,
            is_snippet=snippets and not ctx.has_colon,
            sort_text="0coder",
            filter_text="coder",
            retrigger=retrigger,
        )
    ]


def _coder_keys(analyzer: Analyzer, ctx: CursorContext, snippets: bool) -> list[Proposal]:
    proposals = []
    for order, key in enumerate(KEY_DOCS):
        if key in ctx.siblings:
            continue
        insert, is_snippet, retrigger = _key_insert(ctx, key, snippets)
        proposals.append(
            Proposal(
                key,
                "key",
                _key_detail(analyzer, key),
                KEY_DOCS[key],
                insert,
                ctx.token_span,
                is_snippet=is_snippet,
                sort_text=f"{order}{key}",
                filter_text=key,
                retrigger=retrigger,
            )
        )
    return proposals


def _key_detail(analyzer: Analyzer, key: str) -> str:
    defaults = analyzer.settings.workspaces
    if key == "templateName":
        default = defaults.default_template_name
        return f"template (app default: {default})" if default else "template (no app default)"
    if key == "mode":
        return f"manual | auto (default: {defaults.default_mode or 'manual'})"
    return "template parameter values (strings)"


def _key_insert(ctx: CursorContext, key: str, snippets: bool) -> tuple[str, bool, bool]:
    """Insert text, whether it is a snippet, and whether to ask for completion again."""
    if ctx.has_colon:
        return key, False, False
    if key == "mode":
        if snippets:
            return "mode: ${1|" + ",".join(MODES) + "|}", True, False
        return "mode: ", False, True
    if key == "params":
        return f"params:\n{' ' * (ctx.indent + _step(ctx))}", False, True
    return f"{key}: ", False, True


# -- values of templateName and mode -----------------------------------------------------------


def _templates(analyzer: Analyzer, ctx: CursorContext) -> list[Proposal]:
    catalog = analyzer.templates.catalog
    if catalog is None:
        return []
    default = analyzer.settings.workspaces.default_template_name
    proposals: list[Proposal] = []
    for template in sorted(catalog.templates, key=lambda t: (t.deprecated, t.name)):
        value = yaml_string(template.name, ctx.quote)
        detail = template.display_name or template.name
        proposals.append(
            Proposal(
                template.name,
                "template",
                detail + (" (deprecated)" if template.deprecated else ""),
                analyzer.templates.derived("documentation", template, template_documentation),
                ctx.value_lead + value,
                ctx.token_span,
                sort_text=f"{int(template.deprecated)}{template.name}",
                filter_text=ctx.quote + template.name,
                deprecated=template.deprecated,
                preselect=template.name == default,
            )
        )
    return proposals


def template_documentation(template: Template) -> str:
    parts = []
    if template.deprecated:
        message = f": {md.escape(template.deprecation_message)}" if template.deprecation_message else ""
        parts.append(f"**Deprecated**{message}. Coder creates no new workspaces from it.")
    if template.description:
        parts.append(md.description(template.description))
    facts = []
    if template.organization_name:
        facts.append(f"Organization: {md.escape(template.organization_name)}")
    if template.active_user_count is not None:
        facts.append(f"Active users: {template.active_user_count}")
    if template.parameters is not None:
        required = [p.name for p in template.parameters if p.required]
        listed = f" (required: {', '.join(md.code(n) for n in required)})" if required else ""
        facts.append(f"Parameters: {len(template.parameters)}{listed}")
    if template.uses_dynamic_parameters:
        facts.append("Dynamic parameters: some parameters and options depend on other values")
    if facts:
        parts.append("  \n".join(facts))
    return "\n\n".join(parts)


def _modes(analyzer: Analyzer, ctx: CursorContext) -> list[Proposal]:
    default = analyzer.settings.workspaces.default_mode or "manual"
    return [
        Proposal(
            mode,
            "mode",
            "app default" if mode == default else "",
            MODE_DOCS[mode],
            ctx.value_lead + (yaml_string(mode, ctx.quote) if ctx.quote else mode),
            ctx.token_span,
            sort_text=f"{order}{mode}",
            filter_text=ctx.quote + mode,
            preselect=mode == default,
        )
        for order, mode in enumerate(MODES)
    ]


# -- parameters --------------------------------------------------------------------------------


def effective_of(analyzer: Analyzer, ctx: CursorContext) -> EffectiveCoder | None:
    return (
        effective_coder(ctx.entity, analyzer.settings, ctx.default_location)
        if ctx.entity is not None
        else None
    )


def template_of(analyzer: Analyzer, ctx: CursorContext) -> Template | None:
    """The template the cursor's entity will use (from the lines when the tree is unknown)."""
    effective = effective_of(analyzer, ctx)
    if effective is not None:
        return find_template(analyzer, effective.template_name)
    written = dict(block_values(ctx.lines, CODER_PATH)).get("templateName")
    return find_template(analyzer, written or analyzer.settings.workspaces.default_template_name)


def _parameter_names(analyzer: Analyzer, ctx: CursorContext, snippets: bool) -> list[Proposal]:
    template = template_of(analyzer, ctx)
    if template is None or template.parameters is None:
        return []
    effective = effective_of(analyzer, ctx)
    given = effective.params if effective is not None else {}
    proposals: list[Proposal] = []
    for order, param in enumerate(template.parameters):
        value = given.get(param.name)
        if param.name in ctx.siblings or (value is not None and value.source == "repository-url"):
            continue
        missing = param.required and (value is None or value.value == "")
        preselect = missing and not any(p.preselect for p in proposals)
        insert, is_snippet = _parameter_insert(ctx, param, snippets)
        proposals.append(
            Proposal(
                param.name,
                "parameter",
                parameter_detail(param),
                _parameter_documentation(param, value.value if value is not None else None),
                insert,
                ctx.token_span,
                is_snippet=is_snippet,
                sort_text=f"{0 if missing else 1}{order:04d}",
                filter_text=param.name,
                preselect=preselect,
            )
        )
    proposals.sort(key=lambda p: p.sort_text)
    if not ctx.has_colon:
        proposals.extend(_preset_proposals(template, ctx))
    return proposals


def _preset_proposals(template: Template, ctx: CursorContext) -> list[Proposal]:
    """One item per preset of the active version, inserting its values as ``params`` lines (those the
    block does not set yet). Coder overwrites a request's values with the chosen preset's anyway."""
    proposals = []
    for order, preset in enumerate(template.presets or ()):
        pairs = [(n, v) for n, v in preset.parameters if n not in ctx.siblings]
        if not pairs:
            continue
        lines = [f"{yaml_string(n)}: {quoted(v)}" for n, v in pairs]
        insert = ("\n" + " " * ctx.indent).join(lines)
        values = ", ".join(f"{n}={v}" for n, v in preset.parameters)
        documentation = "\n\n".join(
            part
            for part in (
                f"Preset {md.code(preset.name)} of {md.code(template.name)}"
                + (" (default)" if preset.default else ""),
                md.escape(preset.description) if preset.description else "",
                f"Inserts: {md.code(values)}",
            )
            if part
        )
        proposals.append(
            Proposal(
                f"preset: {preset.name}",
                "value",
                f"{len(pairs)} parameter{'s' if len(pairs) != 1 else ''} of preset {preset.name}",
                documentation,
                insert,
                ctx.token_span,
                sort_text=f"9{order:04d}",
                filter_text=f"preset {preset.name}",
            )
        )
    return proposals


def parameter_detail(param: TemplateParameter) -> str:
    facts = [param.type + (f", {param.form_type}" if param.form_type else "")]
    if param.required:
        facts.append("required")
    elif param.default_value:
        facts.append(f"default {param.default_value}")
    label = f"{param.display_name} " if param.display_name and param.display_name != param.name else ""
    return f"{label}({'; '.join(facts)})"


def _parameter_documentation(param: TemplateParameter, current: str | None) -> str:
    parts = []
    if param.description:
        parts.append(md.description(param.description))
    if param.options:
        parts.append("Options: " + ", ".join(md.code(o.value) for o in param.options))
    if param.default_value:
        parts.append(f"Default: {md.code(param.default_value)}")
    elif param.required:
        parts.append("Required: the template has no default.")
    if current:
        parts.append(f"The app's `workspaces.params` already sets {md.code(current)}.")
    return "\n\n".join(parts)


def _parameter_insert(ctx: CursorContext, param: TemplateParameter, snippets: bool) -> tuple[str, bool]:
    key = yaml_string(param.name)
    if ctx.has_colon:
        return key, False
    values = _candidate_values(param)
    if snippets:
        if len(values) > 1:
            choices = ",".join(_choice_escape(quoted(v)[1:-1]) for v in values)
            return f'{key}: "${{1|{choices}|}}"', True
        default = param.default_value
        if not default:
            return f'{key}: "$1"', True
        if '"' in default and "'" not in default:
            return f"{key}: '${{1:{_snippet_escape(default)}}}'", True
        return f'{key}: "${{1:{_snippet_escape(quoted(default)[1:-1])}}}"', True
    if param.type == "bool" or not param.default_value:
        return f"{key}: {quoted(param.default_value)}", False
    return f"{key}: {yaml_string(param.default_value)}", False


def _candidate_values(param: TemplateParameter) -> list[str]:
    """The values a parameter takes, the default first."""
    if param.type == "bool":
        values = ["true", "false"]
    elif param.options and not param.is_multi_select:
        values = list(param.option_values)
    else:
        return [param.default_value] if param.default_value else []
    if param.default_value in values:
        values.remove(param.default_value)
        values.insert(0, param.default_value)
    return values


def _parameter_values(analyzer: Analyzer, ctx: CursorContext, name: str) -> list[Proposal]:
    template = template_of(analyzer, ctx)
    param = template.parameter(name) if template is not None else None
    if param is None:
        return []
    descriptions = {o.value: o for o in param.options}
    proposals: list[Proposal] = []
    for order, value in enumerate(_candidate_values(param)):
        option = descriptions.get(value)
        is_default = value == param.default_value
        detail = option.name if option is not None and option.name != value else ""
        if is_default:
            detail = f"{detail} (default)".strip()
        documentation = (
            md.description(option.description) if option is not None and option.description else ""
        )
        text = yaml_string(value, ctx.quote) if ctx.quote or param.type != "bool" else quoted(value)
        proposals.append(
            Proposal(
                value,
                "value",
                detail,
                documentation,
                ctx.value_lead + text,
                ctx.token_span,
                sort_text=f"{order:04d}",
                filter_text=ctx.quote + value,
                preselect=is_default,
            )
        )
    return proposals
