"""Rules: the shape of ``spec.coder``, exactly as the Backstage plugin reads it."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from coder_catalog.analysis.effective import js_key
from coder_catalog.analysis.findings import Finding, Fix
from coder_catalog.analysis.javascript import encode_uri_component, form_urlencode, js_number, js_string
from coder_catalog.analysis.rules.base import EntityContext, replace_fix, rule
from coder_catalog.analysis.yaml_tree import Mapping, Node, Scalar, Sequence

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


def card_error(ctx: EntityContext) -> str:
    """What the plugin's card shows for a block valibot refuses (its error panel)."""
    message = ctx.effective.rejected or "Invalid type: Expected undefined | Object but received Object"
    return f"the plugin's card shows Backstage's error panel (\"Error in coder: {message}\") instead of workspaces"


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


def string_fixes(node: Scalar) -> tuple[tuple[Fix, ...], str]:
    """The fixes that make a non-null, non-string scalar a string, and the advice for the message.

    A fix is safe only when its string is exactly what the plugin (JavaScript) would make of the
    value YAML reads, so that ``lint --fix`` never changes what Coder receives:

    - a boolean (YAML 1.2: true, True, TRUE, false, ...) becomes ``"true"`` or ``"false"``, the only
      spellings Coder accepts for a bool parameter;
    - a number whose text is already ``String(number)`` (``4``, ``-5``, ``1.5``) is quoted as it is;
    - any other number (``0x10``, ``4.0``, ``1e3``, ``007``, ``+5``, ``.inf``, integers beyond 2**53)
      gets two unsafe fixes: the number YAML reads (``"16"``), then the text as written (``"0x10"``);
    - anything else (an explicitly tagged value YAML does not read as tagged) is only quoted, unsafely.
    """
    text = node.text
    value = node.value
    if node.type == "bool" and isinstance(value, bool):
        canonical = quoted("true" if value else "false")
        if quoted(text) == canonical:
            return (replace_fix(f"Quote it: {canonical}", node.span, canonical),), f"quote it ({canonical})"
        return (replace_fix(f"Change to {canonical}", node.span, canonical),), f"write it as {canonical}"
    if node.type in ("int", "float") and isinstance(value, int | float) and not isinstance(value, bool):
        number = js_string(js_number(value))
        if text == number:
            return (
                replace_fix(f"Quote it: {quoted(text)}", node.span, quoted(text)),
            ), f"quote it ({quoted(text)})"
        fixes = (
            replace_fix(
                f"Quote the number YAML reads: {quoted(number)}", node.span, quoted(number), safe=False
            ),
            replace_fix(f"Quote the text as written: {quoted(text)}", node.span, quoted(text), safe=False),
        )
        advice = (
            f"quote it, as {quoted(number)} (YAML reads {text} as {number}) "
            f"or as {quoted(text)} (the text as written)"
        )
        return fixes, advice
    fix = replace_fix(f"Quote it: {quoted(text)}", node.span, quoted(text), safe=False)
    return (fix,), f"quote it ({quoted(text)})"


