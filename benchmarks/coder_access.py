"""Coder access figures against the simulator on loopback.

- requests a lint-like load costs (many files, few templates): bound 3 + distinct templates;
- cold and warm latency of the template cache;
- snapshot write and load time for the simulator's templates, scaled up.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

from coder_catalog.accounts.credentials import Credential, Secret
from coder_catalog.coder.cache import TemplateCache
from coder_catalog.coder.client import CoderClient
from coder_catalog.simulator.server import SimulatorServer
from coder_catalog.templates.model import Template, TemplateCatalog
from coder_catalog.templates.snapshot import dump_snapshot, parse_snapshot


def _api_requests(sim: SimulatorServer) -> int:
    return sum(1 for r in sim.requests() if str(r["path"]).startswith("/api/"))


async def _cache_figures(sim: SimulatorServer) -> dict[str, Any]:
    client = CoderClient(sim.url, Credential(sim.url, Secret(sim.token), "bench"))
    async with client:
        cache = TemplateCache(client)
        sim.clear_requests()
        started = time.perf_counter()
        listing = await cache.catalog()
        cold = time.perf_counter() - started
        names = [t.name for t in listing.templates][:5]
        files = [[names[i % len(names)]] for i in range(5000)]
        started = time.perf_counter()
        await asyncio.gather(*(cache.catalog_for(f) for f in files))
        fill = time.perf_counter() - started
        requests = _api_requests(sim)
        warm = []
        for _ in range(2000):
            started = time.perf_counter()
            await cache.catalog_for(names)
            warm.append(time.perf_counter() - started)
        full = await cache.full_catalog()
    return {
        "files": len(files),
        "distinct_templates": len(names),
        "requests": requests,
        "request_bound": 3 + len(names),
        "cold_listing_ms": round(cold * 1000, 2),
        "first_lookup_of_5000_files_ms": round(fill * 1000, 2),
        "warm_lookup_median_us": round(statistics.median(warm) * 1e6, 1),
        "warm_lookup_p95_us": round(sorted(warm)[int(len(warm) * 0.95)] * 1e6, 1),
        "_catalog": full,
    }


def _snapshot_figures(catalog: TemplateCatalog, copies: int = 200) -> dict[str, Any]:
    from dataclasses import replace

    templates: list[Template] = []
    for i in range(copies):
        templates.extend(replace(t, id=f"{t.id}-{i}", name=f"{t.name}-{i}") for t in catalog.templates)
    big = TemplateCatalog(tuple(templates), catalog.server_version, catalog.deployment_url)
    started = time.perf_counter()
    text = dump_snapshot(big)
    dumped = time.perf_counter() - started
    started = time.perf_counter()
    parse_snapshot(text)
    loaded = time.perf_counter() - started
    return {
        "templates": len(templates),
        "bytes": len(text.encode()),
        "dump_ms": round(dumped * 1000, 1),
        "load_ms": round(loaded * 1000, 1),
    }


def run_all() -> dict[str, Any]:
    with SimulatorServer() as sim:
        cache = asyncio.run(_cache_figures(sim))
    catalog = cache.pop("_catalog")
    return {"template_cache": cache, "snapshot": _snapshot_figures(catalog)}
