"""Rules: the ``spec`` of each built-in kind, as Backstage judges it.

Backstage's catalog validates an entity of a built-in kind (``backstage.io/v1alpha1`` or
``v1beta1``) with that kind's JSON Schema from ``@backstage/catalog-model`` (required fields, their
types, ``minLength: 1`` strings), then its ``BuiltinKindsEntityProcessor`` parses every entity
reference (``owner``, ``system``, ``dependsOn``...) with ``parseEntityRef`` and the field's default
kind. Either failure makes the catalog refuse the entity. One rule per kind says what its schema
says (CC508 for Component, CC513-CC519 for the others); CC520 reports references that do not parse,
for every kind. Unknown kinds and other ``apiVersion`` groups (a scaffolder ``Template``) are not
judged here: which processors a deployment installs is not knowable from a file.

Placeholders (``{$text: ./api.yaml}``) count as what they resolve to: a string for ``$text``,
``$openapi`` and ``$asyncapi``, any data for ``$json`` and ``$yaml``, read at ingestion.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Literal

from coder_catalog.analysis.findings import Finding, Fix, TextEdit
from coder_catalog.analysis.rules.base import EntityContext, replace_fix, rule
from coder_catalog.analysis.rules.entity_fields import (
    falsy,
    first_key_span,
    found_text,
    is_null,
    is_string,
    min_length_problem,
    not_a,
    placeholder,
    placeholder_key,
    resolved_unknown,
    string_value,
    value_span,
    yields_string,
)
from coder_catalog.analysis.spans import Position, Span
from coder_catalog.analysis.yaml_tree import Entry, Mapping, Node, Scalar, Sequence

GROUP = "entity"

# "references": a field outside the kind's schema (not type-checked) whose references Backstage parses.
Shape = Literal["string", "strings", "profile", "presence", "references"]


@dataclass(frozen=True)
class Field:
    name: str
    shape: Shape
    required: bool = False
    example: str = ""  # what the quick fix for a missing field writes
    # The kind a reference without one gets (parseEntityRef's defaultKind); "" when the field holds no
    # references, None when it holds references that must name their kind (dependsOn, dependencyOf).
    reference: str | None = ""
    hint: str = ""  # what the field is, for messages

    @property
    def holds_references(self) -> bool:
        return self.reference != ""


@dataclass(frozen=True)
class KindSpec:
    kind: str
    code: str
    fields: tuple[Field, ...]

    @property
    def required(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.required)

    @cached_property
    def reference_fields(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields if f.holds_references}


def _owner() -> Field:
    return Field("owner", "string", True, "team-a", "Group", "a reference to the group or user that owns it")


def _lifecycle() -> Field:
    return Field("lifecycle", "string", True, "production", hint='such as "experimental" or "production"')


def _system() -> Field:
    return Field("system", "string", reference="System", hint="the system it belongs to")


_PROFILE = ("displayName", "email", "picture")

KIND_SPECS: dict[str, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec(
            "Component",
            "CC508",
            (
                Field("type", "string", True, "service", hint='such as "service", "website" or "library"'),
                _lifecycle(),
                _owner(),
                _system(),
                Field("subcomponentOf", "string", reference="Component"),
                Field("providesApis", "strings", reference="API"),
                Field("consumesApis", "strings", reference="API"),
                Field("dependsOn", "strings", reference=None),
                Field("dependencyOf", "references", reference=None),
            ),
        ),
        KindSpec(
            "API",
            "CC513",
            (
                Field("type", "string", True, "openapi", hint='such as "openapi", "asyncapi" or "graphql"'),
                _lifecycle(),
                _owner(),
                _system(),
                Field(
                    "definition",
                    "string",
                    True,
                    "{$text: ./openapi.yaml}",
                    hint="the API's definition, often a placeholder such as {$text: ./openapi.yaml}",
                ),
            ),
        ),
        KindSpec(
            "Resource",
            "CC514",
            (
                Field("type", "string", True, "database", hint='such as "database" or "s3-bucket"'),
                _owner(),
                Field("dependsOn", "strings", reference=None),
                Field("dependencyOf", "references", reference=None),
                _system(),
            ),
        ),
        KindSpec(
            "System",
            "CC515",
            (
                _owner(),
                Field("domain", "string", reference="Domain"),
                Field("type", "string"),
            ),
        ),
        KindSpec(
            "Domain",
            "CC516",
            (
                _owner(),
                Field("subdomainOf", "string", reference="Domain"),
                Field("type", "string"),
            ),
        ),
        KindSpec(
            "Group",
            "CC517",
            (
                Field("type", "string", True, "team", hint='such as "team" or "business-unit"'),
                Field("profile", "profile"),
                Field("parent", "string", reference="Group"),
                Field("children", "strings", True, "[]", "Group", "the groups below it, [] for none"),
                Field("members", "strings", reference="User"),
            ),
        ),
        KindSpec(
            "User",
            "CC518",
            (
                Field("profile", "profile"),
                Field(
                    "memberOf", "strings", True, "[]", "Group", "the groups the user belongs to, [] for none"
                ),
            ),
        ),
        KindSpec(
            "Location",
            "CC519",
            (
                Field("type", "string"),
                Field("target", "string"),
                Field("targets", "strings"),
                Field("presence", "presence"),
            ),
        ),
    )
}


def _a(kind: str) -> str:
    return f"{'an' if kind[0] in 'AEIO' else 'a'} {kind}"  # a User, an API


def kind_spec(ctx: EntityContext) -> KindSpec | None:
    """The built-in kind whose schema applies to this entity: its kind, in the ``backstage.io`` group
    (a version Backstage does not read, ``backstage.io/v1``, is CC512's finding; the spec is judged
    all the same). Kinds of other groups, such as the scaffolder's ``Template``, are not judged."""
    found = ctx.extra.get("kind-spec", ctx)  # every kind rule asks: worked out once per entity
    if found is ctx:
        kind, version = ctx.entity.kind, ctx.entity.api_version
        judged = (
            kind is not None and version is not None and version.partition("/")[0].lower() == "backstage.io"
        )
        found = ctx.extra["kind-spec"] = KIND_SPECS.get(kind) if judged and kind is not None else None
    return found if isinstance(found, KindSpec) else None


