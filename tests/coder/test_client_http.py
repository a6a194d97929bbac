"""The Coder client against the simulator over real loopback HTTP: every error class and the retries."""

from __future__ import annotations

import socket

import pytest

from coder_catalog.accounts.credentials import Credential, Secret
from coder_catalog.coder.client import CoderClient
from coder_catalog.coder.errors import (
    BadRequest,
    CoderTimeout,
    Conflict,
    ConnectionDropped,
    ConnectionRefused,
    Forbidden,
    NotFound,
    RateLimited,
    ServerError,
    TooEarly,
    Unauthorized,
    UnexpectedResponse,
)
from coder_catalog.simulator.server import SimulatorServer
from coder_catalog.templates.model import Template


def client_for(sim: SimulatorServer, token: str | None = None, **kwargs: object) -> CoderClient:
    credential = Credential(sim.url, Secret(token or sim.token), "test")
    kwargs.setdefault("backoff", 0.01)
    return CoderClient(sim.url, credential, **kwargs)  # type: ignore[arg-type]


def api_requests(sim: SimulatorServer) -> list[dict[str, object]]:
    return [r for r in sim.requests() if str(r["path"]).startswith("/api/")]


async def first_template(client: CoderClient, *, with_required: bool = False) -> Template:
    for template in await client.templates():
        params = await client.rich_parameters(template.active_version_id)
        if not with_required or any(p.required for p in params):
            return template.with_details(parameters=params)
    raise AssertionError("the default data has no such template")


async def test_reads_the_deployment(simulator: SimulatorServer) -> None:
    async with client_for(simulator) as client:
        info = await client.buildinfo()
        me = await client.me()
        orgs = await client.organizations()
        everything = await client.templates()
        active = await client.templates(deprecated=False)
        deprecated = await client.templates(deprecated=True)
        simulator.clear_requests()
        assert [t.id for t in await client.all_templates()] == [t.id for t in everything]
        listing_requests = [r for r in simulator.requests() if str(r["path"]).endswith("/templates")]
    assert info.version
    assert me.username and me.id
    assert any(o.is_default for o in orgs)
    assert active and deprecated
    assert not any(t.deprecated for t in active) and all(t.deprecated for t in deprecated)
    # Coder lists deprecated templates unless asked deprecated:false; all_templates is one request.
    assert {t.id for t in everything} == {t.id for t in active} | {t.id for t in deprecated}
    assert len(listing_requests) == 1 and not listing_requests[0]["query"]


async def test_template_by_name_is_case_insensitive_and_parameters_load(simulator: SimulatorServer) -> None:
    async with client_for(simulator) as client:
        template = await first_template(client)
        found = await client.template_by_name(template.name.upper())
        params = await client.rich_parameters(found.active_version_id)
        presets = await client.presets(found.active_version_id)
    assert found.id == template.id
    assert [p.name for p in params] == [p.name for p in template.parameters or ()]
    assert isinstance(presets, list)


async def test_unauthorized_without_a_valid_token(simulator: SimulatorServer) -> None:
    bogus = "Zz" * 5 + "-" + "Q" * 22
    async with client_for(simulator, token=bogus) as client:
        with pytest.raises(Unauthorized) as info:
            await client.me()
    assert info.value.status == 401
    assert "signed out" in info.value.message
    assert bogus not in str(info.value) and bogus not in repr(info.value)
    async with CoderClient(simulator.url) as anonymous:
        with pytest.raises(Unauthorized):
            await anonymous.templates()
        assert (await anonymous.buildinfo()).version  # buildinfo needs no token


async def test_not_found(simulator: SimulatorServer) -> None:
    async with client_for(simulator) as client:
        with pytest.raises(NotFound):
            await client.template_by_name("no-such-template")
        with pytest.raises(NotFound):
            await client.workspace_by_name("me", "no-such-workspace")


async def test_too_early_while_a_version_imports(simulator: SimulatorServer) -> None:
    async with client_for(simulator) as client:
        template = await first_template(client)
        simulator.state.set_template_flags(template.name, importing=True)
        try:
            with pytest.raises(TooEarly) as info:
                await client.rich_parameters(template.active_version_id)
        finally:
            simulator.state.set_template_flags(template.name, importing=False)
    assert info.value.status == 425


async def test_create_conflict_and_validation(simulator: SimulatorServer) -> None:
    async with client_for(simulator) as client:
        template = await first_template(client, with_required=True)
        with pytest.raises(BadRequest) as info:
            await client.create_workspace("client-test-missing", {}, template_id=template.id)
        required = [p.name for p in template.parameters or () if p.required]
        assert {v.field for v in info.value.validations} & set(required)
        existing, _ = await client.workspaces("owner:me")
        with pytest.raises(Conflict):
            await client.create_workspace(existing[0].name.upper(), {}, template_id=template.id)


