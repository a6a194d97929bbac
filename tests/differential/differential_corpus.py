"""The corpus of the differential test: catalog files the project keeps, and generated variants.

Everything here is deterministic (no randomness): the same code gives the same cases in the same
order. A case is one catalog file (its text), with the files its placeholders and Location targets
read (``files``, paths relative to the case file) and its path in the emulated repository.

- ``repository_cases``: every catalog file under ``examples/`` and ``tests/`` (not the project
  settings files ``.coder-catalog.yaml``, not this folder), and every rule's Bad and Good example;
- ``generated_cases``: from a valid entity of each built-in kind, with ``backstage.io/v1alpha1`` and
  ``backstage.io/v1beta1``: each field removed, each field given each wrong type, names, namespaces,
  tags, labels and annotation keys at and past their limits, non-ASCII and upper case, references that
  do and do not parse, empty and non-mapping documents, placeholders, BOM and CRLF files, several
  documents per file, unknown and plugin kinds, wrong apiVersions, YAML's own corners.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from coder_catalog.analysis.rules import REGISTRY

REPOSITORY = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    files: dict[str, str] = field(default_factory=dict)
    path: str = "catalog-info.yaml"

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "files": self.files, "path": self.path}


# -- a small YAML emitter: block style, every scalar written so that YAML 1.1 and 1.2 agree -----------

_PLAIN = re.compile(r"[A-Za-z/][A-Za-z0-9_./@+-]*(?:[ :][A-Za-z0-9_./@+-]+)*")
_SPECIAL = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    text = str(value)
    if (
        _PLAIN.fullmatch(text)
        and text.lower() not in _SPECIAL
        and ": " not in text
        and not text.endswith(":")
    ):
        return text
    return json.dumps(text, ensure_ascii=False)


def _literal_ok(text: str) -> bool:
    lines = text.split("\n")
    return (
        "\n" in text
        and all(line.isprintable() for line in lines)
        and not lines[0].startswith((" ", "\t"))
        and not text.startswith("\n")
        and not text.rstrip("\n").endswith(" ")
        and not text.endswith("\n\n")
    )


def dump(value: Any, indent: int = 0) -> str:
    """``value`` as a YAML block (ends with a newline); a scalar gives one line."""
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return pad + "{}\n"
        out = []
        for key, item in value.items():
            out.append(f"{pad}{_scalar(key)}:{_after_key(item, indent)}")
        return "".join(out)
    if isinstance(value, list):
        if not value:
            return pad + "[]\n"
        out = []
        for item in value:
            if isinstance(item, dict) and item:
                block = dump(item, indent + 2)
                out.append(f"{pad}- {block[indent + 2 :]}")
            elif isinstance(item, list) and item:
                out.append(f"{pad}-\n{dump(item, indent + 2)}")
            else:
                out.append(f"{pad}- {dump(item).strip()}\n")
        return "".join(out)
    if isinstance(value, str) and _literal_ok(value):
        chomp = "" if value.endswith("\n") else "-"
        body = "".join(f"{pad}  {line}\n" for line in value.rstrip("\n").split("\n"))
        return f"|{chomp}\n{body}"
    return pad + _scalar(value) + "\n"


def _after_key(item: Any, indent: int) -> str:
    if isinstance(item, dict) and item:
        return "\n" + dump(item, indent + 2)
    if isinstance(item, list) and item:
        return "\n" + dump(item, indent + 2)
    if isinstance(item, str) and _literal_ok(item):
        return " " + dump(item, indent)
    return " " + dump(item).strip() + "\n"


# -- the valid entities ------------------------------------------------------------------------------

API_DEFINITION = 'openapi: "3.0.0"\ninfo:\n  title: Petstore\n  version: 1.0.0\npaths: {}\n'


def _metadata(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "namespace": "default",
        "title": "Petstore",
        "description": "Sells pets.",
        "labels": {"tier": "backend", "example.com/team": "team-a"},
        "annotations": {"backstage.io/techdocs-ref": "dir:.", "github.com/project-slug": "acme/petstore"},
        "tags": ["java", "web"],
        "links": [{"url": "https://example.com/docs", "title": "Docs", "icon": "docs", "type": "website"}],
    }


SPECS: dict[str, dict[str, Any]] = {
    "Component": {
        "type": "service",
        "lifecycle": "production",
        "owner": "team-a",
        "system": "payments",
        "subcomponentOf": "shop",
        "providesApis": ["petstore-api"],
        "consumesApis": ["api:default/auth-api"],
        "dependsOn": ["resource:default/petstore-db"],
    },
    "API": {
        "type": "openapi",
        "lifecycle": "production",
        "owner": "group:default/team-a",
        "system": "payments",
        "definition": API_DEFINITION,
    },
    "Resource": {
        "type": "database",
        "owner": "team-a",
        "system": "payments",
        "dependsOn": ["resource:default/disk"],
        "dependencyOf": ["component:default/petstore"],
    },
    "System": {"owner": "team-a", "domain": "commerce", "type": "product"},
    "Domain": {"owner": "team-a", "subdomainOf": "business", "type": "product-area"},
    "Group": {
        "type": "team",
        "profile": {
            "displayName": "Team A",
            "email": "team-a@example.com",
            "picture": "https://example.com/a.png",
        },
        "parent": "engineering",
        "children": ["team-a-backend"],
        "members": ["jane"],
    },
    "User": {
        "profile": {
            "displayName": "Jane Doe",
            "email": "jane@example.com",
            "picture": "https://example.com/j.png",
        },
        "memberOf": ["team-a"],
    },
    "Location": {
        "type": "url",
        "target": "./components.yaml",
        "targets": ["./more/apis.yaml"],
        "presence": "required",
    },
}
KINDS = list(SPECS)
API_VERSIONS = ["backstage.io/v1alpha1", "backstage.io/v1beta1"]

COMPONENT_FILE = dump(
    {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": {"name": "target-component"},
        "spec": {"type": "service", "lifecycle": "production", "owner": "team-a"},
    }
)
LOCATION_FILES = {
    "components.yaml": COMPONENT_FILE,
    "more/apis.yaml": COMPONENT_FILE.replace("target-component", "target-api"),
}


def entity(kind: str, api_version: str = "backstage.io/v1alpha1") -> dict[str, Any]:
    return {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": _metadata(f"petstore-{kind.lower()}"),
        "spec": json.loads(json.dumps(SPECS[kind])),
    }


def files_for(kind: str) -> dict[str, str]:
    return dict(LOCATION_FILES) if kind == "Location" else {}


# -- paths into an entity ----------------------------------------------------------------------------

Path_ = tuple[str | int, ...]


def paths(value: Any, prefix: Path_ = ()) -> Iterator[Path_]:
    """Every key and list item under ``value``, parents first."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for number, item in enumerate(value):
            yield (*prefix, number)
            yield from paths(item, (*prefix, number))


