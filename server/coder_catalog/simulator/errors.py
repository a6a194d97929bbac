"""Coder's error bodies (``codersdk.Response``) and the exact messages the real server uses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

SIGNED_OUT = "You are signed out or your session has expired. Please sign in again to continue."
NO_TOKEN_DETAIL = 'Cookie "coder_session_token" or query parameter must be provided.'
INVALID_KEY_DETAIL = "API key is invalid."
INVALID_SECRET_DETAIL = "API key secret is invalid."
RESOURCE_NOT_FOUND = "Resource not found or you do not have access to this resource"
ROUTE_NOT_FOUND = "Route not found."
VALIDATION_FAILED = "Validation failed."
INVALID_JSON = "Request body must be valid JSON."
BUILD_ACTIVE = "A workspace build is already active."
VERSION_IMPORTING = "Template version job hasn't completed!"
INTERNAL_ERROR = "An internal server error occurred."


@dataclass(frozen=True, slots=True)
class Validation:
    field: str
    detail: str

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "detail": self.detail}


class ApiError(Exception):
    """An answer other than success, in Coder's shape; raised by the state, written by the app."""

    def __init__(
        self,
        status: int,
        message: str,
        detail: str | None = None,
        validations: Sequence[Validation] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.detail = detail
        self.validations = tuple(validations)
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return response_body(self.message, self.detail, self.validations)


def response_body(
    message: str, detail: str | None = None, validations: Sequence[Validation] = ()
) -> dict[str, Any]:
    """A ``codersdk.Response``: ``detail`` and ``validations`` only when set, as Coder omits them."""
    body: dict[str, Any] = {"message": message}
    if detail:
        body["detail"] = detail
    if validations:
        body["validations"] = [v.to_dict() for v in validations]
    return body


def not_found() -> ApiError:
    """Coder's 404: it never tells "missing" from "not visible to you"."""
    return ApiError(404, RESOURCE_NOT_FOUND)


def signed_out(detail: str) -> ApiError:
    description = detail.replace('"', "'")
    challenge = f'Bearer realm="coder", error="invalid_token", error_description="{description}"'
    return ApiError(401, SIGNED_OUT, detail, headers={"WWW-Authenticate": challenge})


def validation_failed(*validations: Validation) -> ApiError:
    return ApiError(400, VALIDATION_FAILED, validations=validations)


def tag_failed(field: str, tag: str, value: object) -> Validation:
    """The wording of Coder's request validator (go-playground/validator tags)."""
    return Validation(field, f'Validation failed for tag "{tag}" with value: "{value}"')


def invalid_json(detail: str) -> ApiError:
    return ApiError(400, INVALID_JSON, detail)


class OAuthError(Exception):
    """An OAuth2 error answer: ``{"error", "error_description"}`` (RFC 6749 section 5.2)."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}
