"""``coder-catalog login|logout|whoami``: link a Coder account once per deployment.

``login [URL]`` prints the token page (``<accessUrl>/cli-auth``), reads the token without echo (or
from stdin with ``--token-stdin``), checks it with ``users/me`` and keeps it in the OS keyring;
``--oauth`` signs in with Coder's OAuth2 provider in the browser instead. ``logout [URL]`` forgets
(and, for OAuth2, revokes) it; ``whoami [URL]`` says who is signed in, with which credential.
No token is ever printed.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from coder_catalog.accounts.errors import (
    AccountError,
    MalformedToken,
    NoKeyring,
    OAuthNotConfigured,
)
from coder_catalog.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
    CommandError,
    settings_from_args,
)

if TYPE_CHECKING:
    from coder_catalog.accounts.credentials import Credential
    from coder_catalog.accounts.linking import LinkResult
    from coder_catalog.coder.models import User
    from coder_catalog.settings import Settings

# The accounts, the keyring, the Coder client and asyncio are imported by the functions that use
# them, not when the parser is built (issue 18).

T = TypeVar("T")
_USAGE_ERRORS = (MalformedToken, NoKeyring, OAuthNotConfigured)


def register(commands: Any) -> None:
    login = commands.add_parser(
        "login", help="link a Coder account (session token or OAuth2) for a deployment"
    )
    _add_url(login)
    login.add_argument("--token-stdin", action="store_true", help="read the session token from stdin")
    login.add_argument(
        "--oauth", action="store_true", help="sign in with Coder's OAuth2 provider in the browser"
    )
    login.add_argument(
        "--no-browser",
        action="store_true",
        help="with --oauth: print the sign-in address instead of opening it",
    )
    login.add_argument(
        "--timeout", type=float, default=300.0, metavar="SECONDS", help="with --oauth: how long to wait"
    )
    login.add_argument(
        "--allow-file-store",
        action="store_true",
        help="without an OS keyring, keep the credential in a 0600 file in your config dir (not encrypted)",
    )
    login.set_defaults(run=run_login)

    logout = commands.add_parser("logout", help="forget (and revoke) the account linked for a deployment")
    _add_url(logout)
    logout.set_defaults(run=run_logout)

    whoami = commands.add_parser("whoami", help="show who is signed in to a deployment, and with what")
    _add_url(whoami)
    whoami.add_argument("--json", action="store_true", help="print JSON")
    whoami.set_defaults(run=run_whoami)


def _add_url(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "url", nargs="?", metavar="URL", help="the Coder deployment (default: from the settings)"
    )
    parser.add_argument(
        "--ca-bundle", metavar="PEM", help="CA bundle to verify the deployment's TLS certificate"
    )


def _deployment(args: argparse.Namespace) -> tuple[Settings, str]:
    settings = settings_from_args(args)
    if not settings.access_url:
        raise CommandError(
            "no Coder deployment is given: pass its URL (coder-catalog login https://coder.example.com), "
            "set CODER_URL, or set deployment.accessUrl in .coder-catalog.yaml"
        )
    return _own_oauth_app(args, settings), settings.access_url


def _own_oauth_app(args: argparse.Namespace, settings: Settings) -> Settings:
    """Drop ``deployment.oauth`` when the URL given on the command line is another deployment than
    the one the settings name: its client secret must not go to another deployment."""
    from dataclasses import replace

    from coder_catalog.settings import SettingsError, resolve_settings

    if settings.oauth is None or not args.url:
        return settings
    try:
        configured = resolve_settings().access_origin
    except SettingsError:
        configured = None
    return settings if configured == settings.access_origin else replace(settings, oauth=None)


def _run(call: Coroutine[Any, Any, T]) -> T:
    """Run an account call, turning its failures into command errors with the right exit code."""
    import asyncio

    from coder_catalog.coder.errors import CoderError, CoderUnreachable

    try:
        return asyncio.run(call)
    except _USAGE_ERRORS as exc:
        raise CommandError(exc.message, EXIT_USAGE) from None
    except AccountError as exc:
        raise CommandError(exc.message, EXIT_FAILED) from None
    except CoderUnreachable as exc:
        raise CommandError(str(exc), EXIT_UNREACHABLE) from None
    except CoderError as exc:
        raise CommandError(str(exc), EXIT_FAILED) from None


# -- login -----------------------------------------------------------------------------------------


def run_login(args: argparse.Namespace) -> int:
    from coder_catalog.accounts.linking import link_token

    settings, url = _deployment(args)
    if args.oauth:
        result = _run(_oauth_login(args, settings, url))
    else:
        token = _read_token(args, url)
        result = _run(
            link_token(url, token, ca_bundle=settings.ca_bundle, allow_file_store=args.allow_file_store)
        )
    _print_linked(result, url)
    return EXIT_OK


def _read_token(args: argparse.Namespace, url: str) -> str:
    from coder_catalog.accounts.linking import token_page

    if args.token_stdin:
        return sys.stdin.readline()
    print(
        f"Get a session token at {token_page(url)} (sign in there if asked), then paste it here.",
        file=sys.stderr,
    )
    try:
        return getpass.getpass("Session token (not shown): ")
    except EOFError:
        return ""


async def _oauth_login(args: argparse.Namespace, settings: Settings, url: str) -> LinkResult:
    import asyncio
    import webbrowser

    from coder_catalog.accounts.oauth import OAuthSignIn, oauth_app

    sign_in = OAuthSignIn(
        url, oauth_app(settings.oauth), ca_bundle=settings.ca_bundle, allow_file_store=args.allow_file_store
    )
    pending = await sign_in.start()
    try:
        opened = False
        if not args.no_browser:
            print(f"Opening the sign-in page of {url} in your browser...", file=sys.stderr)
            opened = await asyncio.to_thread(webbrowser.open, pending.authorize_url)
        if not opened:
            print(
                f"Open this address in your browser to sign in:\n  {pending.authorize_url}", file=sys.stderr
            )
        print(f"Waiting for the browser (at most {args.timeout:.0f} seconds)...", file=sys.stderr)
        return await sign_in.finish(timeout=args.timeout)
    finally:
        sign_in.cancel()


def _print_linked(result: LinkResult, url: str) -> None:
    how = "signed in with OAuth2" if result.account.method == "oauth2" else "linked a session token"
    print(
        f"Linked {result.user.username} on {result.account.origin} ({how}); kept in {result.store.description}."
    )
    if result.account.expires_at is not None:
        print(f"The access token expires {_when(result.account.expires_at)}; it is renewed before then.")


# -- logout ----------------------------------------------------------------------------------------


def run_logout(args: argparse.Namespace) -> int:
    import asyncio

    from coder_catalog.accounts.linking import unlink
    from coder_catalog.accounts.oauth import revoke

    settings, url = _deployment(args)
    try:
        result, accounts = unlink(url)
    except AccountError as exc:
        raise CommandError(exc.message, EXIT_FAILED) from None
    revoked = False
    for account in accounts:
        revoked |= asyncio.run(
            revoke(account, access_url=url, settings_oauth=settings.oauth, ca_bundle=settings.ca_bundle)
        )
    if not result.removed_from:
        print(f"No account is linked with coder-catalog for {result.origin}.")
    else:
        print(f"Unlinked {result.origin}: removed from {', '.join(result.removed_from)}.")
        if revoked:
            print("The OAuth2 sign-in was revoked on the deployment.")
    if result.remaining is not None:
        print(f"Still signed in there through {result.remaining.describe_source()}.")
    return EXIT_OK


# -- whoami ----------------------------------------------------------------------------------------


def run_whoami(args: argparse.Namespace) -> int:
    from coder_catalog.accounts.linking import token_page
    from coder_catalog.accounts.oauth import refresh_if_due

    settings, url = _deployment(args)
    credential = _run(refresh_if_due(url, settings_oauth=settings.oauth, ca_bundle=settings.ca_bundle))
    if credential is None:
        raise CommandError(
            f"not signed in to {url}: run `coder-catalog login {url}` (token from {token_page(url)}), "
            "set CODER_SESSION_TOKEN, or sign in with `coder login`",
            EXIT_FAILED,
        )
    user = _run(_me(url, credential, settings.ca_bundle))
    if args.json:
        print(json.dumps(_whoami_data(credential, user), indent=2))
        return EXIT_OK
    print(f"Deployment: {credential.origin}")
    print(f"User:       {user.username}" + (f" ({user.name})" if user.name else ""))
    print(
        f"Credential: {credential.describe_source()}"
        + (" via OAuth2" if credential.method == "oauth2" else "")
    )
    if credential.expires_at is not None:
        print(f"Expires:    {_when(credential.expires_at)}")
    return EXIT_OK


async def _me(url: str, credential: Credential, ca_bundle: str | None) -> User:
    from coder_catalog.coder.client import CoderClient
    from coder_catalog.coder.errors import Unauthorized

    async with CoderClient(url, credential, ca_bundle=ca_bundle) as client:
        try:
            return await client.me()
        except Unauthorized as exc:
            raise AccountError(
                f"{url} rejected the credential from {credential.describe_source()} (401: {exc.detail or exc.message}); "
                f"sign in again with `coder-catalog login {url}`"
            ) from None


def _whoami_data(credential: Credential, user: User) -> dict[str, Any]:
    return {
        "deployment": credential.origin,
        "user": user.username,
        "name": user.name,
        "source": credential.source,
        "sourceDescription": credential.describe_source(),
        "method": credential.method,
        "expiresAt": credential.expires_at.astimezone(UTC).isoformat() if credential.expires_at else None,
    }


def _when(moment: datetime) -> str:
    seconds = (moment - datetime.now(UTC)).total_seconds()
    stamp = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if seconds <= 0:
        return f"{stamp} (expired)"
    minutes = round(seconds / 60)
    return (
        f"{stamp} (in {minutes // 60} h {minutes % 60} min)"
        if minutes >= 60
        else f"{stamp} (in {minutes} min)"
    )
