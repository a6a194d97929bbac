"""Signing in with Coder's OAuth2 provider: authorization code, PKCE (S256) and ``state``.

1. ``OAuthSignIn.start()`` checks that the deployment offers OAuth2 (403: the ``oauth2`` experiment
   is off, and the message points to token linking), opens the loopback listener and returns the
   authorize URL for the browser.
2. ``OAuthSignIn.finish()`` waits for the browser's redirect, refuses another ``state``, exchanges
   the code at ``/oauth2/tokens``, checks the token with ``users/me`` and stores access token,
   refresh token and expiry in the keyring.
3. ``refresh_if_due()`` trades the refresh token for new tokens shortly before the access token
   expires; ``revoke()`` revokes the grant at ``/oauth2/revoke`` on logout.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urlsplit

from coder_catalog.accounts.credentials import Credential, Secret
from coder_catalog.accounts.errors import (
    AccountError,
    OAuthFailed,
    OAuthNotConfigured,
    OAuthUnavailable,
    StateMismatch,
)
from coder_catalog.accounts.linking import LinkResult, check_token, deployment_origin
from coder_catalog.accounts.loopback import CALLBACK_PATH, LoopbackListener
from coder_catalog.accounts.store import CredentialStore, LinkedAccount, writable_store
from coder_catalog.coder.errors import CoderError, CoderHTTPError, Forbidden, NotFound
from coder_catalog.coder.oauth_client import CoderOAuthClient, OAuthApp, OAuthError, OAuthTokens
from coder_catalog.settings.model import AccessURLError, OAuthClient, origin_of

log = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(minutes=2)
SIGN_IN_TIMEOUT = 300.0


def oauth_app(settings_oauth: OAuthClient | None) -> OAuthApp:
    """The OAuth2 app from ``deployment.oauth``; :class:`OAuthNotConfigured` without a client id."""
    if settings_oauth is None or not settings_oauth.client_id:
        raise OAuthNotConfigured(
            "no OAuth2 client is configured: set deployment.oauth.clientId (and clientSecret) in "
            ".coder-catalog.yaml or the editor's settings (see docs/accounts.md), or link a session "
            "token instead (coder-catalog login, editor command coderCatalog.linkAccount)"
        )
    secret = settings_oauth.client_secret
    return OAuthApp(settings_oauth.client_id, Secret(secret) if secret else None)


def app_secret(settings_oauth: OAuthClient | None, client_id: str | None) -> Secret | None:
    """The client secret from the settings, only for the app that issued an account (``client_id``)."""
    if settings_oauth is None or not settings_oauth.client_secret or settings_oauth.client_id != client_id:
        return None
    return Secret(settings_oauth.client_secret)


def pkce_pair() -> tuple[str, str]:
    """``(verifier, challenge)`` for PKCE with S256 (RFC 7636)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def unavailable(url: str) -> OAuthUnavailable:
    return OAuthUnavailable(
        f"{url} does not offer OAuth2 sign-in (403: the deployment's oauth2 experiment is off). Link a "
        f"session token instead: get one at {url}/cli-auth, then run `coder-catalog login {url}` "
        "(editor: coderCatalog.linkAccount)"
    )


@dataclass(frozen=True)
class PendingSignIn:
    authorize_url: str
    redirect_uri: str


