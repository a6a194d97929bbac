"""``deployment.oauth`` in the settings: where the OAuth2 client id and secret come from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coder_catalog.cli import main
from coder_catalog.settings import OAuthClient, SettingsError, resolve_settings

SECRET = "a-client-secret-" + "for-tests"


def repo_with(tmp_path: Path, text: str) -> Path:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".coder-catalog.yaml").write_text(text)
    return repo


def test_the_project_file_and_the_editor_set_the_oauth_app(tmp_path: Path) -> None:
    repo = repo_with(
        tmp_path,
        f"deployment:\n  accessUrl: https://coder.example.com\n  oauth:\n    clientId: app-1\n    clientSecret: {SECRET}\n",
    )
    env = {"HOME": str(tmp_path)}
    settings = resolve_settings(repo, env=env)
    assert settings.oauth == OAuthClient("app-1", SECRET)
    assert SECRET not in repr(settings)
    assert settings.to_dict()["deployment"]["oauth"] == {"clientId": "app-1", "clientSecret": "********"}
    assert settings.origin("deployment.oauth.clientSecret") is not None
    editor = resolve_settings(repo, env=env, overrides={"deployment": {"oauth": {"clientId": "app-2"}}})
    assert editor.oauth == OAuthClient("app-2", SECRET)  # each key from the highest source that sets it


def test_no_client_id_means_no_oauth_app(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, f"deployment:\n  oauth:\n    clientSecret: {SECRET}\n")
    assert resolve_settings(repo, env={"HOME": str(tmp_path)}).oauth is None


def test_unknown_oauth_keys_are_reported(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, "deployment:\n  oauth:\n    client_id: app-1\n")
    with pytest.raises(SettingsError, match=r'unknown key "client_id" in deployment\.oauth'):
        resolve_settings(repo, env={"HOME": str(tmp_path)})


def test_config_shows_the_client_secret_masked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repo_with(
        tmp_path,
        f"deployment:\n  accessUrl: https://coder.example.com\n  oauth:\n    clientId: app-1\n    clientSecret: {SECRET}\n",
    )
    monkeypatch.chdir(repo)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("CODER_CONFIG_DIR", str(tmp_path / "none"))
    monkeypatch.delenv("CODER_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("CODER_URL", raising=False)
    assert main(["config", "--json"]) == 0
    shown = capsys.readouterr().out
    assert json.loads(shown)["deployment"]["oauth"]["clientId"] == "app-1" and SECRET not in shown
    assert main(["config"]) == 0
    assert SECRET not in capsys.readouterr().out
