"""Credentials and where they come from.

Order, for the deployment in use (its origin: scheme, host and port):
1. ``CODER_SESSION_TOKEN``;
2. a credential linked with this tool (``coder-catalog login``), kept in the OS keyring under the
   deployment's origin (or, only where there is no keyring and the user opted in, in a 0600 file);
3. the Coder CLI's own login: its keyring entry ``coder-v2-credentials`` (macOS and Windows), then
   its ``session`` file, only when the CLI's ``url`` file names the same deployment.

A linked credential is looked up by origin, so a token is never offered to another deployment,
whatever a repository's configuration says; the Coder client refuses it as well.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from coder_catalog.settings.coder_cli import coder_cli_config_dir, read_coder_cli_url
from coder_catalog.settings.model import AccessURLError, origin_of

ENV_SOURCE = "env:CODER_SESSION_TOKEN"
KEYRING_SOURCE = "keyring"
FILE_SOURCE = "file"
CODER_CLI_SOURCE = "coder-cli"
CODER_CLI_KEYRING_SOURCE = "coder-cli:keyring"
LINKED_SOURCES = frozenset({KEYRING_SOURCE, FILE_SOURCE})

_DESCRIPTIONS = {
    ENV_SOURCE: "the CODER_SESSION_TOKEN environment variable",
    KEYRING_SOURCE: "linked with coder-catalog, kept in the OS keyring",
    FILE_SOURCE: "linked with coder-catalog, kept in a file (opt-in, no OS keyring)",
    CODER_CLI_SOURCE: "the Coder CLI's login (its session file)",
    CODER_CLI_KEYRING_SOURCE: "the Coder CLI's login (its OS keyring entry)",
}


class Secret:
    """A string that never shows itself in ``repr``, ``str``, f-strings or logs."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret cannot be pickled")


@dataclass(frozen=True)
class Credential:
    """A session token for exactly one deployment origin."""

    origin: str
    token: Secret
    source: str  # "env:CODER_SESSION_TOKEN" | "keyring" | "file" | "coder-cli" | "coder-cli:keyring"
    method: str = "token"  # "token" (a session token) | "oauth2" (an access token from OAuth2 sign-in)
    expires_at: datetime | None = None  # known for OAuth2 access tokens

    def belongs_to(self, url: str) -> bool:
        return _same_origin(url, self.origin)

    @property
    def is_linked(self) -> bool:
        """Linked with this tool (so ``coder-catalog logout`` can remove it)."""
        return self.source in LINKED_SOURCES

    def describe_source(self) -> str:
        return describe_source(self.source)


def describe_source(source: str) -> str:
    """Where a credential came from, in words."""
    return _DESCRIPTIONS.get(source, source)


def resolve_credential(
    access_url: str | None, env: Mapping[str, str] | None = None, *, platform: str | None = None
) -> Credential | None:
    """The credential to use for ``access_url``, or None when there is none."""
    if not access_url:
        return None
    environ = os.environ if env is None else env
    try:
        origin = origin_of(access_url)
    except AccessURLError:
        return None
    token = (environ.get("CODER_SESSION_TOKEN") or "").strip()
    if token:
        return Credential(origin, Secret(token), ENV_SOURCE)
    return _linked_credential(origin, environ) or _coder_cli_credential(origin, environ, platform)


def _linked_credential(origin: str, env: Mapping[str, str]) -> Credential | None:
    from coder_catalog.accounts.store import load_linked

    found = load_linked(origin, env)
    if found is None:
        return None
    account, store = found
    return Credential(origin, account.token, store.kind, account.method, account.expires_at)


def _coder_cli_credential(origin: str, env: Mapping[str, str], platform: str | None) -> Credential | None:
    from coder_catalog.accounts.coder_cli_login import coder_cli_keyring_token

    keyring_token = coder_cli_keyring_token(origin, env, platform=platform)
    if keyring_token is not None:
        return Credential(origin, keyring_token, CODER_CLI_KEYRING_SOURCE)
    cli_url = read_coder_cli_url(env)
    if cli_url and _same_origin(cli_url, origin):
        session = _read_text(coder_cli_config_dir(env) / "session")
        if session:
            return Credential(origin, Secret(session), CODER_CLI_SOURCE)
    return None


def _read_text(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text or None


def _same_origin(url: str, origin: str) -> bool:
    try:
        return origin_of(url) == origin
    except AccessURLError:
        return False
