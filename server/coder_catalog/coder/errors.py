"""Typed failures of a Coder request, each with a readable message.

Every failure of :class:`~coder_catalog.coder.client.CoderClient` is a :class:`CoderError`;
no raw httpx or JSON exception escapes. Messages never contain a token: they are built
from the request's method and path, Coder's own ``message``/``detail`` and the status.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class FieldError:
    """One entry of Coder's ``validations`` list."""

    field: str
    detail: str


class CoderError(Exception):
    """Anything that went wrong while asking a Coder deployment."""

    def __init__(self, message: str, *, deployment: str = "", request: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.deployment = deployment
        self.request = request

    def __str__(self) -> str:
        where = f" ({self.request} on {self.deployment})" if self.request and self.deployment else ""
        return f"{self.message}{where}"


class InsecureDeploymentURL(CoderError):
    """``http://`` to anything but a loopback address, or a URL that is not http(s)."""


# -- no HTTP answer --------------------------------------------------------------------------------


class CoderUnreachable(CoderError):
    """No HTTP answer at all: the base for network-level failures."""


class ConnectionRefused(CoderUnreachable):
    """Nothing listens at the deployment's address, or the name does not resolve."""


class ConnectionDropped(CoderUnreachable):
    """The connection closed before a whole answer arrived."""


class CoderTimeout(CoderUnreachable):
    """The deployment did not answer in time."""


class TLSFailure(CoderUnreachable):
    """The TLS handshake failed, usually an untrusted or mismatched certificate."""


# -- an HTTP answer that is an error -------------------------------------------------------------


class CoderHTTPError(CoderError):
    """Coder (or a proxy in front of it) answered with an error status."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        detail: str = "",
        validations: Sequence[FieldError] = (),
        deployment: str = "",
        request: str = "",
    ) -> None:
        super().__init__(message, deployment=deployment, request=request)
        self.status = status
        self.detail = detail
        self.validations = tuple(validations)

    def __str__(self) -> str:
        parts = [f"{self.status}: {self.message}"]
        if self.detail:
            parts.append(self.detail)
        text = " - ".join(parts)
        if self.validations:
            text += " (" + "; ".join(f"{v.field}: {v.detail}" for v in self.validations) + ")"
        where = f" [{self.request} on {self.deployment}]" if self.request and self.deployment else ""
        return text + where


class BadRequest(CoderHTTPError):
    """400: Coder rejected the request; ``validations`` names the fields."""


class Unauthorized(CoderHTTPError):
    """401: no token, a malformed one, or one that is invalid, revoked or expired."""


class Forbidden(CoderHTTPError):
    """403: the user may not do this (or a feature behind an experiment is off)."""


class NotFound(CoderHTTPError):
    """404: missing or not visible to this user (Coder does not tell which)."""


class Conflict(CoderHTTPError):
    """409: a workspace of that name exists, or a build is already running."""


class TooEarly(CoderHTTPError):
    """425: the template version's import job has not finished yet."""


class RateLimited(CoderHTTPError):
    """429: too many requests; ``retry_after`` seconds to wait, when Coder said."""

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after = retry_after


class ServerError(CoderHTTPError):
    """5xx from Coder itself (with a JSON body)."""


class UnexpectedResponse(CoderHTTPError):
    """An answer that is not Coder's JSON: typically a proxy's HTML error page (502/504)."""


_BY_STATUS: Mapping[int, type[CoderHTTPError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    425: TooEarly,
    429: RateLimited,
}


def error_class_for(status: int) -> type[CoderHTTPError]:
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500:
        return ServerError
    return CoderHTTPError
