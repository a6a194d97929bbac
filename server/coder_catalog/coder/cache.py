"""A per-deployment cache of templates and their parameters.

- The template listing (every template, deprecated ones included, plus the server version)
  is kept for a time-to-live: 2 requests (``buildinfo`` and ``templates``; Coder lists
  deprecated templates unless ``q`` asks ``deprecated:false``).
- A template version's parameters and presets never change once imported, so they are
  kept by version id for the life of the cache: one request per template version.
So a lint run over any number of files costs at most 2 + (distinct templates used)
requests, and concurrent callers asking for the same thing share one request.
``peek()`` answers from memory only, for code that must never wait on the network.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar, cast

from coder_catalog.coder.client import CoderClient
from coder_catalog.coder.errors import CoderHTTPError, TooEarly
from coder_catalog.templates.model import Preset, Template, TemplateCatalog, TemplateParameter

T = TypeVar("T")

DEFAULT_TTL = 300.0
MAX_VERSIONS = 512


class TemplateCache:
    def __init__(
        self,
        client: CoderClient,
        *,
        ttl: float = DEFAULT_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.ttl = ttl
        self._clock = clock
        self._listing: TemplateCatalog | None = None
        self._listing_at = float("-inf")
        self._parameters: OrderedDict[str, tuple[TemplateParameter, ...]] = OrderedDict()
        self._presets: OrderedDict[str, tuple[Preset, ...]] = OrderedDict()
        self._in_flight: dict[str, asyncio.Future[Any]] = {}

    @property
    def description(self) -> str:
        return f"deployment {self.client.url}"

    # -- reading -----------------------------------------------------------------------------------

    def peek(self) -> TemplateCatalog | None:
        """What is in memory (possibly stale), with the parameters already loaded; no network."""
        if self._listing is None:
            return None
        return self._listing.with_templates(
            t.with_details(parameters=self._parameters.get(t.active_version_id))
            for t in self._listing.templates
            if t.active_version_id in self._parameters
        )

    @property
    def is_fresh(self) -> bool:
        return self._listing is not None and self._clock() - self._listing_at < self.ttl

    def invalidate(self) -> None:
        """Forget the listing (parameters stay: template versions are immutable)."""
        self._listing_at = float("-inf")

    async def catalog(self) -> TemplateCatalog:
        """Every template of the deployment, deprecated ones included, without parameters."""
        if self._listing is not None and self.is_fresh:
            return self._listing
        return await self._single_flight("listing", self._fetch_listing)

    async def catalog_for(self, names: Iterable[str]) -> TemplateCatalog:
        """The catalog with the parameters of the named templates loaded (unknown names ignored)."""
        listing = await self.catalog()
        wanted: dict[str, Template] = {}
        for name in names:
            template = listing.find(name)
            if template is not None:
                wanted[template.id] = template
        return await self._with_details(listing, wanted.values(), presets=False)

    async def full_catalog(self, *, presets: bool = True) -> TemplateCatalog:
        """Every template with its parameters (and presets): what a snapshot holds."""
        listing = await self.catalog()
        return await self._with_details(listing, listing.templates, presets=presets)

    async def parameters(self, template: Template) -> tuple[TemplateParameter, ...]:
        version = template.active_version_id
        cached = self._parameters.get(version)
        if cached is not None:
            self._parameters.move_to_end(version)
            return cached

        async def fetch() -> tuple[TemplateParameter, ...]:
            params = tuple(await self.client.rich_parameters(version))
            _remember(self._parameters, version, params)
            return params

        return await self._single_flight(f"parameters:{version}", fetch)

    async def presets(self, template: Template) -> tuple[Preset, ...]:
        version = template.active_version_id
        cached = self._presets.get(version)
        if cached is not None:
            return cached

        async def fetch() -> tuple[Preset, ...]:
            found = tuple(await self.client.presets(version))
            _remember(self._presets, version, found)
            return found

        return await self._single_flight(f"presets:{version}", fetch)

    # -- internals -----------------------------------------------------------------------------------

    async def _fetch_listing(self) -> TemplateCatalog:
        info, templates = await asyncio.gather(self.client.buildinfo(), self.client.all_templates())
        listing = TemplateCatalog(
            tuple(templates), server_version=info.version, deployment_url=self.client.url
        )
        self._listing = listing
        self._listing_at = self._clock()
        return listing

    async def _with_details(
        self, listing: TemplateCatalog, templates: Iterable[Template], *, presets: bool
    ) -> TemplateCatalog:
        chosen = list(templates)

        async def load(template: Template) -> Template | str:
            try:
                params = await self.parameters(template)
                found = await self.presets(template) if presets else None
            except TooEarly:
                return "its active version is still being imported by Coder; try again shortly"
            except CoderHTTPError as exc:
                if exc.status == 404:
                    return "its active version is not visible to this account"
                raise
            return template.with_details(parameters=params, presets=found)

        results = await asyncio.gather(*(load(t) for t in chosen))
        loaded = [r for r in results if isinstance(r, Template)]
        unavailable = {t.name: r for t, r in zip(chosen, results, strict=True) if isinstance(r, str)}
        return listing.with_templates(loaded, unavailable)

    async def _single_flight(self, key: str, fetch: Callable[[], Awaitable[T]]) -> T:
        """Concurrent callers of the same fetch share one request. The fetch runs as its own
        task, so a caller that is cancelled (an editor request, say) does not cancel it for the
        others, and its result still lands in the cache."""
        task = self._in_flight.get(key)
        if task is None:
            new: asyncio.Future[Any] = asyncio.ensure_future(fetch())
            new.add_done_callback(lambda done: self._finished(key, done))
            self._in_flight[key] = task = new
        return cast(T, await asyncio.shield(task))

    def _finished(self, key: str, task: asyncio.Future[Any]) -> None:
        if self._in_flight.get(key) is task:
            del self._in_flight[key]
        if not task.cancelled():
            task.exception()  # retrieved here too, so an unawaited failure is not logged as lost


def _remember(store: OrderedDict[str, T], key: str, value: T) -> None:
    store[key] = value
    store.move_to_end(key)
    while len(store) > MAX_VERSIONS:
        store.popitem(last=False)
