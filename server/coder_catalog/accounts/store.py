"""Where credentials linked with coder-catalog are kept.

- The OS keyring (Secret Service, macOS Keychain, Windows Credential Locker) through ``keyring``:
  service ``coder-catalog``, user name = the deployment's origin, secret = a small JSON object.
- Only where no keyring backend is available, and only when the user opted in
  (``--allow-file-store``, the editor command's ``allowFileStore``, or ``CODER_CATALOG_FILE_STORE=1``):
  ``credentials.json`` in the user's config dir, mode 0600. It is never written silently.

A backend of ``keyrings.alt`` (files, some of them plaintext) counts as a keyring only when chosen
on purpose (``PYTHON_KEYRING_BACKEND`` or keyring's config file), never because it was installed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import stat
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coder_catalog.accounts.credentials import FILE_SOURCE, KEYRING_SOURCE, Secret
from coder_catalog.accounts.errors import NoKeyring, StoreFailed

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

SERVICE = "coder-catalog"
APP_DIR = "coder-catalog"
FILE_NAME = "credentials.json"
FILE_STORE_ENV = "CODER_CATALOG_FILE_STORE"
_FORMAT = 1


@dataclass(frozen=True)
class LinkedAccount:
    """A credential linked with this tool for one deployment origin."""

    origin: str
    token: Secret
    method: str = "token"  # "token" | "oauth2"
    username: str | None = None
    expires_at: datetime | None = None
    refresh_token: Secret | None = None
    client_id: str | None = None  # the OAuth2 app that issued it (for refresh and revoke)
    linked_at: datetime | None = None
    #: that app's client secret when it is a confidential client: Coder wants it to refresh and
    #: revoke, and the settings that held it at sign-in may not be at hand then (another project)
    client_secret: Secret | None = None

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "format": _FORMAT,
            "origin": self.origin,
            "method": self.method,
            "token": self.token.reveal(),
        }
        optional = {
            "username": self.username,
            "expiresAt": _iso(self.expires_at),
            "refreshToken": self.refresh_token.reveal() if self.refresh_token else None,
            "clientId": self.client_id,
            "linkedAt": _iso(self.linked_at),
            "clientSecret": self.client_secret.reveal() if self.client_secret else None,
        }
        data.update({key: value for key, value in optional.items() if value is not None})
        return data

    @classmethod
    def from_data(cls, data: Any, origin: str) -> LinkedAccount | None:
        """The account stored for ``origin``; None when malformed or stored for another origin."""
        if not isinstance(data, Mapping) or data.get("origin") != origin:
            return None
        token = data.get("token")
        method = data.get("method", "token")
        if not isinstance(token, str) or not token or method not in ("token", "oauth2"):
            return None
        refresh, secret = data.get("refreshToken"), data.get("clientSecret")
        return cls(
            origin=origin,
            token=Secret(token),
            method=method,
            username=_text(data.get("username")),
            expires_at=_parse_time(data.get("expiresAt")),
            refresh_token=Secret(refresh) if isinstance(refresh, str) and refresh else None,
            client_id=_text(data.get("clientId")),
            linked_at=_parse_time(data.get("linkedAt")),
            client_secret=Secret(secret) if isinstance(secret, str) and secret else None,
        )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# -- the stores -------------------------------------------------------------------------------------


class CredentialStore:
    """One place linked credentials are kept."""

    kind = ""  # the Credential.source of what it holds

    @property
    def description(self) -> str:
        raise NotImplementedError

    def load(self, origin: str) -> LinkedAccount | None:
        raise NotImplementedError

    def save(self, account: LinkedAccount) -> None:
        raise NotImplementedError

    def delete(self, origin: str) -> bool:
        """Forget the account of ``origin``; False when there was none."""
        raise NotImplementedError


class KeyringStore(CredentialStore):
    kind = KEYRING_SOURCE

    def __init__(self, backend: KeyringBackend, service: str = SERVICE) -> None:
        self.backend = backend
        self.service = service

    @property
    def description(self) -> str:
        return f"the OS keyring ({backend_name(self.backend)})"

    def load(self, origin: str) -> LinkedAccount | None:
        try:
            text = self.backend.get_password(self.service, origin)
        except Exception as exc:  # a locked or broken keyring reads as "nothing linked"
            log.warning("cannot read the OS keyring (%s)", exc.__class__.__name__)
            return None
        return _account_from_text(text, origin)

    def save(self, account: LinkedAccount) -> None:
        try:
            self.backend.set_password(self.service, account.origin, json.dumps(account.to_data()))
        except Exception as exc:
            raise StoreFailed(
                f"the OS keyring ({backend_name(self.backend)}) refused to store the credential "
                f"({exc.__class__.__name__}); is it locked?"
            ) from None

    def delete(self, origin: str) -> bool:
        from keyring.errors import PasswordDeleteError

        try:
            if self.backend.get_password(self.service, origin) is None:
                return False
            self.backend.delete_password(self.service, origin)
        except PasswordDeleteError:
            return False
        except Exception as exc:
            raise StoreFailed(
                f"the OS keyring refused to remove the credential ({exc.__class__.__name__})"
            ) from None
        return True


class FileStore(CredentialStore):
    """``credentials.json`` (0600) in the user's config dir: the opt-in store without a keyring."""

    kind = FILE_SOURCE

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def description(self) -> str:
        return f"the file {self.path} (readable only by you)"

    def load(self, origin: str) -> LinkedAccount | None:
        return LinkedAccount.from_data(self._accounts().get(origin), origin)

    def save(self, account: LinkedAccount) -> None:
        accounts = self._accounts()
        accounts[account.origin] = account.to_data()
        self._write(accounts)

    def delete(self, origin: str) -> bool:
        accounts = self._accounts()
        if origin not in accounts:
            return False
        del accounts[origin]
        if accounts:
            self._write(accounts)
        else:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
        return True

    def exists(self) -> bool:
        return self.path.is_file()

    def _accounts(self) -> dict[str, Any]:
        try:
            if _too_open(self.path):
                log.warning("ignoring %s: other users may read it (chmod 600 it)", self.path)
                return {}
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("cannot read %s (%s)", self.path, exc.__class__.__name__)
            return {}
        accounts = data.get("accounts") if isinstance(data, dict) else None
        return dict(accounts) if isinstance(accounts, dict) else {}

    def _write(self, accounts: dict[str, Any]) -> None:
        text = json.dumps({"format": _FORMAT, "accounts": accounts}, indent=2)
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".credentials-", dir=self.path.parent)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    os.chmod(temporary, 0o600)
                    out.write(text)
                os.replace(temporary, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except OSError as exc:
            raise StoreFailed(f"cannot write {self.path}: {exc.strerror or exc.__class__.__name__}") from None


def _too_open(path: Path) -> bool:
    if sys.platform.startswith("win"):
        return False
    return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))


