"""Every kind of settings error, with its message and position."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

from coder_catalog.settings import SettingsError, check_project_text, load_project_file, resolve_settings


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    return root


def project_error(repo: Path, text: str | bytes) -> SettingsError:
    path = write(repo / ".coder-catalog.yaml", text)
    with pytest.raises(SettingsError) as caught:
        resolve_settings(repo / "svc" / "catalog-info.yaml", env={})
    error = caught.value
    assert error.path == str(path)
    assert str(error) == f"{path}:{error.line}:{error.column}: {error.message}"
    assert error.source == "project-file"
    return error


PROJECT_ERRORS = [
    # (file text, line, column, message)
    (
        "workspaces:\n  defaultMode: Auto\n",
        2,
        16,
        'workspaces.defaultMode must be "manual" or "auto", not "Auto"',
    ),
    (
        "workspaces:\n  defaultMode: 1\n",
        2,
        16,
        'workspaces.defaultMode must be "manual" or "auto", not 1',
    ),
    (
        "workspaces:\n  params:\n    region: eu\n    cpu: 4\n",
        4,
        10,
        'workspaces.params.cpu must be a string (quote it: "4")',
    ),
    (
        "workspaces:\n  params:\n    enabled: true\n",
        3,
        14,
        'workspaces.params.enabled must be a string (quote it: "true")',
    ),
    (
        "workspaces:\n  params:\n    ratio: 1.50\n",
        3,
        12,
        'workspaces.params.ratio must be a string (quote it: "1.50")',
    ),
    (
        "workspaces:\n  params:\n    region:\n",
        3,
        12,
        "workspaces.params.region must be a string, not null",
    ),
    (
        "workspaces:\n  params: [a, b]\n",
        2,
        11,
        "workspaces.params must be a mapping, not a list",
    ),
    (
        "workspaces:\n  templateName: devcontainers\n",
        2,
        3,
        'unknown key "templateName" in workspaces (did you mean "defaultTemplateName"?)',
    ),
    (
        "workspaces:\n  mode: auto\n",
        2,
        3,
        'unknown key "mode" in workspaces (did you mean "defaultMode"?)',
    ),
    (
        "deployment:\n  accessURL: https://coder.example.com\n",
        2,
        3,
        'unknown key "accessURL" in deployment (did you mean "accessUrl"?)',
    ),
    (
        "deploymnet:\n  accessUrl: https://coder.example.com\n",
        1,
        1,
        'unknown key "deploymnet" at the top level (did you mean "deployment"?)',
    ),
    (
        "accessUrl: https://coder.example.com\n",
        1,
        1,
        'unknown key "accessUrl" at the top level (did you mean "deployment.accessUrl"?)',
    ),
    (
        "tls:\n  verify: false\n",
        2,
        3,
        'unknown key "verify" in tls (known keys: caBundle)',
    ),
    (
        "coder:\n  deployment: {}\n",
        1,
        1,
        'unknown key "coder" at the top level (write the keys of the app\'s "coder" object'
        " (deployment, workspaces) at the top level)",
    ),
    (
        "workspaces:\n  repoUrlParamKeys: [repo_url, custom_repo, repo_url]\n",
        2,
        45,
        'workspaces.repoUrlParamKeys lists "repo_url" twice',
    ),
    (
        "workspaces:\n  repoUrlParamKeys: []\n",
        2,
        21,
        "workspaces.repoUrlParamKeys must list at least one name",
    ),
    (
        "workspaces:\n  repoUrlParamKeys:\n    - repo_url\n    - ''\n",
        4,
        7,
        "workspaces.repoUrlParamKeys[1] must not be empty",
    ),
    (
        "workspaces:\n  repoUrlParamKeys: repo_url\n",
        2,
        21,
        'workspaces.repoUrlParamKeys must be a list, not a string (write ["repo_url"])',
    ),
    (
        "rules:\n  CC101: warn\n",
        2,
        10,
        'rules.CC101 must be one of "error", "warning", "info" or "off", not "warn"'
        ' (did you mean "warning"?)',
    ),
    (
        "rules:\n  CC101: false\n",
        2,
        10,
        'rules.CC101 must be one of "error", "warning", "info" or "off", not false',
    ),
    (
        "rules:\n  cc101: off\n",
        2,
        3,
        'rule code "cc101" in rules must be capital letters followed by digits, like CC101'
        ' (did you mean "CC101"?)',
    ),
    (
        "rules:\n  no-tabs: off\n",
        2,
        3,
        'rule code "no-tabs" in rules must be capital letters followed by digits, like CC101',
    ),
    (
        "rules:\n  CC999: off\n",
        2,
        3,
        'rules: unknown rule code "CC999"; the codes are in docs/rules.md',
    ),
    (
        "rules:\n  CC1055: warning\n",
        2,
        3,
        'rules: unknown rule code "CC1055" (did you mean "CC105"?); the codes are in docs/rules.md',
    ),
    (
        "rules:\n  CC101: info\n  CC003: off\n",
        3,
        3,
        "rules: CC003 (alias-expansion) cannot be turned off: it is how a file or document that was not "
        "checked is reported",
    ),
    (
        "templates: ''\n",
        1,
        12,
        "templates must not be empty",
    ),
    (
        "tls:\n  caBundle: 3\n",
        2,
        13,
        'tls.caBundle must be a string (quote it: "3")',
    ),
    (
        "workspaces: devcontainers\n",
        1,
        13,
        "workspaces must be a mapping, not a string",
    ),
    (
        "workspaces:\n",
        1,
        12,
        "workspaces must be a mapping, not null",
    ),
    (
        "- deployment\n",
        1,
        1,
        "the project file must be a mapping, not a list",
    ),
    (
        "just text\n",
        1,
        1,
        "the project file must be a mapping, not a string",
    ),
    (
        "deployment:\n  accessUrl: ftp://coder.example.com\n",
        2,
        14,
        'deployment.accessUrl "ftp://coder.example.com" must start with http:// or https://',
    ),
    (
        "deployment:\n  accessUrl: https://me:pw@coder.example.com\n",
        2,
        14,
        'deployment.accessUrl "https://***@coder.example.com" must not contain credentials (user:password@)',
    ),
    (
        "deployment:\n  accessUrl: https://coder.example.com/?x=1\n",
        2,
        14,
        'deployment.accessUrl "https://coder.example.com/?x=1" must not have a query (?...)'
        " or a fragment (#...)",
    ),
    (
        "deployment:\n  accessUrl: ''\n",
        2,
        14,
        "deployment.accessUrl must not be empty",
    ),
    (
        "workspaces:\n  params:\n    '': x\n",
        3,
        5,
        "workspaces.params has an empty name",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "column", "message"), PROJECT_ERRORS, ids=[e[3][:60] for e in PROJECT_ERRORS]
)
def test_project_file_errors(repo: Path, text: str, line: int, column: int, message: str) -> None:
    error = project_error(repo, text)
    assert (error.line, error.column, error.message) == (line, column, message)


def test_error_key(repo: Path) -> None:
    error = project_error(repo, "workspaces:\n  params:\n    cpu: 4\n")
    assert error.key == "workspaces.params.cpu"
    assert (error.end_line, error.end_column) == (3, 11)


def test_several_errors_in_document_order(repo: Path) -> None:
    error = project_error(repo, "rules: {CC1: bad}\nworkspaces:\n  defaultMode: x\n  params: {a: 1}\n")
    assert [(e.line, e.key) for e in error.all_errors] == [
        (1, "rules.CC1"),
        (3, "workspaces.defaultMode"),
        (4, "workspaces.params.a"),
    ]


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        (
            "workspaces:\n  defaultMode: manual\n  defaultMode: auto\n",
            3,
            3,
            'duplicate key "defaultMode" (first given on line 2)',
        ),
        ("rules: {CC1: off, CC1: info}\n", 1, 19, 'duplicate key "CC1" (first given on line 1)'),
        (
            "workspaces:\n  params: {a: 'x'\n",
            3,
            1,
            "invalid YAML: while parsing a flow mapping, expected ',' or '}', but got '<stream end>'",
        ),
        (
            "workspaces:\n  defaultMode: manual\n bad: indent\n",
            3,
            2,
            "invalid YAML: while parsing a block mapping, expected <block end>,"
            " but found '<block mapping start>'",
        ),
        (
            "workspaces:\n\tdefaultMode: manual\n",
            2,
            1,
            "invalid YAML: while scanning for the next token,"
            " found character '\\t' that cannot start any token",
        ),
        (
            "a: 1\n---\nb: 2\n",
            2,
            1,
            "invalid YAML: expected a single document in the stream, but found another document",
        ),
        ("workspaces: *nothing\n", 1, 13, "invalid YAML: found undefined alias 'nothing'"),
        ("? [a, b]\n: c\n", 1, 3, "a key must be a plain name, not a list"),
        ("rules:\n  CC1: \x07\n", 2, 8, "invalid YAML: special characters are not allowed"),
    ],
)
def test_yaml_errors(repo: Path, text: str, line: int, column: int, message: str) -> None:
    error = project_error(repo, text)
    assert (error.line, error.column, error.message) == (line, column, message)


def test_not_utf8(repo: Path) -> None:
    error = project_error(repo, b"workspaces:\n  defaultTemplateName: caf\xe9\n")
    assert (error.line, error.column, error.message) == (2, 27, "the file is not valid UTF-8 text")


def test_utf8_bom_is_fine(repo: Path) -> None:
    write(repo / ".coder-catalog.yaml", "\ufeffworkspaces: {defaultTemplateName: café}\n")
    assert resolve_settings(repo, env={}).workspaces.default_template_name == "café"


def test_recursive_alias(repo: Path) -> None:
    error = project_error(repo, "workspaces: &w\n  params: *w\n")
    assert error.message == "an alias refers to a value that contains it"
    assert error.line == 1


def test_check_project_text_reports_everything() -> None:
    assert check_project_text("workspaces: {defaultMode: auto}\n", "/x/.coder-catalog.yaml") == []
    assert check_project_text("", "/x/.coder-catalog.yaml") == []
    errors = check_project_text("workspaces: {defaultMode: x, params: {a: 1}}\n", "/x/.coder-catalog.yaml")
    assert [e.key for e in errors] == ["workspaces.defaultMode", "workspaces.params.a"]
    (syntax,) = check_project_text("a: [\n", "/x/.coder-catalog.yaml")
    assert syntax.message.startswith("invalid YAML")
    assert syntax.source == "project-file"


def test_load_project_file_directly(repo: Path) -> None:
    path = write(repo / ".coder-catalog.yaml", "workspaces: {defaultMode: auto}\n")
    assert load_project_file(path).data == {"workspaces": {"defaultMode": "auto"}}
    with pytest.raises(SettingsError) as caught:
        load_project_file(repo / "missing.yaml")
    assert caught.value.message.startswith("cannot read the file")
    assert caught.value.line is None
    assert str(caught.value).startswith(f"{repo / 'missing.yaml'}: cannot read the file")


@pytest.mark.parametrize(
    ("overrides", "key", "message"),
    [
        (
            {"workspaces": {"defaultMode": "Auto"}},
            "workspaces.defaultMode",
            'workspaces.defaultMode must be "manual" or "auto", not "Auto"',
        ),
        (
            {"workspaces": {"params": {"cpu": 4}}},
            "workspaces.params.cpu",
            'workspaces.params.cpu must be a string (quote it: "4")',
        ),
        (
            {"workspaces": {"templateName": "x"}},
            "workspaces.templateName",
            'unknown key "templateName" in workspaces (did you mean "defaultTemplateName"?)',
        ),
        (
            {"deployment.accessUrl": "https://x"},
            '["deployment.accessUrl"]',
            'unknown key "deployment.accessUrl" at the top level'
            ' (write it nested: {"deployment": {"accessUrl": ...}})',
        ),
        (
            {"deployment": {"accessUrl": "coder"}},
            "deployment.accessUrl",
            'deployment.accessUrl "coder" must start with http:// or https:// (e.g. https://coder)',
        ),
        (
            {"rules": {"CC1": True}},
            "rules.CC1",
            'rules.CC1 must be one of "error", "warning", "info" or "off", not true',
        ),
    ],
)
def test_override_errors(tmp_path: Path, overrides: dict[str, Any], key: str, message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        resolve_settings(tmp_path, overrides=overrides, env={})
    error = caught.value
    assert (error.path, error.line, error.column, error.key, error.message) == (
        "settings",
        None,
        None,
        key,
        message,
    )
    assert error.source == "override"
    assert str(error) == f"settings: {message}"


def test_override_not_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        resolve_settings(tmp_path, overrides=["x"], env={})  # type: ignore[arg-type]
    assert str(caught.value) == "settings: the settings must be a mapping, not list"


def test_bad_coder_url_env(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        resolve_settings(tmp_path, env={"CODER_URL": "coder.example.com"})
    error = caught.value
    assert str(error) == (
        'env:CODER_URL: CODER_URL "coder.example.com" must start with http:// or https://'
        " (e.g. https://coder.example.com)"
    )
    assert (error.key, error.source) == ("deployment.accessUrl", "env:CODER_URL")


def test_bad_coder_url_env_is_no_problem_when_shadowed(tmp_path: Path) -> None:
    settings = resolve_settings(
        tmp_path, overrides={"deployment": {"accessUrl": "https://x.example.com"}}, env={"CODER_URL": "nope"}
    )
    assert settings.access_url == "https://x.example.com"


def test_bad_cli_url_file(tmp_path: Path) -> None:
    url = write(tmp_path / "cli" / "url", "not a url\n")
    with pytest.raises(SettingsError) as caught:
        resolve_settings(tmp_path, env={"CODER_CONFIG_DIR": str(tmp_path / "cli")})
    error = caught.value
    assert (error.path, error.line, error.column, error.source) == (str(url), 1, 1, "coder-cli")
    assert error.message == 'the URL saved by `coder login` "not a url" must not contain spaces'


def test_error_pickles() -> None:
    error = SettingsError("boom", path="/x.yaml", line=2, column=3, key="a.b")
    copy = pickle.loads(pickle.dumps(error))
    assert (str(copy), copy.key, copy.line) == ("/x.yaml:2:3: boom", "a.b", 2)
    assert isinstance(copy, ValueError)
