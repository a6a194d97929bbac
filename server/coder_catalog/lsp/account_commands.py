"""The account commands of the language server (``workspace/executeCommand``).

- ``coderCatalog.linkAccount``: ``[token, url?, {"allowFileStore"?}]`` or ``[{"token", "url"?,
  "allowFileStore"?}]``; editors collect the token themselves (a password input). The token is
  checked with ``users/me`` and kept in the OS keyring for the deployment's origin.
- ``coderCatalog.signInWithOAuth``: ``[url?]`` or ``[{"url"?, "allowFileStore"?}]``; opens Coder's
  authorize page (``window/showDocument`` when the editor supports it, else a message with the
  address) and answers at once with ``{"status": "waitingForBrowser", "authorizeUrl", ...}``; the
  outcome is shown as a message when the browser comes back.
- ``coderCatalog.unlinkAccount``: ``[url?]``; forgets (and for OAuth2 revokes) the linked account.
- ``coderCatalog.accountStatus``: ``[url?]``; which credential applies and whom it signs in.

Without a URL the deployment of the open catalog documents (or the workspace folder) is meant.
Every command answers a JSON object with a ``status``; a failure is also shown to the user. After a
link or an unlink the deployment's template checks start again. No answer, message or log line
ever contains a token.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from coder_catalog.accounts.credentials import Credential, resolve_credential
from coder_catalog.accounts.errors import AccountError, NoKeyring, OAuthUnavailable
from coder_catalog.accounts.linking import account_status, deployment_origin, link_token, unlink
from coder_catalog.accounts.oauth import (
    REFRESH_MARGIN,
    OAuthSignIn,
    is_due,
    oauth_app,
    renew_if_due,
    revoke,
)
from coder_catalog.coder.errors import CoderError
from coder_catalog.settings import Settings, SettingsError

if TYPE_CHECKING:
    from coder_catalog.lsp.server import CatalogServer

log = logging.getLogger(__name__)

LINK = "coderCatalog.linkAccount"
SIGN_IN = "coderCatalog.signInWithOAuth"
UNLINK = "coderCatalog.unlinkAccount"
STATUS = "coderCatalog.accountStatus"
TOLD_PREFIXES = ("credential:", "unauthorized:", "renewal:")

Result = dict[str, Any]


@dataclass
class Request:
    """A command's arguments: positional strings and/or one options object."""

    token: str | None = None
    url: str | None = None
    allow_file_store: bool = False

    @classmethod
    def parse(cls, args: Sequence[Any], *, takes_token: bool) -> Request:
        options: dict[str, Any] = {}
        strings: list[str] = []
        for arg in args:
            if isinstance(arg, dict):
                options.update(arg)
            elif isinstance(arg, str):
                strings.append(arg)
        if takes_token and strings:
            options.setdefault("token", strings.pop(0))
        if strings:
            options.setdefault("url", strings[0])
        token, url = options.get("token"), options.get("url")
        return cls(
            token=token if isinstance(token, str) else None,
            url=url if isinstance(url, str) and url.strip() else None,
            allow_file_store=options.get("allowFileStore") is True,
        )


@dataclass
class Target:
    url: str
    origin: str
    settings: Settings | None