# -- the shapes -----------------------------------------------------------------------------------------


def _expected(field: Field) -> str:
    what = {
        "string": "a non-empty string",
        "strings": "a list of non-empty strings",
        "profile": "a mapping with optional non-empty strings displayName, email and picture",
        "presence": '"required" or "optional"',
        "references": "entity references",
    }[field.shape]
    return f"{what}, {field.hint}" if field.hint else what


def _presence_problem(value: str) -> str | None:
    return None if value in ("required", "optional") else 'it must be "required" or "optional"'


def _check_field(ctx: EntityContext, field: Field, entry: Entry) -> Iterator[Finding]:
    name = f"spec.{field.name}"
    expected = _expected(field)
    if field.shape == "string":
        yield from string_value(ctx, name, entry, expected, min_length_problem)
    elif field.shape == "presence":
        yield from string_value(ctx, name, entry, expected, _presence_problem)
    elif field.shape == "strings":
        yield from _string_list(ctx, name, entry, expected)
    elif field.shape == "profile":
        yield from _profile(ctx, name, entry, expected)
    # "references": not in the schema, only parsed (CC520)


def _text_placeholder(ctx: EntityContext, name: str, entry: Entry, expected: str) -> Finding | None:
    """A placeholder that resolves to a string ($text...) where a list or a mapping is expected."""
    found = placeholder(entry.value)
    if found is None or not yields_string(entry.value):
        return None
    return ctx.finding(
        value_span(entry),
        f'"{name}" is not valid; expected {expected} but found a {found[0]} placeholder, which resolves to a string',
    )


def _string_list(ctx: EntityContext, name: str, entry: Entry, expected: str) -> Iterator[Finding]:
    value = entry.value
    if (wrong := _text_placeholder(ctx, name, entry, expected)) is not None:
        yield wrong
        return
    if resolved_unknown(value):
        return
    if not isinstance(value, Sequence):
        yield not_a(ctx, name, entry, expected)
        return
    for index, item in enumerate(value.items):
        yield from string_value(
            ctx, f"{name}.{index}", Entry.of(item, item), "a non-empty string", min_length_problem
        )


def _profile(ctx: EntityContext, name: str, entry: Entry, expected: str) -> Iterator[Finding]:
    value = entry.value
    if (wrong := _text_placeholder(ctx, name, entry, expected)) is not None:
        yield wrong
        return
    if resolved_unknown(value):
        return
    if not isinstance(value, Mapping):
        yield not_a(ctx, name, entry, expected)
        return
    for key in _PROFILE:
        found = value.entry(key)
        if found is not None:
            yield from string_value(ctx, f"{name}.{key}", found, "a non-empty string", min_length_problem)


