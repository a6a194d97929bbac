"""Start-up (issue 18, "Instant start"): whole-process wall time of the commands a user runs often.

Each figure is a fresh process of the virtual environment's ``coder-catalog`` console script, as a
user (or pre-commit) runs it, timed from just before it is started to just after it has exited, or
for ``serve`` to the moment its answer to ``initialize`` has been read from its stdout. ``RUNS``
runs of each, interleaved with the others (so that every figure sees the same load on a shared
machine), median and 95th percentile.

- ``version``: ``coder-catalog --version``;
- ``lint_offline_one_file``: ``coder-catalog lint --offline catalog-info.yaml``, one single-entity
  file in a git repository, as pre-commit runs it on every commit; side by side with
  ``check-jsonschema --schemafile schemas/catalog-info.schema.json catalog-info.yaml`` on the same
  file (installed into this virtual environment when missing);
- ``serve_to_initialize``: ``coder-catalog serve`` started, an ``initialize`` request written to its
  stdin at once, until its answer is read; side by side with yaml-language-server (``--stdio``), when
  :mod:`benchmarks.versus_yaml_language_server` has installed it into ``benchmarks/.node/`` (or
  ``STARTUP_INSTALL_YAML_LANGUAGE_SERVER=1`` asks to install it).

Ratios are the other tool / coder-catalog (above 1: coder-catalog starts faster).

Bytecode: every process runs with ``PYTHONPYCACHEPREFIX`` set to a folder of this run (filled by one
untimed run of each command first) and without ``PYTHONDONTWRITEBYTECODE``, as an installed package
runs (pip compiles what it installs; an editable install caches on its first run). ``*_no_bytecode_cache``
repeats the two CLI rows with ``PYTHONDONTWRITEBYTECODE=1`` and no cache for this project's own source
(the packages of the virtual environment keep theirs), as in a sandbox that forbids writing them.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.lint_throughput import catalog_file
from benchmarks.versus_yaml_language_server import (
    SCHEMA,
    YLS_PACKAGE,
    YLS_VERSION,
    ensure_check_jsonschema,
    ensure_yaml_language_server,
)

RUNS = 15
TIMEOUT = 60.0
TARGETS_SECONDS = {"version": 0.06, "lint_offline_one_file": 0.12, "serve_to_initialize": 0.25}


def _log(message: str) -> None:
    print(f"  startup: {message}", file=sys.stderr, flush=True)


def _coder_catalog() -> str:
    return str(Path(sys.executable).parent / "coder-catalog")


def _timed_run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, timeout=TIMEOUT, check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise RuntimeError(
            f"{command}: exit {done.returncode}: {done.stderr.decode(errors='replace')[-300:]}"
        )
    return seconds


def _message(payload: dict[str, Any]) -> bytes:
    body = json.dumps(payload).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _read_message(stream: Any) -> dict[str, Any]:
    length = None
    while True:
        line = stream.readline()
        if not line:
            raise RuntimeError("the server closed its stdout")
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode("ascii").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    if length is None:
        raise RuntimeError("a message without Content-Length")
    answer: dict[str, Any] = json.loads(stream.read(length))
    return answer


def _initialize(root: Path) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "processId": os.getpid(),
            "rootUri": root.as_uri(),
            "workspaceFolders": [{"uri": root.as_uri(), "name": "bench"}],
            "capabilities": {"workspace": {"configuration": True}},
        },
    }


def _timed_initialize(command: list[str], root: Path, env: dict[str, str] | None = None) -> float:
    """Process start to the ``initialize`` answer read from its stdout; then the server is ended
    politely (shutdown, exit) or killed."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=root, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write(_message(_initialize(root)))
        process.stdin.flush()
        while True:  # skip notifications and requests (logs, configuration) until the answer
            message = _read_message(process.stdout)
            if message.get("id") == 1 and "method" not in message:
                break
        seconds = time.perf_counter() - started
        if "result" not in message:
            raise RuntimeError(f"{command}: initialize failed: {message}")
        process.stdin.write(_message({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
        process.stdin.write(_message({"jsonrpc": "2.0", "method": "exit"}))
        process.stdin.close()
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return seconds


def _summary(seconds: list[float]) -> dict[str, Any]:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median_s": round(statistics.median(ordered), 4),
        "p95_s": round(p95, 4),
        "min_s": round(ordered[0], 4),
        "runs": len(ordered),
    }


def _ratio(theirs: dict[str, Any] | None, ours: dict[str, Any]) -> float | None:
    if theirs is None or not ours["median_s"]:
        return None
    return round(theirs["median_s"] / ours["median_s"], 1)


def _yaml_language_server() -> Path | None:
    if os.environ.get("STARTUP_INSTALL_YAML_LANGUAGE_SERVER") == "1" or YLS_PACKAGE.is_dir():
        try:
            return ensure_yaml_language_server()
        except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
            _log(f"yaml-language-server left out: {exc}")
    return None


def run() -> dict[str, Any]:
    started = time.perf_counter()
    coder_catalog = _coder_catalog()
    check_jsonschema = ensure_check_jsonschema()
    yls = _yaml_language_server()
    node = shutil.which("node")
    with tempfile.TemporaryDirectory(prefix="coder-catalog-startup-") as folder:
        root = Path(folder)
        subprocess.run(["git", "init", "-q", str(root)], capture_output=True, check=False)
        (root / "catalog-info.yaml").write_text(catalog_file(1), encoding="utf-8")
        commands: dict[str, tuple[str, list[str]]] = {
            "version": ("run", [coder_catalog, "--version"]),
            "lint_offline_one_file": ("run", [coder_catalog, "lint", "--offline", "catalog-info.yaml"]),
            "check_jsonschema_one_file": (
                "run",
                [str(check_jsonschema), "--schemafile", str(SCHEMA), "catalog-info.yaml"],
            ),
            "serve_to_initialize": ("initialize", [coder_catalog, "serve", "--log-level", "warning"]),
        }
        if yls is not None and node is not None:
            commands["yaml_language_server_to_initialize"] = ("initialize", [node, str(yls), "--stdio"])
        cached = {
            key: value
            for key, value in os.environ.items()
            if key not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")
        }
        cached["PYTHONPYCACHEPREFIX"] = str(root / ".pycache")
        uncached = {key: value for key, value in cached.items() if key != "PYTHONPYCACHEPREFIX"}
        uncached["PYTHONDONTWRITEBYTECODE"] = "1"
        runs: dict[str, tuple[str, list[str], dict[str, str]]] = {
            name: (how, command, cached) for name, (how, command) in commands.items()
        }
        runs["version_no_bytecode_cache"] = ("run", commands["version"][1], uncached)
        runs["lint_offline_one_file_no_bytecode_cache"] = (
            "run",
            commands["lint_offline_one_file"][1],
            uncached,
        )
        for how, command, env in runs.values():  # once each, untimed: the bytecode and file system caches
            (_timed_run if how == "run" else _timed_initialize)(command, root, env)
        times: dict[str, list[float]] = {name: [] for name in runs}
        _log(f"{RUNS} runs of {', '.join(runs)}")
        for _ in range(RUNS):
            for name, (how, command, env) in runs.items():
                times[name].append((_timed_run if how == "run" else _timed_initialize)(command, root, env))
    figures = {name: _summary(values) for name, values in times.items()}
    ratios = {
        "lint_offline_one_file_check_jsonschema_to_coder_catalog": _ratio(
            figures["check_jsonschema_one_file"], figures["lint_offline_one_file"]
        ),
        "serve_to_initialize_yaml_language_server_to_coder_catalog": _ratio(
            figures.get("yaml_language_server_to_initialize"), figures["serve_to_initialize"]
        ),
    }
    for name, figure in figures.items():
        _log(f"{name}: median {figure['median_s'] * 1000:.0f} ms, p95 {figure['p95_s'] * 1000:.0f} ms")
    for name, ratio in ratios.items():
        _log(f"ratio {name}: {ratio}")
    return {
        "notes": {
            "figures": f"whole-process wall time, {RUNS} runs interleaved, median and 95th percentile",
            "ratios": "the other tool / coder-catalog; above 1: coder-catalog starts faster",
            "bytecode": (
                "PYTHONPYCACHEPREFIX of this run, filled by an untimed first run, as an installed package; "
                "*_no_bytecode_cache: PYTHONDONTWRITEBYTECODE=1, this project's source compiled each time"
            ),
        },
        "versions": {
            "python": sys.version.split()[0],
            "check_jsonschema": subprocess.run(
                [str(check_jsonschema), "--version"], capture_output=True, text=True, check=False
            ).stdout.strip(),
            "yaml_language_server": YLS_VERSION if yls is not None else None,
        },
        "figures": figures,
        "ratios": ratios,
        "targets": {
            name: {
                "target_s": target,
                "median_s": figures[name]["median_s"],
                "meets_target": figures[name]["median_s"] <= target,
            }
            for name, target in TARGETS_SECONDS.items()
        },
        "seconds": round(time.perf_counter() - started, 1),
    }


if __name__ == "__main__":
    json.dump(run(), sys.stdout, indent=2)
    sys.stdout.write("\n")