@dataclass
class Accounts:
    """The server's account state: OAuth2 sign-ins waiting for the browser, scheduled renewals."""

    ls: CatalogServer
    _sign_ins: dict[str, OAuthSignIn] = field(default_factory=dict)
    _tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    _renewals: dict[str, asyncio.TimerHandle | asyncio.Task[Any]] = field(default_factory=dict)
    _renewal_failed: set[str] = field(default_factory=set)

    # -- credentials for the template providers ------------------------------------------------------

    def credential_for(self, url: str) -> Credential | None:
        credential = resolve_credential(url)
        if credential is not None and credential.is_linked and credential.method == "oauth2":
            self._schedule_renewal(url, credential)
        return credential

    def _schedule_renewal(self, url: str, credential: Credential) -> None:
        origin = credential.origin
        if credential.expires_at is None or origin in self._renewals or origin in self._renewal_failed:
            return
        delay = (credential.expires_at - REFRESH_MARGIN - datetime.now(UTC)).total_seconds()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._renewals[origin] = loop.call_later(max(0.0, delay), self._start_renewal, url, origin)

    def _start_renewal(self, url: str, origin: str) -> None:
        self._renewals[origin] = self._spawn(self._renew(url, origin))

    async def _renew(self, url: str, origin: str) -> None:
        settings = self._settings_for(url)
        before = resolve_credential(url)
        if before is not None and not is_due(before.expires_at):  # woke up early: wait again
            self._renewals.pop(origin, None)
            self._schedule_renewal(url, before)
            return
        try:
            renewal = await renew_if_due(
                url,
                settings_oauth=settings.oauth if settings else None,
                ca_bundle=settings.ca_bundle if settings else None,
            )
        finally:
            self._renewals.pop(origin, None)
        credential = renewal.credential
        if credential is None or not credential.is_linked:
            return
        if before is not None and credential.token == before.token:
            self._renewal_failed.add(origin)
            self.ls._notify_once(f"renewal:{origin}", _renewal_failed(origin, renewal.failure))
            return
        log.info("renewed the OAuth2 sign-in for %s", origin)
        self.ls.providers.reload_deployment(origin)

    def _forget_renewal(self, origin: str) -> None:
        pending = self._renewals.pop(origin, None)
        if pending is not None:
            pending.cancel()
        self._renewal_failed.discard(origin)

    # -- the commands ------------------------------------------------------------------------------

    async def link(self, args: Sequence[Any]) -> Result:
        request = Request.parse(args, takes_token=True)
        target = self._target(request)
        if isinstance(target, dict):
            return target
        try:
            result = await link_token(
                target.url,
                request.token or "",
                ca_bundle=_ca_bundle(target),
                allow_file_store=request.allow_file_store,
            )
        except (AccountError, CoderError) as exc:
            return self._failed(target, exc)
        self._credential_changed(target.origin)
        message = (
            f"coder-catalog: linked {result.user.username} on {target.origin}; "
            f"the token is kept in {result.store.description}."
        )
        self._tell(types.MessageType.Info, message)
        return {
            "status": "linked",
            "deployment": target.origin,
            "user": result.user.username,
            "store": result.store.kind,
            "message": message,
        }

    async def sign_in(self, args: Sequence[Any]) -> Result:
        request = Request.parse(args, takes_token=False)
        target = self._target(request)
        if isinstance(target, dict):
            return target
        try:
            app = oauth_app(target.settings.oauth if target.settings else None)
            sign_in = OAuthSignIn(
                target.url, app, ca_bundle=_ca_bundle(target), allow_file_store=request.allow_file_store
            )
            pending = await sign_in.start()
        except (AccountError, CoderError) as exc:
            return self._failed(target, exc)
        previous = self._sign_ins.pop(target.origin, None)
        if previous is not None:
            previous.cancel()
        self._sign_ins[target.origin] = sign_in
        self._spawn(self._finish_sign_in(target, sign_in))
        opened = await self._open_in_browser(target, pending.authorize_url)
        return {
            "status": "waitingForBrowser",
            "deployment": target.origin,
            "authorizeUrl": pending.authorize_url,
            "opened": opened,
        }

    async def unlink(self, args: Sequence[Any]) -> Result:
        request = Request.parse(args, takes_token=False)
        target = self._target(request)
        if isinstance(target, dict):
            return target
        try:
            result, accounts = await asyncio.to_thread(unlink, target.url)
        except AccountError as exc:
            return self._failed(target, exc)
        revoked = False
        for account in accounts:
            revoked |= await revoke(
                account,
                access_url=target.url,
                settings_oauth=target.settings.oauth if target.settings else None,
                ca_bundle=_ca_bundle(target),
            )
        self._credential_changed(target.origin)
        if result.removed_from:
            message = f"coder-catalog: unlinked {target.origin}" + (
                " and revoked the sign-in." if revoked else "."
            )
        else:
            message = f"coder-catalog: no account is linked with coder-catalog for {target.origin}."
        if result.remaining is not None:
            message += f" Still signed in there through {result.remaining.describe_source()}."
        self._tell(types.MessageType.Info, message)
        return {
            "status": "unlinked" if result.removed_from else "notLinked",
            "deployment": target.origin,
            "revoked": revoked,
            "remainingSource": result.remaining.source if result.remaining else None,
            "message": message,
        }

    async def status(self, args: Sequence[Any]) -> Result:
        request = Request.parse(args, takes_token=False)
        target = self._target(request, tell=False)  # a status query (e.g. for a status bar) never pops up
        if isinstance(target, dict):
            return target
        try:
            found = await account_status(target.url, ca_bundle=_ca_bundle(target))
        except AccountError as exc:
            return self._failed(target, exc, tell=False)
        return {"status": "ok", **found.to_dict(), "linked": found.linked is not None}

    # -- helpers -------------------------------------------------------------------------------------

    async def _finish_sign_in(self, target: Target, sign_in: OAuthSignIn) -> None:
        try:
            result = await sign_in.finish()
        except (AccountError, CoderError) as exc:
            self._failed(target, exc)
            return
        finally:
            if self._sign_ins.get(target.origin) is sign_in:
                del self._sign_ins[target.origin]
        self._credential_changed(target.origin)
        self._tell(
            types.MessageType.Info,
            f"coder-catalog: signed in to {target.origin} as {result.user.username} with OAuth2; "
            f"kept in {result.store.description}.",
        )

    async def _open_in_browser(self, target: Target, url: str) -> bool:
        window = self.ls.client_capabilities.window
        if window is not None and window.show_document is not None and window.show_document.support:
            try:
                shown = await self.ls.window_show_document_async(
                    types.ShowDocumentParams(uri=url, external=True)
                )
                if shown.success:
                    return True
            except Exception:
                log.info("the editor did not open the sign-in page", exc_info=True)
        self._tell(
            types.MessageType.Info,
            f"coder-catalog: open this address in your browser to sign in to {target.origin}: {url}",
        )
        return False

    def _target(self, request: Request, *, tell: bool = True) -> Target | Result:
        settings = self._settings_for(request.url)
        url = request.url or (settings.access_url if settings else None)
        if not url:
            return self._failed(
                None,
                AccountError(
                    "no Coder deployment is configured: give its URL, or set deployment.accessUrl in the "
                    "settings or .coder-catalog.yaml"
                ),
                tell=tell,
            )
        try:
            origin = deployment_origin(url)
        except AccountError as exc:
            return self._failed(None, exc, tell=tell)
        if settings is not None and settings.access_origin != origin:
            settings = None
        return Target(url.strip().rstrip("/"), origin, settings)

    def _settings_for(self, url: str | None) -> Settings | None:
        """The settings of an open catalog document on that deployment (any deployment when ``url`` is
        None), else those of the workspace folder."""
        try:
            wanted = deployment_origin(url) if url else None
        except AccountError:
            return None
        for document in self.ls.catalog.documents.values():
            settings = document.settings
            if document.is_catalog and settings.access_url and wanted in (None, settings.access_origin):
                return settings
        root = _workspace_root(self.ls)
        found = self.ls.catalog.settings_for(os.path.join(root, "catalog-info.yaml") if root else None)
        if isinstance(found, SettingsError) or not found.access_url:
            return None
        return found if wanted in (None, found.access_origin) else None

    def _credential_changed(self, origin: str) -> None:
        self._forget_renewal(origin)
        for prefix in TOLD_PREFIXES:
            self.ls.forget_told(prefix)
        self.ls.providers.reload_deployment(origin)

    def _failed(self, target: Target | None, exc: Exception, *, tell: bool = True) -> Result:
        message = exc.message if isinstance(exc, AccountError) else str(exc)
        if tell:
            self._tell(types.MessageType.Error, f"coder-catalog: {message}")
        result: Result = {
            "status": "failed",
            "deployment": target.origin if target else None,
            "message": message,
        }
        if isinstance(exc, NoKeyring):
            result["needsFileStoreConsent"] = True
        return result

    def _tell(self, kind: types.MessageType, message: str) -> None:
        try:
            self.ls.window_show_message(types.ShowMessageParams(type=kind, message=message))
        except Exception:
            log.info("%s", message)

    def _spawn(self, work: Any) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task


