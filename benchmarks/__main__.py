"""``make bench``: every benchmark, as one JSON document on stdout (progress on stderr)."""

import json
import sys

from benchmarks import (
    analysis_speed,
    bundled_server,
    catalog_graph,
    coder_access,
    editor_features,
    lint_requests,
    lint_throughput,
    lsp_speed,
    memory_after_edits,
    startup,
    versus_yaml_language_server,
)
from coder_catalog.runtime import relax_garbage_collector

relax_garbage_collector()  # as the CLI and the language server do
results = {}
for name, run in (
    ("lint_throughput", lint_throughput.run),
    ("lint_requests", lint_requests.run),
    ("analysis_2000_entities", analysis_speed.run),
    ("editor_features_2000_entities", editor_features.run),
    ("language_server_over_stdio", lsp_speed.run),
    ("catalog_graph_10000_files", catalog_graph.run),
    ("memory_after_10000_edits", memory_after_edits.run),
    ("coder_access", coder_access.run_all),
    ("versus_yaml_language_server", versus_yaml_language_server.run),
    ("startup", startup.run),
    ("bundled_server", bundled_server.run),
):
    print(f"running {name}...", file=sys.stderr, flush=True)
    results[name] = run()
json.dump(results, sys.stdout, indent=2)
sys.stdout.write("\n")
