"""Template data for the language server, per deployment or snapshot: answered from memory,
filled in the background.

Nothing here is awaited by a keystroke: ``data()`` returns what is in memory at once, and
``want(names)`` schedules a background load when something is missing. When a load ends (or
fails), the registry calls back so that open documents are re-checked.

- A deployment that cannot be asked gives ``TemplateData(problem=...)`` until it comes back,
  unless templates were loaded before: then the last good data stays in use (a flaky network
  never turns every template into an "unknown template").
- The user is told once per problem (``notify``), not once per keystroke; retries back off.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coder_catalog.accounts import Credential, resolve_credential
from coder_catalog.analysis.templates import TemplateData
from coder_catalog.coder.errors import CoderError, CoderUnreachable, InsecureDeploymentURL, Unauthorized
from coder_catalog.settings import AccessURLError, Settings, origin_of
from coder_catalog.templates.model import DynamicEvaluation

if TYPE_CHECKING:
    from coder_catalog.coder.cache import TemplateCache
    from coder_catalog.coder.client import CoderClient

log = logging.getLogger(__name__)

RETRY_DELAYS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0)
MAX_EVALUATIONS = 2048

Changed = Callable[["TemplateProvider"], None]
Notify = Callable[[str, str], None]  # (kind, message): kind lets the server tell the same problem once
Progress = Callable[[str], "ProgressHandle"]


class ProgressHandle:
    def report(self, message: str, percentage: int | None = None) -> None:  # pragma: no cover
        pass

    def end(self) -> None:  # pragma: no cover - the default does nothing
        pass


@dataclass(frozen=True)
class SourceKey:
    """What identifies a template source: a snapshot file, or a deployment (with its CA bundle)."""

    snapshot: str | None
    access_url: str | None
    ca_bundle: str | None

    @classmethod
    def of(cls, settings: Settings) -> SourceKey:
        if settings.templates_snapshot:
            return cls(settings.templates_snapshot, None, None)
        return cls(None, settings.access_url, settings.ca_bundle)


class TemplateProvider:
    """Template data for one source; ``version`` changes whenever ``data()`` would."""

    def __init__(self, key: SourceKey, changed: Changed) -> None:
        self.key = key
        self._changed = changed
        self.version = 0

    def data(self) -> TemplateData:
        raise NotImplementedError

    def want(self, names: Iterable[str]) -> None:
        """Make sure these templates' parameters get loaded (in the background)."""

    def want_evaluation(self, template: str, values: Mapping[str, str]) -> None:
        """Ask Coder's dynamic-parameter evaluation for these values (in the background)."""

    def reload(self) -> None:
        """Forget what is known and load again (a file changed, a credential arrived)."""

    async def close(self) -> None:
        pass

    def _bump(self) -> None:
        self.version += 1
        self._changed(self)


class NoTemplates(TemplateProvider):
    """No deployment and no snapshot configured: template rules are skipped quietly."""

    def data(self) -> TemplateData:
        return TemplateData.offline()


class SnapshotProvider(TemplateProvider):
    def __init__(self, key: SourceKey, changed: Changed, notify: Notify) -> None:
        super().__init__(key, changed)
        self._notify = notify
        self._data: TemplateData | None = None

    def data(self) -> TemplateData:
        if self._data is None:
            assert self.key.snapshot is not None
            # the snapshot's schema check (jsonschema) only when a snapshot is configured (issue 18)
            from coder_catalog.templates.snapshot import SnapshotError, load_snapshot

            try:
                self._data = TemplateData(load_snapshot(self.key.snapshot))
            except SnapshotError as exc:
                self._notify(f"snapshot:{self.key.snapshot}", f"coder-catalog: template snapshot {exc}")
                self._data = TemplateData(problem=f"the template snapshot cannot be read ({exc.message})")
        return self._data

    def reload(self) -> None:
        self._data = None
        self._bump()