def _spec_findings(ctx: EntityContext, spec: KindSpec) -> list[Finding]:
    body = ctx.entity.spec
    if body is None or placeholder_key(body) is not None:  # no spec, not a mapping, or a placeholder
        return list(_spec_problems(ctx, spec))
    findings: list[Finding] = []
    for field in spec.fields:
        found = body.entry(field.name)
        if found is None:
            if field.required:
                findings.append(_missing(ctx, spec, field))
            continue
        value = found.value
        if field.shape == "string" and type(value) is Scalar and value.type == "str" and value.value:
            continue  # the common case, a non-empty string: nothing to say
        findings.extend(_check_field(ctx, field, found))
    if spec.kind == "Location" and not _has_target(body):
        findings.append(
            ctx.finding(
                _spec_key(ctx),
                'this Location has neither "spec.target" nor "spec.targets": Backstage accepts it, but it '
                "points at nothing",
                severity="warning",
            )
        )
    return findings


def _spec_key(ctx: EntityContext) -> Span:
    entry = ctx.entity.root.entry("spec")
    assert entry is not None
    return entry.key.span


def _missing(ctx: EntityContext, spec: KindSpec, field: Field) -> Finding:
    entry = ctx.entity.root.entry("spec")
    assert entry is not None
    fix = _add_field_fix(ctx, entry, field)
    return ctx.finding(
        entry.key.span,
        f'"spec.{field.name}" is required for {_a(spec.kind)}; expected {_expected(field)}',
        *((fix,) if fix is not None else ()),
    )


def _spec_problems(ctx: EntityContext, spec: KindSpec) -> Iterator[Finding]:
    """``spec`` missing, or not a mapping."""
    root = ctx.entity.root
    entry = root.entry("spec")
    required = ", ".join(f'"{f.name}"' for f in spec.required)
    what = f"a mapping with {required}" if required else "a mapping"
    if entry is None:
        yield ctx.finding(
            first_key_span(root),
            f'"spec" is required for {_a(spec.kind)}; expected {what}',
            *_add_spec_fix(ctx, spec),
        )
        return
    if (wrong := _text_placeholder(ctx, "spec", entry, what)) is not None:
        yield wrong
        return
    if resolved_unknown(entry.value):
        return
    finding = not_a(ctx, "spec", entry, what)
    yield replace(finding, fixes=_fill_spec_fix(ctx, entry, spec)) if is_null(entry.value) else finding


def _has_target(body: Mapping) -> bool:
    """Whether a Location's spec names something to read (a non-empty target, or targets)."""
    target, targets = body.get("target"), body.get("targets")
    if target is not None and not (isinstance(target, Scalar) and (is_null(target) or target.text == "")):
        return True
    return targets is not None and not (isinstance(targets, Sequence) and not targets.items)


# -- quick fixes: add what is missing, with a placeholder value to replace -------------------------------


def _add_field_fix(ctx: EntityContext, spec_entry: Entry, field: Field) -> Fix | None:
    """Add ``field: <example>`` as the last line of a block ``spec`` (not applied by --fix: the value is
    a placeholder for the user to replace)."""
    body = spec_entry.value
    if not isinstance(body, Mapping) or body.flow or not body.entries or not field.example:
        return None
    last = body.entries[-1]
    indent = body.entries[0].key.span.start.column
    end = last.value.span.end
    line = end.line if end.column == 0 else end.line + 1
    if line >= len(ctx.lines) and ctx.lines and not ctx.lines[-1].endswith(("\n", "\r")):
        edit = TextEdit(
            Span.point(len(ctx.lines) - 1, len(ctx.lines[-1])),
            f"\n{' ' * indent}{field.name}: {field.example}",
        )
    else:
        edit = TextEdit(Span.point(line, 0), f"{' ' * indent}{field.name}: {field.example}\n")
    return Fix(
        f'Add "spec.{field.name}: {field.example}"', (edit,), safe=False, select=_value_after(edit, field)
    )


