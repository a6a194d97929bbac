"""Where the Coder CLI keeps its login (``coder login``), read without running the CLI.

The config dir holds ``url`` (the deployment URL) and, on Linux, ``session`` (the token).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

__all__ = ["coder_cli_config_dir", "coder_cli_url_file", "read_coder_cli_file", "read_coder_cli_url"]

_APP_DIR = "coderv2"
_MAX_FILE_SIZE = 64 * 1024


def _home(env: Mapping[str, str], platform: str) -> Path:
    names = ("USERPROFILE", "HOME") if platform.startswith(("win", "cygwin")) else ("HOME",)
    for name in names:
        if env.get(name):
            return Path(env[name])
    return Path.home()


def coder_cli_config_dir(env: Mapping[str, str] | None = None, *, platform: str | None = None) -> Path:
    """The Coder CLI's config dir, as the CLI computes it.

    ``$CODER_CONFIG_DIR`` if set, else ``$XDG_CONFIG_HOME/coderv2`` or ``~/.config/coderv2`` on
    Linux (and other Unixes), ``~/Library/Application Support/coderv2`` on macOS and
    ``%APPDATA%\\coderv2`` on Windows.  ``env`` defaults to ``os.environ`` and ``platform`` to
    ``sys.platform``; the home folder is taken from ``env`` (``HOME``, ``USERPROFILE`` on Windows).
    """
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if env.get("CODER_CONFIG_DIR"):
        return Path(env["CODER_CONFIG_DIR"])
    if platform.startswith(("win", "cygwin")):
        if env.get("APPDATA"):
            return Path(env["APPDATA"]) / _APP_DIR
        return _home(env, platform) / "AppData" / "Roaming" / _APP_DIR
    if platform == "darwin":
        return _home(env, platform) / "Library" / "Application Support" / _APP_DIR
    if env.get("XDG_CONFIG_HOME"):
        return Path(env["XDG_CONFIG_HOME"]) / _APP_DIR
    return _home(env, platform) / ".config" / _APP_DIR


def coder_cli_url_file(env: Mapping[str, str] | None = None, *, platform: str | None = None) -> Path:
    """Path of the CLI's ``url`` file (it may not exist)."""
    return coder_cli_config_dir(env, platform=platform) / "url"


def read_coder_cli_file(
    name: str, env: Mapping[str, str] | None = None, *, platform: str | None = None
) -> str | None:
    """The stripped text of file ``name`` in the CLI's config dir; None when missing, empty,
    unreadable or not text."""
    path = coder_cli_config_dir(env, platform=platform) / name
    try:
        with path.open("rb") as handle:
            data = handle.read(_MAX_FILE_SIZE + 1)
    except OSError:
        return None
    if len(data) > _MAX_FILE_SIZE:
        return None
    try:
        text = data.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        return None
    return text or None


def read_coder_cli_url(env: Mapping[str, str] | None = None, *, platform: str | None = None) -> str | None:
    """The deployment URL of the CLI's last ``coder login``, as written (not normalised)."""
    return read_coder_cli_file("url", env, platform=platform)