def path_text(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def get(value: Any, path: Path_) -> Any:
    for part in path:
        value = value[part]
    return value


def changed(value: Any, path: Path_, new: Any = ..., *, remove: bool = False) -> Any:
    """A deep copy of ``value`` with ``path`` set to ``new`` (or removed)."""
    copy = json.loads(json.dumps(value))
    parent = get(copy, path[:-1])
    if remove:
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return copy


WRONG_TYPES: dict[str, Any] = {
    "number": 42,
    "bool": True,
    "null": None,
    "list": ["x"],
    "mapping": {"a": "b"},
    "empty-string": "",
}


def _same_type(current: Any, new: Any) -> bool:
    if isinstance(current, bool) or isinstance(new, bool):
        return isinstance(current, bool) and isinstance(new, bool)
    if current is None or new is None:
        return current is new
    for kind in (dict, list, str, int | float):
        if isinstance(current, kind) and isinstance(new, kind):
            return not (kind is str and (current == "") != (new == ""))
    return False


# -- the generated cases -----------------------------------------------------------------------------


def _case(case_id: str, value: Any, files: dict[str, str] | None = None) -> Case:
    return Case(case_id, dump(value), dict(files or {}))


def kind_variants() -> Iterator[Case]:
    """Each built-in kind, each apiVersion: valid, each field removed, each field of each wrong type."""
    for kind in KINDS:
        files = files_for(kind)
        for api_version in API_VERSIONS:
            version = api_version.rsplit("/", 1)[1]
            base = entity(kind, api_version)
            prefix = f"{kind}/{version}"
            yield _case(f"{prefix}/valid", base, files)
            for path in paths(base):
                where = path_text(path)
                yield _case(f"{prefix}/remove/{where}", changed(base, path, remove=True), files)
                current = get(base, path)
                for type_name, wrong in WRONG_TYPES.items():
                    if _same_type(current, wrong):
                        continue
                    yield _case(f"{prefix}/type/{where}={type_name}", changed(base, path, wrong), files)


NAMES = {
    "63": "a" * 63,
    "64": "a" * 64,
    "one-char": "a",
    "separators": "a-b_c.d",
    "double-separator": "a--b",
    "leading-dash": "-ab",
    "trailing-dash": "ab-",
    "trailing-dot": "ab.",
    "leading-underscore": "_ab",
    "space": "my service",
    "upper": "MyService",
    "digits": "123",
    "non-ascii": "café",
    "cjk": "名前",
    "emoji": "pet-🐶",
    "slash": "a/b",
    "colon": "a:b",
    "tab": "a\tb",
}
NAMESPACES = {
    "63": "n" * 63,
    "64": "n" * 64,
    "dashes": "team-a--b",
    "upper": "Default",
    "underscore": "a_b",
    "dot": "a.b",
    "leading-dash": "-a",
    "trailing-dash": "a-",
    "digits": "123",
    "non-ascii": "équipe",
}
TAGS = {
    "63": "t" * 63,
    "64": "t" * 64,
    "colon": "lang:java",
    "plus": "c++",
    "hash": "c#",
    "dash": "a-b",
    "double-dash": "a--b",
    "trailing-dash": "a-",
    "upper": "Java",
    "space": "a b",
    "underscore": "a_b",
    "dot": "a.b",
    "non-ascii": "café",
    "empty": "",
}
_PREFIX_253 = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 61])
KEYS = {
    "plain": "tier",
    "prefixed": "example.com/tier",
    "name-63": "k" * 63,
    "name-64": "k" * 64,
    "prefix-253": f"{_PREFIX_253}/tier",
    "prefix-254": f"{_PREFIX_253}x/tier",
    "prefix-label-63": f"{'p' * 63}.com/tier",
    "prefix-label-64": f"{'p' * 64}.com/tier",
    "prefix-upper": "Example.com/tier",
    "prefix-underscore": "ex_ample.com/tier",
    "two-slashes": "a/b/c",
    "leading-slash": "/tier",
    "trailing-slash": "example.com/",
    "space": "my key",
    "non-ascii": "clé",
    "upper-name": "example.com/Tier",
    "dotted-name": "example.com/a.b",
    "empty-prefix-label": "example..com/tier",
}
LABEL_VALUES = {
    "empty": "",
    "63": "v" * 63,
    "64": "v" * 64,
    "space": "a b",
    "upper": "Prod",
    "separators": "a.b_c-d",
    "leading-dash": "-a",
    "non-ascii": "prod-é",
    "number": 5,
    "bool": False,
    "null": None,
}
ANNOTATION_VALUES = {
    "empty": "",
    "long": "v" * 5000,
    "multi-line": "line one\nline two\n",
    "non-ascii": "ünïcödé ✓",
    "number": 5,
    "bool": True,
    "null": None,
    "list": ["a"],
    "mapping": {"a": "b"},
}