def _fill_spec_fix(ctx: EntityContext, spec_entry: Entry, spec: KindSpec) -> tuple[Fix, ...]:
    """Fill an empty ``spec:`` with the kind's required fields (block style only)."""
    key = spec_entry.key.span
    value = spec_entry.value.span
    if not spec.required or value.start.line != key.start.line or key.start.line + 1 > len(ctx.lines):
        return ()
    indent = " " * (key.start.column + 2)
    body = "".join(f"{indent}{f.name}: {f.example}\n" for f in spec.required)
    line = key.start.line + 1
    if line >= len(ctx.lines) and not ctx.lines[-1].endswith(("\n", "\r")):
        edit = TextEdit(Span.point(len(ctx.lines) - 1, len(ctx.lines[-1])), "\n" + body.rstrip("\n"))
    else:
        edit = TextEdit(Span.point(line, 0), body)
    title = f"Add {', '.join(f.name for f in spec.required)} to spec"
    return (Fix(title, (edit,), safe=False, select=_value_after(edit, spec.required[0])),)


def _add_spec_fix(ctx: EntityContext, spec: KindSpec) -> tuple[Fix, ...]:
    """Add a ``spec`` with the kind's required fields at the end of the entity (block style only)."""
    root = ctx.entity.root
    if root.flow or not root.entries or not spec.required:
        return ()
    last = root.entries[-1]
    end = last.value.span.end
    line = end.line if end.column == 0 else end.line + 1
    body = "".join(f"  {f.name}: {f.example}\n" for f in spec.required)
    text = f"spec:\n{body}"
    if line >= len(ctx.lines) and ctx.lines and not ctx.lines[-1].endswith(("\n", "\r")):
        edit = TextEdit(Span.point(len(ctx.lines) - 1, len(ctx.lines[-1])), "\n" + text.rstrip("\n"))
    else:
        edit = TextEdit(Span.point(line, 0), text)
    title = f"Add a spec with {', '.join(f.name for f in spec.required)}"
    return (Fix(title, (edit,), safe=False, select=_value_after(edit, spec.required[0])),)


def _value_after(edit: TextEdit, field: Field) -> Span | None:
    """Where the example value of ``field`` is once ``edit`` (an insertion) is applied: the editor
    selects it, for the user to type the real value over it."""
    written = f"{field.name}: {field.example}"
    index = edit.new_text.find(written)
    if index < 0:
        return None
    before = edit.new_text[:index]
    line = edit.span.start.line + before.count("\n")
    column = index - (before.rfind("\n") + 1)
    if "\n" not in before:
        column += edit.span.start.column
    start = column + len(field.name) + 2
    return Span(Position(line, start), Position(line, start + len(field.example)))


# -- entity references ------------------------------------------------------------------------------------


def reference_problem(ref: str, default_kind: str | None) -> str | None:
    """Why Backstage's ``parseEntityRef(ref, {defaultKind})`` throws, or None when it parses."""
    if not ref:
        return "it is empty"
    if default_kind and ":" not in ref and "/" not in ref:
        return None  # a bare name, the common case
    colon = ref.find(":")
    slash = ref.find("/")
    if slash != -1 and slash < colon:
        colon = -1
    kind = None if colon == -1 else ref[:colon]
    namespace = None if slash == -1 else ref[colon + 1 : slash]
    name = ref[max(colon + 1, slash + 1) :]
    if kind == "" or namespace == "" or name == "":
        empty = "kind" if kind == "" else "namespace" if namespace == "" else "name"
        return f"its {empty} is empty: it is not on the form [<kind>:][<namespace>/]<name>"
    if kind is None and not default_kind:
        return 'it has no kind, and this field has no default kind: write it as "<kind>:<name>", such as "resource:my-db"'
    return None


def _references(spec: KindSpec, body: Mapping) -> Iterator[tuple[Field, str, Node]]:
    """Each reference Backstage parses, as ``doEmit`` walks them: the field's value, or the items of a
    list; a field outside the schema is skipped when its value is false to JavaScript (null, "", 0).
    In the schema's fields only non-empty strings are parsed (the kind rule reports the others)."""
    fields = spec.reference_fields
    for entry in body.entries:
        field = fields.get(entry.key_text or "")
        if field is None:
            continue
        value = entry.value
        checked_by_schema = field.shape != "references"
        if not checked_by_schema and (falsy(value) or resolved_unknown(value)):
            continue
        items = value.items if isinstance(value, Sequence) else (value,)
        for index, item in enumerate(items):
            suffix = f".{index}" if isinstance(value, Sequence) else ""
            if checked_by_schema and not (isinstance(item, Scalar) and is_string(item) and str(item.value)):
                continue
            yield field, f"spec.{field.name}{suffix}", item


