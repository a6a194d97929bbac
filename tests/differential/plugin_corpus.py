"""The corpus of the plugin differential test: entities with a ``spec.coder`` block and a
``backstage.io/source-location`` annotation, each under an app config (``CoderAppConfig``).

Everything here is deterministic: the same code gives the same cases in the same order. The YAML is
written by hand (not dumped) so that each case says exactly what a catalog author would write:
a key ``10`` or ``0x10`` unquoted is a YAML number, ``"10"`` a string.

Sections (the case id's first part):

- ``block``: ``coder`` absent, null (``coder:``, ``coder: ~``), a list, a string, a number...;
- ``template``: template names for the create link (spaces, ``/?#%+&``, ``!'()*~``, non-ASCII,
  whitespace only, empty) and ``templateName`` of other types;
- ``mode``: valid, wrong case, null, other types, with and without ``defaultMode``;
- ``params``: ``params`` of other shapes, values of other types, YAML 1.1 booleans;
- ``param-chars``: keys and values with URL-significant characters, newlines, quotes, non-ASCII;
- ``param-order``: integer-like keys (``"10"``, ``2``, ``0x10``, ``1.0``, ``-1``, ``007``...) mixed
  with string keys in various orders (JavaScript objects put integer-like keys first);
- ``param-proto``: ``__proto__``, ``constructor``, ``prototype``, ``hasOwnProperty``...;
- ``overlap``: app params overlapping catalog params, ``repoUrlParamKeys`` overlapping both;
- ``access``: ``deployment.accessUrl`` with and without a trailing slash, with a path;
- ``annotation``: the source location absent, of types ``url``, ``github``, ``file``, bare http(s),
  with spaces around its parts, empty parts, ``/tree/<branch>`` suffixes the plugin does and does not
  strip;
- ``combo``: a product of templates, modes, params, annotations and apps.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class App:
    """``CoderAppConfig``: ``deployment.accessUrl`` and ``workspaces``."""

    access_url: str = "https://coder.example.com"
    default_template_name: str | None = None
    default_mode: str | None = None
    # in the order the app's code writes them (None: no ``params`` at all)
    params: tuple[tuple[str, str], ...] | None = None
    repo_url_param_keys: tuple[str, ...] = ("repo_url",)

    def to_json(self) -> dict[str, Any]:
        workspaces: dict[str, Any] = {"repoUrlParamKeys": list(self.repo_url_param_keys)}
        if self.default_template_name is not None:
            workspaces["defaultTemplateName"] = self.default_template_name
        if self.default_mode is not None:
            workspaces["defaultMode"] = self.default_mode
        if self.params is not None:
            workspaces["params"] = [list(pair) for pair in self.params]
        return {"accessUrl": self.access_url, "workspaces": workspaces}


@dataclass(frozen=True)
class PluginCase:
    id: str
    text: str  # one catalog entity, a whole YAML document
    app: App

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "app": self.app.to_json()}


# -- the apps ------------------------------------------------------------------------------------------

BARE = App()
DEFAULTS = App(
    default_template_name="devcontainer",
    default_mode="auto",
    params=(("region", "eu-west"), ("size", "m")),
    repo_url_param_keys=("repo",),
)
APPS = {"bare": BARE, "defaults": DEFAULTS}

# -- writing an entity ---------------------------------------------------------------------------------

ABSENT = object()  # a key left out
REPOSITORY = "https://github.com/acme/r"
SOURCE = f"url:{REPOSITORY}/tree/main/"


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is YAML's)."""
    return json.dumps(text, ensure_ascii=False)


Params = Sequence[tuple[str, str]] | str