def field_variants() -> Iterator[Case]:
    """Names, namespaces, tags, labels and annotations at and past their limits (on every kind)."""
    for kind in KINDS:
        base = entity(kind)
        files = files_for(kind)
        prefix = f"{kind}/v1alpha1"
        for label, name in NAMES.items():
            yield _case(f"{prefix}/name/{label}", changed(base, ("metadata", "name"), name), files)
        if kind != "Component":
            continue
        for label, namespace in NAMESPACES.items():
            yield _case(
                f"{prefix}/namespace/{label}", changed(base, ("metadata", "namespace"), namespace), files
            )
        for label, tag in TAGS.items():
            yield _case(f"{prefix}/tag/{label}", changed(base, ("metadata", "tags"), ["java", tag]), files)
        for label, key in KEYS.items():
            yield _case(
                f"{prefix}/label-key/{label}", changed(base, ("metadata", "labels"), {key: "x"}), files
            )
            yield _case(
                f"{prefix}/annotation-key/{label}",
                changed(base, ("metadata", "annotations"), {key: "x"}),
                files,
            )
        for label, value in LABEL_VALUES.items():
            yield _case(
                f"{prefix}/label-value/{label}", changed(base, ("metadata", "labels"), {"tier": value}), files
            )
        for label, value in ANNOTATION_VALUES.items():
            yield _case(
                f"{prefix}/annotation-value/{label}",
                changed(base, ("metadata", "annotations"), {"example.com/a": value}),
                files,
            )
        for label, value in {
            "null": None,
            "false": False,
            "zero": 0,
            "empty-string": "",
            "string": "x",
            "number": 5,
            "empty-list": [],
            "empty-mapping": {},
        }.items():
            yield _case(
                f"{prefix}/annotations-is/{label}", changed(base, ("metadata", "annotations"), value), files
            )
            yield _case(f"{prefix}/labels-is/{label}", changed(base, ("metadata", "labels"), value), files)
            yield _case(f"{prefix}/tags-is/{label}", changed(base, ("metadata", "tags"), value), files)
            yield _case(f"{prefix}/links-is/{label}", changed(base, ("metadata", "links"), value), files)
        for label, link in {
            "no-url": {"title": "Docs"},
            "bad-url": {"url": "not a url"},
            "no-scheme": {"url": "example.com/docs"},
            "mailto": {"url": "mailto:team@example.com"},
            "relative": {"url": "/docs"},
            "blank-title": {"url": "https://example.com", "title": "   "},
            "empty-title": {"url": "https://example.com", "title": ""},
            "blank-icon": {"url": "https://example.com", "icon": " "},
            "type-number": {"url": "https://example.com", "type": 5},
            "type-empty": {"url": "https://example.com", "type": ""},
            "extra-key": {"url": "https://example.com", "color": "red"},
            "non-ascii-url": {"url": "https://例え.jp/ドキュメント"},
            "scalar": "https://example.com",
        }.items():
            yield _case(f"{prefix}/link/{label}", changed(base, ("metadata", "links"), [link]), files)
        for key, value in {
            "uid": "",
            "etag": "",
            "title": "",
            "description": "",
            "extra": {"any": ["thing"]},
        }.items():
            yield _case(f"{prefix}/metadata-{key}/{value!r}", changed(base, ("metadata", key), value), files)
        yield _case(
            f"{prefix}/non-ascii/text", changed(base, ("metadata", "title"), "Boutique d'animaux — café ✓")
        )
        yield _case(f"{prefix}/non-ascii/owner", changed(base, ("spec", "owner"), "équipe-a"))
        yield _case(f"{prefix}/non-ascii/type", changed(base, ("spec", "type"), "sérvice"))


REFERENCES = {
    "kind-only": "group:",
    "kind-namespace-only": "group:default/",
    "no-kind": ":x",
    "three-colons": "a:b:c",
    "namespace-only": "default/",
    "leading-slash": "/x",
    "plain": "x",
    "namespaced": "default/x",
    "full": "user:default/jane",
    "upper": "Group:Default/Team-A",
    "space": "team a",
    "two-slashes": "a/b/c",
    "blank": " ",
}
REFERENCE_FIELDS: dict[str, list[str]] = {
    "Component": [
        "owner",
        "system",
        "subcomponentOf",
        "providesApis",
        "consumesApis",
        "dependsOn",
        "dependencyOf",
    ],
    "API": ["owner", "system"],
    "Resource": ["owner", "system", "dependsOn", "dependencyOf"],
    "System": ["owner", "domain"],
    "Domain": ["owner", "subdomainOf"],
    "Group": ["parent", "children", "members"],
    "User": ["memberOf"],
}
LIST_REFERENCES = {
    "providesApis",
    "consumesApis",
    "dependsOn",
    "dependencyOf",
    "children",
    "members",
    "memberOf",
}