class LiveProvider(TemplateProvider):
    """A live deployment, through the Coder client and its template cache."""

    def __init__(
        self,
        key: SourceKey,
        changed: Changed,
        notify: Notify,
        progress: Progress,
        credential_for: Callable[[str], Credential | None] = resolve_credential,
    ) -> None:
        super().__init__(key, changed)
        assert key.access_url is not None
        self._notify = notify
        self._progress = progress
        self._credential_for = credential_for
        self._client: CoderClient | None = None
        self._cache: TemplateCache | None = None
        self._problem: str | None = None
        self._wanted: set[str] = set()
        self._loaded: set[str] = set()
        self._task: asyncio.Task[None] | None = None
        self._retry_at = 0.0
        self._failures = 0
        self._evaluations: OrderedDict[tuple[str, tuple[tuple[str, str], ...]], DynamicEvaluation | None] = (
            OrderedDict()
        )
        self._evaluating: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
        self._owner_id: str | None = None
        self._evaluation_supported = True
        self._open_client()

    # -- what the analysis reads -------------------------------------------------------------------

    def data(self) -> TemplateData:
        catalog = self._cache.peek() if self._cache is not None else None
        if catalog is not None:
            return TemplateData(catalog, dynamic=self._lookup)
        if self._problem is not None:
            return TemplateData(problem=self._problem)
        return TemplateData.offline()  # still loading: say nothing rather than something wrong

    @property
    def client(self) -> CoderClient | None:
        """The deployment's client (shared with the workspace features); None without a credential."""
        return self._client

    @property
    def client_problem(self) -> str | None:
        """Why there is no client, when there is none."""
        return None if self._client is not None else self._problem or "no Coder client"

    def _lookup(self, template: str, values: Mapping[str, str]) -> DynamicEvaluation | None:
        key = (template, tuple(sorted(values.items())))
        if key in self._evaluations:
            return self._evaluations[key]
        self.want_evaluation(template, values)
        return None

    # -- loading ---------------------------------------------------------------------------------------

    def _open_client(self) -> None:
        url = self.key.access_url
        assert url is not None
        from coder_catalog.coder.cache import TemplateCache
        from coder_catalog.coder.client import CoderClient

        try:
            credential = self._credential_for(url)
            self._client = CoderClient(url, credential, ca_bundle=self.key.ca_bundle, timeout=10.0)
        except InsecureDeploymentURL as exc:
            self._problem = str(exc)
            self._notify(f"url:{url}", f"coder-catalog: {exc}")
            return
        except CoderError as exc:
            self._problem = str(exc)
            return
        if credential is None:
            self._problem = (
                f"no Coder credential for {url}: link an account with the command coderCatalog.linkAccount "
                "(or `coder-catalog login` in a terminal), set CODER_SESSION_TOKEN, or sign in with `coder login`"
            )
            self._notify(f"credential:{url}", f"coder-catalog: {self._problem}. Template checks are paused.")
            self._client = None
            return
        self._cache = TemplateCache(self._client)

    def want(self, names: Iterable[str]) -> None:
        if self._cache is None:
            return
        missing = {n for n in names if n} - self._loaded
        stale = not self._cache.is_fresh
        if not missing and not stale:
            return
        self._wanted |= missing
        self._start()

    def _start(self) -> None:
        if self._task is not None and not self._task.done():
            return
        if time.monotonic() < self._retry_at:
            return
        try:
            self._task = asyncio.get_running_loop().create_task(self._load())
        except RuntimeError:  # no running loop (tests calling synchronously)
            return

    async def _load(self) -> None:
        assert self._cache is not None
        handle = self._progress(f"Loading Coder templates from {self.key.access_url}")
        try:
            while True:
                names = set(self._wanted)
                await self._cache.catalog_for(names)
                self._loaded |= names
                self._wanted -= names
                if not self._wanted:
                    break
            self._problem = None
            self._failures = 0
            self._retry_at = 0.0
        except CoderError as exc:
            self._failed(exc)
        except Exception:  # never let a background load kill the server
            log.exception("loading templates failed")
            self._problem = "loading templates failed unexpectedly (see the server log)"
        finally:
            handle.end()
        self._bump()

    def _failed(self, exc: CoderError) -> None:
        delay = RETRY_DELAYS[min(self._failures, len(RETRY_DELAYS) - 1)]
        self._failures += 1
        self._retry_at = time.monotonic() + delay
        url = self.key.access_url
        if isinstance(exc, Unauthorized):
            self._problem = (
                f"the Coder token for {url} was rejected (401): link the account again with the command "
                "coderCatalog.linkAccount (or `coder-catalog login`)"
            )
            kind = "unauthorized"
        elif isinstance(exc, CoderUnreachable):
            self._problem = f"cannot reach the Coder deployment {url} ({exc.message})"
            kind = "unreachable"
        else:
            self._problem = f"the Coder deployment {url} failed: {exc}"
            kind = "failed"
        log.warning("templates from %s: %s (retry in %.0f s)", url, exc, delay)
        self._notify(
            f"{kind}:{url}", f"coder-catalog: {self._problem}. Template checks use the last known data."
        )
        with contextlib.suppress(RuntimeError):
            asyncio.get_running_loop().call_later(delay + 0.01, self._retry)

    def _retry(self) -> None:
        if self._wanted or (self._cache is not None and not self._cache.is_fresh):
            self._start()

    def want_evaluation(self, template: str, values: Mapping[str, str]) -> None:
        if self._client is None or not self._evaluation_supported or self._cache is None:
            return
        key = (template, tuple(sorted(values.items())))
        if key in self._evaluating:
            return
        self._evaluating.add(key)
        try:
            asyncio.get_running_loop().create_task(self._evaluate(key))
        except RuntimeError:
            self._evaluating.discard(key)

    async def _evaluate(self, key: tuple[str, tuple[tuple[str, str], ...]]) -> None:
        assert self._client is not None and self._cache is not None
        template_name, values = key
        try:
            if self._owner_id is None:
                self._owner_id = (await self._client.me()).id
            catalog = self._cache.peek()
            template = catalog.find(template_name) if catalog else None
            if template is None:
                return
            result = await self._client.evaluate_dynamic_parameters(
                template.active_version_id, dict(values), self._owner_id
            )
            if result is None:
                self._evaluation_supported = False
            self._evaluations[key] = result
            while len(self._evaluations) > MAX_EVALUATIONS:
                self._evaluations.popitem(last=False)
            self._bump()
        except CoderError as exc:
            log.info("dynamic-parameter evaluation of %s failed: %s", template_name, exc)
        except Exception:
            log.exception("dynamic-parameter evaluation failed")
        finally:
            self._evaluating.discard(key)

    def reload(self) -> None:
        old = self._client
        self._client = None
        self._cache = None
        self._problem = None
        self._loaded.clear()
        self._evaluations.clear()
        self._failures = 0
        self._retry_at = 0.0
        if old is not None:
            with contextlib.suppress(RuntimeError):
                asyncio.get_running_loop().create_task(old.aclose())
        self._open_client()
        self._bump()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        if self._client is not None:
            await self._client.aclose()