def node_reference_problem(node: Node, default_kind: str | None) -> str | None:
    """``parseEntityRef(value, {defaultKind})`` on a YAML value: a string is parsed; a mapping gives its
    ``kind``, ``namespace`` and ``name``; anything else has none of them."""
    if isinstance(node, Scalar) and is_string(node):
        return reference_problem(str(node.value), default_kind)
    if falsy(node):
        return "it is empty"
    # kind = ref.kind ?? defaultKind, and so on: only a missing or null part takes the default
    for key, default in (("kind", default_kind), ("namespace", "default"), ("name", None)):
        found = node.get(key) if isinstance(node, Mapping) else None
        present = bool(default) if found is None or is_null(found) else not falsy(found)
        if not present:
            return f"its {key} is missing or empty"
    return None


# -- the rules ------------------------------------------------------------------------------------------


def _kind_rule(kind: str) -> None:
    spec = KIND_SPECS[kind]
    required = [f.name for f in spec.required]

    def check(ctx: EntityContext) -> Iterable[Finding]:
        # A plain function, not a generator: for the seven kinds an entity is not, it only returns ().
        return _spec_findings(ctx, spec) if kind_spec(ctx) is spec else ()

    listed = ", ".join(f"`{name}`" for name in required) or "no field"
    article = _a(kind).split()[0].capitalize()
    summary = (
        f"{article} {kind} without {' or '.join(f'`spec.{n}`' for n in required)}, or with a field of the wrong type"
        if required
        else f"{article} {kind} whose `spec` has a field of the wrong type"
    )
    if kind == "Component":
        summary = "A Component without `spec.type`, `spec.lifecycle` or `spec.owner`, or with a field of the wrong type"
    shapes = "; ".join(f"`{f.name}` {_expected(f)}" for f in spec.fields)
    rule(
        spec.code,
        f"{kind.lower()}-spec",
        "error",
        summary,
        explanation=f"""
Backstage validates a `{kind}` (`backstage.io/v1alpha1` or `v1beta1`) with its kind's schema and refuses
the entity when `spec` is missing or not a mapping, when a required field is missing ({listed} required)
or when a field has the wrong type: {shapes}. Other keys of `spec` are free. A placeholder such as
`{{$text: ./openapi.yaml}}` counts as what it resolves to at ingestion. The quick fix adds a missing field
with a value to replace.
""",
        bad=_EXAMPLES[kind][0],
        good=_EXAMPLES[kind][1],
        group=GROUP,
        kinds=frozenset({kind}),
    )(check)


@rule(
    "CC520",
    "entity-reference",
    "error",
    "An entity reference Backstage cannot parse",
    explanation="""
Fields that name other entities (`owner`, `system`, `domain`, `subcomponentOf`, `providesApis`,
`consumesApis`, `dependsOn`, `dependencyOf`, `parent`, `children`, `members`, `memberOf`,
`subdomainOf`) hold references `[<kind>:][<namespace>/]<name>`. Backstage parses each one when it
builds the entity's relations and refuses the entity when one does not parse: an empty kind, namespace
or name (`group:`, `group:default/`, `:team-a`), or no kind in a field that has no default kind
(`dependsOn` and `dependencyOf` need `resource:my-db`, `component:other`). `a:b:c` parses (kind `a`,
name `b:c`).
""",
    bad="""apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: python-project
spec:
  type: service
  lifecycle: production
  owner: "group:"
  dependsOn:
    - artists-db
""",
    good="""apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: python-project
spec:
  type: service
  lifecycle: production
  owner: group:team-a
  dependsOn:
    - resource:artists-db
""",
    group=GROUP,
)
def entity_reference(ctx: EntityContext) -> Iterable[Finding]:
    spec = kind_spec(ctx)
    body = ctx.entity.spec
    if spec is None or body is None:
        return ()
    return _reference_findings(ctx, spec, body)


def _reference_findings(ctx: EntityContext, spec: KindSpec, body: Mapping) -> list[Finding]:
    findings = []
    for field, name, node in _references(spec, body):
        problem = node_reference_problem(node, field.reference)
        if problem is not None:
            findings.append(
                ctx.finding(
                    node.span,
                    f'"{name}" is not a valid entity reference; found {found_text(node)} ({problem})',
                )
            )
    return findings


