"""Rules: the Backstage entity envelope (``apiVersion``, ``kind``, ``metadata``, the root keys).

These are the checks Backstage's catalog applies to every entity (``FieldFormatEntityPolicy``,
``NoForeignRootFieldsEntityPolicy`` and the entity JSON Schemas), so that one tool replaces a separate
catalog validator. Backstage stops at the first problem; here every problem is reported, each at the
key or value it is about. When a field is missing, the finding sits on the key of the mapping that
should hold it (``metadata`` for ``metadata.name``), or on the document's first key when a root field
is missing. Each built-in kind's ``spec`` is judged in ``kinds``; ``spec.coder`` is left to the
``coder_block`` rules.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator

from coder_catalog.analysis.findings import Finding, Fix
from coder_catalog.analysis.rules.base import EntityContext, replace_fix, rule
from coder_catalog.analysis.rules.entity_fields import (
    falsy,
    first_key_span,
    found_text,
    is_string,
    item_span,
    min_length_problem,
    missing_field,
    non_empty_problem,
    not_a,
    placeholder_key,
    render_like,
    resolved_unknown,
    string_value,
    value_span,
)
from coder_catalog.analysis.yaml_tree import Entry, Mapping, Node, Scalar, Sequence

GROUP = "entity"

API_VERSION = "CC501"
KIND = "CC502"
METADATA_NAME = "CC503"
METADATA_NAMESPACE = "CC504"
METADATA_TAGS = "CC505"
ANNOTATION = "CC506"
LABEL = "CC507"
UNKNOWN_ROOT_KEY = "CC509"
METADATA_LINKS = "CC510"
UNKNOWN_API_VERSION = "CC512"
METADATA_FIELD = "CC521"
PLACEHOLDER_VALUE = "CC522"

ROOT_KEYS = ("apiVersion", "kind", "metadata", "spec")
CATALOG_ROOT_KEYS = ("relations", "status")  # written by the catalog itself, refused in a file
METADATA_KEYS = ("name", "namespace", "title", "description", "labels", "annotations", "tags", "links")
COMPONENT_SPEC_KEYS = ("type", "lifecycle", "owner")
_SPEC_HINT_KEYS = (*COMPONENT_SPEC_KEYS, "system", "coder", "providesApis", "consumesApis", "dependsOn")

_BACKSTAGE_VERSIONS = ("backstage.io/v1alpha1", "backstage.io/v1beta1")
BUILTIN_KINDS = ("Component", "API", "Resource", "System", "Domain", "Group", "User", "Location")
KNOWN_API_VERSIONS: dict[str, tuple[str, ...]] = {
    **{kind: _BACKSTAGE_VERSIONS for kind in BUILTIN_KINDS},
    "Template": ("scaffolder.backstage.io/v1beta3",),
}

# -- Backstage's field formats (KubernetesValidatorFunctions, CommonValidatorFunctions) ---------------

NAME_EXPECTED = (
    "a string that is sequences of [a-zA-Z0-9] separated by any of [-_.], at most 63 characters in total"
)
DNS_LABEL_EXPECTED = "a string that is sequences of [a-z0-9] separated by [-], at most 63 characters in total"
TAG_EXPECTED = "a string that is sequences of [a-z0-9:+#] separated by [-], at most 63 characters in total"
KIND_EXPECTED = "a string that is a sequence of [a-zA-Z][a-z0-9A-Z], at most 63 characters in total"
API_VERSION_EXPECTED = (
    'a string "prefix/suffix" or "suffix", the prefix a DNS subdomain (at most 253 characters) and the '
    "suffix a sequence of [a-zA-Z0-9], at most 63 characters"
)
KEY_EXPECTED = (
    'an optional DNS-subdomain prefix and "/", then a name that is sequences of [a-zA-Z0-9] separated by '
    "any of [-_.], at most 63 characters"
)
LABEL_VALUE_EXPECTED = "an empty string or " + NAME_EXPECTED
URL_EXPECTED = "a string that is a valid absolute url"
NON_EMPTY_EXPECTED = "a non-empty string"

_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_DNS_LABEL = re.compile(r"[a-z0-9]+(?:-+[a-z0-9]+)*")
_TAG = re.compile(r"[a-z0-9:+#]+(-[a-z0-9:+#]+)*")
_KIND = re.compile(r"[a-zA-Z][a-z0-9A-Z]*")
_API_SUFFIX = re.compile(r"[a-z0-9A-Z]+")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
_SPECIAL_SCHEMES = ("http", "https", "ws", "wss", "ftp", "file")
_FORBIDDEN_HOST = frozenset(" #/:<>?@[\\]^|\x7f") | frozenset(chr(c) for c in range(0x20))


@functools.lru_cache(maxsize=32)
def _charset(allowed: str, *, whole: bool) -> re.Pattern[str]:
    return re.compile(f"[{allowed}]*" if whole else f"[{allowed}]")


def _charset_problem(value: str, allowed: str, max_length: int) -> str | None:
    """Why ``value`` breaks a length limit or uses a character outside ``allowed`` (a regex class body)."""
    if not value:
        return "it is empty"
    if len(value) > max_length:
        return f"it is {len(value)} characters long"
    if _charset(allowed, whole=True).fullmatch(value):
        return None
    pattern = _charset(allowed, whole=False)
    for char in value:
        if not pattern.fullmatch(char):
            if char.isascii() and char.isupper() and pattern.fullmatch(char.lower()):
                return f'upper-case "{char}" is not allowed'
            return f"{json.dumps(char, ensure_ascii=False)} is not allowed"
    return None


@functools.lru_cache(maxsize=4096)  # pure, and the same values come back in every file
def name_problem(value: str) -> str | None:
    """Why ``value`` is not a valid ``metadata.name`` (``isValidObjectName``), or None."""
    problem = _charset_problem(value, r"A-Za-z0-9\-_.", 63)
    if problem is None and not _NAME.fullmatch(value):
        problem = "it must start and end with a letter or a digit"
    return problem


@functools.lru_cache(maxsize=4096)  # pure, and the same values come back in every file
def dns_label_problem(value: str) -> str | None:
    problem = _charset_problem(value, r"a-z0-9\-", 63)
    if problem is None and not _DNS_LABEL.fullmatch(value):
        problem = "it must start and end with a letter or a digit"
    return problem


def dns_subdomain_problem(value: str) -> str | None:
    if not value:
        return "it is empty"
    if len(value) > 253:
        return f"it is {len(value)} characters long"
    for label in value.split("."):
        if not label:
            return 'it has an empty part between "."'
        problem = dns_label_problem(label)
        if problem is not None:
            return f"in {json.dumps(label, ensure_ascii=False)}, {problem}"
    return None


@functools.lru_cache(maxsize=4096)  # pure, and the same values come back in every file
def tag_problem(value: str) -> str | None:
    problem = _charset_problem(value, r"a-z0-9:+#\-", 63)
    if problem is None and not _TAG.fullmatch(value):
        problem = '"-" must not start or end it, nor be repeated'
    return problem


@functools.lru_cache(maxsize=4096)  # pure, and the same values come back in every file
def kind_problem(value: str) -> str | None:
    problem = _charset_problem(value, "a-zA-Z0-9", 63)
    if problem is None and not _KIND.fullmatch(value):
        problem = "it must start with a letter"
    return problem


def _api_suffix_problem(value: str) -> str | None:
    problem = _charset_problem(value, "a-zA-Z0-9", 63)
    if problem is None and not _API_SUFFIX.fullmatch(value):  # pragma: no cover - the charset says it all
        problem = "it is not a sequence of [a-zA-Z0-9]"
    return problem


def _prefixed_problem(value: str, suffix_problem: Callable[[str], str | None]) -> str | None:
    """``isValidPrefixAndOrSuffix`` with a DNS-subdomain prefix and ``/``."""
    parts = value.split("/")
    if len(parts) > 2:
        return 'it has more than one "/"'
    if len(parts) == 1:
        return suffix_problem(value)
    prefix, suffix = parts
    problem = dns_subdomain_problem(prefix)
    if problem is not None:
        return f"the prefix {json.dumps(prefix, ensure_ascii=False)} is not a DNS subdomain: {problem}"
    problem = suffix_problem(suffix)
    if problem is not None:
        return f'the part after "/" is not valid: {problem}'
    return None


@functools.lru_cache(maxsize=4096)  # pure, and the same values come back in every file
def api_version_problem(value: str) -> str | None:
    return _prefixed_problem(value, _api_suffix_problem)


@functools.lru_cache(maxsize=4096)  # pure, and the same values come back in every file
def key_problem(value: str) -> str | None:
    """Why ``value`` is not a valid label or annotation key (``isValidLabelKey``), or None."""
    return _prefixed_problem(value, name_problem)


def label_value_problem(value: str) -> str | None:
    return None if value == "" else name_problem(value)


def url_problem(value: str) -> str | None:
    """Why ``value`` would not parse as an absolute URL (WHATWG ``new URL(value)``, as Backstage checks)."""
    text = (
        value.strip("".join(chr(c) for c in range(0x21)))
        .replace("\t", "")
        .replace("\n", "")
        .replace("\r", "")
    )
    scheme, colon, rest = text.partition(":")
    if not colon or not _SCHEME.fullmatch(scheme):
        return "it is not absolute: it must start with a scheme such as https://"
    if scheme.lower() not in _SPECIAL_SCHEMES:
        return None
    authority = re.split(r"[/?#]", rest.replace("\\", "/").lstrip("/"), maxsplit=1)[0]
    host_port = authority.rpartition("@")[2]
    if host_port.startswith("["):
        host, bracket, port = host_port.partition("]")
        if not bracket or (port and not port.startswith(":")):
            return "its IPv6 host is not valid"
        port = port[1:]
    else:
        host, _, port = host_port.partition(":")
    if not host and scheme.lower() != "file":
        return "it has no host"
    bad = next((c for c in host if c in _FORBIDDEN_HOST), None)
    if bad is not None and not host.startswith("["):
        return (
            f"its host {json.dumps(host, ensure_ascii=False)} is not valid ({json.dumps(bad)} is not allowed)"
        )
    if port and (not port.isdigit() or int(port) > 65535):
        return f"its port {json.dumps(port, ensure_ascii=False)} is not valid"
    return None


def _metadata_entry(ctx: EntityContext, key: str) -> Entry | None:
    """``metadata``'s entry ``key`` (None when absent or ``metadata`` is not a mapping: CC503 says so)."""
    metadata = ctx.entity.metadata
    return metadata.entry(key) if metadata is not None else None


