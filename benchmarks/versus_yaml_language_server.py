"""Side by side with yaml-language-server (issue 8): the same LSP client, the same files, comparable work.

Both servers are driven over stdio by :class:`benchmarks.lsp_client.BenchClient`, a fresh process
of each per file (both alive while that file is measured), with the same client capabilities and the
same settings answers:

- coder-catalog (``python -m coder_catalog serve``) with the simulator's template snapshot
  (``coderCatalog.templates`` = tests/fixtures/coder-templates.json), so its template checks run;
- yaml-language-server 1.25.0 (the newest that runs on Node 20; installed with npm into
  ``benchmarks/.node/`` when missing), with ``yaml.schemas`` mapping a copy of
  ``schemas/catalog-info.schema.json`` to ``**/catalog-info.yaml``. The copy has the snapshot's
  template names as an ``enum`` of ``spec.coder.templateName`` and its parameters as properties of
  ``spec.coder.params`` (an ``enum`` of the option values where a parameter has options), so both
  servers check the same things. Validation, completion and hover on; SchemaStore and the
  Kubernetes CRD store off (no network).

Files: one entity; 2,000 Components with ``spec.coder`` blocks, some wrong (about 36,000 lines);
10,000 Users and Groups (2.7 MB; every 500th User carries a ``spec.coder`` block so that
completion and hover have positions inside ``spec.coder``).

Figures, per server and file: didOpen -> first diagnostics; didChange (one name inside one
document) -> the diagnostics of that change (yaml-language-server publishes without a version:
the next publish after the change; it waits ``validationDelayMs`` = 200 ms after each change
before validating, which is part of what an editor sees); completion and hover at positions in
``spec.coder``, one request to each server in turn (so that both see the same load); peak resident
memory (VmHWM) of the server process. Ratios are yaml-language-server / coder-catalog (above 1:
coder-catalog is faster or smaller).

Diagnostics are timed when the publish message has been read from the pipe: the pygls client's
own parsing of it into lsprotocol objects (over 100 ms for the 2,629 diagnostics coder-catalog
reports on the 2,000-entity file, about 35 ms for yaml-language-server's 858) is client cost, not
server cost, and is given separately (``*_decoded_by_client``, ``ratio_with_the_clients_decoding``).
Series stop after ``BUDGET_SECONDS`` once ``MINIMUM`` samples are in, so the slow series have few
samples (their count is given).

Lint: one ``check-jsonschema`` process (installed into this virtual environment when missing)
over 1,000 single-entity files with the same schema copy, against one ``coder-catalog lint``
process over the folder holding them (offline, and with the template snapshot); wall time
including start-up for both.
"""

from __future__ import annotations

import asyncio
import copy
import importlib.metadata
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

from lsprotocol import types

from benchmarks import lint_throughput
from benchmarks.generated_catalogs import component, many_components, many_users
from benchmarks.lsp_client import (
    Answered,
    BenchClient,
    edit_latencies,
    open_document,
    proc_status_mb,
    request_latencies,
    summary,
)

ROOT = Path(__file__).resolve().parent.parent
NODE_PREFIX = ROOT / "benchmarks" / ".node"
YLS_VERSION = "1.25.0"
YLS_PACKAGE = NODE_PREFIX / "node_modules" / "yaml-language-server"
SCHEMA = ROOT / "schemas" / "catalog-info.schema.json"
SNAPSHOT = ROOT / "tests" / "fixtures" / "coder-templates.json"
CHECK_JSONSCHEMA = "check-jsonschema==0.39.*"
YLS_VALIDATION_DELAY_MS = 200  # yamlSettings.validationDelayMs in yaml-language-server 1.25.0

EDITS = 40  # at most, per server and file
REQUESTS = 100  # completions (and as many hovers) at most, per server and file
BUDGET_SECONDS = 10.0  # per series: stop once spent and at least MINIMUM were timed
MINIMUM = 6
LINT_FILES = 1000
LINT_RUNS = 3
TIMEOUT = 120.0  # any single wait
SETTLE_SECONDS = 2.0  # after both servers started, before the first open
USERS_WITH_CODER_EVERY = 500


def _log(message: str) -> None:
    print(f"  versus yaml-language-server: {message}", file=sys.stderr, flush=True)


# -- what the benchmark needs ----------------------------------------------------------------------


