"""The server the VS Code extension ships against a pip-installed one: process start to first diagnostics.

The bundled server is set up exactly as the extension does on first use (``editors/vscode/src/bundled.ts``):
``python -m venv --without-pip``, then the bundled pip installs the bundled requirement with
``--no-index --find-links bundled/wheels``. The pip-installed one is the same release installed the way
a user does, ``pip install <the coder-catalog wheel>`` with its dependencies from the package index. Both
use the same base interpreter as this benchmark; the project's ``.venv`` (editable) is measured beside
them. Each run spawns ``serve``, sends initialize, initialized and didOpen of a small catalog file, and
stops the clock at the file's first ``publishDiagnostics``. Runs are interleaved (15 each, median).

Needs ``editors/vscode/bundled/`` (``make vscode-build`` writes it for the host); without it, the
result says so. The two environments are kept in ``benchmarks/.bundled/`` between runs, by the
wheel's content.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

REPOSITORY = Path(__file__).resolve().parents[1]
BUNDLED = REPOSITORY / "editors" / "vscode" / "bundled"
CACHE = Path(__file__).resolve().parent / ".bundled"
RUNS = 15
CATALOG = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments
  annotations:
    backstage.io/source-location: url:https://github.com/acme/payments/tree/main/
spec:
  type: service
  lifecycle: production
  owner: team-payments
  coder:
    templateName: docker
    mode: Auto
"""


def _base_python() -> str:
    """The interpreter this benchmark's environment was made from (as the extension finds python3)."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for folder in (Path(sys.base_prefix) / "bin", Path(sys.base_prefix)):
        for name in (version, "python3", "python.exe"):
            if (folder / name).exists():
                return str(folder / name)
    return sys.executable


def _bin(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if sys.platform == "win32" else "bin") / name


def _wheel_key() -> str:
    """The coder-catalog wheel the .vsix carries, by content: a rebuilt wheel gets new environments
    (the version alone stays the same while the code changes)."""
    wheel = next(BUNDLED.joinpath("wheels").glob("coder_catalog-*.whl"))
    return hashlib.sha256(wheel.read_bytes()).hexdigest()[:16]


def _bundled_environment(python: str, manifest: dict[str, Any]) -> Path:
    venv = CACHE / f"bundled-{manifest['server']}-{_wheel_key()}"
    if _bin(venv, "python").exists():
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([python, "-m", "venv", "--without-pip", str(venv)], check=True)
    pip = BUNDLED / "pip" / manifest["pip"] / "pip"
    subprocess.run(
        [str(_bin(venv, "python")), str(pip), "install", "--no-index", "--find-links", str(BUNDLED / "wheels"),
         "--disable-pip-version-check", "--quiet", manifest["requirement"]],
        check=True,
    )  # fmt: skip
    return venv


def _pip_environment(python: str, manifest: dict[str, Any]) -> Path:
    venv = CACHE / f"pip-{manifest['server']}-{_wheel_key()}"
    if _bin(venv, "coder-catalog").exists():
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    wheel = next(BUNDLED.joinpath("wheels").glob("coder_catalog-*.whl"))
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [
            str(_bin(venv, "python")),
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--quiet",
            str(wheel),
        ],
        check=True,
    )
    return venv


def _message(payload: dict[str, Any]) -> bytes:
    body = json.dumps(payload).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def _read(stream: IO[bytes]) -> dict[str, Any]:
    length = 0
    while True:
        line = stream.readline()
        if not line:
            raise EOFError("the server closed its output")
        if line in (b"\r\n", b"\n"):
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    result: dict[str, Any] = json.loads(stream.read(length))
    return result


def _first_diagnostics_ms(command: list[str], folder: Path) -> float:
    uri = (folder / "catalog-info.yaml").as_uri()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(folder), "CODER_CONFIG_DIR": str(folder / "coder")}
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=folder, env=env
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        initialize = {"processId": None, "rootUri": folder.as_uri(), "capabilities": {}}
        document = {"uri": uri, "languageId": "yaml", "version": 1, "text": CATALOG}
        process.stdin.write(
            _message({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": initialize})
        )
        process.stdin.write(_message({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
        process.stdin.write(
            _message(
                {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": document}}
            )
        )
        process.stdin.flush()
        while True:
            message = _read(process.stdout)
            if message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"] == uri:
                return (time.perf_counter() - started) * 1000
            if "id" in message and "method" in message:  # a request from the server: answer empty
                items = message.get("params", {}).get("items", [])
                result = [None] * len(items) if message["method"] == "workspace/configuration" else None
                process.stdin.write(_message({"jsonrpc": "2.0", "id": message["id"], "result": result}))
                process.stdin.flush()
    finally:
        process.kill()
        process.wait()


def run(runs: int = RUNS) -> dict[str, Any]:
    manifest_path = BUNDLED / "manifest.json"
    if not manifest_path.exists():
        return {"skipped": "editors/vscode/bundled/ is missing: make vscode-build writes it"}
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    python = _base_python()
    CACHE.mkdir(exist_ok=True)
    commands = {
        "bundled": [
            str(_bin(_bundled_environment(python, manifest), "python")),
            "-m",
            "coder_catalog",
            "serve",
        ],
        "pip_installed": [str(_bin(_pip_environment(python, manifest), "coder-catalog")), "serve"],
        "project_venv": [str(Path(sys.executable).with_name("coder-catalog")), "serve"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    with tempfile.TemporaryDirectory(prefix="coder-catalog-bundled-") as scratch:
        folder = Path(scratch)
        (folder / "catalog-info.yaml").write_text(CATALOG, encoding="utf-8")
        for command in commands.values():  # bytecode written, files in the page cache
            _first_diagnostics_ms(command, folder)
        for _ in range(runs):
            for name, command in commands.items():
                times[name].append(_first_diagnostics_ms(command, folder))
    medians = {name: statistics.median(values) for name, values in times.items()}
    return {
        "python": python,
        "target": manifest["target"],
        "runs": runs,
        **{f"{name}_first_diagnostics_ms": round(value) for name, value in medians.items()},
        "bundled_over_pip_installed": round(medians["bundled"] / medians["pip_installed"], 2),
    }


if __name__ == "__main__":
    json.dump(run(), sys.stdout, indent=2)
    sys.stdout.write("\n")