def reference_variants() -> Iterator[Case]:
    for kind, fields in REFERENCE_FIELDS.items():
        base = entity(kind)
        for field_name in fields:
            for label, reference in REFERENCES.items():
                value: Any = [reference] if field_name in LIST_REFERENCES else reference
                yield _case(
                    f"{kind}/v1alpha1/reference/{field_name}/{label}",
                    changed(base, ("spec", field_name), value),
                )
            if field_name in LIST_REFERENCES:
                yield _case(
                    f"{kind}/v1alpha1/reference/{field_name}/scalar-not-list",
                    changed(base, ("spec", field_name), "component:default/x"),
                )
                yield _case(
                    f"{kind}/v1alpha1/reference/{field_name}/empty-list",
                    changed(base, ("spec", field_name), []),
                )
                yield _case(
                    f"{kind}/v1alpha1/reference/{field_name}/mapping-item",
                    changed(base, ("spec", field_name), [{"kind": "Group", "name": "x"}]),
                )
    # dependencyOf is not in the Component schema, but the processor parses it
    component = entity("Component")
    for label, value in {"number": 5, "mapping": {"kind": "Component", "name": "x"}, "bad": "group:"}.items():
        yield _case(
            f"Component/v1alpha1/reference/dependencyOf-scalar/{label}",
            changed(component, ("spec", "dependencyOf"), value),
        )


# -- documents that are not one plain entity ---------------------------------------------------------

VALID = dump(entity("Component"))
SHORT = (
    "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n"
    "spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
)


def short(name: str = "petstore", **spec: str) -> str:
    text = SHORT.format(name=name)
    for key, value in spec.items():
        text = re.sub(rf"(?m)^  {key}: .*$", f"  {key}: {value}", text)
    return text


def document_variants() -> Iterator[Case]:
    raw = {
        "empty-file": "",
        "only-newline": "\n",
        "only-comment": "# nothing here\n",
        "only-dashes": "---\n",
        "dashes-comment": "---\n# only a comment\n",
        "two-dashes-in-a-row": "---\n---\n",
        "trailing-dashes": short() + "---\n",
        "trailing-dashes-comment": short() + "---\n# the end\n",
        "dashes-between": short("a") + "---\n---\n" + short("b"),
        "leading-dashes": "---\n" + short(),
        "comment-then-dashes": "# catalog\n---\n" + short(),
        "dots-end": short() + "...\n",
        "dots-then-comment": short() + "...\n# trailing\n",
        "dots-then-document": short("a") + "...\n" + short("b"),
        "dots-comment-dashes": short("a") + "...\n# next\n---\n" + short("b"),
        "directive": "%YAML 1.2\n---\n" + short(),
        "null-document": "null\n",
        "tilde-document": "~\n",
        "scalar": "hello\n",
        "number": "42\n",
        "bool": "true\n",
        "quoted-empty": "''\n",
        "list": "- a\n- b\n",
        "list-of-entity": "- " + short().replace("\n", "\n  ").rstrip() + "\n",
        "empty-mapping": "{}\n",
        "flow-entity": '{"apiVersion": "backstage.io/v1alpha1", "kind": "Component", "metadata": {"name": "x"},'
        ' "spec": {"type": "service", "lifecycle": "production", "owner": "team-a"}}\n',
        "no-final-newline": short().rstrip("\n"),
        "comment-after-dashes-line": "--- # the first entity\n" + short(),
        "dashes-with-content": "--- "
        + '{"apiVersion": "backstage.io/v1alpha1", "kind": "Component", "metadata": {"name": "x"}, '
        '"spec": {"type": "service", "lifecycle": "production", "owner": "team-a"}}\n',
        "tab-indent": short().replace("  name:", "\tname:"),
        "syntax-error": short().replace("name: petstore", "name: [petstore"),
        "syntax-error-then-valid": short().replace("name: petstore", "name: [petstore")
        + "---\n"
        + short("b"),
        "valid-then-syntax-error": short("a") + "---\n" + short().replace("owner: team-a", "owner: : :\n x"),
        "duplicate-key": short() + "  owner: team-b\n",
        "duplicate-root-key": short() + "kind: API\n",
        "duplicate-key-then-valid": short().replace("  owner: team-a\n", "  owner: team-a\n  owner: team-b\n")
        + "---\n"
        + short("b"),
        "alias-fine": short().replace("  owner: team-a", "  owner: &o team-a\n  x-owner: *o"),
        "alias-many": short() + "  x-list: &l [a, b, c]\n" + "".join(f"  x-{n}: *l\n" for n in range(101)),
        "merge-key-spec": short().replace("spec:\n", "  x-base: &base\n    tier: 1\nspec:\n  <<: *base\n"),
        "merge-key-root": "base: &b {kind: Component}\n<<: *b\n" + short().replace("kind: Component\n", ""),
        "merge-key-metadata": short().replace("metadata:\n", "metadata:\n  <<: {title: T}\n"),
        "deep-spec": short() + "  x-deep: " + "[" * 40 + "]" * 40 + "\n",
        "unicode-escape-name": short().replace("name: petstore", 'name: "pet\\u0073tore"'),
        "key-with-null-value-spec": short().replace("  owner: team-a", "  owner:"),
        "empty-metadata": short().replace("  name: petstore\n", "").replace("metadata:\n", "metadata:\n"),
        "complex-key": short() + "  ? [a, b]\n  : c\n",
        "anchor-on-document": "&doc\n" + short(),
        "tagged-str": short().replace("owner: team-a", "owner: !!str team-a"),
        "tagged-int-owner": short().replace("owner: team-a", "owner: !!int 5"),
        "custom-tag": short().replace("owner: team-a", "owner: !custom team-a"),
        "folded-owner": short().replace("owner: team-a", "owner: >\n    team-a"),
        "literal-owner": short().replace("owner: team-a", "owner: |\n    team-a"),
        "long-line": short().replace("type: service", "type: " + "s" * 10000),
        "nul-in-string": short().replace("type: service", 'type: "serv\\0ice"'),
        "control-char": short().replace("type: service", "type: serv\x07ice"),
    }
    for label, text in raw.items():
        yield Case(f"document/{label}", text)
    # YAML 1.1 / 1.2 scalars in a string field and in the name
    for label, literal in {
        "yes": "yes",
        "no": "no",
        "on": "on",
        "off": "off",
        "y": "y",
        "True": "True",
        "null": "null",
        "tilde": "~",
        "hex": "0x1F",
        "octal-old": "012",
        "octal-new": "0o12",
        "underscore-number": "1_000",
        "exponent": "1e3",
        "float": "1.5",
        "inf": ".inf",
        "nan": ".nan",
        "date": "2001-12-14",
        "timestamp": "2001-12-14t21:59:43.10-05:00",
        "sexagesimal": "1:20",
        "quoted-yes": "'yes'",
        "dash-string": "-x",
    }.items():
        yield Case(f"yaml-scalar/owner/{label}", short(owner=literal))
        yield Case(f"yaml-scalar/name/{label}", short(name=literal))


