"""The template cache: request counts over real HTTP, TTL, single flight."""

from __future__ import annotations

import asyncio

from coder_catalog.accounts.credentials import Credential, Secret
from coder_catalog.coder.cache import TemplateCache
from coder_catalog.coder.client import CoderClient
from coder_catalog.simulator.server import SimulatorServer


def api_requests(sim: SimulatorServer) -> list[dict[str, object]]:
    return [r for r in sim.requests() if str(r["path"]).startswith("/api/")]


def make_cache(sim: SimulatorServer, **kwargs: object) -> TemplateCache:
    client = CoderClient(sim.url, Credential(sim.url, Secret(sim.token), "test"), backoff=0.01)
    return TemplateCache(client, **kwargs)  # type: ignore[arg-type]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_listing_costs_two_requests_and_is_cached(simulator: SimulatorServer) -> None:
    cache = make_cache(simulator)
    assert cache.peek() is None
    first = await cache.catalog()
    second = await cache.catalog()
    await cache.client.aclose()
    assert first is second
    assert any(t.deprecated for t in first.templates)
    assert first.server_version
    paths = sorted(str(r["path"]) + "?" + str(r["query"]) for r in api_requests(simulator))
    # Coder lists deprecated templates with the others: one request, not one per state.
    assert paths == ["/api/v2/buildinfo?", "/api/v2/templates?"], paths


async def test_a_lint_run_costs_at_most_two_plus_distinct_templates(simulator: SimulatorServer) -> None:
    cache = make_cache(simulator)
    listing = await cache.catalog()
    names = [t.name for t in listing.templates][:3]
    # 200 "files" referring to 3 templates in various cases, all at once, plus unknown names.
    files = [[names[i % 3].upper() if i % 2 else names[i % 3], "does-not-exist"] for i in range(200)]
    results = await asyncio.gather(*(cache.catalog_for(f) for f in files))
    await cache.client.aclose()
    for wanted, result in zip(files, results, strict=True):
        template = result.find(wanted[0])
        assert template is not None and template.parameters is not None
    everything = cache.peek()
    assert everything is not None
    assert all(everything.find(n).parameters is not None for n in names)  # type: ignore[union-attr]
    assert len(api_requests(simulator)) <= 2 + len(names)


async def test_ttl_refreshes_the_listing_but_not_the_parameters(simulator: SimulatorServer) -> None:
    clock = FakeClock()
    cache = make_cache(simulator, ttl=60, clock=clock)
    name = (await cache.catalog()).templates[0].name
    await cache.catalog_for([name])
    before = len(api_requests(simulator))
    assert before == 3
    clock.now += 30
    await cache.catalog_for([name])
    assert len(api_requests(simulator)) == before
    clock.now += 31
    await cache.catalog_for([name])
    await cache.client.aclose()
    assert len(api_requests(simulator)) == before + 2  # the listing again; parameters are by version


async def test_peek_answers_from_memory_only(simulator: SimulatorServer) -> None:
    cache = make_cache(simulator)
    catalog = await cache.catalog()
    name = catalog.templates[0].name
    await cache.catalog_for([name])
    simulator.clear_requests()
    simulator.set_fault("hang")
    peeked = cache.peek()
    await cache.client.aclose()
    assert peeked is not None and peeked.find(name).parameters is not None  # type: ignore[union-attr]
    assert api_requests(simulator) == []


async def test_a_template_still_importing_is_reported_not_raised(simulator: SimulatorServer) -> None:
    cache = make_cache(simulator)
    name = (await cache.catalog()).templates[0].name
    simulator.state.set_template_flags(name, importing=True)
    try:
        catalog = await cache.catalog_for([name])
    finally:
        simulator.state.set_template_flags(name, importing=False)
        await cache.client.aclose()
    assert catalog.find(name).parameters is None  # type: ignore[union-attr]
    assert "imported" in catalog.unavailable[name]


async def test_full_catalog_has_parameters_and_presets_for_every_template(simulator: SimulatorServer) -> None:
    cache = make_cache(simulator)
    catalog = await cache.full_catalog()
    await cache.client.aclose()
    assert all(t.parameters is not None and t.presets is not None for t in catalog.templates)
    assert len(api_requests(simulator)) == 2 + 2 * len(catalog.templates)
