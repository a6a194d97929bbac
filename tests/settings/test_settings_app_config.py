"""The access URL from a Backstage app-config.yaml at the repository root."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder_catalog.settings import SettingOrigin, SettingsError, resolve_settings


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    return root


def url_of(repo: Path, env: dict[str, str] | None = None) -> str | None:
    return resolve_settings(repo / "packages" / "svc" / "catalog-info.yaml", env=env or {}).access_url


@pytest.mark.parametrize(
    ("app_config", "expected"),
    [
        ("coder:\n  deployment:\n    accessUrl: https://coder.example.com/\n", "https://coder.example.com"),
        ("proxy:\n  endpoints:\n    /coder: https://coder.example.com/\n", "https://coder.example.com"),
        (
            "proxy:\n  endpoints:\n    /coder:\n"
            "      target: https://coder.example.com/\n      changeOrigin: true\n",
            "https://coder.example.com",
        ),
        (
            "proxy:\n  endpoints:\n    '/coder':\n      target: 'https://coder.example.com/api/v2/'\n",
            "https://coder.example.com",
        ),
        ("proxy:\n  endpoints:\n    /coder: https://coder.example.com/api/v2\n", "https://coder.example.com"),
        (
            "proxy:\n  endpoints:\n    /coder: {target: 'https://example.com/coder/api/v2'}\n",
            "https://example.com/coder",
        ),
        (
            "proxy:\n  /coder:\n    target: https://old-layout.example.com/\n",
            "https://old-layout.example.com",
        ),
        (  # coder.deployment.accessUrl wins over the proxy target
            "coder: {deployment: {accessUrl: 'https://a.example.com'}}\n"
            "proxy: {endpoints: {/coder: 'https://b.example.com/'}}\n",
            "https://a.example.com",
        ),
        ("proxy:\n  endpoints:\n    /other: https://other.example.com/\n", None),
        ("app: {title: x}\n", None),
        ("", None),
        ("- just a list\n", None),
    ],
)
def test_app_config_variants(repo: Path, app_config: str, expected: str | None) -> None:
    write(repo / "app-config.yaml", app_config)
    assert url_of(repo) == expected


def test_app_config_origin(repo: Path) -> None:
    path = write(
        repo / "app-config.yaml",
        "app: {}\nproxy:\n  endpoints:\n    /coder:\n      target: https://c.example.com/\n",
    )
    settings = resolve_settings(repo, env={})
    assert settings.origins["deployment.accessUrl"] == SettingOrigin("app-config", str(path), 5)


@pytest.mark.parametrize(
    ("value", "env", "expected"),
    [
        ("https://${CODER_HOST}/", {"CODER_HOST": "coder.example.com"}, "https://coder.example.com"),
        ("${CODER_BASE}", {"CODER_BASE": "  https://coder.example.com/  "}, "https://coder.example.com"),
        (
            "https://${ CODER_HOST }:${PORT}/",
            {"CODER_HOST": "c.example.com", "PORT": "8443"},
            "https://c.example.com:8443",
        ),
        ("https://${CODER_HOST:-fallback.example.com}/", {}, "https://fallback.example.com"),
        (
            "https://${CODER_HOST:-fallback.example.com}/",
            {"CODER_HOST": "env.example.com"},
            "https://env.example.com",
        ),
        ("https://${MISSING}/", {}, None),
        ("https://${EMPTY}/", {"EMPTY": ""}, None),
        ("https://coder.example.com/$${NOT_A_VAR}", {}, "https://coder.example.com/${NOT_A_VAR}"),
    ],
)
def test_app_config_substitution(repo: Path, value: str, env: dict[str, str], expected: str | None) -> None:
    write(repo / "app-config.yaml", f"proxy:\n  endpoints:\n    /coder:\n      target: '{value}'\n")
    assert url_of(repo, env) == expected


def test_missing_variable_falls_back_to_the_next_value(repo: Path) -> None:
    write(
        repo / "app-config.yaml",
        "coder: {deployment: {accessUrl: '${CODER_ACCESS_URL}'}}\n"
        "proxy: {endpoints: {/coder: {target: 'https://proxy.example.com/'}}}\n",
    )
    assert url_of(repo) == "https://proxy.example.com"
    assert url_of(repo, {"CODER_ACCESS_URL": "https://env.example.com"}) == "https://env.example.com"


def test_missing_variable_falls_back_to_lower_sources(repo: Path) -> None:
    write(repo / "app-config.yaml", "proxy: {endpoints: {/coder: '${NOPE}'}}\n")
    assert url_of(repo, {"CODER_URL": "https://coder-url.example.com"}) == "https://coder-url.example.com"


def test_env_transform_mapping(repo: Path) -> None:
    write(repo / "app-config.yaml", "proxy: {endpoints: {/coder: {target: {$env: CODER_TARGET}}}}\n")
    assert url_of(repo, {"CODER_TARGET": "https://t.example.com/"}) == "https://t.example.com"
    assert url_of(repo) is None


def test_file_transform_is_ignored(repo: Path) -> None:
    write(repo / "app-config.yaml", "coder: {deployment: {accessUrl: {$file: ./url.txt}}}\n")
    assert url_of(repo) is None


def test_local_app_config_overrides(repo: Path) -> None:
    write(repo / "app-config.yaml", "proxy: {endpoints: {/coder: 'https://prod.example.com/'}}\n")
    local = write(
        repo / "app-config.local.yaml", "proxy:\n  endpoints:\n    /coder: 'http://localhost:3000/'\n"
    )
    settings = resolve_settings(repo, env={})
    assert settings.access_url == "http://localhost:3000"
    assert settings.origins["deployment.accessUrl"] == SettingOrigin("app-config", str(local), 3)


def test_local_app_config_merges(repo: Path) -> None:
    base = write(repo / "app-config.yaml", "proxy: {endpoints: {/coder: 'https://prod.example.com/'}}\n")
    write(repo / "app-config.local.yaml", "app: {baseUrl: http://localhost:3000}\n")
    settings = resolve_settings(repo, env={})
    assert settings.access_url == "https://prod.example.com"
    assert settings.origins["deployment.accessUrl"].path == str(base)


def test_local_app_config_alone(repo: Path) -> None:
    write(repo / "app-config.local.yaml", "coder: {deployment: {accessUrl: 'https://local.example.com'}}\n")
    assert url_of(repo) == "https://local.example.com"


def test_app_config_only_at_repository_root(repo: Path) -> None:
    write(
        repo / "packages" / "app-config.yaml", "proxy: {endpoints: {/coder: 'https://nested.example.com/'}}\n"
    )
    assert url_of(repo) is None


def test_no_repository_no_app_config(tmp_path: Path) -> None:
    write(tmp_path / "app-config.yaml", "proxy: {endpoints: {/coder: 'https://x.example.com/'}}\n")
    assert resolve_settings(tmp_path / "catalog-info.yaml", env={}).access_url is None


@pytest.mark.parametrize(
    "text",
    [
        "proxy: {endpoints: {/coder: 'https://x.example.com/'\n",  # unclosed
        "proxy:\n  endpoints:\n    /coder: a\n    /coder: b\n",  # duplicate keys
        "proxy:\n\t- tab\n",
    ],
)
def test_broken_app_config_is_ignored_silently(repo: Path, text: str) -> None:
    write(repo / "app-config.yaml", text)
    assert url_of(repo, {"CODER_URL": "https://fallback.example.com"}) == "https://fallback.example.com"


def test_broken_base_but_good_local(repo: Path) -> None:
    write(repo / "app-config.yaml", "proxy: [\n")
    write(repo / "app-config.local.yaml", "proxy: {endpoints: {/coder: 'https://local.example.com/'}}\n")
    assert url_of(repo) == "https://local.example.com"


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        (
            "proxy:\n  endpoints:\n    /coder:\n      target: ftp://coder.example.com/\n",
            4,
            15,
            'proxy.endpoints["/coder"].target "ftp://coder.example.com" must start with http:// or https://',
        ),
        (
            "coder:\n  deployment:\n    accessUrl: coder.example.com\n",
            3,
            16,
            'coder.deployment.accessUrl "coder.example.com" must start with http:// or https://'
            " (e.g. https://coder.example.com)",
        ),
        (
            "proxy:\n  endpoints:\n    /coder: 42\n",
            3,
            13,
            'proxy.endpoints["/coder"] must be a URL, not 42',
        ),
        (
            "proxy:\n  endpoints:\n    /coder: 'https://${HOST}/?x=1'\n",
            3,
            13,
            'proxy.endpoints["/coder"] "https://c.example.com/?x=1" must not have a query (?...)'
            " or a fragment (#...)",
        ),
        (
            "proxy:\n  endpoints:\n    /coder: {target: [a]}\n",
            3,
            22,
            'proxy.endpoints["/coder"].target must be a URL, not a list',
        ),
        (
            "coder: {deployment: {accessUrl: true}}\n",
            1,
            33,
            "coder.deployment.accessUrl must be a URL, not true",
        ),
    ],
)
def test_unusable_url_in_app_config_is_reported(
    repo: Path, text: str, line: int, column: int, message: str
) -> None:
    path = write(repo / "app-config.yaml", text)
    with pytest.raises(SettingsError) as caught:
        url_of(repo, {"HOST": "c.example.com"})
    error = caught.value
    assert (error.path, error.line, error.column, error.message) == (str(path), line, column, message)
    assert error.source == "app-config"
    assert str(error) == f"{path}:{line}:{column}: {message}"


def test_bad_app_config_url_is_no_problem_when_shadowed(repo: Path) -> None:
    write(repo / "app-config.yaml", "proxy: {endpoints: {/coder: 'ftp://x'}}\n")
    write(repo / ".coder-catalog.yaml", "deployment: {accessUrl: 'https://project.example.com'}\n")
    assert url_of(repo) == "https://project.example.com"