def placeholder_variants() -> Iterator[Case]:
    component = entity("Component")
    api = entity("API")
    files = {
        "README.md": "# Petstore\n\nSells pets.\n",
        "owner.txt": "team-a",
        "bad-owner.txt": "group:",
        "owner-with-newline.txt": "team-a\n",
        "openapi.yaml": API_DEFINITION,
        "openapi.json": json.dumps({"openapi": "3.0.0", "info": {"title": "Petstore", "version": "1"}}),
        "spec.yaml": dump({"type": "service", "lifecycle": "production", "owner": "team-a"}),
        "spec.json": json.dumps({"type": "service", "lifecycle": "production", "owner": "team-a"}),
        "bad-spec.yaml": dump({"type": "service", "lifecycle": "production"}),
        "two-documents.yaml": "a: 1\n---\nb: 2\n",
        "empty.yaml": "",
        "comment.yaml": "# nothing\n",
        "broken.yaml": "a: [1\n",
        "broken.json": "{not json}",
        "bom.json": "\ufeff" + json.dumps({"a": 1}),
        "string.json": json.dumps("team-a"),
        "list.yaml": "- java\n- web\n",
        "labels.yaml": "tier: backend\n",
        "bad-labels.yaml": "tier: not valid\n",
        "scalar-openapi.yaml": "just text\n",
        "docs/sub/notes.txt": "notes",
    }

    def at(value: Any, path: Path_, placeholder: Any) -> Any:
        return changed(value, path, placeholder)

    cases: dict[str, tuple[dict[str, Any], Path_, Any]] = {
        "text-description": (component, ("metadata", "description"), {"$text": "./README.md"}),
        "text-owner": (component, ("spec", "owner"), {"$text": "./owner.txt"}),
        "text-owner-newline": (component, ("spec", "owner"), {"$text": "./owner-with-newline.txt"}),
        "text-owner-bad-reference": (component, ("spec", "owner"), {"$text": "./bad-owner.txt"}),
        "text-missing-file": (component, ("metadata", "description"), {"$text": "./missing.md"}),
        "text-number-value": (component, ("metadata", "description"), {"$text": 5}),
        "text-list-value": (component, ("spec", "x-doc"), {"$text": ["./README.md"]}),
        "text-null-value": (component, ("spec", "x-doc"), {"$text": None}),
        "text-empty-path": (component, ("spec", "x-doc"), {"$text": ""}),
        "text-absolute-path": (component, ("metadata", "description"), {"$text": "/README.md"}),
        "text-parent-path": (component, ("metadata", "description"), {"$text": "../README.md"}),
        "text-nested-path": (component, ("metadata", "description"), {"$text": "docs/sub/notes.txt"}),
        "text-other-host": (component, ("metadata", "description"), {"$text": "https://example.com/x.txt"}),
        "text-in-name": (component, ("metadata", "name"), {"$text": "./owner.txt"}),
        "text-in-kind": (component, ("kind",), {"$text": "./owner.txt"}),
        "text-in-label-value": (component, ("metadata", "labels", "tier"), {"$text": "./owner.txt"}),
        "text-in-annotation": (
            component,
            ("metadata", "annotations", "example.com/doc"),
            {"$text": "./README.md"},
        ),
        "text-in-tag": (component, ("metadata", "tags", 0), {"$text": "./owner.txt"}),
        "text-in-list-item": (component, ("spec", "dependsOn", 0), {"$text": "./bad-owner.txt"}),
        "text-in-type": (component, ("spec", "type"), {"$text": "./README.md"}),
        "json-spec": (component, ("spec",), {"$json": "./spec.json"}),
        "yaml-spec": (component, ("spec",), {"$yaml": "./spec.yaml"}),
        "yaml-spec-missing-owner": (component, ("spec",), {"$yaml": "./bad-spec.yaml"}),
        "yaml-tags": (component, ("metadata", "tags"), {"$yaml": "./list.yaml"}),
        "yaml-labels": (component, ("metadata", "labels"), {"$yaml": "./labels.yaml"}),
        "yaml-bad-labels": (component, ("metadata", "labels"), {"$yaml": "./bad-labels.yaml"}),
        "yaml-two-documents": (component, ("spec", "x-data"), {"$yaml": "./two-documents.yaml"}),
        "yaml-empty-file": (component, ("spec", "x-data"), {"$yaml": "./empty.yaml"}),
        "yaml-comment-file": (component, ("spec", "x-data"), {"$yaml": "./comment.yaml"}),
        "yaml-broken": (component, ("spec", "x-data"), {"$yaml": "./broken.yaml"}),
        "json-broken": (component, ("spec", "x-data"), {"$json": "./broken.json"}),
        "json-bom": (component, ("spec", "x-data"), {"$json": "./bom.json"}),
        "json-string-owner": (component, ("spec", "owner"), {"$json": "./string.json"}),
        "json-data-in-owner": (component, ("spec", "owner"), {"$json": "./spec.json"}),
        "api-text-definition": (api, ("spec", "definition"), {"$text": "./openapi.yaml"}),
        "api-openapi-definition": (api, ("spec", "definition"), {"$openapi": "./openapi.yaml"}),
        "api-openapi-json": (api, ("spec", "definition"), {"$openapi": "./openapi.json"}),
        "api-asyncapi-definition": (api, ("spec", "definition"), {"$asyncapi": "./openapi.yaml"}),
        "api-openapi-scalar-file": (api, ("spec", "definition"), {"$openapi": "./scalar-openapi.yaml"}),
        "api-openapi-missing": (api, ("spec", "definition"), {"$openapi": "./missing.yaml"}),
        "api-json-definition": (api, ("spec", "definition"), {"$json": "./openapi.json"}),
        "api-yaml-definition": (api, ("spec", "definition"), {"$yaml": "./openapi.yaml"}),
        "unknown-resolver": (component, ("spec", "x-data"), {"$ref": "#/definitions/x"}),
        "unknown-resolver-in-owner": (component, ("spec", "owner"), {"$ref": "./owner.txt"}),
        "two-keys": (component, ("spec", "x-data"), {"$text": "./README.md", "other": "x"}),
        "two-keys-in-owner": (component, ("spec", "owner"), {"$text": "./owner.txt", "other": "x"}),
        "dollar-key-among-others": (
            component,
            ("metadata", "description"),
            {"$text": "./README.md", "$json": "./x"},
        ),
        "upper-resolver": (component, ("spec", "x-data"), {"$TEXT": "./README.md"}),
        "nested-placeholder": (component, ("spec", "x-data"), {"outer": [{"$text": "./README.md"}]}),
        "nested-missing": (component, ("spec", "x-data"), {"outer": [{"$text": "./missing.txt"}]}),
    }
    for label, (value, path, placeholder) in cases.items():
        yield Case(f"placeholder/{label}", dump(at(value, path, placeholder)), files)