# -- example documents -----------------------------------------------------------------------------


def _component(metadata: str = "", spec: str = "", *, head: str = "", name: str = "python-project") -> str:
    """A whole Component entity; ``metadata``/``spec`` are extra lines already indented by two spaces."""
    head = head or "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
    spec = spec or "  type: service\n  lifecycle: production\n  owner: team-a\n"
    return f"{head}metadata:\n  name: {name}\n{metadata}spec:\n{spec}"


# -- the rules -------------------------------------------------------------------------------------


@rule(
    API_VERSION,
    "api-version",
    "error",
    "`apiVersion` is missing or not a valid version",
    explanation="""
Every entity starts with `apiVersion`, the version of the format it is written in. Backstage requires a
string of the form `suffix` or `prefix/suffix`: the prefix is a DNS subdomain (lower-case letters, digits
and `-`, in parts joined by `.`, at most 253 characters) and the suffix letters and digits only, at most
63 characters. Built-in kinds use `backstage.io/v1alpha1`; Backstage rejects the entity otherwise.
""",
    bad=_component(head="apiVersion: Backstage.io/v1alpha1\nkind: Component\n"),
    good=_component(),
    group=GROUP,
)
def api_version(ctx: EntityContext) -> Iterator[Finding]:
    root = ctx.entity.root
    entry = root.entry("apiVersion")
    if entry is None:
        yield missing_field(
            ctx, first_key_span(root), "apiVersion", '"backstage.io/v1alpha1" for built-in kinds'
        )
        return
    known = KNOWN_API_VERSIONS.get(ctx.entity.kind or "") or tuple(
        sorted({v for versions in KNOWN_API_VERSIONS.values() for v in versions})
    )

    def case_fix(node: Scalar) -> Fix | None:
        match = next((v for v in known if v.lower() == str(node.value).lower()), None)
        return replace_fix(f'Change to "{match}"', node.span, render_like(match, node)) if match else None

    yield from string_value(
        ctx, "apiVersion", entry, API_VERSION_EXPECTED, api_version_problem, case_fix, placeholders=False
    )