def _account_from_text(text: str | None, origin: str) -> LinkedAccount | None:
    if not text:
        return None
    try:
        return LinkedAccount.from_data(json.loads(text), origin)
    except ValueError:
        return None


# -- choosing a store --------------------------------------------------------------------------------


def backend_name(backend: Any) -> str:
    name = getattr(backend, "name", None)
    return name if isinstance(name, str) and name else type(backend).__name__


def usable_keyring(env: Mapping[str, str] | None = None) -> KeyringBackend | None:
    """The OS keyring backend, or None when there is none worth the name (the fail or null backend,
    or a ``keyrings.alt`` file backend nobody chose)."""
    environ = os.environ if env is None else env
    try:
        import keyring
        from keyring.backends import chainer, fail, null

        backend = keyring.get_keyring()
    except Exception as exc:
        log.info("no keyring backend (%s)", exc.__class__.__name__)
        return None
    if isinstance(backend, (fail.Keyring, null.Keyring)):
        return None
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return None
    if type(backend).__module__.startswith("keyrings.alt") and not _chosen_on_purpose(environ):
        return None
    return backend


def _chosen_on_purpose(env: Mapping[str, str]) -> bool:
    if env.get("PYTHON_KEYRING_BACKEND", "").strip():
        return True
    try:
        from keyring.core import load_config

        return load_config() is not None
    except Exception:
        return False


def file_store_path(env: Mapping[str, str] | None = None) -> Path:
    """``credentials.json`` in the user's config dir (``$XDG_CONFIG_HOME/coder-catalog`` on Linux)."""
    environ = os.environ if env is None else env
    if sys.platform.startswith("win") or sys.platform == "darwin":
        import platformdirs

        return Path(platformdirs.user_config_dir(APP_DIR, appauthor=False)) / FILE_NAME
    base = environ.get("XDG_CONFIG_HOME", "").strip()
    home = environ.get("HOME", "").strip() or str(Path.home())
    return Path(base or os.path.join(home, ".config")) / APP_DIR / FILE_NAME


def file_store_allowed(env: Mapping[str, str] | None = None) -> bool:
    """The user opted in to the file store through the environment."""
    environ = os.environ if env is None else env
    return environ.get(FILE_STORE_ENV, "").strip().lower() in ("1", "true", "yes")


def readable_stores(env: Mapping[str, str] | None = None) -> list[CredentialStore]:
    """Where a linked credential may be: the keyring, then an existing credentials file."""
    stores: list[CredentialStore] = []
    backend = usable_keyring(env)
    if backend is not None:
        stores.append(KeyringStore(backend))
    file_store = FileStore(file_store_path(env))
    if file_store.exists():
        stores.append(file_store)
    return stores


def load_linked(
    origin: str, env: Mapping[str, str] | None = None
) -> tuple[LinkedAccount, CredentialStore] | None:
    """The account linked for ``origin`` and the store holding it."""
    for store in readable_stores(env):
        account = store.load(origin)
        if account is not None:
            return account, store
    return None


def writable_store(env: Mapping[str, str] | None = None, *, allow_file: bool = False) -> CredentialStore:
    """The keyring; without one, the file store if the user opted in; else :class:`NoKeyring`."""
    backend = usable_keyring(env)
    if backend is not None:
        return KeyringStore(backend)
    path = file_store_path(env)
    if allow_file or file_store_allowed(env):
        return FileStore(path)
    raise NoKeyring(
        "no OS keyring is available here (no Secret Service, Keychain or Credential Locker), so the "
        f"credential was not stored. To keep it in {path} (mode 0600, readable only by you, but not "
        "encrypted), link again with --allow-file-store (editor: allowFileStore: true) or set "
        f"{FILE_STORE_ENV}=1; or set CODER_SESSION_TOKEN instead"
    )
