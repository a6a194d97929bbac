"""Start-up imports only what a command needs (issue 18): facts about ``sys.modules`` in a fresh
process, not timings (those are in benchmarks/startup.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from coder_catalog.settings import project_keys
from coder_catalog.settings._validate import project_validator, validate_settings_data

HEAVY = ("httpx", "asyncio", "jsonschema", "keyring", "lsprotocol", "pygls", "yaml")


def _loaded_after(code: str, cwd: Path | None = None) -> set[str]:
    """The HEAVY modules imported after running ``code`` in a fresh interpreter."""
    script = (
        "import sys\n"
        f"{code}\n"
        f"print(__import__('json').dumps([m for m in {HEAVY!r} if m in sys.modules]), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=cwd, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_version_and_the_parser_import_no_heavy_module() -> None:
    code = (
        "from coder_catalog.cli import build_parser, main\n"
        "build_parser()\n"
        "try:\n    main(['--version'])\nexcept SystemExit as exc:\n    assert exc.code == 0\n"
    )
    assert _loaded_after(code) == set()


def test_lint_offline_imports_neither_the_client_nor_the_schema_checker(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "catalog-info.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\n"
        "spec:\n  type: service\n  lifecycle: production\n  owner: team\n",
        encoding="utf-8",
    )
    code = (
        "from coder_catalog.cli import main\n"
        "assert main(['lint', '--offline', 'catalog-info.yaml']) == 0\n"
        "sys.stdout.flush()\n"
    )
    assert _loaded_after(code, cwd=tmp_path) == {"yaml"}


def test_serve_start_up_imports_no_schema_checker() -> None:
    loaded = _loaded_after("from coder_catalog.lsp.server import create_server\ncreate_server()")
    assert "jsonschema" not in loaded
    assert {"lsprotocol", "pygls"} <= loaded


def test_empty_settings_are_valid_without_the_schema_checker() -> None:
    """validate_settings_data answers {} without jsonschema: the schema must accept {}."""
    assert list(project_validator().iter_errors({})) == []
    assert validate_settings_data({}, file="<test>") == []
    assert _loaded_after(
        "from coder_catalog.settings._validate import validate_settings_data\n"
        "assert validate_settings_data({}, file='x') == []"
    ) <= {"yaml"}


def test_project_keys_are_the_schemas_top_level_keys() -> None:
    assert project_keys() == tuple(project_validator().schema["properties"])