@rule(
    UNKNOWN_API_VERSION,
    "unknown-api-version",
    "error",
    "A built-in kind with an `apiVersion` Backstage does not read it with",
    explanation="""
Backstage's built-in kinds are read only with the versions their processors know: `backstage.io/v1alpha1`
or `backstage.io/v1beta1` for Component, API, Resource, System, Domain, Group, User and Location, and
`scaffolder.backstage.io/v1beta3` for Template. With any other version no built-in processor accepts the
entity, and unless your Backstage app adds a processor for it, the catalog reports "No processor
recognized the entity" and leaves it out: an error for the eight built-in kinds, whose processor every
catalog has, and a warning for `Template`, whose processor comes with the scaffolder plugin.
""",
    bad=_component(head="apiVersion: backstage.io/v1\nkind: Component\n"),
    good=_component(),
    group=GROUP,
)
def unknown_api_version(ctx: EntityContext) -> Iterator[Finding]:
    kind = ctx.entity.kind
    known = KNOWN_API_VERSIONS.get(kind or "")
    node = ctx.entity.root.get("apiVersion")
    if kind is None or known is None or not isinstance(node, Scalar) or not is_string(node):
        return
    value = str(node.value)
    if value in known or api_version_problem(value) is not None:  # CC501 reports invalid ones
        return
    expected = " or ".join(f'"{v}"' for v in known)
    guesses = set(difflib.get_close_matches(value.lower(), known, n=len(known), cutoff=0.75))
    fixes = [
        replace_fix(
            f'Change to "{guess}"', node.span, render_like(guess, node), safe=guess.lower() == value.lower()
        )
        for guess in known
        if guess in guesses
    ]
    yield ctx.finding(
        node.span,
        f'"apiVersion" {found_text(node)} is not a version of kind {kind}; expected {expected} '
        "(Backstage rejects the entity unless the app adds a processor for this version)",
        *fixes,
        severity="error" if kind in BUILTIN_KINDS else "warning",
    )


