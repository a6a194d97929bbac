"""YAML 1.2 scalar resolution, positions and every parsing edge case, as Backstage reads catalog files."""

from __future__ import annotations

import math

import pytest

from coder_catalog.analysis.spans import Span
from coder_catalog.analysis.yaml_tree import (
    Mapping,
    Scalar,
    Sequence,
    YamlSyntaxError,
    YamlTooDeep,
    YamlTooLarge,
    parse_document,
    resolve_plain,
    to_python,
)


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("yes", "str", "yes"),
        ("no", "str", "no"),
        ("on", "str", "on"),
        ("off", "str", "off"),
        ("Y", "str", "Y"),
        ("true", "bool", True),
        ("False", "bool", False),
        ("TRUE", "bool", True),
        ("tRue", "str", "tRue"),
        ("8080", "int", 8080),
        ("-12", "int", -12),
        ("0o17", "int", 15),
        ("0x1F", "int", 31),
        ("017", "int", 17),  # YAML 1.2: no octal without 0o
        ("1_000", "str", "1_000"),  # YAML 1.1 only
        ("1.5", "float", 1.5),
        ("1e3", "float", 1000.0),
        (".inf", "float", math.inf),
        ("-.Inf", "float", -math.inf),
        ("null", "null", None),
        ("~", "null", None),
        ("", "null", None),
        ("NULL", "null", None),
        ("2024-01-01", "str", "2024-01-01"),  # no timestamps in the core schema
        ("12:30", "str", "12:30"),  # no sexagesimal numbers
    ],
)
def test_core_schema_resolution(text: str, kind: str, value: object) -> None:
    assert resolve_plain(text) == (kind, value)


def test_nan() -> None:
    kind, value = resolve_plain(".nan")
    assert kind == "float" and math.isnan(value)


def root(text: str) -> Mapping:
    parsed = parse_document(text)
    assert isinstance(parsed.root, Mapping)
    return parsed.root


def scalar(text: str, key: str = "a") -> Scalar:
    node = root(text).get(key)
    assert isinstance(node, Scalar)
    return node


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ('a: "8080"', "str", "8080"),
        ("a: '8080'", "str", "8080"),
        ("a: !!str 8080", "str", "8080"),
        ("a: &x !!str 8080", "str", "8080"),
        ('a: !!int "3"', "int", 3),
        ("a: |\n  true\n", "str", "true\n"),
        ("a: >-\n  8080\n", "str", "8080"),
        ("a: !Ref thing", "!Ref", "thing"),
    ],
)
def test_quoting_block_scalars_and_tags(text: str, kind: str, value: object) -> None:
    node = scalar(text)
    assert (node.type, node.value) == (kind, value)


def test_positions_are_code_points_on_0_based_lines() -> None:
    mapping = root('x: 1\nnäme: "ü😀"\n')
    entry = mapping.entry("näme")
    assert entry is not None
    assert entry.key.span == Span.of(1, 0, 1, 4)
    assert entry.value.span == Span.of(1, 6, 1, 10)


def test_crlf_line_endings() -> None:
    mapping = root("a: 1\r\nb: two\r\n")
    node = mapping.get("b")
    assert isinstance(node, Scalar) and node.value == "two"
    assert node.span == Span.of(1, 3, 1, 6)


def test_duplicate_keys_are_recorded() -> None:
    parsed = parse_document("a: 1\nb: 2\na: 3\n")
    assert len(parsed.duplicate_keys) == 1
    first, repeated = parsed.duplicate_keys[0]
    assert first.key.span.start.line == 0 and repeated.key.span.start.line == 2


def test_flow_style_and_aliases() -> None:
    mapping = root("base: &b {cpu: '4', tags: [a, b]}\ncopy: *b\n")
    base, copy = mapping.get("base"), mapping.get("copy")
    assert isinstance(base, Mapping) and base.flow
    assert copy is base  # an alias is the same node, never a copy
    tags = base.get("tags")
    assert isinstance(tags, Sequence) and tags.flow
    assert to_python(mapping) == {
        "base": {"cpu": "4", "tags": ["a", "b"]},
        "copy": {"cpu": "4", "tags": ["a", "b"]},
    }


def test_billion_laughs_is_refused_not_expanded() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i, name in enumerate("bcdefgh"):
        previous = "abcdefgh"[i]
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    with pytest.raises(YamlTooLarge):
        parse_document("\n".join(lines) + "\n")


def test_recursive_alias_is_refused() -> None:
    with pytest.raises((YamlTooLarge, YamlSyntaxError)):
        parse_document("a: &a [*a]\n")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: [1, 2\n", 0),  # an unclosed bracket is reported where it opens, not past the end
        ("a: b: c\n", 0),
        ("a:\n  - x\n  y: z\n", 2),
        ('a: "unterminated\n', 0),
    ],
)
def test_syntax_errors_have_a_position(text: str, line: int) -> None:
    with pytest.raises(YamlSyntaxError) as info:
        parse_document(text)
    assert info.value.span.start.line == line
    assert info.value.message


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 5000,
        "a: " + "[" * 1001 + "]" * 1001 + "\n",
        "".join(" " * i + "k:\n" for i in range(1100)) + " " * 1100 + "v\n",
    ],
)
def test_nesting_beyond_1000_levels_is_refused_with_a_position(text: str) -> None:
    with pytest.raises(YamlTooDeep) as info:
        parse_document(text)
    assert "1,000 levels" in str(info.value) and info.value.span.start.line >= 0


def test_empty_and_comment_only_documents() -> None:
    assert parse_document("").root is None
    assert parse_document("# only a comment\n\n").root is None


@pytest.mark.parametrize("character", ["\x85", "\u2028", "\u2029"])
def test_nel_ls_and_ps_are_characters_as_in_yaml_1_2(character: str) -> None:
    """libyaml (YAML 1.1) breaks lines at them; Backstage (YAML 1.2) and LSP do not."""
    text = f'a: 1 # note{character}more\nb: "x{character}y"\nc: p{character}q\n'
    root = parse_document(text).root
    assert isinstance(root, Mapping)
    assert [(e.key_text, e.value.value) for e in root.entries] == [
        ("a", 1),
        ("b", f"x{character}y"),
        ("c", f"p{character}q"),
    ]
    assert [e.key.span.start.line for e in root.entries] == [0, 1, 2]
    assert root.entries[2].value.span.end.column == 6


def test_stand_ins_never_collide_with_the_text() -> None:
    text = "a: \ue000\u2028\ue001\n"
    root = parse_document(text).root
    assert isinstance(root, Mapping)
    assert root.entries[0].value.value == "\ue000\u2028\ue001"


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x0c", "\x1b", "\x7f", "\x85", "\x9b", "\u2028", "\ufffe"])
def test_characters_libyaml_refuses_are_read_as_backstage_reads_them(char: str) -> None:
    """libyaml refuses control characters (and reads NEL, LS and PS as line breaks); the `yaml`
    package Backstage reads files with takes them as ordinary characters, and so does the parse."""
    parsed = parse_document(f"a: x{char}y\nb: [c{char}]\n# {char}\n")
    assert to_python(parsed.root) == {"a": f"x{char}y", "b": [f"c{char}"]}
    assert parsed.root is not None and parsed.root.span.end.line == 3