def encoding_variants() -> Iterator[Case]:
    two = VALID + "---\n" + dump(entity("API"))
    bad = short(owner='"group:"')
    yield Case("encoding/bom", "\ufeff" + VALID)
    yield Case("encoding/crlf", VALID.replace("\n", "\r\n"))
    yield Case("encoding/bom-crlf", "\ufeff" + VALID.replace("\n", "\r\n"))
    yield Case("encoding/crlf-two-documents", two.replace("\n", "\r\n"))
    yield Case("encoding/bom-two-documents", "\ufeff" + two)
    yield Case("encoding/crlf-bad-reference", bad.replace("\n", "\r\n"))
    yield Case("encoding/bom-bad-reference", "\ufeff" + bad)
    yield Case("encoding/crlf-trailing-dashes", (VALID + "---\n").replace("\n", "\r\n"))
    yield Case(
        "encoding/crlf-syntax-error", short().replace("name: petstore", "name: [x").replace("\n", "\r\n")
    )
    yield Case("encoding/bom-only", "\ufeff")
    yield Case("encoding/bom-comment", "\ufeff# nothing\n")
    yield Case("encoding/bom-then-dashes", "\ufeff---\n" + VALID)
    yield Case("encoding/crlf-literal-definition", dump(entity("API")).replace("\n", "\r\n"))
    yield Case("encoding/nbsp-in-name", short(name="pet\u00a0store"))
    yield Case("encoding/zero-width-in-name", short(name="pet\u200bstore"))
    yield Case("encoding/bom-inside", VALID + "---\n\ufeff" + short("b"))


def multi_document_variants() -> Iterator[Case]:
    every_kind = "".join("---\n" + dump(entity(kind)) for kind in KINDS)
    yield Case("multi/every-kind", every_kind, dict(LOCATION_FILES))
    yield Case(
        "multi/every-kind-v1beta1",
        "".join("---\n" + dump(entity(k, API_VERSIONS[1])) for k in KINDS),
        dict(LOCATION_FILES),
    )
    mixed = [
        short("first"),
        "",
        "# only a comment\n",
        short("second", owner='"group:"'),
        "hello\n",
        short("third").replace("kind: Component", "kind: Widget"),
        short("fourth").replace("name: fourth", "name: [fourth"),
        short("fifth"),
    ]
    yield Case("multi/mixed", "---\n".join(mixed))
    yield Case("multi/mixed-crlf", "---\n".join(mixed).replace("\n", "\r\n"))
    yield Case("multi/many", "".join("---\n" + short(f"service-{n}") for n in range(60)))
    yield Case("multi/same-name-twice", short() + "---\n" + short())
    yield Case("multi/comments-between", short("a") + "# about b\n\n---\n# b itself\n" + short("b"))