@rule(
    KIND,
    "kind",
    "error",
    "`kind` is missing or not a valid kind",
    explanation="""
`kind` says what the entity is (`Component`, `API`, `System`, `Group`, ...). Backstage requires a string
of letters and digits that starts with a letter, at most 63 characters.
""",
    bad=_component(head="apiVersion: backstage.io/v1alpha1\nkind: Web-Service\n"),
    good=_component(),
    group=GROUP,
)
def kind(ctx: EntityContext) -> Iterator[Finding]:
    root = ctx.entity.root
    entry = root.entry("kind")
    if entry is None:
        yield missing_field(ctx, first_key_span(root), "kind", KIND_EXPECTED)
        return
    yield from string_value(ctx, "kind", entry, KIND_EXPECTED, kind_problem, placeholders=False)


@rule(
    METADATA_NAME,
    "metadata-name",
    "error",
    "`metadata` or `metadata.name` is missing or not valid",
    explanation="""
Every entity needs a `metadata` mapping with a `name`, unique for its kind and namespace. Backstage
requires the name to be 1 to 63 characters: letters and digits, in runs separated by `-`, `_` or `.`,
starting and ending with a letter or digit. Spaces, slashes and other characters are rejected; use
`metadata.title` for a display name.
""",
    bad=_component(name="my service"),
    good=_component(metadata="  title: My service\n", name="my-service"),
    group=GROUP,
)
def metadata_name(ctx: EntityContext) -> Iterator[Finding]:
    root = ctx.entity.root
    entry = root.entry("metadata")
    if entry is None:
        yield missing_field(ctx, first_key_span(root), "metadata", 'a mapping with at least "name"')
        return
    if not isinstance(entry.value, Mapping):
        yield not_a(ctx, "metadata", entry, 'a mapping with at least "name"')
        return
    name = entry.value.entry("name")
    if name is None:
        yield missing_field(ctx, entry.key.span, "metadata.name", NAME_EXPECTED)
        return
    yield from string_value(ctx, "metadata.name", name, NAME_EXPECTED, name_problem, placeholders=False)


