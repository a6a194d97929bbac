"""Template data for ``lint``: from a snapshot, from a deployment, or none (offline).

Per deployment there is one client and one :class:`TemplateCache`, asked once for every
template the files use (at most 3 + distinct templates requests), plus Coder's
dynamic-parameter evaluation for templates on that flow when a credential exists: one
``users/me`` and one evaluation per distinct (template, parameters). Evaluation failures
never fail the lint; they only leave those values unevaluated.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from coder_catalog.analysis.templates import TemplateData

if TYPE_CHECKING:
    from coder_catalog.analysis.analyze import CoderUsage
    from coder_catalog.coder.client import CoderClient
    from coder_catalog.coder.errors import CoderError
    from coder_catalog.settings import OAuthClient, Settings
    from coder_catalog.templates.model import DynamicEvaluation, Template, TemplateCatalog

# asyncio, the Coder client, the accounts and the snapshot's schema check are imported when a
# deployment or a snapshot is asked: `lint --offline` does without them (issue 18).

OFFLINE_HINT = "set --templates SNAPSHOT to lint offline"


@dataclass(frozen=True)
class Deployment:
    url: str
    ca_bundle: str | None = None
    #: the settings' OAuth2 app, to renew a due OAuth2 sign-in as that app (with its client secret);
    #: not part of the key: files of one deployment share one client whatever their settings say
    oauth: OAuthClient | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Snapshot:
    path: str


Source = Deployment | Snapshot | None  # None: offline, template rules skipped quietly


def source_of(settings: Settings, *, offline: bool) -> Source:
    if offline:
        return None
    if settings.templates_snapshot:
        return Snapshot(settings.templates_snapshot)
    if settings.access_url:
        return Deployment(settings.access_url, settings.ca_bundle, settings.oauth)
    return None


@dataclass(frozen=True)
class LoadedTemplates:
    data: TemplateData
    #: why the deployment could not be asked (unreachable, token rejected...), for --require-deployment
    failure: str | None = None
    #: a configuration problem to report (and exit 2 for): unreadable snapshot, insecure URL...
    config_error: str | None = None


OFFLINE = LoadedTemplates(TemplateData.offline())


def load_templates(
    usages: Mapping[Source, Iterable[CoderUsage]], env: Mapping[str, str]
) -> dict[Source, LoadedTemplates]:
    """Template data for each source; deployments are asked concurrently, in one event loop."""
    loaded: dict[Source, LoadedTemplates] = {}
    deployments: dict[Deployment, list[CoderUsage]] = {}
    for source, found in usages.items():
        if isinstance(source, Snapshot):
            loaded[source] = _from_snapshot(source)
        elif isinstance(source, Deployment):
            deployments[source] = list(found)
        else:
            loaded[source] = OFFLINE
    if deployments:
        import asyncio

        loaded.update(asyncio.run(_from_deployments(deployments, env)))
    return loaded


def _from_snapshot(snapshot: Snapshot) -> LoadedTemplates:
    from coder_catalog.templates.snapshot import SnapshotError, load_snapshot

    try:
        catalog = load_snapshot(snapshot.path)
    except SnapshotError as exc:
        return LoadedTemplates(
            TemplateData(problem=f"the template snapshot cannot be read ({exc.message})"),
            config_error=str(exc),
        )
    return LoadedTemplates(TemplateData(catalog=catalog))


async def _from_deployments(
    deployments: dict[Deployment, list[CoderUsage]], env: Mapping[str, str]
) -> dict[Source, LoadedTemplates]:
    import asyncio

    keys = list(deployments)
    results = await asyncio.gather(*(_from_deployment(key, deployments[key], env) for key in keys))
    return dict(zip(keys, results, strict=True))


async def _from_deployment(
    deployment: Deployment, usages: list[CoderUsage], env: Mapping[str, str]
) -> LoadedTemplates:
    from coder_catalog.accounts.oauth import refresh_if_due
    from coder_catalog.coder.cache import TemplateCache
    from coder_catalog.coder.client import CoderClient
    from coder_catalog.coder.errors import CoderError

    if not usages:
        return OFFLINE  # no file uses Coder: nothing to ask
    credential = await refresh_if_due(
        deployment.url, env=env, settings_oauth=deployment.oauth, ca_bundle=deployment.ca_bundle
    )
    try:
        client = CoderClient(deployment.url, credential, ca_bundle=deployment.ca_bundle)
    except CoderError as exc:
        return LoadedTemplates(TemplateData(problem=f"{exc.message} ({OFFLINE_HINT})"), config_error=str(exc))
    async with client:
        names = sorted({u.template_name for u in usages if u.template_name})
        try:
            catalog = await TemplateCache(client).catalog_for(names)
        except CoderError as exc:
            reason = failure_reason(exc, deployment.url, has_credential=credential is not None)
            return LoadedTemplates(TemplateData(problem=f"{reason} ({OFFLINE_HINT})"), failure=reason)
        evaluations = await evaluate_dynamic(client, catalog, usages)
    return LoadedTemplates(TemplateData(catalog=catalog, dynamic=evaluations.lookup))


def failure_reason(exc: CoderError, url: str, *, has_credential: bool) -> str:
    """One clear sentence on why the templates of ``url`` could not be listed."""
    from coder_catalog.coder.errors import CoderHTTPError, CoderUnreachable, Forbidden, Unauthorized

    if isinstance(exc, Unauthorized):
        if not has_credential:
            return (
                f"no session token for {url}: run `coder-catalog login {url}`, set CODER_SESSION_TOKEN "
                f"or run `coder login {url}`"
            )
        return f"{url} rejected the session token ({exc.message})"
    if isinstance(exc, Forbidden):
        return f"{url} refused to list its templates ({exc.message})"
    if isinstance(exc, CoderHTTPError):
        return f"{url} answered {exc.status}: {exc.message}"
    if isinstance(exc, CoderUnreachable) and url in exc.message:
        return exc.message
    return f"{exc.message} ({url})"


# -- dynamic parameters ----------------------------------------------------------------------------

_EvaluationKey = tuple[str, tuple[tuple[str, str], ...]]


def _key(template_name: str, params: Mapping[str, str]) -> _EvaluationKey:
    return template_name, tuple(sorted(params.items()))


class DynamicEvaluations:
    """Coder's answers by (template name, parameter values); the analysis reads them through ``lookup``."""

    def __init__(self) -> None:
        self.answers: dict[_EvaluationKey, DynamicEvaluation] = {}

    def lookup(self, template_name: str, params: Mapping[str, str]) -> DynamicEvaluation | None:
        return self.answers.get(_key(template_name, params))


