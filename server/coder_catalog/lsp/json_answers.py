"""Answers built directly in their JSON shape, for the requests an editor sends while typing.

pygls turns a handler's lsprotocol objects into JSON with cattrs, field by field, and validates
every object as it is built: for a completion list of seven templates that is about 0.5 ms, more
than finding the completions. Completion and hover handlers therefore return :class:`JsonAnswer`
(a value already made of dicts, lists, strings and numbers, with LSP's camelCase names), and the
converter made by :func:`converter_factory` sends it as it is. Every other answer, and a handler's
``None``, goes through pygls's converter as usual.
"""

from __future__ import annotations

from typing import Any

import cattrs
from pygls.protocol import default_converter


class JsonAnswer:
    """A request's result, already in JSON form (sent without conversion)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"JsonAnswer({self.value!r})"


def converter_factory() -> cattrs.Converter:
    """pygls's converter, sending a :class:`JsonAnswer`'s value as it is (pygls answers requests
    with a message whose ``result`` is converted by its runtime type)."""
    converter = default_converter()
    converter.register_unstructure_hook(JsonAnswer, _value)
    return converter


def _value(answer: JsonAnswer) -> Any:
    return answer.value


def markdown(text: str) -> dict[str, str]:
    """A ``MarkupContent`` in Markdown."""
    return {"kind": "markdown", "value": text}