def ensure_yaml_language_server() -> Path:
    """The yaml-language-server entry point, installed with npm into benchmarks/.node/ if missing."""
    package = YLS_PACKAGE / "package.json"
    installed = json.loads(package.read_text())["version"] if package.is_file() else None
    if installed != YLS_VERSION:
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is needed to install yaml-language-server")
        _log(f"installing yaml-language-server@{YLS_VERSION} into {NODE_PREFIX}")
        subprocess.run(
            [
                npm,
                "install",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(NODE_PREFIX),
                f"yaml-language-server@{YLS_VERSION}",
            ],
            check=True,
            stdout=sys.stderr,
            timeout=600,
        )
    return YLS_PACKAGE / "bin" / "yaml-language-server"


def ensure_check_jsonschema() -> Path:
    """The check-jsonschema command of this virtual environment, installed with pip if missing."""
    command = Path(sys.executable).parent / "check-jsonschema"
    if not command.exists():
        _log(f"installing {CHECK_JSONSCHEMA} into {sys.prefix}")
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", CHECK_JSONSCHEMA],
            check=True,
            stdout=sys.stderr,
            timeout=600,
        )
    return command


def schema_with_templates(schema: dict[str, Any], snapshot: dict[str, Any]) -> dict[str, Any]:
    """A copy of the catalog schema with the snapshot's template names and parameters written in."""
    result = copy.deepcopy(schema)
    coder = result["$defs"]["coder"]["properties"]
    names = [template["name"] for template in snapshot["templates"]]
    # "" is valid too: it disables workspace creation for the entity.
    coder["templateName"]["enum"] = ["", *names]
    properties: dict[str, Any] = {}
    for template in snapshot["templates"]:
        for parameter in template.get("parameters", []):
            entry = properties.setdefault(
                parameter["name"],
                {
                    "type": "string",
                    "description": parameter.get("description_plaintext") or parameter.get("description", ""),
                },
            )
            options = [str(option["value"]) for option in parameter.get("options") or []]
            # A list(string) parameter takes a JSON list in a string: its options are not whole values.
            if options and not str(parameter.get("type", "")).startswith("list"):
                entry["enum"] = sorted(set(entry.get("enum", [])) | set(options))
    coder["params"]["properties"] = properties
    return result


def users_and_groups(count: int = 10_000) -> str:
    """``many_users``, with a ``spec.coder`` block in every 500th User (positions for completion
    and hover inside ``spec.coder``)."""
    documents = many_users(count).split("---\n")
    for index in range(1, len(documents), USERS_WITH_CODER_EVERY):
        if "kind: User" in documents[index]:
            documents[index] += "  coder:\n    templateName: docker\n    mode: manual\n"
    return "---\n".join(documents)


# -- the language servers ----------------------------------------------------------------------------


def _settings(schema_uri: str) -> dict[str, Any]:
    """What the client answers to workspace/configuration, for both servers (each reads its own section)."""
    return {
        "coderCatalog": {"templates": str(SNAPSHOT)},
        "yaml": {
            "schemas": {schema_uri: ["**/catalog-info.yaml"]},
            "validate": True,
            "completion": True,
            "hover": True,
            "schemaStore": {"enable": False},
            "kubernetesCRDStore": {"enable": False},
        },
        "http": {},
        "[yaml]": {},
        "editor": {},
    }


CAPABILITIES = types.ClientCapabilities(
    workspace=types.WorkspaceClientCapabilities(configuration=True),
    text_document=types.TextDocumentClientCapabilities(
        publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True),
        completion=types.CompletionClientCapabilities(
            completion_item=types.ClientCompletionItemOptions(snippet_support=True)
        ),
        hover=types.HoverClientCapabilities(
            content_format=[types.MarkupKind.Markdown, types.MarkupKind.PlainText]
        ),
    ),
)