def coder_block(template: Any = ABSENT, mode: Any = ABSENT, params: Any = ABSENT) -> str:
    """``spec.coder`` as a block mapping. ``template`` and ``mode`` are YAML text (a scalar or a flow
    collection, "" for an empty value); ``params`` is a list of (key, value) YAML texts, or YAML text
    written after ``params:`` as is (start it with a newline for a block)."""
    lines = ["  coder:\n"]
    if template is not ABSENT:
        lines.append(f"    templateName:{' ' + template if template else ''}\n")
    if mode is not ABSENT:
        lines.append(f"    mode:{' ' + mode if mode else ''}\n")
    if isinstance(params, str):
        lines.append(f"    params:{params if params.startswith(chr(10)) or not params else ' ' + params}\n")
    elif params is not ABSENT:
        if not params:
            lines.append("    params: {}\n")
        else:
            lines.append("    params:\n")
            lines.extend(f"      {key}:{' ' + value if value else ''}\n" for key, value in params)
    if len(lines) == 1:
        return "  coder: {}\n"
    return "".join(lines)


def entity(coder: str | None, annotation: str | None = q(SOURCE), name: str = "svc") -> str:
    """A Component; ``coder`` is the text of the ``coder`` entry (from ``coder_block``, or a line like
    ``"  coder: ~\\n"``; None: no ``coder``); ``annotation`` is the YAML text of the source-location
    annotation (None: no annotations at all)."""
    head = f"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n"
    if annotation is not None:
        head += f"  annotations:\n    backstage.io/source-location: {annotation}\n"
    spec = "spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
    return head + spec + (coder or "")


def case(case_id: str, coder: str | None, app: App = BARE, annotation: str | None = q(SOURCE)) -> PluginCase:
    return PluginCase(case_id, entity(coder, annotation), app)


