"""What the workspace lenses and commands share: the deployment's client, and each entity's
workspaces in memory, filled and refreshed in the background.

Nothing here makes a request wait: :meth:`WorkspaceState.peek` answers from memory and schedules
a fetch when the listing is missing or stale. A listing is fetched again every few seconds while
one of its workspaces is building, otherwise on a longer interval, for as long as lenses keep
asking for it. When a listing changes the client is asked to refresh its code lenses
(``workspace/codeLens/refresh``) if it supports that.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from coder_catalog.settings import Settings
from coder_catalog.workspaces.entities import CoderEntity, coder_entities
from coder_catalog.workspaces.model import EntityWorkspaces
from coder_catalog.workspaces.plugin_rules import WorkspaceSearch
from coder_catalog.workspaces.service import ErrorKind, WorkspaceError, WorkspaceService

if TYPE_CHECKING:
    from coder_catalog.lsp.documents import OpenDocument
    from coder_catalog.lsp.server import CatalogServer

log = logging.getLogger(__name__)

BUSY_INTERVAL = 2.0  # seconds between fetches while a build is in progress
IDLE_INTERVAL = 60.0
ERROR_INTERVAL = 15.0  # after a failure with nothing to show (no credential yet, token rejected...)
FORGET_AFTER = 600.0  # stop refreshing a listing no lens has asked for in this long

ListingKey = tuple[str, str | None, WorkspaceSearch]  # (deployment, CA bundle, the plugin's queries)


@dataclass
class Listing:
    settings: Settings
    search: WorkspaceSearch
    result: EntityWorkspaces | None = None
    error: str | None = None
    error_kind: ErrorKind | None = None
    fetched_at: float = float("-inf")
    wanted_at: float = field(default_factory=time.monotonic)
    task: asyncio.Task[None] | None = None
    timer: asyncio.TimerHandle | None = None

    @property
    def interval(self) -> float:
        if self.result is None:
            return ERROR_INTERVAL
        return BUSY_INTERVAL if self.result.building else IDLE_INTERVAL

    @property
    def stale(self) -> bool:
        return time.monotonic() - self.fetched_at >= self.interval


class WorkspaceState:
    def __init__(self, server: CatalogServer) -> None:
        self.server = server
        self.listings: dict[ListingKey, Listing] = {}
        self._refresh_pending = False
        self._sending: set[asyncio.Task[None]] = set()

    # -- entities and clients -------------------------------------------------------------------------

    def entities(self, document: OpenDocument, *, everyone: bool = False) -> list[CoderEntity]:
        """The document's entities with a spec.coder block; with ``everyone``, every entity (the
        commands, an explicit request, act on any entity, as the plugin's card shows on any page)."""
        return coder_entities(
            self.server.catalog.analyzer_for(document),
            document.text,
            everyone=everyone,
            location=document.default_location,
        )

    def shown_entities(self, document: OpenDocument) -> list[CoderEntity]:
        """The entities the editor shows Coder on unasked (lenses, source actions): those with a block,
        or all of them with ``editor.workspaceLenses: all``."""
        return self.entities(document, everyone=document.settings.workspace_lenses == "all")

    def service(self, settings: Settings) -> WorkspaceService:
        """A service over the deployment's shared client; WorkspaceError when there is none."""
        provider = self.server.providers.live_for(settings)
        if provider is None:
            raise WorkspaceError(
                "no Coder deployment is configured (deployment.accessUrl; see docs/configuration.md)", "usage"
            )
        client = provider.client
        if client is None:
            raise WorkspaceError(provider.client_problem or "no Coder client", "unauthorized")
        return WorkspaceService(client)

    # -- listings -------------------------------------------------------------------------------------

    def peek(self, settings: Settings, search: WorkspaceSearch) -> Listing:
        """The listing in memory (possibly empty or stale); a fetch starts when it is stale."""
        listing = self._listing(settings, search)
        listing.wanted_at = time.monotonic()
        if listing.stale:
            self._start_fetch(listing)
        return listing

    async def fetch(self, settings: Settings, search: WorkspaceSearch) -> EntityWorkspaces:
        """A fresh listing, for commands (raises WorkspaceError); the lenses see it too."""
        listing = self._listing(settings, search)
        try:
            result = await self.service(settings).search(search)
        except WorkspaceError as exc:
            self._record(listing, None, exc)
            raise
        self._record(listing, result, None)
        return result

    def refetch_soon(self, settings: Settings, search: WorkspaceSearch) -> None:
        """Fetch again in the background now (a command changed something)."""
        listing = self._listing(settings, search)
        listing.fetched_at = float("-inf")
        self._start_fetch(listing)

    def _listing(self, settings: Settings, search: WorkspaceSearch) -> Listing:
        key: ListingKey = (settings.access_url or "", settings.ca_bundle, search)
        listing = self.listings.get(key)
        if listing is None:
            listing = self.listings[key] = Listing(settings, search)
            if not search.queries:  # nothing to ask Coder
                listing.result = EntityWorkspaces((), search.note)
                listing.fetched_at = float("inf")
        return listing

    def _start_fetch(self, listing: Listing) -> None:
        if listing.task is not None and not listing.task.done():
            return
        try:
            listing.task = asyncio.get_running_loop().create_task(self._fetch(listing))
        except RuntimeError:  # no running loop
            return

    async def _fetch(self, listing: Listing) -> None:
        try:
            result = await self.service(listing.settings).search(listing.search)
        except WorkspaceError as exc:
            self._record(listing, None, exc)
        except Exception:
            log.exception("listing workspaces failed")
            self._record(listing, None, WorkspaceError("listing workspaces failed (see the server log)"))
        else:
            self._record(listing, result, None)

    def _record(
        self, listing: Listing, result: EntityWorkspaces | None, error: WorkspaceError | None
    ) -> None:
        before = (listing.result, listing.error)
        listing.fetched_at = time.monotonic()
        if result is not None:
            listing.result = result
        listing.error = error.message if error is not None else None
        listing.error_kind = error.kind if error is not None else None
        self._schedule_next(listing)
        if (listing.result, listing.error) != before:
            self.lenses_changed()

    def _schedule_next(self, listing: Listing) -> None:
        if listing.timer is not None:
            listing.timer.cancel()
        with contextlib.suppress(RuntimeError):
            loop = asyncio.get_running_loop()
            listing.timer = loop.call_later(listing.interval, self._poll, listing)

    def _poll(self, listing: Listing) -> None:
        listing.timer = None
        if time.monotonic() - listing.wanted_at < FORGET_AFTER:
            self._start_fetch(listing)

    # -- telling the client ---------------------------------------------------------------------------

    def lenses_changed(self) -> None:
        """Ask the client to request the code lenses again (once for changes close together)."""
        if self._refresh_pending or not self._refresh_supported():
            return
        self._refresh_pending = True
        with contextlib.suppress(RuntimeError):
            asyncio.get_running_loop().call_later(0.05, self._send_refresh)

    def _send_refresh(self) -> None:
        self._refresh_pending = False

        async def send() -> None:
            try:
                await self.server.workspace_code_lens_refresh_async(None)
            except Exception:
                log.debug("workspace/codeLens/refresh failed", exc_info=True)

        task = asyncio.get_running_loop().create_task(send())
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    def _refresh_supported(self) -> bool:
        workspace = self.server.client_capabilities.workspace
        code_lens = workspace.code_lens if workspace else None
        return bool(code_lens and code_lens.refresh_support)


_STATES: WeakKeyDictionary[CatalogServer, WorkspaceState] = WeakKeyDictionary()


def state_of(server: CatalogServer) -> WorkspaceState:
    state = _STATES.get(server)
    if state is None:
        state = _STATES[server] = WorkspaceState(server)
    return state