@rule(
    "CC101",
    "coder-not-a-mapping",
    "error",
    "`spec.coder` is empty or not a mapping",
    explanation="""
`spec.coder` must be absent or a mapping. The plugin parses it with valibot: `coder:` with nothing after it
is YAML null, and a string or a number is not an object, so the card shows Backstage's error panel ("Error
in coder: Invalid type: Expected undefined | Object but received null") instead of workspaces: an error.
A list is an object to JavaScript: the plugin reads `coder: []` as an empty block (no template, no mode,
no params), so the app defaults apply: a warning. Remove the line or give the block at least one key.
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
    if isinstance(value, Sequence):
        yield ctx.finding(
            entry.key.span if not value.flow else value.span,
            "spec.coder is a list, which the plugin reads as an empty block: no template, mode or params of "
            "its own, so the app defaults apply; write a mapping (templateName, mode, params)",
            severity="warning",
        )
    elif isinstance(value, Scalar) and value.type == "null":
        yield ctx.finding(
            entry.key.span,
            f"spec.coder is empty (YAML null): {card_error(ctx)}; remove it or add templateName, mode or params",
        )
    else:
        yield ctx.finding(
            value.span, f"spec.coder must be a mapping, not {scalar_kind(value)}: {card_error(ctx)}"
        )


@rule(
    "CC102",
    "coder-unknown-key",
    "warning",
    "`spec.coder` has a key the plugin does not know",
    explanation="""
The plugin reads only `templateName`, `mode` and `params`; any other key is silently ignored and the app
default applies instead. Keys such as `repoUrlParamKeys` or `defaultTemplateName` belong to the
Backstage app's configuration (`CoderAppConfig`), not to catalog files. The rename to a known key is a
safe fix only when the key differs from it by case, `_` or `-` alone (`template_name`); a guess by
resemblance is only offered.
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
        # Safe only when the key differs by case, "_" or "-": a guess by resemblance may not be meant.
        certain = _simplified(key) == guess.casefold()
        fix = () if taken else (replace_fix(f'Rename to "{guess}"', entry.key.span, guess, safe=certain),)
        yield ctx.finding(
            entry.key.span,
            f'unknown key "{key}" in spec.coder (did you mean "{guess}"?): the plugin ignores it',
            *fix,
        )


def _simplified(key: str) -> str:
    return key.replace("_", "").replace("-", "").casefold()


def closest_key(key: str) -> str | None:
    folded = {k.casefold(): k for k in KEYS}
    simplified = _simplified(key)
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
`templateName` must be a string. A number, a boolean or an empty value is not a template name: valibot
refuses the block and the card shows Backstage's error panel ("Error in coder: Invalid type: Expected
undefined | Object but received Object") instead of workspaces. Quote values that YAML reads as something
else.
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
        fixes, advice = string_fixes(node)
        yield ctx.finding(
            node.span,
            f"templateName must be a string, not {scalar_kind(node)}, or {card_error(ctx)}: {advice}",
            *fixes,
        )
    else:
        yield ctx.finding(
            node.span, f"templateName must be a string, not {scalar_kind(node)}: {card_error(ctx)}"
        )


@rule(
    "CC104",
    "template-name-empty",
    "warning",
    "`templateName` is empty or only spaces",
    explanation="""
An empty `templateName` overrides the app's `defaultTemplateName`, and the plugin builds no create link:
nobody can create a workspace for this entity from Backstage. One made of spaces is a name to the plugin:
it builds the link `/templates/%20/workspace`, a page Coder cannot find. Remove the key to use the app
default, or name a template.
""",
    bad=example('coder:\n  templateName: ""'),
    good=example("coder:\n  templateName: devcontainers"),
    group="coder",
)
def template_name_empty(ctx: EntityContext) -> Iterator[Finding]:
    coder = ctx.entity.coder
    node = coder.get("templateName") if coder else None
    if not (isinstance(node, Scalar) and node.is_string and node.value.strip() == ""):
        return
    if node.value == "":
        message = (
            "templateName is empty: it overrides the app's defaultTemplateName and the plugin builds no create "
            "link; remove it to use the default template, or name a template"
        )
    else:
        path = f"/templates/{encode_uri_component(node.value)}/workspace"
        message = (
            f"templateName is only spaces: the plugin builds the create link {path}, a page Coder cannot find; "
            "remove it to use the default template, or name a template"
        )
    yield ctx.finding(node.span, message)


@rule(
    "CC105",
    "mode-invalid",
    "error",
    "`mode` is not exactly `manual` or `auto`",
    explanation="""
`mode` is case-sensitive and must be `manual` (open Coder's pre-filled create form) or `auto` (create the
workspace at once from the given values). Anything else, null included, breaks the plugin's card.
Coder's own name for `manual` is `form`; the plugin does not accept it. valibot refuses such a block and the
card shows Backstage's error panel ("Error in coder: ...") instead of workspaces.
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
        f'mode must be exactly "manual" or "auto", not {shown}{hint}: {card_error(ctx)}',
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
`params` maps parameter names to string values. A single string or an empty value makes valibot refuse
the block: the card shows Backstage's error panel ("Error in coder: ...") instead of workspaces. A list is
an object to JavaScript: the plugin reads its items as parameters named `0`, `1`..., so
`params: [region=eu]` puts `param.0=region%3Deu` in the create link (a warning).
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
    value = entry.value
    if isinstance(value, Sequence):
        first = value.items[0] if value.items else None
        example_item = (
            f" ({form_urlencode([('param.0', first.value)])} in the create link)"
            if isinstance(first, Scalar) and first.is_string
            else ""
        )
        yield ctx.finding(
            entry.key.span if not value.flow else value.span,
            f"params is a list: the plugin reads its items as parameters named 0, 1...{example_item}; write a "
            "mapping of parameter names to values (region: eu)",
            severity="warning",
        )
        return
    span = entry.key.span if isinstance(value, Scalar) and value.type == "null" else value.span
    yield ctx.finding(
        span,
        f"params must be a mapping of parameter names to strings, not {scalar_kind(value)}: {card_error(ctx)}",
    )


@rule(
    "CC107",
    "param-not-a-string",
    "error",
    "A parameter value is not a YAML string",
    explanation="""
Every value in `params` must be a YAML string. Numbers, booleans and empty values (`cpu: 4`,
`enabled: true`, `region:`) make valibot refuse the block, and the card shows Backstage's error panel
("Error in coder: ...") instead of workspaces: quote them (`cpu: "4"`). Coder receives every
parameter value as a string anyway. YAML 1.2 rules apply, as in Backstage: `yes`, `no`, `on` and `off`
are already strings.

The safe fix writes exactly the string Coder expects for the value YAML reads: a boolean (`true`,
`True`, `TRUE`, ...) becomes `"true"` or `"false"`, the only spellings Coder accepts for a `bool`
parameter; a number written as JavaScript writes it (`4`, `-5`, `1.5`) is quoted as it is. A number
written otherwise (`0x10`, `4.0`, `1e3`, `007`, `+5`, `.inf`) is not read as written: YAML reads `0x10`
as 16 and `4.0` as 4. Both the number (`"16"`) and the text as written (`"0x10"`) are offered;
`lint --fix` applies neither.
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
                f"params.{name} has no value (YAML null), so {card_error(ctx)}: give it a value "
                'or quote an empty string ("")',
                replace_fix(
                    'Set it to ""', value.span, ' ""' if _touches(entry.key, value) else '""', safe=False
                ),
            )
        elif isinstance(value, Scalar):
            fixes, advice = string_fixes(value)
            yield ctx.finding(
                value.span,
                f"params.{name} is {scalar_kind(value)}, so {card_error(ctx)}: {advice}",
                *fixes,
            )
        else:
            yield ctx.finding(
                value.span, f"params.{name} must be a string, not {scalar_kind(value)}: {card_error(ctx)}"
            )


def _touches(key: Node, value: Node) -> bool:
    """True when an empty value's position is right after the ``key:`` colon (no space to keep)."""
    return value.span.start.line == key.span.end.line and value.span.start.column <= key.span.end.column + 1


@rule(
    "CC108",
    "param-name-javascript",
    "error",
    "A parameter name the plugin drops or chokes on",
    explanation="""
The plugin is JavaScript, and some names are not ordinary keys there. valibot drops `__proto__`,
`constructor` and `prototype` from `params` without a word, so such a parameter never reaches Coder (a
warning). A parameter named `hasOwnProperty` hides the method the plugin calls on `params`: the card shows
Backstage's error panel ("Error in coder: params.hasOwnProperty is not a function") instead of workspaces
(an error).
""",
    bad=example('coder:\n  params:\n    hasOwnProperty: "yes"'),
    good=example('coder:\n  params:\n    has_own_property: "yes"'),
    group="coder",
)
def param_name_javascript(ctx: EntityContext) -> Iterator[Finding]:
    coder = ctx.entity.coder
    params = coder.get("params") if coder else None
    if not isinstance(params, Mapping):
        return
    for entry in params.entries:
        key = js_key(entry.key)
        if key == "hasOwnProperty":
            yield ctx.finding(
                entry.key.span,
                f'a parameter named "hasOwnProperty" hides the method the plugin calls on params: {card_error(ctx)}',
            )
        elif key in ("__proto__", "constructor", "prototype"):
            yield ctx.finding(
                entry.key.span,
                f'the plugin drops a parameter named "{key}" (valibot skips it): it never reaches Coder',
                severity="warning",
            )
