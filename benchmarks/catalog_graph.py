"""The workspace's catalog as a graph, over stdio: the language server indexes a tree of 10,000 catalog
files, then answers references, rename, definition, workspace symbols, completion and hover of entity
references on that index.

The tree (written to a temporary folder, made a git repository with its files added, so that git's
listing of ignored files is part of the search as for users): ``<area>/service-<i>/catalog-info.yaml``
for 10,000 services in 20 areas and 4 namespaces, each a Component naming its owner, its System, the
APIs it provides and consumes and the Components it depends on; every 50th file also holds a Group,
every 100th a System, every 10th an API. A root ``catalog-info.yaml`` Location names ``org/*.yaml``
(Groups and 400 Users) and ``common/common-apis.yaml``: files no search finds, only the Location. A
``build/`` folder of copies, ignored by ``.gitignore``, must stay out of the index.

Figures (issue 17): wall time from ``initialized`` sent to ``coderCatalog.serverStats`` reporting the
index ready with every file (polled every 20 ms; target 5 s on the 2-core machine), the server's own
measure, its resident memory then, and hover and completion answered while it indexes; then, on the
index, references and rename of the much-referenced Group ``platform-team`` from its ``metadata.name``
(target 50 ms each, median and 95th percentile), definition, workspace symbols and completion at
``owner:``. Requests are timed on the wire (request written to the pipe -> answer read from it: the
server's part, what the targets are about) and as the pygls client observed them (adding its decoding of
the answer into lsprotocol objects, which grows with the number of locations). Offline.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sized
from pathlib import Path
from typing import Any, NamedTuple

from lsprotocol import types

from benchmarks.generated_catalogs import (
    graph_area,
    graph_common_apis,
    graph_component,
    graph_groups,
    graph_root_location,
    graph_users,
)
from benchmarks.lsp_client import BenchClient, Published, open_document, proc_status_mb, rss_mb, summary

FILES = 10_000
USERS = 400
COMMON_APIS = 20
IGNORED_COPIES = 50  # catalog-info.yaml files under build/, which .gitignore names
RUNS = 30
DURING_INDEXING_RUNS = 10  # of each request
POLL_SECONDS = 0.02
INDEX_TIMEOUT = 90.0
TARGET_INDEX_SECONDS = 5.0
TARGET_REQUEST_MS = 50.0
GROUP = "platform-team"
INDEXING_TITLE = "Indexing the catalog"


class Tree(NamedTuple):
    root: Path
    files: int  # catalog files the index should hold
    entities: int
    git: bool
    groups: Path  # org/groups.yaml, where platform-team is defined
    seconds: float  # to write it
    git_seconds: float  # to make it a repository and add the files


def write_tree(root: Path, count: int = FILES) -> Tree:
    started = time.perf_counter()
    entities = 0
    for i in range(count):
        text = graph_component(i, count)
        entities += text.count("\nkind: ")
        folder = root / graph_area(i) / f"service-{i}"
        folder.mkdir(parents=True)
        (folder / "catalog-info.yaml").write_text(text, encoding="utf-8")
    (root / "catalog-info.yaml").write_text(graph_root_location(), encoding="utf-8")
    (root / "org").mkdir()
    groups = root / "org" / "groups.yaml"
    groups.write_text(graph_groups(), encoding="utf-8")
    (root / "org" / "users.yaml").write_text(graph_users(USERS), encoding="utf-8")
    (root / "common").mkdir()
    (root / "common" / "common-apis.yaml").write_text(graph_common_apis(COMMON_APIS), encoding="utf-8")
    entities += 1 + graph_groups().count("\nkind: ") + USERS + COMMON_APIS
    git = shutil.which("git") is not None
    for i in range(IGNORED_COPIES if git else 0):  # without git, nothing would ignore them
        folder = root / "build" / f"copy-{i}"
        folder.mkdir(parents=True)
        (folder / "catalog-info.yaml").write_text(graph_component(i, count), encoding="utf-8")
    (root / ".gitignore").write_text("build/\nnode_modules/\n", encoding="utf-8")
    written = time.perf_counter()
    if git:
        subprocess.run(["git", "init", "-q", str(root)], check=True, capture_output=True)
        subprocess.run(["git", "-C", str(root), "add", "-A"], check=True, capture_output=True)
    files = count + 1 + 2 + 1  # the services, the root Location, org/*.yaml, common/common-apis.yaml
    return Tree(root, files, entities, git, groups, written - started, time.perf_counter() - written)


class GraphClient(BenchClient):
    """Also accepts work-done progress and file watching, as editors do, and notes when the indexing
    progress begins and ends."""

    def __init__(self) -> None:
        super().__init__()
        self.indexing_began: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.indexing_ended: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._tokens: set[str | int] = set()
        self.progress_reports = 0

        @self.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
        def create(params: types.WorkDoneProgressCreateParams) -> None:
            return None

        @self.feature(types.CLIENT_REGISTER_CAPABILITY)
        def register(params: types.RegistrationParams) -> None:
            return None

        @self.feature(types.PROGRESS)
        def progress(params: types.ProgressParams) -> None:
            now = time.perf_counter()
            value = params.value
            kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
            title = value.get("title") if isinstance(value, dict) else getattr(value, "title", None)
            if kind == "begin" and title == INDEXING_TITLE:
                self._tokens.add(params.token)
                if not self.indexing_began.done():
                    self.indexing_began.set_result(now)
            elif params.token in self._tokens and kind == "report":
                self.progress_reports += 1
            elif params.token in self._tokens and kind == "end" and not self.indexing_ended.done():
                self.indexing_ended.set_result(now)


async def _run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="coder-catalog-graph-") as folder:
        tree = write_tree(Path(folder))
        print(
            f"catalog_graph: tree written in {tree.seconds:.1f} s, git add {tree.git_seconds:.1f} s",
            file=sys.stderr,
            flush=True,
        )
        client = GraphClient()
        try:
            pid = await client.start_server(
                sys.executable, "-m", "coder_catalog", "serve", "--log-level", "warning"
            )
            return await _measure(client, pid, tree)
        finally:
            await client.close()


async def _stats(client: BenchClient) -> dict[str, Any]:
    stats = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="coderCatalog.serverStats")
    )
    assert isinstance(stats, dict)
    return stats


async def _measure(client: GraphClient, pid: int, tree: Tree) -> dict[str, Any]:
    root = tree.root
    capabilities = types.ClientCapabilities(
        workspace=types.WorkspaceClientCapabilities(
            workspace_folders=True,
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True),
        ),
        window=types.WindowClientCapabilities(work_done_progress=True),
    )
    await client.initialize_async(
        types.InitializeParams(
            capabilities=capabilities,
            process_id=os.getpid(),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
        )
    )
    results: dict[str, Any] = {
        "tree": {
            "catalog_files": tree.files,
            "entities": tree.entities,
            "git_repository": tree.git,
            "ignored_copies_outside_the_index": IGNORED_COPIES if tree.git else 0,
            "written_in_seconds": round(tree.seconds, 2),
            "git_init_and_add_seconds": round(tree.git_seconds, 2),
        }
    }

    # -- 1. the first indexing, and requests answered during it ---------------------------------------
    service = root / graph_area(5) / "service-5" / "catalog-info.yaml"
    service_text = service.read_text(encoding="utf-8")
    started = time.perf_counter()
    client.initialized(types.InitializedParams())
    opened = client.expect(service.as_uri(), 1)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=service.as_uri(), language_id="yaml", version=1, text=service_text)
        )
    )
    during = asyncio.create_task(_during_indexing(client, service.as_uri(), service_text, opened, started))
    stats: dict[str, Any] = {}
    polls = 0
    while time.perf_counter() - started < INDEX_TIMEOUT:
        stats = await _stats(client)
        polls += 1
        index = stats["catalogIndex"]
        if index["ready"] and index["files"] >= tree.files:
            break
        await asyncio.sleep(POLL_SECONDS)
    wall = time.perf_counter() - started
    index = stats.get("catalogIndex", {})
    ended = client.indexing_ended.result() - started if client.indexing_ended.done() else None
    indexing = {
        "files": index.get("files"),
        "entities": index.get("entities"),
        "expected_files": tree.files,
        "expected_entities": tree.entities,
        "index_seconds_wall": round(wall, 3),
        "index_seconds_server": index.get("seconds"),
        "progress_end_seconds": round(ended, 3) if ended is not None else None,
        "progress_reports": client.progress_reports,
        "server_stats_polls": polls,
        "target_seconds": TARGET_INDEX_SECONDS,
        "met": bool(index.get("ready"))
        and index.get("files") == tree.files
        and index.get("entities") == tree.entities
        and wall < TARGET_INDEX_SECONDS,
        "resident_memory_mb": rss_mb(pid),
        "peak_resident_memory_mb": proc_status_mb(pid, "VmHWM"),
    }
    indexing["requests_during_indexing"] = await during
    results["index_10000_files"] = indexing
    print(f"catalog_graph: indexed {index.get('files')} files in {wall:.2f} s", file=sys.stderr, flush=True)

    # -- 2. references and rename of a much-referenced Group, definition, workspace symbols ------------
    groups_uri, _ = await open_document(client, tree.groups, tree.groups.read_text(encoding="utf-8"))
    groups_lines = tree.groups.read_text(encoding="utf-8").splitlines()
    name_line = groups_lines.index(f"  name: {GROUP}")
    on_name = types.Position(name_line, len("  name: ") + 3)
    document = types.TextDocumentIdentifier(uri=groups_uri)

    def references() -> Awaitable[Any]:
        return client.text_document_references_async(
            types.ReferenceParams(
                text_document=document,
                position=on_name,
                context=types.ReferenceContext(include_declaration=True),
            )
        )

    def rename() -> Awaitable[Any]:
        return client.text_document_rename_async(
            types.RenameParams(text_document=document, position=on_name, new_name="platform-guild")
        )

    found = await _timed(client, references, RUNS, _count)
    edits = await _timed(client, rename, RUNS, _edit_count)
    graph: dict[str, Any] = {
        "group": f"group:default/{GROUP}",
        "references_include_declaration": found,
        "rename": edits,
        "target_ms": TARGET_REQUEST_MS,
    }
    for figure in (found, edits):
        figure["met"] = figure["wire"]["median_ms"] < TARGET_REQUEST_MS and figure["wire"]["p95_ms"] < (
            TARGET_REQUEST_MS
        )

    owned = root / graph_area(10) / "service-10" / "catalog-info.yaml"
    owned_text = owned.read_text(encoding="utf-8")
    owned_uri, _ = await open_document(client, owned, owned_text)
    owner_line = next(n for n, line in enumerate(owned_text.splitlines()) if line.startswith("  owner: "))
    on_owner = types.Position(owner_line, len("  owner: ") + 2)
    owned_document = types.TextDocumentIdentifier(uri=owned_uri)

    def definition() -> Awaitable[Any]:
        return client.text_document_definition_async(
            types.DefinitionParams(text_document=owned_document, position=on_owner)
        )

    def symbols() -> Awaitable[Any]:
        return client.workspace_symbol_async(types.WorkspaceSymbolParams(query="serv"))

    def hover() -> Awaitable[Any]:
        return client.text_document_hover_async(
            types.HoverParams(text_document=owned_document, position=on_owner)
        )

    graph["definition"] = await _timed(client, definition, RUNS, _count)
    graph["workspace_symbol_serv"] = await _timed(client, symbols, RUNS, _count)
    graph["hover_on_reference"] = await _timed(client, hover, RUNS, lambda answer: int(answer is not None))
    results["on_the_index"] = graph

    # -- 3. completion of references at "owner: " ------------------------------------------------------
    blank = owned_text.replace(f"\n  owner: {owned_text.splitlines()[owner_line][9:]}\n", "\n  owner: \n")
    new_service = root / "scratch" / "new-service" / "catalog-info.yaml"
    new_uri, _ = await open_document(client, new_service, blank)
    at_owner = types.Position(owner_line, len("  owner: "))
    new_document = types.TextDocumentIdentifier(uri=new_uri)

    def completion() -> Awaitable[Any]:
        return client.text_document_completion_async(
            types.CompletionParams(text_document=new_document, position=at_owner)
        )

    results["completion_at_owner"] = await _timed(client, completion, RUNS, _count)
    results["resident_memory_mb_at_the_end"] = rss_mb(pid)
    results["targets"] = {
        "index_10000_files_seconds": TARGET_INDEX_SECONDS,
        "references_and_rename_ms": TARGET_REQUEST_MS,
    }
    return results


async def _during_indexing(
    client: GraphClient, uri: str, text: str, opened: asyncio.Future[Published], started: float
) -> dict[str, Any]:
    """Hover on the ``owner`` reference and completion of it in the open document (both on the index as
    far as it got), in turns every 50 ms from the moment the indexing progress begins: their latencies
    as the client observes them (the serverStats polls run meanwhile, so the wire is not told apart),
    how many had an answer, and how many were answered before the progress ended."""
    try:
        began = await asyncio.wait_for(client.indexing_began, INDEX_TIMEOUT)
    except TimeoutError:
        return {"error": "no indexing progress began"}
    answer: dict[str, Any] = {"progress_began_seconds": round(began - started, 3)}
    lines = text.splitlines()
    owner = next(n for n, line in enumerate(lines) if line.startswith("  owner: "))
    document = types.TextDocumentIdentifier(uri=uri)
    requests: dict[str, Callable[[], Awaitable[Any]]] = {
        "hover_on_reference": lambda: client.text_document_hover_async(
            types.HoverParams(text_document=document, position=types.Position(owner, 11))
        ),
        "completion_at_owner": lambda: client.text_document_completion_async(
            types.CompletionParams(text_document=document, position=types.Position(owner, 9))
        ),
    }
    latencies: dict[str, list[float]] = {name: [] for name in requests}
    sent_at: dict[str, list[float]] = {name: [] for name in requests}
    answered = dict.fromkeys(requests, 0)
    before_end = dict.fromkeys(requests, 0)
    for _ in range(DURING_INDEXING_RUNS):
        for name, make in requests.items():
            sent = time.perf_counter()
            result = await asyncio.wait_for(make(), INDEX_TIMEOUT)
            latencies[name].append(time.perf_counter() - sent)
            sent_at[name].append(sent - started)
            before_end[name] += not client.indexing_ended.done()
            answered[name] += _count(result) > 0
            await asyncio.sleep(0.05)
    for name, values in latencies.items():
        answer[name] = {
            "first_ms": round(values[0] * 1000, 2),
            **summary(values),
            "max_ms": round(max(values) * 1000, 2),
            "max_sent_at_seconds": round(sent_at[name][values.index(max(values))], 3),
            "answered": f"{answered[name]}/{len(values)}",
            "before_indexing_ended": f"{before_end[name]}/{len(values)}",
        }
    published = await asyncio.wait_for(opened, INDEX_TIMEOUT)
    answer["open_to_diagnostics_ms"] = round((published.received - started) * 1000, 1)
    return answer


async def _timed(
    client: BenchClient, make: Callable[[], Awaitable[Any]], runs: int, count: Callable[[Any], Any]
) -> dict[str, Any]:
    """``runs`` requests one after the other: on the wire and as observed, and the count of the answer."""
    wire: list[float] = []
    observed: list[float] = []
    counted: Any = None
    for _ in range(runs):
        pending = make()
        client.capture_next_request = True
        started = time.perf_counter()
        result = await asyncio.wait_for(pending, 60)
        observed.append(time.perf_counter() - started)
        wire.append(client.wire_time(client.last_request_id))
        counted = count(result)
    return {"count": counted, "wire": summary(wire), "observed_by_client": summary(observed)}


def _count(answer: Any) -> int:
    if answer is None:
        return 0
    if isinstance(answer, types.CompletionList):
        return len(answer.items)
    return len(answer) if isinstance(answer, Sized) else 1


def _edit_count(answer: Any) -> dict[str, int]:
    if not isinstance(answer, types.WorkspaceEdit) or answer.changes is None:
        return {"edits": 0, "files": 0}
    return {"edits": sum(len(edits) for edits in answer.changes.values()), "files": len(answer.changes)}


def run() -> dict[str, Any]:
    return asyncio.run(_run())
