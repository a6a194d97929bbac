from __future__ import annotations

from pathlib import Path

from coder_catalog.accounts import resolve_credential

PLANTED = "ZyXwVu9876-PLANTEDsecretPLANTEDsec"


def cli_dir(tmp_path: Path, url: str, token: str | None = PLANTED) -> dict[str, str]:
    config = tmp_path / "coderv2"
    config.mkdir()
    (config / "url").write_text(url + "\n")
    if token is not None:
        (config / "session").write_text(token + "\n")
    return {"CODER_CONFIG_DIR": str(config), "HOME": str(tmp_path)}


def test_env_token_wins_and_is_bound_to_the_deployment(tmp_path: Path) -> None:
    env = cli_dir(tmp_path, "https://coder.example.com")
    env["CODER_SESSION_TOKEN"] = "envtoken00-" + "a" * 22
    credential = resolve_credential("https://Coder.Example.com/", env)
    assert credential is not None
    assert credential.source == "env:CODER_SESSION_TOKEN"
    assert credential.origin == "https://coder.example.com"
    assert credential.token.reveal() == "envtoken00-" + "a" * 22


def test_cli_session_is_used_for_the_same_deployment_only(tmp_path: Path) -> None:
    env = cli_dir(tmp_path, "https://coder.example.com")
    same = resolve_credential("https://coder.example.com:443/some/path", env)
    assert same is not None and same.source == "coder-cli" and same.token.reveal() == PLANTED
    assert resolve_credential("https://other.example.com", env) is None
    assert resolve_credential("http://coder.example.com", env) is None


def test_no_credential_without_sources(tmp_path: Path) -> None:
    env = {"CODER_CONFIG_DIR": str(tmp_path / "missing"), "HOME": str(tmp_path)}
    assert resolve_credential("https://coder.example.com", env) is None
    assert resolve_credential(None, env) is None


def test_empty_session_file_is_no_credential(tmp_path: Path) -> None:
    env = cli_dir(tmp_path, "https://coder.example.com", token="  \n")
    assert resolve_credential("https://coder.example.com", env) is None
