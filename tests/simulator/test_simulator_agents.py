"""Agents and apps in the simulator's build resources, and ``GET /applications/host`` (issue 19)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from sim_helpers import api, fast_seed, wait_for
from test_simulator_swagger import SWAGGER, _strict

from coder_catalog.simulator import DataError, SimulatorServer, load_data

PYTHON_API_EU = "70c69a67-30a8-50a4-a44e-950bda4efd5b"


def check(instance: Any, name: str) -> None:
    definitions = _strict(json.loads(Path(SWAGGER).read_text(encoding="utf-8"))["definitions"])
    schema = {"definitions": definitions, "$ref": f"#/definitions/{name}"}
    errors = list(jsonschema.Draft4Validator(schema).iter_errors(instance))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def slow_agents_seed() -> dict[str, Any]:
    seed = fast_seed()
    for template in seed["templates"]:
        for version in template["versions"]:
            for agent in version.get("agents", []):
                agent["connect_seconds"] = 0.8
    return seed


@pytest.fixture
def server() -> Iterator[SimulatorServer]:
    with SimulatorServer(slow_agents_seed()) as running:
        yield running


def agents(workspace: dict[str, Any]) -> list[dict[str, Any]]:
    return [agent for resource in workspace["latest_build"]["resources"] for agent in resource["agents"]]


def test_a_running_workspace_has_its_agents_and_apps_in_swaggers_fields(server: SimulatorServer) -> None:
    with api(server) as alice:
        workspace = alice.get("/api/v2/users/alice/workspace/python-api").json()
        check(workspace, "codersdk.Workspace")
        (agent,) = agents(workspace)
        assert (agent["name"], agent["status"], agent["lifecycle_state"]) == ("main", "connected", "ready")
        assert (agent["directory"], agent["expanded_directory"]) == (
            "/workspaces/project",
            "/workspaces/project",
        )
        apps = {app["slug"]: app for app in agent["apps"]}
        assert apps["code-server"]["health"] == "healthy" and apps["code-server"]["subdomain"] is False
        assert apps["preview"]["subdomain_name"] == "preview--main--python-api--alice"
        assert (apps["preview"]["sharing_level"], apps["docs"]["health"]) == ("authenticated", "unhealthy")
        dev = alice.get("/api/v2/users/alice/workspace/dev").json()
        assert [(a["name"], a["expanded_directory"]) for a in agents(dev)] == [
            ("main", "/home/alice"),
            ("db", ""),
        ]
        host = alice.get("/api/v2/applications/host")
        assert host.status_code == 200 and host.json() == {"host": "*.apps.coder.test"}
        check(host.json(), "codersdk.AppHostResponse")
    with api(server, None) as nobody:
        assert nobody.get("/api/v2/applications/host").status_code == 401


def test_starting_a_workspace_connects_its_agent_after_the_build(server: SimulatorServer) -> None:
    with api(server) as alice:
        stopped = alice.get("/api/v2/users/alice/workspace/python-api-eu").json()
        assert agents(stopped) == []  # a stop build carries no agents
        assert (
            alice.post(f"/api/v2/workspaces/{PYTHON_API_EU}/builds", json={"transition": "start"}).status_code
            == 201
        )

        def now() -> dict[str, Any]:
            return alice.get("/api/v2/users/alice/workspace/python-api-eu").json()

        assert agents(now()) == []  # while the build runs
        connecting = wait_for(lambda: agents(w := now()) and w)
        check(connecting, "codersdk.Workspace")
        (agent,) = agents(connecting)
        assert agent["status"] == "connecting" and "first_connected_at" not in agent
        assert {app["health"] for app in agent["apps"]} == {"initializing"}
        connected = wait_for(lambda: (w := now()) and agents(w)[0]["status"] == "connected" and w)
        assert {app["slug"]: app["health"] for app in agents(connected)[0]["apps"]}["docs"] == "unhealthy"
        assert (
            alice.post(f"/api/v2/workspaces/{PYTHON_API_EU}/builds", json={"transition": "stop"}).status_code
            == 201
        )
        wait_for(lambda: now()["latest_build"]["status"] == "stopped")
        assert agents(now()) == []


@pytest.mark.parametrize(
    ("agents_value", "message"),
    [
        ([{"name": "main"}, {"name": "main"}], "agent names must be unique"),
        ([{"name": "main", "apps": [{"slug": "a"}, {"slug": "a"}]}], "app slugs must be unique"),
        ([{"name": "main", "status": "sleepy"}], "sleepy"),
        ([{"name": "main", "apps": [{"slug": "Not A Slug"}]}], "Not A Slug"),
    ],
)
def test_bad_agents_are_refused(agents_value: list[dict[str, Any]], message: str) -> None:
    seed = fast_seed()
    seed["templates"][0]["versions"][0]["agents"] = agents_value
    with pytest.raises(DataError, match=message):
        load_data(seed)