def _coder_positions(
    lines: list[int], text_lines: list[str], limit: int
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Completion and hover positions in spec.coder: alternately the value and the key of
    ``templateName`` and of ``mode``, spread over the file, cycled up to ``limit``."""
    completion: list[tuple[int, int]] = []
    hover: list[tuple[int, int]] = []
    for line in lines:
        mode = line + 1 if text_lines[line + 1].startswith("    mode:") else line
        completion += [(line, len("    templateName: ")), (mode, len("    mode: "))]
        hover += [(line, 6), (mode, 6)]
    step = max(1, len(completion) // limit)
    completion, hover = completion[::step][:limit], hover[::step][:limit]
    while len(completion) < limit:
        completion, hover = (completion * 2)[:limit], (hover * 2)[:limit]
    return completion, hover


async def _start(command: list[str], root: Path, settings: dict[str, Any]) -> tuple[BenchClient, int]:
    """A started, initialized and configured server; the client answers ``workspace/configuration``
    from ``settings`` and sends ``workspace/didChangeConfiguration``, so both servers pull their section."""
    client = BenchClient(settings)
    pid = await client.start_server(*command)
    await asyncio.wait_for(
        client.initialize_async(
            types.InitializeParams(
                capabilities=CAPABILITIES,
                process_id=os.getpid(),
                root_uri=root.as_uri(),
                workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="bench")],
            )
        ),
        TIMEOUT,
    )
    client.initialized(types.InitializedParams())
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    began = time.perf_counter()
    while client.configuration_requests < 2 and time.perf_counter() - began < 10:
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.3)  # let the answers be applied
    return client, pid


async def _interleaved(
    clients: dict[str, BenchClient], uris: dict[str, str], positions: list[tuple[int, int]], hover: bool
) -> dict[str, dict[str, Any]]:
    """Completion (or hover) at each position, one request to each server in turn, so that both
    see the same load on a shared machine; a server whose BUDGET_SECONDS are spent (after MINIMUM
    requests) is left out of the remaining positions. The figures are wire times (request written
    to answer read); ``observed_by_client`` adds the pygls client's own encoding and decoding."""
    latencies: dict[str, list[Answered]] = {name: [] for name in clients}
    answered = dict.fromkeys(clients, 0)
    spent = dict.fromkeys(clients, 0.0)
    for position in positions:
        for name, client in clients.items():
            if spent[name] > BUDGET_SECONDS and len(latencies[name]) >= MINIMUM:
                continue
            times, non_empty = await request_latencies(client, uris[name], [position], hover, timeout=TIMEOUT)
            latencies[name] += times
            answered[name] += non_empty
            spent[name] += times[0].observed
    return {
        name: summary([answer.wire for answer in values])
        | {
            "observed_by_client": summary([answer.observed for answer in values]),
            "requests": len(values),
            "non_empty": answered[name],
        }
        for name, values in latencies.items()
    }


async def _file(
    commands: dict[str, list[str]],
    root: Path,
    text: str,
    edit_line: int,
    edit_prefix: str,
    settings: dict[str, Any],
) -> dict[str, dict[str, Any]]:
    """Both servers on one file, each in its own fresh process, both alive for the whole file."""
    clients: dict[str, BenchClient] = {}
    pids: dict[str, int] = {}
    results: dict[str, dict[str, Any]] = {name: {} for name in commands}
    current = ""
    try:
        for name, command in commands.items():
            current = name
            clients[name], pids[name] = await _start(command, root / name, settings)
        await asyncio.sleep(
            SETTLE_SECONDS
        )  # whatever a server does after start-up is not timed in the other's open
        uris: dict[str, str] = {}
        for name, client in clients.items():
            current = name
            _log(f"{name}: open")
            uris[name], opened = await open_document(
                client, root / name / "catalog-info.yaml", text, timeout=TIMEOUT
            )
            results[name]["open_to_first_diagnostics_ms"] = round(opened.received * 1000, 1)
            results[name]["open_to_first_diagnostics_decoded_by_client_ms"] = round(opened.handled * 1000, 1)
            results[name]["diagnostics_after_open"] = client.diagnostic_counts.get(uris[name])
        await asyncio.sleep(0.5)  # nothing left from the opens
        for name, client in clients.items():
            current = name
            _log(f"{name}: edits")
            edits = await edit_latencies(
                client,
                uris[name],
                edit_line,
                edit_prefix,
                edits=EDITS,
                budget=BUDGET_SECONDS,
                minimum=MINIMUM,
                timeout=TIMEOUT,
            )
            result = results[name]
            result["edit_to_diagnostics"] = summary([e.received for e in edits]) | {"edits": len(edits)}
            result["edit_to_diagnostics_decoded_by_client"] = summary([e.handled for e in edits])
            result["diagnostics_after_edits"] = client.diagnostic_counts.get(uris[name])
        current = "completion and hover"
        _log("completion and hover, interleaved")
        text_lines = text.splitlines()
        coder_lines = [i for i, line in enumerate(text_lines) if line.startswith("    templateName:")]
        completion_at, hover_at = _coder_positions(coder_lines, text_lines, REQUESTS)
        completion = await _interleaved(clients, uris, completion_at, hover=False)
        hover = await _interleaved(clients, uris, hover_at, hover=True)
        for name, client in clients.items():
            result = results[name]
            result["completion"] = completion[name]
            result["hover"] = hover[name]
            result["peak_memory_mb"] = proc_status_mb(pids[name], "VmHWM")
            # One publish for the open and one per edit, or an edit was timed to a stray publish.
            result["publishes"] = client.publishes
            result["publishes_without_version"] = client.unversioned_publishes
        return results
    except Exception as exc:
        tails = {n: c.stderr_tail.decode("utf-8", "replace")[-300:] for n, c in clients.items()}
        raise RuntimeError(f"{current}: {exc!r}; stderr: {tails}") from exc
    finally:
        for client in clients.values():
            await client.close()


def _ratio(theirs: float, ours: float) -> float | None:
    return round(theirs / ours, 1) if ours > 0 and theirs >= 0 else None


def _ratios(ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, float | None]:
    ratios = {
        "open_to_first_diagnostics": _ratio(
            theirs["open_to_first_diagnostics_ms"], ours["open_to_first_diagnostics_ms"]
        )
    }
    for figure in ("edit_to_diagnostics", "completion", "hover"):
        for statistic in ("median_ms", "p95_ms"):
            ratios[f"{figure}_{statistic[:-3]}"] = _ratio(theirs[figure][statistic], ours[figure][statistic])
    ratios["peak_memory"] = _ratio(theirs["peak_memory_mb"], ours["peak_memory_mb"])
    return ratios


async def _servers(yls: Path, schema_copy: Path, root: Path) -> dict[str, Any]:
    big = many_components(2000)
    users = users_and_groups()
    files = {
        "one_entity": (component(1, wrong=True), 3, "service-"),
        "2000_entities": (big, big.splitlines().index("  name: service-1000"), "service-"),
        "10000_users_and_groups": (users, users.splitlines().index("  name: user-5001"), "user-"),
    }
    servers = {
        "coder_catalog": [sys.executable, "-m", "coder_catalog", "serve", "--log-level", "warning"],
        "yaml_language_server": [shutil.which("node") or "node", str(yls), "--stdio"],
    }
    settings = _settings(schema_copy.as_uri())
    results: dict[str, Any] = {}
    for file, (text, line, prefix) in files.items():
        entry: dict[str, Any] = {
            "lines": text.count("\n"),
            "megabytes": round(len(text.encode()) / 1e6, 2),
            "entities": text.count("---\n") + 1,
        }
        _log(f"{file}")
        entry |= await _file(servers, root / file, text, line, prefix, settings)
        entry["ratio_yaml_language_server_to_coder_catalog"] = _ratios(
            entry["coder_catalog"], entry["yaml_language_server"]
        )
        ours, theirs = entry["coder_catalog"], entry["yaml_language_server"]
        entry["ratio_with_the_clients_decoding"] = {
            "open_to_first_diagnostics": _ratio(
                theirs["open_to_first_diagnostics_decoded_by_client_ms"],
                ours["open_to_first_diagnostics_decoded_by_client_ms"],
            ),
            **{
                f"edit_to_diagnostics_{statistic[:-3]}": _ratio(
                    theirs["edit_to_diagnostics_decoded_by_client"][statistic],
                    ours["edit_to_diagnostics_decoded_by_client"][statistic],
                )
                for statistic in ("median_ms", "p95_ms")
            },
        }
        results[file] = entry
    return results


# -- lint ------------------------------------------------------------------------------------------------


def _timed(command: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    return time.perf_counter() - started, done


def _lint(check_jsonschema: Path, schema_copy: Path, folder: Path) -> dict[str, Any]:
    root = folder / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], capture_output=True, check=False)
    lint_throughput.generate(root, LINT_FILES)
    files = sorted(str(path.relative_to(root)) for path in root.rglob("catalog-info.yaml"))
    coder_catalog = str(Path(sys.executable).parent / "coder-catalog")
    commands = {
        "check_jsonschema": [str(check_jsonschema), "--schemafile", str(schema_copy), *files],
        "coder_catalog_offline": [coder_catalog, "lint", "--offline", "."],
        "coder_catalog_with_templates": [coder_catalog, "lint", "--templates", str(SNAPSHOT), "."],
    }
    one_file = {
        "check_jsonschema": [*commands["check_jsonschema"][:3], files[0]],
        "coder_catalog_offline": [*commands["coder_catalog_offline"][:-1], files[0]],
        "coder_catalog_with_templates": [*commands["coder_catalog_with_templates"][:-1], files[0]],
    }
    results: dict[str, Any] = {"files": len(files)}
    for name, command in commands.items():
        _log(f"lint: {name} over {len(files)} files")
        runs = []
        for _ in range(LINT_RUNS):
            seconds, done = _timed(command, root)
            runs.append(seconds)
        wall = statistics.median(runs)
        one = statistics.median(_timed(one_file[name], root)[0] for _ in range(LINT_RUNS))
        results[name] = {
            "wall_seconds": round(wall, 3),
            "files_per_second": round(len(files) / wall),
            "one_file_wall_seconds": round(one, 3),
            "exit_code": done.returncode,
            "output_tail": (done.stdout + done.stderr).strip()[-200:],
        }
    theirs = results["check_jsonschema"]["wall_seconds"]
    for name in ("coder_catalog_offline", "coder_catalog_with_templates"):
        results[name]["ratio_check_jsonschema_to_this"] = _ratio(theirs, results[name]["wall_seconds"])
    return results