class TemplateProviders:
    """One provider per template source, made on first use."""

    def __init__(self, changed: Changed, notify: Notify, progress: Progress) -> None:
        self._changed = changed
        self._notify = notify
        self._progress = progress
        self._providers: dict[SourceKey, TemplateProvider] = {}
        #: where live providers get their credential (the account commands add OAuth2 renewal)
        self.credential_for: Callable[[str], Credential | None] = resolve_credential

    def _credential(self, url: str) -> Credential | None:
        return self.credential_for(url)

    def for_settings(self, settings: Settings) -> TemplateProvider:
        key = SourceKey.of(settings)
        provider = self._providers.get(key)
        if provider is None:
            if key.snapshot:
                provider = SnapshotProvider(key, self._changed, self._notify)
            elif key.access_url:
                provider = LiveProvider(key, self._changed, self._notify, self._progress, self._credential)
            else:
                provider = NoTemplates(key, self._changed)
            self._providers[key] = provider
        return provider

    def live_for(self, settings: Settings) -> LiveProvider | None:
        """The provider of the settings' deployment, for its client (made when templates come from
        a snapshot too); None without a deployment URL."""
        if not settings.access_url:
            return None
        key = SourceKey(None, settings.access_url, settings.ca_bundle)
        provider = self._providers.get(key)
        if provider is None:
            provider = self._providers[key] = LiveProvider(
                key, self._changed, self._notify, self._progress, self._credential
            )
        return provider if isinstance(provider, LiveProvider) else None

    def all(self) -> list[TemplateProvider]:
        return list(self._providers.values())

    def reload_deployment(self, origin: str) -> int:
        """Reload the live providers of a deployment (a credential was linked or removed); how many."""
        reloaded = 0
        for provider in list(self._providers.values()):
            url = provider.key.access_url
            if isinstance(provider, LiveProvider) and url and _origin(url) == origin:
                provider.reload()
                reloaded += 1
        return reloaded

    def reload_snapshots(self, paths: Iterable[str] | None = None) -> None:
        wanted = set(paths) if paths is not None else None
        for provider in self._providers.values():
            if isinstance(provider, SnapshotProvider) and (wanted is None or provider.key.snapshot in wanted):
                provider.reload()

    async def close(self) -> None:
        for provider in self._providers.values():
            await provider.close()


def _origin(url: str) -> str | None:
    try:
        return origin_of(url)
    except AccessURLError:
        return None
