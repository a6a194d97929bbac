"""The published JSON Schema, the schema loader and the model types."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from coder_catalog.schemas import load_schema, schema_path
from coder_catalog.settings import FrozenMap, SettingOrigin, Settings, WorkspaceDefaults

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schemas" / "coder-catalog.schema.json"


def walk(schema: dict[str, Any], where: str = "") -> list[tuple[str, dict[str, Any]]]:
    found = [(where or "(root)", schema)]
    for name, sub in schema.get("properties", {}).items():
        found.extend(walk(sub, f"{where}.{name}" if where else name))
    for keyword in ("items", "additionalProperties", "propertyNames"):
        sub = schema.get(keyword)
        if isinstance(sub, dict):
            found.extend(walk(sub, f"{where}[{keyword}]"))
    return found


def test_schema_is_valid_2020_12() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "https://coder-catalog.dev/schemas/coder-catalog.schema.json"


def test_schema_documents_every_property() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    for where, sub in walk(schema):
        assert sub.get("title"), where
        assert sub.get("description"), where
        if sub.get("type") == "object" and "properties" in sub:
            assert sub.get("additionalProperties") is False, where


def test_schema_keywords() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    workspaces = schema["properties"]["workspaces"]["properties"]
    assert workspaces["defaultMode"]["enum"] == ["manual", "auto"]
    assert workspaces["params"]["additionalProperties"]["type"] == "string"
    keys = workspaces["repoUrlParamKeys"]
    assert keys["uniqueItems"] is True
    assert (keys["items"]["type"], keys["items"]["minLength"]) == ("string", 1)
    assert schema["properties"]["rules"]["additionalProperties"]["enum"] == [
        "error",
        "warning",
        "info",
        "off",
    ]
    assert schema["properties"]["rules"]["propertyNames"]["pattern"] == "^[A-Z]+[0-9]+$"


def test_example_project_file_is_valid() -> None:
    example = {
        "deployment": {"accessUrl": "https://coder.example.com"},
        "workspaces": {
            "defaultTemplateName": "devcontainers",
            "defaultMode": "manual",
            "params": {"region": "eu"},
            "repoUrlParamKeys": ["repo_url", "custom_repo"],
        },
        "templates": "./coder-templates.json",
        "catalogGlobs": ["services/*/catalog.yaml"],
        "rules": {"CC101": "warning", "CC203": "off"},
        "tls": {"caBundle": "./ca.pem"},
    }
    assert list(Draft202012Validator(load_schema("coder-catalog.schema.json")).iter_errors(example)) == []


def test_load_schema() -> None:
    assert load_schema("coder-catalog.schema.json") is load_schema("coder-catalog.schema.json")
    assert Path(schema_path("coder-catalog.schema.json")).read_text() == SCHEMA_FILE.read_text()
    with pytest.raises(FileNotFoundError):
        load_schema("no-such.schema.json")
    with pytest.raises(ValueError):
        load_schema("../pyproject.toml")


def test_settings_core_imports_no_network_or_lsp_library() -> None:
    code = (
        "import sys, coder_catalog.settings\n"
        "bad = [m for m in ('pygls', 'httpx', 'aiohttp', 'lsprotocol') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    server = str(Path(__file__).resolve().parents[2] / "server")
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PYTHONPATH": server}
    )
    assert result.stdout.strip() == ""


def test_frozen_map() -> None:
    first = FrozenMap({"a": "1", "b": "2"})
    assert first == {"a": "1", "b": "2"}
    assert first == FrozenMap([("a", "1"), ("b", "2")])
    assert hash(first) == hash(FrozenMap({"b": "2", "a": "1"}))
    assert list(first) == ["a", "b"]
    assert len(first) == 2 and first["b"] == "2" and "c" not in first
    assert repr(first) == "FrozenMap({'a': '1', 'b': '2'})"
    with pytest.raises(TypeError):
        first["c"] = "3"  # type: ignore[index]


def test_model_coerces_to_immutable() -> None:
    params = {"region": "eu"}
    workspaces = WorkspaceDefaults(params=params, repo_url_param_keys=["repo_url"])  # type: ignore[arg-type]
    params["region"] = "us"
    assert workspaces.params == {"region": "eu"}
    assert workspaces.repo_url_param_keys == ("repo_url",)
    settings = Settings(
        access_url="https://c.example.com",
        workspaces=workspaces,
        rules={"CC1": "off"},
        origins={"deployment.accessUrl": SettingOrigin("override")},
    )
    assert isinstance(settings.rules, FrozenMap) and isinstance(settings.origins, FrozenMap)
    assert hash(settings) == hash(
        Settings(
            access_url="https://c.example.com",
            workspaces=WorkspaceDefaults(params={"region": "eu"}, repo_url_param_keys=("repo_url",)),
            rules={"CC1": "off"},
            origins={"deployment.accessUrl": SettingOrigin("override")},
        )
    )
    assert settings.origin("deployment.accessUrl") == SettingOrigin("override")
    assert settings.origin("templates") is None
    assert SettingOrigin("override").describe() == "override"
    assert SettingOrigin("coder-cli", "/c/url", 1).describe() == "coder-cli (/c/url:1)"
    assert SettingOrigin("app-config", "/r/app-config.yaml").describe() == "app-config (/r/app-config.yaml)"
