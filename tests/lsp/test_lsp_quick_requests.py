"""Completion and hover on the short path (``coder_catalog.lsp.quick_requests``): ordinary requests
are read directly, anything unusual goes pygls's general way, and both get the same answer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from lsprotocol import types

from coder_catalog.lsp.json_answers import JsonAnswer
from coder_catalog.lsp.quick_requests import QuickRequest, answer, quick_request
from coder_catalog.lsp.server import create_server, send_raw

URI = "file:///tmp/quick/catalog-info.yaml"
POSITION = {"line": 3, "character": 7}


def request(method: str = "textDocument/hover", **params: Any) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": 7,
        "method": method,
        "params": {"textDocument": {"uri": URI}, "position": POSITION, **params},
    }


def test_an_ordinary_hover_is_read_directly() -> None:
    found = quick_request(request())
    assert isinstance(found, QuickRequest)
    assert found.params == types.HoverParams(types.TextDocumentIdentifier(URI), types.Position(3, 7))


def test_an_ordinary_completion_with_its_context() -> None:
    found = quick_request(
        request("textDocument/completion", context={"triggerKind": 2, "triggerCharacter": ":"})
    )
    assert isinstance(found, QuickRequest)
    assert found.params.context == types.CompletionContext(types.CompletionTriggerKind.TriggerCharacter, ":")


@pytest.mark.parametrize(
    "data",
    [
        request("textDocument/definition"),
        request(workDoneToken="t"),
        request("textDocument/completion", partialResultToken=1),
        request("textDocument/completion", context={"triggerKind": 9}),
        request(extra=1),
        {**request(), "id": True},
        {**request(), "id": None},
        {**request(), "jsonrpc": "1.0"},
        {**request(), "params": {"textDocument": {"uri": URI}, "position": {"line": -1, "character": 0}}},
        {**request(), "params": {"textDocument": {"uri": URI}, "position": {"line": "3", "character": 0}}},
        {**request(), "params": {"textDocument": {"uri": 5}, "position": POSITION}},
        {**request(), "params": {"textDocument": {"uri": URI, "version": 1}, "position": POSITION}},
        {**request(), "params": [URI]},
        {key: value for key, value in request().items() if key != "params"},
    ],
)
def test_anything_unusual_goes_the_general_way(data: dict[str, Any]) -> None:
    assert quick_request(data) is None


class Writer:
    def __init__(self) -> None:
        self.written: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def close(self) -> None:
        pass

    def messages(self) -> list[dict[str, Any]]:
        return [json.loads(chunk.split(b"\r\n\r\n", 1)[1]) for chunk in self.written]


def test_the_answer_is_the_handlers_json_or_the_general_path() -> None:
    server = create_server()
    writer = Writer()
    server.protocol.set_writer(writer)
    quick = quick_request(request())
    assert quick is not None

    server.protocol.fm.features[types.TEXT_DOCUMENT_HOVER] = lambda params: JsonAnswer({"contents": "x"})
    answer(server.protocol, quick, lambda protocol, body: False)  # the raw write refused: pygls writes it
    server.protocol.fm.features[types.TEXT_DOCUMENT_HOVER] = lambda params: None
    answer(server.protocol, quick, send_raw)
    server.protocol.fm.features[types.TEXT_DOCUMENT_HOVER] = lambda params: JsonAnswer({"not json": {1, 2}})
    answer(server.protocol, quick, lambda protocol, body: False)

    first, second, third = writer.messages()
    assert first["result"] == {"contents": "x"} and first["id"] == 7
    assert second == {"jsonrpc": "2.0", "id": 7, "result": None}
    assert "error" in third and third["id"] == 7


def test_a_failure_on_the_short_path_is_answered_with_an_error() -> None:
    server = create_server()
    writer = Writer()
    server.protocol.set_writer(writer)

    def broken(params: Any) -> Any:
        raise RuntimeError("boom")

    server.protocol.fm.features[types.TEXT_DOCUMENT_HOVER] = broken
    message = json.loads(json.dumps(request()), object_hook=server.protocol.structure_message)
    assert isinstance(message, QuickRequest)
    server.protocol.handle_message(message)
    (answered,) = writer.messages()
    assert answered["id"] == 7 and answered["error"]["code"] == -32603
