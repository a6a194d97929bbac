"""Coder's OAuth2 provider endpoints (site root, not ``/api/v2``): metadata, token, revoke.

They exist only while the deployment's OAuth2 provider is enabled (``CODER_OAUTH2_PROVIDER_ENABLE``,
off by default); otherwise Coder answers 404 ``{"message": "Route not found."}``, raised here as
:class:`OAuthProviderDisabled` with a message that says so. RFC 6749 errors
(``{"error", "error_description"}``) become :class:`OAuthError`. No session token is ever attached
to these requests; codes, verifiers, refresh tokens and the client secret travel only in request
bodies to the deployment's own origin, and never appear in an error message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from coder_catalog.accounts.credentials import Secret
from coder_catalog.coder.client import CoderClient
from coder_catalog.coder.errors import CoderHTTPError, NotFound, UnexpectedResponse

if TYPE_CHECKING:
    import httpx  # imported by the client when it is made (issue 18)

METADATA_PATH = "/.well-known/oauth-authorization-server"
AUTHORIZE_PATH = "/oauth2/authorize"
TOKEN_PATH = "/oauth2/tokens"
REVOKE_PATH = "/oauth2/revoke"
PROVIDER_DISABLED = "the deployment's OAuth2 provider is not enabled"


class OAuthError(CoderHTTPError):
    """An RFC 6749 error answer (``invalid_grant``, ``invalid_client``...)."""

    def __init__(self, status: int, error: str, description: str = "", **kwargs: Any) -> None:
        super().__init__(status, error, detail=description, **kwargs)
        self.error = error


class OAuthProviderDisabled(NotFound):
    """404 from an OAuth2 endpoint: the deployment's OAuth2 provider is off (Coder does not serve
    these routes then). Its message says so instead of Coder's "Route not found."."""


@dataclass(frozen=True)
class OAuthApp:
    """The OAuth2 app coder-catalog signs in with (from ``deployment.oauth`` in the settings)."""

    client_id: str
    client_secret: Secret | None = field(default=None, repr=False)

    def form(self) -> dict[str, str]:
        fields = {"client_id": self.client_id}
        if self.client_secret is not None:
            fields["client_secret"] = self.client_secret.reveal()
        return fields


@dataclass(frozen=True)
class OAuthTokens:
    access_token: Secret
    refresh_token: Secret | None
    expires_at: datetime | None
    token_type: str = "Bearer"


class CoderOAuthClient(CoderClient):
    """The OAuth2 endpoints of one deployment (never with a session token)."""

    def __init__(self, url: str, **kwargs: Any) -> None:
        super().__init__(url, None, **kwargs)

    async def __aenter__(self) -> CoderOAuthClient:
        return self

    def authorize_url(self) -> str:
        return self.url + AUTHORIZE_PATH

    async def metadata(self) -> dict[str, Any]:
        """RFC 8414 metadata; :class:`OAuthProviderDisabled` when the provider is off."""
        data = await self._oauth("GET", METADATA_PATH)
        if not isinstance(data, dict):
            raise UnexpectedResponse(200, "expected a JSON object from Coder", request=f"GET {METADATA_PATH}")
        return data

    async def exchange_code(
        self, app: OAuthApp, code: Secret, verifier: str, redirect_uri: str
    ) -> OAuthTokens:
        form = {
            "grant_type": "authorization_code",
            **app.form(),
            "code": code.reveal(),
            "code_verifier": verifier,
            "redirect_uri": redirect_uri,
        }
        return _tokens(await self._oauth("POST", TOKEN_PATH, form))

    async def refresh(self, app: OAuthApp, refresh_token: Secret) -> OAuthTokens:
        form = {"grant_type": "refresh_token", **app.form(), "refresh_token": refresh_token.reveal()}
        return _tokens(await self._oauth("POST", TOKEN_PATH, form))

    async def revoke(self, app: OAuthApp, token: Secret) -> None:
        await self._oauth("POST", REVOKE_PATH, {**app.form(), "token": token.reveal()})

    async def _oauth(self, method: str, path: str, form: Mapping[str, str] | None = None) -> Any:
        described = self._describe(method, path)
        async with self._slot():
            response = await self._http.request(method, path, data=form)
        error = _oauth_error(response)
        if error is not None:
            error_code, description = error
            raise OAuthError(
                response.status_code, error_code, description, deployment=self.url, request=described
            )
        if response.status_code == 404:
            raise OAuthProviderDisabled(404, PROVIDER_DISABLED, deployment=self.url, request=described)
        return self._parse(response, described)


def _oauth_error(response: httpx.Response) -> tuple[str, str] | None:
    if response.status_code < 400 or "json" not in response.headers.get("content-type", ""):
        return None
    try:
        body = json.loads(response.content)
    except (ValueError, RecursionError):
        return None
    if not isinstance(body, dict) or not isinstance(body.get("error"), str):
        return None
    description = body.get("error_description")
    return body["error"], description if isinstance(description, str) else ""


def _tokens(data: Any) -> OAuthTokens:
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("access_token"), str)
        or not data["access_token"]
    ):
        raise UnexpectedResponse(200, "the token endpoint answered without an access token")
    refresh = data.get("refresh_token")
    return OAuthTokens(
        access_token=Secret(data["access_token"]),
        refresh_token=Secret(refresh) if isinstance(refresh, str) and refresh else None,
        expires_at=_expiry(data),
        token_type=str(data.get("token_type") or "Bearer"),
    )


def _expiry(data: Mapping[str, Any]) -> datetime | None:
    expiry = data.get("expiry")
    if isinstance(expiry, str) and expiry:
        parsed = parse_time(expiry)
        if parsed is not None:
            return parsed
    seconds = data.get("expires_in")
    if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) and seconds > 0:
        return datetime.now(UTC) + timedelta(seconds=float(seconds))
    return None


def parse_time(text: str) -> datetime | None:
    """An RFC 3339 time (Coder may write nanoseconds); None when it is not one."""
    value = text.strip().replace("Z", "+00:00")
    head, dot, rest = value.partition(".")
    if dot:
        digits = len(rest) - len(rest.lstrip("0123456789"))
        value = f"{head}.{rest[:digits][:6].ljust(6, '0')}{rest[digits:]}"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
