"""What the entity rules share: reading a field's node, where a finding about it goes, how a found
value is quoted in a message, and the checks "a string without this problem", "a required field",
"not a ..." with Backstage's wording (``"metadata.name" is not valid; expected ... but found ...``)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

from coder_catalog.analysis.findings import Finding, Fix
from coder_catalog.analysis.rules.base import EntityContext, replace_fix
from coder_catalog.analysis.spans import Span
from coder_catalog.analysis.yaml_tree import Entry, Mapping, Node, Scalar, Sequence, is_null, resolve_plain

_PLAIN_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/+#:\-]*")
_NON_STRING = ("int", "float", "bool", "null")


def non_empty_problem(value: str) -> str | None:
    return None if value.strip() else "it is empty"


def min_length_problem(value: str) -> str | None:
    """JSON Schema's ``minLength: 1`` (the kind schemas): only the empty string fails, not spaces."""
    return None if value else "it is empty"


# -- placeholders -------------------------------------------------------------------------------------

#: What Backstage's placeholder processor replaces each placeholder with: the file's text ("string")
#: or its parsed data ("data"). $openapi and $asyncapi come with the catalog's OpenAPI module.
PLACEHOLDERS = {
    "$text": "string",
    "$json": "data",
    "$yaml": "data",
    "$openapi": "string",
    "$asyncapi": "string",
}


def placeholder_key(node: Node) -> str | None:
    """The resolver key (``$text``...) when ``node`` is a mapping Backstage's placeholder processor
    replaces: exactly one key, a known ``$`` key, whatever its value (a value that is not a string
    makes the resolver fail: CC522)."""
    if not isinstance(node, Mapping) or len(node.entries) != 1:
        return None
    key = node.entries[0].key_text
    return key if key in PLACEHOLDERS else None


def placeholder(node: Node) -> tuple[str, str] | None:
    """``(key, target)`` of a placeholder whose value is a string (a path or a URL)."""
    key = placeholder_key(node)
    if key is None or not isinstance(node, Mapping):
        return None
    value = node.entries[0].value
    if not isinstance(value, Scalar) or not is_string(value):
        return None
    return key, str(value.value)


def resolved_unknown(node: Node) -> bool:
    """True when ``node`` is a placeholder: what it becomes is read at ingestion and cannot be judged
    here (a string for $text, whose content is unknown; any data for $json and $yaml)."""
    return placeholder_key(node) is not None


def yields_string(node: Node) -> bool:
    found = placeholder(node)
    return found is not None and PLACEHOLDERS[found[0]] == "string"


def falsy(node: Node) -> bool:
    """A value JavaScript takes as false (null, "", false, 0), which Backstage often reads as absent."""
    if not isinstance(node, Scalar):
        return False
    return (
        is_null(node)
        or (node.type in ("bool", "int", "float") and not node.value)
        or (node.is_string and node.value == "")
    )


def is_string(node: Node) -> bool:
    """A scalar Backstage reads as a string (YAML 1.2 core schema; unknown tags stay strings)."""
    return isinstance(node, Scalar) and node.type not in _NON_STRING


def first_key_span(root: Mapping) -> Span:
    return root.entries[0].key.span if root.entries else Span(root.span.start, root.span.start)


def value_span(entry: Entry) -> Span:
    """The value's span, or the key's when the value is empty or a block collection spanning lines."""
    value = entry.value
    if is_null(value) and value.span.start == value.span.end:
        return entry.key.span
    if isinstance(value, Mapping | Sequence) and not value.flow:
        return entry.key.span
    return value.span


def item_span(node: Node) -> Span:
    """A list item's span: its first key when it is a block mapping."""
    if isinstance(node, Mapping) and node.entries and not node.flow:
        return node.entries[0].key.span
    return node.span


def found_text(node: Node) -> str:
    if isinstance(node, Scalar):
        if node.type in ("int", "float"):
            return f"the number {node.text}"
        if node.type == "bool":
            return f"the boolean {node.text}"
        if node.type == "null":
            return "nothing (null)"
        return json.dumps(node.value if isinstance(node.value, str) else node.text, ensure_ascii=False)
    return "a mapping" if isinstance(node, Mapping) else "a list"


def render_like(new: str, like: Scalar) -> str:
    """``new`` written as YAML in the style of ``like`` where that keeps it a string."""
    if (
        like.style == ""
        and _PLAIN_SAFE.fullmatch(new)
        and not new.endswith(":")
        and resolve_plain(new)[0] == "str"
    ):
        return new
    if like.style == "'":
        return "'" + new.replace("'", "''") + "'"
    return json.dumps(new, ensure_ascii=False)


def quote_fix(node: Node, problem: Callable[[str], str | None]) -> Fix | None:
    """Quoting a number or boolean whose text would then be valid."""
    if not isinstance(node, Scalar) or node.type not in ("int", "float", "bool") or problem(node.text):
        return None
    quoted = json.dumps(node.text, ensure_ascii=False)
    return replace_fix(f"Quote it: {quoted}", node.span, quoted)


def string_value(
    ctx: EntityContext,
    field: str,
    entry: Entry,
    expected: str,
    problem: Callable[[str], str | None],
    fixer: Callable[[Scalar], Fix | None] | None = None,
    *,
    placeholders: bool = True,
) -> Iterator[Finding]:
    """Check that ``entry``'s value is a string without ``problem`` (``require`` in Backstage's policy).
    A placeholder is judged by what it resolves to at ingestion, unknown here (nothing is said), unless
    ``placeholders`` is False: the envelope (apiVersion, kind, metadata.name and namespace) is checked
    before placeholders are resolved, and a mapping there is an error."""
    node = entry.value
    if is_null(node):
        yield ctx.finding(value_span(entry), f'"{field}" must have a value; expected {expected}')
        return
    if placeholders and resolved_unknown(node):
        return
    if not isinstance(node, Scalar) or not is_string(node):
        fix = quote_fix(node, problem)
        fixes = (fix,) if fix is not None else ()
        message = f'"{field}" is not valid; expected {expected} but found {found_text(node)}'
        yield ctx.finding(value_span(entry), message + ("; quote it" if fixes else ""), *fixes)
        return
    reason = problem(str(node.value))
    if reason is None:
        return
    fix = fixer(node) if fixer is not None else None
    message = f'"{field}" is not valid; expected {expected} but found {found_text(node)} ({reason})'
    yield ctx.finding(node.span, message, *((fix,) if fix is not None else ()))


def missing_field(ctx: EntityContext, span: Span, field: str, expected: str, why: str = "") -> Finding:
    return ctx.finding(span, f'"{field}" is required{why}; expected {expected}')


def not_a(ctx: EntityContext, field: str, entry: Entry, what: str) -> Finding:
    value = entry.value
    if is_null(value):
        return ctx.finding(value_span(entry), f'"{field}" must have a value; expected {what}')
    return ctx.finding(
        value_span(entry), f'"{field}" is not valid; expected {what} but found {found_text(value)}'
    )