def kind_and_version_variants() -> Iterator[Case]:
    component = entity("Component")
    for label, api_version in {
        "v1": "backstage.io/v1",
        "v2": "backstage.io/v2",
        "v1beta2": "backstage.io/v1beta2",
        "no-prefix": "v1alpha1",
        "other-group": "example.com/v1alpha1",
        "empty-suffix": "backstage.io/",
        "two-slashes": "backstage.io/v1/alpha",
        "upper-prefix": "Backstage.io/v1alpha1",
        "trailing-space": "backstage.io/v1alpha1 ",
        "suffix-dash": "backstage.io/v1-alpha1",
        "suffix-64": "backstage.io/" + "v" * 64,
    }.items():
        for kind in KINDS:
            yield _case(
                f"api-version/{kind}/{label}",
                changed(entity(kind), ("apiVersion",), api_version),
                files_for(kind),
            )
    for label, kind in {
        "unknown": "Widget",
        "lower": "component",
        "upper": "COMPONENT",
        "space": "Comp onent",
        "digit-first": "1Component",
        "dash": "My-Kind",
        "64": "K" * 64,
        "63": "K" * 63,
        "non-ascii": "Compönent",
    }.items():
        yield _case(f"kind/{label}", changed(component, ("kind",), kind))
    foreign = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w"},
        "spec": {"anything": [1, 2, {"x": None}]},
    }
    yield _case("kind/foreign-valid", foreign)
    yield _case("kind/foreign-no-spec", changed(foreign, ("spec",), remove=True))
    yield _case("kind/foreign-spec-list", changed(foreign, ("spec",), ["x"]))
    yield _case("kind/foreign-spec-string", changed(foreign, ("spec",), "x"))
    yield _case("kind/foreign-bad-name", changed(foreign, ("metadata", "name"), "a b"))
    template = {
        "apiVersion": "scaffolder.backstage.io/v1beta3",
        "kind": "Template",
        "metadata": {"name": "react-app", "title": "React App"},
        "spec": {
            "owner": "team-a",
            "type": "website",
            "parameters": [{"title": "Name", "properties": {"name": {"type": "string"}}}],
            "steps": [{"id": "fetch", "action": "fetch:template", "input": {"url": "./skeleton"}}],
        },
    }
    yield _case("kind/template-v1beta3", template)
    yield _case("kind/template-bad-owner-reference", changed(template, ("spec", "owner"), "group:"))
    yield _case("kind/template-no-spec", changed(template, ("spec",), remove=True))
    yield _case("kind/template-backstage-io", changed(template, ("apiVersion",), "backstage.io/v1beta2"))
    ai = {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "AiResource",
        "metadata": {"name": "skill"},
        "spec": {"type": "skill", "lifecycle": "production", "owner": "team-a"},
    }
    yield _case("kind/ai-resource", ai)
    yield _case("kind/ai-resource-no-owner", changed(ai, ("spec", "owner"), remove=True))
    mcp = {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "API",
        "metadata": {"name": "mcp"},
        "spec": {
            "type": "mcp-server",
            "lifecycle": "production",
            "owner": "team-a",
            "remotes": [{"type": "streamable-http", "url": "https://mcp.example.com/mcp"}],
        },
    }
    yield _case("kind/api-mcp-server-without-definition", mcp)
    yield _case("kind/api-mcp-server-with-definition", changed(mcp, ("spec", "definition"), "see remotes"))
    yield _case("kind/api-mcp-server-no-remotes", changed(mcp, ("spec", "remotes"), remove=True))
    yield _case("kind/api-mcp-server-v1beta1", changed(mcp, ("apiVersion",), "backstage.io/v1beta1"))
    for root_key, value in {
        "status": {"items": []},
        "relations": [],
        "foo": "bar",
        "Spec": {},
        "metadata2": {},
    }.items():
        yield _case(f"root-key/{root_key}", {**component, root_key: value})
    yield _case("root-key/no-spec-component", changed(component, ("spec",), remove=True))
    yield _case(
        "root-key/spec-first",
        {"spec": component["spec"], **{k: v for k, v in component.items() if k != "spec"}},
    )
    group = entity("Group")
    yield _case("group/children-empty", changed(group, ("spec", "children"), []))
    yield _case("group/no-profile", changed(group, ("spec", "profile"), remove=True))
    yield _case("group/profile-extra", changed(group, ("spec", "profile", "extra"), 1))
    yield _case("user/member-of-empty", changed(entity("User"), ("spec", "memberOf"), []))
    yield _case("user/no-spec-fields", changed(entity("User"), ("spec",), {}))


def location_variants() -> Iterator[Case]:
    location = entity("Location")
    variants: dict[str, tuple[Any, dict[str, str]]] = {
        "no-targets": (
            changed(changed(location, ("spec", "target"), remove=True), ("spec", "targets"), remove=True),
            {},
        ),
        "missing-target": (location, {"components.yaml": COMPONENT_FILE}),
        "missing-target-optional": (
            changed(location, ("spec", "presence"), "optional"),
            {"components.yaml": COMPONENT_FILE},
        ),
        "type-file": (changed(location, ("spec", "type"), "file"), LOCATION_FILES),
        "type-other": (changed(location, ("spec", "type"), "github-discovery"), LOCATION_FILES),
        "no-type": (changed(location, ("spec", "type"), remove=True), LOCATION_FILES),
        "presence-bad": (changed(location, ("spec", "presence"), "sometimes"), LOCATION_FILES),
        "target-broken-yaml": (location, {**LOCATION_FILES, "components.yaml": "a: [1\n"}),
        "target-not-an-entity": (location, {**LOCATION_FILES, "components.yaml": "- a\n"}),
        "target-bad-envelope": (location, {**LOCATION_FILES, "components.yaml": "kind: Component\n"}),
        "target-bad-entity": (location, {**LOCATION_FILES, "components.yaml": short(owner='"group:"')}),
        "target-empty-file": (location, {**LOCATION_FILES, "components.yaml": ""}),
        "target-absolute-url": (
            changed(location, ("spec", "target"), "https://example.com/catalog-info.yaml"),
            LOCATION_FILES,
        ),
        "target-self": (changed(location, ("spec", "target"), "./catalog-info.yaml"), LOCATION_FILES),
        "targets-empty": (changed(location, ("spec", "targets"), []), LOCATION_FILES),
    }
    for label, (value, files) in variants.items():
        yield _case(f"location/{label}", value, files)


