"""Linking a Coder account with a session token, unlinking it, and telling what is linked.

A token is refused before any request when it is not shaped like a Coder session token
(``<10-character id>-<22-character secret>``), then checked with ``GET /api/v2/users/me`` on its
own deployment, and only then stored (keyring, or the opt-in file store without one).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from coder_catalog.accounts.credentials import Credential, Secret, resolve_credential
from coder_catalog.accounts.errors import AccountError, MalformedToken, TokenRejected
from coder_catalog.accounts.store import (
    CredentialStore,
    LinkedAccount,
    load_linked,
    readable_stores,
    writable_store,
)
from coder_catalog.coder.client import CoderClient
from coder_catalog.coder.errors import CoderError, CoderUnreachable, Unauthorized
from coder_catalog.coder.models import User
from coder_catalog.settings.model import AccessURLError, origin_of

TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9]{10}-[A-Za-z0-9]{22}$")
CHECK_SOURCE = "being linked"


@dataclass(frozen=True)
class LinkResult:
    account: LinkedAccount
    store: CredentialStore
    user: User


@dataclass(frozen=True)
class UnlinkResult:
    origin: str
    removed_from: list[str] = field(default_factory=list)  # store descriptions
    revoked: bool = False
    remaining: Credential | None = None  # a credential from another source still in effect


@dataclass(frozen=True)
class AccountStatus:
    origin: str
    credential: Credential | None
    user: User | None = None
    problem: str | None = None
    linked: LinkedAccount | None = None

    def to_dict(self) -> dict[str, object]:
        """For the editor (``coderCatalog.accountStatus``): no token in it."""
        credential = self.credential
        return {
            "deployment": self.origin,
            "signedIn": credential is not None and self.problem is None,
            "source": credential.source if credential else None,
            "sourceDescription": credential.describe_source() if credential else None,
            "method": credential.method if credential else None,
            "expiresAt": _iso(credential.expires_at) if credential else None,
            "user": self.user.username if self.user else None,
            "problem": self.problem,
        }


def deployment_origin(url: str) -> str:
    try:
        return origin_of(url)
    except AccessURLError as exc:
        raise AccountError(str(exc)) from None


def token_page(url: str) -> str:
    """Where a user gets a session token: ``<accessUrl>/cli-auth``."""
    return url.rstrip("/") + "/cli-auth"


def parse_token(text: str, url: str = "") -> Secret:
    """The token pasted by the user, trimmed; :class:`MalformedToken` (naming no part of it) when it
    is not shaped like a Coder session token."""
    token = text.strip()
    if token.lower().startswith("coder-session-token:"):
        token = token.split(":", 1)[1].strip()
    if TOKEN_SHAPE.match(token):
        return Secret(token)
    where = f" (copy it from {token_page(url)})" if url else ""
    if not token:
        raise MalformedToken(f"no session token was given{where}")
    raise MalformedToken(
        f"that is not a Coder session token: one is 10 letters or digits, a dash, then 22 letters or "
        f"digits{where}; nothing was sent or stored"
    )


async def check_token(url: str, token: Secret, *, ca_bundle: str | None = None) -> User:
    """The user ``token`` signs in on ``url`` (``users/me``); :class:`TokenRejected` on 401."""
    credential = Credential(deployment_origin(url), token, CHECK_SOURCE)
    async with CoderClient(url, credential, ca_bundle=ca_bundle) as client:
        try:
            return await client.me()
        except Unauthorized as exc:
            detail = f": {exc.detail}" if exc.detail else ""
            raise TokenRejected(
                f"{url} rejected the token (401{detail}); get a new one at {token_page(url)}"
            ) from None


async def link_token(
    url: str,
    token_text: str,
    *,
    ca_bundle: str | None = None,
    env: Mapping[str, str] | None = None,
    allow_file_store: bool = False,
) -> LinkResult:
    """Check ``token_text`` and keep it for ``url``'s origin.

    Raises :class:`MalformedToken` (before any request), :class:`NoKeyring` (before any request),
    :class:`TokenRejected`, :class:`StoreFailed`, or a ``CoderError`` when the deployment cannot be
    reached."""
    token = parse_token(token_text, url)
    store = writable_store(env, allow_file=allow_file_store)
    user = await check_token(url, token, ca_bundle=ca_bundle)
    account = LinkedAccount(
        origin=deployment_origin(url),
        token=token,
        username=user.username,
        linked_at=datetime.now(UTC),
    )
    store.save(account)
    return LinkResult(account, store, user)


def linked_account(url: str, env: Mapping[str, str] | None = None) -> LinkedAccount | None:
    found = load_linked(deployment_origin(url), env)
    return found[0] if found else None


def unlink(url: str, env: Mapping[str, str] | None = None) -> tuple[UnlinkResult, list[LinkedAccount]]:
    """Remove what is linked for ``url``'s origin from every store; also gives the removed accounts
    (so an OAuth2 grant can be revoked)."""
    origin = deployment_origin(url)
    removed: list[str] = []
    accounts: list[LinkedAccount] = []
    for store in readable_stores(env):
        account = store.load(origin)
        if store.delete(origin):
            removed.append(store.description)
            if account is not None:
                accounts.append(account)
    remaining = resolve_credential(url, env)
    return UnlinkResult(origin, removed, False, remaining), accounts


async def account_status(
    url: str,
    *,
    env: Mapping[str, str] | None = None,
    ca_bundle: str | None = None,
    credential: Credential | None = None,
) -> AccountStatus:
    """Which credential applies to ``url`` and whom it signs in (asks ``users/me``)."""
    origin = deployment_origin(url)
    credential = credential or resolve_credential(url, env)
    linked = linked_account(url, env)
    if credential is None:
        return AccountStatus(origin, None, linked=linked)
    try:
        async with CoderClient(url, credential, ca_bundle=ca_bundle, timeout=10.0, max_retries=1) as client:
            user = await client.me()
    except Unauthorized:
        return AccountStatus(
            origin, credential, problem=f"{url} rejected this credential (401): sign in again", linked=linked
        )
    except CoderUnreachable as exc:
        return AccountStatus(origin, credential, problem=exc.message, linked=linked)
    except CoderError as exc:
        return AccountStatus(origin, credential, problem=str(exc), linked=linked)
    return AccountStatus(origin, credential, user, linked=linked)


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None