def string_params(pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Keys and values both written as double-quoted strings."""
    return [(q(key), q(value)) for key, value in pairs]


# -- the sections --------------------------------------------------------------------------------------


def block_cases() -> Iterator[PluginCase]:
    blocks = {
        "absent": None,
        "empty-value": "  coder:\n",
        "tilde": "  coder: ~\n",
        "null-word": "  coder: null\n",
        "empty-mapping": "  coder: {}\n",
        "empty-list": "  coder: []\n",
        "list": "  coder: [a]\n",
        "list-of-mapping": "  coder:\n    - templateName: t\n",
        "string": "  coder: devcontainer\n",
        "empty-string": '  coder: ""\n',
        "number": "  coder: 3\n",
        "zero": "  coder: 0\n",
        "bool": "  coder: true\n",
        "false": "  coder: false\n",
        "flow-mapping": "  coder: {templateName: flow, mode: auto}\n",
        "unknown-key": "  coder:\n    template: typo\n",
    }
    for app_name, app in APPS.items():
        for name, text in blocks.items():
            yield case(f"block/{name}/{app_name}", text, app)


TEMPLATE_NAMES = {
    "plain": "devcontainer",
    "space": "my template",
    "slash": "team/devcontainer",
    "question": "what?",
    "hash": "c#",
    "percent": "100%",
    "percent-escape": "a%20b",
    "plus": "c++",
    "ampersand": "a&b",
    "equals": "a=b",
    "unreserved-marks": "!'()*~",
    "bang": "hello!",
    "quote": "it's",
    "parens": "docker(rootless)",
    "star": "*",
    "tilde": "~user",
    "semicolon": "a;b",
    "colon": "a:b",
    "at": "a@b",
    "comma": "a,b",
    "dollar": "a$b",
    "brackets": "[a]",
    "braces": "{a}",
    "pipe": "a|b",
    "backslash": "a\\b",
    "double-quote": 'a"b',
    "caret-backtick": "^`",
    "lt-gt": "<b>",
    "accent": "café",
    "cjk": "日本",
    "emoji": "🚀 rocket",
    "mixed-unicode": "é日本😀",
    "whitespace-only": "   ",
    "tab": "\t",
    "leading-trailing": "  padded  ",
    "newline": "two\nlines",
    "empty": "",
    "digits": "123",
    "dots": "..",
    "dash-underscore-dot": "-_.",
    "everything": "a b/c?d#e%f+g&h=i!j'k(l)m*n~o",
}

TEMPLATE_OTHER_TYPES = {
    "integer": "3",
    "float": "3.5",
    "bool": "true",
    "yaml11-bool": "yes",
    "tilde": "~",
    "null-word": "null",
    "empty-value": "",
    "hex": "0x1F",
    "list": "[a]",
    "empty-list": "[]",
    "mapping": "{a: b}",
    "quoted-number": '"3"',
    "single-quoted": "'single quoted'",
    "inf": ".inf",
}


def template_cases() -> Iterator[PluginCase]:
    for name, template in TEMPLATE_NAMES.items():
        yield case(f"template/{name}", coder_block(template=q(template)))
    # the same names as the app's defaultTemplateName (the catalog says nothing)
    for name in ("space", "unreserved-marks", "mixed-unicode", "whitespace-only", "everything"):
        app = App(default_template_name=TEMPLATE_NAMES[name])
        yield case(f"template/default-{name}", coder_block(mode="manual"), app)
    for app_name, app in APPS.items():
        for name, text in TEMPLATE_OTHER_TYPES.items():
            yield case(f"template/type-{name}/{app_name}", coder_block(template=text), app)
        # an empty name does not fall back to the default (?? only skips null and undefined)
        yield case(f"template/empty-over-default/{app_name}", coder_block(template='""'), app)


MODES = {
    "manual": "manual",
    "auto": "auto",
    "quoted-auto": '"auto"',
    "Auto": "Auto",
    "MANUAL": "MANUAL",
    "padded": '" auto"',
    "tilde": "~",
    "null-word": "null",
    "empty-value": "",
    "empty-string": '""',
    "number": "1",
    "bool": "true",
    "list": "[auto]",
    "mapping": "{auto: true}",
    "other-word": "automatic",
}


def mode_cases() -> Iterator[PluginCase]:
    for app_name, app in APPS.items():
        for name, text in MODES.items():
            yield case(f"mode/{name}/{app_name}", coder_block(template="t", mode=text), app)
        yield case(f"mode/absent/{app_name}", coder_block(template="t"), app)


PARAMS_SHAPES: dict[str, Any] = {
    "flow-list": "[region=eu]",
    "flow-list-two": "[a, b]",
    "block-list": "\n      - region=eu\n      - size=m",
    "list-of-mappings": "\n      - region: eu",
    "empty-list": "[]",
    "empty-mapping": "{}",
    "tilde": "~",
    "empty-value": "",
    "string": "region=eu",
    "number": "3",
    "bool": "false",
    "flow-mapping": "{region: eu, size: m}",
}

PARAMS_VALUES = {
    "integer": "3",
    "zero": "0",
    "negative": "-1",
    "float": "1.5",
    "exponent": "1e3",
    "hex": "0x10",
    "octal": "0o17",
    "bool": "true",
    "false": "false",
    "yaml11-yes": "yes",
    "yaml11-on": "on",
    "yaml11-off": "off",
    "yaml11-y": "y",
    "tilde": "~",
    "null-word": "null",
    "empty-value": "",
    "empty-string": '""',
    "inf": ".inf",
    "nan": ".nan",
    "list": "[a]",
    "mapping": "{a: b}",
    "quoted-true": '"true"',
    "quoted-number": '"3"',
    "literal-block": "|\n        line one\n        line two",
    "literal-strip": "|-\n        line one\n        line two",
    "folded": ">\n        folded\n        text",
    "single-quoted": "'it''s'",
    "date": "2024-01-02",
    "sexagesimal": "1:20",
}


def params_cases() -> Iterator[PluginCase]:
    for app_name, app in APPS.items():
        for name, text in PARAMS_SHAPES.items():
            yield case(f"params/shape-{name}/{app_name}", coder_block(template="t", params=text), app)
    for name, text in PARAMS_VALUES.items():
        yield case(f"params/value-{name}", coder_block(template="t", params=[("first", "a"), ("v", text)]))
    # a bad value among good ones, and a bad value for a key the app also sets
    yield case(
        "params/value-bad-among-good",
        coder_block(template="t", params=[("a", "x"), ("n", "3"), ("b", "y")]),
        DEFAULTS,
    )
    yield case("params/value-bad-over-app", coder_block(template="t", params=[("region", "~")]), DEFAULTS)


PARAM_CHARS = {
    "space": ("my key", "a value"),
    "ampersand": ("a&b", "c&d"),
    "equals": ("a=b", "c=d"),
    "plus": ("a+b", "c+d"),
    "tilde": ("a~b", "~c"),
    "star": ("a*b", "*"),
    "bang-quote-parens": ("a!'()", "!'()"),
    "percent": ("100%", "%20"),
    "hash-question": ("a#b", "c?d"),
    "slash-colon": ("a/b:c", "https://x.example/y?z=1"),
    "semicolon-comma": ("a;b,c", "d;e,f"),
    "newline": ("line", "one\ntwo"),
    "crlf": ("crlf", "one\r\ntwo"),
    "tab": ("tab", "a\tb"),
    "double-quote": ('a"b', 'say "hi"'),
    "single-quote": ("a'b", "it's"),
    "backslash": ("a\\b", "c\\d"),
    "accent": ("café", "été"),
    "cjk": ("日本", "東京"),
    "emoji": ("🚀", "😀 ok"),
    "empty-key": ("", "v"),
    "empty-value": ("k", ""),
    "spaces-only": (" ", "  "),
    "leading-trailing": (" k ", " v "),
    "dot-key": ("a.b", "c"),
    "param-prefix": ("param.x", "y"),
    "mode-key": ("mode", "auto"),
    "brackets": ("a[0]", "[b]"),
    "everything": ("k &=+~*!'()%#?/", 'v &=+~*\n"é日本😀'),
}


def param_chars_cases() -> Iterator[PluginCase]:
    for name, (key, value) in PARAM_CHARS.items():
        params = string_params([("first", "1"), (key, value)])
        yield case(f"param-chars/{name}", coder_block(template=q("tmpl"), params=params))
    # all of them at once, in a template whose name needs encoding too
    everything = string_params(list(PARAM_CHARS.values()))
    yield case("param-chars/all", coder_block(template=q("my tmpl!"), params=everything))


# YAML texts of keys: plain numbers are YAML numbers (JavaScript keys "16", "1", "7"...)
ORDER_KEY_SETS = {
    "string-then-int": ["b", "10"],
    "int-then-string": ["10", "b"],
    "ints-descending": ["10", "2", "b", "a"],
    "quoted-ints": ['"10"', '"2"', "b"],
    "hex-key": ["b", "0x10", "a"],
    "float-key": ["b", "1.0", "a"],
    "negative-key": ["b", "-1", "2"],
    "leading-zeros-plain": ["b", "007", "a"],
    "leading-zeros-quoted": ["b", '"007"', "a"],
    "exponent-key": ["b", "1e3", "a"],
    "octal-key": ["b", "0o17", "a"],
    "plus-key": ["b", "+5", "a"],
    "half-key": ["b", ".5", "a"],
    "zero": ["b", "0", "a"],
    "quoted-zero-one": ["b", '"01"', '"1"'],
    "array-index-limit": ["b", '"4294967294"', '"4294967295"', "a"],
    "big-integer": ["b", "12345678901234567890", "a"],
    "bool-key": ["b", "true", "yes", "a"],
    "null-key": ["b", "~", "a"],
    "mixed": ["z", "10", "a", "2", '"0x10"', "1.0", "-1", '"007"', "m"],
    "all-plain-numbers": ["3", "1", "2"],
    "same-key-after-parse": ['"16"', "b", "0x10"],
}


def _rotations(items: list[str]) -> list[list[str]]:
    return [items[i:] + items[:i] for i in range(len(items))]


def param_order_cases() -> Iterator[PluginCase]:
    for name, keys in ORDER_KEY_SETS.items():
        variants = [keys] if len(keys) > 3 else _rotations(keys)
        for number, order in enumerate(variants):
            params = [(key, q(f"v{index}")) for index, key in enumerate(order)]
            yield case(f"param-order/{name}/{number}", coder_block(template="t", params=params))
    # integer-like keys in the app's params too: the URL keeps insertion order, the object does not
    app = App(params=(("region", "eu"), ("2", "two"), ("b", "bee")), repo_url_param_keys=("repo", "1"))
    for name, params in {
        "app-int-keys": [("z", '"zed"')],
        "app-and-catalog-int-keys": [("z", '"zed"'), ("10", '"ten"'), ("2", '"TWO"')],
        "catalog-overrides-app": [("region", '"us"'), ("1", '"one"')],
    }.items():
        yield case(f"param-order/{name}", coder_block(template="t", params=params), app)
        yield case(f"param-order/{name}/no-source", coder_block(template="t", params=params), app, None)


PROTO_KEYS = [
    "__proto__",
    '"__proto__"',
    "constructor",
    "prototype",
    "hasOwnProperty",
    "toString",
    "valueOf",
    "isPrototypeOf",
    "__defineGetter__",
    "__proto__x",
]


def param_proto_cases() -> Iterator[PluginCase]:
    for number, key in enumerate(PROTO_KEYS):
        alone = [(key, '"x"')]
        mixed = [("a", '"1"'), (key, '"x"'), ("b", '"2"')]
        yield case(f"param-proto/{number}-alone", coder_block(template="t", params=alone))
        yield case(f"param-proto/{number}-mixed", coder_block(template="t", params=mixed), DEFAULTS)


def overlap_cases() -> Iterator[PluginCase]:
    app = App(
        params=(("region", "eu-west"), ("size", "m"), ("repo", "from-app")),
        repo_url_param_keys=("repo", "repo_url"),
    )
    catalog = {
        "none": ABSENT,
        "same-key": [("region", "us-east")],
        "same-key-reordered": [("size", "l"), ("region", "us-east")],
        "new-key-first": [("zone", "a"), ("region", "us-east")],
        "repo-key": [("repo", "from-catalog")],
        "repo-url-key": [("repo_url", "from-catalog"), ("extra", "x")],
        "empty-over-app": [("region", '""')],
        "int-key-over-app": [("size", "xl"), ("10", "ten")],
    }
    for name, params in catalog.items():
        block = coder_block(template="t", params=params)
        yield case(f"overlap/{name}", block, app)
        yield case(f"overlap/{name}/no-source", block, app, None)
    keys = {
        "repeated": ("repo", "repo"),
        "int-like": ("2", "repo"),
        "with-space": ("repo url", "r&r"),
        "empty": ("",),
        "proto": ("__proto__", "repo"),
    }
    for name, repo_keys in keys.items():
        keyed = App(params=(("repo", "app"),), repo_url_param_keys=repo_keys)
        yield case(f"overlap/keys-{name}", coder_block(template="t", params=[("b", "x")]), keyed)


ACCESS_URLS = {
    "plain": "https://coder.example.com",
    "slash": "https://coder.example.com/",
    "two-slashes": "https://coder.example.com//",
    "path-slash": "https://c.example.com/coder/",
    "path": "https://c.example.com/coder",
    "port": "http://localhost:3000",
    "default-port": "https://coder.example.com:443",
    "upper-case": "https://CODER.Example.com",
}


def access_cases() -> Iterator[PluginCase]:
    for name, url in ACCESS_URLS.items():
        for template_name in ("plain", "everything"):
            block = coder_block(template=q(TEMPLATE_NAMES[template_name]), params=[("a", "b")])
            yield case(f"access/{name}/{template_name}", block, App(access_url=url))
        yield case(f"access/{name}/default-template", coder_block(), App(access_url=url, **_defaults()))


def _defaults() -> dict[str, Any]:
    return {"default_template_name": "devcontainer", "default_mode": "auto"}


ANNOTATIONS = {
    "url-tree-main-slash": q(SOURCE),
    "url-tree-main": q(f"url:{REPOSITORY}/tree/main"),
    "url-bare-repo": q(f"url:{REPOSITORY}"),
    "url-bare-repo-slash": q(f"url:{REPOSITORY}/"),
    "url-plain-scalar": f"url:{REPOSITORY}/tree/main/",
    "spaces-after-colon": q(f"url: {REPOSITORY}/tree/main/"),
    "spaces-around": q(f" url : {REPOSITORY}/tree/main/ "),
    "trailing-space": q(f"url:{REPOSITORY}/tree/main/ "),
    "github-type": q("github:acme/r"),
    "github-type-url": q(f"github:{REPOSITORY}/tree/main/"),
    "file-type": q("file:./catalog-info.yaml"),
    "file-absolute": q("file:/srv/repos/r/tree/main"),
    "bare-https": q(f"{REPOSITORY}/tree/main/"),
    "bare-http": q("http://git.example.com/acme/r/tree/main/"),
    "upper-type": q(f"URL:{REPOSITORY}/tree/main/"),
    "url-empty": q("url:"),
    "url-space": q("url: "),
    "no-type": q(":x"),
    "no-colon": q("acme/r"),
    "empty": q(""),
    "space-only": q(" "),
    "javascript": q("url:javascript:alert(1)"),
    "javascript-mixed-case": q("url: JavaScript:alert(1)"),
    "javascript-split": q("url:java\tscript:alert(1)"),
    "number": "3",
    "zero": "0",
    "tilde": "~",
    "bool": "true",
    "list": q("url:x").join("[]"),
    "ssh-target": q("url:git@github.com:acme/r.git"),
    "dot-git": q(f"url:{REPOSITORY}.git"),
    "query": q(f"url:{REPOSITORY}/tree/main/?ref=x"),
    "fragment": q(f"url:{REPOSITORY}/tree/main#readme"),
    "double-tree": q(f"url:{REPOSITORY}/tree/main/tree/dev/"),
    "subfolder": q(f"url:{REPOSITORY}/tree/main/sub/"),
    "subfolder-no-slash": q(f"url:{REPOSITORY}/tree/main/sub"),
    "blob": q(f"url:{REPOSITORY}/blob/main/catalog-info.yaml"),
    "gitlab": q("url:https://gitlab.com/acme/r/-/tree/main/"),
    "bitbucket": q("url:https://bitbucket.org/acme/r/src/main/"),
    "azure": q("url:https://dev.azure.com/o/p/_git/r?path=/&version=GBmain"),
    "comma-equals": q(f"url:{REPOSITORY}/tree/a=b,c/"),
    "two-slashes-end": q(f"url:{REPOSITORY}/tree/main//"),
    "no-annotations": None,
}

BRANCHES = [
    "main",
    "v1.0",
    "v1.0+hotfix",
    "feature/x",
    "ünï",
    "release-2024_01",
    "a~b",
    "HEAD",
    "%E2%9C%93",
    "_",
    "x y",
]


def annotation_cases() -> Iterator[PluginCase]:
    app = App(repo_url_param_keys=("repo_url",))
    for name, annotation in ANNOTATIONS.items():
        yield case(f"annotation/{name}", coder_block(template="t"), app, annotation)
    for number, branch in enumerate(BRANCHES):
        for slash in ("", "/"):
            annotation = q(f"url:{REPOSITORY}/tree/{branch}{slash}")
            label = f"{number}{'-slash' if slash else ''}"
            yield case(f"annotation/branch-{label}", coder_block(template="t"), app, annotation)
    # a source location but no template: no link, the repository URL still read
    yield case("annotation/no-template", coder_block(mode="auto"), app)
    yield case("annotation/no-coder", None, app)


COMBO_TEMPLATES = ["t", q("my template"), q("a/b"), ABSENT]
COMBO_MODES = [ABSENT, "auto", "Auto"]
COMBO_PARAMS: list[Any] = [ABSENT, [("region", "us")], [("10", '"x"'), ("b", '"y z"')]]
COMBO_ANNOTATIONS = [q(SOURCE), q(f"url:{REPOSITORY}/tree/feature/x"), None]


def combo_cases() -> Iterator[PluginCase]:
    number = 0
    for template in COMBO_TEMPLATES:
        for mode in COMBO_MODES:
            for params in COMBO_PARAMS:
                for annotation in COMBO_ANNOTATIONS:
                    app = (BARE, DEFAULTS)[number % 2]
                    block = coder_block(template=template, mode=mode, params=params)
                    yield case(f"combo/{number}", block, app, annotation)
                    number += 1


def corpus() -> list[PluginCase]:
    cases = [
        *block_cases(),
        *template_cases(),
        *mode_cases(),
        *params_cases(),
        *param_chars_cases(),
        *param_order_cases(),
        *param_proto_cases(),
        *overlap_cases(),
        *access_cases(),
        *annotation_cases(),
        *combo_cases(),
    ]
    ids = [c.id for c in cases]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    return cases
