"""Rules: the effective parameter values, judged as Coder will judge them.

The values are the plugin's: app defaults, overlaid by the catalog's ``params``, then the
repository URL injected into every ``repoUrlParamKeys`` key. Each value is checked with
Coder's own rules (``templates/parameter_values.py``), and reported where it comes from:
the catalog value, the source-location annotation, or the ``spec.coder`` key for app defaults.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from coder_catalog.analysis.effective import ParamValue
from coder_catalog.analysis.entity import SOURCE_LOCATION
from coder_catalog.analysis.findings import Finding, Fix, TextEdit
from coder_catalog.analysis.rules.base import Check, EntityContext, replace_fix, rule
from coder_catalog.analysis.rules.coder_block import example, quoted
from coder_catalog.analysis.rules.templates import coder_key_span, effective_template
from coder_catalog.analysis.spans import Span
from coder_catalog.analysis.yaml_tree import Entry, Mapping, Scalar, resolve_plain
from coder_catalog.templates.model import DynamicEvaluation, Template, TemplateParameter
from coder_catalog.templates.parameter_values import (
    ValueProblem,
    check_parameter_value,
    regex_reading_difference,
)

_PROBLEM_RULE = {
    "required": "CC302",
    "option": "CC303",
    "bool": "CC304",
    "number": "CC305",
    "range": "CC305",
    "regex": "CC306",
    "list": "CC307",
    "multi-select": "CC308",
}
_PLAIN_SAFE = re.compile(r"[A-Za-z0-9_./@+-][A-Za-z0-9_./@+ -]*")


def literal(value: str, like: Scalar | None = None) -> str:
    """``value`` written as YAML that reads back as that string, plain when ``like`` was plain and it can be."""
    plain_ok = _PLAIN_SAFE.fullmatch(value) is not None and resolve_plain(value)[0] == "str"
    if like is not None and like.style == "" and plain_ok and not value.endswith(" "):
        return value
    return quoted(value)


def template_with_parameters(ctx: EntityContext) -> Template | None:
    template = effective_template(ctx)
    return template if template is not None and template.parameters is not None else None


def value_span(ctx: EntityContext, param: ParamValue) -> Span | None:
    """Where a value comes from: the catalog value, the source-location annotation, or spec.coder."""
    if param.source == "catalog" and param.node is not None:
        return param.node.span
    if param.source == "repository-url":
        annotation = ctx.entity.annotation(SOURCE_LOCATION)
        if annotation is not None:
            return annotation.span
    return coder_key_span(ctx)


def origin_note(param: ParamValue) -> str:
    return {
        "app-default": " (from the app's workspaces.params)",
        "repository-url": " (the repository URL the plugin injects)",
    }.get(param.source, "")


def known_names(ctx: EntityContext, template: Template) -> set[str] | None:
    """The parameter names that exist for these values; None when they cannot be known for sure
    (a template on the dynamic flow without Coder's evaluation)."""
    names = {p.name for p in template.parameters or ()}
    if not template.uses_dynamic_parameters:
        return names
    evaluation = _evaluation(ctx, template)
    if evaluation is None:
        return None
    return names | set(evaluation.parameter_names)


def _evaluation(ctx: EntityContext, template: Template) -> DynamicEvaluation | None:
    lookup = ctx.templates.dynamic
    if lookup is None or not template.uses_dynamic_parameters:
        return None
    key = "dynamic-evaluation"
    if key not in ctx.extra:
        values = {name: p.value for name, p in ctx.effective.params.items()}
        try:
            ctx.extra[key] = lookup(template.name, values)
        except Exception:  # the shells' lookups must never break the analysis
            ctx.extra[key] = None
    found = ctx.extra[key]
    return found if isinstance(found, DynamicEvaluation) else None


@rule(
    "CC301",
    "unknown-parameter",
    "warning",
    "The template has no parameter of that name",
    explanation="""
Coder silently ignores parameter names the template does not have, so a typo means the value is lost and
the template's default (or the form) applies. Names are case-sensitive. For templates on Coder's dynamic
parameter flow, a parameter may exist only for some values of others: without the deployment's
evaluation the finding is an information, not a warning.
""",
    bad=example('coder:\n  templateName: docker\n  params:\n    CPU: "4"'),
    good=example('coder:\n  templateName: docker\n  params:\n    cpu: "4"'),
    group="parameters",
    needs_templates=True,
)
def unknown_parameter(ctx: EntityContext) -> Iterator[Finding]:
    template = template_with_parameters(ctx)
    coder = ctx.entity.coder
    params_node = coder.get("params") if coder else None
    if template is None or not isinstance(params_node, Mapping):
        return
    names = known_names(ctx, template)
    certain = names is not None
    names = names if names is not None else {p.name for p in template.parameters or ()}
    for entry in params_node.entries:
        key = entry.key_text
        if key is None or key in names:
            continue
        if key in ctx.settings.workspaces.repo_url_param_keys:
            continue  # the app injects these into whichever templates have them
        folded = {n.casefold(): n for n in names}
        guess = folded.get(key.casefold())
        close = [guess] if guess else difflib.get_close_matches(key, sorted(names), n=2, cutoff=0.6)
        fixes: tuple[Fix, ...] = ()
        if close and params_node.get(close[0]) is None:
            fixes = (
                replace_fix(f'Rename to "{close[0]}"', entry.key.span, close[0], safe=guess is not None),
            )
        hint = f" (did you mean {' or '.join(quoted(c) for c in close)}?)" if close else ""
        message = f'template "{template.name}" has no parameter "{key}"{hint}: Coder ignores it'
        if certain:
            yield ctx.finding(entry.key.span, message, *fixes)
        else:
            yield ctx.finding(
                entry.key.span,
                message + " unless the template's dynamic parameters add it for these values",
                *fixes,
                severity="info",
            )


@rule(
    "CC302",
    "required-parameter-missing",
    "error",
    "A required parameter ends up without a value",
    explanation="""
A parameter without a default is required. When neither the catalog, the app defaults nor the repository
URL gives it a value, creation fails in `auto` mode (error), and in `manual` mode the form asks the user
for it (warning). The fix adds the missing names with an empty value to fill in.
""",
    bad=example("coder:\n  templateName: devcontainers\n  mode: auto\n  params:\n    region: us-east-1"),
    good=example(
        "coder:\n  templateName: devcontainers\n  mode: auto\n  params:\n    region: us-east-1\n"
        '    repo_url: "https://github.com/acme/python-project"'
    ),
    group="parameters",
    needs_templates=True,
)
def required_parameter_missing(ctx: EntityContext) -> Iterator[Finding]:
    template = template_with_parameters(ctx)
    span = coder_key_span(ctx)
    if template is None or span is None:
        return
    missing = missing_required_parameters(ctx, template)
    if not missing:
        return
    coder = ctx.entity.coder
    params_entry = coder.entry("params") if coder else None
    where = params_entry.key.span if params_entry is not None else span
    listed = ", ".join(f'"{p.name}"' for p in missing)
    plural = "s" if len(missing) > 1 else ""
    if ctx.effective.mode == "auto":
        message = f'required parameter{plural} {listed} of "{template.name}" have no value: creation fails in auto mode'
        severity = None
    else:
        message = f'required parameter{plural} {listed} of "{template.name}" have no value: the create form will ask for them'
        severity = "warning"
    if len(missing) == 1:
        message = message.replace(" have no value", " has no value").replace("ask for them", "ask for it")
    fix = add_parameters_fix(ctx, [p.name for p in missing])
    yield ctx.finding(where, message, *((fix,) if fix else ()), severity=severity)  # type: ignore[arg-type]


def missing_required_parameters(ctx: EntityContext, template: Template) -> list[TemplateParameter]:
    """The template's required parameters without an effective value (empty counts as none)."""
    names = known_names(ctx, template)
    effective = ctx.effective.params
    return [
        p
        for p in template.parameters or ()
        if p.required
        and (names is None or p.name in names)
        and not (p.name in effective and effective[p.name].value != "")
    ]


def add_parameters_fix(ctx: EntityContext, names: list[str]) -> Fix | None:
    """Insert ``name: ""`` lines for ``names`` into a block-style ``params`` (created if needed)."""
    coder = ctx.entity.coder
    if coder is None or coder.flow or not coder.entries:
        return None
    params = coder.get("params")
    lines = ctx.lines
    if isinstance(params, Mapping) and params.entries and not params.flow:
        indent = params.entries[0].key.span.start.column
        anchor_line = line_after(params.entries[-1])
        text = "".join(f'{" " * indent}{name}: ""\n' for name in names)
    elif params is None:
        indent = coder.entries[0].key.span.start.column
        anchor_line = line_after(coder.entries[-1])
        text = f"{' ' * indent}params:\n" + "".join(f'{" " * (indent + 2)}{name}: ""\n' for name in names)
    else:
        return None
    title = "Add the missing required parameter" + ("s" if len(names) > 1 else "")
    return Fix(title, (insert_lines(lines, anchor_line, text),), safe=False)


def insert_lines(lines: list[str], anchor_line: int, text: str) -> TextEdit:
    """Insert whole lines (``text`` ends with a line break) before line ``anchor_line`` of a document
    whose ``lines`` keep their breaks; past the last line when that one has no line break."""
    if anchor_line >= len(lines) and lines and not lines[-1].endswith(("\n", "\r")):
        return TextEdit(Span.point(len(lines) - 1, len(lines[-1])), "\n" + text.rstrip("\n"))
    return TextEdit(Span.point(anchor_line, 0), text)


def line_after(entry: Entry) -> int:
    """The line after an entry's value: where a following entry can be inserted."""
    end = entry.value.span.end
    return end.line if end.column == 0 else end.line + 1


def _value_problems(
    ctx: EntityContext, template: Template
) -> list[tuple[ParamValue, TemplateParameter, ValueProblem]]:
    key = "value-problems"
    if key not in ctx.extra:
        problems = []
        names = known_names(ctx, template)
        evaluation = _evaluation(ctx, template)
        judged_by_coder = set(evaluation.parameter_names) if evaluation is not None else set()
        for name, value in ctx.effective.params.items():
            param = template.parameter(name)
            if param is None or (names is not None and name not in names):
                continue
            if param.required and value.value == "":
                continue  # a required parameter left empty is CC302's
            if name in judged_by_coder:
                continue  # Coder's own verdict on this value is reported (CC311)
            problem = check_parameter_value(param, value.value, dynamic=template.uses_dynamic_parameters)
            if problem is not None and problem.kind != "required":
                problems.append((value, param, problem))
        ctx.extra[key] = problems
    return ctx.extra[key]  # type: ignore[return-value]


def _value_rule(kinds: tuple[str, ...]) -> Check:
    def check(ctx: EntityContext) -> Iterator[Finding]:
        template = template_with_parameters(ctx)
        if template is None:
            return
        for value, param, problem in _value_problems(ctx, template):
            if problem.kind not in kinds:
                continue
            span = value_span(ctx, value)
            if span is None:
                continue
            yield ctx.finding(span, value_problem_message(value, problem), *_value_fixes(value, param))

    return check


def value_problem_message(value: ParamValue, problem: ValueProblem) -> str:
    """The finding's text: the parameter, where its value comes from, and Coder's own words."""
    when = (
        "Coder creates the workspace, then its build fails: "
        if problem.stage == "build"
        else "Coder refuses it: "
    )
    return f"{problem.parameter}{origin_note(value)}: {when}{problem.message}"


def _value_fixes(value: ParamValue, param: TemplateParameter) -> tuple[Fix, ...]:
    node = value.node
    if value.source != "catalog" or node is None:
        return ()
    text = value.value
    if param.options and not param.is_multi_select:
        same_case = [o.value for o in param.options if o.value.casefold() == text.casefold()]
        if same_case:
            return (replace_fix(f'Change to "{same_case[0]}"', node.span, literal(same_case[0], node)),)
        close = difflib.get_close_matches(text, list(param.option_values), n=3, cutoff=0.4)
        return tuple(replace_fix(f'Change to "{c}"', node.span, literal(c, node), safe=False) for c in close)
    if param.type == "bool":
        folded = text.strip().casefold()
        if folded in ("true", "false"):
            return (replace_fix(f'Change to "{folded}"', node.span, quoted(folded)),)
        if folded in ("yes", "on", "y", "1", "no", "off", "n", "0"):
            target = "true" if folded in ("yes", "on", "y", "1") else "false"
            return (replace_fix(f'Change to "{target}"', node.span, quoted(target), safe=False),)
    return ()


_EXAMPLE_NUMBER = example('coder:\n  templateName: docker\n  params:\n    memory: "64"')


def _register_value_rules() -> None:
    specs = [
        (
            "CC303",
            "value-not-an-option",
            ("option",),
            "The value is not one of the parameter's options",
            "A parameter with options accepts exactly one option's value (case-sensitive). An empty value is "
            'a value too: Coder stores `""` rather than the default, and the Terraform provider refuses it '
            '("The value is empty, did you forget to set it with a default or from user input?"). On a '
            "classic template Coder accepts the request and the build fails; on a dynamic-parameter template "
            "Coder refuses the request. The message is Coder's own.",
            example("coder:\n  templateName: devcontainers\n  params:\n    region: US-East-1"),
            example("coder:\n  templateName: devcontainers\n  params:\n    region: us-east-1"),
        ),
        (
            "CC304",
            "invalid-bool",
            ("bool",),
            "A `bool` parameter's value is not `true` or `false`",
            'A classic template accepts exactly `"true"` or `"false"` for a `bool` parameter (codersdk). A '
            "template on the dynamic-parameter flow reads the value with Go's `strconv.ParseBool`, which also "
            "takes `1`, `t`, `T`, `TRUE`, `True`, `0`, `f`, `F`, `FALSE`, `False`; `yes` and `on` are refused by "
            "both.",
            example('coder:\n  templateName: docker\n  params:\n    docker_in_docker: "yes"'),
            example('coder:\n  templateName: docker\n  params:\n    docker_in_docker: "true"'),
        ),
        (
            "CC305",
            "invalid-number",
            ("number", "range"),
            "A `number` parameter's value is not a number, or is out of range",
            "A `number` parameter with `validation_min`/`validation_max` needs a base-10 integer within the "
            "bounds (inclusive, Go's `strconv.Atoi`); when the template has a `validation_error`, Coder shows "
            "it for any refusal, even of a value that is not an integer, with `{min}` and `{max}` (0 when "
            "unset) and `{value}` filled in. Without bounds the value is read with Go's `strconv.ParseFloat`: "
            "`1_000`, `0x1p4`, `NaN` and `Inf` are numbers, `1e400` is out of range. On a classic template an "
            "unbounded value is only read when the build runs: Coder creates the workspace and the build "
            "fails.",
            _EXAMPLE_NUMBER,
            example('coder:\n  templateName: docker\n  params:\n    memory: "16"'),
        ),
        (
            "CC306",
            "regex-mismatch",
            ("regex",),
            "A `string` parameter's value does not match the template's pattern",
            "Coder searches the template's `validation_regex` (Go's `regexp`, RE2 syntax) anywhere in the "
            "value (an unanchored search) and rejects the value when it is not found, with the template's "
            "`validation_error`. Go's `$` matches only at the very end (a value from a YAML `|` block ends "
            "with a line break), and `\\d`, `\\w`, `\\s`, `\\b` are ASCII-only: coder-catalog runs the pattern "
            "with RE2 itself, so the verdict is Go's. The pattern applies even to a value that is one of the "
            "options: a dynamic-parameter template refuses the request, a classic one fails the build.",
            example('coder:\n  templateName: docker\n  params:\n    dotfiles_uri: "github.com/me/dotfiles"'),
            example(
                'coder:\n  templateName: docker\n  params:\n    dotfiles_uri: "https://github.com/me/dotfiles"'
            ),
        ),
        (
            "CC307",
            "invalid-list",
            ("list",),
            "A `list(string)` parameter's value is not a JSON array of strings",
            '`list(string)` values travel as a JSON array in a string, such as `\'["a","b"]\'`, read by Go\'s '
            "`encoding/json`: `null` (no elements) and `null` elements (empty strings) are accepted; a "
            "comma-separated string, a number element or a YAML list is rejected.",
            example(
                'coder:\n  templateName: devcontainers\n  params:\n    ide_extensions: "ms-python.python"'
            ),
            example(
                "coder:\n  templateName: devcontainers\n  params:\n    ide_extensions: '[\"ms-python.python\"]'"
            ),
        ),
        (
            "CC308",
            "multi-select-option",
            ("multi-select",),
            "An element of a multi-select value is not one of the options",
            "A `list(string)` parameter shown as a multi-select accepts a JSON array whose every element is one "
            "of the options' values (`null` is no element; a `null` element is an empty string, which is not an "
            "option). Multi-selects exist on dynamic-parameter templates: a classic template compares the whole "
            "value with each option, so it refuses any list.",
            example(
                'coder:\n  templateName: data-science\n  params:\n    libraries: \'["pandas", "sklearn"]\''
            ),
            example(
                'coder:\n  templateName: data-science\n  params:\n    libraries: \'["pandas", "polars"]\''
            ),
        ),
    ]
    for code, name, kinds, summary, explanation, bad, good in specs:
        rule(
            code,
            name,
            "error",
            summary,
            explanation=explanation,
            bad=bad,
            good=good,
            group="parameters",
            needs_templates=True,
        )(_value_rule(kinds))


_register_value_rules()


@rule(
    "CC309",
    "overwritten-by-repository-url",
    "warning",
    "A catalog parameter is overwritten by the repository URL",
    explanation="""
The plugin sets every parameter named in the app's `repoUrlParamKeys` to the entity's repository URL,
after the catalog's `params`: a value written here for such a key is silently replaced. Remove it, or
change `backstage.io/source-location` if the URL is wrong. The fix that removes the line is only offered:
`lint --fix` never deletes what you wrote.
""",
    bad="""apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: python-project
  annotations:
    backstage.io/source-location: url:https://github.com/acme/python-project/tree/main/
spec:
  type: service
  lifecycle: production
  owner: team-a
  coder:
    templateName: devcontainers
    params:
      repo_url: https://github.com/acme/other
""",
    good="""apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: python-project
  annotations:
    backstage.io/source-location: url:https://github.com/acme/python-project/tree/main/
spec:
  type: service
  lifecycle: production
  owner: team-a
  coder:
    templateName: devcontainers
""",
    group="parameters",
)
def overwritten_by_repository_url(ctx: EntityContext) -> Iterator[Finding]:
    coder = ctx.entity.coder
    params_node = coder.get("params") if coder else None
    for name, value in ctx.effective.params.items():
        node = value.overridden_catalog_node
        if node is None or value.source != "repository-url":
            continue
        entry = params_node.entry(name) if isinstance(params_node, Mapping) else None
        fixes: tuple[Fix, ...] = ()
        if (
            entry is not None
            and isinstance(params_node, Mapping)
            and not params_node.flow
            and len(params_node.entries) > 1
        ):
            start = Span.point(entry.key.span.start.line, 0)
            end_line = line_after(entry)
            removal = TextEdit(Span(start.start, Span.point(end_line, 0).start), "")
            fixes = (Fix(f'Remove "{name}"', (removal,), safe=False),)  # it deletes what the user wrote
        if node.text == value.value:
            message = f"params.{name} repeats the repository URL the plugin injects anyway: remove it"
        else:
            message = (
                f'params.{name} is overwritten: the plugin sets "{name}" to the repository URL {value.value} '
                "(workspaces.repoUrlParamKeys)"
            )
        yield ctx.finding(node.span, message, *fixes)


@rule(
    "CC310",
    "regex-portability",
    "info",
    "Go reads the template's pattern differently from Python",
    explanation="""
Coder checks `validation_regex` with Go's `regexp` (RE2 syntax), and so does coder-catalog (with Google's
RE2): the verdict on the value (CC306) is Go's. Authors often try a pattern in Python, JavaScript or a
PCRE tester, which read some patterns differently; this note says when the value is one of those cases,
and why: Go's `$` matches only at the very end of the text (not before a final line break, which a YAML
`|` block adds), `\\d`, `\\w`, `\\s`, `\\b` are ASCII-only, and look-arounds or back-references do not
compile at all (Coder then refuses every value).
""",
    bad="",
    good="",
    group="parameters",
    needs_templates=True,
)
def regex_portability(ctx: EntityContext) -> Iterator[Finding]:
    template = template_with_parameters(ctx)
    if template is None:
        return
    for name, value in ctx.effective.params.items():
        param = template.parameter(name)
        if param is None or not param.validation_regex or param.type != "string":
            continue
        difference = regex_reading_difference(param.validation_regex, value.value)
        span = value_span(ctx, value)
        if difference is not None and span is not None:
            yield ctx.finding(span, f'the pattern of "{name}" ({param.validation_regex}): {difference}')


@rule(
    "CC311",
    "dynamic-parameter-diagnostic",
    "error",
    "Coder's dynamic-parameter evaluation reports a problem",
    explanation="""
Templates on Coder's dynamic parameter flow can have conditional parameters and options. When the
deployment supports it, coder-catalog asks Coder to evaluate the effective values
(`dynamic-parameters/evaluate`) and reports Coder's own diagnostics, with Coder's severity.
""",
    bad="",
    good="",
    group="parameters",
    needs_templates=True,
)
def dynamic_parameter_diagnostic(ctx: EntityContext) -> Iterator[Finding]:
    template = effective_template(ctx)
    if template is None:
        return
    evaluation = _evaluation(ctx, template)
    if evaluation is None:
        return
    for diagnostic in evaluation.diagnostics:
        value = ctx.effective.params.get(diagnostic.parameter)
        span = value_span(ctx, value) if value is not None else coder_key_span(ctx)
        if span is None:
            continue
        text = diagnostic.summary + (f": {diagnostic.detail}" if diagnostic.detail else "")
        where = f"{diagnostic.parameter}: " if diagnostic.parameter else ""
        severity = "warning" if diagnostic.severity == "warning" else None
        yield ctx.finding(span, f"Coder says {where}{text}", severity=severity)  # type: ignore[arg-type]
