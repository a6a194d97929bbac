"""The two requests an editor sends while typing, answered without pygls's general path.

For every request pygls converts the whole message with cattrs, checks it against four runtime
protocols, wraps the handler in a future with a callback, then converts the answer message back
with cattrs: on a hover that is about as much work as finding what to show. Completion and hover
requests with ordinary parameters (a document, a position, and for completion an optional
context) are read here directly into lsprotocol's parameter objects, handed to the registered
handler, and answered with the handler's JSON (``json_answers.JsonAnswer``).

Anything unusual (a missing or mistyped field, an unknown key, a request after ``shutdown``) goes
the general way, so pygls's own checks and error answers still apply.
"""

from __future__ import annotations

import inspect
import json
import logging
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInternalError
from pygls.feature_manager import is_thread_function

from coder_catalog.lsp.json_answers import JsonAnswer

if TYPE_CHECKING:
    from pygls.protocol import LanguageServerProtocol

log = logging.getLogger(__name__)

_PARAMS: dict[str, frozenset[str]] = {
    types.TEXT_DOCUMENT_HOVER: frozenset({"textDocument", "position", "workDoneToken"}),
    types.TEXT_DOCUMENT_COMPLETION: frozenset(
        {"textDocument", "position", "context", "workDoneToken", "partialResultToken"}
    ),
}


QUICK_METHODS = frozenset(_PARAMS)


class QuickRequest:
    """A completion or hover request read directly (see the module's documentation)."""

    __slots__ = ("id", "method", "params")
    jsonrpc = "2.0"

    def __init__(self, id: int | str, method: str, params: Any) -> None:
        self.id = id
        self.method = method
        self.params = params


def _position(data: Any) -> types.Position | None:
    if not isinstance(data, dict) or len(data) != 2:
        return None
    line, character = data.get("line"), data.get("character")
    if type(line) is not int or type(character) is not int or line < 0 or character < 0:
        return None
    return types.Position(line, character)


def quick_request(data: dict[str, Any]) -> QuickRequest | None:
    """The request, when ``data`` is a completion or hover request with ordinary parameters."""
    method = data.get("method")
    allowed = _PARAMS.get(method)  # type: ignore[arg-type]
    request_id = data.get("id")
    params = data.get("params")
    if allowed is None or type(request_id) not in (int, str) or data.get("jsonrpc") != "2.0":
        return None
    if not isinstance(params, dict) or not params.keys() <= allowed or len(data) != 4:
        return None
    document, position = params.get("textDocument"), _position(params.get("position"))
    if position is None or not isinstance(document, dict) or len(document) != 1:
        return None
    uri = document.get("uri")
    if not isinstance(uri, str):
        return None
    identifier = types.TextDocumentIdentifier(uri=uri)
    if method == types.TEXT_DOCUMENT_HOVER:
        if "workDoneToken" in params:
            return None  # progress tokens: the general way
        return QuickRequest(request_id, method, types.HoverParams(identifier, position))  # type: ignore[arg-type]
    if params.keys() & {"workDoneToken", "partialResultToken"}:
        return None
    context = params.get("context")
    completion_context = None
    if context is not None:
        if not isinstance(context, dict) or not context.keys() <= {"triggerKind", "triggerCharacter"}:
            return None
        kind, character = context.get("triggerKind"), context.get("triggerCharacter")
        if kind not in (1, 2, 3) or not (character is None or isinstance(character, str)):
            return None
        completion_context = types.CompletionContext(types.CompletionTriggerKind(kind), character)
    return QuickRequest(
        request_id,  # type: ignore[arg-type]
        method,  # type: ignore[arg-type]
        types.CompletionParams(identifier, position, context=completion_context),
    )


def answer(protocol: LanguageServerProtocol, request: QuickRequest, send: Any) -> None:
    """Run the request's handler and send its answer with ``send(protocol, body)``; the general
    answer path when the handler's result is not JSON already or cannot be sent that way."""
    handler = protocol.fm.features.get(request.method)
    if handler is None or inspect.iscoroutinefunction(handler) or is_thread_function(handler):
        # not registered (pygls answers "method not found"), or not a plain function: the general way
        protocol._handle_request(request.id, request.method, request.params)
        return
    result = handler(request.params)
    if result is not None and not isinstance(result, JsonAnswer):
        protocol._send_response(request.id, result=result)  # lsprotocol objects: pygls converts them
        return
    value = result.value if isinstance(result, JsonAnswer) else None
    try:
        body = json.dumps({"jsonrpc": "2.0", "id": request.id, "result": value}, separators=(",", ":"))
    except (TypeError, ValueError):
        log.exception("the answer to %s could not be written as JSON", request.method)
        answer_with_internal_error(protocol, request)
        return
    if not send(protocol, body):
        protocol._send_response(request.id, result=value)


def answer_with_internal_error(protocol: LanguageServerProtocol, request: QuickRequest) -> None:
    """The answer when the short path fails: an error, never silence."""
    error = JsonRpcInternalError(message=f"coder-catalog could not answer {request.method}")
    protocol._send_response(request.id, error=error.to_response_error())
