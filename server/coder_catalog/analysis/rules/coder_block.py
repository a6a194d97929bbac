"""Rules: the shape of ``spec.coder``, exactly as the Backstage plugin reads it."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from coder_catalog.analysis.findings import Finding, Fix
from coder_catalog.analysis.rules.base import EntityContext, replace_fix, rule
from coder_catalog.analysis.yaml_tree import Mapping, Node, Scalar

KEYS = ("templateName", "mode", "params")
MODES = ("manual", "auto")
APP_CONFIG_KEYS = ("repoUrlParamKeys", "defaultTemplateName", "defaultMode", "accessUrl")

_ENTITY = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: python-project
spec:
  type: service
  lifecycle: production
  owner: team-a
"""


def example(coder: str) -> str:
    """A whole entity whose ``spec.coder`` block is ``coder`` (indented under spec)."""
    return _ENTITY + "".join("  " + line + "\n" for line in coder.splitlines())


def quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def scalar_kind(node: Node) -> str:
    if isinstance(node, Scalar):
        return {"int": "a number", "float": "a number", "bool": "a boolean", "null": "empty (null)"}.get(
            node.type, f"a {node.type}"
        )
    return f"a {node.kind}"


def quote_fix(node: Scalar) -> tuple[str, str]:
    """Title and new text of the fix that makes a non-string scalar a string with the same text."""
    return f"Quote it: {quoted(node.text)}", quoted(node.text)


@rule(
    "CC101",
    "coder-not-a-mapping",
    "error",
    "`spec.coder` is empty or not a mapping",
    explanation="""
`spec.coder` must be absent or a mapping. `coder:` with nothing after it is YAML null, and the plugin's
workspaces card for the entity then fails with "Error encountered. Please check browser console.".
Remove the line or give the block at least one key.
""",
    bad=example("coder:"),
    good=example("coder:\n  templateName: devcontainers"),
    group="coder",
)
def coder_not_a_mapping(ctx: EntityContext) -> Iterator[Finding]:
    entry = ctx.entity.coder_entry
    if entry is None or isinstance(entry.value, Mapping):
        return
    value = entry.value
    if isinstance(value, Scalar) and value.type == "null":
        yield ctx.finding(
            entry.key.span,
            "spec.coder is empty (YAML null): the plugin's workspaces card breaks for this entity; "
            "remove it or add templateName, mode or params",
        )
    else:
        yield ctx.finding(value.span, f"spec.coder must be a mapping, not {scalar_kind(value)}")


@rule(
    "CC102",
    "coder-unknown-key",
    "warning",
    "`spec.coder` has a key the plugin does not know",
    explanation="""
The plugin reads only `templateName`, `mode` and `params`; any other key is silently ignored and the app
default applies instead. Keys such as `repoUrlParamKeys` or `defaultTemplateName` belong to the
Backstage app's configuration (`CoderAppConfig`), not to catalog files.
""",
    bad=example("coder:\n  template_name: devcontainers"),
    good=example("coder:\n  templateName: devcontainers"),
    group="coder",
)
def coder_unknown_key(ctx: EntityContext) -> Iterator[Finding]:
    coder = ctx.entity.coder
    if coder is None:
        return
    for entry in coder.entries:
        key = entry.key_text
        if key is None or key in KEYS:
            continue
        if key in APP_CONFIG_KEYS:
            yield ctx.finding(
                entry.key.span,
                f'"{key}" is app configuration (CoderAppConfig.workspaces), not a catalog key: the plugin '
                "ignores it here; set it in the Backstage app or in .coder-catalog.yaml",
            )
            continue
        guess = closest_key(key)
        if guess is None:
            yield ctx.finding(
                entry.key.span, f'unknown key "{key}" in spec.coder: the plugin only reads {", ".join(KEYS)}'
            )
            continue
        taken = coder.entry(guess) is not None
        fix = () if taken else (replace_fix(f'Rename to "{guess}"', entry.key.span, guess),)
        yield ctx.finding(
            entry.key.span,
            f'unknown key "{key}" in spec.coder (did you mean "{guess}"?): the plugin ignores it',
            *fix,
        )


def closest_key(key: str) -> str | None:
    folded = {k.casefold(): k for k in KEYS}
    simplified = key.replace("_", "").replace("-", "").casefold()
    if simplified in folded:
        return folded[simplified]
    matches = difflib.get_close_matches(key, KEYS, n=1, cutoff=0.6)
    return matches[0] if matches else None


@rule(
    "CC103",
    "template-name-type",
    "error",
    "`templateName` is not a string",
    explanation="""
`templateName` must be a string. A number, a boolean or an empty value is not a template name, and the
plugin's card breaks. Quote values that YAML reads as something else.
""",
    bad=example("coder:\n  templateName: 2024"),
    good=example('coder:\n  templateName: "2024"'),
    group="coder",
)
def template_name_type(ctx: EntityContext) -> Iterator[Finding]:
    coder = ctx.entity.coder
    node = coder.get("templateName") if coder else None
    if node is None or (isinstance(node, Scalar) and node.is_string):
        return
    if isinstance(node, Scalar) and node.type != "null":
        title, text = quote_fix(node)
        yield ctx.finding(
            node.span,
            f"templateName must be a string, not {scalar_kind(node)}: quote it",
            replace_fix(title, node.span, text),
        )
    else:
        yield ctx.finding(node.span, f"templateName must be a string, not {scalar_kind(node)}")