def _workspace_root(ls: CatalogServer) -> str | None:
    try:
        return ls.workspace.root_path
    except RuntimeError:
        return None


def _ca_bundle(target: Target) -> str | None:
    return target.settings.ca_bundle if target.settings else None


def _renewal_failed(origin: str, failure: Exception | None) -> str:
    """Why the OAuth2 sign-in of ``origin`` was not renewed, and what to do about it."""
    message = f"coder-catalog: the OAuth2 sign-in for {origin} could not be renewed"
    how = f"the command {SIGN_IN} (or `coder-catalog login --oauth`)"
    if isinstance(failure, OAuthUnavailable):  # the provider is off: signing in again would not help
        return f"{message}: {failure.message}."
    if isinstance(failure, AccountError):
        return f"{message}: {failure.message}. Use {how}."
    reason = f" ({failure})" if failure is not None else ""
    return f"{message}{reason}; sign in again with {how}."


def register(server: CatalogServer) -> Accounts:
    """Add the account commands to the server and give its template providers OAuth2 renewal."""
    accounts = Accounts(server)
    server.providers.credential_for = accounts.credential_for

    @server.command(LINK)
    async def link_account(ls: LanguageServer, *args: Any) -> Result:
        return await accounts.link(args)

    @server.command(SIGN_IN)
    async def sign_in_with_oauth(ls: LanguageServer, *args: Any) -> Result:
        return await accounts.sign_in(args)

    @server.command(UNLINK)
    async def unlink_account(ls: LanguageServer, *args: Any) -> Result:
        return await accounts.unlink(args)

    @server.command(STATUS)
    async def account_status_command(ls: LanguageServer, *args: Any) -> Result:
        return await accounts.status(args)

    return accounts