def _lower_fix(problem: Callable[[str], str | None], *, safe: bool) -> Callable[[Scalar], Fix | None]:
    def fix(node: Scalar) -> Fix | None:
        lowered = str(node.value).lower()
        if lowered == node.value or problem(lowered) is not None:
            return None
        return replace_fix(f'Lower-case it: "{lowered}"', node.span, render_like(lowered, node), safe=safe)

    return fix


@rule(
    METADATA_NAMESPACE,
    "metadata-namespace",
    "error",
    "`metadata.namespace` is not a valid namespace",
    explanation="""
`metadata.namespace` is optional (it defaults to `default`). When set, Backstage requires a DNS label:
1 to 63 lower-case letters and digits, in runs separated by `-`. Upper-case letters, `_` and `.` are
rejected.
""",
    bad=_component(metadata="  namespace: Team_A\n"),
    good=_component(metadata="  namespace: team-a\n"),
    group=GROUP,
)
def metadata_namespace(ctx: EntityContext) -> Iterator[Finding]:
    entry = _metadata_entry(ctx, "namespace")
    if entry is not None:
        fixer = _lower_fix(dns_label_problem, safe=False)
        yield from string_value(
            ctx, "metadata.namespace", entry, DNS_LABEL_EXPECTED, dns_label_problem, fixer, placeholders=False
        )


@rule(
    METADATA_TAGS,
    "metadata-tags",
    "error",
    "`metadata.tags` is not a list of valid tags",
    explanation="""
`metadata.tags` is a list of short classification strings. Backstage requires each tag to be 1 to 63
characters of lower-case letters, digits, `:`, `+` and `#`, in runs separated by single `-`. A tag that is
only wrong by its case (`Python`) is lower-cased by the fix; a number (`- 2024`) is quoted.
""",
    bad=_component(metadata="  tags:\n    - Python\n    - web\n"),
    good=_component(metadata="  tags:\n    - python\n    - web\n"),
    group=GROUP,
)
def metadata_tags(ctx: EntityContext) -> Iterator[Finding]:
    entry = _metadata_entry(ctx, "tags")
    if entry is None or resolved_unknown(entry.value):
        return
    if not isinstance(entry.value, Sequence):
        yield not_a(ctx, "metadata.tags", entry, "a list of strings")
        return
    fixer = _lower_fix(tag_problem, safe=True)
    for index, item in enumerate(entry.value.items):
        yield from string_value(
            ctx, f"metadata.tags.{index}", Entry.of(item, item), TAG_EXPECTED, tag_problem, fixer
        )