@pytest.mark.parametrize(("status", "error"), [(403, Forbidden), (500, ServerError)])
async def test_error_statuses_are_told_apart(simulator: SimulatorServer, status: int, error: type) -> None:
    simulator.set_fault("status", status=status)
    async with client_for(simulator) as client:
        with pytest.raises(error) as info:
            await client.me()
    assert info.value.status == status
    # 403 and 500 are not retried.
    assert len(api_requests(simulator)) == 1


async def test_retries_then_succeeds_on_502_503_504(simulator: SimulatorServer) -> None:
    simulator.set_fault("status", status=503, count=1)
    simulator.set_fault("non_json", status=502, count=1)
    async with client_for(simulator) as client:
        assert (await client.me()).username
    assert len(api_requests(simulator)) == 3


async def test_non_json_proxy_page_is_unexpected_response(simulator: SimulatorServer) -> None:
    simulator.set_fault("non_json", status=502)
    async with client_for(simulator, max_retries=2) as client:
        with pytest.raises(UnexpectedResponse) as info:
            await client.me()
    assert info.value.status == 502
    assert "proxy" in str(info.value)
    assert len(api_requests(simulator)) == 3  # one try and two retries, then it gives up


async def test_rate_limit_honours_retry_after_for_gets_only(simulator: SimulatorServer) -> None:
    simulator.set_fault("rate_limit", seconds=0.05, count=1)
    async with client_for(simulator) as client:
        assert (await client.me()).username
        assert len(api_requests(simulator)) == 2
        simulator.set_fault("rate_limit", seconds=0.05, count=1)
        template = await first_template(client)
        simulator.clear_faults()
        simulator.set_fault("rate_limit", seconds=0.05, count=1)
        with pytest.raises(RateLimited) as info:
            await client.workspace_build("00000000-0000-0000-0000-000000000000", "start")
    assert info.value.retry_after == pytest.approx(0.05, abs=1)
    assert template.name


async def test_rate_limit_longer_than_the_budget_gives_up_at_once(simulator: SimulatorServer) -> None:
    simulator.set_fault("rate_limit", seconds=60)
    async with client_for(simulator, retry_budget=2.0) as client:
        with pytest.raises(RateLimited) as info:
            await client.me()
    assert info.value.retry_after == 60
    assert len(api_requests(simulator)) == 1


async def test_a_hang_is_a_timeout(simulator: SimulatorServer) -> None:
    simulator.set_fault("hang")
    async with client_for(simulator, timeout=0.3) as client:
        with pytest.raises(CoderTimeout):
            await client.me()


async def test_added_latency_still_answers(simulator: SimulatorServer) -> None:
    simulator.set_fault("latency", seconds=0.2)
    async with client_for(simulator, timeout=2) as client:
        assert (await client.buildinfo()).version


async def test_dropped_connection(simulator: SimulatorServer) -> None:
    simulator.set_fault("drop", count=1)
    async with client_for(simulator) as client:
        assert (await client.me()).username  # a GET is retried
        simulator.set_fault("drop")
        with pytest.raises(ConnectionDropped):
            await client.workspace_build("00000000-0000-0000-0000-000000000000", "stop")


async def test_refused_connection() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    async with CoderClient(f"http://127.0.0.1:{port}", backoff=0.01, max_retries=1) as client:
        with pytest.raises(ConnectionRefused) as info:
            await client.buildinfo()
    assert f"127.0.0.1:{port}" in str(info.value)


async def test_workspace_search_and_builds(simulator: SimulatorServer) -> None:
    async with client_for(simulator) as client:
        mine, count = await client.workspaces("owner:me", limit=0)
        assert count == len(mine) > 0
        one = await client.workspace_by_name("me", mine[0].name)
        assert one.id == mine[0].id
        assert one.page_url(simulator.url).endswith(f"/@{one.owner_name}/{one.name}")


async def test_dynamic_parameters_evaluate(simulator: SimulatorServer) -> None:
    async with client_for(simulator) as client:
        me = await client.me()
        dynamic = [t for t in await client.templates() if t.uses_dynamic_parameters]
        assert dynamic, "the default data has a template on the dynamic flow"
        result = await client.evaluate_dynamic_parameters(dynamic[0].active_version_id, {}, me.id)
    assert result is not None
    assert result.parameter_names