class OAuthSignIn:
    """One sign-in attempt for one deployment."""

    def __init__(
        self,
        access_url: str,
        app: OAuthApp,
        *,
        ca_bundle: str | None = None,
        env: Mapping[str, str] | None = None,
        allow_file_store: bool = False,
    ) -> None:
        self.access_url = access_url.rstrip("/")
        self.origin = deployment_origin(access_url)
        self.app = app
        self.ca_bundle = ca_bundle
        self.env = env
        self.allow_file_store = allow_file_store
        self._listener = LoopbackListener()
        self._state = secrets.token_urlsafe(32)
        self._verifier, self._challenge = pkce_pair()
        self._store: CredentialStore | None = None
        self._pending: PendingSignIn | None = None

    async def start(self) -> PendingSignIn:
        """Check the deployment and the store, listen, and give the authorize URL."""
        self._store = writable_store(self.env, allow_file=self.allow_file_store)
        authorize_endpoint = await self._authorize_endpoint()
        redirect_uri = await self._listener.start()
        query = urlencode(
            {
                "client_id": self.app.client_id,
                "response_type": "code",
                "redirect_uri": redirect_uri,
                "state": self._state,
                "code_challenge": self._challenge,
                "code_challenge_method": "S256",
            }
        )
        self._pending = PendingSignIn(f"{authorize_endpoint}?{query}", redirect_uri)
        return self._pending

    async def finish(self, timeout: float = SIGN_IN_TIMEOUT) -> LinkResult:
        """Wait for the browser, exchange the code, check and store the tokens."""
        assert self._pending is not None and self._store is not None, "start() first"
        try:
            callback = await self._listener.wait(timeout)
        except TimeoutError:
            raise OAuthFailed(
                f"no answer from the browser within {timeout:.0f} seconds; sign in again"
            ) from None
        code = self._code_from(callback.path, callback.params)
        tokens = await self._exchange(code)
        user = await check_token(self.access_url, tokens.access_token, ca_bundle=self.ca_bundle)
        account = LinkedAccount(
            origin=self.origin,
            token=tokens.access_token,
            method="oauth2",
            username=user.username,
            expires_at=tokens.expires_at,
            refresh_token=tokens.refresh_token,
            client_id=self.app.client_id,
            linked_at=datetime.now(UTC),
        )
        self._store.save(account)
        return LinkResult(account, self._store, user)

    def cancel(self) -> None:
        """Give up: the listener stops and a waiting :meth:`finish` is cancelled."""
        self._listener.cancel()

    async def _authorize_endpoint(self) -> str:
        async with CoderOAuthClient(self.access_url, ca_bundle=self.ca_bundle) as client:
            try:
                metadata = await client.metadata()
            except (Forbidden, NotFound):
                raise unavailable(self.access_url) from None
        endpoint = metadata.get("authorization_endpoint")
        if isinstance(endpoint, str) and _same_origin(endpoint, self.origin):
            return endpoint
        return client.authorize_url()  # never send the browser to another origin

    def _code_from(self, path: str, params: Mapping[str, str]) -> Secret:
        if path != CALLBACK_PATH:
            raise OAuthFailed("the browser came back to an unexpected address; sign in again")
        if not secrets.compare_digest(params.get("state", ""), self._state):
            raise StateMismatch(
                "the sign-in answer carried a state that this sign-in did not send; it was refused "
                "(possibly forged). Sign in again"
            )
        if params.get("error"):
            described = params.get("error_description") or params["error"]
            raise OAuthFailed(f"{self.access_url} did not authorize coder-catalog: {described[:200]}")
        code = params.get("code", "")
        if not code:
            raise OAuthFailed("the sign-in answer carried no authorization code; sign in again")
        return Secret(code)

    async def _exchange(self, code: Secret) -> OAuthTokens:
        assert self._pending is not None
        async with CoderOAuthClient(self.access_url, ca_bundle=self.ca_bundle) as client:
            try:
                return await client.exchange_code(self.app, code, self._verifier, self._pending.redirect_uri)
            except Forbidden:
                raise unavailable(self.access_url) from None
            except OAuthError as exc:
                raise OAuthFailed(f"{self.access_url} refused the authorization code ({exc})") from None


def is_due(expires_at: datetime | None, now: datetime | None = None) -> bool:
    """True when an access token expires within :data:`REFRESH_MARGIN` (or has expired)."""
    if expires_at is None:
        return False
    return expires_at - REFRESH_MARGIN <= (now or datetime.now(UTC))


