"""Signing in with Coder's OAuth2 provider: authorization code, PKCE (S256) and ``state``.

1. ``OAuthSignIn.start()`` checks that the deployment offers OAuth2 (404 from the discovery document:
   its OAuth2 provider is off, and the message says how an admin turns it on and points to token
   linking), opens the loopback listener and returns the authorize URL for the browser.
2. ``OAuthSignIn.finish()`` waits for the browser's redirect, refuses another ``state``, exchanges
   the code at ``/oauth2/tokens``, checks the token with ``users/me`` and stores access token,
   refresh token, expiry and (for a confidential app) the client secret in the keyring.
3. ``refresh_if_due()`` trades the refresh token for new tokens shortly before the access token
   expires; ``revoke()`` revokes the grant at ``/oauth2/revoke`` on logout. Both authenticate as the
   app that issued the grant (:func:`account_app`): Coder refuses a confidential app without its
   secret (401 ``invalid_client``).
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
from coder_catalog.coder.errors import CoderError, CoderHTTPError
from coder_catalog.coder.oauth_client import (
    CoderOAuthClient,
    OAuthApp,
    OAuthError,
    OAuthProviderDisabled,
    OAuthTokens,
)
from coder_catalog.settings.model import AccessURLError, OAuthClient, origin_of

log = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(minutes=2)
SIGN_IN_TIMEOUT = 300.0
ENABLE_PROVIDER = (
    "An admin turns it on with `coder server --oauth2-provider-enable` (or CODER_OAUTH2_PROVIDER_ENABLE=true)"
)


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


def account_app(account: LinkedAccount, settings_oauth: OAuthClient | None = None) -> OAuthApp:
    """The app to refresh or revoke ``account`` as: the one that issued it, with its client secret when
    it is a confidential client. The secret comes from the settings when they name that same app (they
    are newer when the secret was rotated), else from what was stored at sign-in. The settings' secret
    never goes to an app other than the one it belongs to."""
    secret = account.client_secret
    if (
        settings_oauth is not None
        and settings_oauth.client_secret
        and settings_oauth.client_id == account.client_id
    ):
        secret = Secret(settings_oauth.client_secret)
    return OAuthApp(account.client_id or "", secret)


def pkce_pair() -> tuple[str, str]:
    """``(verifier, challenge)`` for PKCE with S256 (RFC 7636)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def unavailable(url: str, *, renewing: bool = False) -> OAuthUnavailable:
    """The deployment's OAuth2 provider is off: what that means, how an admin turns it on, and token
    linking meanwhile (never Coder's bare "Route not found.")."""
    what = "the OAuth2 sign-in cannot be renewed" if renewing else "OAuth2 sign-in is not available"
    return OAuthUnavailable(
        f"{url} has not enabled its OAuth2 provider, so {what}. {ENABLE_PROVIDER}. Meanwhile link a "
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
            client_secret=self.app.client_secret,
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
            except OAuthProviderDisabled:
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
            except OAuthProviderDisabled:  # turned off while the browser was open
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
    settings_oauth: OAuthClient | None = None,
    ca_bundle: str | None = None,
) -> LinkedAccount:
    """New tokens for an OAuth2 account (stored at once), as the app of :func:`account_app`;
    :class:`OAuthFailed` when refused, :class:`OAuthUnavailable` when the provider is off."""
    if account.refresh_token is None or not account.client_id:
        raise OAuthFailed(f"the sign-in for {account.origin} cannot be renewed; sign in again")
    app = account_app(account, settings_oauth)
    async with CoderOAuthClient(access_url, ca_bundle=ca_bundle) as client:
        try:
            tokens = await client.refresh(app, account.refresh_token)
        except OAuthProviderDisabled:
            raise unavailable(access_url, renewing=True) from None
        except OAuthError as exc:
            raise _refused(access_url, exc, app) from None
    renewed = replace(
        account,
        token=tokens.access_token,
        refresh_token=tokens.refresh_token or account.refresh_token,
        expires_at=tokens.expires_at,
        client_secret=app.client_secret,
    )
    store.save(renewed)
    return renewed


