"""The Coder CLI's keyring entry (``coder login`` on macOS and Windows, Coder 2.29+).

Service ``coder-v2-credentials``, account ``coder-login-credentials``; the secret is a JSON object
(base64-encoded on macOS) keyed by the lower-cased host (``host[:port]``), each value
``{"coder_url", "api_token"}``. ``coder_url`` is the full origin in new entries and the bare host
in older ones, which then belong to ``https://host``: a token is only used for its own origin.
"""

from __future__ import annotations

import base64
import binascii
import json
import sys
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from coder_catalog.accounts.credentials import Secret
from coder_catalog.settings.model import AccessURLError, origin_of

SERVICE = "coder-v2-credentials"
ACCOUNT = "coder-login-credentials"
_PLATFORMS = ("darwin", "win32")
_GO_KEYRING_PREFIX = "go-keyring-base64:"
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def coder_cli_keyring_token(
    origin: str, env: Mapping[str, str] | None = None, *, platform: str | None = None
) -> Secret | None:
    """The token the Coder CLI keeps in the OS keyring for ``origin`` (macOS and Windows only)."""
    if (platform or sys.platform) not in _PLATFORMS:
        return None
    from coder_catalog.accounts.store import usable_keyring

    backend = usable_keyring(env)
    if backend is None:
        return None
    return token_for_origin(_read_entry(backend), origin)


def _read_entry(backend: Any) -> str | None:
    try:
        text = backend.get_password(SERVICE, ACCOUNT)
        if text is None:  # Windows: the credential's target is the service name alone
            credential = backend.get_credential(SERVICE, None)
            text = credential.password if credential is not None else None
    except Exception:
        return None
    return text if isinstance(text, str) else None


def token_for_origin(entry: str | None, origin: str) -> Secret | None:
    """The ``api_token`` stored for ``origin``'s host, when it was issued by that very origin."""
    credentials = _decode(entry)
    parts = urlsplit(origin)
    host = parts.netloc.lower()
    keys = [host]
    if parts.port is None:  # also the host written with its default port
        keys.append(f"{host}:{_DEFAULT_PORTS.get(parts.scheme, '')}")
    for key in keys:
        item = credentials.get(key)
        if not isinstance(item, Mapping):
            continue
        token = item.get("api_token")
        if isinstance(token, str) and token.strip() and _stored_origin(item, key) == origin:
            return Secret(token.strip())
    return None


def _stored_origin(item: Mapping[str, Any], host: str) -> str | None:
    stored = item.get("coder_url")
    if isinstance(stored, str) and "://" in stored:
        try:
            return origin_of(stored)
        except AccessURLError:
            return None
    try:
        return origin_of(f"https://{host}")
    except AccessURLError:
        return None


def _decode(entry: str | None) -> dict[str, Any]:
    if not entry:
        return {}
    text = entry.strip()
    if text.startswith(_GO_KEYRING_PREFIX):
        text = text[len(_GO_KEYRING_PREFIX) :]
    for candidate in (text, _unbase64(text)):
        if not candidate:
            continue
        try:
            data = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(data, dict):
            return {str(key).strip().lower(): value for key, value in data.items()}
    return {}


def _unbase64(text: str) -> str | None:
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
