"""Rules: the shape of ``spec.coder``, exactly as the Backstage plugin reads it."""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator
from decimal import Decimal

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


def js_string(number: float) -> str:
    """``String(number)`` in JavaScript: how the plugin would write the number YAML reads as text.

    The digits are the shortest that read back as the same double (Python's ``repr`` and
    ECMAScript's Number::toString agree on them); the layout is ECMAScript's.
    """
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "0"  # -0 as well
    sign = "-" if number < 0 else ""
    _, digit_tuple, exponent = Decimal(repr(abs(number))).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    k = len(digits)
    n = k + int(exponent)  # the value is 0.<digits> * 10**n
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = f"{digits[:n]}.{digits[n:]}"
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        mantissa = digits if k == 1 else f"{digits[0]}.{digits[1:]}"
        text = f"{mantissa}e{'+' if n - 1 >= 0 else '-'}{abs(n - 1)}"
    return sign + text


def js_number(value: int | float) -> float:
    """The double JavaScript reads for a YAML number (integers beyond 2**53 lose digits)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


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
        fixes, advice = string_fixes(node)
        yield ctx.finding(
            node.span, f"templateName must be a string, not {scalar_kind(node)}: {advice}", *fixes
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
                f"params.{name} has no value (YAML null), which breaks the plugin's card: give it a value "
                'or quote an empty string ("")',
                replace_fix(
                    'Set it to ""', value.span, ' ""' if _touches(entry.key, value) else '""', safe=False
                ),
            )
        elif isinstance(value, Scalar):
            fixes, advice = string_fixes(value)
            yield ctx.finding(
                value.span,
                f"params.{name} is {scalar_kind(value)}, which breaks the plugin's card: {advice}",
                *fixes,
            )
        else:
            yield ctx.finding(value.span, f"params.{name} must be a string, not {scalar_kind(value)}")


def _touches(key: Node, value: Node) -> bool:
    """True when an empty value's position is right after the ``key:`` colon (no space to keep)."""
    return value.span.start.line == key.span.end.line and value.span.start.column <= key.span.end.column + 1