# -- the files a snippet or a repository file names ---------------------------------------------------

RESOLVERS = ("text", "json", "yaml", "openapi", "asyncapi")
# What a named file holds when a rule example names it: something its resolver reads without error.
SNIPPET_CONTENT = {
    "text": "text\n",
    "json": "{}",
    "yaml": "{}\n",
    "openapi": 'openapi: "3.0.0"\n',
    "asyncapi": 'asyncapi: "2.6.0"\n',
    "target": COMPONENT_FILE,
}


def named_paths(text: str) -> list[tuple[str, str]]:
    """(resolver or "target", relative path) of each placeholder and Location target in ``text``
    (read with PyYAML; a text PyYAML cannot read names nothing)."""
    try:
        documents = list(yaml.safe_load_all(text.removeprefix("\ufeff")))
    except (yaml.YAMLError, RecursionError, ValueError):
        return []
    found: list[tuple[str, str]] = []
    seen: set[int] = set()

    def walk(value: Any, depth: int) -> None:
        if depth > 64 or id(value) in seen:
            return
        seen.add(id(value))
        if isinstance(value, dict):
            if len(value) == 1:
                key, item = next(iter(value.items()))
                if (
                    isinstance(key, str)
                    and key[1:] in RESOLVERS
                    and key.startswith("$")
                    and isinstance(item, str)
                ):
                    found.append((key[1:], item))
            for item in value.values():
                walk(item, depth + 1)
        elif isinstance(value, list):
            for item in value:
                walk(item, depth + 1)

    for document in documents:
        walk(document, 0)
        if (
            isinstance(document, dict)
            and document.get("kind") == "Location"
            and isinstance(document.get("spec"), dict)
        ):
            spec = document["spec"]
            targets = [
                spec.get("target"),
                *(spec.get("targets") or [] if isinstance(spec.get("targets"), list) else []),
            ]
            found.extend(("target", t) for t in targets if isinstance(t, str))
    return [(kind, path) for kind, path in found if path and "://" not in path and not path.startswith("/")]


def snippet_files(text: str) -> dict[str, str]:
    """A rule example is a snippet: the files it names exist (a glob matches one file)."""
    files: dict[str, str] = {}
    for kind, path in named_paths(text):
        concrete = path.replace("**", "a").replace("*", "example").replace("?", "x")
        files[concrete] = SNIPPET_CONTENT[kind]
    return files


def repository_files(text: str, case_file: Path) -> dict[str, str]:
    """The files a repository catalog file names, read from the disk when they exist."""
    files: dict[str, str] = {}
    folder = case_file.parent
    for _, path in named_paths(text):
        matches = sorted(folder.glob(path)) if any(c in path for c in "*?[") else [folder / path]
        for match in matches:
            resolved = match.resolve()
            if resolved.is_file() and REPOSITORY in resolved.parents:
                files[os.path.relpath(resolved, folder).replace(os.sep, "/")] = resolved.read_text(
                    encoding="utf-8"
                )
    return files


def rule_example_cases() -> Iterator[Case]:
    for code in sorted(REGISTRY):
        rule = REGISTRY[code]
        for which, text in (("bad", rule.bad), ("good", rule.good)):
            if text.strip():
                yield Case(f"rule-example/{code}/{which}", text, snippet_files(text))


CATALOG_SUFFIXES = (".yaml", ".yml")


def repository_cases() -> Iterator[Case]:
    """The catalog files under examples/ and tests/ (not project settings files, not this folder)."""
    here = Path(__file__).resolve().parent
    found: list[Path] = []
    for top in ("examples", "tests"):
        for path in (REPOSITORY / top).rglob("*"):
            if path.suffix not in CATALOG_SUFFIXES or not path.is_file():
                continue
            if path.name == ".coder-catalog.yaml" or here in path.parents or "node_modules" in path.parts:
                continue
            found.append(path)
    for path in sorted(found):
        relative = path.relative_to(REPOSITORY).as_posix()
        text = path.read_bytes().decode("utf-8")
        yield Case(f"file/{relative}", text, repository_files(text, path), path=relative)
    yield from rule_example_cases()


def generated_cases() -> Iterator[Case]:
    yield from kind_variants()
    yield from field_variants()
    yield from reference_variants()
    yield from document_variants()
    yield from placeholder_variants()
    yield from encoding_variants()
    yield from multi_document_variants()
    yield from kind_and_version_variants()
    yield from location_variants()


def corpus() -> list[Case]:
    cases = [*repository_cases(), *generated_cases()]
    duplicates = sorted(i for i, n in Counter(case.id for case in cases).items() if n > 1)
    if duplicates:
        raise AssertionError(f"duplicate case ids: {duplicates[:5]}")
    return cases