# -- the whole benchmark ----------------------------------------------------------------------------------


def _targets(servers: dict[str, Any], lint: dict[str, Any]) -> dict[str, Any]:
    slower = [
        f"{file}.{figure}"
        for file, entry in servers.items()
        for figure, ratio in entry["ratio_yaml_language_server_to_coder_catalog"].items()
        if ratio is None or ratio <= 1
    ]
    slower += [
        f"lint.{name}"
        for name in ("coder_catalog_offline", "coder_catalog_with_templates")
        if (lint[name]["ratio_check_jsonschema_to_this"] or 0) <= 1
    ]
    edit = servers["2000_entities"]["ratio_yaml_language_server_to_coder_catalog"][
        "edit_to_diagnostics_median"
    ]
    return {
        "edit_in_2000_entities_at_least_10x_faster": {"ratio": edit, "meets_target": (edit or 0) >= 10},
        "faster_on_every_figure": {"meets_target": not slower, "not_faster_on": slower},
    }


def _installed_version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


NOTES = {
    "ratios": "yaml-language-server (or check-jsonschema) / coder-catalog; above 1: coder-catalog is faster or smaller",
    "yaml_language_server_validation_delay_ms": YLS_VALIDATION_DELAY_MS,
    "edit": (
        "one name inside one document replaced, as typing does; yaml-language-server publishes without "
        "versions, so the next publish after the change is taken"
    ),
    "times": (
        "diagnostics are timed when the publish message has been read from the pipe; *_decoded_by_client "
        "adds the pygls client's parsing of it, which grows with the number of diagnostics"
    ),
    "positions": "completion at the values of spec.coder.templateName and mode, hover on those keys",
    "lint": (
        f"wall time including start-up, median of {LINT_RUNS} runs "
        "(one_file_wall_seconds: the same command on one file)"
    ),
}