@rule(
    "CC104",
    "template-name-empty",
    "warning",
    "`templateName` is empty, which disables workspace creation",
    explanation="""
An empty `templateName` overrides the app's `defaultTemplateName` and tells the plugin not to build a
create link: nobody can create a workspace for this entity from Backstage. Remove the key to use the app
default, or name a template.
""",
    bad=example('coder:\n  templateName: ""'),
    good=example("coder:\n  templateName: devcontainers"),
    group="coder",
)
def template_name_empty(ctx: EntityContext) -> Iterator[Finding]:
    coder = ctx.entity.coder
    node = coder.get("templateName") if coder else None
    if isinstance(node, Scalar) and node.is_string and node.value.strip() == "":
        yield ctx.finding(
            node.span,
            "templateName is empty: it overrides the app default and disables workspace creation; "
            "remove it to use the default template, or name a template",
        )


@rule(
    "CC105",
    "mode-invalid",
    "error",
    "`mode` is not exactly `manual` or `auto`",
    explanation="""
`mode` is case-sensitive and must be `manual` (open Coder's pre-filled create form) or `auto` (create the
workspace at once from the given values). Anything else, null included, breaks the plugin's card.
Coder's own name for `manual` is `form`; the plugin does not accept it.
""",
    bad=example("coder:\n  mode: Auto"),
    good=example("coder:\n  mode: auto"),
    group="coder",
)
def mode_invalid(ctx: EntityContext) -> Iterator[Finding]:
    coder = ctx.entity.coder
    node = coder.get("mode") if coder else None
    if node is None:
        return
    if isinstance(node, Scalar) and node.is_string and node.value in MODES:
        return
    text = node.text if isinstance(node, Scalar) else ""
    guess = closest_mode(text)
    fixes: tuple[Fix, ...] = ()
    if guess is not None:
        safe = text.strip().casefold() == guess
        fixes = (replace_fix(f'Change to "{guess}"', node.span, guess, safe=safe),)
    shown = f'"{text}"' if isinstance(node, Scalar) and node.type != "null" else scalar_kind(node)
    hint = f' (did you mean "{guess}"?)' if guess else ""
    yield ctx.finding(
        node.span,
        f'mode must be exactly "manual" or "auto", not {shown}{hint}: the plugin\'s card breaks',
        *fixes,
    )


def closest_mode(text: str) -> str | None:
    folded = text.strip().casefold()
    if folded in MODES:
        return folded
    if folded in ("form", "manually"):
        return "manual"
    if folded in ("automatic", "automatically"):
        return "auto"
    matches = difflib.get_close_matches(folded, MODES, n=1, cutoff=0.5)
    return matches[0] if matches else None


@rule(
    "CC106",
    "params-not-a-mapping",
    "error",
    "`params` is not a mapping",
    explanation="""
`params` maps parameter names to string values. A list (`- region=eu`), a single string or an empty
value is not read by the plugin and breaks its card.
""",
    bad=example("coder:\n  params:\n    - region=eu"),
    good=example("coder:\n  params:\n    region: eu"),
    group="coder",
)
def params_not_a_mapping(ctx: EntityContext) -> Iterator[Finding]:
    coder = ctx.entity.coder
    entry = coder.entry("params") if coder else None
    if entry is None or isinstance(entry.value, Mapping):
        return
    span = (
        entry.key.span if isinstance(entry.value, Scalar) and entry.value.type == "null" else entry.value.span
    )
    yield ctx.finding(
        span, f"params must be a mapping of parameter names to strings, not {scalar_kind(entry.value)}"
    )


@rule(
    "CC107",
    "param-not-a-string",
    "error",
    "A parameter value is not a YAML string",
    explanation="""
Every value in `params` must be a YAML string. Numbers, booleans and empty values (`cpu: 4`,
`enabled: true`, `region:`) break the plugin's card: quote them (`cpu: "4"`). Coder receives every
parameter value as a string anyway. YAML 1.2 rules apply, as in Backstage: `yes`, `no`, `on` and `off`
are already strings.
""",
    bad=example("coder:\n  params:\n    cpu: 4\n    gpu: true"),
    good=example('coder:\n  params:\n    cpu: "4"\n    gpu: "true"'),
    group="coder",
)
def param_not_a_string(ctx: EntityContext) -> Iterator[Finding]:
    coder = ctx.entity.coder
    params = coder.get("params") if coder else None
    if not isinstance(params, Mapping):
        return
    for entry in params.entries:
        value = entry.value
        if isinstance(value, Scalar) and value.is_string:
            continue
        name = entry.key_text or "?"
        if isinstance(value, Scalar) and value.type == "null":
            yield ctx.finding(
                entry.key.span,
                f"params.{name} has no value (YAML null), which breaks the plugin's card: give it a value "
                'or quote an empty string ("")',
                replace_fix(
                    'Set it to ""', value.span, ' ""' if _touches(entry.key, value) else '""', safe=False
                ),
            )
        elif isinstance(value, Scalar):
            title, text = quote_fix(value)
            yield ctx.finding(
                value.span,
                f"params.{name} is {scalar_kind(value)}, which breaks the plugin's card: quote it ({text})",
                replace_fix(title, value.span, text),
            )
        else:
            yield ctx.finding(value.span, f"params.{name} must be a string, not {scalar_kind(value)}")


def _touches(key: Node, value: Node) -> bool:
    """True when an empty value's position is right after the ``key:`` colon (no space to keep)."""
    return value.span.start.line == key.span.end.line and value.span.start.column <= key.span.end.column + 1
