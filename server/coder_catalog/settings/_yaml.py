"""Load a YAML settings file into plain data plus the position of every key and value.

Scalars are resolved with the YAML 1.2 core schema, as Backstage's ``yaml`` package reads
``app-config.yaml``: ``off``, ``yes`` and ``no`` stay strings (``rules: {CC203: off}``), there
are no timestamps and no ``<<`` merge keys.  Duplicate keys are an error.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import SettingsError

__all__ = ["JsonPath", "LoadedYAML", "Span", "decode_yaml_bytes", "load_yaml_text"]

JsonPath = tuple[str | int, ...]

_MAX_NODES = 200_000

_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_STR = "tag:yaml.org,2002:str"


class _CoreSchemaLoader(yaml.SafeLoader):
    """Composes nodes with YAML 1.2 core-schema tag resolution (no construction)."""


_CoreSchemaLoader.yaml_implicit_resolvers = {}
_CoreSchemaLoader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_CoreSchemaLoader.add_implicit_resolver(
    _INT, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
_CoreSchemaLoader.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
_CoreSchemaLoader.add_implicit_resolver(_NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])


@dataclass(frozen=True)
class Span:
    """A 1-based start position and the (exclusive) end of a node."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass
class LoadedYAML:
    """Plain data (dicts with string keys, lists, scalars) and where each part was written."""

    path: str
    data: Any
    #: position of the value at a path; ``()`` is the whole document
    values: dict[JsonPath, Span] = field(default_factory=dict)
    #: position of the key that introduces the value at a path (mapping members only)
    keys: dict[JsonPath, Span] = field(default_factory=dict)
    #: source text of scalar values, e.g. ``4`` for ``cpu: 4`` (for "quote it" hints)
    raw: dict[JsonPath, str] = field(default_factory=dict)

    def value_span(self, path: JsonPath) -> Span:
        """Position of the value at ``path``, else of the nearest enclosing value."""
        while path not in self.values and path:
            path = path[:-1]
        return self.values.get(path, Span(1, 1, 1, 1))

    def key_span(self, path: JsonPath) -> Span:
        """Position of the key for ``path``, else of its value."""
        return self.keys.get(path) or self.value_span(path)


def _span(node: Node) -> Span:
    start, end = node.start_mark, node.end_mark
    return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _node_kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return "a value"


def _scalar(node: ScalarNode) -> Any:
    text: str = node.value
    tag = node.tag
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return text.lower() == "true"
    if tag == _INT:
        try:
            if text.startswith("0o"):
                return int(text[2:], 8)
            if text.startswith("0x"):
                return int(text[2:], 16)
            return int(text, 10)
        except ValueError:
            return text
    if tag == _FLOAT:
        lowered = text.lower()
        if lowered.endswith(".inf"):
            return -math.inf if lowered.startswith("-") else math.inf
        if lowered == ".nan":
            return math.nan
        try:
            return float(text)
        except ValueError:
            return text
    return text  # strings and any explicit or unknown tag


class _Builder:
    def __init__(self, loaded: LoadedYAML) -> None:
        self.loaded = loaded
        self.count = 0
        self.active: set[int] = set()

    def error(self, message: str, span: Span) -> SettingsError:
        return SettingsError(
            message,
            path=self.loaded.path,
            line=span.line,
            column=span.column,
            end_line=span.end_line,
            end_column=span.end_column,
        )

    def build(self, node: Node, path: JsonPath) -> Any:
        self.count += 1
        if self.count > _MAX_NODES:
            raise self.error("the file is too large (too many values, check aliases)", _span(node))
        self.loaded.values[path] = _span(node)
        if isinstance(node, ScalarNode):
            self.loaded.raw[path] = node.value
            return _scalar(node)
        if id(node) in self.active:
            raise self.error("an alias refers to a value that contains it", _span(node))
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
            if isinstance(node, MappingNode):
                return self.build_mapping(node, path)
            raise self.error("unsupported YAML node", _span(node))  # pragma: no cover
        finally:
            self.active.discard(id(node))

    def build_mapping(self, node: MappingNode, path: JsonPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise self.error(f"a key must be a plain name, not {_node_kind(key_node)}", _span(key_node))
            key_value = _scalar(key_node)
            key = key_value if isinstance(key_value, str) else str(key_node.value)
            child = (*path, key)
            if key in result:
                first = self.loaded.keys[child]
                raise self.error(f'duplicate key "{key}" (first given on line {first.line})', _span(key_node))
            self.loaded.keys[child] = _span(key_node)
            result[key] = self.build(value_node, child)
        return result


def _yaml_error(error: yaml.YAMLError, text: str, path: str) -> SettingsError:
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        parts = [part for part in (error.context, error.problem) if part]
        message = "invalid YAML: " + (", ".join(parts) if parts else "syntax error")
        if mark is not None:
            return SettingsError(message, path=path, line=mark.line + 1, column=mark.column + 1)
        return SettingsError(message, path=path)
    if isinstance(error, yaml.reader.ReaderError):
        before = text[: error.position]
        line = before.count("\n") + 1
        column = error.position - (before.rfind("\n") + 1) + 1
        return SettingsError(f"invalid YAML: {error.reason}", path=path, line=line, column=column)
    return SettingsError(f"invalid YAML: {error}", path=path)  # pragma: no cover


def load_yaml_text(text: str, path: str) -> LoadedYAML:
    """Parse one YAML document; an empty document gives ``data=None``.

    Raises :class:`SettingsError` (with the position) for syntax errors, several documents,
    duplicate keys and non-scalar keys.
    """
    loaded = LoadedYAML(path=path, data=None)
    try:
        node = yaml.compose(text, Loader=_CoreSchemaLoader)
    except yaml.YAMLError as error:
        raise _yaml_error(error, text, path) from None
    except RecursionError:
        raise SettingsError("invalid YAML: nested too deeply", path=path, line=1, column=1) from None
    if node is None:
        return loaded
    try:
        loaded.data = _Builder(loaded).build(node, ())
    except RecursionError:
        raise SettingsError("invalid YAML: nested too deeply", path=path, line=1, column=1) from None
    return loaded


def decode_yaml_bytes(data: bytes, path: str) -> str:
    """Decode a settings file as UTF-8 (a BOM is allowed), with the position of a bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        offset = error.start
        line = data[:offset].count(b"\n") + 1
        column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
        raise SettingsError("the file is not valid UTF-8 text", path=path, line=line, column=column) from None
