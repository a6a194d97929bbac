"""The VS Code extension's manifest (editors/vscode/package.json) against the server, without Node.js.

`make test` also builds the extension and runs its Node unit tests when npm is there; these checks run
everywhere, so a settings schema change that the extension does not follow fails the Python suite too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from coder_catalog.lsp.client_settings import PROJECT_KEYS, SECTION

REPOSITORY = Path(__file__).resolve().parents[2]
EXTENSION = REPOSITORY / "editors" / "vscode"
MANIFEST = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
SETTINGS_SCHEMA = json.loads(
    (REPOSITORY / "schemas" / "coder-catalog.schema.json").read_text(encoding="utf-8")
)
CLIENT_KEYS = {
    "coderCatalog.server.path",
    "coderCatalog.server.importStrategy",
    "coderCatalog.server.args",
    "coderCatalog.server.env",
    "coderCatalog.trace.server",
}
SERVER_COMMANDS = {
    "coderCatalog.linkAccount",
    "coderCatalog.signInWithOAuth",
    "coderCatalog.unlinkAccount",
    "coderCatalog.accountStatus",
    "coderCatalog.listWorkspaces",
    "coderCatalog.openWorkspace",
    "coderCatalog.createWorkspace",
    "coderCatalog.startWorkspace",
    "coderCatalog.stopWorkspace",
    "coderCatalog.serverStats",
    "coderCatalog.templateUsage",
    "coderCatalog.moveTemplate",
}


def schema_leaves(node: dict[str, Any], prefix: str) -> dict[str, dict[str, Any]]:
    """Settings of the schema: members of fixed-shape objects, flattened to dotted keys."""
    leaves: dict[str, dict[str, Any]] = {}
    for name, child in node.get("properties", {}).items():
        key = f"{prefix}.{name}"
        if (
            child.get("type") == "object"
            and "properties" in child
            and child.get("additionalProperties") is False
        ):
            leaves.update(schema_leaves(child, key))
        else:
            leaves[key] = child
    return leaves


def properties() -> dict[str, dict[str, Any]]:
    configuration = MANIFEST["contributes"]["configuration"]
    return dict(configuration["properties"])


def test_every_server_setting_is_a_vscode_setting_and_nothing_else() -> None:
    leaves = schema_leaves(SETTINGS_SCHEMA, SECTION)
    contributed = properties()
    assert set(contributed) - CLIENT_KEYS == set(leaves), "run `npm run sync-configuration` in editors/vscode"
    assert {key.split(".")[1] for key in leaves} == set(PROJECT_KEYS)


def test_settings_validate_like_the_schema() -> None:
    contributed = properties()
    for key, leaf in schema_leaves(SETTINGS_SCHEMA, SECTION).items():
        setting = contributed[key]
        types = setting["type"] if isinstance(setting["type"], list) else [setting["type"]]
        assert leaf["type"] in types, key
        assert set(types) <= {leaf["type"], "null"}, key
        for keyword in (
            "enum",
            "pattern",
            "minLength",
            "minItems",
            "uniqueItems",
            "items",
            "additionalProperties",
        ):
            if keyword == "enum" and keyword in leaf:
                assert [v for v in setting["enum"] if v is not None] == leaf["enum"], key
            elif keyword in leaf and keyword not in ("items", "additionalProperties"):
                assert setting[keyword] == leaf[keyword], (key, keyword)
            elif keyword in leaf:
                assert setting[keyword].get("type") == leaf[keyword].get("type"), (key, keyword)
        assert leaf.get("description", "") in setting["markdownDescription"], key
        # Unset by default: the project file and the other sources then apply.
        assert setting["default"] in (None, [], {}), key


def test_yaml_validation_uses_the_published_schemas() -> None:
    entries = MANIFEST["contributes"]["yamlValidation"]
    by_url = {entry["url"]: entry["fileMatch"] for entry in entries}
    assert by_url["./schemas/catalog-info.schema.json"] == ["catalog-info.yaml", "catalog-info.yml"]
    assert ".coder-catalog.yaml" in by_url["./schemas/coder-catalog.schema.json"]
    copier = (EXTENSION / "scripts" / "copy-schemas.js").read_text(encoding="utf-8")
    for url in by_url:
        name = Path(url).name
        assert (REPOSITORY / "schemas" / name).is_file()
        assert name in copier  # the build copies it into the extension


def test_commands_are_the_clients_own_and_activation_is_for_catalog_files() -> None:
    commands = {c["command"]: f"{c['category']}: {c['title']}" for c in MANIFEST["contributes"]["commands"]}
    assert not set(commands) & SERVER_COMMANDS  # vscode-languageclient registers those itself
    assert {
        "Coder: Link Account",
        "Coder: Sign In with OAuth",
        "Coder: Unlink Account",
        "Coder: Show Workspaces",
        "Coder: Create Workspace",
        "Coder: Show Template Usage",
        "Coder: Restart Language Server",
    } <= set(commands.values())
    events = MANIFEST["activationEvents"]
    assert "workspaceContains:**/catalog-info.yaml" in events
    assert "onLanguage:yaml" in events
    assert not any(event == "*" or event.startswith("onStartupFinished") for event in events)


def test_versions_packaging_and_lock() -> None:
    assert MANIFEST["engines"]["vscode"] == "^1.82.0"
    assert MANIFEST["dependencies"] == {"vscode-languageclient": "9.0.1"}
    assert MANIFEST["devDependencies"]["@vscode/vsce"].startswith("3.")
    assert MANIFEST["devDependencies"]["@types/vscode"] == "1.82.0"
    assert MANIFEST["repository"]["url"] and (EXTENSION / "LICENSE").is_file()  # else vsce asks
    lock = json.loads((EXTENSION / "package-lock.json").read_text(encoding="utf-8"))
    packages = lock["packages"]
    assert packages["node_modules/vscode-languageclient"]["version"] == "9.0.1"
    assert packages["node_modules/@vscode/vsce"]["version"] == MANIFEST["devDependencies"]["@vscode/vsce"]
    assert all(
        entry.get("resolved", "https://registry.npmjs.org/").startswith("https://registry.npmjs.org/")
        for entry in packages.values()
    )
    restricted = MANIFEST["capabilities"]["untrustedWorkspaces"]["restrictedConfigurations"]
    assert "coderCatalog.server.path" in restricted
