"""A real OS keyring for the account tests (imported by name: ``tests`` is on sys.path).

``keyring_service`` (session) starts the Secret Service: Debian's ``gnome-keyring`` on a private
D-Bus session (``dbus-run-session``), its login keyring unlocked from a password made at run time.
Where that cannot start (packages missing, no D-Bus), it falls back to ``keyrings.alt``'s file
backend, and the run's summary says which one ran. ``CODER_CATALOG_TEST_KEYRING=alt`` forces the
fallback. ``os_keyring`` (per test) points ``keyring`` at it in this process and gives the
environment for subprocesses (the CLI, the language server); it removes what a test stored.
"""

from __future__ import annotations

import os
import secrets
import shutil
import string
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

SECRET_SERVICE = "Secret Service (gnome-keyring under dbus-run-session)"
ALT_FILE = "keyrings.alt file backend (PlaintextKeyring)"
SECRET_SERVICE_BACKEND = "keyring.backends.SecretService.Keyring"
ALT_FILE_BACKEND = "keyrings.alt.file.PlaintextKeyring"
FAIL_BACKEND = "keyring.backends.fail.Keyring"
SERVICES = ("coder-catalog", "coder-v2-credentials")
USED: list[str] = []  # which backend ran, for the run's summary

_START_SCRIPT = (
    'printf "%s" "$KEYRING_TEST_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets '
    '>/dev/null 2>&1; echo "$DBUS_SESSION_BUS_ADDRESS" > "$0"; exec cat >/dev/null'
)
_PROBE = (
    "from keyring.backends.SecretService import Keyring\n"
    "k = Keyring(); k.set_password('coder-catalog-probe', 'probe', 'ok')\n"
    "assert k.get_password('coder-catalog-probe', 'probe') == 'ok'\n"
    "k.delete_password('coder-catalog-probe', 'probe')\n"
)


@dataclass
class KeyringService:
    name: str
    backend_class: str
    env: dict[str, str] = field(default_factory=dict)  # what a process needs to reach it
    process: subprocess.Popen[bytes] | None = None

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.stdin:
            self.process.stdin.close()  # the session's last command ends, and the bus with it
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, 9)
            self.process.wait(5)


def start_secret_service(base: Path) -> KeyringService | None:
    """gnome-keyring's Secret Service on a private session bus; None when it cannot start."""
    if not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")):
        return None
    home, runtime, address_file = base / "home", base / "run", base / "bus-address"
    home.mkdir(parents=True)
    runtime.mkdir(mode=0o700)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_RUNTIME_DIR": str(runtime),
        "KEYRING_TEST_PASSWORD": secrets.token_hex(12),
    }
    process = subprocess.Popen(
        ["dbus-run-session", "--", "sh", "-c", _START_SCRIPT, str(address_file)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    service = KeyringService(SECRET_SERVICE, SECRET_SERVICE_BACKEND, process=process)
    address = _wait_for_address(address_file, process)
    if address is None or not _probe(address):
        service.stop()
        return None
    service.env = {"DBUS_SESSION_BUS_ADDRESS": address, "PYTHON_KEYRING_BACKEND": SECRET_SERVICE_BACKEND}
    return service


def _wait_for_address(path: Path, process: subprocess.Popen[bytes]) -> str | None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and process.poll() is None:
        if path.exists() and path.read_text().strip():
            return path.read_text().strip()
        time.sleep(0.05)
    return None


def _probe(address: str) -> bool:
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": address}
    try:
        result = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True, timeout=20)
    except subprocess.TimeoutExpired:
        return False
    return result.returncode == 0


@pytest.fixture(scope="session")
def keyring_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KeyringService]:
    service = None
    if os.environ.get("CODER_CATALOG_TEST_KEYRING") != "alt":
        service = start_secret_service(tmp_path_factory.mktemp("secret-service"))
    if service is None:
        service = KeyringService(ALT_FILE, ALT_FILE_BACKEND)
    if service.name not in USED:
        USED.append(service.name)
    try:
        yield service
    finally:
        service.stop()


@dataclass
class OSKeyring:
    """The keyring in use for one test."""

    name: str
    backend: KeyringBackend
    env: dict[str, str]  # for subprocesses; also set in this process's environment

    def get(self, service: str, user: str) -> str | None:
        return self.backend.get_password(service, user)


def isolate_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """No Coder variables, an empty home and config dir: what a subprocess should get too."""
    for name in list(os.environ):
        if name.startswith(("CODER_", "PYTHON_KEYRING", "DBUS_SESSION")):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    values = {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "CODER_CONFIG_DIR": str(tmp_path / "no-coder-cli"),
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.fixture
def os_keyring(
    keyring_service: KeyringService, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[OSKeyring]:
    previous = keyring.get_keyring()  # detected (once per process) in the outer environment
    env = isolate_environment(monkeypatch, tmp_path)
    env.update(keyring_service.env)
    env["PYTHON_KEYRING_BACKEND"] = keyring_service.backend_class
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    backend = keyring.core.load_keyring(keyring_service.backend_class)
    keyring.set_keyring(backend)
    try:
        yield OSKeyring(keyring_service.name, backend, env)
    finally:
        _clear(backend)
        keyring.set_keyring(previous)


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[dict[str, str]]:
    """keyring's fail backend (a headless box without a Secret Service); gives the subprocess env."""
    previous = keyring.get_keyring()
    env = isolate_environment(monkeypatch, tmp_path)
    env["PYTHON_KEYRING_BACKEND"] = FAIL_BACKEND
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", FAIL_BACKEND)
    keyring.set_keyring(fail.Keyring())
    try:
        yield env
    finally:
        keyring.set_keyring(previous)


def _clear(backend: Any) -> None:
    """Remove every item of our services (the Secret Service outlives a test)."""
    if type(backend).__module__.startswith("keyrings.alt"):
        return  # its file lives in the test's own XDG_DATA_HOME
    import secretstorage

    connection = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(connection)
        for service in SERVICES:
            for item in collection.search_items({"service": service}):
                item.delete()
    finally:
        connection.close()


def make_token(marker: str = "") -> str:
    """A token shaped like Coder's (``<10>-<22>``), made at run time; ``marker`` starts its secret."""
    alphabet = string.ascii_letters + string.digits
    key_id = "".join(secrets.choice(alphabet) for _ in range(10))
    secret = marker + "".join(secrets.choice(alphabet) for _ in range(22 - len(marker)))
    return f"{key_id}-{secret}"


@pytest.fixture
def canary() -> str:
    """A well-formed token no deployment knows, easy to find in any output."""
    return make_token("CANARY" + "canary")


class FakeServer:
    """What the language server's account commands need from the server, recorded."""

    def __init__(self) -> None:
        from types import SimpleNamespace

        from coder_catalog.settings import SettingsError

        self.reloaded: list[str] = []
        self.told: list[str] = []
        self.shown: list[str] = []
        self.providers = SimpleNamespace(reload_deployment=self.reloaded.append)
        self.catalog = SimpleNamespace(
            documents={}, settings_for=lambda path: SettingsError("none", path="-")
        )
        self.workspace = SimpleNamespace(root_path=None)

    def _notify_once(self, kind: str, message: str) -> None:
        self.told.append(message)

    def forget_told(self, prefix: str = "") -> None:
        pass

    def window_show_message(self, params: Any) -> None:
        self.shown.append(params.message)


def subprocess_env(extra: dict[str, str]) -> dict[str, str]:
    """This process's environment (already isolated by a fixture) plus ``extra``."""
    return {**os.environ, **extra}