def _key_findings(ctx: EntityContext, field: str, mapping: Mapping) -> Iterator[Finding]:
    for entry in mapping.entries:
        key = entry.key
        text = entry.key_text
        if text is None:
            yield ctx.finding(key.span, f'"{field}" keys must be strings; expected {KEY_EXPECTED}')
            continue
        reason = key_problem(text)
        if reason is None:
            continue
        fixes: list[Fix] = []
        prefix, slash, rest = text.rpartition("/")
        lowered = f"{prefix.lower()}{slash}{rest}"
        fixable = (
            slash and lowered != text and key_problem(lowered) is None and mapping.entry(lowered) is None
        )
        if fixable and isinstance(key, Scalar):
            title = f'Lower-case the prefix: "{lowered}"'
            fixes.append(replace_fix(title, key.span, render_like(lowered, key), safe=False))
        yield ctx.finding(
            key.span,
            f'"{field}" key {found_text(key)} is not valid; expected {KEY_EXPECTED} ({reason})',
            *fixes,
        )


@rule(
    ANNOTATION,
    "annotation-key",
    "error",
    "An annotation key or value Backstage rejects",
    explanation="""
`metadata.annotations` maps keys to string values. A key is an optional prefix that is a DNS subdomain
(`backstage.io`, `github.com`: lower-case) followed by `/`, then a name of letters and digits separated by
`-`, `_` or `.`, at most 63 characters. Every value must be a string: with YAML 1.2, `8080`, `1.10`,
`true` and an empty value are not strings, and Backstage rejects the entity. Quote them.
""",
    bad=_component(
        metadata="  annotations:\n    Backstage.io/techdocs-ref: dir:.\n    example.com/port: 8080\n"
    ),
    good=_component(
        metadata='  annotations:\n    backstage.io/techdocs-ref: dir:.\n    example.com/port: "8080"\n'
    ),
    group=GROUP,
)
def annotation(ctx: EntityContext) -> Iterator[Finding]:
    entry = _metadata_entry(ctx, "annotations")
    if entry is None or resolved_unknown(entry.value) or falsy(entry.value):
        return  # the catalog reads a null, "", false or 0 annotations as none (annotations || {})
    if not isinstance(entry.value, Mapping):
        yield not_a(ctx, "metadata.annotations", entry, "a mapping of string keys to string values")
        return
    yield from _key_findings(ctx, "metadata.annotations", entry.value)
    for item in entry.value.entries:
        field = f"metadata.annotations.{item.key_text}"
        yield from string_value(ctx, field, item, "a string", lambda _value: None)


@rule(
    LABEL,
    "label",
    "error",
    "A label key or value Backstage rejects",
    explanation="""
`metadata.labels` holds identifying key/value pairs. Keys follow the annotation key rule (an optional
DNS-subdomain prefix and `/`, then a name). Values must be strings that are empty or follow the
`metadata.name` rule: letters and digits separated by `-`, `_` or `.`, at most 63 characters, so no
spaces. A number or boolean value must be quoted.
""",
    bad=_component(metadata="  labels:\n    tier: front end\n    example.com/replicas: 3\n"),
    good=_component(metadata='  labels:\n    tier: frontend\n    example.com/replicas: "3"\n'),
    group=GROUP,
)
def label(ctx: EntityContext) -> Iterator[Finding]:
    entry = _metadata_entry(ctx, "labels")
    if entry is None or resolved_unknown(entry.value):
        return
    if not isinstance(entry.value, Mapping):
        yield not_a(ctx, "metadata.labels", entry, "a mapping of string keys to string values")
        return
    yield from _key_findings(ctx, "metadata.labels", entry.value)
    for item in entry.value.entries:
        field = f"metadata.labels.{item.key_text}"
        yield from string_value(ctx, field, item, LABEL_VALUE_EXPECTED, label_value_problem)


def _root_key_hint(key: str) -> str:
    if key in CATALOG_ROOT_KEYS:
        return f'; the catalog writes "{key}" itself, and refuses it in a catalog file'
    if key in METADATA_KEYS:
        return f'; "{key}" belongs under "metadata"'
    if key in _SPEC_HINT_KEYS:
        return f'; "{key}" belongs under "spec"'
    return ""


