"""Session tokens as Coder makes and checks them: ``<10-char id>-<22-char secret>``.

Only a hash of each secret is kept, as Coder does; tokens are generated with ``secrets`` at
run time and never written anywhere but to whoever asked for them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta

from coder_catalog.simulator.errors import (
    INVALID_KEY_DETAIL,
    INVALID_SECRET_DETAIL,
    NO_TOKEN_DETAIL,
    signed_out,
)

_ALPHABET = string.ascii_letters + string.digits
KEY_ID_LENGTH = 10
KEY_SECRET_LENGTH = 22


def random_text(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def split_token(token: str) -> tuple[str, str]:
    """Coder's ``SplitAPIToken``; raises ValueError with Coder's wording."""
    parts = token.split("-")
    if len(parts) != 2:
        raise ValueError(f"incorrect amount of API key parts, expected 2 got {len(parts)}")
    key_id, secret = parts
    if len(key_id) != KEY_ID_LENGTH:
        raise ValueError(f"invalid API key ID length, expected {KEY_ID_LENGTH} got {len(key_id)}")
    if len(secret) != KEY_SECRET_LENGTH:
        raise ValueError(f"invalid API key secret length, expected {KEY_SECRET_LENGTH} got {len(secret)}")
    return key_id, secret


def _hash(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


@dataclass(slots=True)
class ApiKey:
    id: str
    user_id: str
    hashed_secret: bytes
    expires_at: datetime
    login_type: str = "password"


class TokenStore:
    """API keys by id; ``verify`` answers with the user id or raises Coder's 401."""

    def __init__(self) -> None:
        self._keys: dict[str, ApiKey] = {}

    def issue(self, user_id: str, expires_at: datetime, login_type: str = "password") -> tuple[str, ApiKey]:
        key_id = random_text(KEY_ID_LENGTH)
        while key_id in self._keys:
            key_id = random_text(KEY_ID_LENGTH)
        secret = random_text(KEY_SECRET_LENGTH)
        key = ApiKey(key_id, user_id, _hash(secret), expires_at, login_type)
        self._keys[key_id] = key
        return f"{key_id}-{secret}", key

    def lookup(self, token: str) -> ApiKey | None:
        """The key a well-formed token with the right secret names, expired or not."""
        try:
            key_id, secret = split_token(token)
        except ValueError:
            return None
        key = self._keys.get(key_id)
        if key is None or not hmac.compare_digest(key.hashed_secret, _hash(secret)):
            return None
        return key

    def verify(self, token: str | None, now: datetime) -> ApiKey:
        if not token:
            raise signed_out(NO_TOKEN_DETAIL)
        try:
            key_id, secret = split_token(token)
        except ValueError as exc:
            raise signed_out(f"Invalid API key format: {exc}") from None
        key = self._keys.get(key_id)
        if key is None:
            raise signed_out(INVALID_KEY_DETAIL)
        if not hmac.compare_digest(key.hashed_secret, _hash(secret)):
            raise signed_out(INVALID_SECRET_DETAIL)
        if key.expires_at <= now:
            raise signed_out(f'API key expired at "{_go_time(key.expires_at)}".')
        return key

    def delete(self, key_id: str) -> None:
        self._keys.pop(key_id, None)

    def delete_user_keys(self, user_id: str) -> None:
        for key_id in [k.id for k in self._keys.values() if k.user_id == user_id]:
            del self._keys[key_id]

    @staticmethod
    def lifetime(now: datetime, seconds: float) -> datetime:
        return now + timedelta(seconds=seconds)


def _go_time(moment: datetime) -> str:
    """Go's ``time.Time.String()`` for a UTC time: ``2006-01-02 15:04:05.999999999 +0000 UTC``."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f").rstrip("0").rstrip(".") + " +0000 UTC"