async def refresh_account(
    account: LinkedAccount,
    store: CredentialStore,
    *,
    access_url: str,
    client_secret: Secret | None = None,
    ca_bundle: str | None = None,
) -> LinkedAccount:
    """New tokens for an OAuth2 account (stored at once); :class:`OAuthFailed` when refused."""
    if account.refresh_token is None or not account.client_id:
        raise OAuthFailed(f"the sign-in for {account.origin} cannot be renewed; sign in again")
    app = OAuthApp(account.client_id, client_secret)
    async with CoderOAuthClient(access_url, ca_bundle=ca_bundle) as client:
        try:
            tokens = await client.refresh(app, account.refresh_token)
        except Forbidden:
            raise unavailable(access_url) from None
        except OAuthError as exc:
            raise OAuthFailed(
                f"{access_url} refused to renew the sign-in ({exc.message}); sign in again"
            ) from None
    renewed = replace(
        account,
        token=tokens.access_token,
        refresh_token=tokens.refresh_token or account.refresh_token,
        expires_at=tokens.expires_at,
    )
    store.save(renewed)
    return renewed


async def refresh_if_due(
    access_url: str,
    *,
    env: Mapping[str, str] | None = None,
    settings_oauth: OAuthClient | None = None,
    ca_bundle: str | None = None,
    now: datetime | None = None,
) -> Credential | None:
    """The credential for ``access_url``; a linked OAuth2 one is renewed first when it is due (with
    the client secret of ``settings_oauth`` when it is the same app).

    A renewal that fails is logged (without any token) and the stored credential is returned."""
    from coder_catalog.accounts.credentials import resolve_credential
    from coder_catalog.accounts.store import load_linked

    credential = resolve_credential(access_url, env)
    if credential is None or not credential.is_linked or credential.method != "oauth2":
        return credential
    if not is_due(credential.expires_at, now):
        return credential
    found = load_linked(credential.origin, env)
    if found is None:
        return credential
    account, store = found
    try:
        renewed = await refresh_account(
            account,
            store,
            access_url=access_url,
            client_secret=app_secret(settings_oauth, account.client_id),
            ca_bundle=ca_bundle,
        )
    except (AccountError, CoderError) as exc:
        log.warning("renewing the sign-in for %s failed: %s", credential.origin, _reason(exc))
        return credential
    return Credential(credential.origin, renewed.token, store.kind, "oauth2", renewed.expires_at)


def current_credential(
    access_url: str, *, settings_oauth: OAuthClient | None = None, ca_bundle: str | None = None
) -> Credential | None:
    """:func:`refresh_if_due` for synchronous callers: renews a due OAuth2 token when no event loop
    runs in this thread, else gives the stored credential as it is."""
    from coder_catalog.accounts.credentials import resolve_credential

    credential = resolve_credential(access_url)
    if credential is None or not (credential.is_linked and is_due(credential.expires_at)):
        return credential
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(refresh_if_due(access_url, settings_oauth=settings_oauth, ca_bundle=ca_bundle))
    return credential


async def revoke(
    account: LinkedAccount,
    *,
    access_url: str,
    client_secret: Secret | None = None,
    ca_bundle: str | None = None,
) -> bool:
    """Revoke an OAuth2 grant (its refresh token, else its access token); False when it could not."""
    if account.method != "oauth2" or not account.client_id:
        return False
    app = OAuthApp(account.client_id, client_secret)
    token = account.refresh_token or account.token
    try:
        async with CoderOAuthClient(access_url, ca_bundle=ca_bundle) as client:
            await client.revoke(app, token)
    except CoderError as exc:
        log.info("revoking the sign-in for %s failed: %s", account.origin, _reason(exc))
        return False
    return True


def _reason(exc: Exception) -> str:
    if isinstance(exc, CoderHTTPError):
        return f"{exc.status}: {exc.message}"
    return str(exc)


def _same_origin(url: str, origin: str) -> bool:
    try:
        return origin_of(url) == origin and bool(urlsplit(url).path)
    except AccessURLError:
        return False