@rule(
    UNKNOWN_ROOT_KEY,
    "unknown-root-key",
    "error",
    "A root key Backstage does not allow",
    explanation="""
An entity's root holds only `apiVersion`, `kind`, `metadata` and `spec`. Backstage rejects an entity
with any other root key, including a known key with the wrong case (`Spec`), and `relations` and
`status`, which the catalog writes itself. Fields such as `description` or `owner` belong under
`metadata` or `spec`.
""",
    bad=_component() + "description: Python service\n",
    good=_component(metadata="  description: Python service\n"),
    group=GROUP,
)
def unknown_root_key(ctx: EntityContext) -> Iterator[Finding]:
    root = ctx.entity.root
    allowed = {key.lower(): key for key in ROOT_KEYS}
    for entry in root.entries:
        key = entry.key_text
        if key in ROOT_KEYS:
            continue
        if key is None or not isinstance(entry.key, Scalar):
            yield ctx.finding(
                entry.key.span, f"root keys must be strings; expected one of {', '.join(ROOT_KEYS)}"
            )
            continue
        guesses = [
            allowed[g] for g in difflib.get_close_matches(key.lower(), list(allowed), n=3, cutoff=0.75)
        ]
        free = [g for g in guesses if root.entry(g) is None]
        fixes = [
            replace_fix(
                f'Rename to "{guess}"',
                entry.key.span,
                render_like(guess, entry.key),
                safe=len(guesses) == 1 and guess.lower() == key.lower(),
            )
            for guess in free
        ]
        mean = " or ".join(f'"{g}"' for g in guesses)
        hint = f"; did you mean {mean}?" if guesses else _root_key_hint(key)
        yield ctx.finding(
            entry.key.span,
            f"unknown root key {json.dumps(key, ensure_ascii=False)}: an entity has only "
            f"{', '.join(ROOT_KEYS)}{hint}",
            *fixes,
        )


@rule(
    METADATA_LINKS,
    "metadata-links",
    "error",
    "`metadata.links` is not a list of links with valid URLs",
    explanation="""
`metadata.links` is a list of mappings, each with a `url` that is an absolute URL (with a scheme such as
`https://`) and optionally a `title` (non-empty), an `icon` (a name such as `dashboard`, with the
`metadata.name` rule) and a `type` (non-empty). Backstage rejects the entity otherwise.
""",
    bad=_component(
        metadata="  links:\n    - url: grafana.example.com/d/python-project\n      title: Dashboard\n"
    ),
    good=_component(
        metadata="  links:\n    - url: https://grafana.example.com/d/python-project\n      title: Dashboard\n"
        "      icon: dashboard\n"
    ),
    group=GROUP,
)
def metadata_links(ctx: EntityContext) -> Iterator[Finding]:
    entry = _metadata_entry(ctx, "links")
    if entry is None:
        return
    if not isinstance(entry.value, Sequence):
        yield not_a(ctx, "metadata.links", entry, 'a list of mappings with a "url"')
        return
    optional: dict[str, tuple[str, Callable[[str], str | None]]] = {
        "title": (NON_EMPTY_EXPECTED, non_empty_problem),
        "icon": (NAME_EXPECTED, name_problem),
        "type": (NON_EMPTY_EXPECTED, non_empty_problem),
    }
    for index, item in enumerate(entry.value.items):
        field = f"metadata.links.{index}"
        if not isinstance(item, Mapping):
            yield not_a(ctx, field, Entry.of(item, item), 'a mapping with a "url"')
            continue
        url = item.entry("url")
        if url is None:
            yield missing_field(ctx, item_span(item), f"{field}.url", URL_EXPECTED)
        else:
            yield from string_value(ctx, f"{field}.url", url, URL_EXPECTED, url_problem)
        for key, (expected, problem) in optional.items():
            found = item.entry(key)
            if found is not None:
                yield from string_value(ctx, f"{field}.{key}", found, expected, problem)