async def evaluate_dynamic(
    client: CoderClient, catalog: TemplateCatalog, usages: list[CoderUsage]
) -> DynamicEvaluations:
    import asyncio

    evaluations = DynamicEvaluations()
    pairs = _dynamic_pairs(catalog, usages)
    if not pairs or client.credential is None:
        return evaluations
    try:
        me = await client.me()
    except Exception:  # evaluation is a bonus: never let it fail the lint
        return evaluations

    async def ask(template: Template, params: dict[str, str]) -> bool:
        """False when the deployment has no evaluation endpoint."""
        try:
            answer = await client.evaluate_dynamic_parameters(template.active_version_id, params, me.id)
        except Exception:
            return True
        if answer is None:
            return False
        evaluations.answers[_key(template.name, params)] = answer
        return True

    first, *rest = pairs.values()
    if await ask(*first):  # the first answer tells whether the deployment can evaluate at all
        await asyncio.gather(*(ask(template, params) for template, params in rest))
    return evaluations


def _dynamic_pairs(
    catalog: TemplateCatalog, usages: list[CoderUsage]
) -> dict[_EvaluationKey, tuple[Template, dict[str, str]]]:
    pairs: dict[_EvaluationKey, tuple[Template, dict[str, str]]] = {}
    for usage in usages:
        template = catalog.find(usage.template_name) if usage.template_name else None
        if template is None or not template.uses_dynamic_parameters:
            continue
        pairs.setdefault(_key(template.name, usage.params), (template, dict(usage.params)))
    return pairs