def run() -> dict[str, Any]:
    started = time.perf_counter()
    yls = ensure_yaml_language_server()
    check_jsonschema = ensure_check_jsonschema()
    node_version = subprocess.run(
        ["node", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="coder-catalog-versus-") as folder:
        root = Path(folder)
        (root / ".git").mkdir()  # the servers' project root stops here
        schema_copy = root / "catalog-info.schema.json"
        schema = schema_with_templates(json.loads(SCHEMA.read_text()), json.loads(SNAPSHOT.read_text()))
        schema_copy.write_text(json.dumps(schema, indent=2), encoding="utf-8")
        servers = asyncio.run(_servers(yls, schema_copy, root / "lsp"))
        lint_folder = root / "lint"
        lint_folder.mkdir()
        lint = _lint(check_jsonschema, schema_copy, lint_folder)
    return {
        "versions": {
            "yaml_language_server": YLS_VERSION,
            "node": node_version,
            "check_jsonschema": _installed_version("check-jsonschema"),
        },
        "notes": NOTES,
        "servers": servers,
        "lint": lint,
        "targets": _targets(servers, lint),
        "seconds": round(time.perf_counter() - started, 1),
    }


if __name__ == "__main__":
    json.dump(run(), sys.stdout, indent=2)
    sys.stdout.write("\n")
