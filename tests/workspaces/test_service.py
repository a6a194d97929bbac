"""The workspace service against the simulator over HTTP: listing with the plugin's queries,
creating (names, 409, 400s), starting and stopping through builds, and a token revoked mid-way."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest
import pytest_asyncio

from coder_catalog.accounts.credentials import Credential, Secret
from coder_catalog.analysis.analyze import Analyzer
from coder_catalog.coder.client import CoderClient
from coder_catalog.coder.models import Workspace
from coder_catalog.settings import Settings, WorkspaceDefaults, origin_of
from coder_catalog.simulator.server import SimulatorServer
from coder_catalog.workspaces.entities import CoderEntity, coder_entities
from coder_catalog.workspaces.service import WorkspaceError, WorkspaceService
from workspace_seed import ACME_WORKSPACES, entity, fast_seed


@pytest.fixture
def deployment() -> Iterator[SimulatorServer]:
    with SimulatorServer(fast_seed(python_api_eu={"status": "starting", "build_seconds": 0.5})) as server:
        yield server


@pytest_asyncio.fixture
async def service(deployment: SimulatorServer) -> AsyncIterator[WorkspaceService]:
    credential = Credential(origin_of(deployment.url), Secret(deployment.tokens["alice"]), "test")
    async with CoderClient(deployment.url, credential) as client:
        yield WorkspaceService(client, poll_interval=0.1, build_timeout=10)


def coder_entity(deployment: SimulatorServer, text: str) -> CoderEntity:
    settings = Settings(deployment.url, WorkspaceDefaults(repo_url_param_keys=("repo_url",)))
    (found,) = coder_entities(Analyzer(settings), text)
    return found


def workspace_queries(deployment: SimulatorServer) -> list[str]:
    requests = [r for r in deployment.requests() if r["path"] == "/api/v2/workspaces"]
    return [parse_qs(str(r["query"])).get("q", [""])[0] for r in requests]


async def test_listing_sends_the_plugins_query_and_merges_by_id(
    deployment: SimulatorServer, service: WorkspaceService
) -> None:
    text = entity()
    settings = Settings(deployment.url, WorkspaceDefaults(repo_url_param_keys=("repo_url", "REPO_URL")))
    (both_keys,) = coder_entities(Analyzer(settings), text)
    found = await service.list_for(both_keys)
    assert [w.name for w in found.workspaces] == ACME_WORKSPACES  # each once, in the order first seen
    assert sorted(workspace_queries(deployment)) == [
        'owner:me param:"REPO_URL=https://github.com/acme/python-project"',
        'owner:me param:"repo_url=https://github.com/acme/python-project"',
    ]
    api = found.find("python-api")
    assert api is not None and api.url == f"{deployment.url}/@alice/python-api"
    assert (api.owner, api.template, api.status, api.outdated) == ("alice", "devcontainers", "running", False)
    assert api.last_used_at.startswith("2025-06-19")
    assert found.summary == "3 workspaces (2 running)" and found.building


@pytest.mark.parametrize(
    "location",
    [
        "url:https://github.com/acme/python-project,https://github.com/Acme/Web-Frontend",
        "url:https://github.com/acme/python-project?x=y",
    ],
)
async def test_a_url_the_plugin_cannot_match_lists_no_other_entitys_workspaces(
    deployment: SimulatorServer, service: WorkspaceService, location: str
) -> None:
    found = await service.list_for(coder_entity(deployment, entity(location=location)))
    assert found.workspaces == ()
    assert found.note is not None and "no workspace can be matched to this entity" in found.note
    assert workspace_queries(deployment) == []  # nothing asked that could match other entities


async def test_url_case_does_not_matter_to_coder(
    deployment: SimulatorServer, service: WorkspaceService
) -> None:
    found = await service.list_for(
        coder_entity(deployment, entity(location="url:https://GitHub.com/ACME/Python-Project"))
    )
    assert [w.name for w in found.workspaces] == ACME_WORKSPACES


async def test_without_a_url_all_the_users_workspaces(
    deployment: SimulatorServer, service: WorkspaceService
) -> None:
    found = await service.list_for(
        coder_entity(deployment, entity(location="", coder="templateName: docker"))
    )
    assert {"dev", "old-docker", "python-api"} <= {w.name for w in found.workspaces}
    assert all(w.owner == "alice" for w in found.workspaces)
    assert workspace_queries(deployment) == ["owner:me"]


async def test_a_failed_query_leaves_the_others_shown(
    deployment: SimulatorServer, service: WorkspaceService
) -> None:
    """The plugin's Promise.allSettled: one key's query failing does not fail the list."""
    settings = Settings(deployment.url, WorkspaceDefaults(repo_url_param_keys=("repo_url", "custom_repo")))
    (target,) = coder_entities(Analyzer(settings), entity())
    deployment.set_fault("status", status=500, path_prefix="/api/v2/workspaces", query_contains="custom_repo")
    try:
        found = await service.list_for(target)
    finally:
        deployment.clear_faults()
    assert [w.name for w in found.workspaces] == ACME_WORKSPACES
    assert "the query for custom_repo failed" in (found.note or "")
    deployment.set_fault("status", status=500, path_prefix="/api/v2/workspaces")
    try:
        with pytest.raises(WorkspaceError):
            await service.list_for(target)  # every query failed: an error
    finally:
        deployment.clear_faults()


async def test_create_derives_a_free_name_and_waits_for_the_first_build(
    deployment: SimulatorServer, service: WorkspaceService
) -> None:
    target = coder_entity(deployment, entity("python-api"))  # alice already has a python-api
    created = await service.create(target)
    assert created.name == "python-api-2" and created.building
    statuses: list[str] = []
    final = await service.wait(created, lambda w: statuses.append(w.status))
    assert final.status == "running" and statuses[-1] == "running"
    assert final.url == f"{deployment.url}/@alice/python-api-2"
    assert (await service.existing(target))[0].name == "python-api-2"


async def test_a_409_on_a_derived_name_tries_the_next_one(
    deployment: SimulatorServer, service: WorkspaceService
) -> None:
    real = service.client.workspaces

    async def stale(query: str = "", **kwargs: Any) -> tuple[list[Workspace], int]:
        found, count = await real(query, **kwargs)  # a listing that missed a workspace made meanwhile
        return (
            ([w for w in found if w.name != "python-api"], count) if query == "owner:me" else (found, count)
        )

    service.client.workspaces = stale  # type: ignore[method-assign]
    created = await service.create(coder_entity(deployment, entity("python-api")))
    assert created.name == "python-api-2"
    assert [r["status"] for r in deployment.requests() if r["method"] == "POST"] == [409, 201]


async def test_a_name_taken_is_a_readable_409(deployment: SimulatorServer, service: WorkspaceService) -> None:
    with pytest.raises(WorkspaceError) as caught:
        await service.create(coder_entity(deployment, entity()), name="Python-API")
    assert caught.value.kind == "conflict"
    assert 'already have a workspace named "Python-API"' in caught.value.message


async def test_a_deprecated_template_is_a_readable_400(
    deployment: SimulatorServer, service: WorkspaceService
) -> None:
    with pytest.raises(WorkspaceError) as caught:
        await service.create(coder_entity(deployment, entity("old", "templateName: legacy-vm")))
    assert caught.value.kind == "refused"
    assert 'template "legacy-vm" is deprecated' in caught.value.message
    assert "docker" in caught.value.message  # Coder's deprecation message


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            'disk_size: "900"',
            'parameter "disk_size" ("900", set in spec.coder.params): '
            'can\'t validate build parameter "Disk size (GB)": Disk size must be between 0 and 500',
        ),
        ('region: "mars"', 'parameter "region" ("mars", set in spec.coder.params)'),
        (
            "tools: git",
            'parameter "tools" ("git", set in spec.coder.params): '
            'can\'t validate build parameter "Tools": value "git" is not valid list of strings',
        ),
    ],
)
async def test_validation_errors_name_the_parameter(
    deployment: SimulatorServer, service: WorkspaceService, params: str, expected: str
) -> None:
    text = entity("api", f"templateName: devcontainers\nparams:\n  {params}")
    with pytest.raises(WorkspaceError) as caught:
        await service.create(coder_entity(deployment, text))
    assert expected in caught.value.message


async def test_a_missing_required_parameter_is_named(
    deployment: SimulatorServer, service: WorkspaceService
) -> None:
    with pytest.raises(WorkspaceError) as caught:  # no repository URL, so repo_url stays unset
        await service.create(coder_entity(deployment, entity("api", location="")))
    assert (
        'parameter "repo_url" (not set in spec.coder.params nor in workspaces.params)' in caught.value.message
    )


async def test_a_template_in_another_organization_is_found(
    deployment: SimulatorServer, service: WorkspaceService
) -> None:
    created = await service.create(coder_entity(deployment, entity("trainer", "templateName: gpu-cluster")))
    assert created.template == "gpu-cluster"


async def test_stop_then_start_move_through_builds(
    deployment: SimulatorServer, service: WorkspaceService
) -> None:
    target = coder_entity(deployment, entity())
    api = (await service.list_for(target)).find("python-api")
    assert api is not None
    stopping = await service.transition(api, "stop")
    assert stopping.building
    with pytest.raises(WorkspaceError) as busy:
        await service.transition(stopping, "start")
    assert busy.value.kind == "conflict" and "already running" in busy.value.message
    assert (await service.wait(stopping)).status == "stopped"
    assert (await service.wait(await service.transition(api, "start"))).status == "running"


async def test_a_failing_build_ends_failed_with_the_job_error(
    deployment: SimulatorServer, service: WorkspaceService
) -> None:
    created = await service.create(coder_entity(deployment, entity("pods", "templateName: kubernetes")))
    final = await service.wait(created)
    assert final.status == "failed" and "exceeded quota" in final.job_error


async def test_a_token_revoked_mid_way(deployment: SimulatorServer, service: WorkspaceService) -> None:
    created = await service.create(coder_entity(deployment, entity("fresh")))
    deployment.revoke_tokens("alice")
    with pytest.raises(WorkspaceError) as caught:
        await service.wait(created)
    assert caught.value.kind == "unauthorized"
    assert "sign in again" in caught.value.message