@dataclass(frozen=True)
class Renewal:
    """What :func:`renew_if_due` found: the credential to use and, when a due renewal failed, why."""

    credential: Credential | None
    failure: AccountError | CoderError | None = None


async def refresh_if_due(
    access_url: str,
    *,
    env: Mapping[str, str] | None = None,
    settings_oauth: OAuthClient | None = None,
    ca_bundle: str | None = None,
    now: datetime | None = None,
) -> Credential | None:
    """The credential for ``access_url``; a linked OAuth2 one is renewed first when it is due (as the
    app of :func:`account_app`). A renewal that fails is logged (without any token) and the stored
    credential is returned."""
    renewal = await renew_if_due(
        access_url, env=env, settings_oauth=settings_oauth, ca_bundle=ca_bundle, now=now
    )
    return renewal.credential


async def renew_if_due(
    access_url: str,
    *,
    env: Mapping[str, str] | None = None,
    settings_oauth: OAuthClient | None = None,
    ca_bundle: str | None = None,
    now: datetime | None = None,
) -> Renewal:
    """:func:`refresh_if_due` that also tells why a due renewal failed."""
    from coder_catalog.accounts.credentials import resolve_credential
    from coder_catalog.accounts.store import load_linked

    credential = resolve_credential(access_url, env)
    if credential is None or not credential.is_linked or credential.method != "oauth2":
        return Renewal(credential)
    if not is_due(credential.expires_at, now):
        return Renewal(credential)
    found = load_linked(credential.origin, env)
    if found is None:
        return Renewal(credential)
    account, store = found
    try:
        renewed = await refresh_account(
            account, store, access_url=access_url, settings_oauth=settings_oauth, ca_bundle=ca_bundle
        )
    except (AccountError, CoderError) as exc:
        log.warning("renewing the sign-in for %s failed: %s", credential.origin, _reason(exc))
        return Renewal(credential, exc)
    return Renewal(Credential(credential.origin, renewed.token, store.kind, "oauth2", renewed.expires_at))


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
    settings_oauth: OAuthClient | None = None,
    ca_bundle: str | None = None,
) -> bool:
    """Revoke an OAuth2 grant (its refresh token, else its access token) as the app of
    :func:`account_app`; False when it could not."""
    if account.method != "oauth2" or not account.client_id:
        return False
    app = account_app(account, settings_oauth)
    token = account.refresh_token or account.token
    try:
        async with CoderOAuthClient(access_url, ca_bundle=ca_bundle) as client:
            await client.revoke(app, token)
    except CoderError as exc:
        log.info("revoking the sign-in for %s failed: %s", account.origin, _reason(exc))
        return False
    return True


def _refused(url: str, exc: OAuthError, app: OAuthApp) -> OAuthFailed:
    described = exc.detail or exc.error
    if exc.error == "invalid_client":
        secret = "a wrong client secret" if app.client_secret else "no client secret"
        return OAuthFailed(
            f"{url} refused to renew the sign-in: the OAuth2 app {app.client_id} authenticated with "
            f"{secret} ({described}). Set its secret in deployment.oauth.clientSecret, then sign in again"
        )
    return OAuthFailed(f"{url} refused to renew the sign-in ({described}); sign in again")


def _reason(exc: Exception) -> str:
    if isinstance(exc, OAuthProviderDisabled):
        return f"{exc.message}. {ENABLE_PROVIDER}"
    if isinstance(exc, CoderHTTPError):
        return f"{exc.status}: {exc.message}"
    return str(exc)


def _same_origin(url: str, origin: str) -> bool:
    try:
        return origin_of(url) == origin and bool(urlsplit(url).path)
    except AccessURLError:
        return False
