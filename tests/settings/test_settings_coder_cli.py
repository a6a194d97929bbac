"""The Coder CLI's config dir and its url file."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder_catalog.settings import coder_cli_config_dir, read_coder_cli_url, resolve_settings


@pytest.mark.parametrize(
    ("env", "platform", "expected"),
    [
        ({"CODER_CONFIG_DIR": "/cfg/coder", "HOME": "/home/u"}, "linux", "/cfg/coder"),
        ({"CODER_CONFIG_DIR": "/cfg/coder", "APPDATA": "/appdata"}, "win32", "/cfg/coder"),
        ({"CODER_CONFIG_DIR": "/cfg/coder", "HOME": "/Users/u"}, "darwin", "/cfg/coder"),
        ({"XDG_CONFIG_HOME": "/xdg", "HOME": "/home/u"}, "linux", "/xdg/coderv2"),
        ({"XDG_CONFIG_HOME": "", "HOME": "/home/u"}, "linux", "/home/u/.config/coderv2"),
        ({"HOME": "/home/u"}, "linux", "/home/u/.config/coderv2"),
        ({"HOME": "/home/u"}, "freebsd13", "/home/u/.config/coderv2"),
        ({"CODER_CONFIG_DIR": "", "HOME": "/home/u"}, "linux", "/home/u/.config/coderv2"),
        (
            {"HOME": "/Users/u", "XDG_CONFIG_HOME": "/xdg"},
            "darwin",
            "/Users/u/Library/Application Support/coderv2",
        ),
        ({"APPDATA": "/appdata", "USERPROFILE": "/profile"}, "win32", "/appdata/coderv2"),
        ({"USERPROFILE": "/profile"}, "win32", "/profile/AppData/Roaming/coderv2"),
    ],
)
def test_config_dir(env: dict[str, str], platform: str, expected: str) -> None:
    assert coder_cli_config_dir(env, platform=platform) == Path(expected)


def test_read_url(tmp_path: Path) -> None:
    env = {"CODER_CONFIG_DIR": str(tmp_path)}
    assert read_coder_cli_url(env) is None  # no login yet
    (tmp_path / "url").write_text("https://coder.example.com\n")
    assert read_coder_cli_url(env) == "https://coder.example.com"
    (tmp_path / "url").write_text("  \n")
    assert read_coder_cli_url(env) is None
    (tmp_path / "url").write_bytes(b"\xff\xfe\x00")
    assert read_coder_cli_url(env) is None


def test_read_url_from_xdg_dir(tmp_path: Path) -> None:
    (tmp_path / "xdg" / "coderv2").mkdir(parents=True)
    (tmp_path / "xdg" / "coderv2" / "url").write_text("https://xdg.example.com")
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path / "home")}
    assert read_coder_cli_url(env, platform="linux") == "https://xdg.example.com"


def test_read_url_from_home(tmp_path: Path) -> None:
    (tmp_path / ".config" / "coderv2").mkdir(parents=True)
    (tmp_path / ".config" / "coderv2" / "url").write_text("https://home.example.com")
    assert read_coder_cli_url({"HOME": str(tmp_path)}, platform="linux") == "https://home.example.com"


def test_resolve_uses_cli_url(tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "cli").mkdir()
    (tmp_path / "cli" / "url").write_text("https://Coder.Example.com/\n")
    settings = resolve_settings(
        tmp_path / "repo" / "catalog-info.yaml", env={"CODER_CONFIG_DIR": str(tmp_path / "cli")}
    )
    assert settings.access_url == "https://coder.example.com"
    origin = settings.origins["deployment.accessUrl"]
    assert (origin.source, origin.path, origin.line) == ("coder-cli", str(tmp_path / "cli" / "url"), 1)
