"""Credentials and where they come from.

Order (a later issue adds linked accounts in the OS keyring between 1 and 2):
1. ``CODER_SESSION_TOKEN``, for the deployment in use;
2. the Coder CLI's ``session`` file, only when the CLI's ``url`` file names the same deployment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from coder_catalog.settings.coder_cli import coder_cli_config_dir, read_coder_cli_url
from coder_catalog.settings.model import AccessURLError, origin_of


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
    source: str  # "env:CODER_SESSION_TOKEN" | "coder-cli" | later: "keyring" | "oauth2"

    def belongs_to(self, url: str) -> bool:
        try:
            return origin_of(url) == self.origin
        except AccessURLError:
            return False


def resolve_credential(access_url: str | None, env: Mapping[str, str] | None = None) -> Credential | None:
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
        return Credential(origin, Secret(token), "env:CODER_SESSION_TOKEN")
    cli_url = read_coder_cli_url(environ)
    if cli_url and _same_origin(cli_url, origin):
        session = _read_text(coder_cli_config_dir(environ) / "session")
        if session:
            return Credential(origin, Secret(session), "coder-cli")
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