def _entity(kind: str, spec: str) -> str:
    return f"apiVersion: backstage.io/v1alpha1\nkind: {kind}\nmetadata:\n  name: example\nspec:\n{spec}"


_EXAMPLES: dict[str, tuple[str, str]] = {
    "Component": (
        _entity("Component", "  type: service\n  lifecycle: ''\n"),
        _entity("Component", "  type: service\n  lifecycle: production\n  owner: team-a\n"),
    ),
    "API": (
        _entity("API", "  type: openapi\n  lifecycle: production\n  owner: team-a\n"),
        _entity(
            "API",
            "  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: ./openapi.yaml\n",
        ),
    ),
    "Resource": (
        _entity("Resource", "  type: database\n"),
        _entity("Resource", "  type: database\n  owner: team-a\n"),
    ),
    "System": (
        _entity("System", "  owner: [team-a]\n"),
        _entity("System", "  owner: team-a\n"),
    ),
    "Domain": (
        _entity("Domain", "  owner: ''\n"),
        _entity("Domain", "  owner: team-a\n"),
    ),
    "Group": (
        _entity("Group", "  type: team\n"),
        _entity("Group", "  type: team\n  children: []\n"),
    ),
    "User": (
        _entity("User", "  profile:\n    email: jane@example.com\n"),
        _entity("User", "  profile:\n    email: jane@example.com\n  memberOf: [team-a]\n"),
    ),
    "Location": (
        _entity("Location", "  targets: ./services/*/catalog-info.yaml\n"),
        _entity("Location", "  targets:\n    - ./services/*/catalog-info.yaml\n"),
    ),
}

for _kind in KIND_SPECS:
    _kind_rule(_kind)


@rule(
    "CC523",
    "location-type",
    "error",
    "A Location of a type the catalog does not allow",
    explanation="""
A `Location` entity points the catalog at more files. Its `spec.type` defaults to the type of the location
that holds it (`url` for a file registered from a repository), and Backstage's catalog allows only `url`
unless the app's backend widens `allowedLocationTypes`: a `file` Location in a catalog file makes the
catalog refuse it ("Registered locations must be of an allowed type"). If your backend allows more types,
turn this rule off (`rules: {CC523: off}`).
""",
    bad=_entity("Location", "  type: file\n  target: ./services/catalog-info.yaml\n"),
    good=_entity("Location", "  type: url\n  target: ./services/catalog-info.yaml\n"),
    group=GROUP,
    kinds=frozenset({"Location"}),
)
def location_type(ctx: EntityContext) -> Iterator[Finding]:
    spec = kind_spec(ctx)
    body = ctx.entity.spec
    if spec is None or spec.kind != "Location" or body is None:
        return
    entry = body.entry("type")
    node = entry.value if entry is not None else None
    if not isinstance(node, Scalar) or not is_string(node) or node.value in ("", "url"):
        return
    fixes = (replace_fix('Change to "url"', node.span, "url", safe=False),) if node.style == "" else ()
    yield ctx.finding(
        node.span,
        f'a Location of type {found_text(node)} is refused: Backstage\'s catalog allows only "url" locations '
        "unless the backend allows more (allowedLocationTypes)",
        *fixes,
    )


@rule(
    "CC511",
    "spec-not-a-mapping",
    "error",
    "`spec` is not a mapping",
    explanation="""
Whatever the kind, `spec` is optional in the envelope but must be a mapping when it is there: Backstage's
entity schema refuses a list, a string or an empty `spec:`. The built-in kinds' rules (CC508, CC513-CC519)
say more about their own `spec`; this rule covers the other kinds, such as a scaffolder `Template` or your
own.
""",
    bad="apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: python-project\nspec:\n  - size: 3\n",
    good="apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: python-project\nspec:\n  size: 3\n",
    group=GROUP,
)
def spec_not_a_mapping(ctx: EntityContext) -> Iterable[Finding]:
    if ctx.entity.spec is not None or kind_spec(ctx) is not None:
        return ()  # a mapping, or a built-in kind, whose own rule reports it
    entry = ctx.entity.root.entry("spec")
    if entry is None or resolved_unknown(entry.value):
        return ()
    return (not_a(ctx, "spec", entry, "a mapping"),)
