"""Coder as an OAuth2 authorization server: authorization code with PKCE, refresh, revoke.

Follows ``coderd/oauth2provider``: codes and refresh tokens look like
``coder_<prefix>_<secret>`` and are stored hashed; an access token is an ordinary session
token of the user (so the API accepts it); one grant per app and user, a new one replaces
the old; refreshing rotates both tokens. Errors are RFC 6749 ``{"error", "error_description"}``.

An app with a client secret is a confidential client: every grant at ``/oauth2/tokens``
(``refresh_token`` too) and ``/oauth2/revoke`` must authenticate with it (form fields or HTTP
Basic), else 401 ``invalid_client``. An app without one is a public client: PKCE alone, no
secret. While the provider is off the app answers 404 before any of this runs (see ``app.py``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from coder_catalog.simulator.auth import random_text, split_token
from coder_catalog.simulator.data import OAuthAppRecord, Settings, UserRecord
from coder_catalog.simulator.errors import OAuthError
from coder_catalog.simulator.state import Deployment, format_time

CODE_SECONDS = 600
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
SECRET_PREFIX = "coder"


def _hash(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def s256(verifier: str) -> str:
    """The PKCE S256 challenge of a verifier (RFC 7636 section 4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii", errors="replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _new_secret() -> tuple[str, str, str]:
    """``(formatted, prefix, secret)``: Coder's ``coder_<prefix>_<secret>`` form."""
    prefix, secret = random_text(16), random_text(32)
    return f"{SECRET_PREFIX}_{prefix}_{secret}", prefix, secret


def _parse_secret(formatted: str) -> tuple[str, str] | None:
    parts = formatted.split("_")
    if len(parts) != 3 or parts[0] != SECRET_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def redirect_uri_allowed(app: OAuthAppRecord, uri: str) -> bool:
    """Registered URIs match on scheme, host and path; loopback ones on any port (RFC 8252 7.3)."""
    try:
        wanted = urlsplit(uri)
        port = wanted.port  # raises ValueError for a port that is not a number
        if wanted.fragment or not wanted.scheme or not wanted.hostname:
            return False
        for registered in map(urlsplit, app.redirect_uris):
            same = (wanted.scheme, wanted.hostname, wanted.path or "/") == (
                registered.scheme,
                registered.hostname,
                registered.path or "/",
            )
            any_port = registered.hostname in LOOPBACK_HOSTS
            if same and (any_port or port == registered.port):
                return True
    except ValueError:  # an unparsable URL or port
        return False
    return False


@dataclass(slots=True)
class _Code:
    hashed: bytes
    app_id: str
    user_id: str
    redirect_uri: str | None
    challenge: str
    expires_at: datetime


@dataclass(slots=True)
class _Grant:
    hashed: bytes
    app_id: str
    user_id: str
    api_key_id: str
    expires_at: datetime


def _invalid_request(description: str) -> OAuthError:
    return OAuthError(400, "invalid_request", description)


def _bad_client() -> OAuthError:
    return OAuthError(401, "invalid_client", "The client credentials are invalid")


class OAuthProvider:
    def __init__(self, deployment: Deployment) -> None:
        self.deployment = deployment
        self._codes: dict[str, _Code] = {}
        self._grants: dict[str, _Grant] = {}

    @property
    def settings(self) -> Settings:
        return self.deployment.settings

    @staticmethod
    def metadata(base_url: str) -> dict[str, Any]:
        """``GET /.well-known/oauth-authorization-server`` (RFC 8414)."""
        return {
            "issuer": base_url,
            "authorization_endpoint": f"{base_url}/oauth2/authorize",
            "token_endpoint": f"{base_url}/oauth2/tokens",
            "revocation_endpoint": f"{base_url}/oauth2/revoke",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["all"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    # ------------------------------------------------------------------ authorize

    def auto_approve_user(self) -> UserRecord | None:
        user_id = self.settings.oauth2_auto_approve_user_id
        return self.deployment.users.get(user_id) if user_id else None

    def authorize(self, params: Mapping[str, str], user: UserRecord) -> str:
        """Approve at once for ``user``; the URL to redirect to, with ``code`` and ``state``."""
        app = self._app(params.get("client_id", ""))
        redirect_uri = params.get("redirect_uri") or None
        target = redirect_uri or app.redirect_uris[0]
        if not redirect_uri_allowed(app, target):
            raise _invalid_request("The redirect_uri is not registered for this client")
        if params.get("response_type") != "code":
            raise OAuthError(400, "unsupported_response_type", 'response_type must be "code"')
        challenge = params.get("code_challenge", "")
        if not challenge:
            raise _invalid_request("Missing required parameter: code_challenge (PKCE S256 is required)")
        if params.get("code_challenge_method", "S256") != "S256":
            raise _invalid_request("Invalid code_challenge_method: only S256 is supported")
        formatted, prefix, secret = _new_secret()
        self._codes = {k: c for k, c in self._codes.items() if (c.app_id, c.user_id) != (app.id, user.id)}
        self._codes[prefix] = _Code(
            _hash(secret),
            app.id,
            user.id,
            redirect_uri,
            challenge,
            self._now() + timedelta(seconds=CODE_SECONDS),
        )
        query = {"code": formatted, **({"state": params["state"]} if params.get("state") else {})}
        return _with_query(target, query)

    # ------------------------------------------------------------------ tokens

    def token(self, form: Mapping[str, str], basic: tuple[str, str] | None) -> dict[str, Any]:
        """``POST /oauth2/tokens``: ``authorization_code`` or ``refresh_token``."""
        grant_type = form.get("grant_type", "")
        if grant_type not in ("authorization_code", "refresh_token"):
            raise OAuthError(400, "unsupported_grant_type", "The grant type is missing or unsupported")
        client_id, client_secret = _client_credentials(form, basic)
        if grant_type == "authorization_code":
            return self._exchange_code(form, client_id, client_secret)
        return self._refresh(form, client_id, client_secret)

    def _exchange_code(self, form: Mapping[str, str], client_id: str, client_secret: str) -> dict[str, Any]:
        for name, value in (("code", form.get("code", "")), ("client_id", client_id)):
            if not value:
                raise _invalid_request(f"Missing required parameter: {name}")
        app = self._app(client_id)
        if app.confidential and not client_secret:
            raise _invalid_request("Missing required parameter: client_secret")
        self._authenticate(app, client_secret)
        parsed = _parse_secret(form["code"])
        code = self._codes.get(parsed[0]) if parsed else None
        if (
            parsed is None
            or code is None
            or not hmac.compare_digest(code.hashed, _hash(parsed[1]))
            or code.app_id != app.id
            or code.expires_at <= self._now()
        ):
            raise OAuthError(400, "invalid_grant", "The authorization code is invalid or expired")
        if code.redirect_uri is not None and form.get("redirect_uri", code.redirect_uri) != code.redirect_uri:
            raise OAuthError(
                400, "invalid_grant", "The redirect_uri does not match the authorization request"
            )
        verifier = form.get("code_verifier", "")
        if not verifier or not hmac.compare_digest(s256(verifier), code.challenge):
            raise OAuthError(400, "invalid_grant", "The PKCE code verifier is invalid")
        del self._codes[parsed[0]]
        return self._issue(app, code.user_id)

    def _refresh(self, form: Mapping[str, str], client_id: str, client_secret: str) -> dict[str, Any]:
        refresh_token = form.get("refresh_token", "")
        if not refresh_token:
            raise _invalid_request("Missing required parameter: refresh_token")
        app = self._authenticated_app(client_id, client_secret)
        parsed = _parse_secret(refresh_token)
        grant = self._grants.get(parsed[0]) if parsed else None
        if (
            parsed is None
            or grant is None
            or not hmac.compare_digest(grant.hashed, _hash(parsed[1]))
            or grant.app_id != app.id
            or grant.expires_at <= self._now()
        ):
            raise OAuthError(400, "invalid_grant", "The refresh token is invalid or expired")
        return self._issue(app, grant.user_id)

    def _issue(self, app: OAuthAppRecord, user_id: str) -> dict[str, Any]:
        """New access and refresh tokens; the app's previous grant for the user is removed."""
        for prefix, old in list(self._grants.items()):
            if (old.app_id, old.user_id) == (app.id, user_id):
                self._drop_grant(prefix)
        seconds = self.settings.oauth2_access_token_seconds
        access_token, key = self.deployment.issue_token(user_id, seconds, "oauth2_provider_app")
        formatted, prefix, secret = _new_secret()
        refresh_expiry = self._now() + timedelta(seconds=self.settings.oauth2_refresh_token_seconds)
        self._grants[prefix] = _Grant(_hash(secret), app.id, user_id, key.id, refresh_expiry)
        return {
            "access_token": access_token,
            "token_type": "Bearer",
            "refresh_token": formatted,
            "expires_in": int(seconds),
            "expiry": format_time(key.expires_at),
        }

    # ------------------------------------------------------------------ revoke

    def revoke(self, form: Mapping[str, str], basic: tuple[str, str] | None) -> None:
        """``POST /oauth2/revoke`` (RFC 7009): unknown tokens and other apps' tokens are no-ops."""
        token = form.get("token", "")
        if not token:
            raise _invalid_request("missing token parameter")
        client_id, client_secret = _client_credentials(form, basic)
        app = self._authenticated_app(client_id, client_secret)
        if token.startswith(f"{SECRET_PREFIX}_"):
            parsed = _parse_secret(token)
            if parsed is None:
                raise _invalid_request("Invalid token format")
            grant = self._grants.get(parsed[0])
            if (
                grant is not None
                and grant.app_id == app.id
                and hmac.compare_digest(grant.hashed, _hash(parsed[1]))
            ):
                self._drop_grant(parsed[0])
            return
        try:
            key_id, _ = split_token(token)
        except ValueError:
            raise _invalid_request("Invalid token format") from None
        if self.deployment.keys.lookup(token) is None:
            return
        for prefix, grant in list(self._grants.items()):
            if grant.api_key_id == key_id and grant.app_id == app.id:
                self._drop_grant(prefix)

    def _drop_grant(self, prefix: str) -> None:
        grant = self._grants.pop(prefix)
        self.deployment.keys.delete(grant.api_key_id)

    # ------------------------------------------------------------------ helpers

    def _app(self, client_id: str) -> OAuthAppRecord:
        if not client_id:
            raise _invalid_request("Missing required parameter: client_id")
        app = self.deployment.oauth_apps.get(client_id.lower())
        if app is None:
            raise _bad_client()
        return app

    def _authenticated_app(self, client_id: str, client_secret: str) -> OAuthAppRecord:
        app = self._app(client_id)
        self._authenticate(app, client_secret)
        return app

    @staticmethod
    def _authenticate(app: OAuthAppRecord, client_secret: str) -> None:
        """A confidential app needs its secret (missing or wrong: 401 ``invalid_client``); a public
        one has none, so a secret sent for it cannot be right either."""
        if app.client_secret is None:
            if client_secret:
                raise _bad_client()
            return
        if not client_secret or not hmac.compare_digest(app.client_secret.encode(), client_secret.encode()):
            raise _bad_client()

    def _now(self) -> datetime:
        return self.deployment.now()


def _client_credentials(form: Mapping[str, str], basic: tuple[str, str] | None) -> tuple[str, str]:
    """Form fields or HTTP Basic (RFC 6749 2.3.1); both given and different is an error."""
    client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
    if basic is None or not basic[0]:
        return client_id, client_secret
    if (client_id and client_id != basic[0]) or (client_secret and client_secret != basic[1]):
        raise _invalid_request("Conflicting client credentials between Authorization header and request body")
    return basic


def _with_query(url: str, extra: Mapping[str, str]) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(extra.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))