# EntityMeta's other string fields: (expected, problem)
_METADATA_FIELDS: dict[str, tuple[str, Callable[[str], str | None]]] = {
    "title": ("a non-empty string, the name to display", min_length_problem),
    "description": ("a string", lambda _value: None),
    "uid": ("a non-empty string (the catalog sets it: leave it out)", min_length_problem),
    "etag": ("a non-empty string (the catalog sets it: leave it out)", min_length_problem),
}


@rule(
    METADATA_FIELD,
    "metadata-field",
    "error",
    "`metadata.title`, `description`, `uid` or `etag` is not a string",
    explanation="""
Backstage's entity schema types the other fields of `metadata`: `title` is a non-empty string, the name to
display; `description` is a string (it may be empty); `uid` and `etag` are non-empty strings that the
catalog itself sets, so a catalog file has no reason to write them. A number, a list or a mapping makes the
catalog refuse the entity; a placeholder such as `description: {$text: ./README.md}` is read as what it
resolves to.
""",
    bad=_component(metadata="  title: 2024\n  description:\n"),
    good=_component(metadata='  title: "2024"\n  description: The 2024 edition\n'),
    group=GROUP,
)
def metadata_field(ctx: EntityContext) -> Iterable[Finding]:
    metadata = ctx.entity.metadata
    if metadata is None:
        return ()
    findings: list[Finding] = []
    for entry in metadata.entries:
        known = _METADATA_FIELDS.get(entry.key_text or "")
        if known is not None:
            expected, problem = known
            findings.extend(string_value(ctx, f"metadata.{entry.key_text}", entry, expected, problem))
    return findings


@rule(
    PLACEHOLDER_VALUE,
    "placeholder-value",
    "error",
    "A placeholder whose value is not a path or URL",
    explanation="""
Backstage replaces a mapping whose only key is `$text`, `$json`, `$yaml` (or, with the catalog's OpenAPI
module, `$openapi` and `$asyncapi`) with what the file or URL it names holds. The value must be a string,
a path relative to the catalog file or an absolute URL: anything else makes the catalog refuse the entity
("expected a string value parameter"). A mapping with other keys beside a `$` key, or with a `$` key no
resolver knows (`$ref` in a JSON Schema), is left as written.
""",
    bad=_component(metadata="  description:\n    $text:\n      - ./README.md\n"),
    good=_component(metadata="  description:\n    $text: ./README.md\n"),
    group=GROUP,
)
def placeholder_value(ctx: EntityContext) -> Iterable[Finding]:
    if "$" not in ctx.source:
        return ()  # no placeholder key can be written without it: most documents stop here
    return _placeholder_values(ctx, ctx.entity.root, ())


def _placeholder_values(ctx: EntityContext, node: Node, path: tuple[str, ...]) -> Iterator[Finding]:
    """Walk the entity as the placeholder processor does: into mappings without a ``$`` key and into
    lists; a mapping with a ``$`` key is replaced (one known key) or left alone, not walked into."""
    if isinstance(node, Sequence):
        for index, item in enumerate(node.items):
            yield from _placeholder_values(ctx, item, (*path, str(index)))
        return
    if not isinstance(node, Mapping):
        return
    keys = [entry.key_text or "" for entry in node.entries]
    if not any(key.startswith("$") for key in keys):
        for entry in node.entries:
            yield from _placeholder_values(ctx, entry.value, (*path, entry.key_text or "?"))
        return
    key = placeholder_key(node)
    value = node.entries[0].value if key is not None else None
    if key is None or value is None or (isinstance(value, Scalar) and is_string(value)):
        return
    where = ".".join(path) or "the entity"
    yield ctx.finding(
        value_span(node.entries[0]),
        f'the {key} placeholder in "{where}" needs a string, the path or URL to read; found {found_text(value)}',
    )
